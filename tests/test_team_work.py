"""Everyone on the team does their own part (issue 22 items 1, 2 and 6): action items marked
done by their owners, family time logged by the CASA volunteer who supervised it, notes that
are their authors', a parent mentor's support contacts with the parent they support, the parent
leader role, and an FTM facilitator without an account.

Who may do what for every role is tests/test_permission_matrix.py's; here, the rules on the
rows themselves (whose item, whose visit, which day) and the pages and API that carry them.
"""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from cases.access import cases_visible_to
from cases.models import TeamMember
from familytime.models import Visit
from safebabies import codes
from safebabies.audit.models import AuditEvent
from safebabies.identity.models import User
from safebabies.identity.roles import AGGREGATE_ROLES, Role
from teams.models import CaseNote, Ftm, FtmActionItem, SupportContact
from tests import factories as f
from tests.test_api import bearer

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 23, 18, 0, tzinfo=dt.UTC)  # noon at the site (America/Chicago)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def casa(site, family):
    user = f.site_member(site, Role.GAL_CASA, email="casa@north.example.org")
    f.TeamMemberFactory(case=family, user=user, role=Role.GAL_CASA)
    return user


@pytest.fixture
def ftm(family):
    return Ftm.objects.create(case=family, scheduled_on=dt.date(2026, 11, 20), location="Room 2")


# --- 1. Action items: the owner marks theirs done ---------------------------------------------


def test_an_attorney_marks_the_item_that_names_them_done(ftm, parent_attorney):
    item = FtmActionItem.objects.create(
        ftm=ftm, description="File the motion", due_on=dt.date(2026, 12, 1), owner=parent_attorney
    )
    response = bearer(parent_attorney).patch(
        f"/api/v1/ftm-action-items/{item.pk}/", {"status": "done"}, format="json"
    )
    assert response.status_code == 200, response.content
    item.refresh_from_db()
    assert item.status == "done" and item.completed_on == dt.date(2026, 11, 23)
    assert AuditEvent.objects.filter(action="update", record_id=item.pk).exists()


def test_an_attorney_cannot_mark_an_item_of_another_member_done(ftm, site, family, parent_attorney):
    other = f.site_member(site, Role.PARENT_ATTORNEY, email="second.attorney@north.example.org")
    f.TeamMemberFactory(case=family, user=other, role=Role.PARENT_ATTORNEY)
    item = FtmActionItem.objects.create(
        ftm=ftm, description="File the motion", due_on=dt.date(2026, 12, 1), owner=other
    )
    response = bearer(parent_attorney).patch(
        f"/api/v1/ftm-action-items/{item.pk}/", {"status": "done"}, format="json"
    )
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.status == "open"


def test_an_owner_may_only_mark_done_not_reopen_or_rewrite(ftm, parent_mentor):
    item = FtmActionItem.objects.create(
        ftm=ftm, description="Drive to court", due_on=dt.date(2026, 12, 1), owner=parent_mentor
    )
    client = bearer(parent_mentor)
    for body in ({"status": "dropped"}, {"status": "done", "due_on": "2026-12-30"}):
        response = client.patch(f"/api/v1/ftm-action-items/{item.pk}/", body, format="json")
        assert response.status_code == 403, body
        assert "own action items" in response.json()["detail"]


def test_the_home_page_button_marks_ones_own_item_done(client_for, ftm, parent_mentor):
    item = FtmActionItem.objects.create(
        ftm=ftm, description="Call Luis", due_on=dt.date(2026, 12, 1), owner=parent_mentor
    )
    client = client_for(parent_mentor)
    home = client.get("/").content.decode()
    assert reverse("action-item-done", args=[item.pk]) in home
    response = client.post(reverse("action-item-done", args=[item.pk]), {"next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    item.refresh_from_db()
    assert item.status == "done"


def test_the_summary_offers_mark_done_only_on_the_readers_own_items(
    client_for, ftm, parent_mentor, caseworker
):
    mine = FtmActionItem.objects.create(
        ftm=ftm, description="Call Luis", due_on=dt.date(2026, 12, 1), owner=parent_mentor
    )
    theirs = FtmActionItem.objects.create(
        ftm=ftm, description="Book the room", due_on=dt.date(2026, 12, 1), owner=caseworker
    )
    page = client_for(parent_mentor).get(f"/ftms/{ftm.pk}/").content.decode()
    assert f'data-item-done="{mine.pk}"' in page
    assert f'data-item-done="{theirs.pk}"' not in page


# --- 1. Family time: the CASA volunteer logs what they supervised --------------------------------


def test_a_casa_volunteer_logs_the_visit_they_supervised(client_for, family, casa):
    visit = Visit.objects.create(child=family.test_child, scheduled_on=dt.date(2026, 11, 21))
    page = client_for(casa).get(f"/cases/{family.pk}/family-time/?week=2026-11-16")
    assert reverse("family-time-visit-log", args=[family.pk, visit.pk]) in page.content.decode()
    response = client_for(casa).post(
        reverse("family-time-visit-log", args=[family.pk, visit.pk]),
        {"status": "held", "duration_minutes": "55", "observations": "Played with blocks."},
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.status, visit.duration_minutes, visit.supervisor_id) == ("held", 55, casa.pk)
    assert visit.observations == "Played with blocks."
    row = bearer(casa).get(f"/api/v1/family-time/{visit.pk}/").json()
    assert row["supervisor_email"] == casa.email


def test_a_casa_volunteer_cannot_move_a_visit_nor_log_anothers(site, family, casa):
    visit = Visit.objects.create(child=family.test_child, scheduled_on=dt.date(2026, 11, 21))
    client = bearer(casa)
    moved = client.patch(
        f"/api/v1/family-time/{visit.pk}/", {"scheduled_on": "2026-11-22"}, format="json"
    )
    assert moved.status_code == 403
    other = f.site_member(site, Role.GAL_CASA, email="casa2@north.example.org")
    f.TeamMemberFactory(case=family, user=other, role=Role.GAL_CASA)
    assert (
        client.patch(
            f"/api/v1/family-time/{visit.pk}/", {"status": "held"}, format="json"
        ).status_code
        == 200
    )
    answer = bearer(other).patch(
        f"/api/v1/family-time/{visit.pk}/", {"duration_minutes": 30}, format="json"
    )
    assert answer.status_code == 403
    visit.refresh_from_db()
    assert visit.duration_minutes != 30 and visit.supervisor_id == casa.pk


def test_a_writer_logging_a_visit_leaves_its_supervisor(family, casa, caseworker):
    visit = Visit.objects.create(
        child=family.test_child, scheduled_on=dt.date(2026, 11, 21), supervisor=casa
    )
    response = bearer(caseworker).patch(
        f"/api/v1/family-time/{visit.pk}/", {"status": "held"}, format="json"
    )
    assert response.status_code == 200
    visit.refresh_from_db()
    assert visit.supervisor_id == casa.pk


# --- 1. Notes that are their authors' ----------------------------------------------------------


def test_a_note_is_its_authors_to_correct_on_the_day_only(family, parent_attorney, caseworker):
    client = bearer(parent_attorney)
    created = client.post(
        "/api/v1/case-notes/", {"case_id": family.pk, "text": "Met Dorothy."}, format="json"
    )
    assert created.status_code == 201, created.content
    note = created.json()
    assert note["author_email"] == parent_attorney.email
    assert note["author_role"] == "parent_attorney"
    url = f"/api/v1/case-notes/{note['id']}/"
    assert bearer(caseworker).patch(url, {"text": "Not mine."}, format="json").status_code == 403
    assert client.patch(url, {"text": "Met Dorothy at court."}, format="json").status_code == 200
    tomorrow = APIClient()
    tomorrow.force_authenticate(parent_attorney)  # a bearer token lives an hour
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        late = tomorrow.patch(url, {"text": "Too late."}, format="json")
    assert late.status_code == 403
    assert CaseNote.objects.get(pk=note["id"]).text == "Met Dorothy at court."


def test_an_empty_note_is_refused_naming_the_field(family, caseworker):
    response = bearer(caseworker).post(
        "/api/v1/case-notes/", {"case_id": family.pk, "text": "   "}, format="json"
    )
    assert response.status_code == 400 and "text" in response.json()
    assert not CaseNote.objects.exists()


def test_a_parent_mentor_reads_only_their_own_notes(family, parent_mentor, caseworker):
    CaseNote.objects.create(
        case=family, author=caseworker, author_role="caseworker", written_at=NOW, text="Quorlax"
    )
    mine = bearer(parent_mentor).post(
        "/api/v1/case-notes/", {"case_id": family.pk, "text": "Called Dorothy."}, format="json"
    )
    assert mine.status_code == 201
    rows = bearer(parent_mentor).get(f"/api/v1/case-notes/?case={family.pk}").json()["results"]
    assert [row["text"] for row in rows] == ["Called Dorothy."]
    team = bearer(caseworker).get(f"/api/v1/case-notes/?case={family.pk}").json()["results"]
    assert {row["text"] for row in team} == {"Quorlax", "Called Dorothy."}


def test_the_notes_page_writes_and_corrects_a_note(client_for, family, clinician):
    client = client_for(clinician)
    assert client.post(f"/cases/{family.pk}/notes/", {"text": "First session."}).status_code == 302
    note = CaseNote.objects.get()
    assert (note.author_id, note.author_role) == (clinician.pk, "clinician")
    page = client.get(f"/cases/{family.pk}/notes/").content.decode()
    assert "First session." in page and "Correct your note" in page
    client.post(f"/cases/{family.pk}/notes/{note.pk}/edit/", {"text": "First session, 50 min."})
    note.refresh_from_db()
    assert note.text == "First session, 50 min."


# --- 2. Parent mentors' work ------------------------------------------------------------------


def _link(coordinator, family, parent_mentor):
    return bearer(coordinator).post(
        f"/api/v1/cases/{family.pk}/team-members/",
        {"email": parent_mentor.email, "role": "parent_mentor", "person_id": family.test_parent.pk},
        format="json",
    )


def test_the_coordinator_links_the_mentor_to_the_parent_they_support(
    family, coordinator, parent_mentor
):
    response = _link(coordinator, family, parent_mentor)
    assert response.status_code in (200, 201), response.content
    place = family.team_members.get(user=parent_mentor, role="parent_mentor")
    assert place.person_id == family.test_parent.pk


def test_a_mentor_not_linked_to_a_parent_cannot_log_a_contact(family, parent_mentor):
    response = bearer(parent_mentor).post(
        "/api/v1/support-contacts/",
        {
            "case_id": family.pk,
            "person_id": family.test_parent.pk,
            "contacted_on": "2026-11-20",
            "kind": "transport",
            "minutes": 40,
        },
        format="json",
    )
    assert response.status_code == 400 and "person_id" in response.json()


def test_a_mentor_logs_a_contact_and_the_coordinator_and_parent_read_it(
    client_for, site, family, coordinator, parent_mentor, caseworker
):
    _link(coordinator, family, parent_mentor)
    client = bearer(parent_mentor)
    body = {
        "case_id": family.pk,
        "person_id": family.test_parent.pk,
        "contacted_on": "2026-11-20",
        "kind": "court_support",
        "minutes": 90,
        "shared_note": "Dorothy felt ready for the hearing.",
    }
    refused = client.post("/api/v1/support-contacts/", body, format="json")
    assert refused.status_code == 400 and "parent_agreed" in refused.json()
    future = client.post(
        "/api/v1/support-contacts/",
        {**body, "parent_agreed": True, "contacted_on": "2026-11-30"},
        format="json",
    )
    assert future.status_code == 400 and "contacted_on" in future.json()
    created = client.post(
        "/api/v1/support-contacts/", {**body, "parent_agreed": True}, format="json"
    )
    assert created.status_code == 201, created.content
    contact_id = created.json()["id"]
    assert SupportContact.objects.get().mentor_id == parent_mentor.pk
    assert contact_id in {
        row["id"] for row in bearer(coordinator).get("/api/v1/support-contacts/").json()["results"]
    }
    assert bearer(caseworker).get(f"/api/v1/support-contacts/{contact_id}/").status_code == 404
    # the parent, signed in, reads the contacts logged with them
    dorothy = f.site_member(site, Role.PARENT, email="dorothy@example.org")
    f.TeamMemberFactory(case=family, user=dorothy, role=Role.PARENT, person=family.test_parent)
    assert bearer(dorothy).get(f"/api/v1/support-contacts/{contact_id}/").status_code == 200
    page = client_for(coordinator).get(f"/cases/{family.pk}/support/").content.decode()
    assert "Dorothy felt ready for the hearing." in page and "90 minutes in all" in page


def test_the_support_page_links_a_mentor_and_logs_a_contact(
    client_for, family, coordinator, parent_mentor
):
    place = family.team_members.get(user=parent_mentor, role="parent_mentor")
    cc = client_for(coordinator)
    cc.post(
        f"/cases/{family.pk}/support/link/",
        {"place": str(place.pk), "person_id": family.test_parent.pk},
    )
    place.refresh_from_db()
    assert place.person_id == family.test_parent.pk
    mentor = client_for(parent_mentor)
    response = mentor.post(
        f"/cases/{family.pk}/support/",
        {
            "person_id": family.test_parent.pk,
            "contacted_on": "2026-11-23",
            "kind": "transport",
            "minutes": "35",
        },
    )
    assert response.status_code == 302
    assert SupportContact.objects.get().kind == "transport"


def test_the_support_contact_list_takes_the_same_queries_whatever_its_size(
    family, site, coordinator, parent_mentor, django_assert_num_queries
):
    _link(coordinator, family, parent_mentor)
    client = bearer(coordinator)
    counts = []
    for _ in range(2):
        for day in range(3):
            SupportContact.objects.create(
                case=family,
                person=family.test_parent,
                mentor=parent_mentor,
                contacted_on=dt.date(2026, 11, 1 + day),
                kind="call",
                minutes=10,
            )
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/support-contacts/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_case_note_list_takes_the_same_queries_whatever_its_size(family, caseworker):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = bearer(caseworker)
    counts = []
    for _ in range(2):
        for _n in range(3):
            CaseNote.objects.create(
                case=family, author=caseworker, author_role="caseworker", written_at=NOW, text="x"
            )
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/case-notes/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_parent_leader_opens_no_case_but_reads_the_sites_figures(client_for, site, family):
    leader = f.site_member(site, Role.PARENT_LEADER, email="leader@north.example.org")
    assert Role.PARENT_LEADER in AGGREGATE_ROLES
    assert not cases_visible_to(leader).exists()
    client = client_for(leader)
    assert client.get(f"/cases/{family.pk}/").status_code == 404
    assert bearer(leader).get("/api/v1/cases/").json()["count"] == 0
    assert "never at one family" in client.get("/").content.decode()
    dashboard = client.get(f"/cqi/{site.slug}/")
    assert dashboard.status_code == 200
    assert family.name not in dashboard.content.decode()


def test_a_parent_leader_cannot_be_put_on_a_family_team(site, family, coordinator):
    leader = f.site_member(site, Role.PARENT_LEADER, email="leader@north.example.org")
    response = bearer(coordinator).post(
        f"/api/v1/cases/{family.pk}/team-members/",
        {"email": leader.email, "role": "parent_leader"},
        format="json",
    )
    assert response.status_code == 400 and "role" in response.json()


# --- 6. An external facilitator ---------------------------------------------------------------


def test_an_ftm_names_a_facilitator_without_an_account(client_for, ftm, caseworker, family):
    client = bearer(caseworker)
    response = client.patch(
        f"/api/v1/ftms/{ftm.pk}/",
        {"facilitator_name": "Ana Ruiz", "facilitator_organisation": "Family Bridges"},
        format="json",
    )
    assert response.status_code == 200, response.content
    row = client.get(f"/api/v1/ftms/{ftm.pk}/").json()
    assert (row["facilitator_name"], row["facilitator_organisation"]) == (
        "Ana Ruiz",
        "Family Bridges",
    )
    pages = client_for(caseworker)
    assert (
        "facilitated by Ana Ruiz (Family Bridges)" in pages.get(f"/ftms/{ftm.pk}/").content.decode()
    )
    copy = pages.get(f"/ftms/{ftm.pk}/family/?lang=en").content.decode()
    assert "Ana Ruiz, of Family Bridges, led our meeting." in copy
    spanish = pages.get(f"/ftms/{ftm.pk}/family/?lang=es").content.decode()
    assert "Ana Ruiz, de Family Bridges, dirigió nuestra reunión." in spanish


def test_the_log_page_saves_the_external_facilitator(client_for, ftm, caseworker):
    client = client_for(caseworker)
    page = client.get(f"/ftms/{ftm.pk}/log/").content.decode()
    assert 'name="facilitator_name"' in page
    response = client.post(
        f"/ftms/{ftm.pk}/save/",
        data={"version": ftm.version, "fields": {"facilitator_name": "Ana Ruiz"}},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    ftm.refresh_from_db()
    assert ftm.facilitator_name == "Ana Ruiz"
    assert ftm.facilitated_by == "Ana Ruiz"


def test_a_too_long_facilitator_name_is_refused_naming_the_field(ftm, caseworker):
    response = bearer(caseworker).patch(
        f"/api/v1/ftms/{ftm.pk}/", {"facilitator_name": "A" * 201}, format="json"
    )
    assert response.status_code == 400 and "facilitator_name" in response.json()
    assert Ftm.objects.get(pk=ftm.pk).status == codes.FtmStatus.SCHEDULED


def test_the_demo_shows_the_team_at_work():
    from tests.test_seed_demo import seed

    seed(NOW)
    case = "demo-case-rivera"
    mentor_place = TeamMember.objects.get(case_id=case, role=Role.PARENT_MENTOR)
    assert mentor_place.person_id == "demo-person-rivera-jaime"
    contacts = SupportContact.objects.filter(case_id=case)
    assert contacts.count() >= 3 and {c.person_id for c in contacts} == {mentor_place.person_id}
    assert {n.author_role for n in CaseNote.objects.filter(case_id=case)} >= {
        "gal_casa",
        "parent_mentor",
    }
    held = Visit.objects.filter(child__case_id=case, status="held")
    assert held.exists() and not held.filter(supervisor__isnull=True).exists()
    assert Ftm.objects.filter(case_id="demo-case-morales", facilitator_name="Rosa Medina").exists()
    assert User.objects.filter(email="parent_leader@demo.safebabies.test").exists()
    before = AuditEvent.objects.count()
    seed(NOW)  # a second run changes nothing, and says so with no event
    assert AuditEvent.objects.count() == before


def test_the_parent_reads_the_external_facilitator_but_no_team_address(site, family, ftm):
    ftm.facilitator_name, ftm.facilitator_organisation = "Ana Ruiz", "Family Bridges"
    ftm.facilitator = f.site_member(site, Role.COMMUNITY_COORDINATOR, email="cc2@north.example.org")
    ftm.save()
    dorothy = f.site_member(site, Role.PARENT, email="dorothy@example.org")
    f.TeamMemberFactory(case=family, user=dorothy, role=Role.PARENT, person=family.test_parent)
    row = bearer(dorothy).get(f"/api/v1/ftms/{ftm.pk}/").json()
    assert row["facilitator_name"] == "Ana Ruiz"
    assert "facilitator_email" not in row
