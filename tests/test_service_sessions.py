"""Services as they are delivered and screening the whole family (issue 22 items 3 and 4).

- sessions of a service (`ServiceSession`): logged by the case's writers on the service's
  sessions page and in the API, read as their service is read (a Part 2 service's sessions
  under its release only), with a falling-attendance flag on the case page and the Community
  Coordinator's home page, and outreach after a missed session shown until it is done;
- a referred -> started -> completed funnel per service type (counts only; small cells hidden
  from aggregate-only roles);
- the parents' screens (housing, basic needs, IPV, trauma): an IPV screen read only by the
  Community Coordinator, site admins, the caseworker and the clinician;
- service priority: concrete needs first, as a badge, open services ordered by it.

Who may do what for every role is tests/test_permission_matrix.py's (`service_session`,
`ipv_screening`); here, the rules on the rows and the pages and API that carry them.
"""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from assessments.models import Screening, Service, ServiceSession
from assessments.selectors import attendance_of, service_priority
from safebabies import codes
from safebabies.audit.models import AuditEvent
from tests import factories as f
from tests.test_api import bearer

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 23, 18, 0, tzinfo=dt.UTC)  # noon at the site (America/Chicago)
TODAY = dt.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def cpp(family):
    """Weekly child-parent psychotherapy, active since the summer."""
    return Service.objects.create(
        case=family,
        child=family.test_child,
        recipient=codes.ServiceRecipient.DYAD,
        service_type=codes.ServiceType.CHILD_PARENT_PSYCHOTHERAPY,
        provider="Harbor Clinic",
        referred_on=dt.date(2026, 6, 1),
        started_on=dt.date(2026, 6, 15),
        status=codes.ServiceStatus.ACTIVE,
    )


@pytest.fixture
def part2_service(family):
    return Service.objects.create(
        case=family,
        person=family.test_parent,
        recipient=codes.ServiceRecipient.PARENT,
        service_type=codes.ServiceType.SUBSTANCE_USE_TREATMENT,
        provider="Quorlax Recovery",
        referred_on=dt.date(2026, 6, 1),
        started_on=dt.date(2026, 6, 2),
        status=codes.ServiceStatus.ACTIVE,
    )


def weekly(service, pattern: str, last: dt.date = dt.date(2026, 11, 18)) -> list[ServiceSession]:
    """Sessions a week apart ending on `last`, oldest first: `A` attended, `M` missed, `P`
    cancelled by the provider, `F` cancelled by the family."""
    kinds = {"A": "attended", "M": "missed", "P": "cancelled_provider", "F": "cancelled_family"}
    days = [last - dt.timedelta(weeks=n) for n in range(len(pattern) - 1, -1, -1)]
    return [
        ServiceSession.objects.create(
            service=service,
            held_on=day,
            attendance=kinds[mark],
            caregiver="birth_parent" if mark == "A" else "",
            minutes=60 if mark == "A" else None,
        )
        for day, mark in zip(days, pattern, strict=True)
    ]


# --- The falling-attendance rule ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "falling"),
    [
        ("AAAAAAAA", False),
        ("AAAAAMAM", True),  # 100% then 50%, though never two in a row
        ("AAAAMM", True),  # two missed in a row
        ("AAAAAFM", True),  # cancelled by the family counts as absent
        ("AAAAAMPM", True),  # a provider's cancellation counts neither way: M, M in a row
        ("AAAAAPAP", False),
        ("AAAMAMAA", False),  # 75% then 75%
        ("AAAAMAMA", True),  # 100% then 50%
        ("AMAMAMAA", False),  # 50% then 75%: rising
        ("MAM", False),  # too few to compare, not two in a row
    ],
)
def test_attendance_falls_after_two_absences_in_a_row_or_from_75_to_50_percent(
    cpp, pattern, falling
):
    assert attendance_of(weekly(cpp, pattern)).falling is falling


def test_the_rates_compare_the_last_four_sessions_with_the_four_before(cpp):
    trend = attendance_of(weekly(cpp, "AAAMMAAM"))
    assert (trend.earlier_percent, trend.recent_percent) == (75, 50)
    assert trend.absent_in_a_row == 1


# --- Logging sessions: the page ------------------------------------------------------------------


def test_the_caseworker_logs_a_session_on_the_services_page(client_for, caseworker, family, cpp):
    url = reverse("service-sessions", args=[family.pk, cpp.pk])
    client = client_for(caseworker)
    page = client.get(url)
    assert page.status_code == 200
    assert "Log a session" in page.content.decode()
    response = client.post(
        url,
        {
            "held_on": "2026-11-18",
            "attendance": "attended",
            "caregiver": "resource_parent",
            "minutes": "50",
            "note": "Played with the blocks together.",
        },
    )
    assert response.status_code == 302
    session = ServiceSession.objects.get(service=cpp)
    assert (session.attendance, session.caregiver, session.minutes) == (
        "attended",
        "resource_parent",
        50,
    )
    assert session.logged_by == caseworker
    assert AuditEvent.objects.filter(
        action="create", record_id=session.pk, case_id=family.pk
    ).exists()
    shown = client.get(url).content.decode()
    assert "Played with the blocks together." in shown
    assert "Resource parent" in shown


def test_bad_input_names_the_field_and_writes_nothing(client_for, caseworker, family, cpp):
    url = reverse("service-sessions", args=[family.pk, cpp.pk])
    client = client_for(caseworker)
    for data, field in [
        ({"held_on": "2026-12-30", "attendance": "attended"}, "held_on"),  # the future
        ({"held_on": "2026-05-01", "attendance": "attended"}, "held_on"),  # before the referral
        ({"held_on": "2026-11-18", "attendance": "maybe"}, "attendance"),
        ({"held_on": "2026-11-18", "attendance": "missed", "minutes": "30"}, "minutes"),
    ]:
        response = client.post(url, data)
        assert response.status_code == 200, data
        assert field in response.context["form"].errors, (data, response.context["form"].errors)
    assert not ServiceSession.objects.exists()


def test_readers_see_the_sessions_but_only_writers_log_them(
    client_for, parent_attorney, parent_mentor, judge, family, cpp
):
    weekly(cpp, "AA")
    url = reverse("service-sessions", args=[family.pk, cpp.pk])
    for reader in (parent_attorney, parent_mentor, judge):
        client = client_for(reader)
        page = client.get(url)
        assert page.status_code == 200
        assert "Log a session" not in page.content.decode()
        refused = client.post(url, {"held_on": "2026-11-18", "attendance": "attended"})
        assert refused.status_code == 403
    assert ServiceSession.objects.count() == 2


def test_an_outsider_and_another_caseworker_get_404(
    client_for, outsider, other_caseworker, family, cpp
):
    url = reverse("service-sessions", args=[family.pk, cpp.pk])
    for stranger in (outsider, other_caseworker):
        client = client_for(stranger)
        assert client.get(url).status_code == 404
        assert client.post(
            url, {"held_on": "2026-11-18", "attendance": "attended"}
        ).status_code == (404)
    assert not ServiceSession.objects.exists()


def test_a_service_of_another_family_is_a_404_under_this_familys_url(
    client_for, caseworker, site, family, cpp
):
    other = f.CaseFactory(site=site, name="Okafor family")
    f.TeamMemberFactory(case=other, user=caseworker, role="caseworker")
    url = reverse("service-sessions", args=[other.pk, cpp.pk])
    assert client_for(caseworker).get(url).status_code == 404


def test_the_sessions_page_refuses_other_methods(client_for, caseworker, family, cpp):
    url = reverse("service-sessions", args=[family.pk, cpp.pk])
    assert client_for(caseworker).put(url).status_code == 405
    outreach = reverse("session-outreach-done", args=[family.pk, weekly(cpp, "M")[0].pk])
    assert client_for(caseworker).get(outreach).status_code == 405


# --- Part 2: a substance-use treatment service's sessions are hidden like it --------------------


def test_a_part2_services_sessions_are_hidden_like_the_service(
    client_for, coordinator, caseworker, family, part2_service
):
    sessions = weekly(part2_service, "AAMM")
    url = reverse("service-sessions", args=[family.pk, part2_service.pk])
    # no release yet: nobody reads them, not even the coordinator
    for user in (coordinator, caseworker):
        assert client_for(user).get(url).status_code == 404
        listed = bearer(user).get(f"/api/v1/service-sessions/?case={family.pk}").json()
        assert listed["count"] == 0
        assert bearer(user).get(f"/api/v1/service-sessions/{sessions[0].pk}/").status_code == 404
    home = client_for(coordinator).get("/").content.decode()
    assert "Quorlax Recovery" not in home
    assert "Substance use" not in home
    # Dorothy's release to the caseworker role opens them to the caseworker only
    f.ConsentFactory(
        case=family,
        person=family.test_parent,
        category="substance_use_treatment",
        recipient_role="caseworker",
    )
    assert client_for(caseworker).get(url).status_code == 200
    detail = bearer(caseworker).get(f"/api/v1/service-sessions/{sessions[0].pk}/").json()
    assert detail["redisclosure_notice"]
    assert client_for(coordinator).get(url).status_code == 404
    assert bearer(coordinator).get(f"/api/v1/service-sessions/{sessions[0].pk}/").status_code == (
        404
    )
    # nor may the coordinator log one through the API
    posted = bearer(coordinator).post(
        "/api/v1/service-sessions/",
        {"service_id": part2_service.pk, "held_on": "2026-11-20", "attendance": "attended"},
        format="json",
    )
    assert posted.status_code == 400 and "service_id" in posted.json()


# --- The API --------------------------------------------------------------------------------------


def test_the_api_logs_lists_and_changes_a_session(caseworker, family, cpp):
    api = bearer(caseworker)
    created = api.post(
        "/api/v1/service-sessions/",
        {
            "service_id": cpp.pk,
            "held_on": "2026-11-18",
            "attendance": "missed",
            "caregiver": "birth_parent",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["needs_outreach"] is True and body["case_id"] == family.pk
    assert body["redisclosure_notice"] is None
    listed = api.get(f"/api/v1/service-sessions/?case={family.pk}").json()
    assert [row["id"] for row in listed["results"]] == [body["id"]]
    changed = api.patch(
        f"/api/v1/service-sessions/{body['id']}/", {"outreach_done_on": "2026-11-19"}, format="json"
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["needs_outreach"] is False
    corrected = api.patch(
        f"/api/v1/service-sessions/{body['id']}/", {"attendance": "attended"}, format="json"
    )
    assert corrected.status_code == 200
    assert corrected.json()["outreach_done_on"] is None  # outreach follows a missed session


def test_the_api_answers_bad_input_with_a_400_naming_the_field(caseworker, family, cpp):
    api = bearer(caseworker)
    for body, field in [
        ({"held_on": "2026-11-18", "attendance": "attended"}, "service_id"),
        ({"service_id": "nope", "held_on": "2026-11-18", "attendance": "attended"}, "service_id"),
        ({"service_id": cpp.pk, "held_on": "2026-11-18", "attendance": "late"}, "attendance"),
        ({"service_id": cpp.pk, "held_on": "2027-01-01", "attendance": "attended"}, "held_on"),
        ({"service_id": cpp.pk, "held_on": "9999-01-01", "attendance": "attended"}, "held_on"),
        (
            {"service_id": cpp.pk, "held_on": "2026-11-18", "attendance": "attended", "minutes": 0},
            "minutes",
        ),
        (
            {
                "service_id": cpp.pk,
                "held_on": "2026-11-18",
                "attendance": "attended",
                "note": "\x00",
            },
            "note",
        ),
    ]:
        response = api.post("/api/v1/service-sessions/", body, format="json")
        assert response.status_code == 400, (body, response.status_code)
        assert field in response.json(), (body, response.json())
    assert not ServiceSession.objects.exists()


def test_read_only_roles_get_403_and_outsiders_400_on_a_post(
    parent_attorney, parent_mentor, outsider, family, cpp
):
    body = {"service_id": cpp.pk, "held_on": "2026-11-18", "attendance": "attended"}
    for reader in (parent_attorney, parent_mentor):
        assert bearer(reader).post(
            "/api/v1/service-sessions/", body, format="json"
        ).status_code == (403)
    assert bearer(outsider).post("/api/v1/service-sessions/", body, format="json").status_code == (
        400
    )
    session = weekly(cpp, "A")[0]
    patch = bearer(parent_attorney).patch(
        f"/api/v1/service-sessions/{session.pk}/", {"minutes": 30}, format="json"
    )
    assert patch.status_code == 403
    assert bearer(outsider).get(f"/api/v1/service-sessions/{session.pk}/").status_code == 404


def test_the_list_costs_the_same_queries_whatever_its_size(
    caseworker, family, cpp, django_assert_max_num_queries
):
    weekly(cpp, "AM")
    api = bearer(caseworker)
    api.get("/api/v1/service-sessions/")  # warm
    with django_assert_max_num_queries(50) as few:
        api.get(f"/api/v1/service-sessions/?case={family.pk}")
    weekly(cpp, "AMAMAMAMAMAM", last=dt.date(2026, 11, 20))
    with django_assert_max_num_queries(50) as many:
        api.get(f"/api/v1/service-sessions/?case={family.pk}")
    assert len(few.captured_queries) == len(many.captured_queries)


# --- The flag and the outreach, on the case page and the coordinator's home --------------------


def test_falling_attendance_flags_the_service_on_the_case_page_and_the_coordinators_home(
    client_for, coordinator, caseworker, family, cpp
):
    weekly(cpp, "AAAAAAMM")
    case_page = client_for(caseworker).get(reverse("case-detail", args=[family.pk]))
    assert "Attendance is falling" in case_page.content.decode()
    home = client_for(coordinator).get("/").content.decode()
    assert "Attendance is falling" in home
    assert f'data-record="{cpp.pk}"' in home
    # the family comes again (the last 4: missed once, then 3 attended, 75%): the flag goes
    for day in (20, 21, 22):
        ServiceSession.objects.create(
            service=cpp, held_on=dt.date(2026, 11, day), attendance="attended"
        )
    assert "Attendance is falling" not in client_for(coordinator).get("/").content.decode()


def test_a_completed_service_is_not_flagged(client_for, coordinator, family, cpp):
    weekly(cpp, "AAAAAAMM")
    Service.objects.filter(pk=cpp.pk).update(
        status=codes.ServiceStatus.COMPLETED, ended_on=dt.date(2026, 11, 20)
    )
    assert "Attendance is falling" not in client_for(coordinator).get("/").content.decode()


def test_a_missed_session_asks_for_outreach_until_it_is_done(
    client_for, coordinator, caseworker, parent_attorney, family, cpp
):
    missed = weekly(cpp, "AM")[1]
    home = client_for(coordinator).get("/").content.decode()
    assert f'data-record="{missed.pk}"' in home and "Outreach due" in home
    outreach = reverse("session-outreach-done", args=[family.pk, missed.pk])
    assert client_for(parent_attorney).post(outreach).status_code == 403
    assert client_for(caseworker).post(outreach).status_code == 302
    missed.refresh_from_db()
    assert missed.outreach_done_on == TODAY
    assert AuditEvent.objects.filter(action="update", record_id=missed.pk).exists()
    assert f'data-record="{missed.pk}"' not in client_for(coordinator).get("/").content.decode()


def test_outreach_under_another_familys_url_is_a_404(client_for, caseworker, site, family, cpp):
    missed = weekly(cpp, "M")[0]
    other = f.CaseFactory(site=site, name="Okafor family")
    f.TeamMemberFactory(case=other, user=caseworker, role="caseworker")
    url = reverse("session-outreach-done", args=[other.pk, missed.pk])
    assert client_for(caseworker).post(url).status_code == 404
    missed.refresh_from_db()
    assert missed.outreach_done_on is None


def test_the_home_page_shows_another_sites_sessions_to_nobody(client_for, outsider, family, cpp):
    weekly(cpp, "AAAAAAMM")
    assert "Attendance is falling" not in client_for(outsider).get("/").content.decode()


# --- Screening the whole family ------------------------------------------------------------------


@pytest.fixture
def ipv(family):
    return Screening.objects.create(
        case=family,
        person=family.test_parent,
        subject=codes.ScreeningSubject.PARENT,
        instrument=codes.Instrument.IPV,
        screened_on=dt.date(2026, 11, 2),
        result=codes.ScreeningResult.REFER,
    )


def test_an_ipv_screen_is_read_by_the_cc_admin_caseworker_and_clinician_only(
    coordinator, site_admin, caseworker, clinician, parent_attorney, parent_mentor, judge, ipv
):
    for reader in (coordinator, site_admin, caseworker, clinician):
        assert bearer(reader).get(f"/api/v1/screenings/{ipv.pk}/").status_code == 200
    for other in (parent_attorney, parent_mentor, judge):
        assert bearer(other).get(f"/api/v1/screenings/{ipv.pk}/").status_code == 404
        listed = bearer(other).get(f"/api/v1/screenings/?case={ipv.case_id}").json()
        assert ipv.pk not in [row["id"] for row in listed["results"]]


def test_the_case_plan_shows_an_ipv_screen_only_to_those_who_read_it(
    client_for, caseworker, parent_attorney, judge, family, ipv
):
    url = reverse("case-plan", args=[family.pk])
    assert "Intimate-partner violence screen" in client_for(caseworker).get(url).content.decode()
    for other in (parent_attorney, judge):
        assert "Intimate-partner violence" not in client_for(other).get(url).content.decode()


def test_the_parents_screens_are_a_parents_not_a_childs(caseworker, family):
    api = bearer(caseworker)
    for instrument in ("housing", "basic_needs", "ipv"):
        response = api.post(
            "/api/v1/screenings/",
            {
                "child_id": family.test_child.pk,
                "subject": "child",
                "instrument": instrument,
                "screened_on": "2026-11-02",
            },
            format="json",
        )
        assert response.status_code == 400 and "instrument" in response.json(), instrument
    ipv_with_child = api.post(
        "/api/v1/screenings/",
        {
            "case_id": family.pk,
            "child_id": family.test_child.pk,
            "subject": "parent",
            "instrument": "ipv",
            "screened_on": "2026-11-02",
        },
        format="json",
    )
    assert ipv_with_child.status_code == 400 and "child_id" in ipv_with_child.json()
    for instrument in ("housing", "basic_needs", "ipv", "trauma"):
        created = api.post(
            "/api/v1/screenings/",
            {
                "case_id": family.pk,
                "person_id": family.test_parent.pk,
                "subject": "parent",
                "instrument": instrument,
                "screened_on": "2026-11-02",
                "result": "refer",
            },
            format="json",
        )
        assert created.status_code == 201, (instrument, created.json())


# --- Service priority: concrete needs first -------------------------------------------------------


def test_priority_comes_from_the_service_type_and_the_concrete_needs_screens():
    assert service_priority("housing") == 1
    assert service_priority("concrete_needs") == 1
    assert service_priority("child_care") == 1
    assert service_priority("domestic_violence") == 2
    assert service_priority("child_parent_psychotherapy") == 3
    assert service_priority("other", from_concrete_needs_screen=True) == 1


def test_the_case_plan_lists_open_services_by_priority_with_a_badge(
    client_for, caseworker, family, cpp
):
    housing = Service.objects.create(
        case=family,
        recipient=codes.ServiceRecipient.FAMILY,
        service_type=codes.ServiceType.HOUSING,
        referred_on=dt.date(2026, 11, 1),
    )
    other = Service.objects.create(
        case=family,
        recipient=codes.ServiceRecipient.PARENT,
        person=family.test_parent,
        service_type=codes.ServiceType.OTHER,
        provider="Food bank",
        referred_on=dt.date(2026, 11, 3),
    )
    Screening.objects.create(
        case=family,
        person=family.test_parent,
        subject=codes.ScreeningSubject.PARENT,
        instrument=codes.Instrument.BASIC_NEEDS,
        screened_on=dt.date(2026, 11, 2),
        result=codes.ScreeningResult.REFER,
        referral=other,
    )
    body = client_for(caseworker).get(reverse("case-plan", args=[family.pk])).content.decode()
    order = [body.index(f'id="service-{s.pk}"') for s in (housing, other, cpp)]
    assert order == sorted(order)
    assert body.count("1 · Concrete needs") == 2


# --- The funnel: referred -> started -> completed, per service type ------------------------------


def _services(case, service_type, referred, started, completed):
    """`referred` services referred in October, `started` of them started, `completed` of
    those completed."""
    for n in range(referred):
        is_started, is_completed = n < started, n < completed
        Service.objects.create(
            case=case,
            recipient=codes.ServiceRecipient.FAMILY,
            service_type=service_type,
            referred_on=dt.date(2026, 10, 1),
            started_on=dt.date(2026, 10, 5) if is_started else None,
            ended_on=dt.date(2026, 11, 1) if is_completed else None,
            status="completed" if is_completed else "active" if is_started else "referred",
        )


FUNNEL_PERIOD = "?start=2026-08-01&end=2026-10-31"


def test_the_coordinator_sees_where_families_drop_off(client_for, coordinator, family):
    _services(family, "housing", 10, 8, 5)
    _services(family, "parenting", 3, 1, 0)
    page = client_for(coordinator).get(reverse("cqi-funnel", args=["north"]) + FUNNEL_PERIOD)
    assert page.status_code == 200
    funnel = page.context["funnel"]
    rows = {row.label: row for row in funnel.rows}
    housing = rows["Housing"]
    assert (housing.referred, housing.not_started, housing.started) == (10, 2, 8)
    assert (housing.not_completed, housing.completed) == (3, 5)
    assert (rows["Parenting"].referred, rows["Parenting"].started) == (3, 1)
    assert (funnel.total.referred, funnel.total.started, funnel.total.completed) == (13, 9, 5)
    assert AuditEvent.objects.filter(record_type="cqi_funnel", action="view").exists()
    assert "Rivera" not in page.content.decode()


def test_the_site_implementation_team_sees_counts_without_small_cells(
    client_for, sit_member, family
):
    _services(family, "housing", 10, 8, 5)
    _services(family, "parenting", 3, 1, 0)
    page = client_for(sit_member).get(reverse("cqi-funnel", args=["north"]) + FUNNEL_PERIOD)
    assert page.status_code == 200
    funnel = page.context["funnel"]
    rows = {row.label: row for row in funnel.rows}
    # housing: 10 referred, 8 started, 5 completed, 2 not started (a small cell), 3 started and
    # not completed: none of its numbers show (10 - 8 would give the 2 back)
    housing = rows["Housing"]
    assert [str(housing.referred), str(housing.started), str(housing.completed)] == ["hidden"] * 3
    assert [str(housing.not_started), str(housing.not_completed)] == ["fewer than 5"] * 2
    assert str(rows["Parenting"].referred) == "fewer than 5"
    # the totals would give the hidden rows back: hidden too
    assert str(funnel.total.referred) == "hidden"
    body = page.content.decode()
    assert ">10<" not in body and ">13<" not in body


def test_the_funnel_of_another_site_is_a_404(client_for, outsider, family):
    url = reverse("cqi-funnel", args=["north"])
    assert client_for(outsider).get(url).status_code == 404


def test_only_the_coordinators_home_lists_attendance_and_outreach(
    client_for, caseworker, judge, family, cpp
):
    weekly(cpp, "AAAAAAMM")
    for other in (caseworker, judge):
        home = client_for(other).get("/").content.decode()
        assert "Services: attendance and outreach" not in home


def test_a_parent_reads_no_session_of_their_family(site, family, cpp):
    sessions = weekly(cpp, "AM")
    parent = f.site_member(site, "parent", email="dorothy@example.org")
    f.TeamMemberFactory(case=family, user=parent, role="parent", person=family.test_parent)
    api = bearer(parent)
    assert api.get(f"/api/v1/service-sessions/{sessions[0].pk}/").status_code == 404
    assert api.get("/api/v1/service-sessions/").json()["count"] == 0
