from django.urls import path

from cases import views
from cases.care import views as care
from cases.documents import views as documents
from cases.hearings import views as hearings
from cases.icwa import views as icwa
from cases.team import views as team

urlpatterns = [
    path("", views.case_list, name="case-list"),
    path("new/", views.case_create, name="case-create"),
    path("<str:case_id>/", views.case_detail, name="case-detail"),
    path("<str:case_id>/edit/", views.case_edit, name="case-edit"),
    path("<str:case_id>/children/new/", views.child_create, name="child-create"),
    path("<str:case_id>/children/<str:child_id>/edit/", views.child_edit, name="child-edit"),
    path(
        "<str:case_id>/children/<str:child_id>/placements/new/",
        views.placement_add,
        name="placement-add",
    ),
    path(
        "<str:case_id>/children/<str:child_id>/plan/",
        views.permanency_plan_change,
        name="permanency-plan-change",
    ),
    path("<str:case_id>/people/new/", views.person_create, name="person-create"),
    path("<str:case_id>/people/<str:person_id>/edit/", views.person_edit, name="person-edit"),
    path(
        "<str:case_id>/placements/<str:placement_id>/end/",
        views.placement_end,
        name="placement-end",
    ),
    path("<str:case_id>/removals/new/", care.removal_add, name="removal-add"),
    path(
        "<str:case_id>/removals/<str:episode_id>/discharge/",
        care.discharge,
        name="episode-discharge",
    ),
    path(
        "<str:case_id>/removals/<str:episode_id>/discharge/undo/",
        care.discharge_undo,
        name="episode-discharge-undo",
    ),
    path(
        "<str:case_id>/children/<str:child_id>/maltreatment-reports/new/",
        care.maltreatment_report_add,
        name="maltreatment-report-add",
    ),
    path(
        "<str:case_id>/maltreatment-reports/<str:report_id>/edit/",
        care.maltreatment_report_edit,
        name="maltreatment-report-edit",
    ),
    path("<str:case_id>/hearings/new/", hearings.hearing_schedule, name="hearing-schedule"),
    path(
        "<str:case_id>/court-recommendations/new/",
        hearings.court_recommendation_write,
        name="court-recommendation-new",
    ),
    path(
        "<str:case_id>/hearings/<str:hearing_id>/summary/",
        hearings.hearing_summary_page,
        name="hearing-summary",
    ),
    path(
        "<str:case_id>/hearings/<str:hearing_id>/outcome/",
        hearings.hearing_outcome,
        name="hearing-outcome",
    ),
    path(
        "<str:case_id>/hearings/<str:hearing_id>/orders/new/",
        hearings.hearing_order_add,
        name="hearing-order-add",
    ),
    path(
        "<str:case_id>/orders/<str:order_id>/status/",
        hearings.hearing_order_status,
        name="hearing-order-status",
    ),
    # the family team page, and ICWA and relatives (issue 19, items 5 and 6)
    path("<str:case_id>/team/", team.case_team, name="case-team"),
    path("<str:case_id>/team/add/", team.team_member_add, name="team-member-add"),
    path("<str:case_id>/team/<int:member_id>/end/", team.team_member_end, name="team-member-end"),
    path("<str:case_id>/team/people/new/", team.team_person_add, name="team-person-add"),
    path("<str:case_id>/tribe-notices/new/", icwa.tribe_notice_add, name="tribe-notice-add"),
    path(
        "<str:case_id>/tribe-notices/<str:notice_id>/edit/",
        icwa.tribe_notice_edit,
        name="tribe-notice-edit",
    ),
    path(
        "<str:case_id>/people/<str:person_id>/notified/",
        icwa.relative_notified,
        name="relative-notified",
    ),
    path(
        "<str:case_id>/hearings/<str:hearing_id>/active-efforts/",
        icwa.hearing_active_efforts,
        name="hearing-active-efforts",
    ),
    path("<str:case_id>/documents/new/", documents.document_upload, name="document-upload"),
    path(
        "<str:case_id>/documents/<str:document_id>/",
        documents.document_download,
        name="document-download",
    ),
    path(
        "<str:case_id>/documents/<str:document_id>/share/",
        documents.document_share,
        name="document-share",
    ),
    path(
        "<str:case_id>/documents/<str:document_id>/remove/",
        documents.document_remove,
        name="document-remove",
    ),
]
