from django.conf import settings
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
    person = models.ForeignKey(
        "cases.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="screenings",
        help_text="The parent or caregiver screened. A substance-use screening (42 CFR Part 2) "
        "is opened only by that person's release.",
    )
    screened_by = models.CharField(
        max_length=200, blank=True, help_text="Who screened: a name, a role or an agency."
    )
    referral = models.ForeignKey(
        "Service",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="from_screenings",
        help_text="The referral this screening led to.",
    )

    class Meta:
        ordering = ["screened_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(subject="child") | Q(child__isnull=False),
                name="screening_child_subject_has_child",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_instrument_display()}, {self.screened_on:%-d %b %Y}"


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
    steps = models.TextField(blank=True, help_text="The steps toward the goal, one a line.")
    responsible = models.CharField(
        max_length=200, blank=True, help_text="Who does it: the parent, the caseworker, ..."
    )
    assessment = models.ForeignKey(
        "Assessment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="goals",
        help_text="The assessment the goal comes from.",
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.description[:80]


class GoalStep(Record):
    """One step toward a goal: what, who does it, by when, and the day it was done. The goal's
    `steps` text holds the same steps' words, one a line (what the API and the package read);
    `assessments.services` keeps the two the same."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="step_rows")
    text = models.CharField(max_length=300)
    responsible = models.CharField(
        max_length=200, blank=True, help_text="Who does it: the parent, the caseworker, ..."
    )
    due_on = models.DateField(null=True, blank=True)
    done_on = models.DateField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "created_at", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class Service(Record):
    """A service or referral on the case plan."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="services")
    child = models.ForeignKey(
        "cases.Child", on_delete=models.PROTECT, null=True, blank=True, related_name="services"
    )
    recipient = models.CharField(max_length=16, choices=codes.ServiceRecipient.choices)
    person = models.ForeignKey(
        "cases.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="services",
        help_text="The parent or caregiver the service is for. A substance-use treatment "
        "service (42 CFR Part 2) is opened only by that person's release.",
    )
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

    def __str__(self) -> str:
        provider = f" ({self.provider})" if self.provider else ""
        return f"{self.get_service_type_display()}{provider}, referred {self.referred_on:%-d %b %Y}"


class Lens(models.TextChoices):
    """The three lenses of a relationship-based assessment (seed 000)."""

    CHILD = "child", "The child"
    CAREGIVER = "caregiver", "A caregiver"
    RELATIONSHIP = "relationship", "A child-caregiver relationship"


# The narrative fields of an assessment: only the clinician, the Community Coordinator and the
# caseworker on the team read them (`selectors.can_see_assessment_narrative`).
NARRATIVE_FIELDS = (
    "history",
    "symptoms",
    "strengths",
    "functioning",
    "caregiver_beliefs",
    "child_expectations",
    "observed_interaction",
    "culture_and_community",
)


class Assessment(Record):
    """A clinician's relationship-based assessment through one lens: the child, one caregiver,
    or one child-caregiver relationship, within culture and community."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="assessments")
    child = models.ForeignKey(
        "cases.Child", on_delete=models.PROTECT, null=True, blank=True, related_name="assessments"
    )
    caregiver = models.ForeignKey(
        "cases.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="assessments"
    )
    lens = models.CharField(max_length=16, choices=Lens.choices)
    assessed_on = models.DateField()
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    history = models.TextField(blank=True, help_text="Background, relational and trauma history.")
    symptoms = models.TextField(blank=True)
    strengths = models.TextField(blank=True)
    functioning = models.TextField(blank=True, help_text="Developmental or daily functioning.")
    caregiver_beliefs = models.TextField(
        blank=True, help_text="The caregiver's beliefs about the child."
    )
    child_expectations = models.TextField(
        blank=True, help_text="What the child expects from the caregiver."
    )
    observed_interaction = models.TextField(
        blank=True,
        help_text="Behaviour and emotion, caregiver sensitivity and responsiveness, the child's "
        "response to the caregiver.",
    )
    culture_and_community = models.TextField(blank=True)

    class Meta:
        ordering = ["assessed_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(lens="child") | Q(child__isnull=False, caregiver__isnull=True),
                name="assessment_child_lens_has_child",
            ),
            models.CheckConstraint(
                condition=~Q(lens="caregiver") | Q(caregiver__isnull=False),
                name="assessment_caregiver_lens_has_caregiver",
            ),
            models.CheckConstraint(
                condition=~Q(lens="relationship") | Q(child__isnull=False, caregiver__isnull=False),
                name="assessment_relationship_lens_has_both",
            ),
        ]

    def __str__(self) -> str:
        return f"Assessment of {self.get_lens_display().lower()}, {self.assessed_on:%-d %b %Y}"


class Marker(models.TextChoices):
    """Markers of progress (seed 000)."""

    REFLECTIVE_CAPACITY = "reflective_capacity", "Reflective capacity"
    TAKES_RESPONSIBILITY = "takes_responsibility", "Takes responsibility, sees the need for change"
    CHILD_PERSPECTIVE = "child_perspective", "Takes the child's perspective"
    TAKES_STEPS = "takes_steps", "Takes steps to show change"
    BASIC_SAFETY_NEEDS = "basic_safety_needs", "Meets the child's basic and safety needs"
    PARENTING_SKILLS = "parenting_skills", "Parenting skills for this child"
    USES_SUPPORTS = "uses_supports", "Seeks and uses supports"
    SECURE_RELATIONSHIPS = "secure_relationships", "Forms close, secure relationships"
    SEEKS_CAREGIVER = "seeks_caregiver", "Seeks the caregiver when distressed"
    REGULATES_EMOTIONS = "regulates_emotions", "Experiences, regulates and expresses emotions"
    EXPLORES_LEARNS = "explores_learns", "Explores and learns"


CAREGIVER_MARKERS = (
    Marker.REFLECTIVE_CAPACITY,
    Marker.TAKES_RESPONSIBILITY,
    Marker.CHILD_PERSPECTIVE,
    Marker.TAKES_STEPS,
    Marker.BASIC_SAFETY_NEEDS,
    Marker.PARENTING_SKILLS,
    Marker.USES_SUPPORTS,
)
CHILD_MARKERS = (
    Marker.SECURE_RELATIONSHIPS,
    Marker.SEEKS_CAREGIVER,
    Marker.REGULATES_EMOTIONS,
    Marker.EXPLORES_LEARNS,
)


class MarkerScore(models.IntegerChoices):
    """A short anchored scale."""

    NOT_YET = 1, "1 - Not yet seen"
    EMERGING = 2, "2 - Emerging, now and then"
    OFTEN = 3, "3 - Often, with support"
    CONSISTENT = 4, "4 - Consistently, on their own"


class MarkerRating(Record):
    """The team's rating of one marker for one caregiver or one child, on one day."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="marker_ratings")
    child = models.ForeignKey(
        "cases.Child",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="marker_ratings",
    )
    caregiver = models.ForeignKey(
        "cases.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="marker_ratings",
    )
    marker = models.CharField(max_length=32, choices=Marker.choices)
    rated_on = models.DateField()
    score = models.PositiveSmallIntegerField(choices=MarkerScore.choices)
    note = models.CharField(max_length=500, blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["rated_on", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=4), name="marker_score_on_scale"
            ),
            models.CheckConstraint(
                condition=Q(child__isnull=True, caregiver__isnull=False)
                | Q(child__isnull=False, caregiver__isnull=True),
                name="marker_rating_one_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_marker_display()}: {self.get_score_display()}, {self.rated_on:%-d %b %Y}"


class SessionAttendance(models.TextChoices):
    """How a session of a service went (issue 22 item 3)."""

    ATTENDED = "attended", "Attended"
    MISSED = "missed", "Missed"
    CANCELLED_PROVIDER = "cancelled_provider", "Cancelled by the provider"
    CANCELLED_FAMILY = "cancelled_family", "Cancelled by the family"


class SessionCaregiver(models.TextChoices):
    """Which caregiver took part, for dyadic work (child-parent psychotherapy...)."""

    BIRTH_PARENT = "birth_parent", "Birth parent"
    RESOURCE_PARENT = "resource_parent", "Resource parent"
    BOTH = "both", "Birth parent and resource parent"
    NONE = "none", "No caregiver (the child only)"


class ServiceSession(Record):
    """One session of a service as it is delivered: the day, whether the family came, which
    caregiver took part. A missed session asks for outreach (`outreach_done_on`: the day the
    team reached out), which the Community Coordinator sees until it is done. Read as its
    service is (cases.access RECORD_TYPES["service_session"]: a Part 2 service's sessions are
    Part 2 too)."""

    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="sessions")
    held_on = models.DateField()
    attendance = models.CharField(max_length=24, choices=SessionAttendance.choices)
    caregiver = models.CharField(
        max_length=16, choices=SessionCaregiver.choices, blank=True, help_text="For dyadic work."
    )
    minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)
    outreach_done_on = models.DateField(
        null=True, blank=True, help_text="After a missed session: the day the team reached out."
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["held_on", "created_at"]
        indexes = [models.Index(fields=["service", "held_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__isnull=True) | Q(minutes__gte=1, minutes__lte=1440),
                name="service_session_minutes_in_a_day",
            ),
            models.CheckConstraint(
                condition=Q(outreach_done_on__isnull=True) | Q(attendance="missed"),
                name="service_session_outreach_after_missed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_attendance_display()}, {self.held_on:%-d %b %Y}"

    @property
    def needs_outreach(self) -> bool:
        return self.attendance == SessionAttendance.MISSED and self.outreach_done_on is None
