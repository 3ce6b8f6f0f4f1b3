"""One way of writing dates and times on every page: the `when` filter, in the signed-in
person's site's time zone (never UTC, never the browser's)."""

import datetime as dt
import zoneinfo
from pathlib import Path

import pytest
import time_machine
from django.template import Context, Template, TemplateSyntaxError
from django.urls import reverse
from django.utils import timezone

from safebabies.notify.models import Notification

pytestmark = pytest.mark.django_db

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
MOMENT = dt.datetime(2026, 1, 5, 19, 0, tzinfo=dt.UTC)  # 1 PM in Chicago


def render(text: str, **context) -> str:
    with timezone.override(CHICAGO):
        return Template(text).render(Context(context))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{{ v|when }}", "5 Jan 2026"),
        ('{{ v|when:"day" }}', "Monday 5 Jan 2026"),
        ('{{ v|when:"weekday" }}', "Monday 5 Jan"),
        ('{{ v|when:"short" }}', "5 Jan"),
        ('{{ v|when:"month" }}', "Jan 2026"),
        ('{{ v|when:"iso" }}', "2026-01-05"),
    ],
)
def test_a_date_in_each_style(text, expected):
    assert render(text, v=dt.date(2026, 1, 5)) == expected


def test_a_time_and_a_moment_in_the_site_zone():
    assert render("{{ v|when }}", v=dt.time(13, 0)) == "1:00 PM"
    assert render("{{ v|when }}", v=MOMENT) == "5 Jan 2026, 1:00 PM"
    assert render('{{ v|when:"iso" }}', v=MOMENT) == "2026-01-05T13:00-06:00"
    assert render("{{ v|when|default:'Not scheduled' }}", v=None) == "Not scheduled"


def test_a_date_or_time_printed_without_the_filter_reads_the_same():
    assert render("{{ v }}", v=dt.time(13, 0)) == "1:00 PM"
    assert render("{{ v }}", v=dt.date(2026, 1, 5)) == "5 Jan 2026"
    assert render("{{ v }}", v=MOMENT) == "5 Jan 2026, 1:00 PM"


def test_an_unknown_style_is_refused():
    with pytest.raises(TemplateSyntaxError):
        render('{{ v|when:"fancy" }}', v=dt.date(2026, 1, 5))


def test_pages_show_moments_in_the_signed_in_persons_site_zone(client_for, coordinator):
    with time_machine.travel(MOMENT, tick=False):
        Notification.objects.create(user=coordinator, kind="x", subject="Hello", body="b")
    html = client_for(coordinator).get(reverse("notification-list")).content.decode()
    assert "5 Jan 2026, 1:00 PM" in html
    assert "19:00" not in html


def test_every_template_writes_dates_and_times_through_the_filter():
    """No ad-hoc `|date:"..."` or `|time:"..."` for a person to read; only machine formats
    (an input's value, a `datetime=""` attribute, a chart's month key) stay `|date:`."""
    import re

    root = Path(__file__).resolve().parent.parent / "templates"
    machine = {"'Y-m-d'", '"Y-m-d"', "'Y-m'", '"Y-m"', '"Y"', '"M"'}
    offenders = []
    for f in root.rglob("*.html"):
        for fmt in re.findall(r"\|(?:date|time):(\"[^\"]*\"|'[^']*')", f.read_text()):
            if fmt not in machine:
                offenders.append(f"{f.relative_to(root)} {fmt}")
    assert offenders == []
