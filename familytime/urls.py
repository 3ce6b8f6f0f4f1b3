"""Pages of the familytime app."""

from django.urls import path

from familytime import views

urlpatterns = [
    path("cases/<str:case_id>/family-time/", views.family_time, name="family-time"),
    path(
        "cases/<str:case_id>/family-time/<str:child_id>/plan/",
        views.plan_set,
        name="family-time-plan",
    ),
    path(
        "cases/<str:case_id>/family-time/visits/<str:visit_id>/",
        views.visit_log,
        name="family-time-visit-log",
    ),
]
