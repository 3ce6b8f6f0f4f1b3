"""The Active Community Team as a working body, the provider directory, and what providers say
back about a referral (issue 22 item 9; seed 002 core component 3).

Records of a site's program, not of one family's case (`cases.access.SITE_RECORD_TYPES`):
members, meetings with their decisions and action items, improvement cycles, providers. Never
a family's data on them. `ReferralFeedback` is the exception: it is a case record, reached
through its service (`cases.access.RECORD_TYPES["referral_feedback"]`).
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q

from safebabies import codes
from safebabies.models import Record


class Sector(models.TextChoices):
    CHILD_WELFARE = "child_welfare", "Child welfare"
    COURT = "court", "Court"
    EARLY_CHILDHOOD = "early_childhood", "Early childhood"
    HEALTH = "health", "Health"
    MENTAL_HEALTH = "mental_health", "Mental health"
    PARENT_LEADER = "parent_leader", "Parent leader"
    HOUSING = "housing", "Housing"
    EDUCATION = "education", "Education"
    FAITH = "faith", "Faith community"
    COMMUNITY = "community", "Community"
    OTHER = "other", "Other"


class ActMember(Record):
    """A member of the site's Active Community Team: a user of the site, or a name."""

    site = models.ForeignKey("teams.Site", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        "teams.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(max_length=200, blank=True)
    organisation = models.CharField(max_length=200, blank=True)
    sector = models.CharField(max_length=24, choices=Sector.choices)
    joined_on = models.DateField()
    left_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(name=""), name="act_member_user_or_name"
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="act_member_left_after_joined",
            ),
        ]

    def __str__(self) -> str:
        return self.name or (str(self.user) if self.user_id else "A member")


class ActMeeting(Record):
    """A meeting of the team: its day, who came, its agenda and notes (plain text)."""

    site = models.ForeignKey("teams.Site", on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField()
    title = models.CharField(max_length=200, blank=True)
    agenda = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    attendees = models.ManyToManyField(ActMember, blank=True, related_name="meetings")

    class Meta:
        ordering = ["-held_on", "id"]

    def __str__(self) -> str:
        return self.title or f"Meeting of {self.held_on:%-d %b %Y}"


class ActDecision(Record):
    """A decision taken at a meeting, in a short text."""

    meeting = models.ForeignKey(ActMeeting, on_delete=models.PROTECT, related_name="decisions")
    text = models.CharField(max_length=500)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text


class ActActionItem(Record):
    """Something a member said they would do, decided at a meeting."""

    meeting = models.ForeignKey(ActMeeting, on_delete=models.PROTECT, related_name="action_items")
    description = models.CharField(max_length=500)
    owner = models.ForeignKey(
        ActMember, on_delete=models.PROTECT, null=True, blank=True, related_name="action_items"
    )
    due_on = models.DateField(null=True, blank=True)
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.description


class CycleStage(models.TextChoices):
    PLAN = "plan", "Plan"
    DO = "do", "Do"
    STUDY = "study", "Study"
    ACT = "act", "Act"
    CLOSED = "closed", "Closed"


class ImprovementCycle(Record):
    """A plan-do-study-act cycle aimed at one CQI measure (`cqi.metrics` id)."""

    site = models.ForeignKey("teams.Site", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    metric = models.CharField(max_length=64, help_text="The id of the CQI measure it targets.")
    started_on = models.DateField()
    stage = models.CharField(max_length=8, choices=CycleStage.choices, default=CycleStage.PLAN)
    plan = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_on", "id"]

    def __str__(self) -> str:
        return self.title


class Provider(Record):
    """A community provider in the site's directory, with its availability."""

    site = models.ForeignKey("teams.Site", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    service_types = ArrayField(
        models.CharField(max_length=40, choices=codes.ServiceType.choices), default=list
    )
    languages = models.CharField(max_length=200, blank=True)
    address = models.CharField(max_length=300, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    website = models.URLField(max_length=300, blank=True)
    accepting_referrals = models.BooleanField(default=True)
    # 0: no wait
    waitlist_weeks = models.PositiveSmallIntegerField(default=0)
    updated_on = models.DateField(help_text="The day its availability was last confirmed.")

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(waitlist_weeks__lte=104), name="provider_waitlist_at_most_two_years"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def availability(self) -> str:
        if not self.accepting_referrals:
            return "not accepting referrals"
        if not self.waitlist_weeks:
            return "no wait"
        return f"{self.waitlist_weeks}-week waitlist"


class FeedbackStatus(models.TextChoices):
    RECEIVED = "received", "Referral received"
    CONTACTED = "contacted_family", "Contacted the family"
    SCHEDULED = "first_appointment_scheduled", "First appointment scheduled"
    UNABLE = "unable_to_reach", "Unable to reach the family"
    DECLINED = "declined", "Declined"
    WAITLISTED = "waitlisted", "Waitlisted"


class ReferralFeedback(Record):
    """What the provider said about a referral on the case plan, as the team recorded it."""

    service = models.ForeignKey(
        "assessments.Service", on_delete=models.PROTECT, related_name="feedback"
    )
    received_on = models.DateField()
    status = models.CharField(max_length=32, choices=FeedbackStatus.choices)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        "teams.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-received_on", "-created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_status_display()} ({self.received_on:%-d %b %Y})"
