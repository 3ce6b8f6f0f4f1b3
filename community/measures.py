"""The CQI measure an improvement cycle targets, and its trend before and after the cycle
started: the site's figure quarter by quarter, computed by the CQI registry itself
(`cqi.metrics.registry.compute_all`, the definitions the dashboard reads) and suppressed as the
dashboard suppresses it for a viewer who sees no child record (`cqi.selectors`)."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from cqi.metrics.registry import METRICS, REGISTRY, compute_all
from cqi.selectors import sees_small_cells, suppress_small_cells
from cqi.suppression import is_marked
from safebabies.identity.models import Site, User

# A cycle aims at a measure with one value per period: not the caseloads (a list of
# coordinators) nor the exits by reason (a breakdown).
MEASURES = tuple(m for m in REGISTRY if m.unit not in {"caseload", "reasons"})
MEASURE_IDS = tuple(m.id for m in MEASURES)
MEASURE_CHOICES = [(m.id, m.label) for m in MEASURES]
QUARTERS_BEFORE = 3
QUARTERS_SINCE_MAX = 8


def label(metric_id: str) -> str:
    metric = METRICS.get(metric_id)
    return metric.label if metric else metric_id


def unit(metric_id: str) -> str:
    metric = METRICS.get(metric_id)
    return metric.unit if metric else ""


@dataclass(frozen=True)
class Quarter:
    start: dt.date
    end: dt.date  # inclusive; today for the quarter under way
    since: bool  # on or after the quarter the cycle started in
    value: Any  # a number, None (no data) or "hidden"
    numerator: Any
    denominator: Any

    @property
    def name(self) -> str:
        return f"{self.start.year} Q{(self.start.month - 1) // 3 + 1}"

    @property
    def partial(self) -> bool:
        return self.end < _shift(self.start, 1) - dt.timedelta(days=1)


def _quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _shift(start: dt.date, quarters: int) -> dt.date:
    months = start.year * 12 + start.month - 1 + 3 * quarters
    return dt.date(months // 12, months % 12 + 1, 1)


def quarters_around(started_on: dt.date, today: dt.date) -> list[tuple[dt.date, dt.date, bool]]:
    """The 3 whole quarters before the one the cycle started in, then that quarter and those
    since, up to today's (at most 8; the one under way ends today)."""
    first = _quarter_start(started_on)
    rows = []
    for n in range(-QUARTERS_BEFORE, QUARTERS_SINCE_MAX):
        start = _shift(first, n)
        if start > today:
            break
        end = min(_shift(start, 1) - dt.timedelta(days=1), today)
        rows.append((start, end, n >= 0))
    return rows


def trend(site: Site, metric_id: str, started_on: dt.date, viewer: User) -> list[Quarter]:
    """The measure for the site, quarter by quarter around the cycle's start. A viewer without
    a role that sees child records there (`cqi.selectors.sees_small_cells`, the dashboard's
    rule) gets the counts of 1 to 4 hidden, as on the dashboard."""
    if metric_id not in MEASURE_IDS:
        return []
    aggregate_only = not sees_small_cells(viewer, site.pk)
    out = []
    for start, end, since in quarters_around(started_on, site.today()):
        result = compute_all(site, start, end, [metric_id])
        if aggregate_only:
            result = suppress_small_cells(result)
        shown = result[metric_id]
        value = shown["value"]
        if value is None and any(is_marked(shown[k]) for k in ("numerator", "denominator", "n")):
            value = "hidden"
        out.append(
            Quarter(start, end, since, value, shown.get("numerator"), shown.get("denominator"))
        )
    return out


@dataclass(frozen=True)
class Bar:
    quarter: Quarter
    x: int
    y: float
    height: float
    label_x: int


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    baseline: int
    label_y: int
    bars: list[Bar]
    start_x: int | None  # where the cycle started (a line between the bars), None if not shown


CHART_HEIGHT, CHART_TOP, BAR_STEP, BAR_WIDTH = 110, 8, 44, 26


def chart(quarters: list[Quarter], unit_: str) -> Chart | None:
    """The quarters as bars an SVG template draws (sizes as attributes: no inline styles); a
    hidden or missing value is no bar. None when no quarter has a value."""
    values = [q.value for q in quarters if isinstance(q.value, int | float)]
    if not values:
        return None
    top = 1.0 if unit_ == "share" else (max(values) * 1.1 or 1.0)
    plot = CHART_HEIGHT - CHART_TOP - 18
    baseline = CHART_TOP + plot
    bars = []
    for index, quarter in enumerate(quarters):
        x = 4 + index * BAR_STEP
        value = quarter.value if isinstance(quarter.value, int | float) else 0.0
        height = round(min(value / top, 1.0) * plot, 1)
        bars.append(Bar(quarter, x, round(baseline - height, 1), height, x + BAR_WIDTH // 2))
    first_since = next((i for i, q in enumerate(quarters) if q.since), None)
    start_x = None if first_since is None else first_since * BAR_STEP + 1
    return Chart(
        8 + len(quarters) * BAR_STEP, CHART_HEIGHT, baseline, CHART_HEIGHT - 4, bars, start_x
    )
