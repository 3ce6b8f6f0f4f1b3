"""Re-entry and recurrence: CFSR R4 P4 (re-entry to care within 12 months) and the recurrence
of maltreatment within 12 months."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from cqi.metrics.engine import Parts, fetch_all, parts_of, query_params
from cqi.metrics.sql import (
    EPISODES,
    FIRST_ENTRIES,
    IN_SCOPE,
    PART,
    REENTRY_EXITS,
    SHORT_STAY_DAYS,
    SUBSTANTIATED,
)


def reentry_12m_parts(sites, start: dt.date, end: dt.date, parts=None) -> Parts:
    """CFSR R4 P4: first entries (not short stays) that ended within 12 months in
    reunification, relative or guardianship; re-entered within 12 months of that discharge."""
    sql = f"""
    WITH {EPISODES}, {FIRST_ENTRIES},
    cohort AS (
        SELECT f.*,
               EXISTS (
                   SELECT 1 FROM eps later
                    WHERE later.child_id = f.child_id
                      AND later.id <> f.id
                      AND later.removal_date >= f.discharge_date
                      AND later.removal_date <= (f.discharge_date + interval '12 months')::date
               ) AS reentered
          FROM first_entry f
         WHERE f.discharge_date IS NOT NULL
           AND f.discharge_date - f.removal_date >= %(short)s
           AND f.discharge_date <= (f.removal_date + interval '12 months')::date
           AND f.discharge_reason = ANY(%(reasons)s)
    )
    SELECT site_id, part, 0, count(*) FILTER (WHERE reentered), count(*)
      FROM cohort
     GROUP BY site_id, part
    """  # noqa: S608 (constant SQL fragments; every value is a parameter)
    params = query_params(sites, start, end, parts, short=SHORT_STAY_DAYS, reasons=REENTRY_EXITS)
    return parts_of(fetch_all(sql, params))


# A recurrence of the index report `i` (a child's first substantiated or indicated report):
# another of the child's reports `r` dated more than 14 days and at most 12 months after it.
RECURRENCE_OF_INDEX = """r.child_id = i.child_id
                      AND r.reported_on > i.index_on + 14
                      AND r.reported_on <= (i.index_on + interval '12 months')::date"""


def maltreatment_recurrence_12m_parts(sites, start: dt.date, end: dt.date, parts=None) -> Parts:
    """CFSR R4 recurrence: children with a substantiated/indicated report in the period (the
    first is the index); another such report more than 14 days and at most 12 months later."""
    sql = f"""
    WITH reports AS (
        SELECT r.child_id, r.reported_on, c.site_id, {PART} AS part
          FROM cases_maltreatmentreport r
          JOIN cases_child ch ON ch.id = r.child_id
          JOIN cases_case c ON c.id = ch.case_id
         WHERE {IN_SCOPE}
           AND r.disposition = ANY(%(substantiated)s)
    ),
    indexed AS (
        SELECT child_id, site_id, part, min(reported_on) AS index_on
          FROM reports
         WHERE reported_on BETWEEN %(start)s AND %(end)s
         GROUP BY child_id, site_id, part
    ),
    cohort AS (
        SELECT i.site_id, i.part,
               EXISTS (SELECT 1 FROM reports r WHERE {RECURRENCE_OF_INDEX}) AS recurred
          FROM indexed i
    )
    SELECT site_id, part, 0, count(*) FILTER (WHERE recurred), count(*)
      FROM cohort
     GROUP BY site_id, part
    """  # noqa: S608 (constant SQL fragments; every value is a parameter)
    params = query_params(sites, start, end, parts, substantiated=SUBSTANTIATED)
    return parts_of(fetch_all(sql, params))


@dataclass(frozen=True)
class ChildRecurrence:
    """One child's recurrence as `maltreatment_recurrence_12m` counts it: the index report
    (their first substantiated or indicated one), the first report that makes it a recurrence
    (None: none so far), and the last day one would count."""

    index_on: dt.date
    recurred_on: dt.date | None
    counted_until: dt.date


def recurrence_of_children(child_ids: Iterable[str]) -> dict[str, ChildRecurrence]:
    """Each child's recurrence (children without a substantiated or indicated report are not
    in the answer), by the metric's definition over the child's whole record: one query."""
    sql = f"""
    WITH reports AS (
        SELECT r.child_id, r.reported_on
          FROM cases_maltreatmentreport r
         WHERE r.child_id = ANY(%(children)s)
           AND r.disposition = ANY(%(substantiated)s)
    ),
    indexed AS (
        SELECT child_id, min(reported_on) AS index_on FROM reports GROUP BY child_id
    )
    SELECT i.child_id, i.index_on,
           (SELECT min(r.reported_on) FROM reports r WHERE {RECURRENCE_OF_INDEX}),
           (i.index_on + interval '12 months')::date
      FROM indexed i
    """  # noqa: S608 (constant SQL fragments; every value is a parameter)
    params = {"children": list(child_ids), "substantiated": SUBSTANTIATED}
    return {
        child_id: ChildRecurrence(index_on, recurred_on, until)
        for child_id, index_on, recurred_on, until in fetch_all(sql, params)
    }
