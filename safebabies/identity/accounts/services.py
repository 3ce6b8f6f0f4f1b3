"""Account writes: sign-out everywhere, and the lifecycle a site admin runs (invite, change
roles, deactivate). Each runs in one transaction and is audited (STYLE.md)."""

import datetime as dt
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from safebabies.audit.models import AuditEvent
from safebabies.audit.services import audit_log
from safebabies.identity.accounts import links
from safebabies.identity.models import ApiToken, Site, SiteMembership, User
from safebabies.identity.roles import Role
from safebabies.identity.services import membership_add
from safebabies.identity.signals import role_restored, role_withdrawn, signed_out_everywhere

Action = AuditEvent.Action

# National staff see aggregates across every site: a site admin cannot hand that out
# (`manage.py add_member` can).
GRANTED_BY_SITE_ADMIN = frozenset(Role.values) - {Role.NATIONAL}


def _check_grantable(roles: set[str]) -> None:
    unknown = roles - set(Role.values)
    if unknown:
        raise ValidationError({"roles": f"Unknown role(s): {', '.join(sorted(unknown))}."})
    if roles - GRANTED_BY_SITE_ADMIN:
        raise ValidationError(
            {"roles": "National staff accounts are created by the national team, not a site."}
        )


@transaction.atomic
def user_sign_out_everywhere(*, user: User, actor: User, request: HttpRequest | None = None) -> int:
    """Ends every session of `user` (their session hash changes), revokes every API token and
    (through `signed_out_everywhere`) every calendar feed. Returns how many tokens were
    revoked."""
    user = User.objects.select_for_update().get(pk=user.pk)
    user.session_salt = secrets.token_hex(16)
    user.save(update_fields=["session_salt"])
    revoked = ApiToken.objects.usable().filter(user=user).update(revoked_at=timezone.now())
    signed_out_everywhere.send(sender=User, user=user, actor=actor, request=request)
    audit_log(
        actor=actor,
        action=Action.SIGN_OUT,
        record=user,
        detail={"everywhere": True, "tokens_revoked": revoked},
        request=request,
    )
    return revoked


def language_set(*, user: User, language: str) -> None:
    """The language of `user`'s pages, reminders and family copies ("en" or "es")."""
    if user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])


# A phone number as people write it: digits, spaces, "+", "-", ".", "(", ")"; 7 to 15 digits
PHONE_CHARS = frozenset("0123456789 +-.()")


def phone_clean(phone: str) -> str:
    """`phone` trimmed, or a ValidationError naming `phone`."""
    phone = (phone or "").strip()
    if not phone:
        return ""
    digits = sum(c.isdigit() for c in phone)
    if not set(phone) <= PHONE_CHARS or not 7 <= digits <= 15 or len(phone) > 40:
        raise ValidationError(
            {"phone": "Write a phone number of 7 to 15 digits, for example 555-201-3344."}
        )
    return phone


@transaction.atomic
def user_phone_set(
    *,
    user: User,
    phone: str,
    actor: User,
    site: Site | None = None,
    request: HttpRequest | None = None,
) -> bool:
    """The phone families may call or text the person at (their own, or a site admin's change
    on the People page). Audited; False when nothing changed."""
    phone = phone_clean(phone)
    if phone == user.phone:
        return False
    user.phone = phone
    user.save(update_fields=["phone"])
    audit_log(
        actor=actor,
        action=Action.UPDATE,
        record=user,
        site_id=site.pk if site is not None else None,
        detail={"fields": ["phone"]},
        request=request,
    )
    return True


# "Send me a sign-in link": at most this many an hour per e-mail address and per network
# address (the answer is the same either way; nothing more is sent)
LINKS_PER_HOUR = 5


def _throttle_key(key: str) -> str:
    return f"sign-in-link:{salted_hmac('sign-in-link', key, algorithm='sha256').hexdigest()[:24]}"


def link_throttled(*keys: str) -> bool:
    """Counts one request against each key for the hour; True when any is over the limit."""
    over = False
    for key in keys:
        name = _throttle_key(key)
        cache.add(name, 0, timeout=3600)
        try:
            count = cache.incr(name)
        except ValueError:
            count = 1
        over = over or count > LINKS_PER_HOUR
    return over


def link_throttle_reset(*keys: str) -> None:
    """Forgets the counts of `keys` ("email:<address>", "address:<ip>")."""
    cache.delete_many([_throttle_key(key) for key in keys])


def sign_in_link_send(*, email: str, address: str) -> bool:
    """E-mails a one-time sign-in link to `email` when it is a parent's account that signs in
    by link, in their language; True when one was sent. Nothing is said either way to the
    person asking."""
    email = (email or "").strip().lower()
    if link_throttled(f"email:{email}", f"address:{address}"):
        return False
    user = User.objects.filter(email__iexact=email).first()
    if user is None or not links.may_sign_in_by_link(user):
        return False
    link_send(user=user, purpose=links.SIGN_IN)
    return True


def link_send(
    *, user: User, purpose: str, invited_by: User | None = None, link: str | None = None
) -> None:
    """The e-mail with a link, in the person's language, after the transaction commits: a
    sign-in link asked for (`links.SIGN_IN`), an invitation with a sign-in link
    (`links.INVITE`) or with a link to choose a password (`links.CHOOSE_PASSWORD`). It holds
    no detail of the family: only who invited them and the link."""
    link = link or links.sign_in_link(user, purpose)
    with translation.override(user.preferred_language or "en"):
        context = {
            "user": user,
            "link": link,
            "invited_by": invited_by,
            "purpose": purpose,
        }
        subject = str(
            _("Your sign-in link")
            if purpose == links.SIGN_IN
            else _("You are invited to see your family's meetings")
        )
        body = render_to_string("accounts/email/sign_in_link.txt", context)
    transaction.on_commit(
        lambda: send_mail(f"Safe Babies: {subject}", body, None, [user.email], fail_silently=False)
    )


def set_password_link(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return f"{settings.SITE_URL}{path}"


@transaction.atomic
def account_invite(
    *,
    actor: User,
    site: Site,
    email: str,
    roles: Iterable[str],
    full_name: str = "",
    request: HttpRequest | None = None,
) -> User:
    """Gives `email` the roles at `site` (creating the account with no password) and, after
    the commit, e-mails a link to set a password. The caller checked `actor` is a site admin."""
    roles = sorted(set(roles))
    if not roles:
        raise ValidationError({"roles": "Choose at least one role."})
    _check_grantable(set(roles))
    if email and "@" not in email:
        raise ValidationError({"email": "Enter a valid e-mail address."})
    results = [
        membership_add(email=email, site_slug=site.slug, role=role, actor=actor) for role in roles
    ]
    user = results[-1].membership.user
    if full_name and not user.full_name:
        user.full_name = full_name.strip()
        user.full_clean(exclude=["password"])
        user.save(update_fields=["full_name"])
    link = set_password_link(user)
    body = render_to_string(
        "accounts/email/invite.txt", {"site": site, "link": link, "user": user, "actor": actor}
    )
    transaction.on_commit(
        lambda: send_mail(
            f"You are invited to {site.name}",
            body,
            None,
            [user.email],
            fail_silently=False,
        )
    )
    audit_log(
        actor=actor,
        action=Action.CREATE,
        record=user,
        site_id=site.pk,
        detail={"invited": True, "roles": roles},
        request=request,
    )
    return user


@transaction.atomic
def membership_set_roles(
    *,
    actor: User,
    site: Site,
    user: User,
    roles: Iterable[str],
    request: HttpRequest | None = None,
) -> set[str]:
    """Makes `roles` exactly the active roles `user` holds at `site`. A role taken away is
    deactivated (kept for the record) and ends the person's place on family teams in that role
    at this site at once. Returns the roles now held. Empty `roles` deactivates the person."""
    wanted = set(roles)
    rows = {
        m.role: m for m in SiteMembership.objects.select_for_update().filter(user=user, site=site)
    }
    already = {role for role, row in rows.items() if row.is_active}
    _check_grantable(wanted - already)  # a national role already held may stay
    if actor.pk == user.pk and Role.SITE_ADMIN not in wanted:
        raise ValidationError({"roles": "You cannot remove your own site admin role."})
    for role in sorted(wanted):
        row = rows.get(role)
        if row is None or not row.is_active:
            membership_add(email=user.email, site_slug=site.slug, role=role, actor=actor)
    removed = sorted(role for role, row in rows.items() if row.is_active and role not in wanted)
    now = timezone.now()
    for role in removed:
        _withdraw(rows[role], actor=actor, site=site, user=user, request=request, at=now)
    return wanted


def _withdraw(
    row: SiteMembership,
    *,
    actor: User,
    site: Site,
    user: User,
    request: HttpRequest | None,
    at: dt.datetime | None = None,
) -> None:
    """Deactivates one locked membership row (dated `at`, so that reactivating gives back the
    roles taken away together), audited, and tells the layers above (`role_withdrawn`: the
    person's family-team places in that role at the site end)."""
    row.is_active = False
    row.deactivated_at = at or timezone.now()
    row.full_clean()
    row.save(update_fields=["is_active", "deactivated_at"])
    audit_log(
        actor=actor,
        action=Action.UPDATE,
        record=row,
        site_id=site.pk,
        detail={"user": user.pk, "role": row.role, "fields": ["is_active"], "is_active": False},
        request=request,
    )
    role_withdrawn.send(
        sender=SiteMembership, actor=actor, site=site, user=user, role=row.role, request=request
    )


@transaction.atomic
def membership_withdraw(
    *, actor: User, membership: SiteMembership, request: HttpRequest | None = None
) -> SiteMembership:
    """Takes one role away (the Django admin's "active" box, superusers only): the same as
    the People page taking it away, so the person's family-team places in it end too.
    Idempotent."""
    row = (
        SiteMembership.objects.select_for_update()
        .select_related("site", "user")
        .get(pk=membership.pk)
    )
    if row.is_active:
        _withdraw(row, actor=actor, site=row.site, user=row.user, request=request)
    return row


def account_deactivate(
    *, actor: User, site: Site, user: User, request: HttpRequest | None = None
) -> None:
    """Takes away every role `user` holds at `site`: from the next request on, neither their
    sessions nor their tokens open anything of this site. Other sites are untouched.
    `account_reactivate` undoes it."""
    membership_set_roles(actor=actor, site=site, user=user, roles=[], request=request)


def roles_to_give_back(site: Site, user: User) -> list[SiteMembership]:
    """The roles `user` lost at `site` in the last deactivation (or the last time roles were
    taken away together), when they hold none there now; [] otherwise."""
    rows = list(SiteMembership.objects.filter(user=user, site=site))
    if any(row.is_active for row in rows):
        return []
    dated = [row for row in rows if row.deactivated_at is not None]
    if not dated:
        return []
    last = max(row.deactivated_at for row in dated)  # type: ignore[type-var]
    return sorted((row for row in dated if row.deactivated_at == last), key=lambda r: r.role)


@transaction.atomic
def account_reactivate(
    *, actor: User, site: Site, user: User, request: HttpRequest | None = None
) -> list[str]:
    """Undoes a deactivation: gives `user` back the roles taken away from them at `site` at
    that moment, and (`role_restored`) the family-team places those roles held then. Returns
    the roles given back."""
    list(SiteMembership.objects.select_for_update().filter(user=user, site=site))  # lock them
    rows = roles_to_give_back(site, user)
    if not rows:
        raise ValidationError("There is no deactivation to undo: this person holds no role here.")
    roles = [row.role for row in rows]
    _check_grantable(set(roles))
    for row in rows:
        since = row.deactivated_at
        membership_add(email=user.email, site_slug=site.slug, role=row.role, actor=actor)
        role_restored.send(
            sender=SiteMembership,
            actor=actor,
            site=site,
            user=user,
            role=row.role,
            since=since,
            request=request,
        )
    return roles
