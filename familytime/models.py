from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from safebabies import codes
from safebabies.models import Record


class Visit(Record):
    """One planned family-time visit of a child with their parent(s)."""

    child = models.ForeignKey("cases.Child", on_delete=models.PROTECT, related_name="family_time")
    scheduled_on = models.DateField()
    starts_at = models.TimeField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=codes.VisitStatus.choices, default=codes.VisitStatus.SCHEDULED
    )
    cancelled_by = models.CharField(max_length=16, choices=codes.CancelledBy.choices, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    supervision = models.CharField(max_length=16, choices=codes.Supervision.choices, blank=True)
    location = models.CharField(max_length=16, choices=codes.VisitLocation.choices, blank=True)
    observations = models.TextField(
        blank=True, help_text="The interaction: visible to the team, not to parent mentors."
    )

    class Meta:
        ordering = ["scheduled_on", "starts_at", "id"]
        verbose_name = "family-time visit"
        indexes = [models.Index(fields=["child", "scheduled_on"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancelled_by=""),
                name="visit_cancelled_says_by_whom",
            ),
            models.CheckConstraint(
                condition=Q(status="cancelled") | Q(cancelled_by=""),
                name="visit_cancelled_by_only_if_cancelled",
            ),
        ]


class FamilyTimePlan(Record):
    """The family-time plan of a child from a date on: a new row for every change, so the
    history of targets and supervision levels (as they step down) is kept."""

    child = models.ForeignKey(
        "cases.Child", on_delete=models.PROTECT, related_name="family_time_plans"
    )
    parent = models.ForeignKey(
        "cases.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="family_time_plans",
    )
    effective_from = models.DateField()
    visits_per_week = models.DecimalField(
        max_digits=3,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(14)],
        help_text="Target visits a week (the site's default unless the team set another).",
    )
    supervision = models.CharField(max_length=16, choices=codes.Supervision.choices)
    location = models.CharField(max_length=16, choices=codes.VisitLocation.choices, blank=True)

    class Meta:
        ordering = ["effective_from", "created_at", "id"]
        indexes = [models.Index(fields=["child", "effective_from"])]
