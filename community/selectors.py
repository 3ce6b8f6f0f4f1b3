"""Reads of the Active Community Team and the provider directory, every one through
`cases.access` (SITE_RECORD_TYPES). Aggregates only: no family's record is read here."""

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from cases.access import (
    site_records_visible_to,
    site_records_writable_by,
    sites_adding,
    sites_reading,
)
from community.models import ActActionItem, ActMeeting, ActMember, Provider
from safebabies.identity.models import Site, SiteMembership, User


def site_for(user: User, kind: str, slug: str | None, *, adding: bool = False) -> Site:
    """The site whose rows of `kind` a page shows (`?site=`, or the user's first): one where
    they read every row (404 otherwise, whether it exists or not); with `adding`, one where
    they may add a row (403 where they only read)."""
    readable = sites_reading(user, kind)
    sites = Site.objects.filter(pk__in=readable).order_by("name", "id")
    site = sites.filter(slug=slug).first() if slug else sites.first()
    if site is None:
        raise Http404("Not found")
    if adding and site.pk not in sites_adding(user, kind):
        raise PermissionDenied("Only the Community Coordinator and site admins add these.")
    return site


def reading_sites(user: User, kind: str) -> list[Site]:
    return list(Site.objects.filter(pk__in=sites_reading(user, kind)).order_by("name", "id"))


def may_add(user: User, kind: str, site: Site) -> bool:
    return site.pk in sites_adding(user, kind)


def members_of(user: User, site: Site) -> QuerySet[ActMember]:
    return (
        site_records_visible_to(user, "act_member")
        .filter(site=site)
        .order_by("name", "user__email")
    )


def meetings_of(user: User, site: Site) -> QuerySet[ActMeeting]:
    return site_records_visible_to(user, "act_meeting").filter(site=site)


def open_items_of(user: User, site: Site) -> QuerySet[ActActionItem]:
    return (
        site_records_visible_to(user, "act_action_item")
        .filter(meeting__site=site, done_on__isnull=True)
        .select_related("owner__user", "meeting")
        .order_by("due_on", "id")
    )


def items_of_meeting(user: User, meeting: ActMeeting) -> list[ActActionItem]:
    """The meeting's action items, each with `changeable` (its owner or a keeper)."""
    items = list(
        site_records_visible_to(user, "act_action_item")
        .filter(meeting=meeting)
        .select_related("owner__user")
        .order_by("due_on", "id")
    )
    writable = set(
        site_records_writable_by(user, "act_action_item")
        .filter(pk__in=[i.pk for i in items])
        .values_list("pk", flat=True)
    )
    for item in items:
        item.changeable = item.pk in writable  # type: ignore[attr-defined]
    return items


def people_of_site(site: Site) -> list[tuple[str, str]]:
    """The people holding an active role at the site (a member who signs in), by name."""
    users = User.objects.filter(
        pk__in=SiteMembership.objects.filter(site=site, is_active=True).values("user_id")
    ).order_by("full_name", "email")
    return [(str(u.pk), str(u)) for u in users]


def providers_of(user: User, site: Site, service_type: str = "") -> QuerySet[Provider]:
    rows = site_records_visible_to(user, "provider").filter(site=site)
    if service_type:
        rows = rows.filter(service_types__contains=[service_type])
    return rows.order_by("name", "id")


def provider_choices(user: User, site_id: int) -> list[Provider]:
    """The providers the referral form offers: the site's, those accepting referrals first,
    then by shortest wait."""
    rows = site_records_visible_to(user, "provider").filter(site_id=site_id)
    return sorted(rows, key=lambda p: (not p.accepting_referrals, p.waitlist_weeks, p.name))


def meeting_with_attendees(user: User, meeting_id: str) -> QuerySet[ActMeeting]:
    return (
        site_records_visible_to(user, "act_meeting")
        .filter(Q(pk=meeting_id))
        .prefetch_related(Prefetch("attendees", queryset=ActMember.objects.select_related("user")))
    )
