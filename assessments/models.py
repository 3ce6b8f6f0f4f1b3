from django.db import models
from django.db.models import F, Q

from safebabies import codes
from safebabies.models import Record


class Screening(Record):
    """A developmental, social-emotional, health or parent-needs screening."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="screenings")
    child = models.ForeignKey(
        "cases.Child", on_delete=models.PROTECT, null=True, blank=True, related_name="screenings"
    )
    subject = models.CharField(max_length=16, choices=codes.ScreeningSubject.choices)
    instrument = models.CharField(max_length=24, choices=codes.Instrument.choices)
    screened_on = models.DateField()
    result = models.CharField(max_length=16, choices=codes.ScreeningResult.choices, blank=True)
    referral_made = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["screened_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(subject="child") | Q(child__isnull=False),
                name="screening_child_subject_has_child",
            ),
        ]


class Goal(Record):
    """A case-plan goal, from the assessment and in the family's words where possible."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="goals")
    child = models.ForeignKey(
        "cases.Child", on_delete=models.PROTECT, null=True, blank=True, related_name="goals"
    )
    description = models.TextField(help_text="The goal, in the family's words where possible.")
    target_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=codes.GoalStatus.choices, default=codes.GoalStatus.NOT_STARTED
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.description[:80]


class Service(Record):
    """A service or referral on the case plan."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="services")
    child = models.ForeignKey(
        "cases.Child", on_delete=models.PROTECT, null=True, blank=True, related_name="services"
    )
    recipient = models.CharField(max_length=16, choices=codes.ServiceRecipient.choices)
    service_type = models.CharField(max_length=40, choices=codes.ServiceType.choices)
    provider = models.CharField(max_length=200, blank=True)
    evidence_based = models.BooleanField(null=True, blank=True)
    referred_on = models.DateField()
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=24, choices=codes.ServiceStatus.choices, default=codes.ServiceStatus.REFERRED
    )
    goal = models.ForeignKey(
        Goal, on_delete=models.PROTECT, null=True, blank=True, related_name="services"
    )
    barrier = models.CharField(
        max_length=16,
        choices=codes.ServiceBarrier.choices,
        blank=True,
        help_text="What keeps the family from this service, if anything.",
    )

    class Meta:
        ordering = ["referred_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(started_on__isnull=True) | Q(started_on__gte=F("referred_on")),
                name="service_starts_after_referral",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(ended_on__gte=F("referred_on"))
                & (Q(started_on__isnull=True) | Q(ended_on__gte=F("started_on"))),
                name="service_ends_after_start",
            ),
        ]
