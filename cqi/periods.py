"""The dashboard's period picker: presets, custom dates and the previous period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from safebabies.lib.dates import add_months

PRESETS = {
    "last_12_months": "Last 12 months",
    "last_quarter": "Last full quarter",
    "last_year": "Last calendar year",
    "year_to_date": "This year to date",
}
DEFAULT_PRESET = "last_12_months"
MAX_DAYS = 366 * 5  # the longest period the picker accepts
# The dates a period may hold: far enough back for any program's history, not so far that a
# period, its previous period or a 12-month default runs off the calendar (year 1 or 9999).
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2100, 12, 31)
OUT_OF_RANGE = f"Enter a date from {EARLIEST.isoformat()} to {LATEST.isoformat()}."


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    preset: str  # a PRESETS key, or "custom"
    errors: dict[str, str]

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def previous(self) -> tuple[dt.date, dt.date]:
        """The period of the same length just before this one (a whole number of months when
        this one is, e.g. the quarter or 12 months before)."""
        if self.start.day == 1 and (self.end + dt.timedelta(days=1)).day == 1:
            months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
            return add_months(self.start, -months), self.start - dt.timedelta(days=1)
        return (
            self.start - dt.timedelta(days=self.days),
            self.start - dt.timedelta(days=1),
        )


def preset_dates(preset: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The dates of a preset. "Last 12 months" and "this year to date" run up to today
    included (what was logged today counts); the quarter and the year are whole ones."""
    if preset == "last_quarter":
        this_quarter = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        start = add_months(this_quarter, -3)
        return start, this_quarter - dt.timedelta(days=1)
    if preset == "last_year":
        return dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)
    if preset == "year_to_date":
        return dt.date(today.year, 1, 1), today
    return add_months(today, -12) + dt.timedelta(days=1), today


def _date(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None


def out_of_range(day: dt.date) -> bool:
    return not EARLIEST <= day <= LATEST


def period_from(params, today: dt.date) -> Period:
    """The period a query string asks for: `start` and `end` (YYYY-MM-DD) when given and valid,
    else the `preset` (default: the last 12 months up to today). Bad dates fall back to the
    preset with an error naming the field."""
    preset = params.get("preset", "")
    if preset not in PRESETS:
        preset = DEFAULT_PRESET
    raw_start, raw_end = params.get("start", "").strip(), params.get("end", "").strip()
    errors: dict[str, str] = {}
    if raw_start or raw_end:
        start, end = _date(raw_start), _date(raw_end)
        if start is None:
            errors["start"] = "Enter the start as a date (YYYY-MM-DD)."
        if end is None:
            errors["end"] = "Enter the end as a date (YYYY-MM-DD)."
        for name, day in (("start", start), ("end", end)):
            if day is not None and out_of_range(day):
                errors[name] = OUT_OF_RANGE
        if start and end and start > end:
            errors["end"] = "The end must be on or after the start."
        elif start and end and (end - start).days >= MAX_DAYS:
            errors["end"] = "Choose a period of at most five years."
        if not errors and start and end:
            return Period(start, end, "custom", {})
    start, end = preset_dates(preset, today)
    return Period(start, end, preset, errors)
