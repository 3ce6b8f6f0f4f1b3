import hashlib
import secrets
import zoneinfo
from typing import ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from safebabies import codes
from safebabies.models import Record
from teams.roles import Role


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra) -> "User":
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra) -> "User":
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(email__iexact=username or "")


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. Sign-in is by e-mail; roles come from site memberships."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    preferred_language = models.CharField(
        max_length=8, choices=[("en", "English"), ("es", "Español")], default="en"
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May open the Django admin.")
    date_joined = models.DateTimeField(default=timezone.now)
    session_salt = models.CharField(
        max_length=32,
        blank=True,
        editable=False,
        help_text="Changed by 'sign out everywhere': every session signed before it ends.",
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        self.email = (self.email or "").strip().lower()

    def _get_session_auth_hash(self, secret=None) -> str:
        """Django checks this on every request: it changes with the password and with
        `session_salt`, so rotating the salt ends every session of the user at once."""
        from django.utils.crypto import salted_hmac

        return salted_hmac(
            "teams.User.get_session_auth_hash",
            f"{self.password}:{self.session_salt}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


def _validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known time zone (use Area/City)")


class Site(models.Model):
    """One court jurisdiction running the Safe Babies approach."""

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    timezone = models.CharField(
        max_length=64, default="America/New_York", validators=[_validate_timezone]
    )
    ftm_cadence_days = models.PositiveSmallIntegerField(
        default=30,
        validators=[MinValueValidator(7), MaxValueValidator(92)],
        help_text="Days between Family Team Meetings (monthly by default).",
    )
    family_time_target_per_week = models.DecimalField(
        max_digits=3,
        decimal_places=1,
        default=3,
        validators=[MinValueValidator(0), MaxValueValidator(14)],
    )
    coordinator_caseload_cap = models.PositiveSmallIntegerField(default=20)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def today(self):
        return timezone.now().astimezone(self.tz).date()


class SiteMembership(models.Model):
    """A role a user holds at a site. A user may hold several roles at a site."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=32, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "site", "role"], name="membership_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="membership_role_valid"
            ),
        ]
        indexes = [models.Index(fields=["site", "role"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} at {self.site}"


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self):
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; it expires and can be revoked."""

    key_hash = models.CharField(
        max_length=64, unique=True, validators=[RegexValidator(r"^[0-9a-f]{64}$")]
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    def __str__(self) -> str:
        return f"API token of user {self.user_id}, expires {self.expires_at:%Y-%m-%d %H:%M}"

    @staticmethod
    def new_key() -> tuple[str, str]:
        raw = secrets.token_urlsafe(32)
        return raw, _hash_token(raw)

    @staticmethod
    def hash(raw: str) -> str:
        return _hash_token(raw)


class Ftm(Record):
    """A Family Team Meeting for one case: one meeting covers every child of the case."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="ftms")
    scheduled_on = models.DateField()
    starts_at = models.TimeField(null=True, blank=True)
    location = models.CharField(max_length=300, blank=True, help_text="A place or a video link.")
    facilitator = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
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


class FtmActionItem(Record):
    """What, who, by when: its completion is checked at the next FTM."""

    ftm = models.ForeignKey(Ftm, on_delete=models.PROTECT, related_name="action_items")
    description = models.TextField(blank=True)
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

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="done") | models.Q(completed_on__isnull=False),
                name="action_item_done_has_date",
            ),
        ]


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
