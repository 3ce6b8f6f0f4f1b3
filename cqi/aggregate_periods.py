"""Periods for aggregate-only viewers (Site Implementation Team, national): whole months, at
least 3 of them (DOMAIN.md, confidentiality rules), so that no figure can be narrowed to one
child by asking for one day, or for the week of one child's removal.

The API refuses any other period (`aggregate_period_errors`: a 400 naming `start` / `end`);
the pages and their CSVs widen it to the whole months that cover it (`aggregate_period`) and
say so. Months still running are refused, or left out: their figures change from day to day,
and the change is that day's children. The presets have whole-month versions here
(`aggregate_preset_dates`). Pure functions: `cqi.periods` (the picker for everyone) is left as
it is.
"""

from __future__ import annotations

import datetime as dt

from cqi.periods import Period
from safebabies.lib.dates import add_months

MIN_MONTHS = 3


def months_in(start: dt.date, end: dt.date) -> int:
    """Calendar months from `start`'s month to `end`'s, both counted."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


def month_end(day: dt.date) -> dt.date:
    return add_months(day.replace(day=1), 1) - dt.timedelta(days=1)


def is_whole_months(start: dt.date, end: dt.date) -> bool:
    return start.day == 1 and end == month_end(end) and start <= end


def aggregate_period_errors(
    start: dt.date, end: dt.date, today: dt.date | None = None
) -> dict[str, str]:
    """{field: message} when [start, end] is not a period an aggregate-only viewer may ask for:
    whole months, at least `MIN_MONTHS` of them, and (given `today`) months that have ended: a
    month still running changes from one day to the next, and the change is that day's
    children."""
    errors: dict[str, str] = {}
    if today is not None and end > last_full_month_end(today):
        errors["end"] = (
            "Program figures for your role are by whole months that have ended: end on or "
            f"before {last_full_month_end(today).isoformat()}."
        )
    if start.day != 1:
        errors["start"] = (
            "Program figures for your role are by whole months: start on the first day of a "
            "month (YYYY-MM-01)."
        )
    if end != month_end(end) and "end" not in errors:
        errors["end"] = (
            "Program figures for your role are by whole months: end on the last day of a month."
        )
    if not errors and months_in(start, end) < MIN_MONTHS:
        errors["end"] = (
            f"Program figures for your role cover at least {MIN_MONTHS} whole months: "
            "end at least 3 months after the start."
        )
    return errors


def snap(start: dt.date, end: dt.date, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The whole months covering [start, end], widened back to at least `MIN_MONTHS`; given
    `today`, ending at the latest with the last month that has ended."""
    first, last = start.replace(day=1), month_end(end)
    if today is not None and last > last_full_month_end(today):
        last = last_full_month_end(today)
        first = min(first, last.replace(day=1))
    if months_in(first, last) < MIN_MONTHS:
        first = add_months(last.replace(day=1), -(MIN_MONTHS - 1))
    return first, last


def last_full_month_end(today: dt.date) -> dt.date:
    return today.replace(day=1) - dt.timedelta(days=1)


def aggregate_default(today: dt.date) -> tuple[dt.date, dt.date]:
    """The 12 whole months up to the last full month before `today`."""
    last = last_full_month_end(today)
    return add_months(last.replace(day=1), -11), last


def aggregate_preset_dates(preset: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """Each preset of `cqi.periods.PRESETS` in whole months, at least `MIN_MONTHS`: the last
    full quarter (3 months) and the last calendar year are already; the last 12 months are the
    12 whole months up to the last full month; the year to date runs to the last full month
    (at least the last 3 full months, early in the year)."""
    last = last_full_month_end(today)
    if preset == "last_quarter":
        this_quarter = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        return add_months(this_quarter, -3), this_quarter - dt.timedelta(days=1)
    if preset == "last_year":
        return dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)
    if preset == "year_to_date":
        start = dt.date(today.year, 1, 1)
        if last < start or months_in(start, last) < MIN_MONTHS:
            start = add_months(last.replace(day=1), -(MIN_MONTHS - 1))
        return start, last
    return aggregate_default(today)


def aggregate_period(period: Period, today: dt.date) -> tuple[Period, str]:
    """`period` (from `cqi.periods.period_from`) as an aggregate-only viewer's pages show it,
    and a sentence saying how it was changed ("" when it was not)."""
    if period.preset != "custom":
        start, end = aggregate_preset_dates(period.preset, today)
        note = "Figures for your role are by whole months, at least 3 of them."
        return Period(start, end, period.preset, period.errors), note
    start, end = snap(period.start, period.end, today)
    if (start, end) == (period.start, period.end):
        return period, ""
    note = (
        f"Figures for your role are by whole months that have ended, at least {MIN_MONTHS}: "
        f"{period.start:%-d %b %Y} to {period.end:%-d %b %Y} was widened to "
        f"{start:%-d %b %Y} to {end:%-d %b %Y}."
    )
    return Period(start, end, "custom", period.errors), note
