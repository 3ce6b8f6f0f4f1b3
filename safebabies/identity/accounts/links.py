"""Sign-in links: how a parent who chose "a link by e-mail, no password" signs in.

A link names the account and a fingerprint of its sign-in state (last sign-in, password,
`session_salt`), signed with the app's secret and dated. It opens one sign-in: signing in
changes `last_login`, so the same link, or any other sent before it, no longer matches. A link
asked for on the sign-in page lasts `SIGN_IN_LINK_MINUTES`; the one in an invitation
`INVITE_LINK_HOURS`. "Sign out everywhere" (a new `session_salt`) and deactivation end every
link at once. Links are for family-only accounts that chose them (`User.sign_in_with`): an
account that holds any other role signs in with its password and second factor, whatever link
it is sent.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

from safebabies.identity.models import User
from safebabies.identity.selectors import is_family_only

SALT = "safebabies.identity.sign-in-link"
SIGN_IN = "sign_in"
INVITE = "invite"
# an invitation to choose a password (Django's password-reset link, not a sign-in link)
CHOOSE_PASSWORD = "password"  # noqa: S105 - the name of a kind of e-mail, not a password


def _max_age(purpose: str) -> int:
    if purpose == INVITE:
        return settings.INVITE_LINK_HOURS * 3600
    return settings.SIGN_IN_LINK_MINUTES * 60


def _fingerprint(user: User) -> str:
    last = user.last_login.isoformat() if user.last_login else ""
    return salted_hmac(
        SALT, f"{user.pk}:{last}:{user.password}:{user.session_salt}", algorithm="sha256"
    ).hexdigest()[:32]


def may_sign_in_by_link(user: User) -> bool:
    return (
        user.is_active
        and user.sign_in_with == User.SignIn.LINK
        and not user.has_usable_password()
        and is_family_only(user)
    )


def sign_in_link(user: User, purpose: str = SIGN_IN) -> str:
    """The address that signs `user` in once (SITE_URL + path)."""
    token = signing.dumps({"u": user.pk, "f": _fingerprint(user), "p": purpose}, salt=SALT)
    return f"{settings.SITE_URL}{reverse('sign-in-link', args=[token])}"


def user_of_link(token: str) -> User | None:
    """The account a link signs in, or None when it is forged, too old, already used, or the
    account may not sign in by link."""
    try:
        data = signing.loads(token, salt=SALT, max_age=_max_age(INVITE))
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("p") not in (SIGN_IN, INVITE):
        return None
    try:
        signing.loads(token, salt=SALT, max_age=_max_age(data["p"]))
    except signing.BadSignature:
        return None
    user_id = data.get("u")
    if not isinstance(user_id, int):
        return None
    user = User.objects.filter(pk=user_id).first()
    if user is None or not may_sign_in_by_link(user):
        return None
    if not constant_time_compare(str(data.get("f", "")), _fingerprint(user)):
        return None
    return user
