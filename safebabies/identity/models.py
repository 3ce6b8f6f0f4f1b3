import hashlib
import secrets
import zoneinfo
from typing import ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from safebabies.identity.roles import Role


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
    phone = models.CharField(
        max_length=40,
        blank=True,
        help_text="A work phone families may call or text (shown to the families one works with).",
    )
    preferred_language = models.CharField(
        max_length=8, choices=[("en", "English"), ("es", "Español")], default="en"
    )

    class SignIn(models.TextChoices):
        PASSWORD = "password", "A password (and a second factor where required)"
        LINK = "link", "A sign-in link by e-mail, no password"

    sign_in_with = models.CharField(
        max_length=8,
        choices=SignIn.choices,
        default=SignIn.PASSWORD,
        help_text=(
            "A link by e-mail is open only to parents (accounts with no other role): they "
            "have no password, and each link works once, for a short time."
        ),
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
    retention_years = models.PositiveSmallIntegerField(
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text="Years a closed case is kept after closing before the site admins are asked "
        "to seal or purge it.",
    )
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
    deactivated_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the role was last taken away: reactivating gives back the roles (and "
        "family-team places) taken away at that moment.",
    )

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
