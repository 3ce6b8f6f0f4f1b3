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

from django.http import Http404

from cases.models import Case, Hearing, HearingOrder
from cases.selectors import CaseAccess, access_case
from safebabies import codes
from safebabies.lib.dates import add_months
from teams.models import User
from teams.roles import COURT_ROLES

# Adoption and Safe Families Act clocks (42 U.S.C. 675(5)): a permanency hearing within 12
# months of entering care; a petition to terminate once the child has been in care 15 of the
# most recent 22 months. 15 months are counted as 457 days (15 x 365.25 / 12, rounded up).
PERMANENCY_HEARING_MONTHS = 12
FIFTEEN_MONTHS_DAYS = 457
LOOKBACK_MONTHS = 22


def access_hearing(
    user: User, hearing_id: str, *, write: bool = False
) -> tuple[CaseAccess, Hearing]:
    """The hearing with the user's rights on its case: 404 if they may not see the case,
    403 if `write` and they may only read."""
    hearing = Hearing.objects.select_related("judge").filter(pk=hearing_id).first()
    if hearing is None:
        raise Http404("No such hearing")
    access = access_case(user, hearing.case_id, write=write)
    hearing.case = access.case
    return access, hearing


def access_hearing_order(
    user: User, order_id: str, *, write: bool = False
) -> tuple[CaseAccess, HearingOrder]:
    """An order with the user's rights on its case (404 / 403 as `access_case`)."""
    row = HearingOrder.objects.filter(pk=order_id).values_list("hearing_id", flat=True).first()
    if row is None:
        raise Http404("No such order")
    access, hearing = access_hearing(user, row, write=write)
    order = HearingOrder.objects.get(pk=order_id)
    order.hearing = hearing
    return access, order


def can_see_summary(access: CaseAccess) -> bool:
    """The pre-hearing summary is for the court and the professionals of the family team (a
    judge who is also the family's parent mentor keeps the court's summary)."""
    return not access.is_mentor_view or bool(access.roles & COURT_ROLES)


def access_summary(user: User, hearing_id: str) -> tuple[CaseAccess, Hearing]:
    access, hearing = access_hearing(user, hearing_id)
    if not can_see_summary(access):
        raise Http404("No such hearing")
    return access, hearing


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
    child's `episodes` (prefetched by the caller: no query here)."""
    clocks = []
    for child in children:
        episodes = [(e.removal_date, e.discharge_date) for e in child.episodes.all()]
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


def case_page_context(access: CaseAccess) -> dict:
    """What the case page's "Court" section shows: the federal clocks, every hearing with its
    orders, and whether the reader may open the summaries (4 queries)."""
    case = access.case
    return {
        "court_clocks": federal_clocks(case),
        "court_hearings": case_hearings(case),
        "court_can_see_summary": can_see_summary(access),
        "court_order_statuses": HearingOrder.Status.choices,
    }
