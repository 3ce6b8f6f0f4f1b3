"""The CQI dashboard pages: same figures as the API, the period picker, breakdowns with small
cells hidden for aggregate-only roles, drill-down to families for coordinators and site admins
only, CSV downloads, the printable data story, and the query counts."""

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from cqi import breakdowns
from cqi.metrics import METRIC_IDS, METRICS, compute_all
from safebabies import codes
from safebabies.audit.models import AuditEvent
from safebabies.lib.dates import add_months
from tests import factories as f
from tests.test_cqi_metrics import (
    ADOPTION,
    FOSTER,
    KIN,
    REUNIFICATION,
    FtmFactory,
    ScreeningFactory,
    ServiceFactory,
    VisitFactory,
    a_little_of_everything,
    episode,
    new_child,
    stay,
)

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.cqi_test_urls")]

D = dt.date
PERIOD = {"start": "2024-01-01", "end": "2024-12-31"}
NOW = dt.datetime(2025, 2, 14, 18, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def national(other_site):
    user = f.UserFactory(email="national@example.org")
    f.MembershipFactory(user=user, site=other_site, role="national")
    return user


def url(name, *args):
    return reverse(name, args=args)


def dashboard(client_for, user, slug="north", **params):
    return client_for(user).get(url("cqi-dashboard", slug), params or PERIOD)


def rows_of(response):
    rows = response.context["outcome_rows"] + response.context["process_rows"]
    return {row.metric.id: row for row in rows}


def csv_rows(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode())))


def children_in_groups(site, hispanic_count, black_count):
    """Children in care in 2024: `hispanic_count` Hispanic, `black_count` Black non-Hispanic,
    each with their own case; the first of each group reunified in the period."""
    removal, made = D(2024, 3, 1), []
    for group, count in (("hispanic", hispanic_count), ("black", black_count)):
        for i in range(count):
            child = new_child(site)
            child.race = ["white"] if group == "hispanic" else ["black"]
            child.hispanic = "yes" if group == "hispanic" else "no"
            child.given_name, child.family_name = f"Quillon{group}{i}", f"Marrowby{group}{i}"
            child.save()
            reunified = i == 0
            episode(
                child,
                removal,
                D(2024, 9, 1) if reunified else None,
                REUNIFICATION if reunified else "",
                placements=[(FOSTER, removal)],
            )
            made.append(child)
    return made


# --- the figures are the API's figures -------------------------------------------------------


def test_dashboard_shows_the_apis_figure_for_every_metric(client_for, api, coordinator, site):
    a_little_of_everything(site)
    stay(site, D(2023, 3, 1), D(2023, 9, 1), REUNIFICATION)  # the previous period
    api.force_authenticate(coordinator)
    from_api = api.get("/api/v1/cqi/metrics/", {"site": "north", **PERIOD}).json()["metrics"]
    response = dashboard(client_for, coordinator)
    assert response.status_code == 200
    rows = rows_of(response)
    assert set(rows) == set(METRIC_IDS)
    for metric_id, row in rows.items():
        assert row.current == from_api[metric_id], metric_id
    html = response.content.decode()
    # The figure in each row is the API's value, formatted.
    entries = rows["permanency_12m_entries"].current
    assert (entries["numerator"], entries["denominator"]) == (1, 1)
    assert re.search(
        r'id="metric-permanency_12m_entries".*?<strong>100\.0%</strong>.*?1 of 1', html, re.S
    )
    services = from_api["services_started_within_60_days"]
    assert (services["numerator"], services["denominator"]) == (1, 1)
    assert re.search(
        r'id="metric-services_started_within_60_days".*?<strong>100\.0%</strong>', html, re.S
    )
    assert "cc@north.example.org" in html  # the coordinator caseload table


def test_previous_period_is_the_same_length_just_before(client_for, coordinator, site):
    stay(site, D(2023, 3, 1), D(2023, 9, 1), REUNIFICATION)
    stay(site, D(2024, 3, 1), D(2024, 4, 1), ADOPTION)
    stay(site, D(2024, 5, 1))
    response = dashboard(client_for, coordinator)
    assert response.context["period"].previous == (D(2023, 1, 1), D(2023, 12, 31))
    row = rows_of(response)["permanency_12m_entries"]
    assert (
        row.previous == compute_all(site, D(2023, 1, 1), D(2023, 12, 31))["permanency_12m_entries"]
    )
    assert (row.previous["numerator"], row.previous["denominator"]) == (1, 1)
    assert (row.current["numerator"], row.current["denominator"]) == (1, 2)
    assert row.change == "worse"


def test_reference_value_is_shown_beside_the_site_figure(client_for, coordinator, site):
    row = rows_of(dashboard(client_for, coordinator))["permanency_12m_entries"]
    assert row.reference is not None
    assert row.reference_value == pytest.approx(0.352)
    assert row.reference.source in dashboard(client_for, coordinator).content.decode()


# --- the period picker -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "preset, start, end",
    [
        # today (14 Feb 2025) is in the last 12 months and the year to date
        ("last_12_months", D(2024, 2, 15), D(2025, 2, 14)),
        ("last_quarter", D(2024, 10, 1), D(2024, 12, 31)),
        ("last_year", D(2024, 1, 1), D(2024, 12, 31)),
        ("year_to_date", D(2025, 1, 1), D(2025, 2, 14)),
    ],
)
def test_period_presets(client_for, coordinator, preset, start, end):
    period = dashboard(client_for, coordinator, preset=preset).context["period"]
    assert (period.start, period.end, period.preset) == (start, end, preset)


def test_last_quarter_is_compared_with_the_quarter_before(client_for, sit_member):
    period = dashboard(client_for, sit_member, preset="last_quarter").context["period"]
    assert period.previous == (D(2024, 7, 1), D(2024, 9, 30))


def test_custom_dates_and_an_odd_length_period(client_for, coordinator):
    period = dashboard(client_for, coordinator, start="2024-03-10", end="2024-03-19").context[
        "period"
    ]
    assert (period.start, period.end, period.preset) == (D(2024, 3, 10), D(2024, 3, 19), "custom")
    assert period.previous == (D(2024, 2, 29), D(2024, 3, 9))


@pytest.mark.parametrize(
    "params, field",
    [
        ({"start": "2024-13-01", "end": "2024-12-31"}, "start"),
        ({"start": "2024-01-01", "end": "soon"}, "end"),
        ({"start": "2024-06-01", "end": "2024-01-01"}, "end"),
        ({"start": "2010-01-01", "end": "2024-01-01"}, "end"),
        ({"start": "2024-01-01", "end": "9999-12-31"}, "end"),  # was a 500 (date overflow)
        ({"start": "9999-01-01", "end": "9999-12-31"}, ("start", "end")),
        ({"start": "1899-12-31", "end": "1900-06-30"}, "start"),
        ({"start": "0000-01-01", "end": "2024-12-31"}, "start"),
    ],
)
def test_bad_dates_name_the_field_and_fall_back_to_the_default(
    client_for, coordinator, params, field
):
    response = dashboard(client_for, coordinator, **params)
    assert response.status_code == 200
    period = response.context["period"]
    fields = {field} if isinstance(field, str) else set(field)
    assert set(period.errors) == fields
    assert (period.start, period.end) == (D(2024, 2, 15), D(2025, 2, 14))
    for name in fields:
        assert f'id="period-{name}-error"' in response.content.decode()


# --- access ----------------------------------------------------------------------------------

PAGES = [
    ("cqi-dashboard", ()),
    ("cqi-story", ()),
    ("cqi-barriers", ()),
    ("cqi-matrix", ()),
    ("cqi-csv", ("metrics",)),
]


@pytest.mark.parametrize("name, extra", PAGES)
@pytest.mark.parametrize("persona", ["coordinator", "site_admin", "sit_member", "judge"])
def test_cqi_roles_of_the_site_read_every_page(client_for, request, persona, name, extra):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(url(name, "north", *extra), PERIOD).status_code == 200


@pytest.mark.parametrize("name, extra", PAGES)
@pytest.mark.parametrize(
    "persona", ["outsider", "caseworker", "parent_mentor", "clinician", "parent_attorney"]
)
def test_other_sites_and_case_roles_get_404(client_for, request, persona, name, extra):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(url(name, "north", *extra), PERIOD).status_code == 404


@pytest.mark.parametrize("name, extra", PAGES[:3] + PAGES[4:])
def test_pages_refuse_post_with_405(client_for, coordinator, name, extra):
    assert client_for(coordinator).post(url(name, "north", *extra)).status_code == 405


def test_signed_out_people_go_to_sign_in(client):
    response = client.get(url("cqi-dashboard", "north"))
    assert response.status_code == 302
    assert "login" in response["Location"] or "sign-in" in response["Location"]


def test_national_staff_see_all_sites_together(client_for, national, site, other_site):
    for _ in range(3):
        stay(site, D(2024, 2, 1), D(2024, 6, 1), REUNIFICATION)
        stay(other_site, D(2024, 2, 1))
    response = dashboard(client_for, national, slug="all")
    assert response.status_code == 200
    assert rows_of(response)["permanency_12m_entries"].current["denominator"] == 6
    assert "all sites" in response.content.decode()
    assert response.context["scope"].aggregate_only


@pytest.mark.parametrize("persona", ["coordinator", "sit_member"])
def test_all_sites_is_for_national_staff_only(client_for, request, persona):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(url("cqi-dashboard", "all")).status_code == 404


def test_viewing_the_dashboard_is_audited(client_for, sit_member, site):
    dashboard(client_for, sit_member)
    event = AuditEvent.objects.get(record_type="cqi_dashboard")
    assert (event.actor, event.site_id, event.action) == (sit_member, site.id, "view")
    assert event.detail == {"start": "2024-01-01", "end": "2024-12-31"}


def test_index_lists_the_sites_a_user_may_read(client_for, sit_member, national, caseworker):
    page = client_for(sit_member).get(url("cqi-index")).content.decode()
    assert url("cqi-dashboard", "north") in page and url("cqi-dashboard", "all") not in page
    page = client_for(national).get(url("cqi-index")).content.decode()
    assert url("cqi-dashboard", "all") in page and url("cqi-dashboard", "north") in page
    assert client_for(caseworker).get(url("cqi-index")).status_code == 404


# --- drill-down ------------------------------------------------------------------------------


def _screening_records(site):
    screened = stay(site, D(2024, 3, 1))
    ScreeningFactory(child=screened, screened_on=D(2024, 3, 10))
    not_yet = stay(site, D(2024, 4, 1))
    return screened, not_yet


def test_coordinator_sees_the_families_behind_a_process_metric(client_for, coordinator, site):
    screened, not_yet = _screening_records(site)
    response = client_for(coordinator).get(
        url("cqi-drill", "north", "developmental_screening_within_30_days"), PERIOD
    )
    assert response.status_code == 200
    rows = [(case.pk, met, total) for case, met, total in response.context["rows"]]
    assert rows == [(not_yet.case.pk, 0, 1), (screened.case.pk, 1, 1)]  # furthest first
    html = response.content.decode()
    assert url("case-detail", not_yet.case.pk) in html
    event = AuditEvent.objects.get(record_type="cqi_drill_down")
    assert event.detail["metric"] == "developmental_screening_within_30_days"


def test_dashboard_links_to_drill_down_for_coordinators_only(client_for, coordinator, sit_member):
    link = url("cqi-drill", "north", "ftm_monthly_rate")
    assert link in dashboard(client_for, coordinator).content.decode()
    assert link not in dashboard(client_for, sit_member).content.decode()


@pytest.mark.parametrize("persona", ["sit_member", "judge"])
def test_roles_without_families_cannot_drill_down(client_for, request, site, persona):
    _screening_records(site)
    user = request.getfixturevalue(persona)
    response = client_for(user).get(url("cqi-drill", "north", "ftm_monthly_rate"), PERIOD)
    assert response.status_code == 403
    assert "Family" not in response.content.decode()


def test_national_cannot_drill_down_even_at_a_site_they_read(client_for, national, site):
    response = client_for(national).get(url("cqi-drill", "north", "ftm_monthly_rate"), PERIOD)
    assert response.status_code == 403
    response = client_for(national).get(url("cqi-drill", "all", "ftm_monthly_rate"), PERIOD)
    assert response.status_code == 403


def test_outsider_gets_404_on_drill_down(client_for, outsider, site):
    response = client_for(outsider).get(url("cqi-drill", "north", "ftm_monthly_rate"), PERIOD)
    assert response.status_code == 404


def test_drill_down_of_an_outcome_metric_is_404(client_for, coordinator):
    response = client_for(coordinator).get(
        url("cqi-drill", "north", "permanency_12m_entries"), PERIOD
    )
    assert response.status_code == 404


def test_drill_down_refuses_post(client_for, coordinator):
    assert (
        client_for(coordinator).post(url("cqi-drill", "north", "ftm_monthly_rate")).status_code
        == 405
    )


def _process_records(site, other_site):
    for where in (site, other_site):
        a = stay(where, D(2024, 3, 1))
        ScreeningFactory(child=a, screened_on=D(2024, 3, 31))
        ServiceFactory(child=a, referred_on=D(2024, 3, 5))  # early intervention by day 4
        b = stay(where, D(2024, 5, 1))
        ServiceFactory(
            child=b,
            referred_on=D(2024, 5, 20),
            started_on=D(2024, 6, 1),
            service_type=codes.ServiceType.PARENTING,
        )
        FtmFactory(case=a.case, scheduled_on=D(2024, 4, 3))
        FtmFactory(case=b.case, scheduled_on=D(2024, 6, 3))
        FtmFactory(case=b.case, scheduled_on=D(2024, 6, 13), status=codes.FtmStatus.CANCELLED)


@pytest.mark.parametrize("metric_id", breakdowns.DRILLABLE)
def test_drill_down_counts_add_up_to_the_metric(
    client_for, coordinator, site, other_site, metric_id
):
    _process_records(site, other_site)
    response = client_for(coordinator).get(url("cqi-drill", "north", metric_id), PERIOD)
    figure = compute_all(site, D(2024, 1, 1), D(2024, 12, 31))[metric_id]
    assert response.context["met"] == figure["numerator"]
    assert response.context["total"] == figure["denominator"]
    assert figure["denominator"] > 0
    assert {case.site_id for case, _, _ in response.context["rows"]} == {site.id}


def test_drill_down_csv(client_for, coordinator, site):
    screened, not_yet = _screening_records(site)
    response = client_for(coordinator).get(
        url("cqi-drill", "north", "developmental_screening_within_30_days"),
        {**PERIOD, "format": "csv"},
    )
    assert response["Content-Type"].startswith("text/csv")
    assert csv_rows(response) == [
        ["case_id", "family", "met", "total"],
        [not_yet.case.pk, not_yet.case.name, "0", "1"],
        [screened.case.pk, screened.case.name, "1", "1"],
    ]


# --- breakdowns and small cells --------------------------------------------------------------


def _race_table(response):
    return next(t for t in response.context["breakdowns"] if t.dimension == "race_ethnicity")


def _row(table, label_start):
    return next(r for r in table.rows if r.label.startswith(label_start))


def test_breakdowns_count_each_child_in_care_once(client_for, coordinator, site):
    children_in_groups(site, hispanic_count=3, black_count=7)
    stay(site, D(2023, 1, 1), D(2024, 1, 1), REUNIFICATION)  # left on the first day: not in care
    response = dashboard(client_for, coordinator)
    race = _race_table(response)
    assert (_row(race, "Hispanic").children, _row(race, "Hispanic").permanency) == (3, 1)
    assert (_row(race, "Black").children, _row(race, "Black").permanency) == (7, 1)
    assert (race.total_children, race.total_permanency) == (10, 2)
    age = next(t for t in response.context["breakdowns"] if t.dimension == "age_band")
    # born 2023-06-01, removed 2024-03-01: 9 months
    assert _row(age, "Under 12").children == 10
    placement = next(t for t in response.context["breakdowns"] if t.dimension == "placement_type")
    assert _row(placement, "Non-relative").children == 10


def test_sit_member_sees_fewer_than_5_and_the_complementary_cell_hidden(
    client_for, sit_member, site
):
    made = children_in_groups(site, hispanic_count=3, black_count=7)
    response = dashboard(client_for, sit_member)
    race = _race_table(response)
    hispanic, black = _row(race, "Hispanic"), _row(race, "Black")
    assert str(hispanic.children) == "fewer than 5"
    # 10 - 7 would give the 3 away: the 7 is hidden too
    assert str(black.children) == "hidden"
    assert race.total_children == 10
    assert str(race.total_permanency) == "fewer than 5"  # 2 children
    assert str(hispanic.permanency) == "fewer than 5" and str(black.permanency) == "fewer than 5"
    html = response.content.decode()
    assert "fewer than 5" in html
    for child in made:
        assert child.given_name not in html and child.case.name not in html


def test_a_suppressed_reunification_share_reads_fewer_than_5_not_no_data(
    client_for, sit_member, coordinator, site
):
    for _ in range(3):
        stay(site, D(2024, 2, 1), D(2024, 6, 1), REUNIFICATION)
    html = dashboard(client_for, sit_member).content.decode()
    assert re.search(r'id="metric-exits_by_reason".*?<strong>fewer than 5</strong>', html, re.S)
    html = dashboard(client_for, coordinator).content.decode()
    assert re.search(r'id="metric-exits_by_reason".*?<strong>100\.0%</strong>', html, re.S)


def test_coordinator_sees_every_count(client_for, coordinator, site):
    children_in_groups(site, hispanic_count=3, black_count=7)
    race = _race_table(dashboard(client_for, coordinator))
    assert _row(race, "Hispanic").children == 3 and _row(race, "Black").children == 7


def test_breakdown_csv_keeps_the_suppression(client_for, sit_member, coordinator, site):
    children_in_groups(site, hispanic_count=3, black_count=7)
    path = url("cqi-csv", "north", "breakdown-race_ethnicity")
    rows = csv_rows(client_for(sit_member).get(path, PERIOD))
    assert rows[0] == ["race_ethnicity", "children_in_care", "left_care_to_permanency", "share"]
    by_label = {row[0]: row[1:] for row in rows[1:]}
    assert by_label["Hispanic or Latino (any race)"][:2] == ["<5", "<5"]
    assert by_label["Black or African American"][:2] == ["suppressed", "<5"]
    assert by_label["Total"][:2] == ["10", "<5"]
    rows = csv_rows(client_for(coordinator).get(path, PERIOD))
    assert {row[0]: row[1] for row in rows[1:]}["Hispanic or Latino (any race)"] == "3"


def test_sit_member_sees_no_childs_name_anywhere(client_for, sit_member, site):
    child = a_little_of_everything(site)
    child.given_name, child.family_name = "Quillon", "Marrowby"
    child.save()
    names = [child.given_name, child.family_name, child.case.name]
    client = client_for(sit_member)
    for name, extra in PAGES:
        html = client.get(url(name, "north", *extra), PERIOD).content.decode()
        for value in names:
            assert value not in html, (name, value)


# --- CSV of the measures ---------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["coordinator", "sit_member"])
def test_metrics_csv_has_every_metric_with_the_apis_numbers(
    client_for, api, request, persona, site
):
    sit_member = request.getfixturevalue(persona)
    a_little_of_everything(site)
    rows = csv_rows(client_for(sit_member).get(url("cqi-csv", "north", "metrics"), PERIOD))
    header, body = rows[0], {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert header[:9] == [
        "metric", "label", "unit", "start", "end", "value", "numerator", "denominator", "n",
    ]  # fmt: skip
    assert set(body) == set(METRIC_IDS)
    api.force_authenticate(sit_member)
    from_api = api.get("/api/v1/cqi/metrics/", {"site": "north", **PERIOD}).json()["metrics"]
    for metric_id in ("permanency_12m_entries", "services_started_within_60_days"):
        assert body[metric_id]["numerator"] == str(from_api[metric_id]["numerator"])
        assert body[metric_id]["denominator"] == str(from_api[metric_id]["denominator"])
        if from_api[metric_id]["value"] is None:  # suppressed for the Site Implementation Team
            assert body[metric_id]["value"] == ""
        else:
            assert float(body[metric_id]["value"]) == pytest.approx(from_api[metric_id]["value"])
    assert body["permanency_12m_entries"]["reference_value"] == "0.352"
    assert AuditEvent.objects.filter(record_type="cqi_dashboard", action="export").exists()


@pytest.mark.parametrize(
    "table",
    [
        "exits",
        "trends",
        "caseloads",
        "breakdown-age_band",
        "breakdown-placement_type",
        "barriers-by-month",
    ],
)
def test_every_table_downloads_as_csv(client_for, coordinator, site, table):
    a_little_of_everything(site)
    response = client_for(coordinator).get(url("cqi-csv", "north", table), PERIOD)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert len(csv_rows(response)) > 1


def test_unknown_csv_table_is_404(client_for, coordinator):
    assert client_for(coordinator).get(url("cqi-csv", "north", "nothing")).status_code == 404


# --- trends ----------------------------------------------------------------------------------


def test_trends_are_the_metric_for_each_of_12_months(client_for, coordinator, site):
    child = new_child(site)
    FtmFactory(case=child.case, scheduled_on=D(2024, 3, 5))
    FtmFactory(case=child.case, scheduled_on=D(2024, 12, 5))
    trends = dict(dashboard(client_for, coordinator).context["trends"])
    ftm = {m.id: points for m, points in trends.items()}["ftm_monthly_rate"]
    assert [p.month for p in ftm] == [D(2024, m, 1) for m in range(1, 13)]
    # the one case is open all year: one case-month per month, met in March and December
    assert [p.value for p in ftm] == [0.0, 0.0, 1.0] + [0.0] * 8 + [1.0]
    assert (ftm[2].numerator, ftm[2].denominator) == (1, 1)


def test_each_months_trend_is_the_metrics_own_figure_for_that_month(site, other_site):
    a_little_of_everything(site)
    _process_records(site, other_site)
    visitor = new_child(site)
    episode(visitor, D(2024, 5, 20), D(2024, 7, 10), REUNIFICATION)
    for day in (D(2024, 5, 21), D(2024, 5, 31), D(2024, 6, 1), D(2024, 7, 9), D(2024, 7, 10)):
        VisitFactory(child=visitor, scheduled_on=day)
    f.HearingFactory(case=visitor.case, scheduled_on=D(2024, 6, 3), status="held")
    f.HearingFactory(case=visitor.case, scheduled_on=D(2024, 7, 3), status="continued")
    trends = breakdowns.monthly_trends([site], D(2024, 12, 31))
    assert set(trends) == set(breakdowns.TREND_METRICS)
    checked = 0
    for metric_id, points in trends.items():
        selector = METRICS[metric_id].selector
        for first, result in points:
            last = add_months(first, 1) - dt.timedelta(days=1)
            assert result == selector([site], first, last), (metric_id, first)
            checked += result["denominator"] > 0
    assert checked >= 12  # not a comparison of empty months


def test_trends_hide_months_over_fewer_than_5_for_aggregate_roles(client_for, sit_member, site):
    child = new_child(site)
    FtmFactory(case=child.case, scheduled_on=D(2024, 3, 5))
    trends = {m.id: p for m, p in dashboard(client_for, sit_member).context["trends"]}
    assert all(str(p.value) == "fewer than 5" for p in trends["ftm_monthly_rate"])


def _trend_card(html: str, metric_id: str) -> str:
    start = html.index(f'data-trend="{metric_id}"')
    return html[start : html.index("</table>", start)]


def test_each_trend_month_has_one_equal_slot_for_its_bar_and_its_value(
    client_for, coordinator, site
):
    """The bars and the table's columns share the same 12 slots (the table is laid out fixed,
    as wide as the chart), so a value sits under its own month's bar and the last month stays
    inside the card; the values are short enough for 12 columns on a tablet."""
    child = new_child(site)
    FtmFactory(case=child.case, scheduled_on=D(2024, 3, 5))
    FtmFactory(case=child.case, scheduled_on=D(2024, 12, 5))
    card = _trend_card(dashboard(client_for, coordinator).content.decode(), "ftm_monthly_rate")
    assert 'viewBox="0 0 120 100"' in card
    bars = re.findall(r'<rect x="([\d.]+)"[^>]*width="9"[^>]*data-month="(\d{4}-\d\d)"', card)
    columns = re.findall(r'<th scope="col" data-month="(\d{4}-\d\d)"', card)
    cells = re.findall(r'<td data-month="(\d{4}-\d\d)">(.*?)</td>', card)
    months = [f"2024-{m:02d}" for m in range(1, 13)]
    assert [month for _, month in bars] == months == columns == [month for month, _ in cells]
    assert [float(x) for x, _ in bars] == [10 * i + 0.5 for i in range(12)]
    shown = [re.search(r'aria-hidden="true">(.*?)</span>', cell).group(1) for _, cell in cells]
    assert shown == ["0%", "0%", "100%"] + ["0%"] * 8 + ["100%"]
    assert "Per cent, each month" in card
    css = (Path(settings.BASE_DIR) / "static" / "css" / "cqi.css").read_text()
    assert ".trend-table { table-layout: fixed; width: 100%; }" in css


def test_trend_months_hidden_for_aggregate_roles_read_short_with_their_words(
    client_for, sit_member, site
):
    child = new_child(site)
    FtmFactory(case=child.case, scheduled_on=D(2024, 3, 5))
    html = dashboard(client_for, sit_member).content.decode()
    card = _trend_card(html, "ftm_monthly_rate")
    assert card.count('<span aria-hidden="true">&lt;5</span>') == 12
    assert card.count('<span class="visually-hidden">fewer than 5</span>') == 12
    assert "“&lt;5” is fewer than 5" in html


def test_the_dashboard_reads_in_plain_english(client_for, coordinator, site):
    """ "the same as before" (not "same than before"), "1 coordinator" (not "1 coordinators"),
    and "3 of 8", never "fewer than 5 of 3" or "hidden of 69"."""
    from cqi.suppression import COMPLEMENT_MARK, SMALL_MARK
    from cqi.templatetags.cqi_format import counted, part_of

    assert counted(1, "coordinator") == "1 coordinator"
    assert counted(3, "coordinator") == "3 coordinators"
    assert counted(SMALL_MARK, "coordinator") == "fewer than 5 coordinators"
    assert counted(1, "child removed,children removed") == "1 child removed"
    assert part_of(3, 8) == "3 of 8"
    assert part_of(SMALL_MARK, 8) == "fewer than 5 of 8"
    assert part_of(COMPLEMENT_MARK, 69) == "69 in all"
    assert part_of(SMALL_MARK, SMALL_MARK) == "fewer than 5 in all"
    assert part_of(0, SMALL_MARK) == "0 of fewer than 5"
    # one family, an FTM every month of 2023 and 2024: the FTM rate is the same both years
    child = new_child(site)
    for year in (2023, 2024):
        for month in range(1, 13):
            FtmFactory(case=child.case, scheduled_on=D(year, month, 10))
    html = dashboard(client_for, coordinator).content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "1 coordinator," in text and "1 coordinators" not in text
    assert "12 of 12 · the same as before" in text and "same than" not in text


def test_exits_are_named_by_their_reason_in_words(client_for, coordinator, site):
    stay(site, D(2023, 6, 1), D(2024, 3, 1), "relative")
    html = dashboard(client_for, coordinator).content.decode()
    assert '<th scope="row">Living with a relative</th>' in html
    assert ">Relative<" not in html
    story = client_for(coordinator).get(url("cqi-story", "north"), PERIOD).content.decode()
    assert "living with a relative 100.0%" in story


# --- the data story --------------------------------------------------------------------------


def test_data_story_is_one_printable_page_with_the_key_figures(client_for, coordinator, site):
    a_little_of_everything(site)
    response = client_for(coordinator).get(url("cqi-story", "north"), PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-metric="permanency_12m_entries"' in html
    assert re.search(r'data-metric="permanency_12m_entries".*?100\.0%', html, re.S)
    assert "css/cqi.css" in html
    assert "no-print" in html


# --- query counts ----------------------------------------------------------------------------


def _families(site, n):
    for i in range(n):
        removal = D(2024, 2, 1) + dt.timedelta(days=i)
        child = stay(site, removal, placements=[(KIN, removal)])
        ScreeningFactory(child=child, screened_on=D(2024, 2, 20))
        FtmFactory(case=child.case, scheduled_on=D(2024, 3, 5))


@pytest.mark.parametrize("n", [1, 4])
def test_dashboard_query_count_does_not_grow_with_the_data(
    client_for, coordinator, site, django_assert_num_queries, settings, n
):
    _families(site, n)
    client = client_for(coordinator)
    client.get(url("cqi-dashboard", "north"), PERIOD)  # warm the session (and the cache)
    settings.CQI_CACHE_SECONDS = 0  # computed afresh
    # session + user + roles + site; the planner settings; 2 x each metric, less 2 x 2 (the
    # three family-time metrics share one query) and less 1 (the caseloads, the same for both
    # periods) but plus 1 (their open cases, then the coordinators and caps); the shared
    # episodes (table, index, statistics, and dropped at the end: 4); reference values;
    # breakdowns (1); trends (one per trend metric, less the two case-month rates, whose months
    # are this period's: 2); the audit event; the session's save (3)
    with django_assert_num_queries(
        4
        + 1
        + 2 * len(METRIC_IDS)
        - 4
        - 1
        + 1
        + 4
        + 1
        + 1
        + len(breakdowns.TREND_METRICS)
        - 2
        + 1
        + 3
    ):
        assert client.get(url("cqi-dashboard", "north"), PERIOD).status_code == 200


@pytest.mark.parametrize("n", [1, 4])
def test_a_dashboard_read_from_the_cache_queries_only_the_data_stamps(
    client_for, coordinator, site, django_assert_num_queries, n
):
    _families(site, n)
    client = client_for(coordinator)
    client.get(url("cqi-dashboard", "north"), PERIOD)  # computes and caches the figures
    # session + user + roles + site; the planner settings; per period, the data stamps (read per
    # question inside the test's transaction) of the window's figures, of its own and of
    # today's (the caseloads' open cases): 2 x 3; the caseloads' coordinators and caps (read
    # afresh, once); reference values; the stamps of breakdowns and of the trends (the
    # window's, their own: 3); the audit event; the session's save (3)
    with django_assert_num_queries(4 + 1 + 2 * 3 + 1 + 1 + 3 + 1 + 3):
        assert client.get(url("cqi-dashboard", "north"), PERIOD).status_code == 200


@pytest.mark.parametrize("n", [1, 4])
def test_drill_down_query_count_does_not_grow_with_the_data(
    client_for, coordinator, site, django_assert_num_queries, n
):
    _families(site, n)
    client = client_for(coordinator)
    client.get(url("cqi-dashboard", "north"), PERIOD)
    # session + user + roles + site; the planner settings; the data stamps; the drill query;
    # the visible cases; the audit event; the session's save (3)
    with django_assert_num_queries(12):
        response = client.get(
            url("cqi-drill", "north", "developmental_screening_within_30_days"), PERIOD
        )
    assert len(response.context["rows"]) == n
