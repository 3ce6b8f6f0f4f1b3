"""`manage.py seed_demo` (INTERFACES.md): the demo site, its logins and its families."""

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import override_settings

from assessments.models import Screening, Service
from cases.access import cases_visible_to
from cases.models import (
    Case,
    CaseTransfer,
    Child,
    Consent,
    Episode,
    Hearing,
    MaltreatmentReport,
    PermanencyPlan,
    Person,
    Placement,
    Relationship,
    TeamMember,
    TribeNotice,
)
from familytime.models import Visit
from safebabies import codes
from safebabies.audit.models import AuditEvent
from safebabies.identity.models import Site, SiteMembership, User
from safebabies.identity.roles import TEAM_ROLES, Role
from safebabies.lib.dates import add_months
from teams.models import Ftm, FtmActionItem

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)  # a Monday; 09:00 in America/Chicago
TODAY = dt.date(2026, 11, 23)
MODELS = (
    Site,
    User,
    SiteMembership,
    Case,
    Child,
    Person,
    Relationship,
    TeamMember,
    TribeNotice,
    CaseTransfer,
    Episode,
    Placement,
    PermanencyPlan,
    Hearing,
    MaltreatmentReport,
    Consent,
    Ftm,
    FtmActionItem,
    Visit,
    Screening,
    Service,
)


def seed(now: dt.datetime = NOW) -> str:
    out = StringIO()
    with time_machine.travel(now, tick=False):
        call_command("seed_demo", stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, list]:
    """Every demo row with its change time: equal snapshots mean nothing was written."""
    state: dict[str, list] = {}
    for model in MODELS:
        fields = ["pk"] + [f for f in ("updated_at",) if hasattr(model, f)]
        state[model.__name__] = sorted(model.objects.values_list(*fields))
    return state


def demo_user(key: str) -> User:
    return User.objects.get(email=f"{key}@demo.safebabies.test")


def test_seed_demo_creates_the_demo_site():
    seed()
    site = Site.objects.get(slug="demo")
    assert site.name == "Demo County Safe Babies Court Team"
    assert site.timezone == "America/Chicago"
    assert Case.objects.filter(site=site).count() == 13


def test_seed_demo_creates_a_login_for_every_role():
    output = seed()
    site = Site.objects.get(slug="demo")
    for role in Role:
        user = demo_user(role.value)
        assert user.check_password("safe-babies-demo")
        assert user.is_active
        assert SiteMembership.objects.filter(
            user=user, site=site, role=role, is_active=True
        ).exists()
        assert user.email in output
    second = demo_user("caseworker2")
    assert second.check_password("safe-babies-demo")
    assert SiteMembership.objects.filter(user=second, site=site, role=Role.CASEWORKER).exists()
    assert "safe-babies-demo" in output


def test_only_the_site_admin_may_open_the_django_admin():
    seed()
    staff = set(User.objects.filter(is_staff=True).values_list("email", flat=True))
    assert staff == {"site_admin@demo.safebabies.test"}


def test_seed_demo_twice_changes_nothing():
    seed()
    before = snapshot()
    output = seed(NOW + dt.timedelta(hours=1))
    assert snapshot() == before
    assert "0 records created, 0 updated" in output


def test_seed_demo_leaves_one_audit_event_per_run_that_changed_something():
    seed()
    seed(NOW + dt.timedelta(hours=1))
    event = AuditEvent.objects.get()
    assert event.action == AuditEvent.Action.IMPORT
    assert event.site == Site.objects.get(slug="demo")
    assert event.detail["source"] == "seed_demo" and event.detail["created"] > 800


def test_seed_demo_on_a_later_day_moves_the_demo_forward():
    seed()
    later = NOW + dt.timedelta(days=10)
    seed(later)
    episode = Episode.objects.get(id="demo-ep-rivera-derrick")
    assert episode.removal_date == TODAY + dt.timedelta(days=10) - dt.timedelta(days=91)
    assert episode.placements.get().start_date == episode.removal_date
    closed = Episode.objects.get(id="demo-ep-nguyen-lily")
    assert closed.discharge_date == TODAY + dt.timedelta(days=10) - dt.timedelta(days=100)
    assert [p.end_date for p in closed.placements.all()][-1] == closed.discharge_date
    upcoming = Hearing.objects.filter(case_id="demo-case-rivera", status="scheduled").get()
    assert upcoming.scheduled_on > TODAY + dt.timedelta(days=10)
    before = snapshot()
    seed(later)
    assert snapshot() == before


@pytest.mark.parametrize("days", [200, -200])
def test_a_child_who_came_back_into_care_keeps_both_removals_when_the_demo_moves(days):
    seed()
    seed(NOW + dt.timedelta(days=days))
    earlier, later = Episode.objects.filter(child_id="demo-child-harper-mason").order_by(
        "removal_date"
    )
    assert earlier.removal_date == TODAY + dt.timedelta(days=days - 640)
    assert earlier.discharge_date == TODAY + dt.timedelta(days=days - 545)
    assert later.removal_date == TODAY + dt.timedelta(days=days - 455)


def test_seed_demo_after_the_clock_went_back_moves_the_demo_back():
    seed(NOW + dt.timedelta(days=40))
    seed()
    episode = Episode.objects.get(id="demo-ep-rivera-derrick")
    assert episode.removal_date == TODAY - dt.timedelta(days=91)
    assert episode.placements.get().start_date == episode.removal_date


def test_seed_family_is_the_family_of_seed_000_with_its_team():
    seed()
    case = Case.objects.get(id="demo-case-rivera")
    derrick = case.children.get()
    assert derrick.given_name == "Derrick"
    assert add_months(derrick.birth_date, 26) <= TODAY < add_months(derrick.birth_date, 27)
    jaime = case.people.get(given_name="Jaime")
    dorothy = case.people.get(given_name="Dorothy")
    assert jaime.kind == Person.Kind.PARENT
    assert Relationship.objects.get(person=jaime, child=derrick).kind == Relationship.Kind.MOTHER
    assert dorothy.kind == Person.Kind.RESOURCE_PARENT
    placement = Placement.objects.get(episode__child=derrick)
    assert placement.caregiver == dorothy
    assert placement.setting == codes.PlacementSetting.NONRELATIVE_FOSTER
    episode = placement.episode
    assert (TODAY - episode.removal_date).days == 91  # removed three months ago
    team = {(m.user.email.split("@")[0], m.role) for m in case.team_members.select_related("user")}
    assert team == {
        ("community_coordinator", Role.COMMUNITY_COORDINATOR),
        ("caseworker", Role.CASEWORKER),
        ("clinician", Role.CLINICIAN),
        ("parent_attorney", Role.PARENT_ATTORNEY),
        ("child_attorney", Role.CHILD_ATTORNEY),
        ("gal_casa", Role.GAL_CASA),
        ("parent_mentor", Role.PARENT_MENTOR),
        ("parent", Role.PARENT),  # Jaime's own account
    }
    assert case.team_members.get(role=Role.PARENT).person == jaime


def test_a_caseworker_sees_only_their_families():
    seed()
    first = set(cases_visible_to(demo_user("caseworker")).values_list("id", flat=True))
    second = set(cases_visible_to(demo_user("caseworker2")).values_list("id", flat=True))
    everyone = set(
        cases_visible_to(demo_user("community_coordinator")).values_list("id", flat=True)
    )
    assert "demo-case-rivera" in first
    assert first and second and not first & second
    assert first | second == everyone == set(Case.objects.values_list("id", flat=True))
    assert not cases_visible_to(demo_user("site_implementation")).exists()


def test_every_child_is_under_three_at_enrolment_with_a_concurrent_goal_from_day_one():
    seed()
    for child in Child.objects.all():
        assert add_months(child.birth_date, 36) > child.enrolled_on, child.id
    # one removal each (the latest: a child who came back into care has an earlier one too)
    episodes = Episode.objects.select_related("child").exclude(id__endswith="-earlier")
    assert episodes.count() == Child.objects.exclude(case__enrollment="in_home").count()
    for episode in episodes:
        first = PermanencyPlan.objects.filter(child=episode.child).earliest()
        assert first.effective_date == episode.removal_date
        assert first.concurrent_goal and first.concurrent_goal != first.primary_goal


def test_open_cases_have_a_hearing_with_the_judge_and_an_ftm_coming_up():
    seed()
    judge = demo_user("judge")
    assert set(Hearing.objects.values_list("judge", flat=True)) == {judge.id}
    for case in Case.objects.filter(closed_on__isnull=True):
        upcoming = case.hearings.filter(status="scheduled").get()
        assert TODAY < upcoming.scheduled_on <= TODAY + dt.timedelta(days=14), case.id
        assert upcoming.scheduled_on.weekday() < 5
        assert case.ftms.filter(status="scheduled", scheduled_on__gte=TODAY).count() == 1
    for case in Case.objects.filter(closed_on__isnull=False):
        assert not case.hearings.filter(scheduled_on__gte=TODAY).exists()
        assert not case.ftms.filter(status="scheduled").exists()


def test_the_demo_covers_the_stages_of_a_case():
    seed()
    assert Case.objects.filter(enrollment="in_home").exists()
    assert Case.objects.filter(closed_on__isnull=False).count() >= 3
    assert Child.objects.values("case").distinct().count() < Child.objects.count()  # siblings
    assert Child.objects.filter(icwa=codes.Icwa.REASON_TO_KNOW).exists()
    assert Person.objects.filter(preferred_language="Spanish").exists()
    removed_this_week = Episode.objects.filter(removal_date__gt=TODAY - dt.timedelta(days=7))
    assert removed_this_week.exists()
    assert Placement.objects.filter(setting=codes.PlacementSetting.TRIAL_HOME_VISIT).exists()
    respite = Placement.objects.get(
        setting=codes.PlacementSetting.RESPITE, episode__child__given_name="Santiago"
    )
    assert (respite.end_date - respite.start_date).days == 2 and respite.end_reason
    reentered = Episode.objects.filter(id__endswith="-earlier").values("child")
    assert Episode.objects.filter(child__in=reentered, discharge_date__isnull=True).exists()
    moved = Placement.objects.exclude(end_date=None).exclude(end_reason="")
    assert moved.exclude(setting=codes.PlacementSetting.TRIAL_HOME_VISIT).exists()
    changed = PermanencyPlan.objects.exclude(reason="")
    assert changed.filter(primary_goal=codes.PermanencyGoal.ADOPTION).exists()
    assert set(
        Episode.objects.exclude(discharge_reason="").values_list("discharge_reason", flat=True)
    ) >= {
        "reunification",
        "guardianship",
    }
    assert MaltreatmentReport.objects.count() >= 2
    assert Consent.objects.filter(category=Consent.Category.SUBSTANCE_USE_TREATMENT).exists()


def test_family_time_over_recent_weeks_has_every_outcome():
    seed()
    recent = Visit.objects.filter(scheduled_on__gte=TODAY - dt.timedelta(days=28))
    statuses = set(recent.values_list("status", flat=True))
    assert statuses == {"held", "cancelled", "no_show", "scheduled"}
    assert not Visit.objects.filter(status="cancelled", cancelled_by="").exists()
    assert not Visit.objects.filter(status="held").exclude(scheduled_on__lt=TODAY).exists()


def test_held_ftms_have_action_items_and_notes():
    seed()
    held = Ftm.objects.filter(status="held")
    assert held.exists()
    assert not held.filter(action_items__isnull=True).exists()
    assert not held.filter(notes="").exists()
    assert not Ftm.objects.filter(attendee_roles__contains=[Role.JUDGE]).exists()
    statuses = set(FtmActionItem.objects.values_list("status", flat=True))
    assert statuses == {"open", "done", "dropped"}
    team_roles = set(TEAM_ROLES)
    for item in FtmActionItem.objects.exclude(owner=None).select_related("ftm"):
        assert item.owner_role in team_roles
        assert TeamMember.objects.filter(case_id=item.ftm.case_id, user=item.owner).exists()


def test_seed_demo_refuses_to_run_in_production_without_the_flag():
    with override_settings(DJANGO_ENV="production"), pytest.raises(CommandError):
        call_command("seed_demo", stdout=StringIO())
    assert not Site.objects.filter(slug="demo").exists()


def test_the_begay_family_shows_icwa_and_relatives_notice():
    from cases.icwa.selectors import icwa_flags

    seed()
    case = Case.objects.get(id="demo-case-begay")
    notice = TribeNotice.objects.get(child__case=case)
    assert (notice.tribe, notice.response_on) == ("Navajo Nation", None)
    assert notice.notice_sent_on is not None  # noticed, its answer pending
    relatives = dict(case.people.filter(kind="relative").values_list("given_name", "notified_on"))
    assert relatives["Alice"] is not None and relatives["Raymond"] is None
    flags = icwa_flags(case, TODAY)
    assert len(flags) == 1
    assert flags[0].startswith("Notice to relatives due") and "Raymond Yazzie" in flags[0]
    phones = set(case.team_members.values_list("phone", flat=True))
    assert "555-0100" in phones  # the coordinator's, on the team page


def test_the_demo_shows_a_transfer_that_east_county_decides(client):
    """The Walker family's case waits for East County (a second demo site); its coordinator
    reads the summary and accepts; the next demo run leaves the case with East County."""
    output = seed()
    east = Site.objects.get(slug="demo-east")
    transfer = CaseTransfer.objects.get(case_id="demo-case-walker")
    assert (transfer.from_site.slug, transfer.to_site, transfer.decision) == (
        "demo",
        east,
        "pending",
    )
    assert "east_coordinator@demo.safebabies.test" in output
    receiver = demo_user("east_coordinator")
    assert SiteMembership.objects.filter(
        user=receiver, site=east, role=Role.COMMUNITY_COORDINATOR, is_active=True
    ).exists()
    client.force_login(receiver)
    assert client.get("/cases/demo-case-walker/").status_code == 404  # a summary only
    page = client.get(f"/transfers/{transfer.pk}/").content.decode()
    assert "Walker family" in page and "moving to East County" in page
    assert client.post(f"/transfers/{transfer.pk}/", {"decision": "accept"}).status_code == 302
    assert client.get("/cases/demo-case-walker/").status_code == 200

    seed(NOW + dt.timedelta(hours=1))
    case = Case.objects.get(pk="demo-case-walker")
    assert case.site == east
    assert (
        not TeamMember.objects.filter(
            case=case, removed_at__isnull=True, user__email__endswith="@demo.safebabies.test"
        )
        .exclude(user=receiver)
        .exists()
    )
    assert CaseTransfer.objects.filter(case=case).count() == 1  # not asked again
    assert Case.objects.filter(site__slug="demo").count() == 12
    before = snapshot()
    seed(NOW + dt.timedelta(hours=2))
    assert snapshot() == before


def test_a_declined_demo_transfer_is_not_asked_again(client):
    seed()
    transfer = CaseTransfer.objects.get(case_id="demo-case-walker")
    client.force_login(demo_user("east_coordinator"))
    assert client.post(f"/transfers/{transfer.pk}/", {"decision": "decline"}).status_code == 302
    seed(NOW + dt.timedelta(hours=1))
    assert list(CaseTransfer.objects.values_list("decision", flat=True)) == ["declined"]
    assert Case.objects.get(pk="demo-case-walker").site.slug == "demo"
