"""`when`: the one way a page writes a date, a time or a moment.

    {{ ftm.scheduled_on|when }}           5 Jan 2026
    {{ ftm.scheduled_on|when:"day" }}     Monday 5 Jan 2026
    {{ ftm.scheduled_on|when:"weekday" }} Monday 5 Jan
    {{ week.start|when:"short" }}         5 Jan
    {{ point.month|when:"month" }}        Jan 2026
    {{ ftm.starts_at|when }}              1:00 PM
    {{ event.at|when }}                   5 Jan 2026, 1:00 PM (in the site's time zone)
    {{ day|when:"iso" }}                  2026-01-05 (for `datetime=""` and input values)
    {{ day|when:"family_day" }}           Monday 5 January (the family's own pages: words in full)
    {{ day|when:"family_short" }}         5 January
    {{ day|when:"family" }}               5 January 2026

In Spanish (the active language, `PersonLanguageMiddleware`) the same styles follow
`safebabies.formats.es.formats`: "lunes 5 de enero", "13:00".

A moment (an aware datetime) is shown in the active time zone, which
`SiteTimeZoneMiddleware` sets to the signed-in person's site's: never UTC, never the
browser's. The formats are those of `safebabies.formats.en.formats` (FORMAT_MODULE_PATH), so a
date a template prints without the filter reads the same. The filter is a template builtin
(settings.TEMPLATES): no `{% load %}` needed.
"""

import datetime as dt

from django import template
from django.utils import dateformat, timezone, translation

from safebabies.formats.en import formats as en
from safebabies.formats.es import formats as es

register = template.Library()


def _styles(formats) -> dict[str, str]:
    return {
        "": formats.DATE_FORMAT,
        "day": formats.DAY_FORMAT,
        "weekday": formats.WEEKDAY_FORMAT,
        "short": formats.SHORT_DATE_FORMAT,
        "month": formats.YEAR_MONTH_FORMAT,
        "iso": "Y-m-d",
        "family_day": formats.FAMILY_DAY_FORMAT,
        "family_short": formats.FAMILY_SHORT_FORMAT,
        "family": formats.FAMILY_FORMAT,
    }


DATE_STYLES = _styles(en)
# (date styles, time format) per language; English for any other
LANGUAGE_STYLES = {"en": (DATE_STYLES, en.TIME_FORMAT), "es": (_styles(es), es.TIME_FORMAT)}


def _active_styles() -> tuple[dict[str, str], str]:
    language = (translation.get_language() or "en").split("-")[0]
    return LANGUAGE_STYLES.get(language, LANGUAGE_STYLES["en"])


@register.filter(expects_localtime=False, is_safe=False)
def when(value, style: str = "") -> str:
    """`value` (a date, a time or an aware datetime) written in the house style `style`."""
    if value in (None, ""):
        return ""
    if style not in DATE_STYLES:
        raise template.TemplateSyntaxError(
            f"when: unknown style {style!r} (use one of {', '.join(map(repr, DATE_STYLES))})"
        )
    styles, time_format = _active_styles()
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        if style == "iso":
            return value.isoformat(timespec="minutes")
        return dateformat.format(value, f"{styles[style]}, {time_format}")
    if isinstance(value, dt.date):
        return dateformat.format(value, styles[style])
    if isinstance(value, dt.time):
        return dateformat.time_format(value, "H:i" if style == "iso" else time_format)
    return str(value)
