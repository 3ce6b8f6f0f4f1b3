"""Placement stability: moves per 1,000 days in care (CFSR R4) and the average placements of
the episodes closed in the period."""

from __future__ import annotations

import datetime as dt

from cqi.metrics.engine import Parts, Result, State, fetch_all, parts_of, query_params
from cqi.metrics.sql import (
    EPISODES,
    LOS,
    NON_MOVE,
    PLACEMENT_ORDER,
    SHORT_STAY_DAYS,
    days_in_care_to,
)


def placement_moves_per_1000_days_parts(sites, start: dt.date, end: dt.date, parts=None) -> Parts:
    """CFSR R4 placement stability: moves per 1,000 days in care of episodes removed in the
    period (not short stays). A move is a placement starting in the period that is not the
    episode's first and where neither it nor the previous one is a trial home visit, runaway
    or respite."""
    sql = f"""
    WITH {EPISODES},
    cohort AS (
        SELECT * FROM eps
         WHERE removal_date BETWEEN %(start)s AND %(end)s
           AND {LOS.format(t="eps")} >= %(short)s
    ),
    ordered AS (
        SELECT cohort.site_id, cohort.part, p.start_date, p.setting,
               row_number() OVER w AS nth,
               lag(p.setting) OVER w AS previous_setting
          FROM cases_placement p
          JOIN cohort ON cohort.id = p.episode_id
        WINDOW w AS (PARTITION BY p.episode_id ORDER BY {PLACEMENT_ORDER})
    )
    SELECT site_id, part, 'moves', count(*)
      FROM ordered
     WHERE nth > 1
       AND start_date BETWEEN %(start)s AND %(end)s
       AND NOT (setting = ANY(%(non_move)s))
       AND NOT (previous_setting = ANY(%(non_move)s))
     GROUP BY site_id, part
    UNION ALL
    SELECT site_id, part, 'days',
           sum({days_in_care_to("cohort", "%(end)s::date")} - removal_date)
      FROM cohort
     GROUP BY site_id, part
    """  # noqa: S608 (constant SQL fragments; every value is a parameter)
    params = query_params(sites, start, end, parts, short=SHORT_STAY_DAYS, non_move=NON_MOVE)
    return parts_of(fetch_all(sql, params))


def finish_moves(state: State) -> Result:
    moves, days = state.get("moves", (0,))[0], state.get("days", (0,))[0]
    return {
        "value": 1000 * moves / days if days else None,
        "numerator": moves,
        "denominator": days,
        "n": None,
    }


def average_placements_closed_parts(sites, start: dt.date, end: dt.date, parts=None) -> Parts:
    """Episodes discharged in the period: mean placements per episode, not counting trial home
    visits, runaway or respite."""
    sql = f"""
    WITH {EPISODES},
    closed AS (
        SELECT id, site_id, part FROM eps WHERE discharge_date BETWEEN %(start)s AND %(end)s
    ),
    placements AS (
        SELECT closed.site_id, closed.part, count(*) AS n
          FROM cases_placement p JOIN closed ON closed.id = p.episode_id
         WHERE NOT (p.setting = ANY(%(non_move)s))
         GROUP BY 1, 2
    )
    SELECT cl.site_id, cl.part, 0, COALESCE(min(pl.n), 0), count(*)
      FROM closed cl
      LEFT JOIN placements pl ON pl.site_id = cl.site_id AND pl.part = cl.part
     GROUP BY cl.site_id, cl.part
    """  # noqa: S608 (constant SQL fragments; every value is a parameter)
    return parts_of(fetch_all(sql, query_params(sites, start, end, parts, non_move=NON_MOVE)))
