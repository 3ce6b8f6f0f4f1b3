"""Figures of many periods from one computation: a *window* of dates cut into segments, each
metric's state kept segment by segment, so that a period's figure is the sum of its segments
and a month's trend point the sum of that month's (issue 23: a period's figures are sums of
months, not a scan of the site's history per period; a custom period costs what a preset does).

A `Window` covers the periods a page shows (the dashboard: this period, the previous one and
the 12 months of the trends) and is cut at every first day of a month inside it and at every
period's first day and the day after its last. Its segments are therefore whole months, except
where a period begins or ends inside a month, and every period it was built for, and every
calendar month inside it, is a union of segments.

The metrics computed this way (`WINDOWED`) are those whose definition counts events dated in
the period, each with a fact of its own that does not depend on the period's other dates:

- episodes removed in the period (developmental screening within 30 days, early intervention
  referral within 7 days), services referred in it (started within 60 days), FTM action items
  due in it (done on time): each counted in the segment of its date;
- the case-month rates (FTMs and hearings held each month): a case-month is a whole calendar
  month, counted in its month; a period counts the months wholly inside it, as the metric's own
  definition does (`cqi.metrics.case_months`).

The rest stay figures of one period (`cqi.metrics.registry`): the cohorts of a period's first
entries (P1, re-entry), of the children in care on its first day (P2, P3), of its first
substantiated report (recurrence), of its children's per-period ratios (family time 2+ and 3+
a week, and the visits per week, which share their one query), the medians and the
survival curve, the moves (short stays are measured to the period's end), and the exits.

Each windowed metric's state is `{(metric id, slot): (numerator, denominator)}`: its slot is the
segment's number (`width_bucket` of the date over the cuts) for an event, the first day of the
month for a case-month. The same definitions as the metrics' own SQL (the same query builders,
keyed by segment instead of by part), so `finish_period` equals each metric's selector over the
period (tests/test_cqi_windows.py compares them over random periods and records).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cqi.aggregate_periods import month_end
from cqi.metrics.case_months import case_month_series_parts, whole_months
from cqi.metrics.engine import (
    Parts,
    Query,
    Result,
    State,
    fetch_all,
    parts_of,
    query_params,
    share_result,
)
from cqi.metrics.ftms import HELD_FTMS, action_items_on_time
from cqi.metrics.hearings import HELD_HEARINGS
from cqi.metrics.screenings_services import (
    developmental_screening,
    early_intervention_referral,
    services_started,
)
from cqi.metrics.sql import PART, Keys
from safebabies.lib.dates import add_months

# The slot of an event: the number of the window's segment its date falls in.
_SEGMENT = "width_bucket({date}, %(cuts)s::date[])"

# Metrics counted by the segment of one date of each row: their query builder (the metric's own,
# `cqi.metrics`) keyed by (site, part, segment).
BY_SEGMENT: dict[str, Query] = {
    "developmental_screening_within_30_days": developmental_screening(
        Keys(f"e.site_id, e.part, {_SEGMENT.format(date='e.removal_date')}", "1, 2, 3")
    ),
    "early_intervention_referral_within_7_days": early_intervention_referral(
        Keys(f"e.site_id, e.part, {_SEGMENT.format(date='e.removal_date')}", "1, 2, 3")
    ),
    "services_started_within_60_days": services_started(
        Keys(f"c.site_id, {PART}, {_SEGMENT.format(date='s.referred_on')}", "1, 2, 3")
    ),
    "ftm_action_item_completion": action_items_on_time(
        Keys(f"c.site_id, {PART}, {_SEGMENT.format(date='a.due_on')}", "1, 2, 3")
    ),
}
# The case-month rates: (table, held status) of their events, counted by whole month.
BY_MONTH: dict[str, tuple[str, str]] = {
    "ftm_monthly_rate": HELD_FTMS,
    "hearing_monthly_rate": HELD_HEARINGS,
}
WINDOWED: tuple[str, ...] = (*BY_SEGMENT, *BY_MONTH)


@dataclass(frozen=True)
class Window:
    """Dates from `cuts[0]` to `cuts[-1] - 1`, cut into segments [cuts[i], cuts[i + 1] - 1]."""

    cuts: tuple[dt.date, ...]

    @classmethod
    def covering(cls, periods: Iterable[tuple[dt.date, dt.date]]) -> Window:
        """The window of the periods (start, end): from the earliest start to the latest end,
        cut at every first day of a month and at every period's start and end + 1 day."""
        spans = list(periods)
        if not spans:
            raise ValueError("a window covers at least one period")
        first = min(start for start, _ in spans)
        after = max(end for _, end in spans) + dt.timedelta(days=1)
        cuts = {first, after}
        for start, end in spans:
            cuts.update((start, end + dt.timedelta(days=1)))
        month = add_months(first.replace(day=1), 1)
        while month < after:
            cuts.add(month)
            month = add_months(month, 1)
        return cls(tuple(sorted(cuts)))

    @property
    def start(self) -> dt.date:
        return self.cuts[0]

    @property
    def end(self) -> dt.date:
        return self.cuts[-1] - dt.timedelta(days=1)

    def segments(self) -> list[tuple[int, dt.date, dt.date]]:
        """(slot, first day, last day) of each segment; slots from 1 (`width_bucket`)."""
        return [
            (i + 1, lo, hi - dt.timedelta(days=1))
            for i, (lo, hi) in enumerate(zip(self.cuts, self.cuts[1:], strict=False))
        ]

    def whole_months(self) -> tuple[dt.date, dt.date] | None:
        """(first day of the first, of the last) calendar month wholly inside the window."""
        return whole_months(self.start, self.end)

    def covers(self, start: dt.date, end: dt.date) -> bool:
        """Whether [start, end] is a union of the window's segments."""
        return start in self.cuts and end + dt.timedelta(days=1) in self.cuts


def window_parts(sites, window: Window, parts=None) -> Parts:
    """{(site, part): {(metric id, slot): (numerator, denominator)}} of every windowed metric
    over the window: one query per metric, each the metric's own definition keyed by segment
    (the case-month rates: one series over the window's whole months, by month)."""
    rows: list[tuple] = []
    for metric_id, query in BY_SEGMENT.items():
        params = query_params(
            sites, window.start, window.end, parts, cuts=list(window.cuts), **query.params
        )
        for site_id, part, slot, num, den in fetch_all(query.sql, params):
            rows.append((site_id, part, (metric_id, int(slot)), num, den))
    months = window.whole_months()
    if months is not None:
        for metric_id, (table, held) in BY_MONTH.items():
            series = case_month_series_parts(sites, *months, table, held, parts)
            for (site_id, part), by_month in series.items():
                for month, counts in by_month.items():
                    rows.append((site_id, part, (metric_id, month), *counts))
    return parts_of(rows)


def _sum(state: State, keys: Iterable[tuple[str, object]]) -> tuple[int, int]:
    numerator = denominator = 0
    for key in keys:
        num, den = state.get(key, (0, 0))
        numerator, denominator = numerator + num, denominator + den
    return numerator, denominator


def _months_inside(window: Window, start: dt.date, end: dt.date) -> list[dt.date]:
    """First days of the calendar months of the window wholly inside [start, end]."""
    months = window.whole_months()
    if months is None:
        return []
    out, month = [], months[0]
    while month <= months[1]:
        if month >= start and month_end(month) <= end:
            out.append(month)
        month = add_months(month, 1)
    return out


def finish_period(
    state: State, window: Window, start: dt.date, end: dt.date, metric_ids: Sequence[str] = WINDOWED
) -> dict[str, Result]:
    """The windowed metrics over [start, end], a union of the window's segments: each the sum
    of its segments (the case-month rates: of the months wholly inside the period)."""
    if not window.covers(start, end):
        raise ValueError(f"the window does not cover {start} to {end} in whole segments")
    slots = [slot for slot, lo, hi in window.segments() if start <= lo and hi <= end]
    months = _months_inside(window, start, end)
    results: dict[str, Result] = {}
    for metric_id in metric_ids:
        wanted = months if metric_id in BY_MONTH else slots
        results[metric_id] = share_result(*_sum(state, ((metric_id, s) for s in wanted)))
    return results


def finish_months(
    state: State, window: Window, months: Sequence[dt.date], metric_ids: Sequence[str]
) -> dict[str, list[tuple[dt.date, Result]]]:
    """{metric id: [(first day of month, the metric over that month)]}: each month of `months`
    (calendar months inside the window) as its own period."""
    segments = window.segments()
    out: dict[str, list[tuple[dt.date, Result]]] = {}
    for metric_id in metric_ids:
        points = []
        for month in months:
            keys: list[tuple[str, object]]
            if metric_id in BY_MONTH:
                keys = [(metric_id, month)]
            else:
                end = month_end(month)
                if not window.covers(month, end):
                    raise ValueError(f"the window does not cover the month of {month}")
                keys = [(metric_id, slot) for slot, lo, _hi in segments if month <= lo <= end]
            points.append((month, share_result(*_sum(state, keys))))
        out[metric_id] = points
    return out
