"""Family Team Meetings: schedule, log, summary and the family copy."""

from django.urls import path

from teams import views, work_views

urlpatterns = [
    path("cases/<str:case_id>/ftms/", views.case_ftms, name="case-ftms"),
    path("cases/<str:case_id>/ftms/new/", views.ftm_new, name="ftm-new"),
    path("ftms/<str:ftm_id>/", views.ftm_summary, name="ftm-summary"),
    path("ftms/<str:ftm_id>/log/", views.ftm_log_page, name="ftm-log"),
    path("ftms/<str:ftm_id>/save/", views.ftm_save, name="ftm-save"),
    path("ftms/<str:ftm_id>/held/", views.ftm_held, name="ftm-held"),
    path("ftms/<str:ftm_id>/family/", views.ftm_family_copy, name="ftm-family-copy"),
    path("ftms/items/<str:item_id>/done/", views.action_item_done, name="action-item-done"),
    path("cases/<str:case_id>/notes/", work_views.case_notes, name="case-notes"),
    path(
        "cases/<str:case_id>/notes/<str:note_id>/edit/",
        work_views.case_note_edit,
        name="case-note-edit",
    ),
    path("cases/<str:case_id>/support/", work_views.support_contacts, name="support-contacts"),
    path("cases/<str:case_id>/support/link/", work_views.mentor_link, name="mentor-link"),
]
