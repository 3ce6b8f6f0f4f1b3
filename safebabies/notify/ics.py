"""iCalendar (RFC 5545) events for FTMs, hearings and family time: the `.ics` attached to an FTM
reminder and the calendar feed. No names and no notes: a title, a time, a place, a link."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from cases.models import Hearing
from familytime.models import Visit
from safebabies.identity.models import Site
from teams.models import Ftm

PRODID = "-//Safe Babies court teams//safebabies//EN"
UID_DOMAIN = "safebabies"


def new_calendar(*, method: str | None = None, name: str = "") -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    return cal


def _when(event: Event, day: dt.date, starts: dt.time | None, site: Site, minutes: int) -> None:
    if starts is None:
        event.add("dtstart", day)
        event.add("dtend", day + dt.timedelta(days=1))
        return
    start = dt.datetime.combine(day, starts, tzinfo=site.tz).astimezone(dt.UTC)
    event.add("dtstart", start)
    event.add("dtend", start + dt.timedelta(minutes=minutes))


def _event(*, uid: str, summary: str, record: Any, site: Site, link: str) -> Event:
    event = Event()
    event.add("uid", f"{uid}@{UID_DOMAIN}")
    event.add("dtstamp", timezone.now().astimezone(dt.UTC).replace(microsecond=0))
    event.add("summary", summary)
    event.add("sequence", int(record.updated_at.timestamp()) % 2_000_000_000)
    event.add("url", settings.SITE_URL + link)
    event.add("description", f"Sign in to see the details: {settings.SITE_URL}{link}")
    return event


def ftm_event(ftm: Ftm, *, cancelled: bool = False) -> Event:
    site = ftm.case.site
    event = _event(
        uid=f"ftm-{ftm.pk}",
        summary="Family Team Meeting",
        record=ftm,
        site=site,
        link=f"/cases/{ftm.case_id}/",
    )
    _when(event, ftm.scheduled_on, ftm.starts_at, site, 90)
    if ftm.location:
        event.add("location", ftm.location)
    event.add("status", "CANCELLED" if cancelled or ftm.status == "cancelled" else "CONFIRMED")
    return event


def hearing_event(hearing: Hearing) -> Event:
    site = hearing.case.site
    event = _event(
        uid=f"hearing-{hearing.pk}",
        summary=f"Court hearing ({hearing.get_hearing_type_display().lower()})",
        record=hearing,
        site=site,
        link=f"/cases/{hearing.case_id}/",
    )
    _when(event, hearing.scheduled_on, hearing.starts_at, site, 60)
    if hearing.courtroom:
        event.add("location", hearing.courtroom)
    event.add("status", "CANCELLED" if hearing.status == "cancelled" else "CONFIRMED")
    return event


def visit_event(visit: Visit, site: Site, case_id: str) -> Event:
    event = _event(
        uid=f"family-time-{visit.pk}",
        summary="Family time",
        record=visit,
        site=site,
        link=f"/cases/{case_id}/",
    )
    _when(event, visit.scheduled_on, visit.starts_at, site, visit.duration_minutes or 60)
    event.add("status", "CANCELLED" if visit.status == "cancelled" else "CONFIRMED")
    return event


def ftm_invitation(ftm: Ftm, *, cancelled: bool = False) -> bytes:
    """The `.ics` of an FTM reminder: METHOD:REQUEST, or METHOD:CANCEL when it is cancelled."""
    cal = new_calendar(method="CANCEL" if cancelled else "REQUEST")
    event = ftm_event(ftm, cancelled=cancelled)
    event.add("organizer", f"mailto:{_from_address()}")
    cal.add_component(event)
    return cal.to_ical()


def _from_address() -> str:
    sender = settings.DEFAULT_FROM_EMAIL
    if "<" in sender:
        return sender.split("<", 1)[1].rstrip(">").strip()
    return sender
