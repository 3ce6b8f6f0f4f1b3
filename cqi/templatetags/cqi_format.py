"""Formatting of CQI figures for people: shares as percentages, rates with their unit."""

from django import template

from cqi.suppression import COMPLEMENT, COMPLEMENT_MARK, PRIMARY, SMALL_MARK, Hidden

register = template.Library()


def format_value(value, unit: str) -> str:
    if isinstance(value, Hidden):
        return str(value)
    if value is None:
        return "no data"
    if unit in {"share", "reasons"}:
        return f"{100 * value:.1f}%"
    if unit == "days":
        return f"{value:.0f} days" if value != 1 else "1 day"
    if unit == "per_week":
        return f"{value:.2f} a week"
    if unit == "per_1000_days":
        return f"{value:.2f}"
    if unit == "placements":
        return f"{value:.2f}"
    return str(value)


@register.filter
def metric_value(value, unit: str) -> str:
    """A metric's value in its unit ("45.0%", "120 days", "2.10 a week"); "no data" for null."""
    return format_value(value, unit)


@register.filter
def percent(value) -> str:
    if isinstance(value, Hidden):
        return str(value)
    return "—" if value is None else f"{100 * value:.1f}%"


@register.filter
def is_hidden(value) -> bool:
    return isinstance(value, Hidden)


@register.filter
def count(value) -> str:
    """A count as suppressed for an aggregate-only viewer reads in words: "<5" as "fewer than
    5", "suppressed" as "hidden" (`cqi.suppression.mark`); a number as itself."""
    if value == SMALL_MARK:
        return str(Hidden(PRIMARY))
    if value == COMPLEMENT_MARK:
        return str(Hidden(COMPLEMENT))
    return str(value)
