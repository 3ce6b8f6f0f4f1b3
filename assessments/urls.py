"""Pages of the assessments app: the case plan, its forms, and releases of information."""

from django.urls import path

from assessments import views

urlpatterns = [
    path("cases/<str:case_id>/plan/", views.case_plan, name="case-plan"),
    path(
        "cases/<str:case_id>/plan/screenings/new/",
        views.screening_create,
        name="screening-create",
    ),
    path("cases/<str:case_id>/plan/services/new/", views.service_create, name="service-create"),
    path(
        "cases/<str:case_id>/plan/services/<str:service_id>/",
        views.service_edit,
        name="service-edit",
    ),
    path(
        "cases/<str:case_id>/plan/services/<str:service_id>/sessions/",
        views.service_sessions,
        name="service-sessions",
    ),
    path(
        "cases/<str:case_id>/plan/sessions/<str:session_id>/outreach/",
        views.session_outreach_done,
        name="session-outreach-done",
    ),
    path("cases/<str:case_id>/plan/goals/new/", views.goal_create, name="goal-create"),
    path("cases/<str:case_id>/plan/goals/<str:goal_id>/", views.goal_edit, name="goal-edit"),
    path(
        "cases/<str:case_id>/plan/goals/<str:goal_id>/steps/",
        views.goal_step_add,
        name="goal-step-add",
    ),
    path(
        "cases/<str:case_id>/plan/steps/<str:step_id>/done/",
        views.goal_step_done,
        name="goal-step-done",
    ),
    path(
        "cases/<str:case_id>/plan/steps/<str:step_id>/remove/",
        views.goal_step_remove,
        name="goal-step-remove",
    ),
    path(
        "cases/<str:case_id>/plan/assessments/new/",
        views.assessment_create,
        name="assessment-create",
    ),
    path(
        "cases/<str:case_id>/plan/assessments/<str:assessment_id>/",
        views.assessment_detail,
        name="assessment-detail",
    ),
    path(
        "cases/<str:case_id>/plan/markers/<str:kind>/<str:subject_id>/",
        views.markers_rate,
        name="markers-rate",
    ),
    path("cases/<str:case_id>/consents/", views.consent_list, name="consent-list"),
    path("cases/<str:case_id>/consents/new/", views.consent_create, name="consent-create"),
    path(
        "cases/<str:case_id>/consents/<str:consent_id>/revoke/",
        views.consent_revoke,
        name="consent-revoke",
    ),
    path(
        "cases/<str:case_id>/consents/<str:consent_id>/confirm/",
        views.consent_confirm,
        name="consent-confirm",
    ),
]
