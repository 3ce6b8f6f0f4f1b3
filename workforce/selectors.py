"""Reads of the workforce records: the people of a site one may name on a row, and the program's
counts (the data story). Rows of a kind are read through `cases.access` (SITE_RECORD_TYPES:
`site_records_visible_to`, `access_site_record`); the counts here name nobody.

The private well-being check-ins are counted only in groups (site and month) of at least
`WELLBEING_MIN_PEOPLE` distinct people; a smaller group is "fewer than 5 people: not shown",
whoever asks (the Community Coordinator and site admins included).
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, cast

from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from cases.access import STAFF_ROLES
from safebabies.identity.models import Site, User
from safebabies.identity.roles import Role
from workforce.models import (
    Consultation,
    Mode,
    Need,
    SupervisionSession,
    Training,
    TrainingAttendance,
    WellbeingCheckIn,
)

WELLBEING_MIN_PEOPLE = 5
SUPERVISION_WINDOW_DAYS = 30


def members_of(site: Site, roles: frozenset[str] = STAFF_ROLES) -> QuerySet[User]:
    """The users holding one of `roles` (active) at the site: whom a row may name."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__site=site,
            memberships__role__in=roles,
            memberships__is_active=True,
        )
        .distinct()
        .order_by("full_name", "email")
    )


def clinicians_of(site: Site) -> QuerySet[User]:
    return members_of(site, frozenset({Role.CLINICIAN}))


def month_starts(today: dt.date, months: int) -> list[dt.date]:
    """The first days of the last `months` months, today's month last."""
    first = today.replace(day=1)
    out = []
    for back in range(months - 1, -1, -1):
        year, month = divmod(first.year * 12 + first.month - 1 - back, 12)
        out.append(dt.date(year, month + 1, 1))
    return out


@dataclass
class MonthRow:
    month: dt.date
    consultations: int = 0
    direct: int = 0
    indirect: int = 0
    by_need: dict[str, int] = field(default_factory=dict)
    trainings: int = 0
    training_hours: float = 0.0
    attendees: int = 0
    supervision_sessions: int = 0
    supervised_staff: int = 0
    supervision_hours: float = 0.0
    wellbeing_people: int = 0
    # None: fewer than WELLBEING_MIN_PEOPLE people checked in that month (not shown)
    wellbeing: dict[str, float] | None = None


@dataclass
class ProgramFigures:
    months: list[MonthRow]
    needs: list[tuple[str, str]]
    supervised_last_30: int
    supervision_hours_last_30: float
    staff_count: int
    min_people: int = WELLBEING_MIN_PEOPLE


def program_figures(site: Site, today: dt.date, months: int = 12) -> ProgramFigures:
    """Counts per month of the last `months` months (a handful of grouped queries, whatever
    the number of rows): consultations (direct / indirect, by need), trainings, their hours and
    attendees, reflective supervision (sessions, staff supervised, hours) and the well-being
    check-ins' averages where at least 5 people checked in that month."""
    starts = month_starts(today, months)
    since = starts[0]
    rows = {start: MonthRow(month=start) for start in starts}

    consults = (
        Consultation.objects.filter(site=site, held_on__gte=since, held_on__lte=today)
        .annotate(m=TruncMonth("held_on"))
        .values("m", "mode", "need")
        .annotate(n=Count("id"))
        .order_by()
    )
    for item in cast(list[dict[str, Any]], list(consults)):
        row = rows[item["m"]]
        row.consultations += item["n"]
        if item["mode"] == Mode.DIRECT:
            row.direct += item["n"]
        else:
            row.indirect += item["n"]
        row.by_need[item["need"]] = row.by_need.get(item["need"], 0) + item["n"]

    trainings = (
        Training.objects.filter(site=site, held_on__gte=since, held_on__lte=today)
        .annotate(m=TruncMonth("held_on"))
        .values("m")
        .annotate(n=Count("id"), hours=Sum("hours"))
        .order_by()
    )
    for item in cast(list[dict[str, Any]], list(trainings)):
        rows[item["m"]].trainings = item["n"]
        rows[item["m"]].training_hours = float(item["hours"] or 0)
    attendees = (
        TrainingAttendance.objects.filter(
            training__site=site, training__held_on__gte=since, training__held_on__lte=today
        )
        .annotate(m=TruncMonth("training__held_on"))
        .values("m")
        .annotate(n=Count("id"))
        .order_by()
    )
    for item in cast(list[dict[str, Any]], list(attendees)):
        rows[item["m"]].attendees = item["n"]

    sessions = (
        SupervisionSession.objects.filter(site=site, held_on__gte=since, held_on__lte=today)
        .annotate(m=TruncMonth("held_on"))
        .values("m")
        .annotate(n=Count("id"), staff=Count("staff", distinct=True), minutes=Sum("minutes"))
        .order_by()
    )
    for item in cast(list[dict[str, Any]], list(sessions)):
        row = rows[item["m"]]
        row.supervision_sessions = item["n"]
        row.supervised_staff = item["staff"]
        row.supervision_hours = round((item["minutes"] or 0) / 60, 1)

    checkins = (
        WellbeingCheckIn.objects.filter(site=site, checked_on__gte=since, checked_on__lte=today)
        .annotate(m=TruncMonth("checked_on"))
        .values("m")
        .annotate(
            people=Count("person", distinct=True),
            stress=Avg("stress"),
            supported=Avg("supported"),
            sleep=Avg("sleep"),
        )
        .order_by()
    )
    for item in cast(list[dict[str, Any]], list(checkins)):
        row = rows[item["m"]]
        if item["people"] >= WELLBEING_MIN_PEOPLE:
            row.wellbeing_people = item["people"]
            row.wellbeing = {
                key: round(float(item[key]), 1) for key in ("stress", "supported", "sleep")
            }

    window = today - dt.timedelta(days=SUPERVISION_WINDOW_DAYS)
    recent = SupervisionSession.objects.filter(
        site=site, held_on__gt=window, held_on__lte=today
    ).aggregate(staff=Count("staff", distinct=True), minutes=Sum("minutes"))
    return ProgramFigures(
        months=[rows[start] for start in starts],
        needs=list(Need.choices),
        supervised_last_30=recent["staff"] or 0,
        supervision_hours_last_30=round((recent["minutes"] or 0) / 60, 1),
        staff_count=members_of(site).count(),
    )


@dataclass(frozen=True)
class WorkCounts:
    """The work of the people around the families in one period, for the data story: counts
    only, no names, no well-being (that is counted only in groups of 5 or more, by month, on
    the program page)."""

    consultations: int
    direct: int
    indirect: int
    trainings: int
    training_hours: float
    attendees: int
    supervision_sessions: int
    staff_supervised: int


def period_counts(sites: list[Site], start: dt.date, end: dt.date) -> WorkCounts:
    """Consultations, trainings (their hours and attendees) and reflective supervision held in
    [start, end] at `sites`, in four queries."""
    in_period = {"site__in": sites, "held_on__gte": start, "held_on__lte": end}
    consults = Consultation.objects.filter(**in_period).aggregate(
        n=Count("id"), direct=Count("id", filter=Q(mode=Mode.DIRECT))
    )
    held = Training.objects.filter(**in_period)
    trainings = held.aggregate(n=Count("id"), hours=Sum("hours"))
    attendees = TrainingAttendance.objects.filter(training__in=held).count()
    supervision = SupervisionSession.objects.filter(**in_period).aggregate(
        n=Count("id"), staff=Count("staff", distinct=True)
    )
    hours = trainings["hours"] or 0
    return WorkCounts(
        consultations=consults["n"],
        direct=consults["direct"],
        indirect=consults["n"] - consults["direct"],
        trainings=trainings["n"],
        training_hours=float(hours),
        attendees=attendees,
        supervision_sessions=supervision["n"],
        staff_supervised=supervision["staff"],
    )
