"""Reads of the case plan: screenings, what is due, assessments, markers of progress, goals,
services and consents.

Every read starts from a `CaseAccess` (`cases.access.access_case`) and runs a fixed number of
queries whatever the number of rows. The rules (DOMAIN.md, issue 4):
- an assessment's narrative is for the clinician, the Community Coordinator and the caseworker
  on the team only (`can_see_assessment_narrative`);
- Part 2 records (substance-use screenings, substance-use treatment services) appear only where
  the person they are about signed a release in force for one of the viewer's roles
  (`CaseAccess.part2_people`), with the redisclosure notice;
- marker notes are for the team: not the court's view, not the parent mentor's.

`overdue_screenings_in_care` is the exception: it reads for the coordinator's alerts (a
background task acting for the site), with the case page's rules (`assessments.due`).
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from assessments.due import Due, screenings_due
from assessments.models import (
    CAREGIVER_MARKERS,
    CHILD_MARKERS,
    Assessment,
    Goal,
    Marker,
    MarkerRating,
    Screening,
    Service,
    ServiceSession,
    SessionAttendance,
)
from cases.access import (
    IPV_INSTRUMENTS,
    PART2_INSTRUMENTS,
    PART2_REDISCLOSURE_NOTICE,
    PART2_SERVICE_TYPES,
    CaseAccess,
    can_see_assessment_narrative,
    can_see_ipv_screenings,
    can_see_marker_notes,
    case_records,
    cases_visible_to,
    records_visible_to,
)
from cases.models import Case, Child, Episode, Person
from safebabies import codes
from safebabies.identity.models import User

TIMELINESS_LIMIT_DAYS = 60
OPEN_SERVICE_STATUSES = (codes.ServiceStatus.REFERRED, codes.ServiceStatus.WAITLISTED)


def screenings_of(access: CaseAccess, *, every_part2: bool = False) -> QuerySet[Screening]:
    """The case's screenings the viewer may see (the access module's rule for Part 2 rows),
    or with `every_part2` every one, for a computation whose result shows none of them (what
    is due)."""
    qs = (
        Screening.objects.filter(case=access.case)
        if every_part2
        else case_records(access, "screening")
    )
    return qs.select_related("child", "referral", "person")


def services_of(access: CaseAccess, *, every_part2: bool = False) -> QuerySet[Service]:
    qs = (
        Service.objects.filter(case=access.case) if every_part2 else case_records(access, "service")
    )
    return qs.select_related("child", "goal", "person")


def goals_of(access: CaseAccess) -> QuerySet[Goal]:
    return (
        Goal.objects.filter(case=access.case)
        .select_related("child", "assessment")
        .prefetch_related("step_rows")
    )


def assessments_visible_to(user: User) -> QuerySet[Assessment]:
    return Assessment.objects.filter(case__in=cases_visible_to(user))


# --- Timeliness ----------------------------------------------------------------------------


@dataclass
class ServiceRow:
    service: Service
    removal_to_referral: int | None  # days, for a child's service (or the family's first child)
    referral_to_start: int | None  # days; while waiting, days waited so far
    waiting: bool
    late_referral: bool  # removal to referral past 60 days
    late_start: bool  # referral to start (or waiting) past 60 days
    priority: int = 3  # `service_priority`: 1 concrete needs, 2 health and safety, 3 the rest
    attendance: "Attendance | None" = None  # its sessions' trend (issue 22)

    @property
    def late(self) -> bool:
        return self.late_referral or self.late_start


def service_row(service: Service, removal_date: dt.date | None, today: dt.date) -> ServiceRow:
    removal_to_referral = (
        (service.referred_on - removal_date).days
        if removal_date is not None and service.referred_on >= removal_date
        else None
    )
    waiting = service.started_on is None and service.status in OPEN_SERVICE_STATUSES
    if service.started_on is not None:
        referral_to_start: int | None = (service.started_on - service.referred_on).days
    elif waiting:
        referral_to_start = (today - service.referred_on).days
    else:
        referral_to_start = None
    return ServiceRow(
        service=service,
        removal_to_referral=removal_to_referral,
        referral_to_start=referral_to_start,
        waiting=waiting,
        late_referral=removal_to_referral is not None
        and removal_to_referral > TIMELINESS_LIMIT_DAYS,
        late_start=referral_to_start is not None and referral_to_start > TIMELINESS_LIMIT_DAYS,
    )


# --- Service priority: concrete needs first (issue 22 item 4, seed 002 CC6) ------------------

# Priority 1: concrete needs, met first: a roof, food, transport, income, child care.
CONCRETE_NEEDS_TYPES = frozenset(
    {codes.ServiceType.HOUSING, codes.ServiceType.CONCRETE_NEEDS, codes.ServiceType.CHILD_CARE}
)
# Priority 2: health and safety.
HEALTH_AND_SAFETY_TYPES = frozenset(
    {
        codes.ServiceType.DOMESTIC_VIOLENCE,
        codes.ServiceType.MEDICAL,
        codes.ServiceType.MENTAL_HEALTH,
        codes.ServiceType.SUBSTANCE_USE_TREATMENT,
    }
)
# The screens whose referral is a concrete need, whatever the service's type.
CONCRETE_NEEDS_SCREENS = frozenset({codes.Instrument.HOUSING, codes.Instrument.BASIC_NEEDS})
PRIORITY_LABELS = {1: "Concrete needs", 2: "Health and safety", 3: "Relationships and growth"}
OPEN_STATUSES = (
    codes.ServiceStatus.REFERRED,
    codes.ServiceStatus.WAITLISTED,
    codes.ServiceStatus.ACTIVE,
)


def service_priority(service_type: str, from_concrete_needs_screen: bool = False) -> int:
    """1 for a concrete need (housing, basic needs, child care, or a service a housing or
    basic-needs screen referred to), 2 for health and safety (domestic violence, medical,
    mental health, substance-use treatment), 3 for the rest (relationship-based and
    developmental services, parenting, other). An IPV screen's referral does not change a
    priority: the badge would tell who may not read IPV screens that there is one."""
    if service_type in CONCRETE_NEEDS_TYPES or from_concrete_needs_screen:
        return 1
    if service_type in HEALTH_AND_SAFETY_TYPES:
        return 2
    return 3


def by_priority(rows: list[ServiceRow]) -> list[ServiceRow]:
    """Open referrals and services first, by priority then referral day; the ended after, by
    referral day."""
    return sorted(
        rows,
        key=lambda r: (
            r.service.status not in OPEN_STATUSES,
            r.priority if r.service.status in OPEN_STATUSES else 0,
            r.service.referred_on,
            r.service.pk,
        ),
    )


# --- Attendance: sessions as the service is delivered (issue 22 item 3) ---------------------

ATTENDANCE_WINDOW = 4  # sessions compared: the last 4 against the 4 before
WAS_GOOD = 0.75
NOW_LOW = 0.5
# What counts against the family: a missed session or one they cancelled (a session the
# provider cancelled counts neither way).
ABSENT = frozenset({SessionAttendance.MISSED, SessionAttendance.CANCELLED_FAMILY})


@dataclass
class Attendance:
    """The attendance of one service's latest sessions (newest first in `sessions`)."""

    sessions: list[ServiceSession]
    recent_rate: float | None  # of the last 4 sessions that count, None with fewer than 4
    earlier_rate: float | None  # of the 4 before them
    absent_in_a_row: int  # the latest sessions that count, missed or cancelled by the family
    outreach: list[ServiceSession]  # missed sessions whose outreach is not done

    @property
    def falling(self) -> bool:
        """Attendance is falling: the family missed (or cancelled) the last two sessions in a
        row, or the last 4 sessions attended at most 50% after the 4 before at least 75%."""
        if self.absent_in_a_row >= 2:
            return True
        return (
            self.recent_rate is not None
            and self.earlier_rate is not None
            and self.earlier_rate >= WAS_GOOD
            and self.recent_rate <= NOW_LOW
        )

    @property
    def recent_percent(self) -> int | None:
        return None if self.recent_rate is None else round(self.recent_rate * 100)

    @property
    def earlier_percent(self) -> int | None:
        return None if self.earlier_rate is None else round(self.earlier_rate * 100)


def _rate(sessions: list[ServiceSession]) -> float | None:
    if len(sessions) < ATTENDANCE_WINDOW:
        return None
    return sum(1 for s in sessions if s.attendance == SessionAttendance.ATTENDED) / len(sessions)


def attendance_of(sessions: list[ServiceSession]) -> Attendance:
    """`Attendance` of one service from its sessions (any order; more than the last 8 are
    ignored for the trend, every missed session without outreach is kept)."""
    newest = sorted(sessions, key=lambda s: (s.held_on, s.created_at), reverse=True)
    counted = [s for s in newest if s.attendance != SessionAttendance.CANCELLED_PROVIDER]
    counted = counted[: 2 * ATTENDANCE_WINDOW]
    in_a_row = 0
    for session in counted:
        if session.attendance not in ABSENT:
            break
        in_a_row += 1
    return Attendance(
        sessions=newest,
        recent_rate=_rate(counted[:ATTENDANCE_WINDOW]),
        earlier_rate=_rate(counted[ATTENDANCE_WINDOW : 2 * ATTENDANCE_WINDOW]),
        absent_in_a_row=in_a_row,
        outreach=[s for s in newest if s.needs_outreach],
    )


def latest_sessions(sessions: QuerySet[ServiceSession]) -> QuerySet[ServiceSession]:
    """Of `sessions` (already limited to what the viewer may see), those the trend reads (the
    last 8 of each service) and every missed one still waiting for outreach, in one query."""
    ranked = sessions.annotate(
        rank=Window(
            RowNumber(),
            partition_by=F("service_id"),
            order_by=[F("held_on").desc(), F("created_at").desc()],
        )
    ).filter(rank__lte=2 * ATTENDANCE_WINDOW + 4)  # room for a few provider cancellations
    return sessions.filter(
        Q(pk__in=ranked.values("pk"))
        | Q(attendance=SessionAttendance.MISSED, outreach_done_on__isnull=True)
    )


def attendance_by_service(sessions: QuerySet[ServiceSession]) -> dict[str, Attendance]:
    """{service id: Attendance} for the services of `sessions`, in one query."""
    grouped: dict[str, list[ServiceSession]] = defaultdict(list)
    for session in latest_sessions(sessions).select_related("service"):
        grouped[session.service_id].append(session)
    return {service_id: attendance_of(rows) for service_id, rows in grouped.items()}


def sessions_of(access: CaseAccess) -> QuerySet[ServiceSession]:
    """The sessions of the case's services the viewer may see (the service's Part 2 rule)."""
    return case_records(access, "service_session")


# --- Markers -------------------------------------------------------------------------------


@dataclass
class MarkerTrend:
    marker: str
    label: str
    ratings: list[MarkerRating]

    @property
    def latest(self) -> MarkerRating | None:
        return self.ratings[-1] if self.ratings else None

    @property
    def setbacks(self) -> list[MarkerRating]:
        """Ratings lower than the one before: shown, never hidden."""
        return [
            rating
            for before, rating in zip(self.ratings, self.ratings[1:], strict=False)
            if rating.score < before.score
        ]

    def points(self, width: int = 200, height: int = 60, pad: int = 6) -> list[dict]:
        """SVG coordinates of each rating (x by date, y by score 1..4)."""
        if not self.ratings:
            return []
        first, last = self.ratings[0].rated_on, self.ratings[-1].rated_on
        span = max((last - first).days, 1)
        setback_ids = {r.pk for r in self.setbacks}
        points = []
        for rating in self.ratings:
            x = pad + (width - 2 * pad) * ((rating.rated_on - first).days / span)
            if len(self.ratings) == 1:
                x = width / 2
            y = height - pad - (height - 2 * pad) * (rating.score - 1) / 3
            points.append(
                {
                    "x": round(x, 1),
                    "y": round(y, 1),
                    "rating": rating,
                    "setback": rating.pk in setback_ids,
                }
            )
        return points

    def polyline(self) -> str:
        return " ".join(f"{p['x']},{p['y']}" for p in self.points())


@dataclass
class MarkerSubject:
    """One caregiver or one child, with a trend per marker."""

    label: str
    child: Child | None
    caregiver: Person | None
    trends: list[MarkerTrend]

    @property
    def rated(self) -> bool:
        return any(t.ratings for t in self.trends)


def _marker_subjects(
    ratings: list[MarkerRating], children: list[Child], caregivers: list[Person]
) -> list[MarkerSubject]:
    by_subject: dict[tuple[str, str], list[MarkerRating]] = {}
    for rating in ratings:
        key = ("child", rating.child_id) if rating.child_id else ("person", rating.caregiver_id)
        by_subject.setdefault(key, []).append(rating)  # type: ignore[arg-type]
    labels = dict(Marker.choices)
    subjects = []
    for person in caregivers:
        rows = by_subject.get(("person", person.pk), [])
        trends = [
            MarkerTrend(m, labels[m], [r for r in rows if r.marker == m]) for m in CAREGIVER_MARKERS
        ]
        subjects.append(MarkerSubject(str(person), None, person, trends))
    for child in children:
        rows = by_subject.get(("child", child.pk), [])
        trends = [
            MarkerTrend(m, labels[m], [r for r in rows if r.marker == m]) for m in CHILD_MARKERS
        ]
        subjects.append(MarkerSubject(str(child), child, None, trends))
    return subjects


# --- The plan of one case ------------------------------------------------------------------


@dataclass
class ChildDue:
    child: Child
    removal_date: dt.date | None
    due: list[Due]

    @property
    def overdue(self) -> list[Due]:
        return [d for d in self.due if d.overdue]


@dataclass
class CasePlan:
    access: CaseAccess
    today: dt.date
    part2: frozenset[str]  # the people whose Part 2 records the viewer may open
    narrative: bool
    marker_notes: bool
    children: list[Child]
    caregivers: list[Person]
    due: list[ChildDue]
    screenings: list[Screening]
    services: list[ServiceRow]
    goals: list[Goal]
    assessments: list[Assessment]
    markers: list[MarkerSubject]
    part2_shown: bool = False  # a Part 2 row is on the page: the redisclosure notice goes with it

    @property
    def part2_notice(self) -> str:
        return PART2_REDISCLOSURE_NOTICE

    @property
    def active_services(self) -> list[ServiceRow]:
        return [r for r in self.services if r.service.status == codes.ServiceStatus.ACTIVE]

    @property
    def waiting_services(self) -> list[ServiceRow]:
        return [r for r in self.services if r.waiting]

    @property
    def falling_attendance(self) -> list[ServiceRow]:
        """Active services whose attendance is falling (`Attendance.falling`)."""
        return [
            r
            for r in self.services
            if r.service.status == codes.ServiceStatus.ACTIVE
            and r.attendance is not None
            and r.attendance.falling
        ]

    @property
    def outreach_due(self) -> list[ServiceSession]:
        return [s for r in self.services if r.attendance for s in r.attendance.outreach]


def _open_removals(children: list[Child]) -> dict[str, Episode]:
    episodes = Episode.objects.filter(
        child__in=[c.pk for c in children], discharge_date__isnull=True
    ).order_by("removal_date", "id")
    return {episode.child_id: episode for episode in episodes}


def case_plan(
    access: CaseAccess,
    today: dt.date,
    *,
    children: list[Child] | None = None,
    removals: dict[str, Episode] | None = None,
    with_assessments: bool = True,
) -> CasePlan:
    """The plan of a case, in a fixed number of queries (one per kind of record, plus the
    consent check). The case page passes the children and open removals it already has."""
    case: Case = access.case
    part2 = access.part2_people(today)
    if children is None:
        children = list(case.children.order_by("birth_date", "id"))
    caregivers = list(
        case.people.filter(kind__in=[Person.Kind.PARENT, Person.Kind.RESOURCE_PARENT]).order_by(
            "kind", "given_name", "id"
        )
    )
    if removals is None:
        removals = _open_removals(children)
    # by date, and on one day in the order they were recorded (ids are random)
    all_screenings = list(
        screenings_of(access, every_part2=True).order_by("screened_on", "created_at", "id")
    )
    services = list(services_of(access, every_part2=True).order_by("referred_on", "id"))
    due = []
    for child in children:
        episode = removals.get(child.pk)
        due.append(
            ChildDue(
                child=child,
                removal_date=episode.removal_date if episode else None,
                due=screenings_due(
                    birth_date=child.birth_date,
                    removal_date=episode.removal_date if episode else None,
                    removal_reasons=episode.reasons if episode else [],
                    screenings=[
                        (s.instrument, s.screened_on)
                        for s in all_screenings
                        if s.child_id == child.pk
                    ],
                    early_intervention_referrals=[
                        s.referred_on
                        for s in services
                        if s.child_id == child.pk
                        and s.service_type == codes.ServiceType.EARLY_INTERVENTION
                    ],
                    today=today,
                ),
            )
        )
    first_removal = min((e.removal_date for e in removals.values()), default=None)
    service_rows = [
        service_row(
            s,
            removals[s.child_id].removal_date if s.child_id in removals else first_removal,
            today,
        )
        for s in services
        if s.service_type not in PART2_SERVICE_TYPES or s.person_id in part2
    ]
    from_concrete_screen = {
        s.referral_id
        for s in all_screenings
        if s.referral_id and s.instrument in CONCRETE_NEEDS_SCREENS
    }
    # every session of the case's services, in one query: only those of the services listed
    # (the Part 2 rule applied above) are used
    attendance = attendance_by_service(ServiceSession.objects.filter(service__case=case))
    for row in service_rows:
        row.priority = service_priority(
            row.service.service_type, row.service.pk in from_concrete_screen
        )
        row.attendance = attendance.get(row.service.pk)
    service_rows = by_priority(service_rows)
    ipv = can_see_ipv_screenings(access)
    screenings = [
        s
        for s in all_screenings
        if (s.instrument not in PART2_INSTRUMENTS or s.person_id in part2)
        and (ipv or s.instrument not in IPV_INSTRUMENTS)
    ]
    for s in screenings:
        # the Part 2 service a screening led to stays unnamed for a viewer it is not opened to
        # (these rows are only read from here on)
        if (
            s.referral is not None
            and s.referral.service_type in PART2_SERVICE_TYPES
            and s.referral.person_id not in part2
        ):
            s.referral = None
    ratings = list(MarkerRating.objects.filter(case=case).order_by("rated_on", "created_at"))
    plan = CasePlan(
        access=access,
        today=today,
        part2=part2,
        part2_shown=any(s.instrument in PART2_INSTRUMENTS for s in screenings)
        or any(r.service.service_type in PART2_SERVICE_TYPES for r in service_rows),
        narrative=can_see_assessment_narrative(access),
        marker_notes=can_see_marker_notes(access),
        children=children,
        caregivers=caregivers,
        due=due,
        screenings=screenings,
        services=service_rows,
        goals=list(goals_of(access).order_by("created_at", "id")),
        assessments=list(
            Assessment.objects.filter(case=case)
            .select_related("child", "caregiver", "clinician")
            .order_by("-assessed_on", "-created_at")
        )
        if with_assessments
        else [],
        markers=_marker_subjects(ratings, children, caregivers),
    )
    return plan


def overdue_screenings_in_care(cases: QuerySet[Case], today: dt.date) -> list[tuple[Child, Due]]:
    """The children in care (an open removal on or before today, not exited) of `cases` with an
    overdue screening or early-intervention referral, by the rules of the case page
    (`screenings_due`): three queries whatever the number of children."""
    episodes = list(
        Episode.objects.filter(
            child__case__in=cases,
            child__exited_on__isnull=True,
            discharge_date__isnull=True,
            removal_date__lte=today,
        )
        .select_related("child")
        .order_by("child_id")
    )
    child_ids = [episode.child_id for episode in episodes]
    screenings: dict[str, list[tuple[str, dt.date]]] = defaultdict(list)
    for child_id, instrument, day in Screening.objects.filter(child_id__in=child_ids).values_list(
        "child_id", "instrument", "screened_on"
    ):
        screenings[child_id].append((instrument, day))
    referrals: dict[str, list[dt.date]] = defaultdict(list)
    for child_id, day in Service.objects.filter(
        child_id__in=child_ids, service_type=codes.ServiceType.EARLY_INTERVENTION
    ).values_list("child_id", "referred_on"):
        referrals[child_id].append(day)
    overdue = []
    for episode in episodes:
        child = episode.child
        for item in screenings_due(
            birth_date=child.birth_date,
            removal_date=episode.removal_date,
            removal_reasons=episode.reasons,
            screenings=screenings[child.pk],
            early_intervention_referrals=referrals[child.pk],
            today=today,
        ):
            if item.overdue:
                overdue.append((child, item))
    return overdue


@dataclass
class HomeAttendance:
    """What the Community Coordinator's home page shows of services as they are delivered."""

    falling: list[tuple[Service, Attendance]]  # active services whose attendance is falling
    outreach: list[ServiceSession]  # missed sessions waiting for the team's outreach


def home_attendance(user: User, cases: QuerySet[Case]) -> HomeAttendance:
    """For the coordinator's families (`cases`): the services whose attendance is falling and
    the missed sessions whose outreach is not done, only among the sessions the user may see
    (`records_visible_to`: a Part 2 service's sessions under its release), in one query."""
    sessions = records_visible_to(user, "service_session").filter(
        service__case__in=cases, service__case__closed_on__isnull=True
    )
    grouped: dict[str, list[ServiceSession]] = defaultdict(list)
    services: dict[str, Service] = {}
    for session in latest_sessions(sessions).select_related("service__case"):
        grouped[session.service_id].append(session)
        services[session.service_id] = session.service
    falling, outreach = [], []
    for service_id, rows in grouped.items():
        attendance = attendance_of(rows)
        service = services[service_id]
        if service.status == codes.ServiceStatus.ACTIVE and attendance.falling:
            falling.append((service, attendance))
        outreach.extend(attendance.outreach)
    falling.sort(key=lambda pair: (pair[0].case.name, pair[0].referred_on, pair[0].pk))
    outreach.sort(key=lambda s: (s.held_on, s.pk))
    return HomeAttendance(falling=falling, outreach=outreach)
