"""Reads about sites, members and roles."""

from django.conf import settings
from django.db.models import QuerySet

from safebabies.identity.models import Site, SiteMembership, User
from safebabies.identity.roles import AGGREGATE_ROLES, FAMILY_ROLES, Role


def active_memberships(user: User) -> QuerySet[SiteMembership]:
    if not user.is_authenticated or not user.is_active:
        return SiteMembership.objects.none()
    return SiteMembership.objects.filter(user=user, is_active=True).select_related("site")


def roles_of(user: User) -> dict[int, set[str]]:
    """{site_id: {role, ...}} for the user's active memberships (cached on the user object)."""
    cached = getattr(user, "_site_roles", None)
    if cached is not None:
        return cached
    roles: dict[int, set[str]] = {}
    for site_id, role in active_memberships(user).values_list("site_id", "role"):
        roles.setdefault(site_id, set()).add(role)
    user._site_roles = roles  # type: ignore[attr-defined]
    return roles


def site_roles(user: User, site_id: int) -> set[str]:
    return roles_of(user).get(site_id, set())


def sites_where(user: User, role: str) -> list[int]:
    """The sites where the user holds `role` (active), in id order."""
    return sorted(site for site, held in roles_of(user).items() if role in held)


def admin_site_ids(user: User) -> list[int]:
    """The sites where the user is an active site admin."""
    return sites_where(user, Role.SITE_ADMIN)


def is_national(user: User) -> bool:
    return any(Role.NATIONAL in roles for roles in roles_of(user).values())


def is_aggregate_only(user: User) -> bool:
    """True when every role the user holds is aggregate-only (SIT, national)."""
    all_roles = set().union(*roles_of(user).values()) if roles_of(user) else set()
    return bool(all_roles) and all_roles <= AGGREGATE_ROLES


def is_family_only(user: User) -> bool:
    """The user holds the parent role and no other, at every site: the family's own pages are
    all there is for them (no professional menu, no case list)."""
    all_roles = set().union(*roles_of(user).values()) if roles_of(user) else set()
    return bool(all_roles) and all_roles <= FAMILY_ROLES


def sites_of(user: User) -> QuerySet[Site]:
    return Site.objects.filter(id__in=list(roles_of(user)))


def home_time_zone(user: User) -> str:
    """The time zone the person's pages are shown in: that of their site (the first one, by id,
    when they hold roles at several), UTC when they hold none."""

    zone = (
        Site.objects.filter(memberships__user=user, memberships__is_active=True)
        .order_by("pk")
        .values_list("timezone", flat=True)
        .first()
    )
    return zone or settings.TIME_ZONE


def access_site(user: User, slug: str, *, roles: frozenset[str] | set[str] | None = None) -> Site:
    """The site `slug` if the user is an active member (holding one of `roles` when given).

    Anyone else gets a 404: the answer never confirms the site exists."""
    from django.http import Http404

    site = Site.objects.filter(slug=slug).first()
    if site is None:
        raise Http404("No such site")
    held = site_roles(user, site.id)
    if not held or (roles is not None and not (held & set(roles))):
        raise Http404("No such site")
    return site
