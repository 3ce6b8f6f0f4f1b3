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
from cases.access import records_visible_to
from cases.closing import selectors as closing
from cases.closing.services import case_purged, transfer_requested
from safebabies import codes
from safebabies.audit.models import AuditEvent
from safebabies.audit.services import audit_log
from safebabies.identity.models import Site, SiteMembership, User
from safebabies.identity.roles import Role
from safebabies.identity.signals import role_withdrawn, signed_out_everywhere
from safebabies.notify import reminders
from safebabies.notify.delivery import Message, Recipient, deliver
from safebabies.notify.models import CalendarFeed, Notification, NotificationPreference
from teams.selectors import open_action_items_of


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


def retention_review(*, today: dt.date | None = None) -> int:
    """Tells each site's admins, once a week, how many of its closed cases are past the site's
    retention period and not sealed yet (`closing.cases_past_retention`): the page of the
    link lists them, to seal or purge. No family is named. Returns the alerts sent."""
    sent = 0
    for site in Site.objects.order_by("pk"):
        day = today or site.today()
        count = closing.cases_past_retention(site, day).filter(sealed_at__isnull=True).count()
        if not count:
            continue
        year, week, _ = day.isocalendar()
        sent += notify_site_admins(
            site=site,
            kind="retention_due",
            occasion=f"{year}-W{week:02d}",
            context={"count": count, "site_name": site.name, "years": site.retention_years},
            link=reverse("retention", args=[site.slug]),
        )
    return sent


@receiver(case_purged, dispatch_uid="notifications_of_a_purged_case")
def notifications_end_with_their_case(*, case_id: str, **kwargs) -> dict[str, int]:
    """A purged case's in-app notifications go with it (their words may name the family)."""
    deleted, _ = Notification.objects.filter(case_id=case_id).delete()
    return {"notify.notification": deleted} if deleted else {}


@receiver(transfer_requested, dispatch_uid="tell_the_receiving_site_of_a_transfer")
def tell_the_receiving_site(*, transfer, **kwargs) -> int:
    """The receiving site's Community Coordinators and site admins are told a case waits for
    them (no family named: the transfers page shows them what they need to decide)."""
    people = User.objects.filter(
        memberships__site_id=transfer.to_site_id,
        memberships__role__in=[Role.COMMUNITY_COORDINATOR, Role.SITE_ADMIN],
        memberships__is_active=True,
        is_active=True,
    ).distinct()
    message = Message(
        "transfer_requested",
        transfer.pk,
        "requested",
        {"from_site": transfer.from_site.name, "to_site": transfer.to_site.name},
        reverse("transfer-decide", args=[transfer.pk]),
    )
    return sum(deliver(message, Recipient.for_user(user)) for user in people)


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


def notification_read(*, notification: Notification) -> Notification:
    """One notification read (opened, or marked read). Idempotent."""
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


MEETING_REMINDERS = ("ftm_day_before", "ftm_morning_of", "ftm_changed")


def notifications_settle(*, user: User, today: dt.date) -> int:
    """Marks read the unread notifications of `user` whose work is done: a meeting or hearing
    reminder once it was held, cancelled or its day is past; a cancellation once its day is
    past; "no FTM lately" once an FTM of the family is held or planned since; a release waiting
    for its confirmation once confirmed; an expiring consent once revoked or followed by a new
    one; the weekly action-item digest once none is open. Records are read through
    `cases.access`, as the user may see them (a family they no longer see is left as it is).
    Returns how many were marked."""
    unread = list(
        Notification.objects.filter(user=user, read_at__isnull=True)
        .exclude(object_id="")
        .only("pk", "kind", "object_id", "created_at")
    )
    if not unread:
        return 0
    by_kind: dict[str, list[Notification]] = {}
    for n in unread:
        by_kind.setdefault(n.kind, []).append(n)
    done: list[int] = []

    def ids(*kinds: str) -> list[str]:
        return [n.object_id for kind in kinds for n in by_kind.get(kind, [])]

    if wanted := ids(*MEETING_REMINDERS, "ftm_cancelled"):
        ftms = {
            ftm.pk: ftm
            for ftm in records_visible_to(user, "ftm")
            .filter(pk__in=wanted)
            .only("pk", "scheduled_on", "status")
        }
        for kind in (*MEETING_REMINDERS, "ftm_cancelled"):
            for n in by_kind.get(kind, []):
                ftm = ftms.get(n.object_id)
                if ftm is None:
                    continue
                past = ftm.scheduled_on < today
                if past or (kind != "ftm_cancelled" and ftm.status != codes.FtmStatus.SCHEDULED):
                    done.append(n.pk)
    if wanted := ids("hearing_two_days"):
        hearings = {
            h.pk: h
            for h in records_visible_to(user, "hearing")
            .filter(pk__in=wanted)
            .only("pk", "scheduled_on", "status")
        }
        for n in by_kind["hearing_two_days"]:
            hearing = hearings.get(n.object_id)
            if hearing and (
                hearing.scheduled_on < today or hearing.status != codes.HearingStatus.SCHEDULED
            ):
                done.append(n.pk)
    if wanted := ids("alert_no_ftm"):
        met = (
            records_visible_to(user, "ftm")
            .filter(case_id__in=wanted)
            .exclude(status=codes.FtmStatus.CANCELLED)
        )
        latest: dict[str, dt.date] = {}
        for case_id, day in met.values_list("case_id", "scheduled_on"):
            latest[case_id] = max(day, latest.get(case_id, day))
        for n in by_kind["alert_no_ftm"]:
            if latest.get(n.object_id, dt.date.min) >= timezone.localdate(n.created_at):
                done.append(n.pk)
    if wanted := ids("part2_release_recorded", "alert_consent_expiring"):
        consents = {c.pk: c for c in records_visible_to(user, "consent").filter(pk__in=wanted)}
        renewed = set(
            records_visible_to(user, "consent")
            .filter(
                case_id__in={c.case_id for c in consents.values()},
                revoked_on__isnull=True,
            )
            .values_list("case_id", "person_id", "category", "recipient_role", "pk")
        )
        for n in by_kind.get("part2_release_recorded", []):
            consent = consents.get(n.object_id)
            if consent is not None and consent.confirmed_at is not None:
                done.append(n.pk)
        for n in by_kind.get("alert_consent_expiring", []):
            consent = consents.get(n.object_id)
            if consent is None:
                continue
            key = (consent.case_id, consent.person_id, consent.category, consent.recipient_role)
            newer = any(row[:4] == key and row[4] != consent.pk for row in renewed)
            if consent.revoked_on is not None or newer:
                done.append(n.pk)
    if by_kind.get("action_digest") and not open_action_items_of(user).exists():
        done.extend(n.pk for n in by_kind["action_digest"])
    if not done:
        return 0
    return Notification.objects.filter(pk__in=done, read_at__isnull=True).update(
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
