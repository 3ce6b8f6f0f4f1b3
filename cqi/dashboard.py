"""What the CQI pages show, assembled from the selectors: every figure comes from
`cqi.selectors` (`metrics_for`, the API's own selector, and `breakdowns_for`, `trends_for`,
`barriers_for`, which read `cqi.breakdowns` through the exact cache), and every table shown to an
aggregate-only viewer passes through `cqi.suppression`.

Reads only. The views render these, the CSV downloads write the same rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from cqi import breakdowns, cache
from cqi.aggregate_periods import aggregate_period
from cqi.metrics.engine import Result
from cqi.metrics.registry import METRICS, REGISTRY, Metric
from cqi.metrics.windows import Window
from cqi.models import ReferenceValue
from cqi.periods import Period, period_from
from cqi.selectors import (
    ALL_SITES,
    MetricsScope,
    barriers_for,
    breakdowns_for,
    breakdowns_question,
    metrics_for,
    metrics_questions,
    page_window,
    reference_values_in_force,
    trends_for,
    trends_questions,
)
from cqi.suppression import (
    COMPLEMENT,
    PRIMARY,
    SMALL_MARK,
    SUPPRESSED_KEY,
    Hidden,
    complement_months,
    is_marked,
    show,
    suppress,
    suppress_result,
)
from safebabies.identity.models import Site

# Units whose value is a share 0..1 (bars run to 100%).
SHARE_UNITS = {"share", "reasons"}


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    length: float  # 0..100, of the chart's width
    kind: str  # current | previous | reference


@dataclass
class MetricRow:
    metric: Metric
    current: Result
    previous: Result
    reference: ReferenceValue | None
    bars: list[Bar] = field(default_factory=list)

    @property
    def current_value(self) -> float | None:
        return scalar(self.metric, self.current)

    @property
    def previous_value(self) -> float | None:
        return scalar(self.metric, self.previous)

    @property
    def reference_value(self) -> float | None:
        return float(self.reference.value) if self.reference is not None else None

    @property
    def current_hidden(self) -> bool:
        """The compared cell of a breakdown (e.g. reunification among exits) is suppressed."""
        return _hidden_cell(self.metric, self.current)

    @property
    def previous_hidden(self) -> bool:
        return _hidden_cell(self.metric, self.previous)

    @property
    def change(self) -> str:
        """ "better" / "worse" / "same" / "" (no direction or a value missing)."""
        now, before = self.current_value, self.previous_value
        if self.metric.lower_is_better is None or now is None or before is None:
            return ""
        if abs(now - before) < 1e-9:
            return "same"
        return "better" if (now < before) == self.metric.lower_is_better else "worse"


def _hidden_cell(metric: Metric, result: Result) -> bool:
    """The compared value is suppressed (`cqi.suppression.suppress_result`): a hidden count it
    is computed from, or for a breakdown its cell hidden or merged unnamed."""
    if metric.reference_key is None:
        return result["value"] is None and any(
            is_marked(result[key]) for key in ("numerator", "denominator", "n")
        )
    if not result["value"]:
        return is_marked(result["denominator"])
    cell = result["value"].get(metric.reference_key)
    if cell is None:
        return SUPPRESSED_KEY in result["value"]
    return isinstance(cell["count"], str)


def scalar(metric: Metric, result: Result) -> float | None:
    """The single number a metric is compared on: its value, or for `exits_by_reason` the share
    of its reference key (reunification); None for lists (caseloads) and missing values."""
    value = result["value"]
    if metric.reference_key is not None:
        cell = (value or {}).get(metric.reference_key)
        share = cell["share"] if cell else None
        return float(share) if share is not None else None
    if isinstance(value, int | float):
        return float(value)
    return None


def _bars(row: MetricRow, previous_label: str) -> list[Bar]:
    values = [
        ("This period", row.current_value, "current"),
        (previous_label, row.previous_value, "previous"),
        ("National or published reference", row.reference_value, "reference"),
    ]
    known = [v for _, v, _ in values if v is not None]
    if not known:
        return []
    top = 1.0 if row.metric.unit in SHARE_UNITS else max(known) * 1.1 or 1.0
    return [
        Bar(label, value, 0.0 if value is None else min(100.0, 100 * value / top), kind)
        for label, value, kind in values
    ]


def window_of(period: Period) -> Window:
    """The window of the dashboard's figures for `period` (`cqi.selectors.page_window`): the
    period, the previous one and the trends; every table of the page and its CSVs read it."""
    return page_window(period.start, period.end, period.previous)


def metric_rows(
    scope: MetricsScope, period: Period, window: Window | None = None
) -> list[MetricRow]:
    """Every registry metric: this period, the previous period of the same length and the
    reference value in force on the period's end (both periods' windowed figures from one
    window's states, by default `page_window`)."""
    window = window or window_of(period)
    current = metrics_for(scope, period.start, period.end, window)
    previous = metrics_for(scope, *period.previous, window)
    references = reference_values_in_force(period.end)
    rows = [MetricRow(m, current[m.id], previous[m.id], references.get(m.id)) for m in REGISTRY]
    for row in rows:
        row.bars = _bars(row, "Previous period")
    return rows


# ---------------------------------------------------------------------------------------------
# Breakdowns


@dataclass(frozen=True)
class BreakdownRow:
    label: str
    children: int | Hidden
    permanency: int | Hidden
    share: float | Hidden | None


@dataclass(frozen=True)
class BreakdownTable:
    dimension: str
    label: str
    rows: list[BreakdownRow]
    total_children: int | Hidden
    total_permanency: int | Hidden


def breakdown_tables(scope: MetricsScope, period: Period) -> list[BreakdownTable]:
    """Children in care in the period by race/ethnicity, age band and placement type, with
    small cells (and the cells that would give them away) hidden for aggregate-only viewers."""
    counts = breakdowns_for(scope, period.start, period.end)
    tables = []
    for dimension, groups in counts.items():
        values = [[g.children, g.permanency] for g in groups]
        hidden = (
            suppress(values, column_totals=True, whole_rows_by_column=0)
            if scope.aggregate_only
            else None
        )

        def cell(r: int, c: int, hidden=hidden, values=values):
            return show(values[r][c], hidden.cells.get((r, c)) if hidden else None)

        rows = []
        for r, group in enumerate(groups):
            children, permanency = cell(r, 0), cell(r, 1)
            if isinstance(children, Hidden) or isinstance(permanency, Hidden):
                share: float | Hidden | None = (
                    permanency if isinstance(permanency, Hidden) else children
                )
            else:
                share = permanency / children if children else None
            rows.append(BreakdownRow(group.label, children, permanency, share))
        totals = [sum(v[c] for v in values) for c in (0, 1)]
        tables.append(
            BreakdownTable(
                dimension,
                breakdowns.DIMENSION_LABELS[dimension],
                rows,
                show(totals[0], hidden.column_totals.get(0) if hidden else None),
                show(totals[1], hidden.column_totals.get(1) if hidden else None),
            )
        )
    return tables


# ---------------------------------------------------------------------------------------------
# Trends


@dataclass(frozen=True)
class TrendPoint:
    month: dt.date
    value: float | Hidden | None
    numerator: Any
    denominator: Any
    length: float  # 0..100 of the chart's height

    @property
    def top(self) -> float:
        return 100.0 - self.length


def _hidden(marked: str) -> Hidden:
    return Hidden(PRIMARY if marked == SMALL_MARK else COMPLEMENT)


def trend_series(
    scope: MetricsScope, end: dt.date, window: Window | None = None
) -> list[tuple[Metric, list[TrendPoint]]]:
    """The key metrics month by month (12 whole months up to `end`). For aggregate-only
    viewers each month is suppressed as the period's figures are
    (`cqi.suppression.suppress_result`): counts of 1 to 4 hidden, the complementary numerator
    of a share, and the value with them; since the months add up to the period's figure, a
    second month goes whole when one alone hides a number (`complement_months`); the chart's
    scale comes from the shown values only."""
    series = []
    for metric_id, points in trends_for(scope, end, window).items():
        metric = METRICS[metric_id]
        shown_points = []
        if scope.aggregate_only:
            unit_share = metric.unit == "share"
            exact = [result for _, result in points]
            shown = complement_months(
                exact, [suppress_result(r, subset=unit_share) for r in exact], subset=unit_share
            )
        else:
            shown = [result for _, result in points]
        for (month, result), month_shown in zip(points, shown, strict=True):
            value: float | Hidden | None = month_shown["value"]
            numerator, denominator = (
                _hidden(month_shown[key]) if is_marked(month_shown[key]) else month_shown[key]
                for key in ("numerator", "denominator")
            )
            if value is None and result["value"] is not None:
                hidden = [x for x in (numerator, denominator) if isinstance(x, Hidden)]
                value = Hidden(PRIMARY if any(x.reason == PRIMARY for x in hidden) else COMPLEMENT)
            shown_points.append((month, value, numerator, denominator))
        values = [v for _, v, _, _ in shown_points if isinstance(v, int | float)]
        top = 1.0 if metric.unit in SHARE_UNITS else (max(values, default=0) * 1.1 or 1.0)
        out = [
            TrendPoint(
                month,
                value,
                numerator,
                denominator,
                min(100 * value / top if isinstance(value, int | float) else 0.0, 100.0),
            )
            for month, value, numerator, denominator in shown_points
        ]
        series.append((metric, out))
    return series


# ---------------------------------------------------------------------------------------------
# Service barriers (Active Community Team)


@dataclass(frozen=True)
class CountTable:
    """A barrier x column table with row and column totals, suppressed as required."""

    columns: list[str]
    rows: list[tuple[str, list[int | Hidden], int | Hidden]]  # (label, cells, row total)
    column_totals: list[int | Hidden]
    total: int | Hidden


def barrier_tables(scope: MetricsScope, period: Period) -> tuple[CountTable, CountTable]:
    """(by month, by service type): services referred in the period with a barrier recorded.
    For aggregate-only viewers counts of 1-4 are hidden, with complementary cells and totals.
    The barrier totals appear in both tables and are hidden in both if hidden in either."""
    counts = barriers_for(scope, period.start, period.end)
    service_columns = [
        i for i in range(len(counts.service_types)) if any(row[i] for row in counts.by_service)
    ]
    by_service = [[row[i] for i in service_columns] for row in counts.by_service]
    labels = [label for _, label in counts.barriers]
    grids = [
        ([f"{m:%b %Y}" for m in counts.months], counts.by_month),
        ([counts.service_types[i][1] for i in service_columns], by_service),
    ]
    decisions = [
        suppress(values, row_totals=True, column_totals=True) if scope.aggregate_only else None
        for _, values in grids
    ]
    hidden_row_totals: dict[int, str] = {}
    for decision in decisions:
        if decision:
            hidden_row_totals.update(decision.row_totals)
    tables = []
    for (columns, values), decision in zip(grids, decisions, strict=True):
        cells = decision.cells if decision else {}
        rows = [
            (
                labels[r],
                [show(v, cells.get((r, c))) for c, v in enumerate(values[r])],
                show(sum(values[r]), hidden_row_totals.get(r)),
            )
            for r in range(len(values))
        ]
        column_totals = [
            show(
                sum(values[r][c] for r in range(len(values))),
                decision.column_totals.get(c) if decision else None,
            )
            for c in range(len(columns))
        ]
        grand = sum(sum(row) for row in values)
        tables.append(
            CountTable(
                columns,
                rows,
                column_totals,
                show(grand, decision.grand_total if decision else None),
            )
        )
    return tables[0], tables[1]


# ---------------------------------------------------------------------------------------------
# Warming the cache


def page_figures(scope: MetricsScope, period: Period):
    """Everything the dashboard page computes, in the page's order: (metric rows, breakdown
    tables, trend series). The page and `warm` call this, so they ask the cache the same
    questions. What is not cached yet is first computed side by side (`cache.compute_ahead`)."""
    window = window_of(period)
    with cache.snapshot():
        cache.compute_ahead(
            [
                *metrics_questions(scope, period.start, period.end, window),
                *metrics_questions(scope, *period.previous, window),
                breakdowns_question(scope, period.start, period.end),
                *trends_questions(scope, period.end, window),
            ]
        )
        return (
            metric_rows(scope, period, window),
            breakdown_tables(scope, period),
            trend_series(scope, period.end, window),
        )


def warm_scopes() -> list[tuple[MetricsScope, Period]]:
    """The dashboards people open first: each site's last 12 months (in its time zone), and
    all sites together as national staff see them."""
    sites = list(Site.objects.order_by("id"))
    scopes = [
        (MetricsScope(s.slug, [s], aggregate_only=False), period_from({}, s.today())) for s in sites
    ]
    if sites:
        everything = MetricsScope(ALL_SITES, sites, aggregate_only=True)
        today = timezone.now().date()
        period, _ = aggregate_period(period_from({}, today), today)
        scopes.append((everything, period))
    return scopes
