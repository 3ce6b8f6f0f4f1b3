"""Writes of the notify app: sending what is due, alerts, preferences, calendar feeds."""

from __future__ import annotations

import datetime as dt
import secrets
from collections import Counter
from typing import Any

from django.db import transaction
from django.utils import timezone

from safebabies.audit.models import AuditEvent
from safebabies.audit.services import audit_log
from safebabies.identity.models import Site, User
from safebabies.identity.roles import Role
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


def calendar_feed_revoke(*, user: User) -> int:
    with transaction.atomic():
        revoked = CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if revoked:
            audit_log(
                actor=user,
                action=AuditEvent.Action.DELETE,
                record_type="notify.calendarfeed",
                record_id=str(user.pk),
            )
    return revoked
