"""Writes to family time: plans (a new row for every change) and visits.

Same shape as `cases.services`: keyword arguments, one transaction, `full_clean()` before every
save, an audit event for every row created, changed or removed, rule breaks raised as
`ValidationError`s keyed by field name. Callers decide who may write (`access_case(...,
write=True)`).

The schedule: a plan's weekdays and times put visits on the calendar from the plan's first day
(or this week's Monday, if later) to `SCHEDULE_WEEKS_AHEAD` weeks ahead. A new plan updates the
visits still scheduled from today on; visits before today, and visits already held, cancelled
or missed, are never changed. A visit added by hand or imported (no plan) that is still scheduled
on one of the plan's days from today on joins the plan; on other days it is left alone.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from cases.models import Case, Child, Person
from familytime.models import FamilyTimePlan, Visit
from familytime.selectors import SCHEDULE_WEEKS_AHEAD, week_of
from safebabies import codes
from safebabies.audit.models import AuditEvent
from safebabies.identity.models import User
from safebabies.kit.services import add_error, audit, check_errors, save_new, service, take_id


@service
def family_time_plan_set(
    *,
    actor: User,
    child: Child,
    effective_from: dt.date,
    visits_per_week: Decimal,
    supervision: str,
    location: str = "",
    weekdays: list[int] | None = None,
    starts_at: dt.time | None = None,
    ends_at: dt.time | None = None,
    supervised_by: str = "",
    transported_by: str = "",
    parent: Person | None = None,
    request: HttpRequest | None = None,
) -> FamilyTimePlan:
    """Adds the child's family-time plan from `effective_from` (the earlier plans stay as its
    history) and brings the scheduled visits in line with it."""
    case = child.case
    today = case.site.today()
    weekdays = sorted(set(weekdays or []))
    errors: dict[str, list[str]] = {}
    latest = child.family_time_plans.order_by("-effective_from", "-created_at").first()
    if latest is not None and effective_from < latest.effective_from:
        add_error(
            errors,
            "effective_from",
            f"The plan history is kept: a new plan starts on or after the current one "
            f"({latest.effective_from:%-d %b %Y}).",
        )
    if parent is not None and parent.case_id != case.pk:
        add_error(errors, "parent", "Choose a parent of this family.")
    if any(day not in range(7) for day in weekdays):
        add_error(errors, "weekdays", "Days are 0 (Monday) to 6 (Sunday).")
    if weekdays and starts_at is None:
        add_error(errors, "starts_at", "Give the time family time starts on those days.")
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        add_error(errors, "ends_at", "Family time ends after it starts.")
    check_errors(errors)
    plan = save_new(
        FamilyTimePlan(
            child=child,
            parent=parent,
            effective_from=effective_from,
            visits_per_week=visits_per_week,
            supervision=supervision,
            location=location,
            weekdays=weekdays,
            starts_at=starts_at,
            ends_at=ends_at,
            supervised_by=supervised_by.strip(),
            transported_by=transported_by.strip(),
        )
    )
    audit(actor=actor, action=AuditEvent.Action.CREATE, record=plan, case=case, request=request)
    _schedule(actor=actor, plan=plan, today=today, request=request)
    return plan


def family_time_schedules_extend(*, today: dt.date | None = None) -> int:
    """Keeps every open family's calendar `SCHEDULE_WEEKS_AHEAD` weeks ahead (the nightly task):
    each child's current plan puts its missing visits on the calendar. Running it twice creates
    nothing twice (a day that has a visit is taken). Returns the number of visits created."""
    created = 0
    plans = (
        FamilyTimePlan.objects.filter(child__case__closed_on__isnull=True)
        .select_related("child__case__site")
        .order_by("child_id", "-effective_from", "-created_at", "-id")
        .distinct("child_id")
    )
    for plan in plans:
        day = today or plan.child.case.site.today()
        if plan.effective_from > day or not plan.weekdays:
            continue  # a plan not in force yet (the visits come when it is), or no schedule
        with transaction.atomic():
            Child.objects.select_for_update().filter(pk=plan.child_id).first()  # one at a time
            before = Visit.objects.filter(child_id=plan.child_id).count()
            _schedule(actor=None, plan=plan, today=day, request=None)
            created += Visit.objects.filter(child_id=plan.child_id).count() - before
    return created


def _schedule(
    *, actor: Any, plan: FamilyTimePlan, today: dt.date, request: HttpRequest | None
) -> None:
    """Brings the child's scheduled visits in line with `plan` (see the module docstring)."""
    child, case = plan.child, plan.child.case
    start = max(plan.effective_from, week_of(today)[0])
    horizon = week_of(today)[1] + dt.timedelta(weeks=SCHEDULE_WEEKS_AHEAD)
    slots = [
        start + dt.timedelta(days=n)
        for n in range((horizon - start).days + 1)
        if (start + dt.timedelta(days=n)).weekday() in plan.weekdays
    ]
    visits = list(Visit.objects.filter(child=child, scheduled_on__gte=start).order_by("id"))
    taken = {visit.scheduled_on for visit in visits}
    replaceable = {
        visit.scheduled_on: visit
        for visit in visits
        if visit.status == codes.VisitStatus.SCHEDULED
        and visit.scheduled_on >= today
        and (visit.plan_id is not None or visit.scheduled_on in slots)
    }
    for day, visit in replaceable.items():
        if day in slots or visit.plan_id is None:
            continue
        audit(
            actor=actor, action=AuditEvent.Action.DELETE, record=visit, case=case, request=request
        )
        visit.delete()
    for day in slots:
        existing = replaceable.get(day)
        if existing is not None:
            visit = existing
            changes = {
                "plan": plan,
                "starts_at": plan.starts_at,
                "supervision": plan.supervision,
                "location": plan.location,
            }
            changed = [name for name, value in changes.items() if getattr(visit, name) != value]
            for name in changed:
                setattr(visit, name, changes[name])
            if changed:
                visit.full_clean()
                visit.save(update_fields=[*changed, "updated_at"])
                audit(
                    actor=actor,
                    action=AuditEvent.Action.UPDATE,
                    record=visit,
                    case=case,
                    fields=changed,
                    request=request,
                )
        elif day not in taken:
            visit = save_new(
                Visit(
                    child=child,
                    plan=plan,
                    scheduled_on=day,
                    starts_at=plan.starts_at,
                    supervision=plan.supervision,
                    location=plan.location,
                )
            )
            audit(
                actor=actor,
                action=AuditEvent.Action.CREATE,
                record=visit,
                case=case,
                request=request,
            )


def _visit_rules(
    visit: Visit, today: dt.date, errors: dict[str, list[str]], *, given: set[str]
) -> None:
    if visit.status == codes.VisitStatus.CANCELLED and not visit.cancelled_by:
        add_error(errors, "cancelled_by", "Say who cancelled the visit.")
    if visit.status != codes.VisitStatus.CANCELLED and visit.cancelled_by:
        if "cancelled_by" in given:
            add_error(errors, "cancelled_by", "Only a cancelled visit says who cancelled it.")
        else:
            visit.cancelled_by = ""
    if visit.status in (codes.VisitStatus.HELD, codes.VisitStatus.NO_SHOW) and (
        visit.scheduled_on > today
    ):
        add_error(errors, "status", "A visit can be logged as held or missed from its day on.")
    if visit.duration_minutes is not None and visit.duration_minutes < 0:
        add_error(errors, "duration_minutes", "A duration cannot be negative.")
    if visit.duration_minutes is not None and visit.status != codes.VisitStatus.HELD:
        if "duration_minutes" in given:
            add_error(errors, "duration_minutes", "Only a held visit has a duration.")
        else:
            visit.duration_minutes = None


VISIT_FIELDS = frozenset(
    {
        "scheduled_on",
        "starts_at",
        "status",
        "cancelled_by",
        "duration_minutes",
        "supervision",
        "location",
        "observations",
    }
)


@service
def visit_create(
    *,
    actor: User,
    child: Child,
    id: str | None = None,
    request: HttpRequest | None = None,
    **fields: Any,
) -> Visit:
    """A visit added by hand (outside the plan's schedule), in any status."""
    unknown = set(fields) - VISIT_FIELDS
    if unknown:
        raise TypeError(f"unknown fields {', '.join(sorted(unknown))}")
    for name in ("cancelled_by", "supervision", "location", "observations"):
        if name in fields and fields[name] is None:
            fields[name] = ""
    visit = take_id(Visit(child=child, **fields), id)
    errors: dict[str, list[str]] = {}
    _visit_rules(visit, child.case.site.today(), errors, given=set(fields))
    check_errors(errors)
    save_new(visit)
    audit(
        actor=actor, action=AuditEvent.Action.CREATE, record=visit, case=child.case, request=request
    )
    return visit


@service
def visit_log(
    *,
    actor: User,
    visit: Visit,
    case: Case,
    request: HttpRequest | None = None,
    supervisor: User | None = None,
    **changes: Any,
) -> Visit:
    """Logs what happened (held / cancelled and by whom / no-show, duration, observations) or
    changes a visit's day, time, supervision or place. A visit logged as held takes its
    duration, supervision and place from its plan unless given. `supervisor`: the GAL / CASA
    volunteer who supervised the visit and logs it (the caller checked they may:
    `cases.access.may_log_visit`); the visit then names them."""
    unknown = set(changes) - VISIT_FIELDS
    if unknown:
        raise TypeError(f"cannot change {', '.join(sorted(unknown))}")
    if supervisor is not None and visit.supervisor_id not in (None, supervisor.pk):
        raise ValidationError(
            {"supervisor": "Someone else supervised and logged this visit: they change it."}
        )
    for name in ("cancelled_by", "supervision", "location", "observations"):
        if name in changes and changes[name] is None:
            changes[name] = ""
    changed = []
    for name, value in changes.items():
        if getattr(visit, name) != value:
            setattr(visit, name, value)
            changed.append(name)
    if supervisor is not None and visit.supervisor_id != supervisor.pk:
        visit.supervisor = supervisor
        changed.append("supervisor")
    if visit.status == codes.VisitStatus.HELD and visit.plan is not None:
        defaults = {
            "duration_minutes": visit.plan.duration_minutes,
            "supervision": visit.plan.supervision,
            "location": visit.plan.location,
        }
        for name, value in defaults.items():
            if name not in changes and getattr(visit, name) in (None, "") and value:
                setattr(visit, name, value)
                changed.append(name)
    errors: dict[str, list[str]] = {}
    before = {"cancelled_by": visit.cancelled_by, "duration_minutes": visit.duration_minutes}
    _visit_rules(visit, case.site.today(), errors, given=set(changes))
    changed += [name for name, value in before.items() if getattr(visit, name) != value]
    check_errors(errors)
    visit.full_clean()
    changed = sorted(set(changed))
    if changed:
        visit.save(update_fields=[*changed, "updated_at"])
        audit(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            record=visit,
            case=case,
            fields=changed,
            request=request,
        )
    return visit
