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

A moment (an aware datetime) is shown in the active time zone, which
`SiteTimeZoneMiddleware` sets to the signed-in person's site's: never UTC, never the
browser's. The formats are those of `safebabies.formats.en.formats` (FORMAT_MODULE_PATH), so a
date a template prints without the filter reads the same. The filter is a template builtin
(settings.TEMPLATES): no `{% load %}` needed.
"""

import datetime as dt

from django import template
from django.utils import dateformat, timezone

from safebabies.formats.en import formats

register = template.Library()

DATE_STYLES = {
    "": formats.DATE_FORMAT,
    "day": formats.DAY_FORMAT,
    "weekday": formats.WEEKDAY_FORMAT,
    "short": formats.SHORT_DATE_FORMAT,
    "month": formats.YEAR_MONTH_FORMAT,
    "iso": "Y-m-d",
    "family_day": "l j F",
    "family_short": "j F",
    "family": "j F Y",
}


@register.filter(expects_localtime=False, is_safe=False)
def when(value, style: str = "") -> str:
    """`value` (a date, a time or an aware datetime) written in the house style `style`."""
    if value in (None, ""):
        return ""
    if style not in DATE_STYLES:
        raise template.TemplateSyntaxError(
            f"when: unknown style {style!r} (use one of {', '.join(map(repr, DATE_STYLES))})"
        )
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        if style == "iso":
            return value.isoformat(timespec="minutes")
        return dateformat.format(value, f"{DATE_STYLES[style]}, {formats.TIME_FORMAT}")
    if isinstance(value, dt.date):
        return dateformat.format(value, DATE_STYLES[style])
    if isinstance(value, dt.time):
        return dateformat.time_format(value, "H:i" if style == "iso" else formats.TIME_FORMAT)
    return str(value)
