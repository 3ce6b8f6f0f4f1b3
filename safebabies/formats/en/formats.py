"""How dates and times are written on every page (settings.FORMAT_MODULE_PATH), so that a date
or time a template prints without a format reads the same as one through the `when` filter
(safebabies/templatetags/when.py), which takes its formats from here. Times are those of the
site's time zone (`SiteTimeZoneMiddleware`); never UTC, never the browser's."""

DATE_FORMAT = "j M Y"  # 5 Jan 2026
TIME_FORMAT = "g:i A"  # 1:00 PM
DATETIME_FORMAT = f"{DATE_FORMAT}, {TIME_FORMAT}"  # 5 Jan 2026, 1:00 PM
SHORT_DATE_FORMAT = "j M"  # 5 Jan
SHORT_DATETIME_FORMAT = f"{SHORT_DATE_FORMAT}, {TIME_FORMAT}"
MONTH_DAY_FORMAT = SHORT_DATE_FORMAT
YEAR_MONTH_FORMAT = "M Y"  # Jan 2026

# The other styles of `when`
DAY_FORMAT = "l j M Y"  # Monday 5 Jan 2026
WEEKDAY_FORMAT = "l j M"  # Monday 5 Jan
FAMILY_DAY_FORMAT = "l j F"  # Monday 5 January (the family's own pages: words in full)
FAMILY_SHORT_FORMAT = "j F"  # 5 January
FAMILY_FORMAT = "j F Y"  # 5 January 2026
