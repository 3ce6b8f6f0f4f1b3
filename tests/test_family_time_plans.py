"""Family-time plans: a new row for every change (the supervision history), and the schedule
that puts visits on the calendar and follows plan changes without touching the past."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from familytime import services
from familytime.models import FamilyTimePlan, Visit
from familytime.selectors import plan_on, target_per_week
from safebabies import codes
from safebabies.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)  # Friday 20 Nov, 9 a.m. in Chicago
TODAY = dt.date(2026, 11, 20)
MONDAY = dt.date(2026, 11, 16)
MON, WED, FRI = 0, 2, 4


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


def set_plan(actor, child, **kwargs):
    values = {
        "effective_from": MONDAY,
        "visits_per_week": Decimal(3),
        "supervision": codes.Supervision.SUPERVISED,
        "location": codes.VisitLocation.COMMUNITY,
        "weekdays": [MON, WED, FRI],
        "starts_at": dt.time(10),
        "ends_at": dt.time(12),
        "supervised_by": "Family Connections visit coach",
        "transported_by": "Resource parent",
        **kwargs,
    }
    return services.family_time_plan_set(actor=actor, child=child, **values)


def days(child, **filters):
    return sorted(
        Visit.objects.filter(child=child, **filters).values_list("scheduled_on", flat=True)
    )


def test_a_plan_puts_its_weekdays_on_the_calendar_from_this_week_for_four_weeks_ahead(
    family, coordinator
):
    child = family.test_child
    plan = set_plan(coordinator, child)
    scheduled = days(child)
    assert scheduled[:3] == [MONDAY, MONDAY + dt.timedelta(2), MONDAY + dt.timedelta(4)]
    assert scheduled[-1] == dt.date(2026, 12, 18)  # the Friday of the 4th week after this one
    assert len(scheduled) == 3 * 5
    assert {d.weekday() for d in scheduled} == {MON, WED, FRI}
    visit = Visit.objects.filter(child=child).first()
    assert (visit.status, visit.starts_at, visit.supervision, visit.location, visit.plan) == (
        codes.VisitStatus.SCHEDULED,
        dt.time(10),
        codes.Supervision.SUPERVISED,
        codes.VisitLocation.COMMUNITY,
        plan,
    )
    assert AuditEvent.objects.filter(
        record_type="familytime.visit", action=AuditEvent.Action.CREATE
    ).count() == len(scheduled)


def test_a_plan_change_moves_future_visits_and_leaves_the_past_and_logged_ones(family, coordinator):
    child = family.test_child
    set_plan(coordinator, child)
    past = Visit.objects.get(child=child, scheduled_on=MONDAY)  # left scheduled, not logged
    held = Visit.objects.get(child=child, scheduled_on=MONDAY + dt.timedelta(2))
    services.visit_log(actor=coordinator, visit=held, case=family, status=codes.VisitStatus.HELD)
    cancelled_ahead = Visit.objects.get(child=child, scheduled_on=dt.date(2026, 11, 23))
    services.visit_log(
        actor=coordinator,
        visit=cancelled_ahead,
        case=family,
        status=codes.VisitStatus.CANCELLED,
        cancelled_by=codes.CancelledBy.PARENT,
    )
    by_hand = services.visit_create(
        actor=coordinator, child=child, scheduled_on=dt.date(2026, 11, 28), starts_at=dt.time(9)
    )
    on_a_new_day = services.visit_create(
        actor=coordinator, child=child, scheduled_on=dt.date(2026, 11, 24), starts_at=dt.time(9)
    )

    new = set_plan(
        coordinator,
        child,
        effective_from=TODAY,
        visits_per_week=Decimal(2),
        supervision=codes.Supervision.MONITORED,
        weekdays=[1, 3],  # Tuesday, Thursday
        starts_at=dt.time(15),
        ends_at=dt.time(17),
    )

    # the past and the logged visits are as they were
    past.refresh_from_db()
    held.refresh_from_db()
    cancelled_ahead.refresh_from_db()
    assert (past.status, past.starts_at, past.supervision) == (
        codes.VisitStatus.SCHEDULED,
        dt.time(10),
        codes.Supervision.SUPERVISED,
    )
    assert held.status == codes.VisitStatus.HELD and held.starts_at == dt.time(10)
    assert cancelled_ahead.status == codes.VisitStatus.CANCELLED
    assert Visit.objects.filter(pk=by_hand.pk, plan=None).exists()  # not a plan day: kept
    on_a_new_day.refresh_from_db()  # a plan day: the visit joins the new plan
    assert (on_a_new_day.plan, on_a_new_day.starts_at) == (new, dt.time(15))
    assert Visit.objects.filter(child=child, scheduled_on=dt.date(2026, 11, 24)).count() == 1
    # today's and later scheduled visits follow the new plan
    future = Visit.objects.filter(
        child=child, scheduled_on__gte=TODAY, status=codes.VisitStatus.SCHEDULED, plan__isnull=False
    )
    assert {v.scheduled_on.weekday() for v in future} == {1, 3}
    assert {(v.starts_at, v.supervision, v.plan_id) for v in future} == {
        (dt.time(15), codes.Supervision.MONITORED, new.pk)
    }
    assert not Visit.objects.filter(child=child, scheduled_on=TODAY).exists()


def test_a_plan_change_updates_a_visit_on_a_day_both_plans_share(family, coordinator):
    child = family.test_child
    set_plan(coordinator, child)
    monday_next = Visit.objects.get(child=child, scheduled_on=dt.date(2026, 11, 23))
    set_plan(
        coordinator,
        child,
        effective_from=TODAY,
        weekdays=[MON],
        starts_at=dt.time(14),
        ends_at=dt.time(16),
    )
    monday_next.refresh_from_db()  # the same row, moved to the new time
    assert monday_next.starts_at == dt.time(14)


def test_the_supervision_history_is_kept_as_it_steps_down(family, coordinator):
    child = family.test_child
    first = set_plan(coordinator, child, effective_from=dt.date(2026, 10, 1))
    second = set_plan(
        coordinator, child, effective_from=TODAY, supervision=codes.Supervision.MONITORED
    )
    assert list(FamilyTimePlan.objects.filter(child=child)) == [first, second]
    assert plan_on(child, dt.date(2026, 11, 1)) == first
    assert plan_on(child, TODAY) == second
    assert target_per_week(child, dt.date(2026, 9, 1)) == family.site.family_time_target_per_week


def test_a_new_plan_cannot_rewrite_the_history_before_the_current_one(family, coordinator):
    child = family.test_child
    set_plan(coordinator, child, effective_from=TODAY)
    with pytest.raises(ValidationError) as error:
        set_plan(coordinator, child, effective_from=TODAY - dt.timedelta(days=1))
    assert "effective_from" in error.value.message_dict
    assert FamilyTimePlan.objects.filter(child=child).count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ends_at": dt.time(9)}, "ends_at"),
        ({"starts_at": None, "ends_at": None}, "starts_at"),
        ({"weekdays": [7]}, "weekdays"),
        ({"visits_per_week": Decimal(15)}, "visits_per_week"),
        ({"supervision": "watched"}, "supervision"),
    ],
)
def test_a_plan_refuses_bad_input_naming_the_field_and_writes_nothing(
    family, coordinator, changes, field
):
    with pytest.raises(ValidationError) as error:
        set_plan(coordinator, family.test_child, **changes)
    assert field in error.value.message_dict
    assert not FamilyTimePlan.objects.exists()
    assert not Visit.objects.exists()


def test_a_plan_with_a_parent_of_another_family_is_refused(family, coordinator, site):
    from tests import factories as f

    stranger = f.PersonFactory(case=f.CaseFactory(site=site))
    with pytest.raises(ValidationError) as error:
        set_plan(coordinator, family.test_child, parent=stranger)
    assert "parent" in error.value.message_dict


def test_a_held_visit_takes_its_duration_and_supervision_from_the_plan(family, coordinator):
    set_plan(coordinator, family.test_child)
    visit = Visit.objects.get(scheduled_on=MONDAY)
    services.visit_log(actor=coordinator, visit=visit, case=family, status="held")
    visit.refresh_from_db()
    assert (visit.duration_minutes, visit.supervision, visit.location) == (
        120,
        codes.Supervision.SUPERVISED,
        codes.VisitLocation.COMMUNITY,
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"status": "cancelled"}, "cancelled_by"),
        ({"status": "held", "cancelled_by": "agency"}, "cancelled_by"),
        ({"status": "held", "duration_minutes": -5}, "duration_minutes"),
        ({"status": "no_show", "duration_minutes": 30}, "duration_minutes"),
    ],
)
def test_logging_a_visit_refuses_bad_input_naming_the_field(family, coordinator, changes, field):
    set_plan(coordinator, family.test_child)
    visit = Visit.objects.get(scheduled_on=MONDAY)
    with pytest.raises(ValidationError) as error:
        services.visit_log(actor=coordinator, visit=visit, case=family, **changes)
    assert field in error.value.message_dict
    visit.refresh_from_db()
    assert visit.status == codes.VisitStatus.SCHEDULED


def test_a_visit_cannot_be_logged_as_held_before_its_day(family, coordinator):
    set_plan(coordinator, family.test_child)
    visit = Visit.objects.get(scheduled_on=dt.date(2026, 11, 23))
    with pytest.raises(ValidationError) as error:
        services.visit_log(actor=coordinator, visit=visit, case=family, status="held")
    assert "status" in error.value.message_dict
    # cancelling ahead is fine
    services.visit_log(
        actor=coordinator, visit=visit, case=family, status="cancelled", cancelled_by="provider"
    )


def test_the_nightly_task_keeps_the_calendar_weeks_ahead_and_runs_idempotently(family, coordinator):
    from familytime.tasks import extend_schedules

    child = family.test_child
    set_plan(coordinator, child)
    assert days(child)[-1] == dt.date(2026, 12, 18)
    assert extend_schedules() == 0  # nothing new on the same day
    with time_machine.travel(dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC), tick=False):
        created = extend_schedules()
        assert extend_schedules() == 0
    assert created == 6  # two more weeks of Monday, Wednesday, Friday
    assert days(child)[-1] == dt.date(2027, 1, 1)
    assert Visit.objects.filter(child=child, scheduled_on=dt.date(2027, 1, 1)).get().plan_id


def test_the_nightly_task_leaves_closed_cases_and_plans_without_days(family, coordinator, site):
    from familytime.tasks import extend_schedules
    from tests import factories as f

    set_plan(coordinator, family.test_child, weekdays=[], starts_at=None)
    closed = f.CaseFactory(site=site, opened_on=dt.date(2026, 1, 5), closed_on=TODAY)
    set_plan(coordinator, f.ChildFactory(case=closed), effective_from=dt.date(2026, 10, 1))
    Visit.objects.all().delete()
    assert extend_schedules() == 0
    assert not Visit.objects.exists()
