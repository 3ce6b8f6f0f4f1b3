"""Reads about Family Team Meetings.

`access_ftm` is the one door to an FTM record: an FTM of a case the user may not see, or whose
FTMs they may not see (the court's view: judges), is a 404; a read-only role writing is a 403.
"""

import datetime as dt
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from django.db.models import F, Max, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, Window
from django.db.models.functions import Coalesce, Lower, NullIf, RowNumber, Trim

from assessments.models import Goal
from cases.access import ftm_cases_visible_to
from cases.models import Case, Person, TeamMember
from safebabies import codes
from safebabies.identity.models import User
from safebabies.identity.roles import Role
from safebabies.lib.dates import add_months
from teams.models import Ftm, FtmActionItem, FtmAttendance, role_label


def previous_ftm(ftm: Ftm) -> Ftm | None:
    """The last held FTM of the case before this one."""
    return (
        Ftm.objects.filter(
            case_id=ftm.case_id, status=codes.FtmStatus.HELD, scheduled_on__lte=ftm.scheduled_on
        )
        .exclude(pk=ftm.pk)
        .order_by("-scheduled_on", "-id")
        .first()
    )


def meetings_after(ftm: Ftm, on: dt.date | None = None) -> QuerySet[Ftm]:
    """The case's meetings after this one (after `on` if given), soonest first, cancelled ones
    left out: the first is the next meeting as the calendar has it."""
    return (
        Ftm.objects.filter(case_id=ftm.case_id, scheduled_on__gt=on or ftm.scheduled_on)
        .exclude(status=codes.FtmStatus.CANCELLED)
        .exclude(pk=ftm.pk)
        .order_by("scheduled_on", "starts_at", "id")
    )


@dataclass(frozen=True)
class NextMeeting:
    """The next meeting after an FTM, as every page says it: the date, and the meeting on the
    calendar when there is one (the log page, the summary, the family copy, messages and the
    action items' default due date all read this, so they never disagree)."""

    on: dt.date | None
    ftm: Ftm | None = None


def next_meeting(ftm: Ftm) -> NextMeeting:
    """The next meeting on the calendar; with none there, the date agreed at this meeting unless
    a meeting on that date was cancelled since."""
    upcoming = meetings_after(ftm).first()
    if upcoming is not None:
        return NextMeeting(on=upcoming.scheduled_on, ftm=upcoming)
    agreed = ftm.next_ftm_on
    if (
        agreed is not None
        and not Ftm.objects.filter(
            case_id=ftm.case_id, scheduled_on=agreed, status=codes.FtmStatus.CANCELLED
        ).exists()
    ):
        return NextMeeting(on=agreed)
    return NextMeeting(on=None)


def upcoming_ftm(case: Case) -> Ftm | None:
    """The family's first meeting on the calendar from the site's today on (what "Plan one"
    warns about)."""
    return (
        Ftm.objects.filter(
            case=case, status=codes.FtmStatus.SCHEDULED, scheduled_on__gte=case.site.today()
        )
        .order_by("scheduled_on", "starts_at", "id")
        .first()
    )


def coordinator_of(case: Case) -> User | None:
    """The family's Community Coordinator: the first on its team."""
    from safebabies.identity.roles import Role

    member = (
        TeamMember.objects.filter(
            case=case, role=Role.COMMUNITY_COORDINATOR, removed_at__isnull=True
        )
        .select_related("user")
        .order_by("added_at", "id")
        .first()
    )
    return member.user if member else None


def default_facilitator(case: Case, user: User) -> User | None:
    """Who facilitates a meeting being planned, until someone chooses: the person planning it
    if they are on the family team, else the last meeting's facilitator if still on it, else
    the family's Community Coordinator."""
    from safebabies.identity.roles import Role

    members = {
        member.user_id: member
        for member in TeamMember.objects.filter(case=case, removed_at__isnull=True)
        .exclude(role=Role.PARENT)
        .select_related("user")
    }
    if user.pk in members:
        return user
    last = last_ftm(case)
    if last is not None and last.facilitator_id in members:
        return members[last.facilitator_id].user
    coordinators = [m for m in members.values() if m.role == Role.COMMUNITY_COORDINATOR]
    return coordinators[0].user if coordinators else None


def last_ftm(case: Case) -> Ftm | None:
    return (
        Ftm.objects.filter(case=case)
        .exclude(status=codes.FtmStatus.CANCELLED)
        .order_by("-scheduled_on", "-id")
        .first()
    )


def case_ftms(case: Case) -> QuerySet[Ftm]:
    return Ftm.objects.filter(case=case).order_by("-scheduled_on", "-id")


@dataclass
class Invitee:
    """One row of the attendance list: a team member, a family member or an unannounced guest."""

    key: str  # "email:<address>", "person:<id>" or "name:<n>"
    name: str
    role: str
    role_label: str
    mode: str = ""
    kind: str = "team"  # team | family | guest


@dataclass
class LogPage:
    ftm: Ftm
    invitees: list[Invitee]
    previous: Ftm | None
    previous_items: list[FtmActionItem]
    items: list[FtmActionItem]
    goals: list[Goal]
    owners: list[tuple[str, str]] = field(default_factory=list)  # (value, label)
    default_due: dt.date | None = None
    next: NextMeeting = NextMeeting(on=None)


def invitees(ftm: Ftm) -> list[Invitee]:
    """Everyone invited (the family team and the family), then anyone who came unannounced,
    each with the mode recorded so far (three queries whatever the size)."""
    recorded = {
        (row.user.email if row.user else f"person:{row.person_id}" if row.person_id else ""): row
        for row in FtmAttendance.objects.filter(ftm=ftm).select_related("user")
    }
    guests = [row for row in recorded.values() if not row.user_id and not row.person_id]
    rows: list[Invitee] = []
    seen: set[str] = set()
    members = (
        TeamMember.objects.filter(case_id=ftm.case_id, removed_at__isnull=True)
        .exclude(role=Role.PARENT)
        .select_related("user")
        .order_by("role", "user__full_name", "user_id")
    )
    for member in members:
        if member.user.email in seen:
            continue
        seen.add(member.user.email)
        row = recorded.get(member.user.email)
        rows.append(
            Invitee(
                key=f"email:{member.user.email}",
                name=str(member.user),
                role=member.role,
                role_label=role_label(member.role),
                mode=row.mode if row else "",
            )
        )
    for person in Person.objects.filter(case_id=ftm.case_id).order_by("kind", "given_name", "id"):
        row = recorded.get(f"person:{person.pk}")
        rows.append(
            Invitee(
                key=f"person:{person.pk}",
                name=str(person),
                role=person.kind,
                role_label=role_label(person.kind),
                mode=row.mode if row else "",
                kind="family",
            )
        )
    for row in recorded.values():
        if row.user is not None and row.user.email not in seen:  # a team member since removed
            rows.append(
                Invitee(
                    key=f"email:{row.user.email}",
                    name=str(row.user),
                    role=row.role,
                    role_label=role_label(row.role),
                    mode=row.mode,
                )
            )
    for row in guests:
        rows.append(
            Invitee(
                key=f"name:{row.name}",
                name=row.name,
                role=row.role,
                role_label=role_label(row.role) if row.role else "Guest",
                mode=row.mode,
                kind="guest",
            )
        )
    return rows


def invitees_of_case(case: Case) -> list[str]:
    """Who is invited to a family's next meeting: the family team, then the family."""
    team = [
        f"{m.user} ({m.get_role_display()})"
        for m in TeamMember.objects.filter(case=case, removed_at__isnull=True)
        .exclude(role=Role.PARENT)
        .select_related("user")
    ]
    family = [f"{p} ({p.get_kind_display()})" for p in Person.objects.filter(case=case)]
    return [*team, *family]


def default_due(ftm: Ftm, next_on: dt.date | None = None) -> dt.date:
    """Action items are due by the next FTM by default: the date being agreed (`next_on`), else
    the next meeting on the calendar, else the site's cadence after this one."""
    if next_on is None:
        next_on = next_meeting(ftm).on
    return next_on or ftm.scheduled_on + dt.timedelta(days=ftm.case.site.ftm_cadence_days)


def items_to_review(ftm: Ftm, previous: Ftm | None) -> list[FtmActionItem]:
    """The earlier meetings' action items this meeting reviews: every item of the last meeting,
    and every item of an earlier one still not done (carried forward to each next meeting until
    it is done or dropped), with those this meeting's review closed. Oldest meeting first."""
    earlier = Q(status=codes.ActionItemStatus.OPEN) | Q(reviewed_at=ftm)
    if previous is not None:
        earlier |= Q(ftm=previous)
    return list(
        FtmActionItem.objects.filter(
            earlier,
            ftm__case_id=ftm.case_id,
            ftm__scheduled_on__lte=ftm.scheduled_on,
        )
        .exclude(ftm=ftm)
        .exclude(ftm__status=codes.FtmStatus.CANCELLED)
        .select_related("ftm", "owner", "owner_person", "reviewed_at")
        .order_by("ftm__scheduled_on", "ftm_id", "due_on", "created_at", "id")
    )


def log_page(ftm: Ftm) -> LogPage:
    previous = previous_ftm(ftm)
    items = list(
        FtmActionItem.objects.filter(ftm=ftm)
        .select_related("owner", "owner_person", "goal")
        .order_by("created_at", "id")
    )
    people = invitees(ftm)
    owners = [(row.key, f"{row.name} ({row.role_label})") for row in people if row.kind != "guest"]
    upcoming = next_meeting(ftm)
    return LogPage(
        ftm=ftm,
        invitees=people,
        previous=previous,
        previous_items=items_to_review(ftm, previous),
        items=items,
        goals=list(Goal.objects.filter(case_id=ftm.case_id).exclude(status="achieved")),
        owners=owners,
        default_due=default_due(ftm, upcoming.on),
        next=upcoming,
    )


def summary_items(ftm: Ftm) -> list[FtmActionItem]:
    return list(
        FtmActionItem.objects.filter(ftm=ftm)
        .select_related("owner", "owner_person", "goal")
        .order_by("due_on", "created_at", "id")
    )


def family_copy_items(ftm: Ftm, people: AbstractSet[str] | None = None) -> list[FtmActionItem]:
    """The steps on a meeting's family copy. For a person of the family (`people`: the
    reader's, or the one a copy is printed for) the team's steps and their own, never another
    family member's (in a shared case each parent's steps are theirs: `RecordType.for_parent`
    of action items); None: every step (the team's own reading of the copy)."""
    items = summary_items(ftm)
    if people is None:
        return items
    return [
        item for item in items if item.owner_person_id is None or item.owner_person_id in people
    ]


def attendance_of(ftm: Ftm) -> list[FtmAttendance]:
    return list(
        FtmAttendance.objects.filter(ftm=ftm).select_related("user", "person").order_by("id")
    )


# --- Home ----------------------------------------------------------------------------------


def families_without_recent_ftm(cases: QuerySet[Case], today: dt.date) -> QuerySet[Case]:
    """The one rule for "no FTM lately", shared by the coordinator's home and their alerts
    (`safebabies.notify.reminders`): the open families whose last held FTM — or, with none held
    yet, their enrolment (`opened_on`) — is more than a calendar month before today (METRICS.md
    `ftm_monthly_rate`: an FTM counts when its status is held, months are calendar months).
    Annotated with `last_ftm_on` (None when none was held); most overdue first."""
    month_ago = add_months(today, -1)
    last_held = (
        Ftm.objects.filter(case=OuterRef("pk"), status=codes.FtmStatus.HELD)
        .order_by()
        .values("case")
        .annotate(last=Max("scheduled_on"))
        .values("last")
    )
    return (
        cases.filter(closed_on__isnull=True)
        .annotate(last_ftm_on=Subquery(last_held))
        .filter(Q(last_ftm_on__lt=month_ago) | Q(last_ftm_on__isnull=True, opened_on__lt=month_ago))
        .order_by(Coalesce("last_ftm_on", "opened_on").asc(), "name", "id")
    )


def open_action_items_of(user: User) -> QuerySet[FtmActionItem]:
    """The open action items a team member owns, on the cases whose FTMs they may see. An item
    agreed again at later meetings (the same words, for the same family) is listed once, as
    last agreed."""
    words = Coalesce(NullIf(Lower(Trim("description")), Value("")), "id")
    return (
        FtmActionItem.objects.filter(
            owner=user,
            status=codes.ActionItemStatus.OPEN,
            ftm__case__in=ftm_cases_visible_to(user).filter(closed_on__isnull=True),
        )
        .annotate(
            agreed_again=Window(
                RowNumber(),
                partition_by=[F("ftm__case_id"), words],
                order_by=[F("ftm__scheduled_on").desc(), F("created_at").desc(), F("id").desc()],
            )
        )
        .filter(agreed_again=1)
        .select_related("ftm", "ftm__case")
        .order_by("due_on", "id")
    )


def attendances_prefetch() -> Prefetch:
    """Who came to each FTM of a list, with their names, in one query for the page."""
    return Prefetch("attendances", queryset=FtmAttendance.objects.select_related("user", "person"))
