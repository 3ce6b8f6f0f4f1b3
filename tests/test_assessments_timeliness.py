"""Timeliness of services (issue 4): days from removal to referral and from referral to start,
flagged past 60 days; a referral still waiting counts the days waited so far."""

import datetime as dt

from assessments.models import Service
from assessments.selectors import service_row
from safebabies import codes

REMOVED = dt.date(2026, 3, 1)
TODAY = dt.date(2026, 11, 20)


def row(referred_on, started_on=None, status=codes.ServiceStatus.ACTIVE, removal=REMOVED):
    service = Service(referred_on=referred_on, started_on=started_on, status=status)
    return service_row(service, removal, TODAY)


def test_sixty_days_is_on_time_and_sixty_one_is_late():
    on_time = row(REMOVED + dt.timedelta(days=60), REMOVED + dt.timedelta(days=120))
    late = row(REMOVED + dt.timedelta(days=61), REMOVED + dt.timedelta(days=122))
    assert (on_time.removal_to_referral, on_time.referral_to_start) == (60, 60)
    assert not on_time.late_referral and not on_time.late_start and not on_time.late
    assert (late.removal_to_referral, late.referral_to_start) == (61, 61)
    assert late.late_referral and late.late_start


def test_a_waiting_referral_counts_the_days_so_far():
    waiting = row(TODAY - dt.timedelta(days=61), status=codes.ServiceStatus.WAITLISTED)
    assert waiting.waiting and waiting.referral_to_start == 61 and waiting.late_start
    fresh = row(TODAY - dt.timedelta(days=60), status=codes.ServiceStatus.REFERRED)
    assert fresh.waiting and not fresh.late_start


def test_a_declined_referral_is_not_waiting_and_has_no_start_span():
    declined = row(REMOVED + dt.timedelta(days=10), status=codes.ServiceStatus.DECLINED)
    assert not declined.waiting and declined.referral_to_start is None


def test_a_referral_before_removal_or_without_removal_has_no_removal_span():
    assert row(REMOVED - dt.timedelta(days=5), REMOVED).removal_to_referral is None
    assert row(REMOVED, REMOVED, removal=None).removal_to_referral is None
