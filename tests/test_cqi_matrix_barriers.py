"""The collaborative practice progress matrix (seed 004) and the Active Community Team's view
of barriers to services."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from cqi.models import PracticeScore
from cqi.practice_matrix import ELEMENTS, Level
from safebabies import codes
from safebabies.audit.models import AuditEvent
from tests.test_cqi_metrics import ServiceFactory, new_child

pytestmark = pytest.mark.django_db

D = dt.date
PERIOD = {"start": "2024-01-01", "end": "2024-12-31"}


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(dt.datetime(2025, 2, 14, 18, 0, tzinfo=dt.UTC), tick=False):
        yield


def matrix_url(slug="north"):
    return reverse("cqi-matrix", args=[slug])


# --- the matrix ------------------------------------------------------------------------------


def test_matrix_lists_every_element_of_the_seed_with_its_descriptors():
    names = [name for _, name, _ in ELEMENTS]
    assert names == [
        "Collaboration Mission, Underlying Values, and Principles",
        "Screening and Assessment",
        "Engagement and Retention",
        "Services to Children of Parents with Substance Use Disorders",
        "Working with the Community and Supporting Families",
        "Efficient Communication and Sharing Information Systems",
        "Budgeting and Program Sustainability",
        "Training and Staff Development",
        "Working with Other Agencies",
        "Joint Accountability and Shared Outcomes",
    ]
    for _, _, levels in ELEMENTS:
        assert len(levels) == 3 and all(levels)
    screening = dict((code, levels) for code, _, levels in ELEMENTS)["screening_assessment"]
    assert screening[2] == (
        "The partners have jointly developed and implemented quality assurance mechanisms for "
        "interpreting assessment information across multiple agencies.",
    )


def test_the_page_shows_descriptors_to_every_cqi_role(client_for, judge):
    html = client_for(judge).get(matrix_url()).content.decode()
    assert "quality assurance mechanisms for interpreting assessment information" in html
    assert "Best practice" in html
    assert "Save the scores" not in html  # judges read it, they do not score it


@pytest.mark.parametrize("persona", ["sit_member", "coordinator", "site_admin"])
def test_scoring_roles_score_the_site_and_history_stays_side_by_side(
    client_for, request, site, persona
):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    first = client.post(
        matrix_url(),
        {
            "scored_on": "2024-06-01",
            "mission_values-level": Level.FUNDAMENTALS,
            "mission_values-notes": "Values inventory done with treatment and court partners",
            "screening_assessment-level": Level.FUNDAMENTALS,
        },
    )
    assert first.status_code == 302
    client.post(
        matrix_url(),
        {"scored_on": "2025-01-15", "mission_values-level": Level.GOOD},
    )
    scores = PracticeScore.objects.filter(site=site).order_by("scored_on", "element")
    assert [(s.scored_on, s.element, s.level) for s in scores] == [
        (D(2024, 6, 1), "mission_values", "fundamentals"),
        (D(2024, 6, 1), "screening_assessment", "fundamentals"),
        (D(2025, 1, 15), "mission_values", "good"),
    ]
    assert scores[0].scored_by == user
    page = client.get(matrix_url())
    assert page.context["dates"] == [D(2025, 1, 15), D(2024, 6, 1)]
    mission = next(e for e in page.context["elements"] if e["code"] == "mission_values")
    assert [s.level if s else None for s in mission["scores"]] == ["good", "fundamentals"]
    screening = next(e for e in page.context["elements"] if e["code"] == "screening_assessment")
    assert [s.level if s else None for s in screening["scores"]] == [None, "fundamentals"]
    html = page.content.decode()
    assert "Values inventory done with treatment and court partners" in html
    assert AuditEvent.objects.filter(record_type="cqi_practice_score").count() == 2


def test_scoring_the_same_day_again_corrects_that_days_score(client_for, sit_member, site):
    client = client_for(sit_member)
    for level in (Level.GOOD, Level.BEST):
        client.post(matrix_url(), {"scored_on": "2024-06-01", "other_agencies-level": level})
    assert list(PracticeScore.objects.values_list("level", flat=True)) == ["best"]


@pytest.mark.parametrize(
    "data, field",
    [
        ({"scored_on": "June", "mission_values-level": "good"}, "scored_on"),
        ({"scored_on": "2024-06-01"}, "scores"),
        (
            {
                "scored_on": "2024-06-01",
                "mission_values-level": "good",
                "other_agencies-level": "superb",
            },
            "other_agencies-level",
        ),
    ],
)
def test_bad_scoring_names_the_field_and_writes_nothing(client_for, sit_member, data, field):
    response = client_for(sit_member).post(matrix_url(), data)
    assert response.status_code == 400
    assert set(response.context["errors"]) == {field}
    assert not PracticeScore.objects.exists()


def test_judge_cannot_score(client_for, judge):
    response = client_for(judge).post(
        matrix_url(), {"scored_on": "2024-06-01", "mission_values-level": "good"}
    )
    assert response.status_code == 403
    assert not PracticeScore.objects.exists()


@pytest.mark.parametrize("persona", ["outsider", "caseworker", "parent_mentor"])
def test_others_get_404_on_the_matrix(client_for, request, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(matrix_url()).status_code == 404
    post = client.post(matrix_url(), {"scored_on": "2024-06-01", "mission_values-level": "good"})
    assert post.status_code == 404
    assert not PracticeScore.objects.exists()


def test_matrix_refuses_other_methods(client_for, sit_member):
    assert client_for(sit_member).put(matrix_url()).status_code == 405


def test_matrix_history_is_one_query(client_for, sit_member, site, django_assert_num_queries):
    for day in (1, 2, 3):
        PracticeScore.objects.create(
            site=site, element="mission_values", level="good", scored_on=D(2024, 1, day)
        )
    client = client_for(sit_member)
    client.get(matrix_url())
    # session, user, roles, site; the scores; the session's save (3)
    with django_assert_num_queries(8):
        client.get(matrix_url())


# --- barriers --------------------------------------------------------------------------------


def barrier_services(site, barrier, count, month=3, service_type=codes.ServiceType.HOUSING):
    child = new_child(site)
    for i in range(count):
        ServiceFactory(
            child=child,
            referred_on=D(2024, month, 1 + i),
            barrier=barrier,
            service_type=service_type,
        )


def barriers(client, slug="north"):
    return client.get(reverse("cqi-barriers", args=[slug]), PERIOD)


def test_barriers_by_month_and_service_type(client_for, coordinator, site, other_site):
    barrier_services(site, codes.ServiceBarrier.WAITLIST, 6, month=3)
    barrier_services(site, codes.ServiceBarrier.WAITLIST, 2, month=4,
                     service_type=codes.ServiceType.MENTAL_HEALTH)  # fmt: skip
    barrier_services(site, codes.ServiceBarrier.TRANSPORT, 3, month=4)
    barrier_services(site, "", 4, month=4)  # no barrier: not counted
    barrier_services(other_site, codes.ServiceBarrier.COST, 9)
    response = barriers(client_for(coordinator))
    assert response.status_code == 200
    by_month = response.context["by_month"]
    assert by_month.columns[2:4] == ["Mar 2024", "Apr 2024"]
    rows = {label: (cells, total) for label, cells, total in by_month.rows}
    assert rows["Waitlist"][0][2:4] == [6, 2] and rows["Waitlist"][1] == 8
    assert rows["Transport"][0][3] == 3
    assert rows["Cost or insurance"][1] == 0
    assert by_month.total == 11
    by_service = response.context["by_service"]
    assert by_service.columns == ["Mental health", "Housing"]
    rows = {label: cells for label, cells, _ in by_service.rows}
    assert rows["Waitlist"] == [2, 6] and rows["Transport"] == [0, 3]


def test_barrier_counts_under_5_are_hidden_for_the_site_implementation_team(
    client_for, sit_member, site
):
    barrier_services(site, codes.ServiceBarrier.WAITLIST, 6, month=3)
    barrier_services(site, codes.ServiceBarrier.TRANSPORT, 3, month=3)
    barrier_services(site, codes.ServiceBarrier.TRANSPORT, 7, month=5)
    response = barriers(client_for(sit_member))
    by_month = response.context["by_month"]
    rows = {label: (cells, total) for label, cells, total in by_month.rows}
    march = by_month.columns.index("Mar 2024")
    may = by_month.columns.index("May 2024")
    assert str(rows["Transport"][0][march]) == "fewer than 5"
    # the March total (9) less Waitlist's 6 would give the 3 away, and so would the
    # Transport total (10) less May's 7
    assert str(rows["Waitlist"][0][march]) == "hidden"
    assert str(rows["Transport"][0][may]) == "hidden"
    assert "fewer than 5" in response.content.decode()


def test_barriers_csv(client_for, sit_member, site):
    barrier_services(site, codes.ServiceBarrier.WAITLIST, 6, month=3)
    response = client_for(sit_member).get(
        reverse("cqi-csv", args=["north", "barriers-by-service"]), PERIOD
    )
    lines = response.content.decode().splitlines()
    assert lines[0] == "barrier,Housing,total"
    assert "Waitlist,6,6" in lines
    assert lines[-1] == "Total,6,6"


@pytest.mark.parametrize("persona", ["outsider", "caseworker"])
def test_barriers_page_is_404_for_others(client_for, request, persona):
    assert barriers(client_for(request.getfixturevalue(persona))).status_code == 404


def test_barriers_page_refuses_post(client_for, sit_member):
    assert client_for(sit_member).post(reverse("cqi-barriers", args=["north"])).status_code == 405


# --- the home page links ---------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["sit_member", "coordinator", "site_admin"])
def test_home_links_to_the_dashboards(client_for, request, persona):
    html = client_for(request.getfixturevalue(persona)).get(reverse("home")).content.decode()
    assert reverse("cqi-index") in html
    assert "will be here" not in html


def test_home_has_no_dashboard_link_for_a_caseworker(client_for, caseworker):
    assert reverse("cqi-index") not in client_for(caseworker).get(reverse("home")).content.decode()


@pytest.mark.parametrize("count", [1, 6])
def test_barriers_page_query_count_does_not_grow(
    client_for, coordinator, site, django_assert_num_queries, count
):
    barrier_services(site, codes.ServiceBarrier.WAITLIST, count)
    barrier_services(site, codes.ServiceBarrier.COST, count, month=7)
    client = client_for(coordinator)
    barriers(client)
    # session, user, roles, site; the planner settings; the data stamps (the counts are cached
    # by the first request); the audit event; the session's save (3)
    with django_assert_num_queries(10):
        response = barriers(client)
    assert response.context["by_month"].total == 2 * count
