"""Reads of hearings and orders, and who may see them.

- Hearings and their orders: everyone who may open the case (`access_case`) sees them; the
  team's writing roles (`CaseAccess.can_write`) schedule hearings, record outcomes and orders
  and update an order's status. Judges read them (DOMAIN.md: read-only).
- The pre-hearing summary (`hearing_summary`): judges of the site (court view), Community
  Coordinators, site admins and the family team's professionals (caseworker, clinician,
  attorneys, GAL/CASA). Parent mentors see only what the parent would share (DOMAIN.md), and
  the summary brings together screening results, services and court findings: for them it is
  a 404, as for everyone else who may not see it.
"""

import datetime as dt

from django.db.models import Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from cases.access import (
    CaseAccess,
    can_see_summary,
    case_records,
    court_release_in_force,
    has_right,
)
from cases.models import Case, Hearing, HearingOrder
from safebabies import codes
from safebabies.lib.dates import add_months

# Adoption and Safe Families Act clocks (42 U.S.C. 675(5)): a permanency hearing within 12
# months of entering care; a petition to terminate once the child has been in care 15 of the
# most recent 22 months. 15 months are counted as 457 days (15 x 365.25 / 12, rounded up).
PERMANENCY_HEARING_MONTHS = 12
FIFTEEN_MONTHS_DAYS = 457
LOOKBACK_MONTHS = 22


def case_hearings(case: Case) -> list[Hearing]:
    """Every hearing of the case, latest first, with its orders (two queries)."""
    return list(
        Hearing.objects.filter(case=case)
        .select_related("judge")
        .prefetch_related("orders")
        .order_by("-scheduled_on", "-starts_at", "-id")
    )


# --- Federal clocks -------------------------------------------------------------------------


def permanency_hearing_due(removal_date: dt.date) -> dt.date:
    """The latest date of the permanency hearing: 12 months after entering care."""
    return add_months(removal_date, PERMANENCY_HEARING_MONTHS)


def fifteen_of_twenty_two(episodes: list[tuple[dt.date, dt.date | None]]) -> dt.date | None:
    """The day the child will have been in care 15 of the most recent 22 months, if they stay
    in care: `episodes` are (removal, discharge or None); None when no episode is open.

    A day counts in care from the removal day up to the day before discharge.
    """
    open_episode = next((start for start, end in episodes if end is None), None)
    if open_episode is None:
        return None
    if len(episodes) == 1:  # one stay: the day its 457th day in care begins
        return open_episode + dt.timedelta(days=FIFTEEN_MONTHS_DAYS - 1)
    # (first day in care, last day in care); the open episode runs on without end
    periods = [
        (start, end - dt.timedelta(days=1) if end else dt.date.max) for start, end in episodes
    ]

    def days_in_care(window_start: dt.date, window_end: dt.date) -> int:
        total = 0
        for first, last in periods:
            first, last = max(first, window_start), min(last, window_end)
            if last >= first:
                total += (last - first).days + 1
        return total

    day = open_episode
    limit = add_months(open_episode, LOOKBACK_MONTHS)
    while day <= limit:
        window_start = add_months(day, -LOOKBACK_MONTHS) + dt.timedelta(days=1)
        if days_in_care(window_start, day) >= FIFTEEN_MONTHS_DAYS:
            return day
        day += dt.timedelta(days=1)
    return None  # pragma: no cover - an open episode always reaches it within 22 months


def federal_clocks_of(children) -> list[dict]:
    """Per child in care: the permanency hearing deadline and the 15-of-22 date, from each
    child's episodes, prefetched by the caller (no query here): `all_episodes` as the case
    page loads them, or `episodes`."""
    clocks = []
    for child in children:
        loaded = getattr(child, "all_episodes", None)
        found = loaded if loaded is not None else child.episodes.all()
        episodes = [(e.removal_date, e.discharge_date) for e in found]
        current = next((start for start, end in episodes if end is None), None)
        if current is None:
            continue
        clocks.append(
            {
                "child": child,
                "removal_date": current,
                "permanency_hearing_by": permanency_hearing_due(current),
                "fifteen_of_22_on": fifteen_of_twenty_two(episodes),
            }
        )
    return clocks


def federal_clocks(case: Case) -> list[dict]:
    """The federal clocks of the case's children in care (2 queries)."""
    return federal_clocks_of(
        case.children.order_by("birth_date", "id").prefetch_related("episodes")
    )


def held_permanency_hearing(hearings: list[Hearing], since: dt.date) -> bool:
    return any(
        h.hearing_type == codes.HearingType.PERMANENCY
        and h.status == codes.HearingStatus.HELD
        and h.scheduled_on >= since
        for h in hearings
    )


# --- Frequent reviews (seed 002, core component 6) ---------------------------------------------
# The court reviews each family at least monthly: a family whose last held hearing (of any
# type: every hearing the court holds reviews the family) -- or, with none held yet, whose
# enrolment (`opened_on`) -- is more than a calendar month before today is flagged on the case
# page, the Community Coordinator's home, the judge's docket and the pre-hearing summary.
REVIEW_EVERY_MONTHS = 1


def review_overdue(last_held_on: dt.date | None, opened_on: dt.date, today: dt.date) -> bool:
    """The one rule for "no review hearing for more than a month"."""
    return add_months(last_held_on or opened_on, REVIEW_EVERY_MONTHS) < today


def families_without_recent_review(cases: QuerySet[Case], today: dt.date) -> QuerySet[Case]:
    """The open families of `cases` whose last held hearing (or, with none, their enrolment)
    is more than a month before `today` (`review_overdue`, in SQL), annotated with
    `last_hearing_on` (None when none was held); most overdue first."""
    month_ago = add_months(today, -REVIEW_EVERY_MONTHS)
    last_held = (
        Hearing.objects.filter(
            case=OuterRef("pk"), status=codes.HearingStatus.HELD, scheduled_on__lte=today
        )
        .order_by()
        .values("case")
        .annotate(last=Max("scheduled_on"))
        .values("last")
    )
    return (
        cases.filter(closed_on__isnull=True)
        .annotate(last_hearing_on=Subquery(last_held))
        .filter(
            Q(last_hearing_on__lt=month_ago)
            | Q(last_hearing_on__isnull=True, opened_on__lt=month_ago)
        )
        .order_by(Coalesce("last_hearing_on", "opened_on").asc(), "name", "id")
    )


def case_review_status(case: Case, hearings: list[Hearing], today: dt.date) -> dict:
    """For the case page: the last held hearing up to today and whether a review is overdue
    (from the hearings already loaded: no query)."""
    held = [h.scheduled_on for h in hearings if h.status == codes.HearingStatus.HELD]
    last = max((day for day in held if day <= today), default=None)
    return {
        "last_hearing_on": last,
        "overdue": case.closed_on is None and review_overdue(last, case.opened_on, today),
    }


def case_page_context(access: CaseAccess, children: list | None = None) -> dict:
    """What the case page's "Court" section shows: the federal clocks, every hearing with its
    orders, whether the reader may open the summaries, whether a review hearing is overdue,
    and the latest recommendation for the court the reader may read (5 queries, 6 with one;
    3 and 4 given the case's `children` with their episodes, as `case_page` loads them)."""
    case = access.case
    hearings = case_hearings(case)
    today = case.site.today()
    recommendations = list(
        case_records(access, "court_recommendation")
        .select_related("clinician")
        .order_by("-written_on", "-created_at", "-id")[:1]
    )
    return {
        "court_recommendations": recommendations,
        "court_release": bool(recommendations) and court_release_in_force(case, today),
        "court_can_write_recommendation": has_right(access, "can_write_court_recommendation"),
        "court_clocks": federal_clocks(case) if children is None else federal_clocks_of(children),
        "court_hearings": hearings,
        "court_review": case_review_status(case, hearings, today),
        "court_can_see_summary": can_see_summary(access),
        "court_order_statuses": HearingOrder.Status.choices,
    }
