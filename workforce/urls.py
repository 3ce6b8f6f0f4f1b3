"""Pages of the workforce app (included at the site root)."""

from django.urls import path

from workforce import views

urlpatterns = [
    path("workforce/supervision/", views.supervision_list, name="supervision-list"),
    path("workforce/supervision/new/", views.supervision_edit, name="supervision-new"),
    path("workforce/supervision/<str:pk>/", views.supervision_edit, name="supervision-edit"),
    path("workforce/well-being/", views.wellbeing_list, name="wellbeing-list"),
    path("workforce/well-being/new/", views.wellbeing_edit, name="wellbeing-new"),
    path("workforce/well-being/<str:pk>/", views.wellbeing_edit, name="wellbeing-edit"),
    path("workforce/consultations/", views.consultation_list, name="consultation-list"),
    path("workforce/consultations/new/", views.consultation_edit, name="consultation-new"),
    path("workforce/consultations/<str:pk>/", views.consultation_edit, name="consultation-edit"),
    path("workforce/trainings/", views.training_list, name="training-list"),
    path("workforce/trainings/new/", views.training_edit, name="training-new"),
    path("workforce/trainings/<str:pk>/", views.training_edit, name="training-edit"),
]
