"""The people who do the work (issue 22 items 7 and 8): reflective supervision, the private
well-being check-ins, IECMH consultations, trainings, the program page's counts and the
coordinator's caseload intensity. Who reads what, cell by cell, is
`tests/test_site_permission_matrix.py`; here are the behaviours around it."""

import datetime as dt

import pytest
import time_machine
from django.contrib import admin
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from cases.models import MaltreatmentReport
from safebabies.audit.models import AuditEvent
from safebabies.identity.models import User
from tests import factories as f
from workforce.models import (
    Consultation,
    SupervisionSession,
    Training,
    TrainingAttendance,
    WellbeingCheckIn,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 20)
SECRET = "Quillfeather private worry"


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def check_in(site, person, day=TODAY, **scale) -> WellbeingCheckIn:
    values = {"stress": 4, "supported": 2, "sleep": 3, **scale}
    return WellbeingCheckIn.objects.create(
        site=site, person=person, checked_on=day, private_note=SECRET, **values
    )


# --- Private well-being check-ins -------------------------------------------------------------


def test_a_person_checks_in_and_reads_their_own_check_ins(site, caseworker):
    client = browser(caseworker)
    response = client.post(
        "/workforce/well-being/new/",
        {
            "checked_on": "2026-11-19",
            "stress": "5",
            "supported": "2",
            "sleep": "1",
            "private_note": SECRET,
        },
    )
    assert response.status_code == 302
    row = WellbeingCheckIn.objects.get()
    assert (row.person, row.stress, row.private_note) == (caseworker, 5, SECRET)
    page = client.get("/workforce/well-being/").content.decode()
    assert row.pk in page and SECRET in page
    assert client.get(f"/workforce/well-being/{row.pk}/").status_code == 200


def test_nobody_else_reads_a_check_in_not_even_an_admin_or_the_coordinator(
    site, caseworker, other_caseworker, coordinator, site_admin, judge, sit_member, outsider
):
    row = check_in(site, caseworker)
    for other in (other_caseworker, coordinator, site_admin, judge, sit_member, outsider):
        client = browser(other)
        assert client.get(f"/workforce/well-being/{row.pk}/").status_code == 404, other
        assert client.post(f"/workforce/well-being/{row.pk}/", {}).status_code == 404, other
        listing = client.get("/workforce/well-being/")
        assert listing.status_code in (200, 404)
        assert row.pk not in listing.content.decode() and SECRET not in listing.content.decode()
    # no API resource at all, whoever asks, and not in the Django admin
    for who in (caseworker, site_admin):
        assert api_as(who).get("/api/v1/wellbeing-check-ins/").status_code == 404
        assert api_as(who).get(f"/api/v1/wellbeing-check-ins/{row.pk}/").status_code == 404
    assert WellbeingCheckIn not in admin.site._registry


def test_a_check_in_cannot_be_written_for_someone_else(site, caseworker, other_caseworker):
    row = check_in(site, caseworker)
    client = browser(other_caseworker)
    response = client.post(
        f"/workforce/well-being/{row.pk}/",
        {"checked_on": "2026-11-19", "stress": "1", "supported": "1", "sleep": "1"},
    )
    assert response.status_code == 404
    row.refresh_from_db()
    assert row.stress == 4


def test_the_audit_trail_says_a_check_in_was_written_never_what_it_holds(site, caseworker):
    client = browser(caseworker)
    client.post(
        "/workforce/well-being/new/",
        {
            "checked_on": "2026-11-19",
            "stress": "5",
            "supported": "2",
            "sleep": "1",
            "private_note": SECRET,
        },
    )
    row = WellbeingCheckIn.objects.get()
    client.post(
        f"/workforce/well-being/{row.pk}/",
        {
            "checked_on": "2026-11-19",
            "stress": "3",
            "supported": "2",
            "sleep": "1",
            "private_note": SECRET + " again",
        },
    )
    client.get("/workforce/well-being/")
    events = list(AuditEvent.objects.filter(record_type="workforce.wellbeingcheckin"))
    assert {e.action for e in events} >= {"create", "update", "list"}
    for event in events:
        assert event.detail == {}, event.detail  # no fields, no count, no content
        assert SECRET not in str(event.__dict__)


def test_a_bad_check_in_names_the_field_and_writes_nothing(site, caseworker):
    response = browser(caseworker).post(
        "/workforce/well-being/new/",
        {"checked_on": "2026-12-25", "stress": "9", "supported": "2", "sleep": "1"},
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "stress" in form.errors
    assert not WellbeingCheckIn.objects.exists()
    response = browser(caseworker).post(
        "/workforce/well-being/new/",
        {"checked_on": "2026-12-25", "stress": "3", "supported": "2", "sleep": "1"},
    )
    assert response.status_code == 400 and "checked_on" in response.context["form"].errors
    assert not WellbeingCheckIn.objects.exists()


def _staff(site, n: int, prefix: str = "staff"):
    return [
        f.site_member(site, "caseworker", email=f"{prefix}{i}@north.example.org") for i in range(n)
    ]


def test_the_well_being_aggregate_hides_a_month_of_fewer_than_5_people(
    site, coordinator, sit_member
):
    people = _staff(site, 5)
    for person in people[:4]:  # four people, two check-ins each: still four people
        check_in(site, person, stress=5)
        check_in(site, person, day=TODAY - dt.timedelta(days=1), stress=5)
    for viewer in (coordinator, sit_member):
        page = browser(viewer).get("/cqi/north/workforce/")
        assert page.status_code == 200
        month = page.content.decode().split('data-month="2026-11-01"')[1].split("</tr>")[0]
        assert "fewer than 5 people: not shown" in month
        assert "5.0" not in month and "4 people" not in month
    check_in(site, people[4], stress=3)
    page = browser(sit_member).get("/cqi/north/workforce/").content.decode()
    month = page.split('data-month="2026-11-01"')[1].split("</tr>")[0]
    assert "5 people" in month and "not shown" not in month
    assert SECRET not in page
    for person in people:
        assert person.email not in page and person.full_name not in page


# --- Reflective supervision ------------------------------------------------------------------


def test_a_supervisor_logs_a_session_of_their_supervisee_and_both_read_it(
    site, caseworker, clinician, other_caseworker, coordinator
):
    response = browser(clinician).post(
        "/workforce/supervision/new/",
        {
            "staff_email": caseworker.email,
            "supervisor_email": clinician.email,
            "held_on": "2026-11-18",
            "minutes": "60",
            "kind": "individual",
        },
    )
    assert response.status_code == 302
    session = SupervisionSession.objects.get()
    assert (session.staff, session.supervisor, session.recorded_by) == (
        caseworker,
        clinician,
        clinician,
    )
    for reader in (caseworker, clinician, coordinator):
        assert session.pk in browser(reader).get("/workforce/supervision/").content.decode()
        assert browser(reader).get(f"/workforce/supervision/{session.pk}/").status_code == 200
    assert (
        session.pk not in browser(other_caseworker).get("/workforce/supervision/").content.decode()
    )
    assert browser(other_caseworker).get(f"/workforce/supervision/{session.pk}/").status_code == 404
    event = AuditEvent.objects.get(record_id=session.pk, action="create")
    assert event.site_id == site.pk


def test_a_staff_member_cannot_log_a_session_in_someone_elses_name(
    site, caseworker, other_caseworker, clinician
):
    response = browser(other_caseworker).post(
        "/workforce/supervision/new/",
        {
            "staff_email": caseworker.email,
            "supervisor_email": clinician.email,
            "held_on": "2026-11-18",
            "minutes": "60",
            "kind": "individual",
        },
    )
    assert response.status_code == 400
    assert "staff_email" in response.context["form"].errors
    assert not SupervisionSession.objects.exists()
    assert (
        not AuditEvent.objects.filter(record_type="workforce.supervisionsession")
        .exclude(action="list")
        .exists()
    )


def test_a_staff_member_cannot_hand_their_session_to_someone_else(
    site, caseworker, other_caseworker
):
    session = SupervisionSession.objects.create(
        site=site,
        staff=caseworker,
        supervisor_name="Dr. Ames",
        held_on=TODAY,
        minutes=45,
        kind="group",
        recorded_by=caseworker,
    )
    response = api_as(caseworker).patch(
        f"/api/v1/supervision-sessions/{session.pk}/",
        {"staff_email": other_caseworker.email},
        format="json",
    )
    assert response.status_code == 400 and "staff_email" in response.json()
    session.refresh_from_db()
    assert session.staff == caseworker


def test_the_supervision_api_names_the_bad_field(site, coordinator, caseworker, outsider):
    body = {
        "site": "north",
        "staff_email": caseworker.email,
        "supervisor_name": "Dr. Ames",
        "held_on": "2026-11-18",
        "minutes": 0,
        "kind": "individual",
    }
    response = api_as(coordinator).post("/api/v1/supervision-sessions/", body, format="json")
    assert response.status_code == 400 and "minutes" in response.json()
    body.update(minutes=30, supervisor_email=caseworker.email)
    response = api_as(coordinator).post("/api/v1/supervision-sessions/", body, format="json")
    assert response.status_code == 400  # a person and a name, and the staff member themselves
    body.update(supervisor_email="", staff_email="nobody@north.example.org")
    response = api_as(coordinator).post("/api/v1/supervision-sessions/", body, format="json")
    assert response.status_code == 400 and "staff_email" in response.json()
    body.update(staff_email=caseworker.email, held_on="2026-12-01")  # not yet
    response = api_as(coordinator).post("/api/v1/supervision-sessions/", body, format="json")
    assert response.status_code == 400 and "held_on" in response.json()
    # another site's coordinator cannot name this site
    body.update(held_on="2026-11-18")
    response = api_as(outsider).post("/api/v1/supervision-sessions/", body, format="json")
    assert response.status_code == 400 and "site" in response.json()
    assert not SupervisionSession.objects.exists()
    response = api_as(coordinator).post("/api/v1/supervision-sessions/", body, format="json")
    assert response.status_code == 201
    assert response.json()["staff_email"] == caseworker.email


def test_a_person_with_two_roles_reads_their_own_sessions_only(site, coordinator, caseworker):
    both = f.site_member(site, "clinician", "caseworker", email="both@north.example.org")
    mine = SupervisionSession.objects.create(
        site=site,
        staff=both,
        supervisor=coordinator,
        held_on=TODAY,
        minutes=30,
        kind="individual",
        recorded_by=coordinator,
    )
    theirs = SupervisionSession.objects.create(
        site=site,
        staff=caseworker,
        supervisor=coordinator,
        held_on=TODAY,
        minutes=30,
        kind="individual",
        recorded_by=coordinator,
    )
    ids = {row["id"] for row in api_as(both).get("/api/v1/supervision-sessions/").json()["results"]}
    assert ids == {mine.pk}
    assert api_as(both).get(f"/api/v1/supervision-sessions/{theirs.pk}/").status_code == 404
    ids = {
        row["id"]
        for row in api_as(coordinator).get("/api/v1/supervision-sessions/").json()["results"]
    }
    assert ids == {mine.pk, theirs.pk}


# --- IECMH consultations -----------------------------------------------------------------------


def test_a_clinician_logs_their_consultation_and_a_caseworker_cannot(
    site, clinician, caseworker, coordinator
):
    body = {
        "consultant_email": clinician.email,
        "held_on": "2026-11-18",
        "consultee": "child_care_provider",
        "need": "behaviour",
        "mode": "indirect",
        "minutes": "45",
    }
    assert browser(clinician).post("/workforce/consultations/new/", body).status_code == 302
    row = Consultation.objects.get()
    assert row.consultant == clinician
    assert browser(caseworker).get("/workforce/consultations/new/").status_code == 404
    assert browser(caseworker).get(f"/workforce/consultations/{row.pk}/").status_code == 404
    assert row.pk in browser(coordinator).get("/workforce/consultations/").content.decode()
    # a clinician names themselves, not a colleague
    colleague = f.site_member(site, "clinician", email="colleague@north.example.org")
    response = browser(colleague).post("/workforce/consultations/new/", body)
    assert response.status_code == 400
    assert "consultant_email" in response.context["form"].errors
    assert Consultation.objects.count() == 1


def test_the_coordinator_logs_a_consultant_without_an_account(site, coordinator):
    response = api_as(coordinator).post(
        "/api/v1/consultations/",
        {
            "site": "north",
            "consultant_name": "Dr. Lin (partner agency)",
            "held_on": "2026-11-10",
            "consultee": "judge",
            "need": "development",
            "mode": "direct",
            "minutes": 20,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["consultant_email"] is None
    response = api_as(coordinator).post(
        "/api/v1/consultations/",
        {
            "site": "north",
            "held_on": "2026-11-10",
            "consultee": "nobody",
            "need": "x",
            "mode": "direct",
            "minutes": 20,
        },
        format="json",
    )
    assert response.status_code == 400 and {"consultee", "need"} <= set(response.json())


# --- Trainings ---------------------------------------------------------------------------------


def test_the_coordinator_records_a_training_with_staff_and_providers(
    site, coordinator, caseworker, parent_attorney, outsider
):
    response = api_as(coordinator).post(
        "/api/v1/trainings/",
        {
            "site": "north",
            "title": "Secondary traumatic stress",
            "held_on": "2026-11-12",
            "hours": "2.5",
            "topics": ["sts", "iecmh"],
            "attendees": [
                {"email": caseworker.email},
                {"name": "Kim Provider", "organisation": "Early Head Start"},
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    training = Training.objects.get()
    assert sorted(training.topics) == ["iecmh", "sts"]
    assert TrainingAttendance.objects.filter(training=training).count() == 2
    # every professional of the site reads it (not another site's, not a parent)
    page = browser(parent_attorney).get(f"/workforce/trainings/{training.pk}/")
    assert page.status_code == 200 and "Kim Provider (Early Head Start)" in page.content.decode()
    assert (
        browser(parent_attorney).post(f"/workforce/trainings/{training.pk}/", {}).status_code == 403
    )
    assert browser(outsider).get(f"/workforce/trainings/{training.pk}/").status_code == 404
    # a bad attendee is a 400 naming `attendees`, and nothing changes
    response = api_as(coordinator).patch(
        f"/api/v1/trainings/{training.pk}/",
        {"attendees": [{"email": outsider.email}]},
        format="json",
    )
    assert response.status_code == 400 and "attendees" in response.json()
    assert TrainingAttendance.objects.filter(training=training).count() == 2
    # the list replaces the one before; one audit event per attendance row written
    response = api_as(coordinator).patch(
        f"/api/v1/trainings/{training.pk}/",
        {"attendees": [{"email": caseworker.email}]},
        format="json",
    )
    assert response.status_code == 200
    assert [a["email"] for a in response.json()["attendees"]] == [caseworker.email]
    events = AuditEvent.objects.filter(record_type="workforce.trainingattendance")
    assert sorted(events.values_list("action", flat=True)) == ["create", "create", "delete"]


def test_the_training_list_takes_the_same_queries_whatever_its_size(site, coordinator, caseworker):
    def add(n):
        for i in range(n):
            training = Training.objects.create(
                site=site,
                title=f"T{i}",
                held_on=TODAY,
                hours=1,
                topics=["other"],
                recorded_by=coordinator,
            )
            TrainingAttendance.objects.create(training=training, user=caseworker)
            TrainingAttendance.objects.create(training=training, name="P", organisation="O")

    client = api_as(caseworker)
    add(1)
    client.get("/api/v1/trainings/")  # the caller's roles are read once, then kept
    with CaptureQueriesContext(connection) as one:
        client.get("/api/v1/trainings/")
    add(5)
    with CaptureQueriesContext(connection) as six:
        response = client.get("/api/v1/trainings/")
    assert response.json()["count"] == 6
    assert len(six.captured_queries) == len(one.captured_queries) == 5


# --- The program page --------------------------------------------------------------------------


def test_the_program_page_counts_the_work_without_names(
    site, coordinator, clinician, caseworker, sit_member, parent_mentor, outsider
):
    for need, mode in [("behaviour", "direct"), ("behaviour", "indirect"), ("trauma", "direct")]:
        Consultation.objects.create(
            site=site,
            consultant=clinician,
            held_on=TODAY,
            consultee="caseworker",
            need=need,
            mode=mode,
            minutes=30,
            recorded_by=clinician,
        )
    SupervisionSession.objects.create(
        site=site,
        staff=caseworker,
        supervisor=clinician,
        held_on=TODAY - dt.timedelta(days=3),
        minutes=90,
        kind="individual",
        recorded_by=clinician,
    )
    training = Training.objects.create(
        site=site,
        title="Reflective practice",
        held_on=TODAY,
        hours="1.5",
        topics=["sts"],
        recorded_by=coordinator,
    )
    TrainingAttendance.objects.create(training=training, user=caseworker)
    page = browser(sit_member).get("/cqi/north/workforce/")
    assert page.status_code == 200
    html = page.content.decode()
    month = html.split('data-month="2026-11-01"')[1].split("</tr>")[0]
    cells = [cell.split(">")[-1] for cell in month.split("</td>")[:3]]
    assert cells == ["3", "2", "1"]  # consultations, direct, indirect
    assert "Behaviour 2" in month and "Trauma 1" in month
    coverage = html.split('class="mb-0 supervision-coverage"')[1].split("</p>")[0]
    assert "<strong>1</strong>" in coverage and "<strong>1.5</strong>" in coverage
    for person in (clinician, caseworker, coordinator):
        assert person.email not in html and person.full_name not in html
    assert "Reflective practice" not in html
    # a professional without the program's figures, another site's coordinator: not found
    assert browser(parent_mentor).get("/cqi/north/workforce/").status_code == 404
    assert browser(outsider).get("/cqi/north/workforce/").status_code == 404


def test_the_data_story_counts_the_work_of_its_period(site, coordinator, clinician, caseworker):
    """Issue 22 item 8: the data story counts consultations, trainings (hours, attendances)
    and reflective supervision of its period, no names; rows outside the period do not count."""
    for day, mode in [
        (TODAY, "direct"),
        (dt.date(2026, 10, 2), "indirect"),
        (dt.date(2025, 1, 5), "direct"),
    ]:
        Consultation.objects.create(
            site=site,
            consultant=clinician,
            held_on=day,
            consultee="resource_parent",
            need="attachment",
            mode=mode,
            minutes=30,
            recorded_by=clinician,
        )
    for hours, people in (("2.5", 3), ("1.0", 1)):
        training = Training.objects.create(
            site=site,
            title="Keeping the baby in mind",
            held_on=dt.date(2026, 10, 20),
            hours=hours,
            topics=["iecmh"],
            recorded_by=coordinator,
        )
        for number in range(people):
            TrainingAttendance.objects.create(
                training=training, name=f"Provider {number}", organisation="Early Head Start"
            )
    SupervisionSession.objects.create(
        site=site,
        staff=caseworker,
        supervisor=clinician,
        held_on=dt.date(2026, 11, 2),
        minutes=60,
        kind="individual",
        recorded_by=clinician,
    )
    page = browser(coordinator).get("/cqi/north/story/?start=2026-09-01&end=2026-11-20")
    assert page.status_code == 200
    html = page.content.decode()
    work = html.split('data-story="work">')[1].split("</p>")[0]
    assert "consultations: 2 (1 direct, 1 indirect)" in work
    assert "Trainings: 2, 3.5 hours, 4 attendances" in work  # hours not counted per attendee
    assert "Reflective supervision sessions: 1 (1 staff)" in work
    assert caseworker.full_name not in work and clinician.full_name not in work


# --- The coordinator's caseload intensity -----------------------------------------------------


def test_the_coordinators_home_shows_families_in_crisis_and_removals_this_month(site, coordinator):
    def family(name, removal=dt.date(2026, 3, 1)):
        case = f.CaseFactory(site=site, name=name)
        child = f.ChildFactory(case=case)
        episode = f.EpisodeFactory(child=child, removal_date=removal)
        f.PlacementFactory(episode=episode)
        return case, child, episode

    family("Calm family")
    family("Removed this month", removal=dt.date(2026, 11, 3))
    family("Removed last month", removal=dt.date(2026, 10, 25))  # within 30 days: in crisis
    _, _, episode = family("Moved family")
    f.PlacementFactory(episode=episode, start_date=dt.date(2026, 11, 15))
    _, child, _ = family("Reported family")
    MaltreatmentReport.objects.create(
        child=child, reported_on=dt.date(2026, 11, 1), disposition="substantiated"
    )
    _, _, old = family("Moved long ago")
    f.PlacementFactory(episode=old, start_date=dt.date(2026, 6, 1))
    response = browser(coordinator).get("/")
    caseload = response.context["caseload"]
    assert (caseload.open_cases, caseload.in_crisis, caseload.removals_this_month) == (6, 4, 1)
    html = response.content.decode()
    assert 'data-figure="crisis">4<' in html


# --- The demo ----------------------------------------------------------------------------------


def test_the_demo_site_shows_the_work_and_a_well_being_aggregate():
    from io import StringIO

    from django.core.management import call_command

    call_command("seed_demo", stdout=StringIO())
    sit = User.objects.get(email="site_implementation@demo.safebabies.test")
    html = browser(sit).get("/cqi/demo/workforce/").content.decode()
    month = html.split('data-month="2026-11-01"')[1].split("</tr>")[0]
    assert "5 people" in month
    previous = html.split('data-month="2026-10-01"')[1].split("</tr>")[0]
    assert "fewer than 5 people: not shown" in previous
    clinician = User.objects.get(email="clinician@demo.safebabies.test")
    page = browser(clinician).get("/workforce/consultations/").content.decode()
    assert page.count("data-record=") == 5
    assert Training.objects.filter(pk="demo-training-01").get().attendance.count() == 6


def test_the_supervision_page_takes_the_same_queries_whatever_its_size(
    site, coordinator, caseworker, clinician
):
    def add(n):
        for _ in range(n):
            SupervisionSession.objects.create(
                site=site,
                staff=caseworker,
                supervisor=clinician,
                held_on=TODAY,
                minutes=30,
                kind="individual",
                recorded_by=coordinator,
            )

    client = browser(coordinator)
    add(1)
    client.get("/workforce/supervision/")
    with CaptureQueriesContext(connection) as one:
        client.get("/workforce/supervision/")
    add(6)
    with CaptureQueriesContext(connection) as seven:
        response = client.get("/workforce/supervision/")
    assert len(response.context["rows"]) == 7
    assert len(seven.captured_queries) == len(one.captured_queries)
