"""Writes of the notify app: sending what is due, alerts, preferences, calendar feeds."""

from __future__ import annotations

import datetime as dt
import secrets
from collections import Counter
from typing import Any

from django.db import transaction
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from assessments.signals import part2_release_confirmed, part2_release_recorded
from safebabies.audit.models import AuditEvent
from safebabies.audit.services import audit_log
from safebabies.identity.models import Site, SiteMembership, User
from safebabies.identity.roles import Role
from safebabies.identity.signals import role_withdrawn, signed_out_everywhere
from safebabies.notify import reminders
from safebabies.notify.delivery import Message, Recipient, deliver
from safebabies.notify.models import CalendarFeed, Notification, NotificationPreference


def send_reminders(*, now: dt.datetime | None = None) -> Counter[str]:
    """Send every reminder and alert due at `now`; each at most once (see delivery.deliver).
    Returns how many were sent, by kind."""
    now = now or timezone.now()
    sent: Counter[str] = Counter()
    for message, recipient in reminders.due_at(now):
        if deliver(message, recipient):
            sent[message.kind] += 1
    return sent


def notify_site_admins(
    *, site: Site, kind: str, occasion: str, context: dict[str, Any], link: str = ""
) -> int:
    """An alert to every active site admin of `site` (in the app, and by e-mail if they like)."""
    admins = User.objects.filter(
        memberships__site=site,
        memberships__role=Role.SITE_ADMIN,
        memberships__is_active=True,
        is_active=True,
    ).distinct()
    message = Message(kind, str(site.pk), occasion, context, link)
    return sum(deliver(message, Recipient.for_user(user)) for user in admins)


@receiver(part2_release_recorded)
@receiver(part2_release_confirmed)
def _tell_coordinators_of_a_part2_release(sender, consent, actor, signal, **kwargs) -> int:
    """A release of substance-use treatment records was recorded (or confirmed): the site's
    Community Coordinators and site admins are told, except the person who did it. No name of
    the family is in the message (`messages`); the link leads to its page of releases."""
    site = consent.case.site
    people = (
        User.objects.filter(
            memberships__site=site,
            memberships__role__in=[Role.COMMUNITY_COORDINATOR, Role.SITE_ADMIN],
            memberships__is_active=True,
            is_active=True,
        )
        .exclude(pk=actor.pk)
        .distinct()
    )
    recorded = signal is part2_release_recorded
    period = f"from {consent.granted_on:%-d %b %Y}" + (
        f" until {consent.expires_on:%-d %b %Y}" if consent.expires_on else ""
    )
    waits = recorded and consent.confirmed_at is None
    context = {
        "actor": str(actor),
        "site_name": site.name,
        "recipient_role": consent.get_recipient_role_display(),
        "period": period,
        "confirmation": "It names a role the recorder holds: it is not in force until a "
        "second coordinator or site admin confirms it. "
        if waits
        else "",
        "confirmation_es": "Necesita la confirmación de una segunda persona. " if waits else "",
    }
    message = Message(
        "part2_release_recorded" if recorded else "part2_release_confirmed",
        consent.pk,
        "recorded" if recorded else "confirmed",
        context,
        reverse("consent-list", args=[consent.case_id]) + f"#consent-{consent.pk}",
    )
    return sum(deliver(message, Recipient.for_user(user)) for user in people)


def preference_set(*, user: User, channel: str) -> NotificationPreference:
    with transaction.atomic():
        pref, _ = NotificationPreference.objects.get_or_create(user=user)
        pref.channel = channel
        pref.full_clean()
        pref.save()
        audit_log(
            actor=user,
            action=AuditEvent.Action.UPDATE,
            record_type="notify.notificationpreference",
            record_id=str(pref.pk),
            detail={"channel": channel},
        )
    return pref


def notifications_mark_read(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def calendar_feed_create(*, user: User) -> str:
    """A new private feed for `user` (revoking the one they had); returns the token, which is
    shown once and stored only as its hash."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        CalendarFeed.objects.select_for_update().filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        feed = CalendarFeed(user=user, token_hash=CalendarFeed.hash(token))
        feed.full_clean()
        feed.save()
        audit_log(
            actor=user,
            action=AuditEvent.Action.CREATE,
            record_type="notify.calendarfeed",
            record_id=str(feed.pk),
        )
    return token


def calendar_feed_revoke(
    *, user: User, actor: User | None = None, reason: str = "", request=None
) -> int:
    """Stops `user`'s calendar feed (by themselves, or, with `actor` and `reason`, as part of
    signing them out everywhere or deactivating them)."""
    with transaction.atomic():
        revoked = CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if revoked:
            audit_log(
                actor=actor or user,
                action=AuditEvent.Action.DELETE,
                record_type="notify.calendarfeed",
                record_id=str(user.pk),
                detail={"reason": reason} if reason else None,
                request=request,
            )
    return revoked


def calendar_feed_read_audit(*, user: User, items: dict[str, list], request=None) -> None:
    """A read of the feed is a list of the families' dates: one `list` event per site whose
    records it carried (one INSERT for the usual person of one site), naming the cases."""
    cases_by_site: dict[int | None, set[str]] = {}
    for ftm in items["ftms"]:
        cases_by_site.setdefault(ftm.case.site_id, set()).add(str(ftm.case_id))
    for hearing in items["hearings"]:
        cases_by_site.setdefault(hearing.case.site_id, set()).add(str(hearing.case_id))
    for visit in items["visits"]:
        cases_by_site.setdefault(visit.child.case.site_id, set()).add(str(visit.child.case_id))
    counts = {kind: len(rows) for kind, rows in items.items()}
    for site_id, case_ids in sorted(cases_by_site.items()) or [(None, set())]:
        audit_log(
            actor=user,
            action=AuditEvent.Action.LIST,
            record_type="notify.calendarfeed",
            record_id=str(user.pk),
            site_id=site_id,
            detail={"calendar_feed": True, "cases": sorted(case_ids), **counts},
            request=request,
        )


@receiver(signed_out_everywhere, dispatch_uid="revoke_calendar_feeds_signed_out_everywhere")
def calendar_feeds_end_on_sign_out_everywhere(*, user: User, actor: User, request=None, **kwargs):
    """ "Sign out everywhere" ends the calendar feed too (a feed URL is a credential)."""
    calendar_feed_revoke(user=user, actor=actor, reason="signed out everywhere", request=request)


@receiver(role_withdrawn, dispatch_uid="revoke_calendar_feeds_deactivated")
def calendar_feeds_end_on_deactivation(
    *, actor: User, site: Site, user: User, role: str, request=None, **kwargs
):
    """The person's last role at a site taken away (deactivated there) ends their calendar
    feed: it would otherwise keep publishing what their remaining sites show, under an address
    handed out while they worked here. They can make a new one."""
    if not SiteMembership.objects.filter(user=user, site=site, is_active=True).exists():
        calendar_feed_revoke(user=user, actor=actor, reason="deactivated", request=request)
