"""Family Team Meetings: the share of case-months with a held FTM (`cqi.metrics.case_months`)
and the FTM action items done on time."""

from __future__ import annotations

import datetime as dt

from cqi.metrics.case_months import case_month_rate_parts
from cqi.metrics.engine import Parts, Query, parts_of
from cqi.metrics.sql import IN_SCOPE, PART, Keys
from safebabies import codes

# The events of the FTM case-month rate: (table, the status that counts).
HELD_FTMS = ("teams_ftm", str(codes.FtmStatus.HELD))


def ftm_monthly_rate_parts(sites, start: dt.date, end: dt.date, parts=None) -> Parts:
    """Case-months with at least one held FTM ÷ all case-months."""
    return case_month_rate_parts(sites, start, end, parts, *HELD_FTMS)


# Rows of FTM action items `a` of cases `c`: by part (the metric's state, under the key 0).
ACTION_ITEMS_BY_PART = Keys(f"c.site_id, {PART}, 0", "1, 2")


def action_items_on_time(keys: Keys) -> Query:
    """Action items `a` due in the period, not dropped, and those completed on or before their
    due date: rows (keys..., on time, items)."""
    sql = f"""
    SELECT {keys.select},
           count(*) FILTER (WHERE a.completed_on IS NOT NULL AND a.completed_on <= a.due_on),
           count(*)
      FROM teams_ftmactionitem a
      JOIN teams_ftm f ON f.id = a.ftm_id
      JOIN cases_case c ON c.id = f.case_id
     WHERE {IN_SCOPE}
       AND a.due_on BETWEEN %(start)s AND %(end)s
       AND a.status <> %(dropped)s
     GROUP BY {keys.group_by}
    """  # noqa: S608 (constant SQL fragments; every value is a parameter)
    return Query(sql, {"dropped": str(codes.ActionItemStatus.DROPPED)})


def ftm_action_item_completion_parts(sites, start: dt.date, end: dt.date, parts=None) -> Parts:
    """Action items due in the period, not dropped: completed on or before their due date."""
    return parts_of(action_items_on_time(ACTION_ITEMS_BY_PART).rows(sites, start, end, parts))
