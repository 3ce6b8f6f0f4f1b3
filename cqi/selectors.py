"""Reads for CQI: who may see which site's figures, the figures, and the reference values.

The metric definitions live in the `cqi.metrics` package (one SQL selector per metric id;
`compute_all` and `REGISTRY` in `cqi.metrics.registry`); this module adds access, the default
period, small-cell suppression for aggregate-only viewers and the reference values in force.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from django.http import Http404
from django.utils import timezone

from cqi import breakdowns, cache
from cqi.cache import Question
from cqi.metrics.caseloads import coordinator_loads_parts, finish_caseload
from cqi.metrics.engine import Result, merge
from cqi.metrics.registry import (
    METRIC_IDS,
    METRICS,
    PART_WISE,
    REGISTRY,
    Metric,
    compute_all,
    compute_parts,
    finish_all,
)
from cqi.metrics.windows import WINDOWED, Window, finish_months, finish_period, window_parts
from cqi.models import ReferenceValue
from cqi.periods import DEFAULT_PRESET, preset_dates
from safebabies.identity.models import Site, User
from safebabies.identity.roles import Role
from safebabies.identity.selectors import access_site, is_national, site_roles

__all__ = [
    "METRICS",
    "METRIC_IDS",
    "REGISTRY",
    "Metric",
    "MetricsScope",
    "Result",
    "access_metrics",
    "compute_all",
    "default_period",
    "metrics_for",
    "reference_value_in_force",
    "reference_values_in_force",
    "suppress_small_cells",
]

# Roles that may read a site's CQI figures (a national member of any site may read every site).
METRICS_ROLES = frozenset(
    {
        Role.COMMUNITY_COORDINATOR,
        Role.SITE_ADMIN,
        Role.SITE_IMPLEMENTATION,
        Role.JUDGE,
        Role.PARENT_LEADER,
    }
)
# Of those, the roles that see child records and so get unsuppressed breakdowns.
RECORD_ROLES = frozenset({Role.COMMUNITY_COORDINATOR, Role.SITE_ADMIN, Role.JUDGE})


def sees_small_cells(user: User, site_id: int) -> bool:
    """The user holds a role at the site that reads child records (`RECORD_ROLES`), and so
    sees the site's figures with their counts of 1 to 4; anyone else, the aggregate-only
    figures (`suppress_small_cells`)."""
    return bool(site_roles(user, site_id) & RECORD_ROLES)


ALL_SITES = "all"
SMALL_CELL = 5  # a breakdown cell of fewer than 5 children is suppressed for aggregate-only users


@dataclass(frozen=True)
class MetricsScope:
    """What a request covers: `slug` is a site's slug or "all"."""

    slug: str
    sites: list[Site]
    aggregate_only: bool  # breakdown cells under 5 are suppressed

    @property
    def site(self) -> Site | None:
        return self.sites[0] if self.slug != ALL_SITES else None


def access_metrics(user: User, slug: str) -> MetricsScope:
    """The sites whose figures `user` may read for `slug`; Http404 otherwise (never confirms a
    site exists). Community Coordinators, site admins, the Site Implementation Team and judges
    read their own site; a national member of any site reads every site, and "all" together."""
    if is_national(user):
        if slug == ALL_SITES:
            return MetricsScope(ALL_SITES, list(Site.objects.order_by("id")), aggregate_only=True)
        site = Site.objects.filter(slug=slug).first()
        if site is None:
            raise Http404("No such site")
        return MetricsScope(slug, [site], aggregate_only=not sees_small_cells(user, site.id))
    if slug == ALL_SITES:
        raise Http404("No such site")
    site = access_site(user, slug, roles=METRICS_ROLES)
    return MetricsScope(slug, [site], aggregate_only=not sees_small_cells(user, site.id))


def default_period(scope: MetricsScope) -> tuple[dt.date, dt.date]:
    """The 12 months up to today included, in the site's time zone (UTC for all sites
    together): the dashboard's "Last 12 months" (`cqi.periods.preset_dates`)."""
    return preset_dates(DEFAULT_PRESET, scope.site.today() if scope.site else timezone.now().date())


def suppress_small_cells(results: dict[str, Result]) -> dict[str, Result]:
    """What an aggregate-only viewer gets (DOMAIN.md, confidentiality rules): every metric's
    value, numerator, denominator and `n` with counts of 1 to 4 hidden, complementary cells
    hidden so that a total cannot give one away, and the hidden categories of
    `exits_by_reason` merged unnamed (`cqi.suppression.suppress_result`). New dicts: the exact
    figures passed in (the cache's) are left as they are."""
    from cqi.suppression import suppress_result

    return {
        metric_id: suppress_result(result, subset=METRICS[metric_id].unit == "share")
        if metric_id in METRICS
        else result
        for metric_id, result in results.items()
    }


# Every metric but the caseloads is a figure of the period, part-wise; the caseloads (the one
# registry metric that is not) are a figure of each site's today (`caseload_questions`). Of the
# period's figures, those that add up over the dates of the period come from a window's states
# segment by segment (`cqi.metrics.windows`), shared by every period of a page and its trends;
# the others are computed for the period (`OWN_PERIOD_METRICS`).
PERIOD_METRICS = PART_WISE
OWN_PERIOD_METRICS = tuple(m for m in PERIOD_METRICS if m not in WINDOWED)


def window_question(scope: MetricsScope, window: Window) -> Question:
    """The windowed metrics' states over `window`, segment by segment (kept as they are: each
    period and month of the window is finished from them by `finish_period` / `finish_months`)."""
    return Question(
        "window",
        scope.sites,
        (window.cuts,),
        lambda in_sites, parts: window_parts(in_sites, window, parts),
        lambda state: state,
    )


def metrics_questions(
    scope: MetricsScope, start: dt.date, end: dt.date, window: Window | None = None
) -> list[Question]:
    """What `metrics_for` asks the cache: the windowed metrics' states over `window` (by
    default the period's own), the other part-wise metrics of the period, then the caseloads'
    open cases of today."""
    window = window or Window.covering([(start, end)])
    return [
        window_question(scope, window),
        Question(
            "metrics",
            scope.sites,
            (start, end),
            lambda in_sites, parts: compute_parts(in_sites, start, end, OWN_PERIOD_METRICS, parts),
            functools.partial(finish_all, metric_ids=OWN_PERIOD_METRICS),
        ),
        *caseload_questions(scope),
    ]


def caseload_questions(scope: MetricsScope) -> list[Question]:
    """The open cases each coordinator coordinates on the site's today, part by part (so a
    change to one family's team recounts one part), one question per day the sites are on (in
    their time zones), so a site's counts are the same entry for its own page and the national
    one: the merged counts, which `finish_caseload` makes the caseloads of, with the coordinators
    and caps read afresh."""
    by_day: dict[dt.date, list[Site]] = {}
    for site in scope.sites:
        by_day.setdefault(site.today(), []).append(site)
    return [
        Question(
            "caseload_loads",
            sites,
            (day,),
            functools.partial(_loads_on, day),
            lambda state: state,
        )
        for day, sites in sorted(by_day.items())
    ]


def _loads_on(day: dt.date, sites: list[Site], parts: list[int] | None):
    return coordinator_loads_parts(sites, {site.pk: day for site in sites}, parts)


def metrics_for(
    scope: MetricsScope, start: dt.date, end: dt.date, window: Window | None = None
) -> dict[str, Result]:
    """Every metric for the scope, suppressed as the viewer requires. The figures come from the
    exact cache (`cqi.cache`) when the records are unchanged since they were computed; the
    windowed ones from `window`'s states (a page that shows several periods passes the window
    covering them all, `page_window`)."""
    window = window or Window.covering([(start, end)])
    with cache.snapshot():
        windowed, period, *loads = (
            q.answer() for q in metrics_questions(scope, start, end, window)
        )
        caseload = finish_caseload(scope.sites, merge(loads))
    results = finish_period(windowed, window, start, end) | period
    results["coordinator_caseload"] = caseload
    results = {m.id: results[m.id] for m in REGISTRY}
    return suppress_small_cells(results) if scope.aggregate_only else results


def breakdowns_question(scope: MetricsScope, start: dt.date, end: dt.date) -> Question:
    """What `breakdowns_for` asks the cache."""
    return Question(
        "breakdowns",
        scope.sites,
        (start, end),
        lambda in_sites, parts: breakdowns.children_in_care_breakdowns_parts(
            in_sites, start, end, parts
        ),
        breakdowns.finish_breakdowns,
    )


def breakdowns_for(scope: MetricsScope, start: dt.date, end: dt.date):
    """Children in care by race/ethnicity, age band and placement type (unsuppressed counts;
    `cqi.dashboard` suppresses them for aggregate-only viewers)."""
    return breakdowns_question(scope, start, end).answer()


# The trend metrics computed from a window's states, and those with a query of their own (the
# family-time visits per week, whose period figure shares its query with the 2+ and 3+ shares).
WINDOWED_TRENDS = tuple(m for m in breakdowns.TREND_METRICS if m in WINDOWED)
OWN_TRENDS = tuple(m for m in breakdowns.TREND_METRICS if m not in WINDOWED)


def trend_span(end: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the 12 whole months of the trends up to `end`."""
    months = breakdowns.trend_months(end)
    return months[0][0], months[-1][1]


def page_window(start: dt.date, end: dt.date, previous: tuple[dt.date, dt.date]) -> Window:
    """The window of the dashboard's figures: the period, the previous one and the trends."""
    return Window.covering([(start, end), previous, trend_span(end)])


def trends_questions(
    scope: MetricsScope, end: dt.date, window: Window | None = None
) -> list[Question]:
    """What `trends_for` asks the cache: the window's states (by default the trends' own
    months) and the trends with a query of their own."""
    window = window or Window.covering([trend_span(end)])
    return [
        window_question(scope, window),
        Question(
            "trends",
            scope.sites,
            (end, OWN_TRENDS),
            lambda in_sites, parts: breakdowns.monthly_trends_parts(
                in_sites, end, OWN_TRENDS, parts
            ),
            lambda state: breakdowns.finish_trends(state, end, OWN_TRENDS),
        ),
    ]


def trends_for(scope: MetricsScope, end: dt.date, window: Window | None = None):
    """The trend metrics over the 12 whole months up to `end` (`breakdowns.monthly_trends`):
    {metric id: [(first day of month, Result)]}, in `breakdowns.TREND_METRICS` order."""
    window = window or Window.covering([trend_span(end)])
    with cache.snapshot():
        windowed, own = (q.answer() for q in trends_questions(scope, end, window))
    months = [first for first, _ in breakdowns.trend_months(end)]
    series = finish_months(windowed, window, months, WINDOWED_TRENDS) | own
    return {metric_id: series[metric_id] for metric_id in breakdowns.TREND_METRICS}


def barriers_for(scope: MetricsScope, start: dt.date, end: dt.date):
    """Services with a barrier recorded, by month and by service type (unsuppressed counts)."""
    return cache.cached(
        "barriers",
        scope.sites,
        (start, end),
        lambda: breakdowns.service_barriers(scope.sites, start, end),
    )


def reference_values_in_force(on: dt.date) -> dict[str, ReferenceValue]:
    """{indicator: the reference row in force on `on`} (the latest effective on or before it;
    on the same date, the most recently loaded). One query."""
    rows = (
        ReferenceValue.objects.filter(effective_date__lte=on)
        .order_by("indicator", "-effective_date", "-created_at", "-id")
        .distinct("indicator")
    )
    return {row.indicator: row for row in rows}


def reference_value_in_force(indicator: str, on: dt.date) -> ReferenceValue | None:
    return (
        ReferenceValue.objects.filter(indicator=indicator, effective_date__lte=on)
        .order_by("-effective_date", "-created_at", "-id")
        .first()
    )


# Roles that may open the families behind a process metric (DOMAIN.md: they see every family
# of their site). Judges read figures but not these lists; aggregate-only roles never do.
DRILL_ROLES = frozenset({Role.COMMUNITY_COORDINATOR, Role.SITE_ADMIN})
# Roles that may score the site on the collaborative practice progress matrix.
MATRIX_SCORE_ROLES = frozenset(
    {Role.COMMUNITY_COORDINATOR, Role.SITE_ADMIN, Role.SITE_IMPLEMENTATION}
)


def can_drill_down(user: User, scope: MetricsScope) -> bool:
    """A single site's coordinator or site admin may see the families behind a figure."""
    return scope.site is not None and bool(site_roles(user, scope.site.id) & DRILL_ROLES)


def can_score_matrix(user: User, scope: MetricsScope) -> bool:
    return scope.site is not None and bool(site_roles(user, scope.site.id) & MATRIX_SCORE_ROLES)


def drill_down_cases(user: User, scope: MetricsScope, metric_id: str, start: dt.date, end: dt.date):
    """[(case, met, total)] behind a process metric, only cases the user may open (through
    `cases_visible_to`). PermissionDenied unless `can_drill_down`; Http404 for another metric."""
    from django.core.exceptions import PermissionDenied

    from cases.access import cases_visible_to

    if metric_id not in breakdowns.DRILLABLE:
        raise Http404("No such figure")
    if not can_drill_down(user, scope):
        raise PermissionDenied("Your role sees program figures, not families.")
    rows = cache.cached(
        "drill_down",
        scope.sites,
        (metric_id, start, end),
        lambda: breakdowns.drill_down(metric_id, scope.sites, start, end),
    )
    cases = cases_visible_to(user).filter(id__in=[case_id for case_id, _, _ in rows]).in_bulk()
    if metric_id in PART2_DRILLS:
        rows = _without_hidden_part2(user, rows, list(cases), start, end)
    return [(cases[case_id], met, total) for case_id, met, total in rows if case_id in cases]


# Drill-downs that count services, among which substance-use treatment (42 CFR Part 2)
PART2_DRILLS = frozenset({"services_started_within_60_days"})


def _without_hidden_part2(user: User, rows, case_ids: list[str], start: dt.date, end: dt.date):
    """The per-family figures less the Part 2 services the viewer may not open: a family's
    count one above what its page shows would tell that the parent is in treatment. (The
    site's figure counts every service; only these per-family rows leave them out.)"""
    from django.db.models import Count, F, Q

    from assessments.models import Service
    from cases.access import part2_people_visible_to, part2_service_q

    hidden = {
        row["case_id"]: (row["met"], row["total"])
        for row in Service.objects.filter(
            part2_service_q(), case_id__in=case_ids, referred_on__range=(start, end)
        )
        .exclude(person_id__in=part2_people_visible_to(user))
        .values("case_id")
        .annotate(
            total=Count("id"),
            met=Count(
                "id",
                filter=Q(
                    started_on__isnull=False,
                    started_on__lte=F("referred_on") + dt.timedelta(days=60),
                ),
            ),
        )
    }
    result = []
    for case_id, met, total in rows:
        less_met, less_total = hidden.get(case_id, (0, 0))
        if total - less_total > 0:
            result.append((case_id, met - less_met, total - less_total))
    return result


@dataclass(frozen=True)
class PracticeHistory:
    dates: list[dt.date]  # scoring dates, newest first (at most HISTORY_COLUMNS)
    by_element: dict[str, list]  # element -> [PracticeScore or None, one per date]
    latest: dict[str, object]  # element -> its most recent PracticeScore


HISTORY_COLUMNS = 6


def practice_history(site: Site) -> PracticeHistory:
    """The site's matrix scores side by side: the latest scoring dates as columns. One query."""
    from cqi.models import PracticeScore
    from cqi.practice_matrix import ELEMENTS

    scores = list(PracticeScore.objects.filter(site=site).order_by("-scored_on", "element"))
    dates = sorted({s.scored_on for s in scores}, reverse=True)[:HISTORY_COLUMNS]
    cell = {(s.element, s.scored_on): s for s in scores}
    latest: dict[str, object] = {}
    for s in scores:
        latest.setdefault(s.element, s)
    return PracticeHistory(
        dates=dates,
        by_element={code: [cell.get((code, d)) for d in dates] for code, _, _ in ELEMENTS},
        latest=latest,
    )
