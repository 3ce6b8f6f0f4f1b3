"""Case-month rates (METRICS.md "case-months"): the share of case-months with at least one held
event of the case in the month, for the FTMs (`cqi.metrics.ftms`) and the court hearings
(`cqi.metrics.hearings`). One series query gives every month's counts: the period figure sums
them, the monthly trend reads them month by month (in a `shared()` block they share it); the
drill-down counts the same case-months case by case (`case_months_by_case`)."""

from __future__ import annotations

import datetime as dt

from cqi.metrics.engine import (
    Parts,
    Query,
    episodes_key,
    fetch_all,
    merge,
    once,
    parts_of,
    query_params,
)
from cqi.metrics.sql import CASE_MONTH_SPANS, MONTHS, case_month_hits
from safebabies.lib.dates import add_months


def _case_month_series_sql(table: str) -> str:
    return f"""
WITH {CASE_MONTH_SPANS}, {case_month_hits(table, "held")},
edges AS (
    SELECT site_id, part, lo AS first_day, count(*) AS delta
      FROM case_spans GROUP BY site_id, part, lo
    UNION ALL
    SELECT site_id, part, (hi + interval '1 month')::date, -count(*)
      FROM case_spans GROUP BY site_id, part, hi
),{MONTHS},
open_months AS (
    SELECT e.site_id, e.part, mo.first_day, sum(e.delta) AS cases
      FROM months mo JOIN edges e ON e.first_day <= mo.first_day
     GROUP BY 1, 2, 3
),
hit_months AS (
    SELECT site_id, part, first_day, count(*) AS hit FROM hits GROUP BY 1, 2, 3
)
SELECT om.site_id, om.part, om.first_day, COALESCE(hm.hit, 0), om.cases
  FROM open_months om
  LEFT JOIN hit_months hm USING (site_id, part, first_day)
 WHERE om.cases > 0
"""  # noqa: S608 (constant SQL fragments and table names; every value is a parameter)


def whole_months(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date] | None:
    """(first day of the first, first day of the last) calendar month wholly inside
    [start, end]; None if there is none."""
    first = start if start.day == 1 else add_months(start.replace(day=1), 1)
    last = add_months((end + dt.timedelta(days=1)).replace(day=1), -1)
    return (first, last) if first <= last else None


def case_month_series_parts(
    sites, first: dt.date, last: dt.date, table: str, held: str, parts=None
) -> Parts:
    """{(site, part): {first day of month: (case-months with a held event of `table`,
    case-months)}} for the whole months from `first` to `last` (first days). One query; in a
    `shared()` block the period figure and the monthly trend over the same months share it. A
    case's case-months are the months of its span [lo, hi]: +1 from lo, -1 after hi, summed up
    to each month. A hit lies in its case's span, so a month with hits has open cases."""
    params = query_params(
        sites, first, add_months(last, 1) - dt.timedelta(days=1), parts, held=held
    )
    sql = _case_month_series_sql(table)
    key = ("case_months", table, held, episodes_key(params), first, last)
    return once(key, lambda: parts_of(fetch_all(sql, params)))


def case_month_rate_parts(sites, start, end, parts, table: str, held: str) -> Parts:
    """Case-months with at least one held event (FTM or hearing) of the case in the month."""
    months = whole_months(start, end)
    if months is None:
        return {}
    series = case_month_series_parts(sites, *months, table, held, parts)
    return {
        where: merge([{0: counts} for counts in by_month.values()])
        for where, by_month in series.items()
    }


def case_months_by_case(table: str, held: str) -> Query:
    """Rows (case id, case-months with a held event of `table`, case-months) of the period's
    whole months: the rate's drill-down, case by case."""
    sql = f"""
        WITH {CASE_MONTH_SPANS}, {case_month_hits(table, "held")},
        per_case AS (SELECT case_id, count(*) AS hit FROM hits GROUP BY case_id)
        SELECT cs.case_id, COALESCE(pc.hit, 0), cs.months
          FROM case_spans cs
          LEFT JOIN per_case pc ON pc.case_id = cs.case_id
    """  # noqa: S608 (constant SQL fragments and table names; every value is a parameter)
    return Query(sql, {"held": held})
