"""The Active Community Team as a working body, the provider directory and providers' feedback
on referrals (issue 22 item 9), through the pages and the API as people use them. Who reads and
writes each kind, role by role, is the matrices' (tests/test_site_permission_matrix.py,
tests/test_permission_matrix.py); this file checks the behaviour behind them."""

import datetime as dt

import pytest
import time_machine

from community.measures import quarters_around
from community.models import (
    ActActionItem,
    ActMeeting,
    ActMember,
    ImprovementCycle,
    Provider,
    ReferralFeedback,
)
from cqi.selectors import MetricsScope, metrics_for
from safebabies.audit.models import AuditEvent
from safebabies.identity.models import User
from tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 11, 23, 18, 0, tzinfo=dt.UTC)  # noon in Chicago


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def parent_leader(site):
    return f.site_member(site, "parent_leader", email="leader@north.example.org")


def _provider(site, name, types, **kwargs):
    return Provider.objects.create(
        site=site, name=name, service_types=types, updated_on=dt.date(2026, 11, 1), **kwargs
    )


# --- Members, meetings, decisions, action items --------------------------------------------------


def test_a_meeting_posted_with_its_decisions_and_action_items_is_one_audited_write(
    api, coordinator, site
):
    member = ActMember.objects.create(
        site=site, name="Rosa", sector="early_childhood", joined_on=dt.date(2026, 1, 5)
    )
    api.force_authenticate(coordinator)
    response = api.post(
        "/api/v1/act-meetings/",
        {
            "held_on": "2026-11-16",
            "title": "Waitlists",
            "attendee_ids": [member.pk],
            "decisions": ["Ask the county for a second CPP clinician"],
            "action_items": [
                {"description": "Draft the letter", "owner_id": member.pk, "due_on": "2026-12-01"}
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["site"] == "north"  # the coordinator's one site, unnamed
    assert body["attendee_ids"] == [member.pk]
    assert [d["text"] for d in body["decisions"]] == ["Ask the county for a second CPP clinician"]
    assert body["action_items"][0]["owner_id"] == member.pk
    created = AuditEvent.objects.filter(action="create", site=site)
    assert sorted(created.values_list("record_type", flat=True)) == [
        "community.actactionitem",
        "community.actdecision",
        "community.actmeeting",
    ]


def test_a_meeting_refuses_another_sites_member_and_writes_nothing(
    api, coordinator, site, other_site
):
    stranger = ActMember.objects.create(
        site=other_site, name="Elsewhere", sector="court", joined_on=dt.date(2026, 1, 5)
    )
    api.force_authenticate(coordinator)
    response = api.post(
        "/api/v1/act-meetings/",
        {"held_on": "2026-11-16", "attendee_ids": [stranger.pk], "decisions": ["Nothing"]},
        format="json",
    )
    assert response.status_code == 400
    assert "attendee_ids" in response.json()
    assert not ActMeeting.objects.exists()


def test_a_member_needs_a_person_of_the_site_or_a_name(api, coordinator, site, outsider):
    api.force_authenticate(coordinator)
    base = {"sector": "community", "joined_on": "2026-11-01"}
    response = api.post("/api/v1/act-members/", base, format="json")
    assert response.status_code == 400 and "name" in response.json()
    # a person of another site is not a member who signs in here
    response = api.post(
        "/api/v1/act-members/", {**base, "user_email": outsider.email}, format="json"
    )
    assert response.status_code == 400 and "user_email" in response.json()
    response = api.post(
        "/api/v1/act-members/", {**base, "user_email": coordinator.email}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["user_email"] == coordinator.email
    bad_dates = {**base, "name": "Lee", "left_on": "2026-10-01"}
    response = api.post("/api/v1/act-members/", bad_dates, format="json")
    assert response.status_code == 400 and "left_on" in response.json()


def test_a_parent_leader_marks_their_own_action_item_done_and_no_one_elses(
    client_for, parent_leader, site
):
    own = ActMember.objects.create(
        site=site, user=parent_leader, sector="parent_leader", joined_on=dt.date(2026, 1, 5)
    )
    other = ActMember.objects.create(
        site=site, name="Judge Ortiz", sector="court", joined_on=dt.date(2026, 1, 5)
    )
    meeting = ActMeeting.objects.create(site=site, held_on=dt.date(2026, 11, 2))
    mine = ActActionItem.objects.create(meeting=meeting, description="Parent panel", owner=own)
    theirs = ActActionItem.objects.create(meeting=meeting, description="Order", owner=other)
    client = client_for(parent_leader)
    page = client.get(f"/act/meetings/{meeting.pk}/").content.decode()
    assert f"/act/items/{mine.pk}/done/" in page
    assert f"/act/items/{theirs.pk}/done/" not in page
    assert "Record the decision" not in page  # keepers only
    assert client.post(f"/act/items/{mine.pk}/done/").status_code == 302
    mine.refresh_from_db()
    assert mine.done_on == dt.date(2026, 11, 23)
    assert client.post(f"/act/items/{theirs.pk}/done/").status_code == 403
    theirs.refresh_from_db()
    assert theirs.done_on is None
    # the home page lists open items only
    home = client.get("/act/").content.decode()
    assert "Order" in home and "Parent panel" not in home


def test_a_decision_without_text_is_a_form_error_naming_the_field(client_for, coordinator, site):
    meeting = ActMeeting.objects.create(site=site, held_on=dt.date(2026, 11, 2))
    response = client_for(coordinator).post(f"/act/meetings/{meeting.pk}/decisions/", {"text": ""})
    assert response.status_code == 400
    assert "decision_form" in response.context
    assert "text" in response.context["decision_form"].errors
    assert not meeting.decisions.exists()


def test_the_act_home_shows_the_next_meeting_and_never_another_sites_rows(
    client_for, judge, site, other_site
):
    ActMeeting.objects.create(site=site, held_on=dt.date(2026, 12, 7), title="December ACT")
    ActMeeting.objects.create(site=site, held_on=dt.date(2026, 9, 7), title="September ACT")
    ActMeeting.objects.create(site=other_site, held_on=dt.date(2026, 12, 1), title="South ACT")
    page = client_for(judge).get("/act/").content.decode()
    assert "December ACT" in page.split("Past meetings")[0]
    assert "September ACT" in page
    assert "South ACT" not in page
    assert client_for(judge).get("/act/?site=south").status_code == 404


# --- Improvement cycles and their measure's trend -------------------------------------------------


def test_the_quarters_around_a_cycle_are_three_before_and_those_since_to_today():
    rows = quarters_around(dt.date(2026, 7, 15), dt.date(2026, 11, 23))
    assert [(start.isoformat(), end.isoformat(), since) for start, end, since in rows] == [
        ("2025-10-01", "2025-12-31", False),
        ("2026-01-01", "2026-03-31", False),
        ("2026-04-01", "2026-06-30", False),
        ("2026-07-01", "2026-09-30", True),
        ("2026-10-01", "2026-11-23", True),
    ]


@pytest.mark.parametrize("viewer", ["coordinator", "sit_member"])
def test_a_cycles_trend_is_the_dashboards_figure_for_each_quarter(
    client_for, site, family, viewer, request
):
    """The page's figures are those the CQI dashboard gives the same viewer for the same
    periods: exact for the coordinator, small counts hidden for the Site Implementation Team."""
    user = request.getfixturevalue(viewer)
    f.ScreeningFactory(case=family, child=family.test_child, screened_on=dt.date(2026, 3, 20))
    cycle = ImprovementCycle.objects.create(
        site=site,
        title="Screen every baby",
        metric="developmental_screening_within_30_days",
        started_on=dt.date(2026, 7, 1),
    )
    response = client_for(user).get(f"/act/cycles/{cycle.pk}/")
    assert response.status_code == 200
    quarters = response.context["before"] + response.context["since"]
    assert len(quarters) == 5
    scope = MetricsScope("north", [site], aggregate_only=viewer == "sit_member")
    for quarter in quarters:
        figure = metrics_for(scope, quarter.start, quarter.end)[cycle.metric]
        shown = "hidden" if figure["value"] is None and figure["denominator"] == "<5" else None
        assert quarter.value == (shown or figure["value"]), quarter
        assert quarter.denominator == figure["denominator"]
    first_quarter = quarters[1]  # 2026 Q1: the child's removal, screened within 30 days
    page = response.content.decode()
    if viewer == "coordinator":
        assert first_quarter.value == 1.0 and "100.0%" in page
        assert "<svg" in page and response.context["chart"].bars[1].height > 0
    else:
        assert first_quarter.value == "hidden" and "fewer than 5" in page


def test_a_cycle_aims_at_a_real_measure(api, coordinator):
    api.force_authenticate(coordinator)
    body = {"title": "Faster", "metric": "made_up_measure", "started_on": "2026-10-01"}
    response = api.post("/api/v1/improvement-cycles/", body, format="json")
    assert response.status_code == 400 and "metric" in response.json()
    body["metric"] = "coordinator_caseload"  # a list of coordinators, not one figure
    response = api.post("/api/v1/improvement-cycles/", body, format="json")
    assert response.status_code == 400 and "metric" in response.json()
    body["metric"] = "median_days_to_first_family_time"
    response = api.post("/api/v1/improvement-cycles/", body, format="json")
    assert response.status_code == 201
    assert response.json()["stage"] == "plan"


# --- The provider directory and the referral form -------------------------------------------------


def test_the_referral_form_offers_the_sites_providers_with_their_availability(
    client_for, caseworker, family, site, other_site
):
    _provider(site, "Bright Beginnings", ["parenting"], waitlist_weeks=3)
    _provider(site, "Harbor Housing", ["housing"], accepting_referrals=False)
    _provider(site, "Little Steps", ["early_intervention"])
    _provider(other_site, "Southside Therapy", ["mental_health"])
    page = client_for(caseworker).get(f"/cases/{family.pk}/plan/services/new/").content.decode()
    assert 'list="provider-directory"' in page
    assert '<option value="Bright Beginnings">Parenting · 3-week waitlist</option>' in page
    assert "Harbor Housing" in page and "not accepting referrals" in page
    assert "Early Intervention (IDEA Part C) · no wait" in page
    assert "Southside Therapy" not in page
    # the coordinator may still type a provider that is not in the directory
    response = client_for(caseworker).post(
        f"/cases/{family.pk}/plan/services/new/",
        {
            "service_type": "parenting",
            "recipient": "parent",
            "person": family.test_parent.pk,
            "provider": "Grandma's church group",
            "referred_on": "2026-11-20",
            "status": "referred",
        },
    )
    assert response.status_code == 302
    assert family.services.get().provider == "Grandma's church group"


def test_a_provider_change_confirms_its_availability_today(api, site_admin, site):
    provider = _provider(site, "Bright Beginnings", ["parenting"], waitlist_weeks=3)
    api.force_authenticate(site_admin)
    response = api.patch(
        f"/api/v1/providers/{provider.pk}/",
        {"waitlist_weeks": 0, "languages": "English, Spanish"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["updated_on"] == "2026-11-23"
    assert response.json()["waitlist_weeks"] == 0
    event = AuditEvent.objects.get(action="update", record_id=provider.pk)
    assert event.detail == {"fields": ["languages", "updated_on", "waitlist_weeks"]}
    response = api.patch(
        f"/api/v1/providers/{provider.pk}/", {"waitlist_weeks": 500}, format="json"
    )
    assert response.status_code == 400 and "waitlist_weeks" in response.json()


def test_the_directory_filters_by_service_type(client_for, clinician, site):
    _provider(site, "Bright Beginnings", ["parenting", "child_parent_psychotherapy"])
    _provider(site, "Harbor Housing", ["housing"])
    page = client_for(clinician).get("/providers/?service_type=housing").content.decode()
    assert "Harbor Housing" in page and "Bright Beginnings" not in page


def test_another_sites_coordinator_cannot_add_to_this_sites_directory(api, outsider, site):
    api.force_authenticate(outsider)
    body = {"site": "north", "name": "Intruder", "service_types": ["housing"]}
    response = api.post("/api/v1/providers/", body, format="json")
    assert response.status_code == 400 and "site" in response.json()
    assert not Provider.objects.exists()


# --- Providers' feedback on a referral ----------------------------------------------------------


def test_the_coordinator_records_what_the_provider_said(client_for, coordinator, family):
    service = f.ServiceFactory(case=family, referred_on=dt.date(2026, 11, 2))
    url = f"/cases/{family.pk}/plan/services/{service.pk}/feedback/"
    client = client_for(coordinator)
    response = client.post(
        url, {"received_on": "2026-11-20", "status": "waitlisted", "note": "About six weeks."}
    )
    assert response.status_code == 302
    feedback = ReferralFeedback.objects.get()
    assert (feedback.status, feedback.recorded_by) == ("waitlisted", coordinator)
    assert AuditEvent.objects.filter(
        action="create", record_id=feedback.pk, case_id=family.pk
    ).exists()
    page = client.get(url).content.decode()
    assert "Waitlisted" in page and "About six weeks." in page
    # before the referral, in the future, an unknown status: refused, nothing written
    for bad, field in (
        ({"received_on": "2026-10-01", "status": "received"}, "received_on"),
        ({"received_on": "2026-12-01", "status": "received"}, "received_on"),
        ({"received_on": "2026-11-20", "status": "lost"}, "status"),
    ):
        response = client.post(url, bad)
        assert response.status_code == 400
        assert field in response.context["form"].errors
    assert ReferralFeedback.objects.count() == 1


def test_feedback_through_the_api_names_a_service_the_caller_sees(
    api, caseworker, family, outsider
):
    service = f.ServiceFactory(case=family, referred_on=dt.date(2026, 11, 2))
    body = {"service_id": service.pk, "received_on": "2026-11-20", "status": "received"}
    api.force_authenticate(outsider)
    response = api.post("/api/v1/referral-feedback/", body, format="json")
    assert response.status_code == 400 and "service_id" in response.json()
    api.force_authenticate(caseworker)
    response = api.post("/api/v1/referral-feedback/", body, format="json")
    assert response.status_code == 201
    assert response.json()["case_id"] == family.pk
    listed = api.get(f"/api/v1/referral-feedback/?case={family.pk}").json()["results"]
    assert [row["status"] for row in listed] == ["received"]


# --- The demo -------------------------------------------------------------------------------------


def test_the_demo_site_shows_its_act_directory_and_the_riveras_feedback(client):
    from io import StringIO

    from django.core.management import call_command

    call_command("seed_demo", stdout=StringIO())
    leader = User.objects.get(email="parent_leader@demo.safebabies.test")
    client.force_login(leader)
    home = client.get("/act/").content.decode()
    assert "Keisha Brown" in home and "Maria Gomez" in home
    assert "Bring the waitlist figures" in home  # the parent leader's open item
    meeting = ActMeeting.objects.get(pk="demo-act-meeting-1")
    assert meeting.decisions.count() == 1 and meeting.action_items.count() == 2
    cycle = client.get("/act/cycles/demo-act-cycle-1/")
    assert cycle.status_code == 200 and len(cycle.context["since"]) >= 1
    assert Provider.objects.filter(site__slug="demo").count() == 5
    feedback = ReferralFeedback.objects.get(pk="demo-feedback-rivera-1")
    assert feedback.service.case_id == "demo-case-rivera"
    # the parent leader reads no family's record, the feedback included
    assert client.get(f"/api/v1/referral-feedback/{feedback.pk}/").status_code == 404
    # a second run changes nothing of it
    before = sorted(ActMember.objects.values_list("pk", "updated_at"))
    call_command("seed_demo", stdout=StringIO())
    assert sorted(ActMember.objects.values_list("pk", "updated_at")) == before


def test_the_menu_offers_the_act_to_its_readers_only(client_for, parent_leader, site, family):
    page = client_for(parent_leader).get("/act/").content.decode()
    assert 'href="/act/"' in page and 'href="/providers/"' in page
    parent = f.site_member(site, "parent", email="parent@north.example.org")
    f.TeamMemberFactory(case=family, user=parent, role="parent", person=family.test_parent)
    home = client_for(parent).get("/").content.decode()
    assert 'href="/act/"' not in home
    assert client_for(parent).get("/act/").status_code == 404
