from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from safebabies import codes
from safebabies.models import Record


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


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
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervised_visits",
        help_text="The GAL / CASA volunteer who supervised the visit and logged it.",
    )
    plan = models.ForeignKey(
        "familytime.FamilyTimePlan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits",
        help_text="The plan whose schedule put this visit on the calendar (none if added by hand "
        "or imported).",
    )

    class Meta:
        ordering = ["scheduled_on", "starts_at", "id"]
        verbose_name = "family-time visit"
        indexes = [
            models.Index(fields=["child", "scheduled_on"]),
            # CQI family-time figures count held visits per child by date (index-only scans)
            models.Index(
                fields=["child", "scheduled_on"],
                condition=Q(status="held"),
                name="visit_held_by_child",
            ),
        ]
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

    def __str__(self) -> str:
        return f"Family time {self.scheduled_on:%-d %b %Y}: {self.get_status_display().lower()}"


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
    supervised_by = models.CharField(
        max_length=200, blank=True, help_text="Who supervises or monitors the visits."
    )
    transported_by = models.CharField(
        max_length=200, blank=True, help_text="Who brings the child to the visits and back."
    )
    weekdays = ArrayField(
        models.PositiveSmallIntegerField(choices=Weekday.choices),
        default=list,
        blank=True,
        help_text="The recurring schedule's days (Monday = 0).",
    )
    starts_at = models.TimeField(null=True, blank=True)
    ends_at = models.TimeField(null=True, blank=True)

    class Meta:
        ordering = ["effective_from", "created_at", "id"]
        indexes = [models.Index(fields=["child", "effective_from"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True)
                | Q(starts_at__isnull=True)
                | Q(ends_at__gt=models.F("starts_at")),
                name="family_time_plan_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"Family-time plan from {self.effective_from:%-d %b %Y}: "
            f"{self.visits_per_week:g} a week, {self.get_supervision_display().lower()}"
        )

    @property
    def duration_minutes(self) -> int | None:
        if self.starts_at is None or self.ends_at is None:
            return None
        start = self.starts_at.hour * 60 + self.starts_at.minute
        return self.ends_at.hour * 60 + self.ends_at.minute - start

    def weekday_names(self) -> list[str]:
        return [Weekday(day).label for day in sorted(self.weekdays)]
