"""Two-factor sign-in: who needs it, enrolment, recovery codes (django-otp: TOTP + static)."""

import secrets
from dataclasses import dataclass

import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from safebabies.audit.models import AuditEvent
from safebabies.audit.services import audit_log
from safebabies.identity.accounts.links import may_sign_in_by_link
from safebabies.identity.models import User
from safebabies.identity.selectors import is_aggregate_only

RECOVERY_CODE_COUNT = 10
TOTP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


def two_factor_required(user: User) -> bool:
    """With REQUIRE_2FA on, everyone needs a second factor except people whose every role is
    aggregate-only (Site Implementation Team, national staff): they can never open a case
    record. Someone with no role yet needs it too, so that a role given later is covered.
    A parent who chose sign-in links (and so has no password) signs in by those alone."""
    if not settings.REQUIRE_2FA or not user.is_authenticated:
        return False
    if may_sign_in_by_link(user):
        # a parent with no password, who signs in by a one-time link to their own e-mail
        # (accounts/links.py): the link is the factor they chose; any other role ends it
        return False
    return not is_aggregate_only(user)


def has_second_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def check_code(*, user: User, code: str):
    """The device this code (a 6-digit TOTP code or an unused recovery code) belongs to, or
    None. A recovery code is used up. django-otp throttles repeated wrong codes."""
    code = "".join(ch for ch in (code or "") if ch.isalnum()).lower()  # "12345-67890" too
    if not code:
        return None
    return match_token(user, code)


def pending_totp_device(user: User) -> TOTPDevice:
    """The unconfirmed authenticator device being set up (one at a time)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def qr_svg_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// address as an SVG QR code, drawn on the server (no script needed)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def secret_for_typing(device: TOTPDevice) -> str:
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@dataclass(frozen=True)
class Enrolment:
    device: TOTPDevice
    recovery_codes: list[str]  # shown once; django-otp stores them for matching


@transaction.atomic
def two_factor_enrol(
    *, user: User, device: TOTPDevice, code: str, request: HttpRequest | None = None
) -> Enrolment | None:
    """Confirms the pending authenticator when `code` matches it: older authenticators and
    recovery codes are replaced. Returns None when the code does not match."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
    if not device.verify_token("".join((code or "").split())):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [f"{secrets.randbelow(10**10):010d}" for _ in range(RECOVERY_CODE_COUNT)]
    for code_ in codes:
        StaticToken.objects.create(device=static, token=code_)
    audit_log(
        actor=user,
        action=AuditEvent.Action.UPDATE,
        record=user,
        detail={"two_factor": "enrolled", "recovery_codes": RECOVERY_CODE_COUNT},
        request=request,
    )
    return Enrolment(device=device, recovery_codes=[f"{c[:5]}-{c[5:]}" for c in codes])
