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

from django.db.models import QuerySet

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
)
from cases.access import (
    PART2_INSTRUMENTS,
    PART2_REDISCLOSURE_NOTICE,
    PART2_SERVICE_TYPES,
    CaseAccess,
    can_see_assessment_narrative,
    can_see_marker_notes,
    case_records,
    cases_visible_to,
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
    screenings = [
        s for s in all_screenings if s.instrument not in PART2_INSTRUMENTS or s.person_id in part2
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
