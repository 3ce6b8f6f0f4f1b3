"""Family time: the median days from removal to the first family time, the held visits per week
in care, and the shares of children with family time 2+ and 3+ times a week.

The same SQL gives the family-time page's figures at a glance (`familytime.selectors`: the
first held visit, `first_held_visit_on`; the visits per week over the last 4 weeks,
`FAMILY_TIME`) and the monthly trend (`HELD_PER_WEEK_BY_MONTH`)."""

from __future__ import annotations

import datetime as dt

from cqi.metrics.engine import (
    Parts,
    Query,
    Result,
    State,
    episodes_key,
    fetch_all,
    once,
    parts_of,
    query_params,
    share_result,
)
from cqi.metrics.sql import (
    EPISODES,
    EPISODES_OF_CHILDREN,
    MONTHS,
    WINDOW,
    days_in_care_from,
    days_in_care_to,
    in_care_between,
    median_histogram_sql,
)
from safebabies import codes

# The parameters of the queries below beyond the period's: the status of a held visit.
HELD_VISIT_PARAMS = {"held": str(codes.VisitStatus.HELD)}


def held_visits_of(episode: str) -> str:
    """Condition on `familytime_visit v`: a held visit of the child of the episode `episode`
    (read through the partial index `visit_held_by_child`); needs the parameter `held`."""
    return f"v.child_id = {episode}.child_id AND v.status = %(held)s"


def first_held_visit_on(episode: str) -> str:
    """The date of the first held visit of the child of the episode `episode` on or after its
    removal (and on or before its discharge, if any); null if there is none."""
    e = episode
    return f"""(SELECT min(v.scheduled_on)
                  FROM familytime_visit v
                 WHERE {held_visits_of(e)}
                   AND v.scheduled_on >= {e}.removal_date
                   AND ({e}.discharge_date IS NULL OR v.scheduled_on <= {e}.discharge_date)
               )"""  # noqa: S608 (constant SQL fragments; every value is a parameter)


def median_days_to_first_family_time_parts(
    sites, start: dt.date, end: dt.date, parts=None
) -> Parts:
    """Episodes removed in the period: days from removal to the child's first held visit on or
    after the removal (and on or before the discharge, if any). `n` = episodes with one;
    `denominator` = all episodes."""
    histogram = median_histogram_sql("firsts", "days", "days IS NOT NULL")
    sql = f"""
    WITH {EPISODES},
    firsts AS (
        SELECT e.site_id, e.part,
               {first_held_visit_on("e")} - e.removal_date AS days
          FROM eps e
         WHERE e.removal_date BETWEEN %(start)s AND %(end)s
    )
    {histogram}
    """  # noqa: S608 (constant SQL fragments; every value is a parameter)
    return parts_of(fetch_all(sql, query_params(sites, start, end, parts, **HELD_VISIT_PARAMS)))


# Held visits inside each episode's days in care in the period, counted per episode with an
# index-only scan of `visit_held_by_child` (no join of every visit row). The family-time page
# reads it for its children over the last 4 weeks (`familytime.selectors.figures`).
FAMILY_TIME = f"""
{EPISODES}, {WINDOW},
per_episode AS (
    SELECT w.child_id, w.site_id, w.part, w.w_to - w.w_from AS days,
           (SELECT count(*)
              FROM familytime_visit v
             WHERE {held_visits_of("w")}
               AND v.scheduled_on >= w.w_from AND v.scheduled_on < w.w_to) AS held
      FROM in_period w
     WHERE w.w_to > w.w_from
)"""  # noqa: S608 (constant SQL fragments; every value is a parameter)


# The same for a few children (`%(children)s`: a family's page, the coordinator's home).
FAMILY_TIME_OF_CHILDREN = FAMILY_TIME.replace(EPISODES, EPISODES_OF_CHILDREN, 1)


def family_time_parts(sites, start: dt.date, end: dt.date, parts=None) -> Parts:
    """The state {0: (held visits, days in care, children, children at 2+ a week, children at
    3+ a week)} over the period, by part; one query, shared by the three family-time metrics in
    a `shared()` block. visits ÷ (days ÷ 7) ≥ k  ⇔  7 x visits ≥ k x days (exact, in
    integers)."""
    sql = f"""
    WITH {FAMILY_TIME},
    per_child AS (
        SELECT child_id, site_id, part, sum(held) AS held, sum(days) AS days
          FROM per_episode GROUP BY child_id, site_id, part
    )
    SELECT site_id, part, 0, sum(held), sum(days), count(*),
           count(*) FILTER (WHERE 7 * held >= 2 * days),
           count(*) FILTER (WHERE 7 * held >= 3 * days)
      FROM per_child
     GROUP BY site_id, part
    """  # noqa: S608 (constant SQL fragments; every value is a parameter)
    params = query_params(sites, start, end, parts, **HELD_VISIT_PARAMS)
    key = ("family_time", episodes_key(params), start, end)
    return once(key, lambda: parts_of(fetch_all(sql, params)))


def per_week_result(held: int, days: int) -> Result:
    """Held visits ÷ (days in care ÷ 7), null without a day in care."""
    return {
        "value": 7 * held / days if days else None,
        "numerator": held,
        "denominator": days,
        "n": None,
    }


def finish_family_time_per_week(state: State) -> Result:
    """Held visits inside every episode's days in care in the period ÷ (those days ÷ 7)."""
    held, days, _children, _two, _three = state.get(0, (0, 0, 0, 0, 0))
    return per_week_result(held, days)


def finish_family_time_2plus(state: State) -> Result:
    """Children in care in the period with at least 2 held visits per week in care."""
    _held, _days, children, two, _three = state.get(0, (0, 0, 0, 0, 0))
    return share_result(two, children)


def finish_family_time_3plus(state: State) -> Result:
    """Children in care in the period with at least 3 held visits per week in care."""
    _held, _days, children, _two, three = state.get(0, (0, 0, 0, 0, 0))
    return share_result(three, children)


# `family_time_held_per_week` month by month (the trend): rows (site id, part, first day of
# month, held visits, days in care), each month as the period. Every month's days in care come
# from one join of the episodes with the months they have a day in; the held visits are counted
# once by month: a visit lies in at most one episode of its child (episodes do not overlap), and
# in that episode's days of its own month, so no pairing with the months is needed.
HELD_PER_WEEK_BY_MONTH = Query(
    f"""
        WITH {EPISODES}, {MONTHS},
        w AS (
            SELECT mo.first_day, e.site_id, e.part,
                   {days_in_care_from("e", "mo.first_day")} AS w_from,
                   {days_in_care_to("e", "mo.last_day")} AS w_to
              FROM eps e
              JOIN months mo
                ON {in_care_between("e", "mo.first_day", "mo.last_day")}
        ),
        days AS (
            SELECT site_id, part, first_day, sum(w_to - w_from) AS days
              FROM w WHERE w_to > w_from
             GROUP BY 1, 2, 3
        ),
        visits AS (
            -- held visits inside an episode's days in care, by month
            SELECT e.site_id, e.part,
                   date_trunc('month', v.scheduled_on::timestamp)::date AS first_day,
                   count(*) AS held
              FROM eps e
              JOIN familytime_visit v
                ON {held_visits_of("e")}
               AND v.scheduled_on >= e.removal_date
               AND (e.discharge_date IS NULL OR v.scheduled_on < e.discharge_date)
               AND v.scheduled_on BETWEEN %(start)s AND %(end)s
             GROUP BY 1, 2, 3
        )
        SELECT d.site_id, d.part, d.first_day, COALESCE(vi.held, 0), d.days
          FROM days d
          LEFT JOIN visits vi USING (site_id, part, first_day)
    """,  # noqa: S608 (constant SQL fragments; every value is a parameter)
    HELD_VISIT_PARAMS,
)
