"""Reads of family-time records."""

import datetime as dt
from decimal import Decimal

from cases.models import Child
from familytime.models import FamilyTimePlan


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
