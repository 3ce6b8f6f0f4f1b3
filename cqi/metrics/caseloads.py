"""Community Coordinator caseloads: the open cases each coordinator coordinates on each site's
today, part by part, finished with the coordinators, their e-mails and the caps read afresh."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from cqi.metrics.engine import Parts, Result, State, fetch_all, merge, once, sites_of
from cqi.metrics.sql import IN_SCOPE, PART
from safebabies.identity.roles import Role

CASELOAD_ROLE = str(Role.COMMUNITY_COORDINATOR)  # on the family team and the site


def coordinator_loads_parts(
    sites, todays: dict[int, dt.date], parts: Iterable[int] | None = None
) -> Parts:
    """The caseloads' counts, part by part: {(site id, part): {(site id, user id): (open cases,)}}
    over the cases of the parts (every part when None), each site on its day `todays[site id]`.

    Open on a day: opened on or before it and not closed (or closed after it). Coordinates: an
    active (not removed) community_coordinator member of the case's family team."""
    scope = sites_of(sites)
    sql = f"""
    SELECT c.site_id, {PART} AS part, tm.user_id, count(DISTINCT c.id)
      FROM unnest(%(sites)s::bigint[], %(todays)s::date[]) AS t(site_id, today)
      JOIN cases_case c ON c.site_id = t.site_id
      JOIN cases_teammember tm ON tm.case_id = c.id
     WHERE {IN_SCOPE}
       AND tm.role = %(coordinator)s AND tm.removed_at IS NULL
       AND c.opened_on <= t.today AND (c.closed_on IS NULL OR c.closed_on > t.today)
     GROUP BY 1, 2, 3
    """  # noqa: S608 (constant SQL fragments; every value is a parameter)
    site_ids = [s.pk for s in scope]
    days = [todays[s.pk] for s in scope]
    chosen = None if parts is None else sorted(parts)
    params = {"sites": site_ids, "todays": days, "parts": chosen, "coordinator": CASELOAD_ROLE}
    # the same for every period of a page (it depends on the day only): read once per `shared()`
    key = ("caseload", tuple(site_ids), tuple(days), None if chosen is None else tuple(chosen))
    out: Parts = {}
    for site_id, part, user_id, open_cases in once(key, lambda: fetch_all(sql, params)):
        out.setdefault((site_id, part), {})[(site_id, user_id)] = (open_cases,)
    return out


def finish_caseload(sites, loads: State) -> Result:
    """The caseloads from their merged counts (`coordinator_loads_parts`): every active
    Community Coordinator of the sites (with 0 open cases if none) and anyone else who
    coordinates an open case, by e-mail, flagged above the site's cap. The coordinators, their
    e-mails and the caps are read now: they change no part (`cqi.stamps`)."""
    scope = sites_of(sites)
    sql = """
    WITH scope AS (
        SELECT s.id AS site_id, s.slug, s.coordinator_caseload_cap AS cap
          FROM teams_site s
         WHERE s.id = ANY(%(sites)s::bigint[])
    ),
    loads AS (
        SELECT *
          FROM unnest(%(load_sites)s::bigint[], %(load_users)s::bigint[], %(load_counts)s::int[])
               AS l(site_id, user_id, open_cases)
    ),
    coordinators AS (
        SELECT m.site_id, m.user_id
          FROM teams_sitemembership m JOIN scope sc ON sc.site_id = m.site_id
         WHERE m.role = %(coordinator)s AND m.is_active
        UNION
        SELECT site_id, user_id FROM loads
    )
    SELECT u.email, sc.slug, COALESCE(l.open_cases, 0) AS open_cases, sc.cap
      FROM coordinators co
      JOIN scope sc ON sc.site_id = co.site_id
      JOIN teams_user u ON u.id = co.user_id
      LEFT JOIN loads l ON l.site_id = co.site_id AND l.user_id = co.user_id
     ORDER BY open_cases DESC, u.email, sc.slug
    """
    counted = sorted((site, user, n) for (site, user), (n,) in loads.items() if n)
    params = {
        "sites": [s.pk for s in scope],
        "load_sites": [site for site, _, _ in counted],
        "load_users": [user for _, user, _ in counted],
        "load_counts": [n for _, _, n in counted],
        "coordinator": CASELOAD_ROLE,
    }
    # the same for every period of a page: read once per `shared()`
    key = ("finish_caseload", tuple(params["sites"]), tuple(counted))
    value = [
        {"coordinator": email, "site": slug, "open_cases": n, "cap": cap, "over_cap": n > cap}
        for email, slug, n, cap in once(key, lambda: fetch_all(sql, params))
    ]
    over = sum(1 for row in value if row["over_cap"])
    return {"value": value or None, "numerator": over, "denominator": len(value), "n": None}


def coordinator_caseload(sites, start: dt.date, end: dt.date) -> Result:
    """Open cases each Community Coordinator coordinates today (each site's today; the period
    is not used), flagged above the site's cap: `finish_caseload` of the counts over every
    part (`coordinator_loads_parts`). Every active Community Coordinator of the site is listed,
    with 0 open cases if none."""
    scope = sites_of(sites)
    todays = {s.pk: s.today() for s in scope}
    return finish_caseload(scope, merge(coordinator_loads_parts(scope, todays).values()))
