"""The people who do the work (issue 22, items 7 and 8): records of a site's program, not of a
family's case. Who reads and writes each kind is `cases.access.SITE_RECORD_TYPES`.

- `SupervisionSession`: a reflective supervision session of one staff member (no content).
- `WellbeingCheckIn`: a private check-in a person keeps for themselves; nobody else reads it,
  ever (not site admins, not the Django admin, not exports, not the audit trail's details).
- `Consultation`: an IECMH consultation (seed 003): to whom, about what kind of need, direct or
  indirect, how long. No family is named.
- `Training` and `TrainingAttendance`: a training session and who attended it.
"""

from decimal import Decimal

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from safebabies.identity.models import Site, User
from safebabies.models import Record

MINUTES_MAX = 8 * 60


class SupervisionKind(models.TextChoices):
    INDIVIDUAL = "individual", "Individual"
    GROUP = "group", "Group"


class SupervisionSession(Record):
    """One reflective supervision session of a staff member of the site: who, with whom, when,
    how long. No content: what was said stays in the room."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    supervisor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    supervisor_name = models.CharField(
        max_length=200, blank=True, help_text="A supervisor without an account: their name."
    )
    held_on = models.DateField()
    minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MINUTES_MAX)]
    )
    kind = models.CharField(max_length=12, choices=SupervisionKind.choices)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-held_on", "-created_at", "id"]
        indexes = [models.Index(fields=["site", "held_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gte=1, minutes__lte=MINUTES_MAX), name="supervision_minutes"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=SupervisionKind.values), name="supervision_kind"
            ),
            models.CheckConstraint(
                condition=(Q(supervisor__isnull=False) & Q(supervisor_name=""))
                | (Q(supervisor__isnull=True) & ~Q(supervisor_name="")),
                name="supervision_one_supervisor",
            ),
            models.CheckConstraint(
                condition=~Q(supervisor=models.F("staff")), name="supervision_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"Reflective supervision on {self.held_on:%Y-%m-%d}"

    @property
    def supervisor_label(self) -> str:
        return str(self.supervisor) if self.supervisor_id else self.supervisor_name


SCALE = [MinValueValidator(1), MaxValueValidator(5)]


class WellbeingCheckIn(Record):
    """A private well-being check-in (secondary traumatic stress, seeds 001 and 003): a person's
    own, read by nobody else. Counted only in aggregate, in groups of at least 5 people."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    checked_on = models.DateField()
    stress = models.PositiveSmallIntegerField(
        validators=SCALE, help_text="How stressed: 1 not at all, 5 very."
    )
    supported = models.PositiveSmallIntegerField(
        validators=SCALE, help_text="How supported: 1 not at all, 5 very."
    )
    sleep = models.PositiveSmallIntegerField(
        validators=SCALE, help_text="How well you sleep: 1 badly, 5 well."
    )
    private_note = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["-checked_on", "-created_at", "id"]
        indexes = [models.Index(fields=["site", "checked_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(stress__range=(1, 5), supported__range=(1, 5), sleep__range=(1, 5)),
                name="wellbeing_scale",
            ),
        ]

    def __str__(self) -> str:
        return f"Check-in on {self.checked_on:%Y-%m-%d}"


class Consultee(models.TextChoices):
    CASEWORKER = "caseworker", "Caseworker"
    CHILD_CARE = "child_care_provider", "Child care provider"
    RESOURCE_PARENT = "resource_parent", "Resource parent"
    ATTORNEY = "attorney", "Attorney"
    JUDGE = "judge", "Judge"
    OTHER = "other", "Other"


class Need(models.TextChoices):
    BEHAVIOUR = "behaviour", "Behaviour"
    ATTACHMENT = "attachment", "Attachment"
    DEVELOPMENT = "development", "Development"
    TRAUMA = "trauma", "Trauma"
    CAREGIVER_WELLBEING = "caregiver_wellbeing", "Caregiver well-being"
    OTHER = "other", "Other"


class Mode(models.TextChoices):
    DIRECT = "direct", "Direct (with the child and caregiver)"
    INDIRECT = "indirect", "Indirect (with the professional or caregiver)"


class Consultation(Record):
    """An infant and early childhood mental health consultation (seed 003): who consulted, with
    whom (their role), about what kind of need, direct or indirect, how long. No family."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    consultant = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    consultant_name = models.CharField(
        max_length=200, blank=True, help_text="A consultant without an account: their name."
    )
    held_on = models.DateField()
    consultee = models.CharField(max_length=24, choices=Consultee.choices)
    need = models.CharField(max_length=24, choices=Need.choices)
    mode = models.CharField(max_length=10, choices=Mode.choices)
    minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MINUTES_MAX)]
    )
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-held_on", "-created_at", "id"]
        indexes = [models.Index(fields=["site", "held_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gte=1, minutes__lte=MINUTES_MAX), name="consultation_minutes"
            ),
            models.CheckConstraint(
                condition=Q(consultee__in=Consultee.values), name="consultation_consultee"
            ),
            models.CheckConstraint(condition=Q(need__in=Need.values), name="consultation_need"),
            models.CheckConstraint(condition=Q(mode__in=Mode.values), name="consultation_mode"),
            models.CheckConstraint(
                condition=(Q(consultant__isnull=False) & Q(consultant_name=""))
                | (Q(consultant__isnull=True) & ~Q(consultant_name="")),
                name="consultation_one_consultant",
            ),
        ]

    def __str__(self) -> str:
        return f"Consultation on {self.held_on:%Y-%m-%d}"

    @property
    def consultant_label(self) -> str:
        return str(self.consultant) if self.consultant_id else self.consultant_name


class Topic(models.TextChoices):
    IECMH = "iecmh", "Infant and early childhood mental health"
    TRAUMA_INFORMED = "trauma_informed", "Trauma-informed practice"
    STS = "sts", "Secondary traumatic stress"
    SAFE_BABIES = "safe_babies", "The Safe Babies approach"
    OTHER = "other", "Other"


class Training(Record):
    """A training session of the site's program and who attended it."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    held_on = models.DateField()
    hours = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal(40))],
    )
    topics = ArrayField(models.CharField(max_length=20, choices=Topic.choices), size=5)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-held_on", "-created_at", "id"]
        indexes = [models.Index(fields=["site", "held_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gte=0.5, hours__lte=40), name="training_hours"
            ),
            models.CheckConstraint(
                condition=Q(topics__len__gte=1) & Q(topics__contained_by=Topic.values),
                name="training_topics",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def topic_labels(self) -> list[str]:
        labels = dict(Topic.choices)
        return [str(labels.get(code, code)) for code in self.topics]


class TrainingAttendance(models.Model):
    """One person at a training: a user of the site, or a provider named with their
    organisation."""

    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(max_length=200, blank=True)
    organisation = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(name=""))
                | (Q(user__isnull=True) & ~Q(name="")),
                name="training_attendee_one_of",
            ),
            models.UniqueConstraint(
                fields=["training", "user"],
                condition=Q(user__isnull=False),
                name="training_attendee_once",
            ),
        ]

    def __str__(self) -> str:
        if self.user_id:
            return str(self.user)
        return f"{self.name} ({self.organisation})" if self.organisation else self.name
