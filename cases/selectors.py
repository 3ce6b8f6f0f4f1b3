"""Who may see which case, and reads of case records.

Every view, API view, export and task reaches case records through these functions
(STYLE.md): a record the user may not see is a 404, never a 403 that confirms it exists; a
record they may see but not change is a 403 on write.

The rules (DOMAIN.md "Confidentiality rules"):
- nobody sees another site's records;
- Community Coordinators and site admins see every case of their site;
- judges see every case of their site, in the court's view (no FTM notes, no clinical
  narrative, no substance-use detail), read-only;
- caseworkers, attorneys, GAL/CASA, clinicians and parent mentors see the cases whose family
  team they are on (`team_places_in_force`);
- Site Implementation Team and national users see aggregates only: no case at all.

Rights are per case. On a family's case a person acts in the roles that are site-wide by
nature which they hold at the case's site (`OPEN_EVERY_CASE`: Community Coordinator, site
admin, judge in the court's view) plus the roles of their places on that family's team; a
team place counts only while they hold its role at the site (an active membership), so a
place whose role they lose stops working at once. Holding another role at the site adds
nothing on a family whose team does not name them in it: a caseworker of the site who is the
parent mentor on one family's team is a parent mentor there. `CaseAccess.roles` are these
per-case roles, and everything else (writing, the court's and the mentor's views, Part 2
consents) is decided from them; the list functions apply the same rule in SQL.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from cases.models import Case, Child, Consent, TeamMember
from teams.models import Site, SiteMembership, User
from teams.roles import (
    CASE_WRITE_ROLES,
    COURT_ROLES,
    PLACEMENT_ADDRESS_ROLES,
    SITE_WIDE_CASE_ROLES,
    TEAM_MANAGER_ROLES,
    TEAM_ROLES,
    Role,
)
from teams.selectors import roles_of

# Roles that open every case of their site without a place on its family team: the Community
# Coordinator, the site admin and the judge (in the court's view).
OPEN_EVERY_CASE = SITE_WIDE_CASE_ROLES | COURT_ROLES


def team_places_in_force() -> QuerySet[TeamMember]:
    """The family-team places that count: not removed, of an active account, in a role the
    member holds at the case's site (an active membership). A place in a role they no longer
    hold gives nothing, from that moment on. One definition, for one user (filter by `user`)
    or many (the calendar feed, the home page, the reminders)."""
    holds_the_role = SiteMembership.objects.filter(
        user=OuterRef("user"), site=OuterRef("case__site"), role=OuterRef("role"), is_active=True
    )
    return TeamMember.objects.filter(
        Exists(holds_the_role), removed_at__isnull=True, user__is_active=True
    )


def roles_on_case(held: set[str] | frozenset[str], team: set[str]) -> frozenset[str]:
    """The roles a person acts in on one case: those of `held` (their roles at the case's
    site) that open every case, plus the roles of their team places on it (`team`) that they
    hold there. An aggregate-only role is neither, so it never opens a case."""
    return frozenset((held & OPEN_EVERY_CASE) | (team & held & TEAM_ROLES))


def _cases_opened(user: User, site_wide: frozenset[str]) -> QuerySet[Case]:
    """The cases of the sites where the user holds one of `site_wide`, and those where a team
    place of theirs is in force: one query, no per-row work."""
    roles = roles_of(user)
    if not roles:
        return Case.objects.none()
    everywhere = [site for site, held in roles.items() if held & site_wide]
    team_sites = [site for site, held in roles.items() if held & TEAM_ROLES]
    on_team = team_places_in_force().filter(case=OuterRef("pk"), user=user)
    return Case.objects.filter(
        Q(site_id__in=everywhere) | Q(site_id__in=team_sites) & Exists(on_team)
    )


def cases_visible_to(user: User) -> QuerySet[Case]:
    """Every case the user may open (any site), as one query with no per-row work: those of
    the sites where they hold a role that opens every case, and those where the family's team
    gives them a place in force (`access_case` raises 404 for the others)."""
    return _cases_opened(user, OPEN_EVERY_CASE)


@dataclass(frozen=True)
class CaseAccess:
    """What one user may do with one case: the answer of `access_case`."""

    case: Case
    roles: frozenset[str]  # the roles the user acts in on this case (`roles_on_case`)

    @property
    def can_write(self) -> bool:
        return bool(self.roles & CASE_WRITE_ROLES)

    @property
    def can_manage_team(self) -> bool:
        return bool(self.roles & TEAM_MANAGER_ROLES)

    @property
    def is_court_view(self) -> bool:
        """Judges (not on the team) get the court's view of the case."""
        return Role.JUDGE in self.roles and not (self.roles & (SITE_WIDE_CASE_ROLES | TEAM_ROLES))

    @property
    def is_mentor_view(self) -> bool:
        """Parent mentors see only what the parent would share. A judge who is the family's
        parent mentor too sees FTMs as the mentor does, and nothing the court's view and the
        mentor's both hide (the pre-hearing summary, which the court reads, stays theirs:
        `cases.hearings.selectors.can_see_summary`)."""
        return Role.PARENT_MENTOR in self.roles and not (self.roles & CASE_WRITE_ROLES)

    @property
    def can_see_ftm_notes(self) -> bool:
        return not self.is_court_view and not self.is_mentor_view

    @property
    def can_see_placement_address(self) -> bool:
        return bool(self.roles & PLACEMENT_ADDRESS_ROLES)

    @property
    def can_see_ftms(self) -> bool:
        """Judges see no FTM record at all (the court sees attendance and completion only in
        the pre-hearing summary)."""
        return not self.is_court_view

    @property
    def can_see_visit_observations(self) -> bool:
        """Family-time observations are for the team: not the court, not parent mentors."""
        return not self.is_court_view and not self.is_mentor_view

    def can_see_part2(self, on: dt.date | None = None) -> bool:
        """Substance-use treatment detail (42 CFR Part 2): only with an unexpired, unrevoked
        consent on this case whose recipient role is one of the viewer's roles."""
        on = on or self.case.site.today()
        return (
            Consent.objects.filter(
                case=self.case,
                category=Consent.Category.SUBSTANCE_USE_TREATMENT,
                recipient_role__in=list(self.roles),
                granted_on__lte=on,
            )
            .filter(
                Q(expires_on__isnull=True) | Q(expires_on__gte=on),
                Q(revoked_on__isnull=True) | Q(revoked_on__gt=on),
            )
            .exists()
        )


def access_case(user: User, case_id: str, *, write: bool = False) -> CaseAccess:
    """The case `case_id` with the user's rights on it; 404 if they may not see it,
    403 if `write` and they may only read."""
    roles = roles_of(user)
    case = Case.objects.select_related("site").filter(pk=case_id, site_id__in=list(roles)).first()
    if case is None:
        raise Http404("No such case")
    team = set(team_places_in_force().filter(case=case, user=user).values_list("role", flat=True))
    case_roles = roles_on_case(roles[case.site_id], team)
    if not case_roles:
        raise Http404("No such case")
    access = CaseAccess(case=case, roles=case_roles)
    if write and not access.can_write:
        raise PermissionDenied("Your role on this family's team can read but not change it.")
    return access


def children_visible_to(user: User) -> QuerySet[Child]:
    return Child.objects.filter(case__in=cases_visible_to(user))


# --- Bulk forms of the CaseAccess rules, for lists (one query per page, never one per row) -------


def case_access_map(user: User, case_ids) -> dict[str, CaseAccess]:
    """{case_id: CaseAccess} for the cases among `case_ids` the user may see, in two queries
    (the cases with their sites, the user's team rows on them) whatever their number.

    The same rules as `access_case`: a case the user may not see is simply absent.
    """
    ids = {case_id for case_id in case_ids if case_id}
    roles = roles_of(user)
    if not ids or not roles:
        return {}
    team: dict[str, set[str]] = {}
    for case_id, role in (
        team_places_in_force().filter(case_id__in=ids, user=user).values_list("case_id", "role")
    ):
        team.setdefault(case_id, set()).add(role)
    result: dict[str, CaseAccess] = {}
    for case in Case.objects.select_related("site").filter(pk__in=ids, site_id__in=list(roles)):
        case_roles = roles_on_case(roles[case.site_id], team.get(case.pk, set()))
        if case_roles:
            result[case.pk] = CaseAccess(case=case, roles=case_roles)
    return result


def _court_view_sites(user: User) -> list[int]:
    """Sites where the user reads cases in the court's view (`CaseAccess.is_court_view`): they
    hold the judge role there and no site-wide one. Every case of such a site is in the court's
    view for them, except those whose team gives them a place in force (there they act in its
    role too). Another role held at the site (caseworker, an aggregate-only one) changes
    nothing."""
    return [
        site
        for site, held in roles_of(user).items()
        if held & COURT_ROLES and not (held & SITE_WIDE_CASE_ROLES)
    ]


def ftm_cases_visible_to(user: User) -> QuerySet[Case]:
    """The cases whose FTM records (meetings, action items) the user may see:
    `CaseAccess.can_see_ftms` for every visible case at once, as one query: the visible cases
    but those the user reads in the court's view only."""
    return _cases_opened(user, SITE_WIDE_CASE_ROLES)


def part2_cases_visible_to(user: User) -> QuerySet[Case]:
    """The visible cases whose Part 2 (substance-use treatment) detail the user may see:
    `CaseAccess.can_see_part2` (on each site's today) for every visible case at once, as one
    subquery — an unexpired, unrevoked consent whose recipient role is one of the user's roles
    on that case (`roles_on_case`): a role of theirs that opens every case of the site, or the
    role of a team place of theirs in force on that case."""
    roles = roles_of(user)
    if not roles:
        return Case.objects.none()
    condition = Q(pk__in=[])
    for site in Site.objects.filter(id__in=list(roles)):
        held = roles[site.pk]
        on = site.today()
        for_role = Q(recipient_role__in=list(held & OPEN_EVERY_CASE))
        if held & TEAM_ROLES:
            on_team_in_role = team_places_in_force().filter(
                case=OuterRef("case"), user=user, role=OuterRef("recipient_role")
            )
            for_role |= Q(Exists(on_team_in_role))
        consents = Consent.objects.filter(
            for_role,
            Q(expires_on__isnull=True) | Q(expires_on__gte=on),
            Q(revoked_on__isnull=True) | Q(revoked_on__gt=on),
            case=OuterRef("pk"),
            category=Consent.Category.SUBSTANCE_USE_TREATMENT,
            granted_on__lte=on,
        )
        condition |= Q(Exists(consents), site_id=site.pk)
    return cases_visible_to(user).filter(condition)


def can_see_contact_details(access: CaseAccess) -> bool:
    """Phone, e-mail and address of the people of a case are for the family team: not in the
    court's view, not in the parent mentor's."""
    return not access.is_court_view and not access.is_mentor_view
