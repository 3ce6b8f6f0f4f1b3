"""Holes a white-box review of the newest features found, each confirmed with real requests
before its fix (SECURITY.md): a parent's search spelling out the names in their case, API
searches left off the trail, another parent's steps and family time reaching a parent, a
release of information following a case to another site, the sending site's judge still
reminded after a transfer, a page number past the database's range, cursors on the trail,
and unaudited reads of transfers and the retention page."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from cases.closing import services as closing
from cases.models import Consent, Hearing, Person, Relationship
from familytime.models import FamilyTimePlan, Visit
from safebabies import codes
from safebabies.audit.models import AuditEvent
from safebabies.identity.roles import Role
from safebabies.notify import reminders
from teams.models import Ftm, FtmActionItem
from tests import factories as f

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 23, 18, 0, tzinfo=dt.UTC)  # noon at the site, a Monday


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def shared(site, family, coordinator):
    """A case two parents share, with a resource family and a sibling the parent may not
    read; Jaime signs in as the first parent."""
    jaime = f.site_member(site, Role.PARENT, email="jaime@example.org")
    mine = family.test_parent
    mine.email = "dorothy@example.org"
    mine.save()
    Relationship.objects.create(person=mine, child=family.test_child, kind=Relationship.Kind.MOTHER)
    other = f.PersonFactory(
        case=family,
        kind=Person.Kind.PARENT,
        given_name="Marcus",
        family_name="Zeller",
        email="marcus@example.org",
    )
    Relationship.objects.create(
        person=other, child=family.test_child, kind=Relationship.Kind.FATHER
    )
    f.PersonFactory(
        case=family,
        kind=Person.Kind.RESOURCE_PARENT,
        given_name="Dorothy",
        family_name="Whitaker",
    )
    f.ChildFactory(case=family, given_name="Sib", docket_number="JD-SECRET-77")
    response = api(coordinator).post(
        f"/api/v1/cases/{family.pk}/team-members/",
        {"email": jaime.email, "role": "parent", "person_id": mine.pk},
        format="json",
    )
    assert response.status_code == 201, response.content
    return {"jaime": jaime, "mine": mine, "other": other}


def test_a_parents_search_finds_nothing_by_the_names_in_their_case(shared, coordinator):
    parent = api(shared["jaime"])
    for word in ("Whitaker", "Zeller", "JD-SECRET-77", "WHI"):
        response = parent.get("/api/v1/cases/", {"q": word})
        assert response.status_code == 200
        assert response.json()["count"] == 0, word
    # the team still finds the family by any of them
    assert api(coordinator).get("/api/v1/cases/", {"q": "Whitaker"}).json()["count"] == 1


def test_a_parent_who_coordinates_another_site_finds_its_families_not_her_own_cases_names(
    shared, other_site, coordinator
):
    """Two roles: Jaime is a parent here and the Community Coordinator of another site. Her
    search reaches the families she coordinates, and still none by the names in her own case
    (cases.access.opened_as_professional narrows the search for anyone who reads a case as a
    parent, whatever else they hold)."""
    jaime = shared["jaime"]
    f.MembershipFactory(user=jaime, site=other_site, role=Role.COMMUNITY_COORDINATOR)
    there = f.CaseFactory(site=other_site, name="Whitaker family")
    found = api(jaime).get("/api/v1/cases/", {"q": "Whitaker"}).json()
    assert found["count"] == 1
    assert [row["id"] for row in found["results"]] == [there.pk]
    for word in ("Zeller", "JD-SECRET-77"):
        assert api(jaime).get("/api/v1/cases/", {"q": word}).json()["count"] == 0, word
    # the family's own team finds both Whitakers' families where it may: its own
    assert api(coordinator).get("/api/v1/cases/", {"q": "Whitaker"}).json()["count"] == 1


def test_an_api_search_is_a_search_event_with_the_words(shared, coordinator, site):
    api(coordinator).get("/api/v1/cases/", {"q": "Whitaker"})
    search = AuditEvent.objects.get(action=AuditEvent.Action.SEARCH)
    assert search.detail == {"q": "Whitaker"}
    assert search.site_id == site.pk and search.actor_id == coordinator.pk


def test_a_parents_family_copy_leaves_out_the_other_parents_steps(shared, family):
    held = Ftm.objects.create(
        case=family, scheduled_on=dt.date(2026, 10, 30), status=codes.FtmStatus.HELD
    )
    due = dt.date(2026, 11, 30)
    FtmActionItem.objects.create(
        ftm=held, description="Attend clinic intake", due_on=due, owner_person=shared["other"]
    )
    FtmActionItem.objects.create(
        ftm=held, description="My own step", due_on=due, owner_person=shared["mine"]
    )
    FtmActionItem.objects.create(ftm=held, description="Book the class", due_on=due)
    body = browser(shared["jaime"]).get(f"/ftms/{held.pk}/family/").content.decode()
    assert "My own step" in body and "Book the class" in body
    assert "clinic intake" not in body and "Zeller" not in body


@pytest.fixture
def other_parents_visit(shared, family):
    plan = FamilyTimePlan.objects.create(
        child=family.test_child,
        parent=shared["other"],
        effective_from=dt.date(2026, 11, 1),
        visits_per_week=Decimal("2"),
        supervision=codes.Supervision.SUPERVISED,
    )
    return Visit.objects.create(
        child=family.test_child,
        plan=plan,
        scheduled_on=dt.date(2026, 11, 24),
        starts_at=dt.time(15, 0),
        supervision=plan.supervision,
        location=codes.VisitLocation.AGENCY,
    )


def test_a_parent_neither_reads_nor_is_reminded_of_the_other_parents_family_time(
    shared, other_parents_visit, site
):
    visits = api(shared["jaime"]).get("/api/v1/family-time/").json()["results"]
    assert [v["id"] for v in visits] == []
    assert other_parents_visit.pk not in browser(shared["jaime"]).get("/").content.decode()
    local = dt.datetime(2026, 11, 23, 10, 0, tzinfo=site.tz)
    told = {r.email for _message, r in reminders.family_reminders(site, local)}
    assert "marcus@example.org" in told and "dorothy@example.org" not in told


def test_the_releases_of_a_case_end_when_another_site_accepts_it(
    family, coordinator, site_admin, other_site
):
    service, _screening = f.part2_records(family)
    release = f.ConsentFactory(
        case=family,
        person=family.test_parent,
        recipient_role="caseworker",
        recorded_by=coordinator,
        confirmed_by=site_admin,
    )
    receiving = f.site_member(other_site, Role.COMMUNITY_COORDINATOR, email="cc2@example.org")
    their_caseworker = f.site_member(other_site, Role.CASEWORKER, email="cw2@example.org")
    transfer = closing.transfer_request(actor=coordinator, case=family, to_site=other_site)
    closing.transfer_decide(actor=receiving, transfer=transfer, accept=True)
    response = api(receiving).post(
        f"/api/v1/cases/{family.pk}/team-members/",
        {"email": their_caseworker.email, "role": "caseworker"},
        format="json",
    )
    assert response.status_code == 201, response.content
    services = api(their_caseworker).get("/api/v1/services/").json()["results"]
    assert service.pk not in [s["id"] for s in services]
    release.refresh_from_db()
    assert release.revoked_on == NOW.date()
    assert AuditEvent.objects.filter(
        record_type="cases.consent", record_id=release.pk, detail__reason="case transferred"
    ).exists()
    assert Consent.objects.filter(pk=release.pk).exists()  # ended, not deleted


def test_the_sending_sites_judge_is_not_reminded_after_a_transfer(
    family, coordinator, judge, other_site
):
    Hearing.objects.create(
        case=family, hearing_type="review", scheduled_on=dt.date(2026, 11, 25), judge=judge
    )
    receiving = f.site_member(other_site, Role.COMMUNITY_COORDINATOR, email="cc2@example.org")
    transfer = closing.transfer_request(actor=coordinator, case=family, to_site=other_site)
    closing.transfer_decide(actor=receiving, transfer=transfer, accept=True)
    local = dt.datetime(2026, 11, 23, 17, 0, tzinfo=other_site.tz)
    told = {r.key for _message, r in reminders.hearing_reminders(other_site, local)}
    assert f"user:{judge.pk}" not in told


def test_a_page_number_past_any_list_is_a_404_not_a_500(coordinator, family):
    response = api(coordinator).get("/api/v1/cases/", {"page": "99999999999999999999999"})
    assert response.status_code == 404


def test_the_trail_says_a_cursor_was_followed_not_what_it_held(shared, coordinator, family):
    for number in range(3):
        f.PersonFactory(case=family, kind=Person.Kind.SUPPORT, given_name=f"Aunt{number}")
    client = api(coordinator)
    following = client.get("/api/v1/people/", {"page_size": 1}).json()["next"]
    assert client.get(following).status_code == 200
    listed = AuditEvent.objects.filter(action=AuditEvent.Action.LIST).order_by("-id").first()
    assert listed.detail["filter"] == {"cursor": True}


def test_reading_transfers_and_the_retention_page_is_on_the_trail(
    family, coordinator, site_admin, site, other_site
):
    receiving = f.site_member(other_site, Role.COMMUNITY_COORDINATOR, email="cc2@example.org")
    transfer = closing.transfer_request(actor=coordinator, case=family, to_site=other_site)
    browser(receiving).get("/transfers/")
    assert AuditEvent.objects.filter(
        actor=receiving, record_type="cases.casetransfer", action=AuditEvent.Action.LIST
    ).exists()
    browser(receiving).get(f"/transfers/{transfer.pk}/")
    assert AuditEvent.objects.filter(
        actor=receiving,
        record_type="cases.casetransfer",
        action=AuditEvent.Action.VIEW,
        record_id=transfer.pk,
    ).exists()
    browser(site_admin).get(f"/retention/{site.slug}/")
    assert AuditEvent.objects.filter(
        actor=site_admin, action=AuditEvent.Action.LIST, detail__retention=True
    ).exists()


def test_a_purge_takes_the_parent_role_and_name_of_a_parent_no_other_family_names(
    family, coordinator, site_admin
):
    from cases import services
    from cases.models import Case
    from safebabies.identity.models import SiteMembership

    place, _ = services.parent_invite(
        actor=coordinator,
        case=family,
        person=family.test_parent,
        email="dorothy.r@example.org",
        language="en",
        sign_in_with="link",
    )
    parent = place.user
    assert parent.full_name
    Case.objects.filter(pk=family.pk).update(
        opened_on=dt.date(2010, 1, 1), closed_on=dt.date(2012, 1, 1)
    )
    family.refresh_from_db()
    record = closing.case_purge(actor=site_admin, case=family, reason="retention")
    parent.refresh_from_db()
    assert not SiteMembership.objects.filter(user=parent, is_active=True).exists()
    assert parent.full_name == ""
    assert record.counts["parent accounts withdrawn"] == 1


def test_a_notification_about_a_family_one_no_longer_opens_keeps_its_words(
    family, coordinator, other_site
):
    from safebabies.notify import cant_come

    parent = family.test_parent
    parent.kind = Person.Kind.PARENT
    parent.save()
    hearing = Hearing.objects.create(
        case=family, hearing_type="review", scheduled_on=dt.date(2026, 12, 3)
    )
    token = cant_come.token_for("hearing", hearing.pk, parent.pk)
    response = Client().post(f"/family/cant-come/{token}/", {"note": "a clinic appointment"})
    assert response.status_code == 200
    page = browser(coordinator).get("/notifications/").content.decode()
    assert "a clinic appointment" in page  # while the family is theirs
    receiving = f.site_member(other_site, Role.COMMUNITY_COORDINATOR, email="cc2@example.org")
    transfer = closing.transfer_request(actor=coordinator, case=family, to_site=other_site)
    closing.transfer_decide(actor=receiving, transfer=transfer, accept=True)
    page = browser(coordinator).get("/notifications/").content.decode()
    assert "a clinic appointment" not in page and str(parent) not in page
    assert "About a family you no longer work with." in page


def test_a_site_that_declined_a_transfer_does_not_follow_the_family(
    family, coordinator, other_site
):
    receiving = f.site_member(other_site, Role.COMMUNITY_COORDINATOR, email="cc2@example.org")
    transfer = closing.transfer_request(actor=coordinator, case=family, to_site=other_site)
    closing.transfer_decide(actor=receiving, transfer=transfer, accept=False)
    family.name = "Renamed family"
    family.save()
    f.ChildFactory(case=family, given_name="Newborn")
    for page in (
        browser(receiving).get("/transfers/"),
        browser(receiving).get(f"/transfers/{transfer.pk}/"),
    ):
        body = page.content.decode()
        assert page.status_code == 200
        assert "Renamed family" not in body and "A family" in body
    # the sending site still reads its family by name
    assert "Renamed family" in browser(coordinator).get("/transfers/").content.decode()


def test_a_parent_sees_their_own_mentor_not_the_other_parents(shared, family, parent_mentor, site):
    from cases.models import TeamMember

    mine = TeamMember.objects.get(case=family, user=parent_mentor, role=Role.PARENT_MENTOR)
    mine.person = shared["other"]  # this mentor supports the other parent
    mine.save()
    theirs = f.site_member(site, Role.PARENT_MENTOR, email="mentor2@example.org")
    f.TeamMemberFactory(case=family, user=theirs, role=Role.PARENT_MENTOR, person=shared["mine"])
    home = browser(shared["jaime"]).get("/").content.decode()
    assert "mentor2@example.org" in home and parent_mentor.email not in home
