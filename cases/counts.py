"""Counting a site-wide role's list of cases without reading every case of the site.

The case list page and the API's case list show how many cases there are (INTERFACES.md: every
list's `count`). For a Community Coordinator, a judge or anyone else who opens every case of a
site, that list is every case of the site (open ones, on the page), and PostgreSQL counts it by
reading all of them: 11 to 15 ms at 77,000 cases, a third of the page. `CaseCount` holds the same
numbers, kept by PostgreSQL itself (migration 0019), so `counted` answers with one read of a
few rows, and the answer is the same number.

It answers only for a list whose filter is exactly "these sites" and, optionally, "closed or
not" and "sealed or not": the query's own conditions, as SQL, are compared with those of that
list, so any other filter (a search, a team's cases, a status, a date) is counted by PostgreSQL
as before. Joins that cannot change the number of rows (a case's site, read along with it) are
allowed; any other join is not.
"""

from __future__ import annotations

import itertools

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db.models import ForeignKey, QuerySet, Sum
from django.db.models.sql.constants import LOUTER
from django.db.models.sql.datastructures import Join
from django.db.models.sql.where import AND

# Each test the list may have beside its sites: absent, or the value asked for
STATES = (None, False, True)


def counted(cases: QuerySet) -> int | None:
    """The number of rows of `cases` from CaseCount, or None when `cases` is not a plain list
    of some sites' cases (then it must be counted the usual way)."""
    from cases.models import Case, CaseCount

    query = cases.query
    if (
        query.model is not Case
        or query.distinct
        or query.combinator
        or query.low_mark
        or query.high_mark is not None
        or query.group_by is not None
        or any(getattr(a, "contains_aggregate", False) for a in query.annotations.values())
        or not all(_keeps_rows(query, alias) for alias in query.alias_map)
    ):
        return None
    asked = _conditions(cases)
    if asked is None:
        return None
    sites = [value for _sql, params in asked for value in params]
    if not sites or not all(type(site) is int for site in sites):
        return None
    for closed, sealed in itertools.product(STATES, STATES):
        tests = {}
        if closed is not None:
            tests["closed_on__isnull"] = not closed
        if sealed is not None:
            tests["sealed_at__isnull"] = not sealed
        if _conditions(Case.objects.using(cases.db).filter(site_id__in=sites, **tests)) != asked:
            continue
        counts = CaseCount.objects.using(cases.db).filter(site_id__in=sites)
        if closed is not None:
            counts = counts.filter(closed=closed)
        if sealed is not None:
            counts = counts.filter(sealed=sealed)
        return counts.aggregate(n=Sum("cases"))["n"] or 0
    return None


def _conditions(cases: QuerySet) -> frozenset[tuple[str, tuple]] | None:
    """The conditions the rows must all meet, each as its SQL and parameters (None when the
    query has none, or matches nothing)."""
    where = cases.query.where
    parts = where.children if where.connector == AND and not where.negated else [where]
    compiler = cases.query.get_compiler(cases.db)
    found = set()
    for part in parts:
        try:
            sql, params = compiler.compile(part)
        except EmptyResultSet:
            return None
        except FullResultSet:
            continue
        found.add((sql, tuple(params)))
    return frozenset(found) or None


def _keeps_rows(query, alias: str) -> bool:
    """The table under `alias` is the cases themselves, a join no condition uses, or a
    to-one join (a case's site) that neither drops nor repeats a case."""
    join = query.alias_map[alias]
    if not isinstance(join, Join) or not query.alias_refcount.get(alias):
        return True
    field = join.join_field
    return isinstance(field, ForeignKey) and (join.join_type == LOUTER or not field.null)
