"""Reads of family-time records.

Callers reach a case through `cases.access.access_case` / `cases_visible_to` first; the
functions here take the children (or cases) they were given and run a fixed number of queries
whatever their number.

The figures "at a glance" use the definitions of METRICS.md, in the same SQL as the CQI
metrics (`cqi.metrics.family_time`: `FAMILY_TIME_OF_CHILDREN`, `first_held_visit_on`),
restricted to the children on the page:

- days to first family time: `median_days_to_first_family_time` for the child's latest
  removal — days from the removal to the first held visit on or after it (and on or before
  the discharge, if any);
- held per week: `family_time_held_per_week` over the last 4 weeks (today and the 27 days
  before): held visits inside the child's days in care in that window ÷ (those days ÷ 7).

"Below target" has one definition, `below_target`, and one selector for a set of children,
`family_time_against_target`: the case page, the coordinator's home and the coordinator's alerts
(`safebabies.notify.reminders`) all flag the same children.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import FETCH_RAISE, QuerySet

from cases.models import Case, Child
from cqi.metrics.family_time import (
    FAMILY_TIME_OF_CHILDREN,
    HELD_VISIT_PARAMS,
    first_held_visit_on,
)
from familytime.models import FamilyTimePlan, Visit
from safebabies import codes

GLANCE_WEEKS = 4
SCHEDULE_WEEKS_AHEAD = 4  # the schedule puts visits on the calendar this many weeks ahead


def plan_on(child: Child, day: dt.date) -> FamilyTimePlan | None:
    """The child's family-time plan in force on `day` (the latest effective on or before it)."""
    return (
        FamilyTimePlan.objects.filter(child=child, effective_from__lte=day)
        .order_by("-effective_from", "-created_at", "-id")
        .first()
    )


def target_per_week(child: Child, day: dt.date) -> Decimal:
    """Target visits a week on `day`: the child's plan, else the site's default (METRICS.md)."""
    plan = plan_on(child, day)
    if plan is not None:
        return plan.visits_per_week
    return child.case.site.family_time_target_per_week


def _plan_in(plans: list[FamilyTimePlan], day: dt.date) -> FamilyTimePlan | None:
    """From a child's plans in order, the one in force on `day`."""
    current = None
    for plan in plans:
        if plan.effective_from <= day:
            current = plan
    return current


def glance_window(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last 4 weeks: today and the 27 days before."""
    return today - dt.timedelta(days=7 * GLANCE_WEEKS - 1), today


# --- METRICS.md figures for a set of children, in one query -----------------------------------


@dataclass(frozen=True)
class Figures:
    removal_date: dt.date
    first_on: dt.date | None  # first held visit on or after the latest removal
    held: int  # held visits inside the days in care of the window
    days_in_care: int  # days in care inside the window

    @property
    def days_to_first(self) -> int | None:
        return None if self.first_on is None else (self.first_on - self.removal_date).days

    @property
    def per_week(self) -> float | None:
        return 7 * self.held / self.days_in_care if self.days_in_care else None


def figures(children: list[Child], today: dt.date) -> dict[str, Figures]:
    """{child id: Figures} for the children with a removal on record (one query)."""
    if not children:
        return {}
    start, end = glance_window(today)
    sql = f"""
    WITH {FAMILY_TIME_OF_CHILDREN},
    held_in_window AS (
        SELECT child_id, sum(held) AS held, sum(days) AS days
          FROM per_episode
         WHERE child_id = ANY(%(children)s)  -- pushed down: only these children's episodes
         GROUP BY child_id
    ),
    latest AS (
        SELECT DISTINCT ON (child_id) child_id, removal_date, discharge_date
          FROM eps
         WHERE child_id = ANY(%(children)s)
         ORDER BY child_id, removal_date DESC, id DESC
    )
    SELECT l.child_id, l.removal_date, {first_held_visit_on("l")},
           COALESCE(h.held, 0), COALESCE(h.days, 0)
      FROM latest l
      LEFT JOIN held_in_window h ON h.child_id = l.child_id
    """  # noqa: S608 (constant SQL fragments; every value is a parameter)
    params: dict[str, Any] = {
        "sites": sorted({child.case.site_id for child in children}),
        "parts": None,  # every part of the sites (cqi.metrics.sql.IN_SCOPE)
        "start": start,
        "end": end,
        **HELD_VISIT_PARAMS,
        "children": [child.pk for child in children],
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {
        child_id: Figures(
            removal_date=removal, first_on=first_on, held=int(held), days_in_care=int(days)
        )
        for child_id, removal, first_on, held, days in rows
    }


def current_plans(children: list[Child], today: dt.date) -> dict[str, FamilyTimePlan]:
    """{child id: the plan in force today} for the children that have one (one query)."""
    plans = (
        FamilyTimePlan.objects.filter(child__in=[c.pk for c in children], effective_from__lte=today)
        .order_by("child_id", "-effective_from", "-created_at", "-id")
        .distinct("child_id")
        .fetch_mode(FETCH_RAISE)
    )
    return {plan.child_id: plan for plan in plans}


# --- Below target: the one rule ----------------------------------------------------------------


def below_target(per_week: float | None, target: Decimal) -> bool:
    """Family time is below target when the held visits a week over the child's days in care of
    the last 4 weeks (`Figures.per_week`, METRICS.md `family_time_held_per_week`) are under the
    target of the child's plan in force today, else the site's default. A child with no day in
    care in those 4 weeks has no figure and is never below target."""
    return per_week is not None and Decimal(str(per_week)) < target


@dataclass(frozen=True)
class AgainstTarget:
    """A child with days in care in the last 4 weeks: held visits, a week, and the target."""

    child: Child
    held: int
    per_week: float
    target: Decimal

    @property
    def case(self) -> Case:
        return self.child.case

    @property
    def below_target(self) -> bool:
        return below_target(self.per_week, self.target)


def family_time_against_target(children: list[Child], today: dt.date) -> list[AgainstTarget]:
    """The children (with `case.site` loaded) that were in care in the last 4 weeks, in the
    order given, each against its target; `.below_target` is the rule the case page, the
    coordinator's home and the coordinator's alerts share. Two queries whatever their number."""
    if not children:
        return []
    by_child = figures(children, today)
    plans = current_plans(children, today)
    rows = []
    for child in children:
        fig = by_child.get(child.pk)
        if fig is None or fig.per_week is None:
            continue
        target = _target(plans.get(child.pk), child)
        rows.append(AgainstTarget(child=child, held=fig.held, per_week=fig.per_week, target=target))
    return rows


# --- At a glance: the case page and the coordinator's home ------------------------------------


@dataclass
class WeekBar:
    start: dt.date
    end: dt.date
    target: Decimal
    planned: int = 0
    held: int = 0
    no_show: int = 0
    cancelled: Counter = field(default_factory=Counter)  # by whom (codes.CancelledBy label)

    @property
    def cancelled_total(self) -> int:
        return sum(self.cancelled.values())

    def cancelled_by(self) -> list[tuple[str, int]]:
        return sorted(self.cancelled.items())


@dataclass
class ChildFamilyTime:
    child: Child
    target: Decimal
    plan: FamilyTimePlan | None
    plans: list[FamilyTimePlan]
    figures: Figures | None
    weeks: list[WeekBar]
    held_visits: list[Visit] = field(default_factory=list)  # of the last 4 weeks, in order
    upcoming: int = 0  # visits on the calendar after today, in the next 4 weeks

    @property
    def calendar_per_week(self) -> Decimal:
        """Visits a week on the calendar (what a child without a plan on record has): the
        last 4 weeks' (the weekly table's "planned"), else the next 4 weeks'; 0 when none."""
        count = sum(week.planned for week in self.weeks) or self.upcoming
        return Decimal(count) / GLANCE_WEEKS

    @property
    def calendar_ahead(self) -> bool:
        """`calendar_per_week` counts the coming weeks (nothing was planned in the last 4)."""
        return not any(week.planned for week in self.weeks) and self.upcoming > 0

    @property
    def in_care(self) -> bool:
        return self.figures is not None and self.figures.days_in_care > 0

    @property
    def below_target(self) -> bool:
        return below_target(self.figures.per_week if self.figures else None, self.target)

    @property
    def supervision_steps(self) -> list[tuple[dt.date, str]]:
        """(from, level) each time the supervision level changed, as it steps down: from the
        plans; for a child with no plan on record (imported), from the held visits of the last
        4 weeks."""
        dated = [(plan.effective_from, plan.supervision) for plan in self.plans]
        if not dated:
            dated = [(v.scheduled_on, v.supervision) for v in self.held_visits if v.supervision]
        steps: list[tuple[dt.date, str]] = []
        for day, level in dated:
            if not steps or steps[-1][1] != codes.Supervision(level).label:
                steps.append((day, codes.Supervision(level).label))
        return steps


def _target(plan: FamilyTimePlan | None, child: Child) -> Decimal:
    return plan.visits_per_week if plan is not None else child.case.site.family_time_target_per_week


def case_family_time(children: list[Child], today: dt.date) -> list[ChildFamilyTime]:
    """Family time at a glance for the children of one case page (three queries): the METRICS.md
    figures, the plan history, and the visits of the last 4 weeks (for the weekly chart) and of
    the next 4 (what is on the calendar)."""
    if not children:
        return []
    by_child = figures(children, today)
    plans: dict[str, list[FamilyTimePlan]] = {child.pk: [] for child in children}
    for plan in (
        FamilyTimePlan.objects.filter(child__in=list(plans))
        .select_related("parent")
        .order_by("effective_from", "created_at", "id")
        .fetch_mode(FETCH_RAISE)
    ):
        plans[plan.child_id].append(plan)
    start, end = glance_window(today)
    visits: dict[str, list[Visit]] = {child.pk: [] for child in children}
    for visit in (
        Visit.objects.filter(
            child__in=list(visits),
            scheduled_on__range=(start, end + dt.timedelta(days=7 * GLANCE_WEEKS)),
        )
        .only("id", "child_id", "scheduled_on", "status", "cancelled_by", "supervision")
        .order_by("scheduled_on", "starts_at", "id")
        .fetch_mode(FETCH_RAISE)
    ):
        visits[visit.child_id].append(visit)
    result = []
    for child in children:
        child_plans = plans[child.pk]
        current = _plan_in(child_plans, today)
        weeks = []
        for back in reversed(range(GLANCE_WEEKS)):
            week_end = today - dt.timedelta(days=7 * back)
            week_start = week_end - dt.timedelta(days=6)
            bar = WeekBar(
                start=week_start,
                end=week_end,
                target=_target(_plan_in(child_plans, week_end), child),
            )
            for visit in visits[child.pk]:
                if not week_start <= visit.scheduled_on <= week_end:
                    continue
                bar.planned += 1
                if visit.status == codes.VisitStatus.HELD:
                    bar.held += 1
                elif visit.status == codes.VisitStatus.NO_SHOW:
                    bar.no_show += 1
                elif visit.status == codes.VisitStatus.CANCELLED:
                    bar.cancelled[codes.CancelledBy(visit.cancelled_by).label] += 1
            weeks.append(bar)
        result.append(
            ChildFamilyTime(
                child=child,
                target=_target(current, child),
                plan=current,
                plans=child_plans,
                figures=by_child.get(child.pk),
                weeks=weeks,
                held_visits=[
                    v
                    for v in visits[child.pk]
                    if v.status == codes.VisitStatus.HELD and v.scheduled_on <= end
                ],
                upcoming=sum(
                    1
                    for v in visits[child.pk]
                    if v.scheduled_on > end and v.status == codes.VisitStatus.SCHEDULED
                ),
            )
        )
    return result


# --- The week's visits ------------------------------------------------------------------------


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def visits_between(case: Case, start: dt.date, end: dt.date) -> QuerySet[Visit]:
    """The visits of the case's children from `start` to `end`, in calendar order."""
    return (
        Visit.objects.filter(child__case=case, scheduled_on__range=(start, end))
        .select_related("child", "supervisor")
        .order_by("scheduled_on", "starts_at", "child__birth_date", "id")
        .fetch_mode(FETCH_RAISE)
    )


def family_time_home(cases: list[Case], today: dt.date) -> dict[str, list[AgainstTarget]]:
    """The coordinator's home: every child in care of the families (held a week over the last
    4 weeks against the target), and those below target, flagged first (two queries: the rows'
    children are prefetched)."""
    children = []
    for case in cases:
        for child in case.children.all():
            child.case = case  # the row already holds the case and its site
            children.append(child)
    rows = family_time_against_target(children, today)
    return {"below": [row for row in rows if row.below_target], "rows": rows}
