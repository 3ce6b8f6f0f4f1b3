"""Screenings, early intervention and services: developmental screening within 30 days of
removal, early intervention referral within 7 days, services started within 60 days of referral.

Each definition is one query builder, keyed as its reader needs (`cqi.metrics.sql.Keys`): by
part for the metric, by case for the drill-down, by month for the trend (`cqi.breakdowns`)."""

from __future__ import annotations

import datetime as dt

from cqi.metrics.engine import Parts, Query, parts_of
from cqi.metrics.sql import (
    DEVELOPMENTAL,
    EPISODES,
    EPISODES_BY_PART,
    IN_SCOPE,
    MALTREATMENT,
    PART,
    Keys,
)
from safebabies import codes


def developmental_screening(keys: Keys) -> Query:
    """Episodes `e` removed in the period, and those with an ASQ-3 or ASQ:SE-2 of the child
    dated from removal to removal + 30 days: rows (keys..., screened, episodes)."""
    sql = f"""
    WITH {EPISODES}
    SELECT {keys.select},
           count(*) FILTER (WHERE EXISTS (
               SELECT 1 FROM assessments_screening s
                WHERE s.child_id = e.child_id AND s.subject = %(child)s
                  AND s.instrument = ANY(%(instruments)s)
                  AND s.screened_on BETWEEN e.removal_date AND e.removal_date + 30)),
           count(*)
      FROM eps e
     WHERE e.removal_date BETWEEN %(start)s AND %(end)s
     GROUP BY {keys.group_by}
    """  # noqa: S608 (constant SQL fragments; every value is a parameter)
    params = {"child": str(codes.ScreeningSubject.CHILD), "instruments": DEVELOPMENTAL}
    return Query(sql, params)


def early_intervention_referral(keys: Keys) -> Query:
    """Episodes `e` removed in the period for a maltreatment reason, and those with an early
    intervention service for the child referred from removal to removal + 7 days: rows
    (keys..., referred, episodes)."""
    sql = f"""
    WITH {EPISODES}
    SELECT {keys.select},
           count(*) FILTER (WHERE EXISTS (
               SELECT 1 FROM assessments_service s
                WHERE s.child_id = e.child_id AND s.service_type = %(ei)s
                  AND s.referred_on BETWEEN e.removal_date AND e.removal_date + 7)),
           count(*)
      FROM eps e
     WHERE e.removal_date BETWEEN %(start)s AND %(end)s
       AND e.reasons && %(maltreatment)s::varchar[]
     GROUP BY {keys.group_by}
    """  # noqa: S608 (constant SQL fragments; every value is a parameter)
    params = {"ei": str(codes.ServiceType.EARLY_INTERVENTION), "maltreatment": MALTREATMENT}
    return Query(sql, params)


# Rows of services `s` of cases `c`: by part (the metric's state, under the key 0), by case
# (the drill-down), by month of referral (the trend).
SERVICES_BY_PART = Keys(f"c.site_id, {PART}, 0", "1, 2")
SERVICES_BY_CASE = Keys("s.case_id", "s.case_id")
SERVICES_BY_MONTH_OF_REFERRAL = Keys(
    f"c.site_id, {PART}, date_trunc('month', s.referred_on::timestamp)::date", "1, 2, 3"
)


def services_started(keys: Keys) -> Query:
    """Services `s` referred in the period, and those started on or before referral + 60
    days: rows (keys..., started, services)."""
    sql = f"""
    SELECT {keys.select},
           count(*) FILTER (WHERE s.started_on IS NOT NULL AND s.started_on <= s.referred_on + 60),
           count(*)
      FROM assessments_service s
      JOIN cases_case c ON c.id = s.case_id
     WHERE {IN_SCOPE}
       AND s.referred_on BETWEEN %(start)s AND %(end)s
     GROUP BY {keys.group_by}
    """  # noqa: S608 (constant SQL fragments; every value is a parameter)
    return Query(sql)


def developmental_screening_within_30_days_parts(
    sites, start: dt.date, end: dt.date, parts=None
) -> Parts:
    """Episodes removed in the period with an ASQ-3 or ASQ:SE-2 of the child dated from
    removal to removal + 30 days."""
    return parts_of(developmental_screening(EPISODES_BY_PART).rows(sites, start, end, parts))


def early_intervention_referral_within_7_days_parts(
    sites, start: dt.date, end: dt.date, parts=None
) -> Parts:
    """Episodes removed in the period for a maltreatment reason: an early intervention service
    for the child referred from removal to removal + 7 days."""
    return parts_of(early_intervention_referral(EPISODES_BY_PART).rows(sites, start, end, parts))


def services_started_within_60_days_parts(sites, start: dt.date, end: dt.date, parts=None) -> Parts:
    """Services referred in the period that started on or before referral + 60 days."""
    return parts_of(services_started(SERVICES_BY_PART).rows(sites, start, end, parts))
