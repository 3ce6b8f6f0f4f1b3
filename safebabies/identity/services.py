"""Writes about sites, members, family teams and API tokens.

Each service takes keyword arguments, runs in one transaction, validates with `full_clean()`
and writes an audit event for every change (STYLE.md). Callers (API views, management
commands) hold no rules of their own.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from safebabies.audit.models import AuditEvent
from safebabies.audit.services import audit_log
from safebabies.identity.models import ApiToken, Site, SiteMembership, User
from safebabies.identity.roles import Role

Action = AuditEvent.Action

# --- Sites and memberships --------------------------------------------------------------------


@transaction.atomic
def site_create(
    *, slug: str, name: str, timezone_name: str | None = None, actor: User | None = None
) -> tuple[Site, bool]:
    """The site `slug` with this name (and time zone when given): created when missing,
    brought up to date otherwise. Returns (site, created). Running it twice changes nothing."""
    site = Site.objects.select_for_update().filter(slug=slug).first()
    created = site is None
    if site is None:
        site = Site(slug=slug, name=name)
        if timezone_name:
            site.timezone = timezone_name
        site.full_clean()
        site.save()
        audit_log(actor=actor, action=Action.CREATE, record=site, detail={"slug": slug})
        return site, True
    changed = []
    if site.name != name:
        site.name = name
        changed.append("name")
    if timezone_name and site.timezone != timezone_name:
        site.timezone = timezone_name
        changed.append("timezone")
    if changed:
        site.full_clean()
        site.save(update_fields=changed)
        audit_log(actor=actor, action=Action.UPDATE, record=site, detail={"fields": changed})
    return site, created


@dataclass(frozen=True)
class MembershipResult:
    membership: SiteMembership
    user_created: bool
    membership_created: bool
    reactivated: bool
    password_set: bool


@transaction.atomic
def membership_add(
    *,
    email: str,
    site_slug: str,
    role: str,
    password: str | None = None,
    actor: User | None = None,
) -> MembershipResult:
    """Gives `email` the `role` at the site, creating the user when needed.

    A new user gets an unusable password unless `password` is given; a given password must
    pass Django's password validators (a ValidationError on "password" lists why) and is set
    on an existing user too. A deactivated membership is re-activated. Idempotent.
    """
    if role not in Role.values:
        raise ValidationError(
            {"role": f"Unknown role {role!r}: use one of {', '.join(Role.values)}."}
        )
    site = Site.objects.filter(slug=site_slug).first()
    if site is None:
        raise ValidationError({"site": f"No site with the slug {site_slug!r}."})
    email = (email or "").strip().lower()
    user = User.objects.select_for_update().filter(email__iexact=email).first()
    user_created = user is None
    if user is None:
        user = User(email=email)
        user.set_unusable_password()
        user.full_clean(exclude=["password"])
    password_set = False
    if password is not None:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise ValidationError({"password": error.messages}) from None
        user.set_password(password)
        password_set = True
    if user_created:
        user.save()
        audit_log(
            actor=actor,
            action=Action.CREATE,
            record=user,
            site_id=site.pk,
            detail={"password_set": password_set},
        )
    elif password_set:
        user.save(update_fields=["password"])
        audit_log(
            actor=actor,
            action=Action.UPDATE,
            record=user,
            site_id=site.pk,
            detail={"fields": ["password"]},
        )

    membership = (
        SiteMembership.objects.select_for_update().filter(user=user, site=site, role=role).first()
    )
    membership_created = membership is None
    reactivated = False
    if membership is None:
        membership = SiteMembership(user=user, site=site, role=role)
        membership.full_clean()
        membership.save()
        audit_log(
            actor=actor,
            action=Action.CREATE,
            record=membership,
            site_id=site.pk,
            detail={"user": user.pk, "role": role},
        )
    elif not membership.is_active:
        membership.is_active = True
        membership.full_clean()
        membership.save(update_fields=["is_active"])
        reactivated = True
        audit_log(
            actor=actor,
            action=Action.UPDATE,
            record=membership,
            site_id=site.pk,
            detail={"user": user.pk, "role": role, "fields": ["is_active"]},
        )
    return MembershipResult(membership, user_created, membership_created, reactivated, password_set)


# --- API tokens -------------------------------------------------------------------------------


class SignInRefused(ValidationError):
    """Wrong e-mail, wrong password or an inactive user: one answer for all three."""

    MESSAGE = "Unable to sign in with this e-mail address and password."

    def __init__(self) -> None:
        super().__init__(self.MESSAGE, code="sign_in_refused")


class SecondFactorNeeded(ValidationError):
    """The password was right, but the account signs in with two factors (REQUIRE_2FA)."""

    MESSAGE = (
        "This account signs in with two factors: send the 6-digit code from your "
        'authenticator app, or one of your recovery codes, as "otp" with the e-mail '
        "and password."
    )
    NOT_ENROLLED = (
        "This account signs in with two factors but has none set up yet: sign in once in the "
        'browser to set up an authenticator app, then ask for a token with "otp".'
    )
    WRONG = 'The "otp" code did not match. Check the authenticator app and try again.'

    def __init__(self, message: str = MESSAGE) -> None:
        super().__init__({"otp": message}, code="second_factor")


@dataclass(frozen=True)
class IssuedToken:
    raw: str  # shown once, to the caller; only its SHA-256 is stored
    token: ApiToken


def token_issue(
    *, email: str, password: str, otp: str = "", request: HttpRequest | None = None
) -> IssuedToken:
    """A new bearer token for the user these credentials belong to, valid for
    `API_TOKEN_TTL_HOURS`. Raises SignInRefused otherwise; the answer never tells an unknown
    e-mail from a wrong password or an inactive user.

    A refusal is audited by Django's `user_login_failed` signal, which `authenticate` sends
    (teams.signals), like a refused sign-in on the login page. django-axes counts refusals
    per account and per address and refuses every attempt while locked out.

    With REQUIRE_2FA on, a user who needs a second factor must also send `otp` (a TOTP code or
    a recovery code): without it, SecondFactorNeeded says so; a wrong code counts as a failed
    sign-in.
    """
    from safebabies.identity.accounts.twofactor import (
        check_code,
        has_second_factor,
        two_factor_required,
    )

    user = authenticate(request, username=email, password=password)
    if user is None:  # unknown, wrong password, or inactive (ModelBackend refuses those)
        raise SignInRefused()
    if two_factor_required(user):
        if not has_second_factor(user):
            raise SecondFactorNeeded(SecondFactorNeeded.NOT_ENROLLED)
        if not otp:
            raise SecondFactorNeeded()
        if check_code(user=user, code=otp) is None:
            user_login_failed.send(
                sender=__name__, credentials={"username": email}, request=request
            )
            raise SecondFactorNeeded(SecondFactorNeeded.WRONG)
    return _token_create(user=user, request=request)


@transaction.atomic
def _token_create(*, user: User, request: HttpRequest | None) -> IssuedToken:
    raw, key_hash = ApiToken.new_key()
    token = ApiToken(
        user=user,
        key_hash=key_hash,
        expires_at=timezone.now() + dt.timedelta(hours=settings.API_TOKEN_TTL_HOURS),
    )
    token.full_clean()
    token.save()
    audit_log(
        actor=user,
        action=Action.SIGN_IN,
        record=token,
        detail={"method": "api_token", "expires_at": token.expires_at.isoformat()},
        request=request,
    )
    return IssuedToken(raw=raw, token=token)


@transaction.atomic
def token_revoke(*, token: ApiToken, actor: User, request: HttpRequest | None = None) -> ApiToken:
    """Revokes a token at once; it gets a 401 from then on. Idempotent."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.full_clean()
    token.save(update_fields=["revoked_at"])
    audit_log(
        actor=actor,
        action=Action.SIGN_OUT,
        record=token,
        detail={"method": "api_token"},
        request=request,
    )
    return token
