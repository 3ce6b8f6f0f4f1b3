"""Reads for the account pages: people of a site and its audit trail (site admins only)."""

import datetime as dt
from collections import defaultdict

from django.db.models import Q, QuerySet

from safebabies.audit.models import AuditEvent
from safebabies.identity.models import Site, SiteMembership, User
from safebabies.identity.roles import Role
from safebabies.identity.selectors import access_site


def admin_site(user: User, slug: str) -> Site:
    """The site when `user` is its site admin; a 404 otherwise (never confirms it exists)."""
    return access_site(user, slug, roles={Role.SITE_ADMIN})


def site_people(site: Site) -> list[tuple[User, list[str], bool]]:
    """(user, active role labels, active) for everyone who ever held a role at the site."""
    rows = SiteMembership.objects.filter(site=site).select_related("user").order_by("user__email")
    held: dict[int, list[str]] = defaultdict(list)
    users: dict[int, User] = {}
    for row in rows:
        users[row.user_id] = row.user
        if row.is_active:
            held[row.user_id].append(row.get_role_display())
    return [(user, held[pk], bool(held[pk])) for pk, user in users.items()]


def site_person(site: Site, user_id: int) -> tuple[User, set[str]]:
    from django.http import Http404

    rows = list(SiteMembership.objects.filter(site=site, user_id=user_id).select_related("user"))
    if not rows:
        raise Http404("No such person at this site")
    return rows[0].user, {row.role for row in rows if row.is_active}


def site_audit_events(
    site: Site,
    *,
    person: str = "",
    family: str = "",
    action: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.filter(site=site).select_related("actor")
    if person:
        events = events.filter(actor__email__iexact=person.strip())
    if family:
        family = family.strip()
        events = events.filter(Q(case_id=family) | Q(detail__case_ids__contains=[family]))
    if action:
        events = events.filter(action=action)
    if date_from:
        events = events.filter(at__date__gte=date_from)
    if date_to:
        events = events.filter(at__date__lte=date_to)
    return events.order_by("-at", "-id")
