"""Family Team Meetings: the share of case-months with a held FTM (`cqi.metrics.case_months`)
and the FTM action items done on time."""

from __future__ import annotations

import datetime as dt

from cqi.metrics.case_months import case_month_rate_parts
from cqi.metrics.engine import Parts, fetch_all, parts_of, query_params
from cqi.metrics.sql import IN_SCOPE, PART
from safebabies import codes

# The events of the FTM case-month rate: (table, the status that counts).
HELD_FTMS = ("teams_ftm", str(codes.FtmStatus.HELD))


def ftm_monthly_rate_parts(sites, start: dt.date, end: dt.date, parts=None) -> Parts:
    """Case-months with at least one held FTM ÷ all case-months."""
    return case_month_rate_parts(sites, start, end, parts, *HELD_FTMS)


def ftm_action_item_completion_parts(sites, start: dt.date, end: dt.date, parts=None) -> Parts:
    """Action items due in the period, not dropped: completed on or before their due date."""
    sql = f"""
    SELECT c.site_id, {PART}, 0,
           count(*) FILTER (WHERE a.completed_on IS NOT NULL AND a.completed_on <= a.due_on),
           count(*)
      FROM teams_ftmactionitem a
      JOIN teams_ftm f ON f.id = a.ftm_id
      JOIN cases_case c ON c.id = f.case_id
     WHERE {IN_SCOPE}
       AND a.due_on BETWEEN %(start)s AND %(end)s
       AND a.status <> %(dropped)s
     GROUP BY 1, 2
    """  # noqa: S608 (constant SQL fragments; every value is a parameter)
    params = query_params(sites, start, end, parts, dropped=str(codes.ActionItemStatus.DROPPED))
    return parts_of(fetch_all(sql, params))
