"""Family Team Meetings: the meeting, who came, and the action items it agreed."""

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from safebabies import codes
from safebabies.identity.models import User
from safebabies.identity.roles import Role
from safebabies.models import Record


class Ftm(Record):
    """A Family Team Meeting for one case: one meeting covers every child of the case."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="ftms")
    scheduled_on = models.DateField()
    starts_at = models.TimeField(null=True, blank=True)
    location = models.CharField(max_length=300, blank=True, help_text="A place or a video link.")
    facilitator = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A facilitator without an account (from a partner agency, say): named beside `facilitator`.
    facilitator_name = models.CharField(
        max_length=200, blank=True, help_text="A facilitator without an account: their name."
    )
    facilitator_organisation = models.CharField(
        max_length=200, blank=True, help_text="The organisation of that facilitator."
    )
    status = models.CharField(
        max_length=16, choices=codes.FtmStatus.choices, default=codes.FtmStatus.SCHEDULED
    )
    parent_attended = models.BooleanField(null=True, blank=True)
    parent_mentor_attended = models.BooleanField(null=True, blank=True)
    attendee_roles = ArrayField(
        models.CharField(max_length=32, choices=Role.choices), default=list, blank=True
    )
    notes = models.TextField(
        blank=True, help_text="The discussion: confidential to the family team."
    )
    # The meeting as logged (all confidential to the family team, like `notes`).
    confidentiality_acknowledged = models.BooleanField(default=False)
    going_well = models.TextField(blank=True)
    worries = models.TextField(blank=True)
    hopes = models.TextField(blank=True)
    family_time_discussion = models.TextField(blank=True)
    services_discussion = models.TextField(blank=True)
    development_discussion = models.TextField(blank=True)
    permanency_discussion = models.TextField(blank=True)
    court_discussion = models.TextField(blank=True)
    next_ftm_on = models.DateField(
        null=True, blank=True, help_text="The date agreed for the next FTM."
    )
    # Optimistic concurrency: every save must name the version it started from.
    version = models.PositiveIntegerField(default=1)
    edited_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    DISCUSSION_FIELDS = (
        "notes",
        "going_well",
        "worries",
        "hopes",
        "family_time_discussion",
        "services_discussion",
        "development_discussion",
        "permanency_discussion",
        "court_discussion",
    )

    class Meta:
        ordering = ["scheduled_on", "id"]
        verbose_name = "Family Team Meeting"
        db_table = "teams_ftm"
        indexes = [
            models.Index(fields=["case", "scheduled_on"]),
            # CQI case-months: held FTMs per case by date (index-only scans)
            models.Index(
                fields=["case", "scheduled_on"],
                condition=models.Q(status="held"),
                name="ftm_held_by_case",
            ),
        ]

    def __str__(self) -> str:
        return f"FTM {self.scheduled_on:%Y-%m-%d}"

    @property
    def facilitated_by(self) -> str:
        """Who facilitates, in words: the named external facilitator (with their
        organisation) if there is one, else the team member."""
        if self.facilitator_name:
            if self.facilitator_organisation:
                return f"{self.facilitator_name} ({self.facilitator_organisation})"
            return self.facilitator_name
        return str(self.facilitator) if self.facilitator_id else ""


class FtmActionItem(Record):
    """What, who, by when: its completion is checked at the next FTM."""

    ftm = models.ForeignKey(Ftm, on_delete=models.PROTECT, related_name="action_items")
    description = models.TextField(blank=True)
    # The step in the family's language, written by the team beside the English (or instead of
    # it): the family copy in that language shows it.
    family_description = models.TextField(blank=True)
    family_language = models.CharField(
        max_length=8, choices=[("es", "Español")], blank=True, default=""
    )
    owner_role = models.CharField(max_length=32, choices=Role.choices, blank=True)
    owner = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="action_items"
    )
    goal = models.ForeignKey(
        "assessments.Goal",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="action_items",
    )
    owner_person = models.ForeignKey(
        "cases.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="action_items",
        help_text="A family member who owns the item (instead of a team member).",
    )
    due_on = models.DateField()
    completed_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=codes.ActionItemStatus.choices, default=codes.ActionItemStatus.OPEN
    )
    not_done_reason = models.TextField(blank=True, help_text="Why it is not done yet.")
    reviewed_at = models.ForeignKey(
        Ftm,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviewed_items",
        help_text="The meeting whose review last said done, not done yet or dropped.",
    )

    class Meta:
        ordering = ["due_on", "id"]
        db_table = "teams_ftmactionitem"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="done") | models.Q(completed_on__isnull=False),
                name="action_item_done_has_date",
            ),
            models.CheckConstraint(
                condition=models.Q(family_description="") | ~models.Q(family_language=""),
                name="action_item_family_text_has_language",
            ),
        ]


def role_label(code: str) -> str:
    """The words for a role code of a team member (`Role`) or a family member (`Person.Kind`)."""
    from cases.models import Person

    if code in Role.values:
        return str(Role(code).label)
    if code in Person.Kind.values:
        return str(Person.Kind(code).label)
    return code.replace("_", " ").capitalize()


class AttendanceMode(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    REMOTE = "remote", "Remote"
    ABSENT = "absent", "Absent"


class FtmAttendance(models.Model):
    """One person at (or invited to) an FTM: a team member (`user`), a family member
    (`person`), or someone who came unannounced (`name` only)."""

    ftm = models.ForeignKey(Ftm, on_delete=models.CASCADE, related_name="attendances")
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    person = models.ForeignKey(
        "cases.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=32, blank=True)
    mode = models.CharField(max_length=16, choices=AttendanceMode.choices)

    class Meta:
        ordering = ["id"]
        db_table = "teams_ftmattendance"
        constraints = [
            models.UniqueConstraint(fields=["ftm", "user"], name="ftm_attendance_user_unique"),
            models.UniqueConstraint(fields=["ftm", "person"], name="ftm_attendance_person_unique"),
            models.CheckConstraint(
                condition=models.Q(user__isnull=False)
                | models.Q(person__isnull=False)
                | ~models.Q(name=""),
                name="ftm_attendance_names_someone",
            ),
            models.CheckConstraint(
                condition=models.Q(mode__in=AttendanceMode.values), name="ftm_attendance_mode"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name or self.user or self.person}: {self.mode}"

    @property
    def role_label(self) -> str:
        return role_label(self.role) if self.role else ""


class CaseNote(Record):
    """A note of one member of the family team on the case: theirs (`author`), read by the
    team's professionals (cases.access RECORD_TYPES["case_note"]), never by the parent nor in
    the court's view; a parent mentor reads their own. Its author may change it on the day it
    was written (in the site's time zone), nobody else ever."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="case_notes")
    author_role = models.CharField(
        max_length=32, choices=Role.choices, help_text="The role the author wrote it in."
    )
    written_at = models.DateTimeField()
    text = models.TextField()

    class Meta:
        ordering = ["-written_at", "id"]
        indexes = [models.Index(fields=["case", "written_at"])]
        constraints = [
            models.CheckConstraint(condition=~models.Q(text=""), name="case_note_has_text"),
        ]

    def __str__(self) -> str:
        return f"Note by {self.author} on {self.written_at:%Y-%m-%d}"


class SupportKind(models.TextChoices):
    """What a parent mentor did with the parent (seed 002, CC5 and the glossary)."""

    COURT_SUPPORT = "court_support", "Court support"
    TRANSPORT = "transport", "Transport"
    CALL = "call", "Call"
    FTM_PREP = "ftm_prep", "FTM preparation"
    RESOURCE_CONNECTION = "resource_connection", "Resource connection"


class SupportContact(Record):
    """One contact of a parent mentor with the parent they support (their team place names
    that parent: `TeamMember.person`): the day, what kind of support, how long, and a note the
    parent agreed to share. The Community Coordinator, site admins and the family's parent
    mentors read them; the parent reads their own; nobody else."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="support_contacts"
    )
    person = models.ForeignKey(
        "cases.Person", on_delete=models.PROTECT, related_name="support_contacts"
    )
    mentor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="support_contacts")
    contacted_on = models.DateField()
    kind = models.CharField(max_length=24, choices=SupportKind.choices)
    minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(24 * 60)]
    )
    shared_note = models.TextField(
        blank=True, help_text="Only what the parent agreed to share with the team."
    )
    parent_agreed = models.BooleanField(
        default=False, help_text="The parent agreed to share the note."
    )

    class Meta:
        ordering = ["-contacted_on", "-created_at", "id"]
        indexes = [models.Index(fields=["case", "contacted_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(shared_note="") | models.Q(parent_agreed=True),
                name="support_contact_note_agreed",
            ),
            models.CheckConstraint(
                condition=models.Q(minutes__gte=1, minutes__lte=24 * 60),
                name="support_contact_minutes",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=SupportKind.values), name="support_contact_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.contacted_on:%Y-%m-%d}"
