"""Small-cell suppression (METRICS.md): counts of 1-4 hidden, and the cells or totals that
would let a hidden count be worked out by subtraction hidden too."""

import datetime as dt

import pytest

from cqi.aggregate_periods import aggregate_period_errors, aggregate_preset_dates, snap
from cqi.periods import PRESETS
from cqi.suppression import (
    COMPLEMENT,
    PRIMARY,
    SUPPRESSED_KEY,
    Hidden,
    complement_months,
    suppress,
    suppress_result,
)

D = dt.date


def test_a_table_without_small_cells_hides_nothing():
    out = suppress([[10, 6], [7, 5]], row_totals=True, column_totals=True)
    assert (out.cells, out.row_totals, out.column_totals, out.grand_total) == ({}, {}, {}, None)


def test_zero_is_shown():
    assert suppress([[0, 6], [7, 5]], row_totals=True).cells == {}


def test_one_small_cell_in_a_column_with_a_total_takes_the_next_smallest_with_it():
    out = suppress([[3], [9], [7], [0]])
    assert out.cells == {(0, 0): PRIMARY, (2, 0): COMPLEMENT}
    assert out.column_totals == {}


def test_two_small_cells_in_a_column_need_no_complement():
    assert suppress([[3], [2], [9]]).cells == {(0, 0): PRIMARY, (1, 0): PRIMARY}


def test_a_small_cell_with_only_zeros_beside_it_hides_the_total():
    out = suppress([[3], [0], [0]])
    assert out.cells == {(0, 0): PRIMARY}
    assert out.column_totals == {0: PRIMARY}  # the total is 3: small itself


def test_complements_spread_across_rows_and_columns_until_nothing_can_be_recovered():
    values = [[2, 10, 12], [8, 9, 11], [7, 6, 20]]
    out = suppress(values, row_totals=True, column_totals=True)
    hidden = set(out.cells)
    assert (0, 0) in hidden and out.cells[(0, 0)] == PRIMARY
    # every row and column with a hidden cell has at least two hidden cells
    for r in range(3):
        assert len([c for c in range(3) if (r, c) in hidden]) != 1
    for c in range(3):
        assert len([r for r in range(3) if (r, c) in hidden]) != 1


def test_whole_row_hidden_when_its_children_count_is_small():
    # children, left to permanency
    out = suppress([[3, 0], [12, 6], [20, 9]], whole_rows_by_column=0)
    assert out.cells[(0, 0)] == PRIMARY
    assert out.cells[(1, 0)] == COMPLEMENT  # 35 - 20 would give the 3 away
    assert (1, 1) in out.cells  # the complementary row goes whole too
    assert (0, 1) not in out.cells  # a zero names no child


def test_one_hidden_total_in_a_table_with_a_grand_total_takes_another():
    out = suppress([[1, 0], [0, 9], [0, 8]], row_totals=True, column_totals=True)
    assert out.column_totals.get(0) == PRIMARY
    assert len(out.column_totals) == 2


def test_hidden_marker_reads_as_words_and_in_csv():
    assert (str(Hidden(PRIMARY)), Hidden(PRIMARY).csv) == ("fewer than 5", "<5")
    assert (str(Hidden(COMPLEMENT)), Hidden(COMPLEMENT).csv) == ("hidden", "suppressed")


# --- a metric's figures for aggregate-only viewers (issue 18 item 4) --------------------------


def test_a_numerator_or_denominator_of_1_to_4_is_hidden_and_the_value_with_it():
    out = suppress_result({"value": 0.5, "numerator": 2, "denominator": 4, "n": None}, subset=True)
    assert out == {"value": None, "numerator": "<5", "denominator": "<5", "n": None}
    out = suppress_result({"value": 0.2, "numerator": 3, "denominator": 15, "n": None}, subset=True)
    assert out == {"value": None, "numerator": "<5", "denominator": 15, "n": None}


def test_the_rest_of_a_share_is_a_cell_too_denominator_minus_numerator():
    # 6 children, 5 reached permanency: "5 / 6" would say 1 child did not
    exact = {"value": 5 / 6, "numerator": 5, "denominator": 6, "n": None}
    out = suppress_result(exact, subset=True)
    assert out == {"value": None, "numerator": "suppressed", "denominator": 6, "n": None}
    assert exact["numerator"] == 5  # the exact figures (the cache's) are not changed
    # a rate's numerator is not a part of its denominator: nothing to complement
    rate = {"value": 7 * 9 / 12, "numerator": 9, "denominator": 12, "n": None}
    assert suppress_result(rate, subset=False) == rate


def test_a_zero_numerator_is_shown():
    out = suppress_result({"value": 0.0, "numerator": 0, "denominator": 12, "n": None}, subset=True)
    assert out == {"value": 0.0, "numerator": 0, "denominator": 12, "n": None}
    empty = {"value": None, "numerator": 0, "denominator": 0, "n": None}
    assert suppress_result(empty, subset=True) == empty


def test_a_median_over_fewer_than_5_is_hidden():
    one = {"value": 4.0, "numerator": None, "denominator": 1, "n": 1}
    assert suppress_result(one, subset=False) == {
        "value": None,
        "numerator": None,
        "denominator": "<5",
        "n": "<5",
    }
    # 8 episodes, 6 with a first family time: the 2 without would be 8 - 6; the median stays
    out = suppress_result({"value": 9.0, "numerator": None, "denominator": 8, "n": 6}, subset=False)
    assert out == {"value": 9.0, "numerator": None, "denominator": 8, "n": "suppressed"}


def test_a_suppressed_category_is_not_named():
    exits = {
        "value": {
            "reunification": {"count": 6, "share": 6 / 15},
            "guardianship": {"count": 7, "share": 7 / 15},
            "adoption": {"count": 2, "share": 2 / 15},
        },
        "numerator": None,
        "denominator": 15,
        "n": None,
    }
    out = suppress_result(exits, subset=False)
    assert set(out["value"]) == {"guardianship", SUPPRESSED_KEY}
    assert out["value"][SUPPRESSED_KEY] == {"count": 8, "share": 8 / 15}  # = 15 - 7 anyway
    one = {
        "value": {"guardianship": {"count": 1, "share": 1.0}},
        "numerator": None,
        "denominator": 1,
        "n": None,
    }
    out = suppress_result(one, subset=False)
    assert out["value"] == {SUPPRESSED_KEY: {"count": "<5", "share": None}}
    assert out["denominator"] == "<5"


def test_a_caseload_of_1_to_4_is_hidden():
    loads = {
        "value": [
            {"coordinator": "a@x", "site": "n", "open_cases": 3, "cap": 20, "over_cap": False},
            {"coordinator": "b@x", "site": "n", "open_cases": 0, "cap": 20, "over_cap": False},
        ],
        "numerator": 0,
        "denominator": 2,
        "n": None,
    }
    out = suppress_result(loads, subset=False)
    assert [row["open_cases"] for row in out["value"]] == ["<5", 0]
    assert out["denominator"] == "<5"


# --- aggregate-only periods: whole months, at least 3 -----------------------------------------


def test_whole_month_periods_of_at_least_3_months():
    assert aggregate_period_errors(D(2024, 1, 1), D(2024, 3, 31)) == {}
    assert set(aggregate_period_errors(D(2026, 10, 17), D(2026, 10, 17))) == {"start", "end"}
    assert set(aggregate_period_errors(D(2024, 1, 1), D(2024, 3, 5))) == {"end"}
    assert set(aggregate_period_errors(D(2024, 3, 1), D(2024, 4, 30))) == {"end"}  # 2 months
    assert snap(D(2026, 10, 17), D(2026, 10, 17)) == (D(2026, 8, 1), D(2026, 10, 31))
    assert snap(D(2024, 1, 15), D(2024, 7, 3)) == (D(2024, 1, 1), D(2024, 7, 31))


@pytest.mark.parametrize("month", range(1, 13))
@pytest.mark.parametrize("preset", list(PRESETS))
def test_every_preset_is_whole_months_and_at_least_3_for_aggregate_viewers(preset, month):
    for day in (1, 15, 28):
        today = D(2025, month, day)
        start, end = aggregate_preset_dates(preset, today)
        assert aggregate_period_errors(start, end) == {}, (preset, today, start, end)
        assert end < today
    assert aggregate_preset_dates("last_quarter", D(2025, 5, 2)) == (D(2025, 1, 1), D(2025, 3, 31))
    assert aggregate_preset_dates("last_12_months", D(2025, 2, 14)) == (
        D(2024, 2, 1),
        D(2025, 1, 31),
    )


# --- as the attacker would: the API and the pages, as the Site Implementation Team ------------

URL = "/api/v1/cqi/metrics/"
YEAR = {"start": "2024-01-01", "end": "2024-12-31"}
COUNT_FIELDS = ("numerator", "denominator", "n")


def _metrics(api, user, **params):
    api.force_authenticate(user)
    return api.get(URL, {"site": "north", **params})


def _one_child_removed_and_discharged(site, reason="guardianship"):
    """One child removed on 2024-10-17, first family time 4 days later, discharged to
    `reason` on 2024-12-10."""
    from tests.test_cqi_metrics import VisitFactory, stay

    child = stay(site, D(2024, 10, 17), D(2024, 12, 10), reason)
    VisitFactory(child=child, scheduled_on=D(2024, 10, 21))
    return child


def _small_counts(metrics: dict) -> list:
    """Every count of 1 to 4 an aggregate-only viewer could read in the API's metrics."""
    found = []
    for metric_id, result in metrics.items():
        for key in COUNT_FIELDS:
            value = result[key]
            if isinstance(value, int | float) and 0 < value < 5:
                found.append((metric_id, key, value))
        value = result["value"]
        if isinstance(value, dict):
            found += [
                (metric_id, k, c["count"]) for k, c in value.items() if c["count"] in (1, 2, 3, 4)
            ]
        if isinstance(value, list):
            found += [
                (metric_id, r["coordinator"], r["open_cases"])
                for r in value
                if r["open_cases"] in (1, 2, 3, 4)
            ]
    return found


@pytest.mark.parametrize(
    "params, fields",
    [
        ({"start": "2024-10-17", "end": "2024-10-17"}, {"start", "end"}),  # one day
        ({"start": "2024-10-01", "end": "2024-10-17"}, {"end"}),  # ends on the removal day
        ({"start": "2024-10-17", "end": "2024-12-31"}, {"start"}),
        ({"start": "2024-12-01", "end": "2024-12-31"}, {"end"}),  # one whole month
        ({"start": "2024-11-01", "end": "2024-12-31"}, {"end"}),  # two
        ({"end": "2024-10-17"}, {"end"}),  # 12 months to the day
    ],
)
@pytest.mark.django_db
@pytest.mark.urls("tests.cqi_test_urls")
def test_api_refuses_a_period_an_aggregate_viewer_could_narrow_to_one_child(
    api, sit_member, coordinator, site, params, fields
):
    _one_child_removed_and_discharged(site)
    response = _metrics(api, sit_member, **params)
    assert response.status_code == 400
    assert set(response.json()) == fields
    assert "whole months" in " ".join(" ".join(m) for m in response.json().values())
    # the coordinator keeps the exact figures of any period
    exact = _metrics(api, coordinator, **params)
    assert exact.status_code == 200


@pytest.mark.django_db
@pytest.mark.urls("tests.cqi_test_urls")
def test_one_childs_removal_and_discharge_cannot_be_read_by_the_site_implementation_team(
    api, sit_member, coordinator, site
):
    _one_child_removed_and_discharged(site)
    body = _metrics(api, sit_member, start="2024-10-01", end="2024-12-31")
    assert body.status_code == 200
    metrics = body.json()["metrics"]
    assert _small_counts(metrics) == []
    assert "guardianship" not in body.content.decode()
    assert metrics["median_days_to_first_family_time"] == {
        "value": None,
        "numerator": None,
        "denominator": "<5",
        "n": "<5",
    }
    assert metrics["exits_by_reason"]["value"] == {SUPPRESSED_KEY: {"count": "<5", "share": None}}
    # the coordinator: the exact figures, the reason named
    exact = _metrics(api, coordinator, start="2024-10-17", end="2024-10-17").json()["metrics"]
    assert exact["median_days_to_first_family_time"]["value"] == 4.0
    assert exact["median_days_to_first_family_time"]["n"] == 1
    exact = _metrics(api, coordinator, start="2024-10-01", end="2024-12-31").json()["metrics"]
    assert exact["exits_by_reason"]["value"] == {"guardianship": {"count": 1, "share": 1.0}}


@pytest.mark.django_db
@pytest.mark.urls("tests.cqi_test_urls")
def test_no_count_of_1_to_4_anywhere_in_the_api_for_aggregate_viewers(
    api, sit_member, coordinator, site
):
    from tests.test_cqi_metrics import a_little_of_everything

    a_little_of_everything(site)
    figures = _metrics(api, sit_member, **YEAR).json()["metrics"]
    assert _small_counts(figures) == []
    assert _small_counts(_metrics(api, coordinator, **YEAR).json()["metrics"]) != []


@pytest.mark.django_db
@pytest.mark.urls("tests.cqi_test_urls")
def test_total_minus_shown_count_gives_nothing_away(api, sit_member, site):
    from tests.test_cqi_metrics import stay

    # 6 children entered care; 5 left to permanency within 12 months, 1 did not
    for i in range(6):
        stay(site, D(2024, 2, 1), D(2024, 6, 1) if i else None, "reunification" if i else "")
    result = _metrics(api, sit_member, **YEAR).json()["metrics"]["permanency_12m_entries"]
    assert result == {"value": None, "numerator": "suppressed", "denominator": 6, "n": None}


@pytest.mark.django_db
@pytest.mark.urls("tests.cqi_test_urls")
def test_api_default_period_for_aggregate_viewers_is_12_whole_months(api, sit_member, site):
    import time_machine

    with time_machine.travel(dt.datetime(2025, 2, 14, 18, tzinfo=dt.UTC), tick=False):
        body = _metrics(api, sit_member).json()
    assert (body["start"], body["end"]) == ("2024-02-01", "2025-01-31")


def _page(client_for, user, name, **params):
    from django.urls import reverse

    return client_for(user).get(reverse(name, args=["north"]), params)


@pytest.mark.django_db
@pytest.mark.urls("tests.cqi_test_urls")
@pytest.mark.parametrize("name", ["cqi-dashboard", "cqi-story", "cqi-barriers"])
def test_pages_widen_a_one_day_period_to_whole_months_and_say_so(
    client_for, sit_member, coordinator, site, name
):
    _one_child_removed_and_discharged(site)
    response = _page(client_for, sit_member, name, start="2024-10-17", end="2024-10-17")
    assert response.status_code == 200
    period = response.context["period"]
    assert (period.start, period.end) == (D(2024, 8, 1), D(2024, 10, 31))
    assert "was widened to" in response.content.decode()
    exact = _page(client_for, coordinator, name, start="2024-10-17", end="2024-10-17")
    assert (exact.context["period"].start, exact.context["period"].end) == (
        D(2024, 10, 17),
        D(2024, 10, 17),
    )


@pytest.mark.django_db
@pytest.mark.urls("tests.cqi_test_urls")
def test_csv_of_a_one_day_period_is_whole_months_with_nothing_small(client_for, sit_member, site):
    import csv
    import io

    _one_child_removed_and_discharged(site)
    for table in ("metrics", "exits", "trends"):
        response = client_for(sit_member).get(
            f"/cqi/north/csv/{table}/", {"start": "2024-12-10", "end": "2024-12-10"}
        )
        assert response.status_code == 200
        assert "20241001-20241231" in response["Content-Disposition"]
        text = response.content.decode()
        assert "guardianship" not in text
        rows = list(csv.reader(io.StringIO(text)))
        header = rows[0]
        for row in rows[1:]:
            for column in ("numerator", "denominator", "n", "count", "value"):
                if column in header and column != "value":
                    assert row[header.index(column)] not in {"1", "2", "3", "4"}, (table, row)


@pytest.mark.django_db
@pytest.mark.urls("tests.cqi_test_urls")
def test_data_story_for_a_site_with_one_discharge(client_for, sit_member, coordinator, site):
    _one_child_removed_and_discharged(site)
    params = {"start": "2024-10-01", "end": "2024-12-31"}
    html = _page(client_for, sit_member, "cqi-story", **params).content.decode()
    assert "1 child left care" not in html
    assert "guardianship" not in html
    assert "Fewer than 5 children left care" in html
    exact = _page(client_for, coordinator, "cqi-story", **params).content.decode()
    assert "1 child left care" in exact and "guardianship" in exact


@pytest.mark.django_db
@pytest.mark.urls("tests.cqi_test_urls")
def test_dashboard_names_no_suppressed_exit_reason(client_for, sit_member, site):
    from tests.test_cqi_metrics import stay

    for reason, count in (("reunification", 6), ("adoption", 2), ("guardianship", 7)):
        for _ in range(count):
            stay(site, D(2024, 2, 1), D(2024, 6, 1), reason)
    response = _page(client_for, sit_member, "cqi-dashboard", **YEAR)
    exits = response.context["outcome_rows"]
    row = next(r for r in exits if r.metric.id == "exits_by_reason")
    assert set(row.current["value"]) == {"guardianship", SUPPRESSED_KEY}
    assert row.current_hidden  # reunification, the compared share, is among the hidden
    csv_text = client_for(sit_member).get("/cqi/north/csv/exits/", YEAR).content.decode()
    assert "adoption" not in csv_text and "reunification" not in csv_text


@pytest.mark.django_db
def test_suppression_is_on_the_way_out_the_cache_keeps_exact_figures(site, coordinator):
    from cqi import metrics as registry
    from cqi.selectors import MetricsScope, metrics_for

    _one_child_removed_and_discharged(site)
    aggregate = MetricsScope(site.slug, [site], aggregate_only=True)
    exact = MetricsScope(site.slug, [site], aggregate_only=False)
    start, end = D(2024, 10, 1), D(2024, 12, 31)
    hidden = metrics_for(aggregate, start, end)  # first: fills the cache
    assert hidden["exits_by_reason"]["denominator"] == "<5"
    shown = metrics_for(exact, start, end)  # read back from the cache
    assert shown["exits_by_reason"]["value"] == {"guardianship": {"count": 1, "share": 1.0}}
    fresh = registry.compute_all([site], start, end)
    assert {k: v for k, v in shown.items() if k != "coordinator_caseload"} == {
        k: v for k, v in fresh.items() if k != "coordinator_caseload"
    }
    assert metrics_for(aggregate, start, end) == hidden


def test_one_hidden_month_takes_a_second_month_with_it():
    # monthly FTM case-months: the period's figure (their sum) is shown, so March's 3 of 10
    # (rest 7) alone hidden would be the total minus the other months
    exact = [
        {"value": n / d if d else None, "numerator": n, "denominator": d, "n": None}
        for n, d in [(10, 10), (3, 10), (9, 9), (12, 12), (0, 0)]
    ]
    shown = complement_months(exact, [suppress_result(m, subset=True) for m in exact], subset=True)
    assert shown[1]["numerator"] == "<5" and shown[1]["value"] is None
    hidden = [i for i, m in enumerate(shown) if m["numerator"] in ("<5", "suppressed")]
    assert len(hidden) == 2
    assert shown[2] == {
        "value": None,
        "numerator": "suppressed",
        "denominator": 9,
        "n": None,
    }
    assert exact[2]["numerator"] == 9  # not changed


def test_a_month_still_running_is_refused_or_left_out():
    # polled day by day, the running month's figures would change by that day's children
    today = D(2025, 2, 14)
    assert set(aggregate_period_errors(D(2024, 12, 1), D(2025, 2, 28), today)) == {"end"}
    assert aggregate_period_errors(D(2024, 11, 1), D(2025, 1, 31), today) == {}
    assert snap(D(2025, 2, 10), D(2025, 2, 10), today) == (D(2024, 11, 1), D(2025, 1, 31))
    assert snap(D(2025, 6, 1), D(2025, 9, 3), today) == (D(2024, 11, 1), D(2025, 1, 31))
