"""Formatting of CQI figures for people: shares as percentages, rates with their unit."""

from django import template
from django.utils.html import format_html

from cqi.suppression import (
    COMPLEMENT,
    COMPLEMENT_MARK,
    PRIMARY,
    SMALL_MARK,
    SUPPRESSED_KEY,
    Hidden,
)
from safebabies import codes

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


# What one month's cell of a trend shows: short enough that 12 months fit side by side on a
# tablet, with the words for screen readers.
TREND_UNITS = {
    "share": "Per cent, each month",
    "reasons": "Per cent of the month's exits",
    "per_week": "Visits held a week per child in care, each month",
    "days": "Days, each month",
    "per_1000_days": "Per 1,000 days in care, each month",
    "placements": "Placements per child, each month",
}


def _short(value, unit: str) -> str:
    if unit in {"share", "reasons"}:
        return f"{100 * value:.0f}%"
    if unit == "days":
        return f"{value:.0f}"
    return f"{value:.1f}"


@register.filter
def trend_cell(value, unit: str) -> str:
    """A trend month's value, short ("45%", "2.2", "<5") with its full words for screen
    readers ("fewer than 5", "no data")."""
    if isinstance(value, Hidden):
        short, words = ("<5" if value.reason == PRIMARY else "*"), str(value)
    elif value is None:
        short, words = "\u2013", "no data"  # an en dash
    else:
        short, words = _short(value, unit), format_value(value, unit)
    return format_html(
        '<span aria-hidden="true">{}</span><span class="visually-hidden">{}</span>', short, words
    )


@register.filter
def trend_unit(unit: str) -> str:
    return TREND_UNITS.get(unit, "")


@register.filter
def counted(value, noun: str) -> str:
    """A count with its noun, singular or plural: "1 coordinator", "3 coordinators",
    "fewer than 5 coordinators" (`noun` is "coordinator" or "child,children")."""
    one, _, many = noun.partition(",")
    many = many or f"{one}s"
    shown = count(value)
    return f"{shown} {one if shown == '1' else many}"


@register.filter
def part_of(part, whole) -> str:
    """ "3 of 8": a part of a whole, each as an aggregate-only viewer may see it. A part that
    cannot be shown beside a hidden whole, or that is itself hidden to protect a small one, is
    left out: "fewer than 5 in all", "69 in all" (never "hidden of 69")."""
    part_text, whole_text = count(part), count(whole)
    hidden_whole = whole_text in HIDDEN_WORDS
    if part_text == str(Hidden(COMPLEMENT)) or (hidden_whole and part_text in HIDDEN_WORDS):
        return f"{whole_text} in all"
    return f"{part_text} of {whole_text}"


HIDDEN_WORDS = frozenset({str(Hidden(PRIMARY)), str(Hidden(COMPLEMENT))})


@register.filter
def discharge_reason(code: str) -> str:
    """An exit's reason in words ("Living with a relative"), never its code; the merged small
    categories of an aggregate-only view as "Other reasons, together"."""
    if code == SUPPRESSED_KEY:
        return "Other reasons, together (not named, to protect privacy)"
    labels = dict(codes.DischargeReason.choices)
    return labels.get(code, code.replace("_", " ").capitalize())
