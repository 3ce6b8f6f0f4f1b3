"""The REST API, /api/v1/ (INTERFACES.md "HTTP").

Every case-record endpoint of the data package's tables takes POST and PATCH from those the
access rules allow (cases/api/writes.py, assessments/api.py, teams/api.py, familytime/api.py);
nothing is deleted through the API.
"""

from django.urls import path
from rest_framework.routers import DefaultRouter

from assessments.api import (
    AssessmentViewSet,
    GoalViewSet,
    PermanencyPlanViewSet,
    ScreeningViewSet,
    ServiceSessionViewSet,
    ServiceViewSet,
)
from cases.api import views as cases
from cases.documents.api import DocumentViewSet
from cases.hearings.api import CourtRecommendationViewSet, HearingSummaryView
from cases.icwa.api import TribeNoticeViewSet
from community.api import (
    ActMeetingViewSet,
    ActMemberViewSet,
    ImprovementCycleViewSet,
    ProviderViewSet,
    ReferralFeedbackViewSet,
)
from cqi.api import urlpatterns as cqi_urlpatterns
from familytime.api import FamilyTimePlanViewSet, VisitViewSet
from safebabies.identity.accounts.api import AuditEventViewSet
from safebabies.identity.api import TokenView
from teams.api import FtmActionItemViewSet, FtmViewSet
from teams.work_api import CaseNoteViewSet, SupportContactViewSet
from workforce.api import ConsultationViewSet, SupervisionSessionViewSet, TrainingViewSet

router = DefaultRouter()
router.include_format_suffixes = False  # ids may hold dots: no ".json" suffixes
router.register("cases", cases.CaseViewSet, basename="api-case")
router.register("children", cases.ChildViewSet, basename="api-child")
router.register("episodes", cases.EpisodeViewSet, basename="api-episode")
router.register("placements", cases.PlacementViewSet, basename="api-placement")
router.register("permanency-plans", PermanencyPlanViewSet, basename="api-permanency-plan")
router.register("hearings", cases.HearingViewSet, basename="api-hearing")
router.register(
    "court-recommendations", CourtRecommendationViewSet, basename="api-court-recommendation"
)
router.register("ftms", FtmViewSet, basename="api-ftm")
router.register("ftm-action-items", FtmActionItemViewSet, basename="api-ftm-action-item")
router.register("family-time", VisitViewSet, basename="api-family-time")
router.register("family-time-plans", FamilyTimePlanViewSet, basename="api-family-time-plan")
router.register("screenings", ScreeningViewSet, basename="api-screening")
router.register("services", ServiceViewSet, basename="api-service")
router.register("service-sessions", ServiceSessionViewSet, basename="api-service-session")
router.register("goals", GoalViewSet, basename="api-goal")
router.register("assessments", AssessmentViewSet, basename="api-assessment")
router.register(
    "maltreatment-reports", cases.MaltreatmentReportViewSet, basename="api-maltreatment-report"
)
router.register("people", cases.PersonViewSet, basename="api-person")
router.register("tribe-notices", TribeNoticeViewSet, basename="api-tribe-notice")
router.register("documents", DocumentViewSet, basename="api-document")
router.register("case-notes", CaseNoteViewSet, basename="api-case-note")
router.register("support-contacts", SupportContactViewSet, basename="api-support-contact")
router.register(
    "supervision-sessions", SupervisionSessionViewSet, basename="api-supervision-session"
)
router.register("consultations", ConsultationViewSet, basename="api-consultation")
router.register("trainings", TrainingViewSet, basename="api-training")
router.register("act-members", ActMemberViewSet, basename="api-act-member")
router.register("act-meetings", ActMeetingViewSet, basename="api-act-meeting")
router.register("improvement-cycles", ImprovementCycleViewSet, basename="api-improvement-cycle")
router.register("providers", ProviderViewSet, basename="api-provider")
router.register("referral-feedback", ReferralFeedbackViewSet, basename="api-referral-feedback")
router.register("audit-events", AuditEventViewSet, basename="api-audit-event")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path(
        "cases/<str:case_id>/team-members/",
        cases.TeamMemberList.as_view(),
        name="api-case-team-members",
    ),
    path(
        "cases/<str:case_id>/team-members/<int:member_id>/end/",
        cases.TeamMemberEnd.as_view(),
        name="api-case-team-member-end",
    ),
    path(
        "hearings/<str:hearing_id>/summary/",
        HearingSummaryView.as_view(),
        name="api-hearing-summary",
    ),
    *cqi_urlpatterns,
    *router.urls,
]
