"""Reads for the account pages: people of a site and its audit trail (site admins only)."""

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.db import models
from django.db.models import Q, QuerySet

from safebabies.audit.models import AuditEvent
from safebabies.identity.models import Site, SiteMembership, User
from safebabies.identity.roles import Role
from safebabies.identity.selectors import access_site


def admin_site(user: User, slug: str) -> Site:
    """The site when `user` is its site admin; a 404 otherwise (never confirms it exists)."""
    return access_site(user, slug, roles={Role.SITE_ADMIN})


class Status(models.TextChoices):
    """Where a person stands at a site, as the People page says it."""

    INVITED = "invited", "Invited"  # holds roles, has not set a password yet
    ACTIVE = "active", "Active"
    DEACTIVATED = "deactivated", "Deactivated"  # holds no role here any more


@dataclass(frozen=True)
class PersonRow:
    """One person of the People page."""

    user: User
    name: str
    email: str
    roles: str  # the labels of the roles they hold, or of those they held when deactivated
    status: str  # a Status label
    active: bool

    @property
    def sort_name(self) -> str:
        return (self.name or self.email).lower()


def status_of(user: User, active: bool) -> Status:
    if not active:
        return Status.DEACTIVATED
    if user.last_login is None and not user.has_usable_password():
        return Status.INVITED
    return Status.ACTIVE


def site_people(site: Site) -> list[PersonRow]:
    """Everyone who holds or held a role at the site, by e-mail, with the roles they hold (or,
    deactivated, those they held) and where they stand: invited until they set a password."""
    rows = SiteMembership.objects.filter(site=site).select_related("user").order_by("user__email")
    held: dict[int, list[str]] = defaultdict(list)
    former: dict[int, list[str]] = defaultdict(list)
    users: dict[int, User] = {}
    for row in rows:
        users[row.user_id] = row.user
        (held if row.is_active else former)[row.user_id].append(row.get_role_display())
    people = []
    for pk, user in users.items():
        active = bool(held[pk])
        roles = ", ".join(sorted(held[pk] if active else former[pk]))
        people.append(
            PersonRow(
                user=user,
                name=user.full_name,
                email=user.email,
                roles=roles if active or not roles else f"Had: {roles}",
                status=status_of(user, active).label,
                active=active,
            )
        )
    return people


def site_person(site: Site, user_id: int) -> tuple[User, set[str]]:
    from django.http import Http404

    rows = list(SiteMembership.objects.filter(site=site, user_id=user_id).select_related("user"))
    if not rows:
        raise Http404("No such person at this site")
    return rows[0].user, {row.role for row in rows if row.is_active}


def site_people_by_id(site: Site, user_ids: Iterable[str | int]) -> QuerySet[User]:
    """The people among `user_ids` who hold or held a role at the site (nobody else's name is
    shown to its admin)."""
    ids = [int(pk) for pk in user_ids if str(pk).isdigit()]
    return User.objects.filter(pk__in=ids, memberships__site=site).distinct()


def site_memberships_by_id(site: Site, ids: Iterable[str | int]) -> QuerySet[SiteMembership]:
    pks = [int(pk) for pk in ids if str(pk).isdigit()]
    return SiteMembership.objects.filter(pk__in=pks, site=site).select_related("user")


def site_people_matching(site: Site, text: str) -> QuerySet[User]:
    """People who hold or held a role at the site whose name or e-mail holds `text` (any
    case), and whoever's e-mail is exactly `text`."""
    text = text.strip()
    at_site = User.objects.filter(memberships__site=site).filter(
        Q(email__icontains=text) | Q(full_name__icontains=text)
    )
    return User.objects.filter(Q(pk__in=at_site.values("pk")) | Q(email__iexact=text))


def site_audit_events(
    site: Site,
    *,
    person: str = "",
    case_ids: Collection[str] | None = None,
    action: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    """The site's events, newest first. `person`: part of the actor's name or e-mail;
    `case_ids`: events about one of these cases (their own, and the lists that showed them)."""
    events = AuditEvent.objects.filter(site=site).select_related("actor")
    if person.strip():
        events = events.filter(actor__in=site_people_matching(site, person).values("pk"))
    if case_ids is not None:
        ids = list(case_ids)
        if not ids:
            return events.none()
        events = events.filter(Q(case_id__in=ids) | Q(detail__case_ids__has_any_keys=ids))
    if action:
        events = events.filter(action=action)
    if date_from:
        events = events.filter(at__date__gte=date_from)
    if date_to:
        events = events.filter(at__date__lte=date_to)
    return events.order_by("-at", "-id")
