"""Pages of the cqi app (included at the site root)."""

from django.urls import path

from cqi import views

urlpatterns = [
    path("cqi/", views.cqi_index, name="cqi-index"),
    path("cqi/<slug:slug>/", views.dashboard_page, name="cqi-dashboard"),
    path("cqi/<slug:slug>/csv/<slug:table>/", views.dashboard_csv, name="cqi-csv"),
    path("cqi/<slug:slug>/families/<slug:metric_id>/", views.drill_down, name="cqi-drill"),
    path("cqi/<slug:slug>/story/", views.data_story, name="cqi-story"),
    path("cqi/<slug:slug>/practice-matrix/", views.practice_matrix, name="cqi-matrix"),
    path("cqi/<slug:slug>/barriers/", views.barriers_page, name="cqi-barriers"),
    path("cqi/<slug:slug>/services-funnel/", views.funnel_page, name="cqi-funnel"),
    path("cqi/<slug:slug>/workforce/", views.workforce_page, name="cqi-workforce"),
]
