"""The cross-site and off-team sweep: every route, every method, every persona who must not
see the family, none may read or write it.

The sweep walks `get_resolver()` — every page, every API route, the Django admin — so a route
added later is swept too. Each route needs an entry in ROUTES saying which sample record fills
each of its URL arguments; **a route without an entry fails the sweep** (with a message naming
it). To add one: `"<url name>": Route({"<kwarg>": "<sample>"})`, where <sample> is an attribute
of `Samples` (add a record there if yours is new). Admin routes are filled from ADMIN_KWARGS.

For each route, persona and method (GET, POST, PATCH, DELETE) the answer must be (a method the
route's own code refuses before it looks at who asks, such as a POST to a `require_GET` page,
is asked once, of the family's own caseworker, rather than of every persona: `refused_by_code`):
- 401, 403, 404 or 405; or a redirect to a sign-in step; or
- 200 (or 400 for a route marked `may_refuse_input`) whose body and headers name nothing of
  the family (no id, no name, no address);
and the request may write nothing but the audit trail, the session, the lock-out counters and
the tables the route lists in `may_write` (a person's own account: sign-out, their token).
"""

import functools
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.views import View
from rest_framework.test import APIClient

from assessments.models import Assessment, Goal, GoalStep, Screening, Service, ServiceSession
from cases.models import (
    Case,
    CaseTransfer,
    Consent,
    CourtRecommendation,
    Hearing,
    HearingOrder,
    MaltreatmentReport,
    Person,
    TeamMember,
    TribeNotice,
)
from community.models import (
    ActActionItem,
    ActMeeting,
    ActMember,
    ImprovementCycle,
    Provider,
    ReferralFeedback,
)
from cqi.breakdowns import DRILLABLE
from familytime.models import FamilyTimePlan, Visit
from safebabies.audit.models import AuditEvent
from safebabies.exports.models import ExportRun
from safebabies.identity.models import ApiToken
from safebabies.identity.roles import AGGREGATE_ROLES, TEAM_ROLES, Role
from safebabies.notify.models import Notification
from teams.models import CaseNote, Ftm, FtmActionItem, SupportContact
from tests import factories as f
from workforce.models import Consultation, SupervisionSession, Training, WellbeingCheckIn

pytestmark = pytest.mark.django_db

METHODS = ("get", "post", "patch", "delete")
ALWAYS_WRITABLE = frozenset(
    {"audit_auditevent", "django_session", "axes_accessattempt", "axes_accesslog"}
)
# Sign-in steps: the password, the second factor (REQUIRE_2FA), the admin's sign-in.
LOGIN_PATHS = ("/accounts/login/", "/accounts/two-factor/", "/admin/login/")


@dataclass(frozen=True)
class Route:
    kwargs: dict[str, str] = field(default_factory=dict)  # URL argument -> Samples attribute
    may_write: frozenset[str] = frozenset()  # tables of the caller's own account
    may_refuse_input: bool = False  # a public form: 400 for the sweep's empty input is fine
    own_status: frozenset[int] = frozenset()  # e.g. 204: revoked the caller's own token


CASE = {"case_id": "case"}
PK_OF = {
    "case": "case",
    "child": "child",
    "episode": "episode",
    "placement": "placement",
    "permanency-plan": "plan",
    "hearing": "hearing",
    "ftm": "ftm",
    "ftm-action-item": "action_item",
    "family-time": "visit",
    "screening": "screening",
    "service": "service",
    "maltreatment-report": "maltreatment_report",
    "person": "person",
    "audit-event": "audit_event",
    "family-time-plan": "family_time_plan",
    "goal": "goal",
    "assessment": "assessment",
    "document": "document",
    "tribe-notice": "tribe_notice",
    "court-recommendation": "court_recommendation",
    "case-note": "case_note",
    "support-contact": "support_contact",
    "service-session": "service_session",
    "supervision-session": "wf_supervision",
    "consultation": "wf_consultation",
    "training": "wf_training",
    "act-member": "act_member",
    "act-meeting": "act_meeting",
    "improvement-cycle": "act_cycle",
    "provider": "provider",
    "referral-feedback": "referral_feedback",
}
CASE_CHILD = {"case_id": "case", "child_id": "child"}
CASE_HEARING = {"case_id": "case", "hearing_id": "hearing"}
FTM = {"ftm_id": "ftm"}
SITE = {"slug": "site_slug"}
OWN_NOTIFICATIONS = frozenset(
    {"notify_notification", "notify_notificationpreference", "notify_calendarfeed"}
)

ROUTES: dict[str, Route] = {
    # --- pages ---
    "healthz": Route(),
    "home": Route(),
    "family-item-done": Route({"item_id": "action_item"}),
    "login": Route(may_write=frozenset({"teams_user"}), may_refuse_input=True),
    "logout": Route(),
    "case-list": Route(),
    "case-create": Route(),
    "case-detail": Route(CASE),
    "case-edit": Route(CASE),
    "child-create": Route(CASE),
    "child-edit": Route({"case_id": "case", "child_id": "child"}),
    "placement-add": Route({"case_id": "case", "child_id": "child"}),
    "permanency-plan-change": Route({"case_id": "case", "child_id": "child"}),
    "person-create": Route(CASE),
    "person-edit": Route({"case_id": "case", "person_id": "person"}),
    "placement-end": Route({"case_id": "case", "placement_id": "placement"}),
    "removal-add": Route(CASE),
    "episode-discharge": Route({"case_id": "case", "episode_id": "episode"}),
    "episode-discharge-undo": Route({"case_id": "case", "episode_id": "episode"}),
    "maltreatment-report-add": Route(CASE_CHILD),
    "maltreatment-report-edit": Route({"case_id": "case", "report_id": "maltreatment_report"}),
    # --- closing, transfers, retention (cases/closing) ---
    "case-close": Route(CASE),
    "case-reopen": Route(CASE),
    "case-transfer": Route(CASE),
    "transfer-withdraw": Route({"case_id": "case", "transfer_id": "transfer"}),
    "case-seal": Route(CASE),
    "case-purge": Route(CASE),
    "transfer-list": Route(),
    "transfer-decide": Route({"transfer_id": "transfer"}),
    "retention": Route({"site_slug": "site_slug"}),
    "document-upload": Route(CASE),
    "document-download": Route({"case_id": "case", "document_id": "document"}),
    "document-remove": Route({"case_id": "case", "document_id": "document"}),
    "document-share": Route({"case_id": "case", "document_id": "document"}),
    # --- the family team page, ICWA and relatives ---
    "case-team": Route(CASE),
    "team-member-add": Route(CASE),
    "team-member-end": Route({"case_id": "case", "member_id": "team_place"}),
    "team-person-add": Route(CASE),
    "tribe-notice-add": Route(CASE),
    "tribe-notice-edit": Route({"case_id": "case", "notice_id": "tribe_notice"}),
    "relative-notified": Route({"case_id": "case", "person_id": "relative"}),
    "hearing-active-efforts": Route(CASE_HEARING),
    # --- accounts and security ---
    "two-factor-verify": Route(),
    "two-factor-setup": Route(may_write=frozenset({"otp_totp_totpdevice"})),
    "account-security": Route(may_write=frozenset({"teams_user"})),  # the person's own phone
    "session-keepalive": Route(own_status=frozenset({204})),
    "choose-language": Route(may_write=frozenset({"teams_user"})),  # the person's own language
    "sign-in-link-request": Route(),
    "sign-in-link": Route({"token": "bogus_token"}, may_refuse_input=True),
    "parent-invite": Route({"case_id": "case", "person_id": "person"}),
    "family-cant-come": Route({"token": "cant_come_token"}, may_refuse_input=True),
    "family-calendar": Route({"kind": "kind_ftm", "event_id": "ftm"}),
    "sign-out-everywhere": Route(
        may_write=frozenset({"teams_user", "teams_apitoken", "notify_calendarfeed"})  # own feed
    ),
    "password_reset": Route(),
    "password_reset_done": Route(),
    "password_reset_confirm": Route({"uidb64": "member_uid", "token": "bogus_token"}),
    "password_reset_complete": Route(),
    "account-people": Route({"site_slug": "site_slug"}),
    "account-invite": Route({"site_slug": "site_slug"}),
    "account-person": Route({"site_slug": "site_slug", "user_id": "member_id"}),
    "account-deactivate": Route({"site_slug": "site_slug", "user_id": "member_id"}),
    "account-reactivate": Route({"site_slug": "site_slug", "user_id": "member_id"}),
    "account-audit": Route({"site_slug": "site_slug"}),
    "account-audit-csv": Route({"site_slug": "site_slug"}),
    # --- Family Team Meetings ---
    "case-ftms": Route(CASE),
    "ftm-new": Route(CASE),
    "ftm-summary": Route(FTM),
    "ftm-log": Route(FTM),
    "ftm-save": Route(FTM),
    "ftm-held": Route(FTM),
    "ftm-family-copy": Route(FTM),
    "action-item-done": Route({"item_id": "action_item"}),
    # --- the team's own work: notes, a parent mentor's support contacts ---
    "case-notes": Route(CASE),
    "case-note-edit": Route({"case_id": "case", "note_id": "case_note"}),
    "support-contacts": Route(CASE),
    "mentor-link": Route(CASE),
    "ftm-family-copy-send": Route(FTM),
    "ftm-family-copy-pdf": Route({"ftm_id": "ftm", "person_id": "person"}),
    # --- hearings ---
    "hearing-schedule": Route(CASE),
    "hearing-summary": Route(CASE_HEARING),
    "hearing-outcome": Route(CASE_HEARING),
    "hearing-order-add": Route(CASE_HEARING),
    "hearing-order-status": Route({"case_id": "case", "order_id": "hearing_order"}),
    "court-recommendation-new": Route(CASE),
    # --- case plan ---
    "case-plan": Route(CASE),
    "screening-create": Route(CASE),
    "service-create": Route(CASE),
    "service-edit": Route({"case_id": "case", "service_id": "service"}),
    "service-sessions": Route({"case_id": "case", "service_id": "service"}),
    "session-outreach-done": Route({"case_id": "case", "session_id": "service_session"}),
    "goal-create": Route(CASE),
    "goal-edit": Route({"case_id": "case", "goal_id": "goal"}),
    "goal-step-add": Route({"case_id": "case", "goal_id": "goal"}),
    "goal-step-done": Route({"case_id": "case", "step_id": "goal_step"}),
    "goal-step-remove": Route({"case_id": "case", "step_id": "goal_step"}),
    "assessment-create": Route(CASE),
    "assessment-detail": Route({"case_id": "case", "assessment_id": "assessment"}),
    "markers-rate": Route({"case_id": "case", "kind": "marker_kind", "subject_id": "child"}),
    "consent-list": Route(CASE),
    "consent-create": Route(CASE),
    "consent-revoke": Route({"case_id": "case", "consent_id": "consent"}),
    "consent-confirm": Route({"case_id": "case", "consent_id": "consent"}),
    "referral-feedback": Route({"case_id": "case", "service_id": "service"}),
    # --- the Active Community Team and the provider directory (the site's program: the
    # site's roles read them; they must name no family) ---
    "act-home": Route(),
    "act-member-new": Route(),
    "act-member-edit": Route({"member_id": "act_member"}),
    "act-meeting-new": Route(),
    "act-meeting": Route({"meeting_id": "act_meeting"}),
    "act-meeting-edit": Route({"meeting_id": "act_meeting"}),
    # the site's Community Coordinators keep the team's meetings: the sweep's empty input is
    # a form error (400), and marking the sample's action item done is their work on the site's
    # program (its table, a 302 back to the meeting), nothing of the family
    "act-decision-add": Route({"meeting_id": "act_meeting"}, may_refuse_input=True),
    "act-item-add": Route({"meeting_id": "act_meeting"}, may_refuse_input=True),
    "act-item-done": Route(
        {"item_id": "act_item"},
        may_write=frozenset({"community_actactionitem"}),
        own_status=frozenset({302}),
    ),
    "act-cycle-new": Route(),
    "act-cycle": Route({"cycle_id": "act_cycle"}),
    "act-cycle-edit": Route({"cycle_id": "act_cycle"}),
    "provider-list": Route(),
    "provider-new": Route(),
    "provider-detail": Route({"provider_id": "provider"}),
    "provider-edit": Route({"provider_id": "provider"}),
    # --- family time ---
    "family-time": Route(CASE),
    "family-time-plan": Route(CASE_CHILD),
    "family-time-visit-log": Route({"case_id": "case", "visit_id": "visit"}),
    # --- CQI (aggregate roles of the site may read these: they must name no family) ---
    "cqi-index": Route(),
    "cqi-dashboard": Route(SITE),
    "cqi-csv": Route({**SITE, "table": "cqi_table"}),
    "cqi-drill": Route({**SITE, "metric_id": "drill_metric"}),
    "cqi-story": Route(SITE),
    "cqi-matrix": Route(SITE, may_refuse_input=True),
    "cqi-barriers": Route(SITE),
    "cqi-funnel": Route(SITE),
    # --- the people who do the work (records of the site's program, not of the family) ---
    "supervision-list": Route(),
    "supervision-new": Route(may_refuse_input=True),
    "supervision-edit": Route({"pk": "wf_supervision"}, may_refuse_input=True),
    "wellbeing-list": Route(),
    "wellbeing-new": Route(may_refuse_input=True),
    "wellbeing-edit": Route({"pk": "wf_wellbeing"}, may_refuse_input=True),
    "consultation-list": Route(),
    "consultation-new": Route(may_refuse_input=True),
    "consultation-edit": Route({"pk": "wf_consultation"}, may_refuse_input=True),
    "training-list": Route(),
    "training-new": Route(may_refuse_input=True),
    "training-edit": Route({"pk": "wf_training"}, may_refuse_input=True),
    "cqi-workforce": Route(SITE),
    # --- exports, notifications, calendar feeds (the caller's own) ---
    "export-list": Route(),
    "export-download": Route({"run_id": "export_run"}),
    "notification-list": Route(may_write=OWN_NOTIFICATIONS),
    "notifications-read": Route(may_write=OWN_NOTIFICATIONS),
    "notification-open": Route({"pk": "notification"}, may_write=OWN_NOTIFICATIONS),
    "notification-read": Route({"pk": "notification"}, may_write=OWN_NOTIFICATIONS),
    "notification-settings": Route(may_write=OWN_NOTIFICATIONS, may_refuse_input=True),
    "calendar-feed-new": Route(may_write=OWN_NOTIFICATIONS),
    "calendar-feed-revoke": Route(may_write=OWN_NOTIFICATIONS),
    "calendar-feed": Route({"token": "calendar_token"}),
    # --- API ---
    "api-hearing-summary": Route({"hearing_id": "hearing"}),
    "api-token": Route(
        may_write=frozenset({"teams_apitoken"}),
        may_refuse_input=True,
        own_status=frozenset({204}),
    ),
    "api-case-team-members": Route(CASE),
    "api-case-team-member-end": Route({"case_id": "case", "member_id": "team_place"}),
    "api-cqi-metrics": Route(may_refuse_input=True),
    "api-root": Route(),
    "api-schema": Route(),
    "api-docs": Route(),
    **{f"api-{name}-list": Route() for name in PK_OF},
    # Lists that take POST: the sweep's empty input is refused with a 400 that names the
    # missing fields; POSTs that aim at the family are tested per feature (tests/test_*_api.py).
    **{
        f"api-{name}-list": Route(may_refuse_input=True)
        for name in (
            "case",
            "child",
            "person",
            "episode",
            "placement",
            "hearing",
            "maltreatment-report",
            "permanency-plan",
            "ftm",
            "ftm-action-item",
            "family-time",
            "family-time-plan",
            "screening",
            "service",
            "goal",
            "assessment",
            "document",
            "tribe-notice",
            "court-recommendation",
            "case-note",
            "support-contact",
            "service-session",
            "supervision-session",
            "consultation",
            "training",
            "act-member",
            "act-meeting",
            "improvement-cycle",
            "provider",
            "referral-feedback",
        )
    },
    "api-document-download": Route({"pk": "document"}),
    **{f"api-{name}-detail": Route({"pk": sample}) for name, sample in PK_OF.items()},
}

# Every admin page needs a staff account: none of the personas is staff.
ADMIN_KWARGS = {
    "app_label": "admin_app_label",
    "object_id": "case",
    "content_type_id": "case_content_type",
    "id": "member_id",
    "pk": "member_id",
    "url": "case",
}


# Samples of the site's program (not of the family): the site's roles read them, so their ids
# may show; that they name nothing of the family is what the sweep checks of their pages.
SITE_PROGRAM_SAMPLES = ("act_member", "act_meeting", "act_item", "act_cycle", "provider")


class Samples:
    """One family at site "north" with a record of every kind; the sweep aims at these."""

    def __init__(self, site, family, caseworker):
        child, parent = family.test_child, family.test_parent
        self.site_slug = site.slug
        self.case = family.pk
        self.child = child.pk
        self.person = parent.pk
        self.episode = family.test_episode.pk
        self.placement = family.test_episode.placements.get().pk
        self.plan = child.permanency_plans.get().pk
        self.hearing = Hearing.objects.create(
            case=family, hearing_type="review", scheduled_on="2026-12-03"
        ).pk
        ftm = Ftm.objects.create(case=family, scheduled_on="2026-12-01", notes="Quorlax notes")
        self.ftm = ftm.pk
        self.action_item = FtmActionItem.objects.create(ftm=ftm, due_on="2026-12-20").pk
        self.case_note = CaseNote.objects.create(
            case=family,
            author=caseworker,
            author_role=Role.CASEWORKER,
            written_at=timezone.now(),
            text="Quorlax case note",
        ).pk
        self.support_contact = SupportContact.objects.create(
            case=family,
            person=parent,
            mentor=caseworker,
            contacted_on="2026-11-02",
            kind="transport",
            minutes=40,
        ).pk
        self.visit = Visit.objects.create(child=child, scheduled_on="2026-11-20").pk
        # the site's program: its records name no family (their ids are not the family's)
        member = ActMember.objects.create(
            site=site, name="Pat Partner", sector="community", joined_on="2026-09-01"
        )
        self.act_member = member.pk
        meeting = ActMeeting.objects.create(site=site, held_on="2026-11-02", title="ACT")
        self.act_meeting = meeting.pk
        self.act_item = ActActionItem.objects.create(
            meeting=meeting, description="Call the transit authority", owner=member
        ).pk
        self.act_cycle = ImprovementCycle.objects.create(
            site=site,
            title="Screen sooner",
            metric="developmental_screening_within_30_days",
            started_on="2026-07-01",
        ).pk
        self.provider = Provider.objects.create(
            site=site, name="Harbor Housing", service_types=["housing"], updated_on="2026-11-01"
        ).pk
        self.screening = Screening.objects.create(
            case=family, child=child, subject="child", instrument="asq3", screened_on="2026-10-01"
        ).pk
        goal = Goal.objects.create(case=family, description="Quorlax goal")
        self.goal = goal.pk
        self.goal_step = GoalStep.objects.create(goal=goal, text="Quorlax step").pk
        service = Service.objects.create(
            case=family, recipient="dyad", service_type="abc", referred_on="2026-10-02"
        )
        self.service = service.pk
        self.service_session = ServiceSession.objects.create(
            service=service, held_on="2026-10-09", attendance="missed", note="Quorlax session"
        ).pk
        self.referral_feedback = ReferralFeedback.objects.create(
            service_id=self.service, received_on="2026-10-05", status="received"
        ).pk
        self.maltreatment_report = MaltreatmentReport.objects.create(
            child=child, reported_on="2026-06-01", disposition="substantiated"
        ).pk
        self.tribe_notice = TribeNotice.objects.create(child=child, tribe="Quorlax Nation").pk
        self.relative = Person.objects.create(
            case=family, kind="relative", given_name="Quorlax", notified_on="2026-10-01"
        ).pk
        teammate = f.site_member(site, Role.CLINICIAN, email="teammate@north.example.org")
        self.team_place = TeamMember.objects.create(
            case=family, user=teammate, role=Role.CLINICIAN, phone="555-0177"
        ).pk
        # records of the site's program (workforce/): readable by some people of the site by
        # design, never naming the family (their ids are not markers)
        self.wf_supervision = SupervisionSession.objects.create(
            site=site,
            staff=teammate,
            supervisor=caseworker,
            held_on="2026-11-03",
            minutes=60,
            kind="individual",
            recorded_by=caseworker,
        ).pk
        self.wf_wellbeing = WellbeingCheckIn.objects.create(
            site=site, person=caseworker, checked_on="2026-11-03", stress=3, supported=3, sleep=3
        ).pk
        self.wf_consultation = Consultation.objects.create(
            site=site,
            consultant=teammate,
            held_on="2026-11-03",
            consultee="caseworker",
            need="trauma",
            mode="indirect",
            minutes=30,
            recorded_by=teammate,
        ).pk
        self.wf_training = Training.objects.create(
            site=site,
            title="Safe Babies approach",
            held_on="2026-11-03",
            hours=2,
            topics=["safe_babies"],
            recorded_by=caseworker,
        ).pk
        self.family_time_plan = FamilyTimePlan.objects.create(
            child=child,
            parent=parent,
            effective_from="2026-10-01",
            visits_per_week=3,
            supervision="supervised",
        ).pk
        self.consent = Consent.objects.create(
            confirmed_at=f.CONFIRMED,
            case=family,
            person=parent,
            category=Consent.Category.values[0],
            recipient_role=Role.CLINICIAN,
            granted_on="2026-09-01",
        ).pk
        self.document = f.document(family, hearing_id=self.hearing, name="Quorlax.pdf").pk
        self.hearing_order = HearingOrder.objects.create(
            hearing_id=self.hearing, text="Quorlax order"
        ).pk
        self.assessment = Assessment.objects.create(
            case=family, child=child, lens="child", assessed_on="2026-10-03", history="Quorlax"
        ).pk
        self.court_recommendation = CourtRecommendation.objects.create(
            case=family, child=child, written_on="2026-10-20", text="Quorlax recommendation"
        ).pk
        self.export_run = ExportRun.objects.create(
            site=site,
            as_of="2026-11-01",
            status="done",
            file_name="safebabies-north-2026-11-01.zip",
        ).pk
        self.marker_kind = "child"
        self.cqi_table = "metrics"
        self.drill_metric = DRILLABLE[0]
        self.calendar_token = "not-a-calendar-feed-token"
        self.audit_event = AuditEvent.objects.create(
            action="view", record_type="cases.case", record_id=family.pk, site=site
        ).pk
        # a transfer of the family asked to a third site (the other site's people are not its
        # receivers: what a receiving site reads is tests/test_case_closing.py's)
        east = f.SiteFactory(slug="east", name="East County Safe Babies")
        self.transfer = CaseTransfer.objects.create(
            case=family,
            from_site=site,
            to_site=east,
            requested_by=caseworker,
            requested_at=timezone.now(),
        ).pk
        self.member_id = caseworker.pk
        self.notification = Notification.objects.create(
            user=caseworker, kind="hearing_two_days", subject="Hearing", body="b"
        ).pk
        from django.contrib.contenttypes.models import ContentType
        from django.utils.encoding import force_bytes
        from django.utils.http import urlsafe_base64_encode

        self.member_uid = urlsafe_base64_encode(force_bytes(caseworker.pk))
        self.bogus_token = "set-password"
        self.kind_ftm = "ftm"  # "add to my calendar" names the kind of event
        # "I can't come" works from a signed link only (tests/test_family_reminders.py); an
        # unsigned one is refused whoever sends it (the page echoes its own address)
        self.cant_come_token = "not-a-signed-link"
        self.admin_app_label = "cases"
        self.case_content_type = ContentType.objects.get(app_label="cases", model="case").pk
        # What must never show: every id above and the family's names and address.
        self.markers = [
            str(value)
            for name, value in vars(self).items()
            if isinstance(value, str)
            and len(value) >= 12
            and name
            not in {
                "bogus_token",
                "cqi_table",
                "drill_metric",
                "calendar_token",
                "cant_come_token",
                "wf_supervision",
                "wf_wellbeing",
                "wf_consultation",
                "wf_training",
                *SITE_PROGRAM_SAMPLES,
            }
        ] + ["Quorlax", "Xanthippe", "Wysteria Lane"]


@pytest.fixture
def samples(site, family, caseworker):
    return make_samples(site, family, caseworker)


def make_samples(site, family, caseworker) -> Samples:
    family.name = "Quorlax family"
    family.save(update_fields=["name"])
    family.test_child.given_name = "Xanthippe"
    family.test_child.save(update_fields=["given_name"])
    placement = family.test_episode.placements.get()
    placement.address = "9 Wysteria Lane"
    placement.save(update_fields=["address"])
    return Samples(site, family, caseworker)


def personas_of_another_site(other_site):
    return {
        f"{role} of another site": f.site_member(
            other_site, role, email=f"{role}@south.example.org"
        )
        for role in Role.values
    }


def off_team_personas(site, family):
    people = {
        f"off-team {role}": f.site_member(site, role, email=f"off.{role}@north.example.org")
        for role in sorted(TEAM_ROLES - {Role.COMMUNITY_COORDINATOR})
    }
    people.update(
        {
            f"{role} (aggregate only)": f.site_member(
                site, role, email=f"agg.{role}@north.example.org"
            )
            for role in sorted(AGGREGATE_ROLES)
        }
    )
    former = f.site_member(site, Role.CASEWORKER, email="former.caseworker@north.example.org")
    f.TeamMemberFactory(case=family, user=former, role=Role.CASEWORKER, removed_at=timezone.now())
    people["caseworker taken off the team"] = former
    no_role = f.UserFactory(email="no.role@north.example.org")
    people["account without a role"] = no_role
    ex_member = f.site_member(site, Role.CASEWORKER, email="ex.member@north.example.org")
    TeamMember.objects.create(case=family, user=ex_member, role=Role.CASEWORKER)
    ex_member.memberships.update(is_active=False)
    people["team member whose site role was deactivated"] = ex_member
    # parents: of no family yet, of another family of the site, taken off this family's team
    people["parent on no family's team"] = f.site_member(
        site, Role.PARENT, email="parent.nowhere@north.example.org"
    )
    other_family = f.CaseFactory(site=site, name="Another family")
    other_parent = f.PersonFactory(case=other_family, kind="parent", given_name="Ada")
    elsewhere = f.site_member(site, Role.PARENT, email="parent.elsewhere@north.example.org")
    TeamMember.objects.create(
        case=other_family, user=elsewhere, role=Role.PARENT, person=other_parent
    )
    people["parent of another family of the site"] = elsewhere
    removed = f.site_member(site, Role.PARENT, email="parent.removed@north.example.org")
    TeamMember.objects.create(
        case=family,
        user=removed,
        role=Role.PARENT,
        person=family.test_parent,
        removed_at=timezone.now(),
    )
    people["parent taken off this family's team"] = removed
    return people


# --- Walking the routes ------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    name: str  # "namespace:name", or the pattern when unnamed
    pattern: str
    arguments: tuple[str, ...]
    admin: bool
    callback: Callable = field(compare=False, repr=False)


def all_routes() -> list[Found]:
    found: list[Found] = []

    def walk(patterns, prefix: str, namespace: str, admin: bool) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(
                    entry.url_patterns,
                    prefix + str(entry.pattern),
                    f"{namespace}{entry.namespace}:" if entry.namespace else namespace,
                    admin or entry.namespace == "admin",
                )
            elif isinstance(entry, URLPattern):
                pattern = prefix + str(entry.pattern)
                names = re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", pattern)
                arguments = tuple(a or b for a, b in names)
                name = f"{namespace}{entry.name}" if entry.name else pattern
                found.append(Found(name, pattern, arguments, admin, entry.callback))

    walk(get_resolver().url_patterns, "/", "", False)
    return found


@functools.cache
def refused_by_code(route: Found) -> frozenset[str]:
    """The methods of METHODS that the route's own code refuses before it looks at who asks or
    at the record: Django's `require_http_methods` (require_GET, require_POST...) anywhere among
    the view's decorators, a class-based view with no handler for the method, a DRF route that
    maps no action to it. Every persona is refused there whoever they are (a 405; on a DRF
    route, someone its permission check turns away gets that 403 first), so the sweep does not
    ask each persona again; test_the_methods_the_sweep_skips_are_refused_to_the_familys_own_team
    asks every one of them once, of a persona who may otherwise write the family."""
    view = route.callback
    refused: set[str] = set()
    cls = getattr(view, "cls", None)  # DRF: its dispatch checks who asks, then finds a handler
    view_class = getattr(view, "view_class", None)
    if cls is None and view_class is not None and view_class.dispatch is View.dispatch:
        cls = view_class  # a Django view whose dispatch is Django's own
    if cls is not None:
        actions = getattr(view, "actions", None)  # a DRF viewset's route: method -> action
        if actions is not None:
            handlers = {m: actions[m] for m in METHODS if m in actions}
        else:
            handlers = {m: m for m in METHODS if m in cls.http_method_names}
        refused |= {m for m in METHODS if m not in handlers or not hasattr(cls, handlers[m])}
    func: Callable | None = view
    while func is not None:
        try:
            methods = inspect.getclosurevars(func).nonlocals.get("request_method_list")
        except TypeError:  # not a plain function
            methods = None
        if methods is not None:
            refused |= {m for m in METHODS if m.upper() not in methods}
        func = getattr(func, "__wrapped__", None)
    return frozenset(refused)


def url_of(route: Found, samples: Samples, missing: list[str]) -> str | None:
    if route.admin:
        table = ADMIN_KWARGS
    elif route.name in ROUTES:
        table = ROUTES[route.name].kwargs
    else:
        missing.append(f"{route.name!r} ({route.pattern})")
        return None
    values = {}
    for argument in route.arguments:
        if argument not in table:
            missing.append(f"{route.name!r}: no sample for its argument {argument!r}")
            return None
        values[argument] = str(getattr(samples, table[argument]))
    if ":" in route.name or not route.pattern.count("("):
        try:
            return reverse(route.name, kwargs=values) if route.name != route.pattern else None
        except Exception:  # noqa: S110 - unnamed or regex routes are built below
            pass
    path = route.pattern
    for argument, value in values.items():
        path = re.sub(rf"<(?:\w+:)?{argument}>|\(\?P<{argument}>[^)]*\)", value, path)
    return path.replace("^", "").replace("$", "")


def test_every_route_has_a_sweep_entry(samples):
    missing: list[str] = []
    for route in all_routes():
        url_of(route, samples, missing)
    assert not missing, (
        "These routes are not covered by the security sweep. Add each to ROUTES in "
        "tests/test_security_sweep.py, naming the sample record for every URL argument:\n  "
        + "\n  ".join(missing)
    )


ADMIN_METHODS = ("get",)  # every admin page is behind the one staff check (speed)
# Routes after which the persona signs in again (they end the session or the token).
ENDS_SIGN_IN = frozenset({"logout", "sign-out-everywhere", "api-token", "admin:logout"})
# Pages about the caller's own account that send them on to the next step.
SELF_REDIRECTS = frozenset(
    {
        "login",
        "logout",
        "admin:logout",
        "two-factor-verify",
        "sign-out-everywhere",
        "password_reset",
        "choose-language",
        "notifications-read",
        "notification-settings",
        "calendar-feed-new",
        "calendar-feed-revoke",
    }
)


class Clients:
    """A browser session and a bearer token of one persona, renewed after a sign-out."""

    def __init__(self, persona, api_by_session: bool = False) -> None:
        self.persona = persona
        self.api_by_session = api_by_session
        self.renew()

    def renew(self) -> None:
        from django.test import Client

        self.persona.refresh_from_db()  # sign-out-everywhere changed the session hash
        self.browser = Client()
        self.browser.force_login(self.persona)
        raw, key_hash = ApiToken.new_key()
        ApiToken.objects.create(
            user=self.persona,
            key_hash=key_hash,
            expires_at=timezone.now() + timezone.timedelta(hours=1),
        )
        self.api = APIClient()
        self.api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")

    def for_url(self, url: str):
        if url.startswith("/api/") and not self.api_by_session:
            return self.api
        return self.browser


def sweep(persona, samples: Samples, *, api_by_session: bool = False) -> list[str]:
    """What `persona` could read or write of the family, route by route. `api_by_session`
    calls the API with the browser session instead of a bearer token."""
    problems: list[str] = []
    clients = Clients(persona, api_by_session)
    for route in all_routes():
        url = url_of(route, samples, [])
        if url is None:
            continue
        entry = ROUTES.get(route.name, Route())
        writable = ALWAYS_WRITABLE | entry.may_write
        methods = ADMIN_METHODS if route.admin else METHODS
        for method in (m for m in methods if m not in refused_by_code(route)):
            connection.queries_log.clear()  # it keeps 9000 queries: a full log would hide writes
            with CaptureQueriesContext(connection) as queries:
                response = getattr(clients.for_url(url), method)(url)
            if route.name in ENDS_SIGN_IN:
                clients.renew()
            where = f"{method.upper()} {url}"
            written = {
                table
                for query in queries.captured_queries
                if (table := _written_table(query["sql"])) and table not in writable
            }
            if written:
                problems.append(f"{where}: wrote to {sorted(written)}")
            status = response.status_code
            if status in (401, 403, 404, 405) or status in entry.own_status:
                continue
            if status in (301, 302, 303):
                location = response.get("Location", "")
                if location.startswith(LOGIN_PATHS):
                    continue  # its ?next= is the address asked for, not something shown
                if route.name not in SELF_REDIRECTS:
                    problems.append(f"{where}: redirected to {location}")
                _check_markers(where, location, samples, problems)
                continue
            if status == 200 or (status == 400 and entry.may_refuse_input):
                _check_markers(where, _body_of(response), samples, problems)
                continue
            problems.append(f"{where}: answered {status}")
    return problems


def _written_table(sql: str) -> str | None:
    match = re.match(r'\s*(?:INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)"?', sql, re.IGNORECASE)
    return match.group(1) if match else None


def _body_of(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def _check_markers(where: str, text: str, samples: Samples, problems: list[str]) -> None:
    shown = [marker for marker in samples.markers if marker in text]
    if shown:
        problems.append(f"{where}: showed {shown}")


# Each of the two persona sweeps below runs in SWEEP_SHARES parts (every SWEEP_SHARES-th persona
# from `share` on), so that the test workers share them instead of one worker taking minutes.
SWEEP_SHARES = 4


@pytest.mark.parametrize("share", range(SWEEP_SHARES))
def test_no_persona_of_another_site_reads_or_writes_anything_of_the_family(
    samples, other_site, share
):
    problems = []
    personas = list(personas_of_another_site(other_site).items())
    assert len(personas) >= SWEEP_SHARES  # every share sweeps someone
    for label, persona in personas[share::SWEEP_SHARES]:
        problems += [f"{label}: {problem}" for problem in sweep(persona, samples)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("share", range(SWEEP_SHARES))
def test_no_off_team_persona_reads_or_writes_anything_of_the_family(samples, site, family, share):
    problems = []
    personas = list(off_team_personas(site, family).items())
    assert len(personas) >= SWEEP_SHARES
    for label, persona in personas[share::SWEEP_SHARES]:
        problems += [f"{label}: {problem}" for problem in sweep(persona, samples)]
    assert not problems, "\n".join(problems)


def test_a_sealed_case_is_closed_to_its_own_team_the_court_and_the_coordinators(
    samples, site, family, coordinator, caseworker, judge
):
    """Sealed (past its retention period): every route, page, API list and detail, search,
    drill-down, calendar feed, CSV and PDF is as closed to the family's own team, the site's
    Community Coordinators and its judges as to an outsider. Only the site's admins see it
    (tests/test_case_closing.py)."""
    Case.objects.filter(pk=family.pk).update(closed_on="2026-03-10", sealed_at=timezone.now())
    # the caseworker's own notification (not the family's: its page is theirs to open)
    Notification.objects.filter(pk=samples.notification).delete()
    other_coordinator = f.site_member(
        site, Role.COMMUNITY_COORDINATOR, email="cc2@north.example.org"
    )
    parent = f.site_member(site, Role.PARENT, email="parent@north.example.org")
    TeamMember.objects.create(case=family, user=parent, role=Role.PARENT, person=family.test_parent)
    problems = []
    people = {
        "coordinator": coordinator,
        "caseworker": caseworker,
        "judge": judge,
        "another coordinator of the site": other_coordinator,
        "parent": parent,
    }
    for label, persona in people.items():
        problems += [f"{label}: {problem}" for problem in sweep(persona, samples)]
    assert not problems, "\n".join(problems)


def test_the_methods_the_sweep_skips_are_refused_to_the_familys_own_team(samples, caseworker):
    """What refused_by_code reads off the views holds: every method the persona sweeps skip
    is refused to the family's own caseworker, who passes every check of who may ask (a 405; a
    403 from a DRF route whose permission check comes first; the sign-in for a page the bearer
    token does not sign in to), and writes nothing."""
    clients = Clients(caseworker)
    asked, wrong = 0, []
    for route in all_routes():
        url = url_of(route, samples, [])
        if url is None or route.admin:
            continue
        for method in sorted(refused_by_code(route)):
            with CaptureQueriesContext(connection) as queries:
                response = getattr(clients.for_url(url), method)(url)
            if route.name in ENDS_SIGN_IN:
                clients.renew()
            asked += 1
            written = {_written_table(query["sql"]) for query in queries.captured_queries}
            status = response.status_code
            refused = status == 405 or (
                status in (401, 403) and hasattr(route.callback, "cls")  # DRF: who, then what
            )
            if status in (301, 302, 303) and response["Location"].startswith(LOGIN_PATHS):
                refused = True  # the bearer token does not sign in a page such as the API docs
            if not refused or written - {None, *ALWAYS_WRITABLE}:
                wrong.append(f"{method.upper()} {url}: {status}, wrote {written}")
    assert asked > len(all_routes())  # the reading found the views' refusals
    assert not wrong, "\n".join(wrong)


def test_the_sweep_notices_a_page_that_shows_the_family(samples, site, family, caseworker):
    """The sweep can fail: the family's own caseworker is reported on the case page."""
    problems = sweep(caseworker, samples)
    assert any(problem.startswith(f"GET /cases/{samples.case}/:") for problem in problems)
