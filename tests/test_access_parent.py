"""The parent role: a coordinator links a parent's account to their person on the family team
(`POST /api/v1/cases/{case_id}/team-members/` with "role": "parent" and "person_id"); the
parent reads what is theirs (cases/access.py `for_parent`), marks their own steps done, and
gets 403 on every professional page of their family, 404 on another family's. The cell-by-cell
answers are tests/test_permission_matrix.py's PARENT column; these are the journeys around it."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client
from rest_framework.test import APIClient

from cases.models import Hearing, Person, Relationship, TeamMember
from cases.services import team_member_remove
from familytime.models import Visit
from safebabies import codes
from safebabies.audit.models import AuditEvent
from safebabies.identity.models import SiteMembership, User
from safebabies.identity.roles import Role
from teams.models import Ftm, FtmActionItem
from teams.selectors import invitees_of_case
from tests import factories as f

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 23, 18, 0, tzinfo=dt.UTC)  # noon at the site


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def jaime(site):
    """A parent's account at the site, not on any team yet."""
    return f.site_member(site, Role.PARENT, email="jaime@example.org")


@pytest.fixture
def resource_parent(family):
    person = f.PersonFactory(
        case=family,
        kind=Person.Kind.RESOURCE_PARENT,
        given_name="Dorothy",
        family_name="Whitaker",
        address="9 Wysteria Lane",
        phone="555-0100",
    )
    Relationship.objects.create(
        person=person, child=family.test_child, kind=Relationship.Kind.RESOURCE_PARENT
    )
    return person


@pytest.fixture
def parent_person(family):
    person = family.test_parent
    person.address, person.phone = "3 Oak Road", "555-0142"
    person.save(update_fields=["address", "phone"])
    Relationship.objects.create(
        person=person, child=family.test_child, kind=Relationship.Kind.MOTHER
    )
    return person


def api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def browser(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def link(coordinator, family, jaime, person_id) -> object:
    return api(coordinator).post(
        f"/api/v1/cases/{family.pk}/team-members/",
        {"email": jaime.email, "role": "parent", "person_id": person_id},
        format="json",
    )


@pytest.fixture
def linked(coordinator, family, jaime, parent_person):
    response = link(coordinator, family, jaime, parent_person.pk)
    assert response.status_code == 201, response.content
    return jaime


@pytest.fixture
def meeting(family, parent_person, resource_parent, caseworker):
    """The family's next FTM, one step the parent owns, one the caseworker owns, a coming
    hearing and a coming family-time visit."""
    ftm = Ftm.objects.create(
        case=family,
        scheduled_on=dt.date(2026, 11, 30),
        starts_at=dt.time(10, 0),
        location="Family resource center",
        notes="Quorlax discussion",
    )
    held = Ftm.objects.create(
        case=family,
        scheduled_on=dt.date(2026, 10, 30),
        status=codes.FtmStatus.HELD,
        notes="Quorlax old discussion",
    )
    mine = FtmActionItem.objects.create(
        ftm=held,
        description="Visit the housing navigator",
        due_on=dt.date(2026, 11, 30),
        owner_person=parent_person,
    )
    theirs = FtmActionItem.objects.create(
        ftm=held,
        description="Send Dorothy the childcare routine",
        due_on=dt.date(2026, 11, 30),
        owner=caseworker,
        owner_role=Role.CASEWORKER,
    )
    hearing = Hearing.objects.create(
        case=family,
        hearing_type="review",
        scheduled_on=dt.date(2026, 12, 3),
        starts_at=dt.time(9, 30),
        courtroom="Courtroom 4B",
        findings="Quorlax findings",
    )
    visit = Visit.objects.create(
        child=family.test_child,
        scheduled_on=dt.date(2026, 11, 25),
        starts_at=dt.time(15, 0),
        location=codes.VisitLocation.AGENCY,
        observations="Quorlax observation",
    )
    return dict(ftm=ftm, held=held, mine=mine, theirs=theirs, hearing=hearing, visit=visit)


# --- Linking an account to a parent of the case -------------------------------------------------


def test_coordinator_links_a_parents_account_to_their_person(coordinator, family, linked):
    place = TeamMember.objects.get(case=family, user=linked)
    assert (place.role, place.person_id) == ("parent", family.test_parent.pk)
    event = AuditEvent.objects.get(action="create", record_type="cases.teammember")
    assert event.detail == {"user": linked.pk, "role": "parent", "person": family.test_parent.pk}
    listed = api(coordinator).get(f"/api/v1/cases/{family.pk}/team-members/").json()["results"]
    assert {
        "email": linked.email,
        "role": "parent",
        "person_id": family.test_parent.pk,
    }.items() <= (next(row for row in listed if row["role"] == "parent").items())


def test_linking_again_is_the_same_place(coordinator, family, linked):
    assert link(coordinator, family, linked, family.test_parent.pk).status_code == 200
    assert TeamMember.objects.filter(user=linked).count() == 1


@pytest.mark.parametrize("which", ["missing", "resource_parent", "another_family", "unknown"])
def test_a_parent_place_names_a_parent_of_the_case(
    coordinator, family, jaime, resource_parent, site, which
):
    person_id = {
        "missing": None,
        "resource_parent": resource_parent.pk,
        "another_family": f.PersonFactory(case=f.CaseFactory(site=site)).pk,
        "unknown": "no-such-person",
    }[which]
    response = link(coordinator, family, jaime, person_id)
    assert response.status_code == 400
    assert "person_id" in response.json()
    assert not TeamMember.objects.filter(user=jaime).exists()


def test_only_a_parents_place_names_a_person(coordinator, family, caseworker):
    response = api(coordinator).post(
        f"/api/v1/cases/{family.pk}/team-members/",
        {"email": caseworker.email, "role": "caseworker", "person_id": family.test_parent.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "person_id" in response.json()


def test_the_account_must_hold_the_parent_role_at_the_site(coordinator, family, caseworker):
    response = link(coordinator, family, caseworker, family.test_parent.pk)
    assert response.status_code == 400
    assert "role" in response.json()


def test_an_account_is_one_person(coordinator, family, linked):
    other = f.PersonFactory(case=family, kind=Person.Kind.PARENT, given_name="Luis")
    response = link(coordinator, family, linked, other.pk)
    assert response.status_code == 400
    assert "person_id" in response.json()


def test_only_coordinators_and_site_admins_link_a_parent(caseworker, family, jaime):
    response = api(caseworker).post(
        f"/api/v1/cases/{family.pk}/team-members/",
        {"email": jaime.email, "role": "parent", "person_id": family.test_parent.pk},
        format="json",
    )
    assert response.status_code == 403


def test_the_database_refuses_a_parent_place_naming_someone_else(family, jaime, resource_parent):
    with pytest.raises(IntegrityError), transaction.atomic():
        TeamMember.objects.create(case=family, user=jaime, role="parent", person=resource_parent)
    with pytest.raises(IntegrityError), transaction.atomic():
        TeamMember.objects.create(case=family, user=jaime, role="parent")


def test_add_member_gives_the_parent_role(site):
    call_command("add_member", "new.parent@example.org", site=site.slug, role="parent")
    assert SiteMembership.objects.filter(
        user__email="new.parent@example.org", site=site, role="parent", is_active=True
    ).exists()


# --- What the parent sees -----------------------------------------------------------------------


def test_parents_home_shows_their_next_meeting_hearing_family_time_and_steps(
    linked, meeting, family
):
    body = browser(linked).get("/").content.decode()
    for shown in (
        "Monday 30 November",
        "Family resource center",
        "Thursday 3 December",
        "Courtroom 4B",
        "Wednesday 25 November",
        "Agency",
        "Visit the housing navigator",
        f"/ftms/{meeting['held'].pk}/family/",
    ):
        assert shown in body, shown
    for hidden in (
        "Quorlax",
        "Send Dorothy the childcare routine",
        "9 Wysteria Lane",
        "555-0100",
        f'href="/cases/{family.pk}/',
        'href="/cases/"',
    ):
        assert hidden not in body, hidden


def test_parents_home_names_their_coordinator_and_parent_mentor(
    linked, meeting, coordinator, parent_mentor, caseworker
):
    body = browser(linked).get("/").content.decode()
    assert coordinator.email in body and parent_mentor.email in body
    assert caseworker.email not in body


def test_every_read_of_the_parents_home_is_audited(linked, meeting, family):
    browser(linked).get("/")
    event = AuditEvent.objects.get(actor=linked, action="view", record_type="cases.case")
    assert event.case_id == family.pk
    assert event.detail["shown"]["action_item"] == [meeting["mine"].pk]
    assert event.detail["shown"]["visit"] == [meeting["visit"].pk]


def test_parent_marks_their_step_done_and_the_caseworker_sees_it(linked, meeting, caseworker):
    mine = meeting["mine"]
    response = browser(linked).post(f"/family/items/{mine.pk}/done/")
    assert response.status_code == 302
    row = api(caseworker).get(f"/api/v1/ftm-action-items/{mine.pk}/").json()
    assert (row["status"], row["completed_on"]) == ("done", "2026-11-23")
    assert AuditEvent.objects.filter(actor=linked, action="update", record_id=mine.pk).exists()


def test_parent_sets_only_their_own_items_status_to_done(linked, meeting):
    client = api(linked)
    mine, theirs = meeting["mine"], meeting["theirs"]
    url = f"/api/v1/ftm-action-items/{mine.pk}/"
    assert client.patch(url, {"status": "open"}, format="json").status_code == 403
    assert client.patch(url, {"due_on": "2027-01-01"}, format="json").status_code == 403
    assert client.patch(url, ["status"], format="json").status_code == 403
    assert (
        client.patch(url, {"status": "done", "description": "x"}, format="json").status_code == 403
    )
    assert client.patch(url, {"status": "done"}, format="json").status_code == 200
    theirs_url = f"/api/v1/ftm-action-items/{theirs.pk}/"
    assert client.patch(theirs_url, {"status": "done"}, format="json").status_code == 404
    assert browser(linked).post(f"/family/items/{theirs.pk}/done/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "open"


def test_parent_reads_ftms_without_the_discussion_and_visits_without_observations(linked, meeting):
    client = api(linked)
    ftm = client.get(f"/api/v1/ftms/{meeting['ftm'].pk}/").json()
    assert not set(Ftm.DISCUSSION_FIELDS) & set(ftm) and "attendance" not in ftm
    visit = client.get(f"/api/v1/family-time/{meeting['visit'].pk}/").json()
    assert "observations" not in visit
    hearing = client.get(f"/api/v1/hearings/{meeting['hearing'].pk}/").json()
    assert "findings" not in hearing
    assert b"Quorlax" not in client.get("/api/v1/ftms/").content


def test_parent_sees_their_own_details_and_nobody_elses(linked, family, resource_parent):
    people = api(linked).get("/api/v1/people/").json()["results"]
    assert [(p["id"], p["address"]) for p in people] == [(family.test_parent.pk, "3 Oak Road")]
    assert api(linked).get(f"/api/v1/people/{resource_parent.pk}/").status_code == 404
    assert api(linked).get("/api/v1/placements/").json()["results"] == []


def test_parent_reads_the_family_copy_of_their_meeting(linked, meeting, family):
    response = browser(linked).get(f"/ftms/{meeting['held'].pk}/family/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Visit the housing navigator" in body and "Quorlax" not in body
    assert f'href="/cases/{family.pk}/' not in body


@pytest.mark.parametrize(
    "url",
    [
        "/cases/{case}/",
        "/cases/{case}/plan/",
        "/cases/{case}/consents/",
        "/cases/{case}/family-time/",
        "/cases/{case}/ftms/",
        "/ftms/{ftm}/",
        "/cases/{case}/hearings/{hearing}/summary/",
    ],
)
def test_professional_pages_of_their_family_are_403(linked, meeting, family, url):
    url = url.format(case=family.pk, ftm=meeting["ftm"].pk, hearing=meeting["hearing"].pk)
    response = browser(linked).get(url)
    assert response.status_code == 403
    assert "Quorlax" not in response.content.decode()


def test_another_familys_records_are_404(linked, site):
    other = f.CaseFactory(site=site, name="Okafor family")
    ftm = Ftm.objects.create(case=other, scheduled_on=dt.date(2026, 11, 30))
    person = f.PersonFactory(case=other)
    item = FtmActionItem.objects.create(ftm=ftm, due_on=dt.date(2026, 12, 1), owner_person=person)
    assert browser(linked).get(f"/cases/{other.pk}/").status_code == 404
    assert browser(linked).get(f"/ftms/{ftm.pk}/family/").status_code == 404
    assert browser(linked).post(f"/family/items/{item.pk}/done/").status_code == 404
    assert api(linked).get(f"/api/v1/cases/{other.pk}/").status_code == 404
    assert api(linked).get(f"/api/v1/ftms/?case={other.pk}").json()["results"] == []


def test_access_ends_when_the_parent_is_taken_off_the_team(linked, meeting, coordinator, family):
    team_member_remove(actor=coordinator, member=TeamMember.objects.get(user=linked))
    linked.refresh_from_db()
    assert api(linked).get(f"/api/v1/ftms/{meeting['ftm'].pk}/").status_code == 404
    assert browser(linked).get(f"/ftms/{meeting['held'].pk}/family/").status_code == 404
    assert "Visit the housing navigator" not in browser(linked).get("/").content.decode()


def test_the_teams_lists_leave_the_parents_account_out(linked, family, meeting):
    """A parent is invited and counted as a person of the family, never as a team member."""
    assert not [name for name in invitees_of_case(family) if linked.email in name]
