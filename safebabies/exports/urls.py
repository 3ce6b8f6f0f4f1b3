from django.urls import path

from safebabies.exports import views

urlpatterns = [
    path("exports/", views.export_list, name="export-list"),
    path("exports/<int:run_id>/download/", views.export_download, name="export-download"),
]
