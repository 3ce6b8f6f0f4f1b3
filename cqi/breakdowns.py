"""Dashboard reads beyond the single figures of `cqi.metrics`, computed in PostgreSQL.

- `children_in_care_breakdowns`: the children in care in the period by race/ethnicity, age band
  and placement type, with those who left care to permanency in the period (one query, GROUPING
  SETS);
- `service_barriers`: barriers recorded on services, by barrier and month and by barrier and
  service type (one query, GROUPING SETS);
- `drill_down`: for a process metric, the cases behind its numerator and denominator (one query):
  the metric's own query (`cqi.metrics`) keyed by case, so the per-case counts add up to it;
- `monthly_trends`: key metrics month by month, one query per metric: the metric's own query
  keyed by month, each month as its period.

Counts only: access and small-cell suppression are decided in `cqi.selectors` / `cqi.suppression`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from cqi.metrics.case_months import case_month_series_parts, case_months_by_case
from cqi.metrics.engine import (
    Parts,
    Query,
    Result,
    State,
    fetch_all,
    merge,
    parts_of,
    query_params,
    share_result,
)
from cqi.metrics.family_time import HELD_PER_WEEK_BY_MONTH, per_week_result
from cqi.metrics.ftms import HELD_FTMS
from cqi.metrics.hearings import HELD_HEARINGS
from cqi.metrics.screenings_services import (
    SERVICES_BY_CASE,
    SERVICES_BY_MONTH_OF_REFERRAL,
    developmental_screening,
    early_intervention_referral,
    services_started,
)
from cqi.metrics.sql import (
    EPISODES,
    EPISODES_BY_CASE,
    EPISODES_BY_MONTH_OF_REMOVAL,
    PERMANENCY,
    days_in_care_from,
    in_care_between,
    last_placement,
)
from safebabies import codes
from safebabies.identity.models import Site
from safebabies.lib.dates import add_months

DIMENSIONS = ("race_ethnicity", "age_band", "placement_type")
DIMENSION_LABELS = {
    "race_ethnicity": "Race and ethnicity",
    "age_band": "Age on entering the period",
    "placement_type": "Placement type",
}
RACE_ETHNICITY_LABELS = {
    "hispanic": "Hispanic or Latino (any race)",
    **{str(code): str(label) for code, label in codes.Race.choices},
    "two_or_more": "Two or more races",
    "unknown": "Not recorded, declined or unable to determine",
}
for _code in (codes.Race.DECLINED, codes.Race.UNABLE_TO_DETERMINE):
    RACE_ETHNICITY_LABELS.pop(str(_code))
AGE_BAND_LABELS = {
    "0_11": "Under 12 months",
    "12_23": "12 to 23 months",
    "24_35": "24 to 35 months",
    "36_plus": "3 years or older",
}
PLACEMENT_LABELS = {
    **{str(code): str(label) for code, label in codes.PlacementSetting.choices},
    "none": "No placement recorded",
}
GROUP_LABELS = {
    "race_ethnicity": RACE_ETHNICITY_LABELS,
    "age_band": AGE_BAND_LABELS,
    "placement_type": PLACEMENT_LABELS,
}


@dataclass(frozen=True)
class GroupCount:
    group: str
    label: str
    children: int
    permanency: int


BREAKDOWN_SQL = f"""
WITH {EPISODES},
in_care AS (
    -- each child in care on at least one day of the period: their latest such episode
    SELECT DISTINCT ON (e.child_id) e.*
      FROM eps e
     WHERE {in_care_between("e", "%(start)s", "%(end)s")}
     ORDER BY e.child_id, e.removal_date DESC, e.id DESC
),
keyed AS (
    SELECT i.child_id, i.site_id, i.part,
           (i.discharge_date BETWEEN %(start)s AND %(end)s
            AND i.discharge_reason = ANY(%(permanency)s)) AS to_permanency,
           CASE WHEN ch.hispanic = %(hispanic)s THEN 'hispanic'
                WHEN cardinality(ch.race) > 1 THEN 'two_or_more'
                WHEN cardinality(ch.race) = 1 AND NOT (ch.race[1] = ANY(%(race_unknown)s))
                    THEN ch.race[1]
                ELSE 'unknown'
           END AS race_ethnicity,
           CASE WHEN age_m < 12 THEN '0_11' WHEN age_m < 24 THEN '12_23'
                WHEN age_m < 36 THEN '24_35' ELSE '36_plus' END AS age_band,
           COALESCE(last_p.setting, 'none') AS placement_type
      FROM in_care i
      JOIN cases_child ch ON ch.id = i.child_id
      CROSS JOIN LATERAL (
          SELECT (extract(year FROM span) * 12 + extract(month FROM span))::int AS age_m
            FROM age({days_in_care_from("i", "%(start)s::date")}::timestamp,
                     ch.birth_date::timestamp) AS span
      ) a
      {last_placement("i", begun_by="%(end)s")}
)
SELECT site_id, part, race_ethnicity, age_band, placement_type,
       GROUPING(race_ethnicity, age_band, placement_type) AS grouping,
       count(*), count(*) FILTER (WHERE to_permanency)
  FROM keyed
 GROUP BY GROUPING SETS (
     (site_id, part, race_ethnicity), (site_id, part, age_band), (site_id, part, placement_type)
 )
"""  # noqa: S608 (constant SQL fragments; every value is a parameter)

# GROUPING(a, b, c) is a bit mask with a bit set for each column *not* grouped on.
_GROUPING = {0b011: "race_ethnicity", 0b101: "age_band", 0b110: "placement_type"}


def children_in_care_breakdowns_parts(
    sites: Site | Iterable[Site], start: dt.date, end: dt.date, parts=None
) -> Parts:
    """{(site, part): {(dimension, group): (children, to permanency)}} (see
    `children_in_care_breakdowns`), over the cases of the parts named (every part if None)."""
    params = query_params(
        sites,
        start,
        end,
        parts,
        permanency=PERMANENCY,
        hispanic=str(codes.Hispanic.YES),
        race_unknown=[str(codes.Race.DECLINED), str(codes.Race.UNABLE_TO_DETERMINE)],
    )
    rows = []
    for site_id, part, race, age, placement, grouping, children, permanency in fetch_all(
        BREAKDOWN_SQL, params
    ):
        dimension = _GROUPING[grouping]
        group = {"race_ethnicity": race, "age_band": age, "placement_type": placement}[dimension]
        rows.append((site_id, part, (dimension, group), children, permanency))
    return parts_of(rows)


def finish_breakdowns(state: State) -> dict[str, list[GroupCount]]:
    return {
        dimension: [
            GroupCount(group, label, *state.get((dimension, group), (0, 0)))
            for group, label in GROUP_LABELS[dimension].items()
        ]
        for dimension in DIMENSIONS
    }


def children_in_care_breakdowns(
    sites: Site | Iterable[Site], start: dt.date, end: dt.date
) -> dict[str, list[GroupCount]]:
    """{dimension: [GroupCount in label order]}: children in care on at least one day of the
    period (removal on or before the end, not discharged by the start; one row per child, their
    latest episode of the period), and how many of them left care to permanency in the period.

    Race/ethnicity: Hispanic or Latino of any race; else the single race recorded, "two or more
    races", or not recorded. Age: whole months on the later of the removal and the period start.
    Placement type: the setting of the episode's latest placement begun by the period end.
    Every group is listed, with 0 where no child falls in it."""
    return finish_breakdowns(merge(children_in_care_breakdowns_parts(sites, start, end).values()))


# ---------------------------------------------------------------------------------------------
# Service barriers (Active Community Team)

BARRIERS_SQL = """
SELECT s.barrier,
       date_trunc('month', s.referred_on::timestamp)::date AS month,
       s.service_type,
       GROUPING(date_trunc('month', s.referred_on::timestamp)::date, s.service_type) AS grouping,
       count(*)
  FROM assessments_service s
  JOIN cases_case c ON c.id = s.case_id
 WHERE c.site_id = ANY(%(sites)s::bigint[])
   AND s.barrier <> ''
   AND s.referred_on BETWEEN %(start)s AND %(end)s
 GROUP BY GROUPING SETS (
     (s.barrier, date_trunc('month', s.referred_on::timestamp)::date),
     (s.barrier, s.service_type)
 )
"""


@dataclass(frozen=True)
class BarrierCounts:
    months: list[dt.date]  # first day of each month of the period
    barriers: list[tuple[str, str]]  # (code, label), every barrier code
    service_types: list[tuple[str, str]]  # (code, label), every service type
    by_month: list[list[int]]  # [barrier][month]
    by_service: list[list[int]]  # [barrier][service type]


def months_of(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first day of every calendar month that has a day in [start, end]."""
    month, last = start.replace(day=1), end.replace(day=1)
    out = []
    while month <= last:
        out.append(month)
        month = add_months(month, 1)
    return out


def service_barriers(sites: Site | Iterable[Site], start: dt.date, end: dt.date) -> BarrierCounts:
    """Services referred in the period with a barrier recorded, counted by barrier and month of
    referral and by barrier and service type. One query."""
    barriers = [(str(c), str(label)) for c, label in codes.ServiceBarrier.choices]
    types = [(str(c), str(label)) for c, label in codes.ServiceType.choices]
    months = months_of(start, end)
    by_month = {b: dict.fromkeys(months, 0) for b, _ in barriers}
    by_service = {b: {t: 0 for t, _ in types} for b, _ in barriers}
    for barrier, month, service_type, grouping, count in fetch_all(
        BARRIERS_SQL, query_params(sites, start, end)
    ):
        if grouping == 0b01:  # grouped by barrier and month
            by_month[barrier][month] = count
        else:
            by_service[barrier][service_type] = count
    return BarrierCounts(
        months=months,
        barriers=barriers,
        service_types=types,
        by_month=[[by_month[b][m] for m in months] for b, _ in barriers],
        by_service=[[by_service[b][t] for t, _ in types] for b, _ in barriers],
    )


# ---------------------------------------------------------------------------------------------
# Drill-down: the cases behind a process metric

# The cases behind each drillable metric: its own definition (`cqi.metrics`) keyed by case, rows
# (case_id, met, total) whose sums are the metric's numerator and denominator.
DRILL_QUERIES: dict[str, Query] = {
    "developmental_screening_within_30_days": developmental_screening(EPISODES_BY_CASE),
    "early_intervention_referral_within_7_days": early_intervention_referral(EPISODES_BY_CASE),
    "services_started_within_60_days": services_started(SERVICES_BY_CASE),
    "ftm_monthly_rate": case_months_by_case(*HELD_FTMS),
}

# What a drill-down counts, "singular,plural" (the `counted` template filter).
DRILL_UNITS = {
    "developmental_screening_within_30_days": "child removed,children removed",
    "early_intervention_referral_within_7_days": (
        "child removed for maltreatment,children removed for maltreatment"
    ),
    "services_started_within_60_days": "service referred,services referred",
    "ftm_monthly_rate": "case-month",
}
DRILLABLE = tuple(DRILL_QUERIES)


def drill_down(
    metric_id: str, sites: Site | Iterable[Site], start: dt.date, end: dt.date
) -> list[tuple[str, int, int]]:
    """[(case_id, met, total)] behind `metric_id` (one of DRILLABLE), the cases furthest from
    the mark first. Sum of met = the metric's numerator, sum of total = its denominator."""
    rows = [
        (case_id, int(met), int(total))
        for case_id, met, total in DRILL_QUERIES[metric_id].rows(sites, start, end)
    ]
    return sorted(rows, key=lambda row: (row[1] / row[2] if row[2] else 1, -row[2], row[0]))


# ---------------------------------------------------------------------------------------------
# Monthly trends


def trend_months(end: dt.date, count: int = 12) -> list[tuple[dt.date, dt.date]]:
    """The `count` calendar months ending with the last whole month on or before `end`."""
    last_first = end.replace(day=1)
    if add_months(last_first, 1) - dt.timedelta(days=1) > end:
        last_first = add_months(last_first, -1)
    firsts = [add_months(last_first, -i) for i in range(count - 1, -1, -1)]
    return [(first, add_months(first, 1) - dt.timedelta(days=1)) for first in firsts]


# One query per metric for all 12 months: each row is (site id, part, first day of month,
# numerator, denominator), the metric's own definition (`cqi.metrics`) keyed by month, applied
# with the month as its period.
TREND_QUERIES: dict[str, Query] = {
    "family_time_held_per_week": HELD_PER_WEEK_BY_MONTH,
    "developmental_screening_within_30_days": developmental_screening(EPISODES_BY_MONTH_OF_REMOVAL),
    "services_started_within_60_days": services_started(SERVICES_BY_MONTH_OF_REFERRAL),
}
# The case-month rates month by month: `cqi.metrics.case_months.case_month_series_parts`, which
# the period figure over the same months shares.
CASE_MONTH_TRENDS = {"ftm_monthly_rate": HELD_FTMS, "hearing_monthly_rate": HELD_HEARINGS}
TREND_METRICS = ("ftm_monthly_rate", "hearing_monthly_rate", *TREND_QUERIES)


def _trend_result(metric_id: str, numerator: int, denominator: int) -> Result:
    if metric_id == "family_time_held_per_week":
        return per_week_result(numerator, denominator)
    return share_result(numerator, denominator)


def monthly_trends_parts(
    sites: Site | Iterable[Site],
    end: dt.date,
    metric_ids: Iterable[str] = TREND_METRICS,
    parts=None,
) -> Parts:
    """{(site, part): {(metric id, first day of month): (numerator, denominator)}} over the 12
    whole months up to `end` (see `monthly_trends`), for the cases of the parts named."""
    months = trend_months(end)
    rows = []
    for metric_id in metric_ids:
        if metric_id in CASE_MONTH_TRENDS:
            table, held = CASE_MONTH_TRENDS[metric_id]
            series = case_month_series_parts(sites, months[0][0], months[-1][0], table, held, parts)
            for (site_id, part), by_month in series.items():
                for month, counts in by_month.items():
                    rows.append((site_id, part, (metric_id, month), *counts))
            continue
        query = TREND_QUERIES[metric_id]
        for site_id, part, month, num, den in query.rows(sites, months[0][0], months[-1][1], parts):
            rows.append((site_id, part, (metric_id, month), num, den))
    return parts_of(rows)


def finish_trends(
    state: State, end: dt.date, metric_ids: Iterable[str] = TREND_METRICS
) -> dict[str, list[tuple[dt.date, Result]]]:
    months = trend_months(end)
    return {
        metric_id: [
            (first, _trend_result(metric_id, *state.get((metric_id, first), (0, 0))))
            for first, _ in months
        ]
        for metric_id in metric_ids
    }


def monthly_trends(
    sites: Site | Iterable[Site], end: dt.date, metric_ids: Iterable[str] = TREND_METRICS
) -> dict[str, list[tuple[dt.date, Result]]]:
    """{metric_id: [(first day of month, result for that month)]} over the 12 whole months up to
    `end`: for each month the same figure as the metric's selector over that month as its period
    (tests/test_cqi_dashboard.py compares them), in one query per metric."""
    wanted = list(metric_ids)
    return finish_trends(merge(monthly_trends_parts(sites, end, wanted).values()), end, wanted)
