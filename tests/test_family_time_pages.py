"""The family-time page (plans, the weekly chart, this week's visits logged in one tap), the
family-time section of the case page and the coordinator's home, and who may do what there."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from cqi import metrics
from familytime import services
from familytime.models import FamilyTimePlan, Visit
from safebabies import codes
from tests import factories as f
from tests.test_pages import COORDINATOR_HOME_QUERIES

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)  # Friday 20 Nov, 9 a.m. in Chicago
TODAY = dt.date(2026, 11, 20)
MONDAY = dt.date(2026, 11, 16)
OBSERVATION = "Jaime read to him; he reached for her when the visit ended."


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


def plan(actor, child, **kwargs):
    values = {
        "effective_from": MONDAY,
        "visits_per_week": Decimal(3),
        "supervision": codes.Supervision.SUPERVISED,
        "weekdays": [0, 2, 4],
        "starts_at": dt.time(10),
        "ends_at": dt.time(12),
        **kwargs,
    }
    return services.family_time_plan_set(actor=actor, child=child, **values)


def urls(family, visit=None):
    child = family.test_child
    result = {
        "page": reverse("family-time", args=[family.pk]),
        "plan": reverse("family-time-plan", args=[family.pk, child.pk]),
    }
    if visit is not None:
        result["log"] = reverse("family-time-visit-log", args=[family.pk, visit.pk])
    return result


@pytest.fixture
def visit(family, coordinator):
    plan(coordinator, family.test_child)
    return Visit.objects.get(scheduled_on=MONDAY)


# --- Who may do what --------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["outsider", "other_caseworker", "sit_member"])
@pytest.mark.parametrize("view", ["page", "plan", "log"])
def test_people_off_the_family_get_404(request, client_for, family, visit, persona, view):
    client = client_for(request.getfixturevalue(persona))
    url = urls(family, visit)[view]
    response = client.post(url, {"status": "held"}) if view == "log" else client.get(url)
    assert response.status_code == 404
    visit.refresh_from_db()
    assert visit.status == codes.VisitStatus.SCHEDULED


@pytest.mark.parametrize("persona", ["judge", "parent_attorney", "parent_mentor"])
def test_read_only_roles_see_family_time_but_cannot_plan_or_log(
    request, client_for, family, visit, persona
):
    client = client_for(request.getfixturevalue(persona))
    page = client.get(urls(family)["page"])
    assert page.status_code == 200
    assert b"visit-log" not in page.content
    assert client.get(urls(family)["plan"]).status_code == 403
    assert client.post(urls(family)["plan"], {}).status_code == 403
    assert client.post(urls(family, visit)["log"], {"status": "held"}).status_code == 403
    visit.refresh_from_db()
    assert visit.status == codes.VisitStatus.SCHEDULED


def test_the_pages_refuse_other_methods(client_for, family, visit, coordinator):
    client = client_for(coordinator)
    assert client.post(urls(family)["page"]).status_code == 405
    assert client.get(urls(family, visit)["log"]).status_code == 405
    assert client.put(urls(family)["plan"]).status_code == 405


def test_a_visit_of_another_family_is_404_even_for_the_coordinator(
    client_for, family, visit, coordinator, site
):
    other = f.CaseFactory(site=site)
    f.TeamMemberFactory(case=other, user=coordinator, role="community_coordinator")
    url = reverse("family-time-visit-log", args=[other.pk, visit.pk])
    assert client_for(coordinator).post(url, {"status": "held"}).status_code == 404


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("coordinator", True),
        ("caseworker", True),
        ("clinician", True),
        ("parent_attorney", True),
        ("parent_mentor", False),
        ("judge", False),
    ],
)
def test_observations_are_for_the_team_not_the_court_or_the_parent_mentor(
    request, client_for, family, visit, coordinator, persona, sees
):
    services.visit_log(
        actor=coordinator, visit=visit, case=family, status="held", observations=OBSERVATION
    )
    client = client_for(request.getfixturevalue(persona))
    html = client.get(urls(family)["page"]).content.decode()
    assert (OBSERVATION in html) is sees
    assert "Held" in html  # everyone sees that the visit was held


# --- Planning and logging ---------------------------------------------------------------------


def test_coordinator_sets_a_plan_from_the_form_and_the_visits_appear(
    client_for, family, coordinator
):
    client = client_for(coordinator)
    form = client.get(urls(family)["plan"])
    assert form.status_code == 200
    for label in ("Family time a week (target)", "Supervision level", "Who supervises"):
        assert label in form.content.decode()
    response = client.post(
        urls(family)["plan"],
        {
            "visits_per_week": "3",
            "supervision": "supervised",
            "location": "family_home",
            "weekdays": ["0", "2", "4"],
            "starts_at": "10:00",
            "ends_at": "12:00",
            "supervised_by": "Visit coach",
            "transported_by": "Maria (resource parent)",
            "parent": family.test_parent.pk,
            "effective_from": "2026-11-16",
        },
    )
    assert response.status_code == 302
    saved = FamilyTimePlan.objects.get()
    assert (saved.weekdays, saved.supervised_by, saved.parent) == (
        [0, 2, 4],
        "Visit coach",
        family.test_parent,
    )
    page = client.get(response["Location"]).content.decode()
    assert "Monday, Wednesday, Friday 10:00 AM\N{EN DASH}12:00 PM" in page
    assert page.count('class="visit-log') == 3  # this week's three visits, ready to log


def test_a_plan_form_error_names_the_field_and_saves_nothing(client_for, family, coordinator):
    response = client_for(coordinator).post(
        urls(family)["plan"],
        {
            "visits_per_week": "3",
            "supervision": "supervised",
            "weekdays": ["0"],
            "starts_at": "12:00",
            "ends_at": "10:00",
            "effective_from": "2026-11-16",
        },
    )
    assert response.status_code == 200
    assert "Family time ends after it starts." in response.content.decode()
    assert not FamilyTimePlan.objects.exists()


def test_one_tap_logs_a_visit_as_held_with_the_plans_duration(
    client_for, family, visit, coordinator
):
    response = client_for(coordinator).post(urls(family, visit)["log"], {"status": "held"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"?week=2026-11-16#visit-{visit.pk}")
    visit.refresh_from_db()
    assert (visit.status, visit.duration_minutes) == (codes.VisitStatus.HELD, 120)


def test_cancelling_says_by_whom_and_a_cancel_without_it_writes_nothing(
    client_for, family, visit, coordinator
):
    client = client_for(coordinator)
    response = client.post(urls(family, visit)["log"], {"status": "cancelled"}, follow=True)
    assert "Say who cancelled the visit." in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == codes.VisitStatus.SCHEDULED
    client.post(urls(family, visit)["log"], {"status": "cancelled", "cancelled_by": "agency"})
    visit.refresh_from_db()
    assert (visit.status, visit.cancelled_by) == ("cancelled", "agency")


def test_a_negative_duration_is_refused_naming_the_field(client_for, family, visit, coordinator):
    response = client_for(coordinator).post(
        urls(family, visit)["log"], {"status": "held", "duration_minutes": "-10"}, follow=True
    )
    assert "Minutes:" in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == codes.VisitStatus.SCHEDULED


def test_logging_keeps_the_observations_and_duration_given(client_for, family, visit, coordinator):
    client_for(coordinator).post(
        urls(family, visit)["log"],
        {"status": "held", "duration_minutes": "95", "observations": f"  {OBSERVATION} "},
    )
    visit.refresh_from_db()
    assert (visit.duration_minutes, visit.observations) == (95, OBSERVATION)


def test_the_week_can_be_browsed(client_for, family, visit, coordinator):
    client = client_for(coordinator)
    next_week = client.get(urls(family)["page"], {"week": "2026-11-25"})
    assert next_week.context["monday"] == dt.date(2026, 11, 23)
    assert [v.scheduled_on.day for v in next_week.context["visits"]] == [23, 25, 27]
    assert client.get(urls(family)["page"], {"week": "not a date"}).context["monday"] == MONDAY


# --- At a glance: the METRICS.md figures ------------------------------------------------------


def _visit(child, day, status="held", cancelled_by=""):
    return Visit.objects.create(
        child=child, scheduled_on=day, status=status, cancelled_by=cancelled_by
    )


def test_case_page_figures_equal_the_cqi_metrics_for_that_child(client_for, site, coordinator):
    """A family alone at its site: the case page's days to first family time and held per week
    are the site's `median_days_to_first_family_time` and `family_time_held_per_week`."""
    case = f.CaseFactory(site=site)
    child = f.ChildFactory(case=case)
    removal = dt.date(2026, 11, 2)
    f.EpisodeFactory(child=child, removal_date=removal)
    _visit(child, dt.date(2026, 10, 30))  # before the removal: not the first family time
    _visit(child, dt.date(2026, 11, 3), "cancelled", "agency")
    for day in (6, 9, 13, 16, 18):
        _visit(child, dt.date(2026, 11, day))
    _visit(child, dt.date(2026, 11, 11), "no_show")
    start, end = TODAY - dt.timedelta(days=27), TODAY

    response = client_for(coordinator).get(reverse("case-detail", args=[case.pk]))
    ft = response.context["family_time"][0]["ft"]
    median = metrics.median_days_to_first_family_time(site, removal, TODAY)
    per_week = metrics.family_time_held_per_week(site, start, end)
    assert ft.figures.days_to_first == median["value"] == 4
    assert ft.figures.held == per_week["numerator"]
    assert ft.figures.days_in_care == per_week["denominator"]
    assert ft.figures.per_week == pytest.approx(per_week["value"])
    html = response.content.decode()
    assert "4 days after the removal" in html
    assert f"{per_week['value']:.1f} against a target of 3" in html


def test_weekly_chart_counts_planned_held_and_cancelled_by_whom(client_for, family, coordinator):
    child = family.test_child
    _visit(child, dt.date(2026, 10, 23))  # outside the last 4 weeks
    _visit(child, dt.date(2026, 10, 27))  # week 1: 24 Oct to 30 Oct
    _visit(child, dt.date(2026, 11, 9), "cancelled", "parent")  # week 3: 7 to 13 Nov
    _visit(child, dt.date(2026, 11, 10), "cancelled", "agency")
    _visit(child, dt.date(2026, 11, 12), "no_show")
    _visit(child, dt.date(2026, 11, 16))  # week 4: 14 to 20 Nov
    _visit(child, dt.date(2026, 11, 18))
    plan(coordinator, child, effective_from=dt.date(2026, 11, 8), weekdays=[], starts_at=None)
    response = client_for(coordinator).get(reverse("case-detail", args=[family.pk]))
    weeks = response.context["family_time"][0]["ft"].weeks
    assert [w.start for w in weeks] == [
        dt.date(2026, 10, 24),
        dt.date(2026, 10, 31),
        dt.date(2026, 11, 7),
        dt.date(2026, 11, 14),
    ]
    assert [(w.planned, w.held, w.cancelled_total, w.no_show) for w in weeks] == [
        (1, 1, 0, 0),
        (0, 0, 0, 0),
        (3, 0, 2, 1),
        (2, 2, 0, 0),
    ]
    assert weeks[2].cancelled_by() == [("Agency", 1), ("Parent", 1)]
    site_default = family.site.family_time_target_per_week
    assert [w.target for w in weeks] == [site_default, site_default, 3, 3]
    html = response.content.decode()
    assert '<svg width="264"' in html and "ft-bar-held" in html
    assert "2 (agency 1, parent 1)" in html


def test_below_target_is_flagged_on_the_case_page_and_the_coordinators_home(
    client_for, family, coordinator, site
):
    well = f.CaseFactory(site=site, name="Okafor family")
    well_child = f.ChildFactory(case=well, given_name="Ada")
    f.EpisodeFactory(child=well_child, removal_date=dt.date(2026, 10, 1))
    f.TeamMemberFactory(case=well, user=coordinator, role="community_coordinator")
    for n in range(28):
        if n % 2 == 0:
            _visit(well_child, TODAY - dt.timedelta(days=n))  # 14 in 4 weeks: 3.5 a week
    _visit(family.test_child, TODAY - dt.timedelta(days=3))  # 1 in 4 weeks
    client = client_for(coordinator)

    case_page = client.get(reverse("case-detail", args=[family.pk])).content.decode()
    assert "Below target" in case_page
    assert "Below target" not in client.get(reverse("case-detail", args=[well.pk])).content.decode()

    home = client.get("/")
    below = home.context["family_time"]["below"]
    assert [(row.case.name, row.child.given_name) for row in below] == [("Rivera family", "Jaime")]
    assert {row.child.given_name for row in home.context["family_time"]["rows"]} == {"Jaime", "Ada"}
    assert "1 below target" in home.content.decode()
    assert home.content.decode().count("below-target-row") == 1


def test_supervision_level_over_time_is_shown_as_it_steps_down(client_for, family, coordinator):
    child = family.test_child
    plan(coordinator, child, effective_from=dt.date(2026, 9, 1), weekdays=[], starts_at=None)
    plan(coordinator, child, effective_from=dt.date(2026, 10, 1), weekdays=[], starts_at=None)
    plan(
        coordinator,
        child,
        effective_from=dt.date(2026, 11, 1),
        supervision=codes.Supervision.MONITORED,
        weekdays=[],
        starts_at=None,
    )
    html = client_for(coordinator).get(reverse("case-detail", args=[family.pk])).content.decode()
    assert 'Supervised <span class="text-body-secondary">from 1 Sep 2026' in html
    assert '→ Monitored <span class="text-body-secondary">from 1 Nov 2026' in html


# --- Queries ----------------------------------------------------------------------------------


def test_family_time_page_takes_a_constant_number_of_queries(
    client_for, family, coordinator, django_assert_num_queries
):
    client = client_for(coordinator)
    plan(coordinator, family.test_child)
    url = urls(family)["page"]
    with django_assert_num_queries(14):
        client.get(url)
    for _ in range(3):
        child = f.ChildFactory(case=family)
        f.EpisodeFactory(child=child)
        plan(coordinator, child)
    with django_assert_num_queries(14):
        response = client.get(url)
    assert len(response.context["visits"]) == 12
    assert len(response.context["glance"]) == 4


def test_home_family_time_keeps_its_query_count_as_families_grow(
    family, coordinator, site, django_assert_num_queries
):
    client = Client()
    client.force_login(coordinator)
    with django_assert_num_queries(COORDINATOR_HOME_QUERIES):
        client.get("/")
    for _ in range(5):
        case = f.CaseFactory(site=site)
        child = f.ChildFactory(case=case)
        f.EpisodeFactory(child=child, removal_date=dt.date(2026, 10, 1))
        f.TeamMemberFactory(case=case, user=coordinator, role="community_coordinator")
        _visit(child, TODAY - dt.timedelta(days=2))
        plan(coordinator, child, weekdays=[], starts_at=None)
    with django_assert_num_queries(COORDINATOR_HOME_QUERIES):
        response = client.get("/")
    assert len(response.context["family_time"]["rows"]) == 6


def test_supervision_over_time_comes_from_held_visits_when_no_plan_is_on_record(
    client_for, family, coordinator
):
    child = family.test_child
    for day, level in ((2, "supervised"), (5, "supervised"), (9, "monitored"), (12, "monitored")):
        Visit.objects.create(
            child=child, scheduled_on=dt.date(2026, 11, day), status="held", supervision=level
        )
    Visit.objects.create(
        child=child, scheduled_on=dt.date(2026, 11, 16), status="no_show", supervision="overnight"
    )
    response = client_for(coordinator).get(reverse("case-detail", args=[family.pk]))
    assert response.context["family_time"][0]["ft"].supervision_steps == [
        (dt.date(2026, 11, 2), "Supervised"),
        (dt.date(2026, 11, 9), "Monitored"),
    ]


# --- The page says what it means --------------------------------------------------------------


def _visit_item(html: str, visit) -> str:
    start = html.index(f'id="visit-{visit.pk}"')
    return html[start : html.index("</li>", start)]


def test_a_child_without_a_plan_shows_the_family_time_on_the_calendar(
    client_for, family, coordinator
):
    child = family.test_child
    for day in (23, 26, 30):  # the next 4 weeks: about twice a week
        _visit(child, dt.date(2026, 11, day), status="scheduled")
    for day in (3, 7, 10, 14):
        _visit(child, dt.date(2026, 12, day), status="scheduled")
    _visit(child, dt.date(2026, 12, 28), status="scheduled")  # beyond the next 4 weeks
    client = client_for(coordinator)
    for url in (urls(family)["page"], reverse("case-detail", args=[family.pk])):
        page = client.get(url).content.decode()
        assert "No plan yet" not in page
        assert "No plan recorded yet. On the calendar: 1.8 a week (the next 4 weeks)" in page
    # the last 4 weeks' visits (the weekly table's "planned") come first: twice a week
    for day in (24, 27, 31):
        _visit(child, dt.date(2026, 10, day), status="held")
    for day in (3, 6, 10, 13, 17):  # 8 in the last 4 weeks
        _visit(child, dt.date(2026, 11, day), status="held")
    page = client.get(urls(family)["page"]).content.decode()
    assert "No plan recorded yet. On the calendar: 2 a week (the last 4 weeks)" in page
    Visit.objects.all().delete()
    page = client.get(urls(family)["page"]).content.decode()
    assert "No plan and no family time on the calendar yet: the site's target is 3 a week" in page


def test_nothing_looks_chosen_before_a_visit_is_logged(client_for, family, visit, coordinator):
    item = _visit_item(client_for(coordinator).get(urls(family)["page"]).content.decode(), visit)
    assert "How did it go?" in item
    for solid in ("btn-success", "btn-danger", "btn-secondary", "btn-primary"):
        assert f"btn {solid}" not in item and f"btn-sm {solid}" not in item
    assert "btn-outline-success" in item and "Change to" not in item


def test_a_logged_visit_offers_a_change_in_words(client_for, family, visit, coordinator):
    client = client_for(coordinator)
    client.post(urls(family, visit)["log"], {"status": "held"})
    item = _visit_item(client.get(urls(family)["page"]).content.decode(), visit)
    assert "Change what was recorded" in item and "Recorded as held. Change it to:" in item
    assert "Change to no-show" in item and "Change to cancelled" in item
    assert item.count('value="held"') == 1 and "Save, still held" in item  # no second "Held"
    response = client.post(urls(family, visit)["log"], {"status": "no_show"}, follow=True)
    assert "family time on Monday 16 Nov: changed from held to no-show." in (
        response.content.decode()
    )
