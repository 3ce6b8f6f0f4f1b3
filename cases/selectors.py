"""Reads for the server-rendered pages (home, case list, case page).

Each one starts from the access selectors (`cases_visible_to`, a `CaseAccess` from
`access_case`) and runs a fixed number of queries whatever the number of cases, children,
people or placements: related rows come through `prefetch_related` with `Prefetch` querysets,
the next hearing and the next FTM through `Subquery` annotations. List querysets use
`FETCH_RAISE`, so a template that reaches for a row that was not loaded fails loudly instead of
running one query per row.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, cast

from django.db.models import (
    FETCH_RAISE,
    BooleanField,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models import Case as Cases
from django.db.models.functions import Coalesce, Concat, StrIndex, Upper
from django.db.models.lookups import GreaterThan

from cases.access import CaseAccess, cases_visible_to, team_places_in_force
from cases.models import (
    Case,
    Child,
    Episode,
    Hearing,
    MaltreatmentReport,
    PermanencyPlan,
    Person,
    Placement,
    Relationship,
    TeamMember,
)
from safebabies import codes
from safebabies.identity.models import Site, User
from safebabies.identity.roles import AGGREGATE_ROLES, Role
from safebabies.identity.selectors import roles_of
from safebabies.lib.dates import age_in_months
from teams.models import Ftm

SEARCH_MAX_TERMS = 5
SEARCH_FIELDS = ("search_text", "search_dockets")


def sites_with_cases(user: User) -> list[Site]:
    """The sites where the user may open cases (not the aggregate-only ones)."""
    ids = [site_id for site_id, held in roles_of(user).items() if held - AGGREGATE_ROLES]
    return list(Site.objects.filter(id__in=ids).order_by("name")) if ids else []


def earliest_today(sites: list[Site]) -> dt.date:
    """'Today' for a list spanning sites: the earliest site date, so nothing upcoming is missed."""
    if not sites:
        from django.utils import timezone

        return timezone.localdate()
    return min(site.today() for site in sites)


def _next_hearing(today: dt.date) -> Subquery:
    return Subquery(
        Hearing.objects.filter(
            case=OuterRef("pk"), status=codes.HearingStatus.SCHEDULED, scheduled_on__gte=today
        )
        .order_by("scheduled_on", "starts_at")
        .values("scheduled_on")[:1],
        output_field=DateField(),
    )


def _next_ftm(today: dt.date) -> Subquery:
    return Subquery(
        Ftm.objects.filter(
            case=OuterRef("pk"), status=codes.FtmStatus.SCHEDULED, scheduled_on__gte=today
        )
        .order_by("scheduled_on", "starts_at")
        .values("scheduled_on")[:1],
        output_field=DateField(),
    )


def _children_for_rows() -> Prefetch:
    return Prefetch(
        "children",
        queryset=Child.objects.only("id", "case_id", "given_name", "birth_date", "docket_number")
        .order_by("birth_date", "id")
        .fetch_mode(FETCH_RAISE),
    )


def _on_team(user: User, role: str | None = None) -> Exists:
    members = team_places_in_force().filter(case=OuterRef("pk"), user=user)
    if role:
        members = members.filter(role=role)
    return Exists(members)


def _family_rows(qs: QuerySet[Case], today: dt.date, *, with_ftm: bool = False) -> QuerySet[Case]:
    # what the search compares is not shown: rows sorted by the thousand stay narrow
    qs = (
        qs.defer(*SEARCH_FIELDS)
        .select_related("site")
        .annotate(next_hearing_on=_next_hearing(today))
    )
    if with_ftm:
        qs = qs.annotate(next_ftm_on=_next_ftm(today))
    return qs.prefetch_related(_children_for_rows()).fetch_mode(FETCH_RAISE)


def child_summaries(case: Case, today: dt.date) -> list[tuple[str, int]]:
    """(first name, age in months) for each prefetched child of a list row."""
    return [
        (child.given_name or "Child", age_in_months(child.birth_date, today))
        for child in case.children.all()
    ]


# --- Home ----------------------------------------------------------------------------------


def coordinator_scope(user: User) -> tuple[list[str], list[int]]:
    """Where the user coordinates, in one query: the open cases whose team they are on as
    Community Coordinator (their ids), and the sites where they coordinate but are on no open
    case's team yet (where every open case of the site is theirs)."""
    cc_sites = [site for site, held in roles_of(user).items() if Role.COMMUNITY_COORDINATOR in held]
    if not cc_sites:
        return [], []
    rows = list(
        cases_visible_to(user)
        .filter(closed_on__isnull=True, site_id__in=cc_sites)
        .filter(_on_team(user, Role.COMMUNITY_COORDINATOR))
        .values_list("pk", "site_id")
    )
    own_sites = {site for _, site in rows}
    return [pk for pk, _ in rows], [site for site in cc_sites if site not in own_sites]


def coordinator_cases(
    user: User, scope: tuple[list[str], list[int]] | None = None
) -> QuerySet[Case]:
    """A Community Coordinator's open families: at each site where they coordinate, the cases
    whose team they are on as CC, or every open case of the site if they are on none yet
    (`scope`: `coordinator_scope(user)`, if the caller already has it). When they are on
    teams at every such site, the cases by id alone: the ids came through `cases_visible_to`,
    so each query about them need not build that filter again (most of the home page's time)."""
    own, other_sites = scope if scope is not None else coordinator_scope(user)
    if not other_sites:
        return Case.objects.filter(pk__in=own, closed_on__isnull=True)
    return (
        cases_visible_to(user)
        .filter(closed_on__isnull=True)
        .filter(Q(pk__in=own) | Q(site_id__in=other_sites))
    )


def coordinator_families(
    cases: QuerySet[Case], today: dt.date, *, attention: Q | None = None
) -> QuerySet[Case]:
    """Rows for `coordinator_cases`: the families matching `attention` first (the home page's:
    no FTM or no court hearing in the last month), each row with `needs_attention`; then the
    soonest FTM first."""
    qs = _family_rows(cases, today, with_ftm=True)
    order: list[Any] = [F("next_ftm_on").asc(nulls_last=True), "name", "id"]
    if attention is not None:
        qs = qs.annotate(needs_attention=ExpressionWrapper(attention, output_field=BooleanField()))
        order.insert(0, F("needs_attention").desc())
    return qs.order_by(*order)


def listed_families(families: list[Case]) -> QuerySet[Case]:
    """The families a home page lists, again as a queryset, by id alone: they came from
    `coordinator_cases` (`cases_visible_to`), so the queries about them need not build and run
    that filter again (on the coordinator's home it was most of the services section's time)."""
    return Case.objects.filter(pk__in=[case.pk for case in families])


def team_families(user: User, today: dt.date) -> QuerySet[Case]:
    """The open families whose team the user is on (caseworkers, attorneys, clinicians...)."""
    qs = cases_visible_to(user).filter(_on_team(user), closed_on__isnull=True)
    return _family_rows(qs, today, with_ftm=True).order_by("name", "id")


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def ftms_between(cases: QuerySet[Case], start: dt.date, end: dt.date) -> QuerySet[Ftm]:
    return (
        Ftm.objects.filter(case__in=cases.values("pk"), scheduled_on__range=(start, end))
        .exclude(status=codes.FtmStatus.CANCELLED)
        .select_related("case", "facilitator")
        .order_by("scheduled_on", "starts_at", "id")
        .fetch_mode(FETCH_RAISE)
    )


def judge_hearings(user: User, start: dt.date, end: dt.date) -> QuerySet[Hearing]:
    """Scheduled hearings from `start` to `end` at the sites where the user is a judge, each
    with `last_hearing_on`: the day of its family's last held hearing up to `start` (the
    docket flags a family with no review for more than a month)."""
    judge_sites = [site for site, held in roles_of(user).items() if Role.JUDGE in held]
    cases = cases_visible_to(user).filter(site_id__in=judge_sites)
    last_held = (
        Hearing.objects.filter(
            case=OuterRef("case_id"), status=codes.HearingStatus.HELD, scheduled_on__lte=start
        )
        .order_by()
        .values("case")
        .annotate(last=Max("scheduled_on"))
        .values("last")
    )
    return (
        Hearing.objects.filter(
            case__in=cases.values("pk"),
            scheduled_on__range=(start, end),
            status=codes.HearingStatus.SCHEDULED,
        )
        .annotate(last_hearing_on=Subquery(last_held))
        .select_related("case", "judge")
        .prefetch_related(
            Prefetch(
                "case__children",
                queryset=Child.objects.only("id", "case_id", "given_name", "birth_date"),
            )
        )
        .order_by("scheduled_on", "starts_at", "id")
        .fetch_mode(FETCH_RAISE)
    )


# --- Case list -----------------------------------------------------------------------------


def search_cases(qs: QuerySet[Case], q: str) -> QuerySet[Case]:
    """Each word must match the family name, a child's name or docket number, a person's name,
    or the case id (the whole id).

    The names and docket numbers are the case's own `search_text`, in capitals (PostgreSQL
    keeps it from the children and people, migration 0009), so a word is one lookup in its
    trigram index (`case_search_trgm`) and no join."""
    for term in search_terms(q):
        qs = qs.filter(Q(search_text__contains=Upper(Value(term))) | Q(pk=term))
    return qs


def search_terms(q: str) -> list[str]:
    return q.split()[:SEARCH_MAX_TERMS]


def rank_search(qs: QuerySet[Case], q: str) -> QuerySet[Case]:
    """Searched cases, best first: the case whose id, or a child's docket number, is what was
    typed (whole; a docket in any case); then those where more of the words are whole words,
    or the start of one, of a name or docket number ("son": Sonia before Johnson, "ana": Ana
    before Mariana), which is the order of pg_trgm's word similarity for a word contained in
    the text; then by name. Each is a comparison within the case's own row: ranking thousands
    of matches takes no query and no trigram computation per case."""
    q = q.strip()
    exact = Q(pk=q) | Q(search_dockets__contains=[q.upper()[:64]])
    score: Any = Value(0)
    for term in search_terms(q):
        word = Upper(Value(term))
        whole = StrIndex("search_text", Concat(Value(" "), word, Value(" ")))
        start = StrIndex("search_text", Concat(Value(" "), word))
        # strpos, not LIKE: the same answer in a third of the time on thousands of rows
        score += Cases(
            When(GreaterThan(whole, 0), then=Value(2)),
            When(GreaterThan(start, 0), then=Value(1)),
            default=Value(0),
        )
    return qs.annotate(
        search_exact=ExpressionWrapper(exact, output_field=BooleanField()),
        search_score=ExpressionWrapper(score, output_field=IntegerField()),
    ).order_by(F("search_exact").desc(), F("search_score").desc(), "name", "id")


def case_list(
    user: User,
    *,
    today: dt.date,
    q: str = "",
    status: str = "open",
    site_id: int | None = None,
    mine: bool = False,
) -> QuerySet[Case]:
    """The case list page: the cases the user may see, searched and filtered, one row each."""
    qs = cases_visible_to(user)
    if status == "open":
        qs = qs.filter(closed_on__isnull=True)
    elif status == "closed":
        qs = qs.filter(closed_on__isnull=False)
    if site_id is not None:
        qs = qs.filter(site_id=site_id)
    if mine:
        qs = qs.filter(_on_team(user))
    if q:
        return rank_search(_family_rows(search_cases(qs, q), today), q)
    return _family_rows(qs, today).order_by("name", "id")


# --- Case page -----------------------------------------------------------------------------


@dataclass
class ChildView:
    child: Child
    age_months: int
    episode: Episode | None
    days_in_care: int | None
    placement: Placement | None
    plan: PermanencyPlan | None
    plan_history: list[PermanencyPlan]
    discharged: Episode | None = None


@dataclass
class PersonView:
    person: Person
    relationships: list[tuple[str, Child]] = field(default_factory=list)


@dataclass
class CasePage:
    access: CaseAccess
    today: dt.date
    children: list[ChildView]
    people: list[PersonView]
    team: list[TeamMember]
    next_ftm: Ftm | None
    next_hearing: Hearing | None


def case_page(access: CaseAccess, today: dt.date) -> CasePage:
    """Everything the case page shows, in a fixed number of queries."""
    case = access.case
    children = list(
        case.children.order_by("birth_date", "id").prefetch_related(
            Prefetch(
                "episodes",
                queryset=Episode.objects.order_by("removal_date", "id").prefetch_related(
                    Prefetch(
                        "placements",
                        queryset=Placement.objects.filter(end_date__isnull=True)
                        .select_related("caregiver")
                        .order_by("-start_date", "-id"),
                        to_attr="current_placements",
                    )
                ),
                to_attr="all_episodes",
            ),
            Prefetch(
                "permanency_plans",
                queryset=PermanencyPlan.objects.order_by("effective_date", "created_at"),
                to_attr="plans",
            ),
        )
    )
    child_views = []
    for child in children:
        episodes = cast(list[Episode], child.all_episodes)  # type: ignore[attr-defined]
        plans = cast(list[PermanencyPlan], child.plans)  # type: ignore[attr-defined]
        open_episode = next((e for e in episodes if e.discharge_date is None), None)
        current: list[Placement] = open_episode.current_placements if open_episode else []  # type: ignore[attr-defined]
        child_views.append(
            ChildView(
                child=child,
                age_months=age_in_months(child.birth_date, today),
                episode=open_episode,
                days_in_care=(today - open_episode.removal_date).days if open_episode else None,
                placement=current[0] if current else None,
                plan=plans[-1] if plans else None,
                plan_history=list(reversed(plans)),
                discharged=episodes[-1] if episodes and open_episode is None else None,
            )
        )
    by_id = {child.pk: child for child in children}
    people = list(
        case.people.order_by("kind", "given_name", "id").prefetch_related(
            Prefetch("relationships", queryset=Relationship.objects.order_by("id"))
        )
    )
    person_views = [
        PersonView(
            person=person,
            relationships=[
                (rel.get_kind_display(), by_id[rel.child_id])
                for rel in person.relationships.all()
                if rel.child_id in by_id
            ],
        )
        for person in people
    ]
    team = list(
        TeamMember.objects.filter(case=case, removed_at__isnull=True)
        .select_related("user")
        .order_by("role", "added_at")
    )
    next_ftm = None
    if access.can_see_ftms:
        next_ftm = (
            Ftm.objects.filter(case=case, status=codes.FtmStatus.SCHEDULED, scheduled_on__gte=today)
            .select_related("facilitator")
            .order_by("scheduled_on", "starts_at", "id")
            .first()
        )
    next_hearing = (
        Hearing.objects.filter(
            case=case, status=codes.HearingStatus.SCHEDULED, scheduled_on__gte=today
        )
        .order_by("scheduled_on", "starts_at", "id")
        .first()
    )
    return CasePage(
        access=access,
        today=today,
        children=child_views,
        people=person_views,
        team=team,
        next_ftm=next_ftm,
        next_hearing=next_hearing,
    )


# A family is "in crisis" (the coordinator's caseload intensity, issue 22 item 7) when one of its
# children, in the last CRISIS_DAYS days, was removed, moved to another placement (a placement
# starting after the removal date of its episode: not the first one), or was the subject of a
# new maltreatment report (a recurrence concern while the family is in the program).
CRISIS_DAYS = 30


@dataclass(frozen=True)
class CaseloadIntensity:
    open_cases: int
    in_crisis: int
    removals_this_month: int


def caseload_intensity(cases: QuerySet[Case], today: dt.date) -> CaseloadIntensity:
    """The coordinator's open families, those in crisis and the removals of this month, in one
    query, whatever the number of families."""
    since = today - dt.timedelta(days=CRISIS_DAYS)
    month_start = today.replace(day=1)
    removed = Episode.objects.filter(
        child__case=OuterRef("pk"), removal_date__gt=since, removal_date__lte=today
    )
    moved = Placement.objects.filter(
        episode__child__case=OuterRef("pk"),
        start_date__gt=since,
        start_date__lte=today,
    ).filter(start_date__gt=F("episode__removal_date"))
    reported = MaltreatmentReport.objects.filter(
        child__case=OuterRef("pk"), reported_on__gt=since, reported_on__lte=today
    )
    month_removals = (
        Episode.objects.filter(
            child__case=OuterRef("pk"), removal_date__gte=month_start, removal_date__lte=today
        )
        .order_by()
        .values("child__case")
        .annotate(n=Count("pk"))
        .values("n")
    )
    figures = (
        cases.order_by()
        .annotate(
            crisis=Exists(removed) | Exists(moved) | Exists(reported),
            removals=Coalesce(Subquery(month_removals), 0),
        )
        .aggregate(
            open_cases=Count("pk"),
            in_crisis=Count("pk", filter=Q(crisis=True)),
            removals_this_month=Coalesce(Sum("removals"), 0),
        )
    )
    return CaseloadIntensity(**figures)
