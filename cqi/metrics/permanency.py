"""Permanency and exits: CFSR R4 P1-P3, the medians of days to permanency (plain and
Kaplan-Meier) and the exits from care by reason."""

from __future__ import annotations

import datetime as dt

from cqi.metrics.engine import (
    Parts,
    Result,
    State,
    fetch_all,
    fetch_one,
    parts_of,
    query_params,
)
from cqi.metrics.sql import (
    EPISODES,
    FIRST_ENTRIES,
    LOS,
    PERMANENCY,
    SHORT_STAY_DAYS,
    last_placement,
    median_histogram_sql,
)
from safebabies import codes


def permanency_12m_entries_parts(sites, start: dt.date, end: dt.date, parts=None) -> Parts:
    """CFSR R4 P1: first entries in the period (not short stays) discharged to permanency
    within 12 months of removal; a reunification whose last placement is a trial home visit
    begun more than 30 days before discharge exits at that visit's start + 30 days."""
    sql = f"""
    WITH {EPISODES}, {FIRST_ENTRIES},
    cohort AS (
        SELECT f.*, last_p.setting AS last_setting, last_p.start_date AS last_start
          FROM first_entry f
          {last_placement("f")}
         WHERE {LOS.format(t="f")} >= %(short)s
    ),
    exits AS (
        SELECT cohort.*,
               CASE WHEN discharge_reason = %(reunification)s
                         AND last_setting = %(thv)s
                         AND discharge_date - last_start > 30
                    THEN last_start + 30
                    ELSE discharge_date
               END AS exit_date
          FROM cohort
    )
    SELECT site_id, part, 0,
           count(*) FILTER (
               WHERE discharge_reason = ANY(%(permanency)s)
                 AND exit_date <= (removal_date + interval '12 months')::date
           ),
           count(*)
      FROM exits
     GROUP BY site_id, part
    """  # noqa: S608 (constant SQL fragments; every value is a parameter)
    params = query_params(
        sites,
        start,
        end,
        parts,
        short=SHORT_STAY_DAYS,
        permanency=PERMANENCY,
        reunification=str(codes.DischargeReason.REUNIFICATION),
        thv=str(codes.PlacementSetting.TRIAL_HOME_VISIT),
    )
    return parts_of(fetch_all(sql, params))


def _permanency_in_care_parts(sites, start, end, parts, lo: int, hi: int | None) -> Parts:
    sql = f"""
    WITH {EPISODES},
    cohort AS (
        SELECT DISTINCT ON (child_id) *
          FROM eps
         WHERE removal_date < %(start)s
           AND (discharge_date IS NULL OR discharge_date >= %(start)s)
           AND (removal_date + make_interval(months => %(lo)s))::date <= %(start)s
           AND (%(hi)s::int IS NULL
                OR %(start)s < (removal_date + make_interval(months => %(hi)s::int))::date)
         ORDER BY child_id, removal_date, id
    )
    SELECT site_id, part, 0,
           count(*) FILTER (
               WHERE discharge_reason = ANY(%(permanency)s)
                 AND discharge_date <= (%(start)s::date + interval '12 months')::date
           ),
           count(*)
      FROM cohort
     GROUP BY site_id, part
    """  # noqa: S608 (constant SQL fragments; every value is a parameter)
    params = query_params(sites, start, end, parts, lo=lo, hi=hi, permanency=PERMANENCY)
    return parts_of(fetch_all(sql, params))


def permanency_12m_in_care_12_23_parts(sites, start: dt.date, end: dt.date, parts=None) -> Parts:
    """CFSR R4 P2: in care on `start` for 12-23 months; permanency by start + 12 months."""
    return _permanency_in_care_parts(sites, start, end, parts, 12, 24)


def permanency_12m_in_care_24_plus_parts(sites, start: dt.date, end: dt.date, parts=None) -> Parts:
    """CFSR R4 P3: in care on `start` for 24 months or more; permanency by start + 12 months."""
    return _permanency_in_care_parts(sites, start, end, parts, 24, None)


def median_days_to_permanency_parts(sites, start: dt.date, end: dt.date, parts=None) -> Parts:
    """Median LOS of episodes removed in the period and discharged to permanency.
    `n` = those episodes; `denominator` = every episode removed in the period."""
    histogram = median_histogram_sql(
        "cohort", "discharge_date - removal_date", "discharge_reason = ANY(%(permanency)s)"
    )
    sql = f"""
    WITH {EPISODES},
    cohort AS (SELECT * FROM eps WHERE removal_date BETWEEN %(start)s AND %(end)s)
    {histogram}
    """  # noqa: S608 (constant SQL fragments; every value is a parameter)
    return parts_of(fetch_all(sql, query_params(sites, start, end, parts, permanency=PERMANENCY)))


def median_days_to_permanency_survival_parts(
    sites, start: dt.date, end: dt.date, parts=None
) -> Parts:
    """Kaplan-Meier median days to permanency over episodes removed in the period.

    Event: a discharge to permanency on or before the period end, at its LOS. Censored: an
    episode still open at the period end (at end - removal) and a discharge for another reason
    (at its LOS). The median is the first time at which the survival estimate falls to 0.5 or
    below; null while it stays above. `n` = events, `denominator` = episodes. The state is the
    life table {t: (events at t, episodes leaving the risk set at t)}.
    """
    sql = f"""
    WITH {EPISODES},
    cohort AS (
        SELECT site_id, part,
               CASE WHEN discharge_date <= %(end)s THEN discharge_date - removal_date
                    ELSE %(end)s::date - removal_date END AS t,
               (discharge_date <= %(end)s AND discharge_reason = ANY(%(permanency)s)) AS event
          FROM eps
         WHERE removal_date BETWEEN %(start)s AND %(end)s
    )
    SELECT site_id, part, t, count(*) FILTER (WHERE event), count(*)
      FROM cohort
     GROUP BY site_id, part, t
    """  # noqa: S608 (constant SQL fragments; every value is a parameter)
    return parts_of(fetch_all(sql, query_params(sites, start, end, parts, permanency=PERMANENCY)))


def finish_survival(state: State) -> Result:
    """The Kaplan-Meier median of a life table, in PostgreSQL."""
    times = sorted(state)
    events = sum(state[t][0] for t in times)
    cohort = sum(state[t][1] for t in times)
    median = None
    if events:
        median = fetch_one(
            """
            WITH times AS (
                SELECT * FROM unnest(%(t)s::int[], %(d)s::bigint[], %(leaving)s::bigint[])
                         AS x(t, d, leaving)
            ),
            at_risk AS (
                SELECT t, d, sum(leaving) OVER (ORDER BY t DESC) AS n_at_risk FROM times
            ),
            survival AS (
                SELECT t, d,
                       -- product of (1 - d/n) as exp(sum(ln)); a factor of 0 ends the curve at 0
                       CASE WHEN bool_or(d = n_at_risk) OVER (ORDER BY t) THEN 0
                            ELSE exp(sum(CASE WHEN d < n_at_risk
                                              THEN ln(1 - d::float8 / n_at_risk) ELSE 0 END)
                                     OVER (ORDER BY t))
                       END AS s
                  FROM at_risk
            )
            SELECT min(t) FROM survival WHERE d > 0 AND s <= 0.5 + 1e-12
            """,
            {
                "t": times,
                "d": [state[t][0] for t in times],
                "leaving": [state[t][1] for t in times],
            },
        )[0]
    return {
        "value": float(median) if median is not None else None,
        "numerator": None,
        "denominator": cohort,
        "n": events,
    }


def exits_by_reason_parts(sites, start: dt.date, end: dt.date, parts=None) -> Parts:
    """Episodes discharged in the period, by discharge reason: count and share of all exits."""
    sql = f"""
    WITH {EPISODES}
    SELECT site_id, part, discharge_reason, count(*)
      FROM eps
     WHERE discharge_date BETWEEN %(start)s AND %(end)s
     GROUP BY site_id, part, discharge_reason
    """  # noqa: S608 (constant SQL fragments; every value is a parameter)
    return parts_of(fetch_all(sql, query_params(sites, start, end, parts)))


def finish_exits(state: State) -> Result:
    counts = sorted(((reason, n) for reason, (n,) in state.items()), key=lambda r: (-r[1], r[0]))
    total = sum(count for _, count in counts)
    value = {reason: {"count": count, "share": count / total} for reason, count in counts}
    return {"value": value if total else None, "numerator": None, "denominator": total, "n": None}
