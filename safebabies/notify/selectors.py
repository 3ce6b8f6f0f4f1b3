"""Reads of the notify app: a user's notifications and what their calendar feed holds.

The feed goes through the case access functions: FTMs and family time of the families whose
team the user is on (`ftm_cases_visible_to`, so a judge never gets an FTM), hearings of those
families and, for a judge, the hearings at their site that are theirs or not yet assigned.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from cases.access import (
    case_access_map,
    cases_visible_to,
    court_view_sites,
    ftm_cases_visible_to,
    team_places_in_force,
)
from cases.models import Case, Hearing
from familytime.models import Visit
from safebabies.identity.models import User
from safebabies.notify.models import CalendarFeed, Notification
from teams.models import Ftm

FEED_PAST_DAYS = 60
FEED_FUTURE_DAYS = 366
NOTIFICATIONS_SHOWN = 100


def notifications_of(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user)[:NOTIFICATIONS_SHOWN]


def notification_of(user: User, pk: int) -> Notification:
    """One of the user's own notifications; a 404 for anyone else's."""
    found = Notification.objects.filter(user=user, pk=pk).first()
    if found is None:
        raise Http404("No such notification")
    return found


def families_named(user: User, notifications: list[Notification]) -> dict[str, str]:
    """{case id: the family's name} for the families the notifications are about that the
    user may still open (`cases.access`): nobody else's family is named, and a family they no
    longer see stays unnamed. Names are shown in the app only, never in an e-mail."""
    case_ids = {n.case_id for n in notifications if n.case_id}
    if not case_ids:
        return {}
    return {pk: str(access.case) for pk, access in case_access_map(user, case_ids).items()}


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def feed_user(token: str) -> User | None:
    """The owner of an unrevoked feed, if their account is active and they hold an active role
    somewhere (checked at every read, besides the revocation by "sign out everywhere" and by
    deactivation)."""
    feed = (
        CalendarFeed.objects.filter(
            token_hash=CalendarFeed.hash(token),
            revoked_at__isnull=True,
            user__is_active=True,
            user__memberships__is_active=True,
        )
        .select_related("user")
        .first()
    )
    return feed.user if feed else None


def has_active_feed(user: User) -> bool:
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).exists()


def _team_cases(user: User) -> QuerySet[Case]:
    """The families whose team gives the user a place in force (not one in a role they no
    longer hold)."""
    on_team = team_places_in_force().filter(user=user).values("case_id")
    return cases_visible_to(user).filter(pk__in=on_team)


def feed_items(user: User, *, today: dt.date | None = None) -> dict[str, list]:
    today = today or timezone.now().date()
    window = (
        today - dt.timedelta(days=FEED_PAST_DAYS),
        today + dt.timedelta(days=FEED_FUTURE_DAYS),
    )
    team = _team_cases(user)
    ftms = Ftm.objects.filter(
        case__in=team.filter(pk__in=ftm_cases_visible_to(user).values("pk")),
        scheduled_on__range=window,
    ).select_related("case__site")
    court_sites = court_view_sites(user)
    hearings = Hearing.objects.filter(
        Q(case__in=team)
        | Q(case__site_id__in=court_sites, case__sealed_at__isnull=True)
        & (Q(judge=user) | Q(judge__isnull=True)),
        scheduled_on__range=window,
    ).select_related("case__site")
    visits = Visit.objects.filter(child__case__in=team, scheduled_on__range=window).select_related(
        "child__case__site"
    )
    return {
        "ftms": list(ftms.order_by("scheduled_on", "pk")),
        "hearings": list(hearings.order_by("scheduled_on", "pk")),
        "visits": list(visits.order_by("scheduled_on", "pk")),
    }
