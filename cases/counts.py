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

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db.models import ForeignKey, QuerySet, Sum
from django.db.models.sql.constants import LOUTER
from django.db.models.sql.datastructures import Join
from django.db.models.sql.where import AND

TABLE = "cases_case"
# The columns the list may test beside its sites (IS NULL or IS NOT NULL), and their lookups
TESTED = {
    f'"{TABLE}"."closed_on"': "closed_on__isnull",
    f'"{TABLE}"."sealed_at"': "sealed_at__isnull",
}


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
    # what the list would be: its sites, and its test of closed_on and sealed_at if it has one
    tests: dict[str, bool] = {}
    sites: list = []
    for sql, params in asked:
        column, _, rest = sql.partition(" ")
        if column == f'"{TABLE}"."site_id"' and rest.startswith("IN ("):
            sites += params
        elif column in TESTED and rest in ("IS NULL", "IS NOT NULL") and not params:
            tests[TESTED[column]] = rest == "IS NULL"
        else:
            return None
    if not sites or not all(type(site) is int for site in sites):
        return None
    # ... and it is that list, exactly: the same conditions, as SQL, with the same parameters
    plain = Case.objects.using(cases.db).filter(site_id__in=sites, **tests)
    if _conditions(plain) != asked:
        return None
    counts = CaseCount.objects.using(cases.db).filter(site_id__in=sites)
    if "closed_on__isnull" in tests:
        counts = counts.filter(closed=not tests["closed_on__isnull"])
    if "sealed_at__isnull" in tests:
        counts = counts.filter(sealed=not tests["sealed_at__isnull"])
    return counts.aggregate(n=Sum("cases"))["n"] or 0


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
