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
