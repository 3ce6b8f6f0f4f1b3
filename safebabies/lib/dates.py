"""Calendar arithmetic used by the case page, the summary and the metrics."""

import calendar
import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day-of-month `months` later, clamped to the month's last day.

    add_months(2024-01-31, 12) == 2025-01-31; add_months(2024-02-29, 12) == 2025-02-28.
    """
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last))


def age_in_months(birth_date: dt.date, on: dt.date) -> int:
    """Whole months of age on `on` (0 for a newborn)."""
    months = (on.year - birth_date.year) * 12 + (on.month - birth_date.month)
    if add_months(birth_date, months) > on:
        months -= 1
    return max(months, 0)
