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
- Site Implementation Team and national users see aggregates only: no case at all;
- a sealed case (past its retention period: `Case.sealed_at`) is seen by its site's admins
  only, whatever else anyone holds there or on its team: `not_sealed_for` in every function
  below, the team places of a sealed case give nothing (`places_in_force`);
- a case waiting for a transfer (`CaseTransfer`) stays its sending site's until the receiving
  site accepts it: the receiving site's coordinators and admins read only a summary of it
  (`transfers_to_decide`: its name, how many children, the sending site), nothing of its
  records, until they accept;
- a parent of a case who signs in (role `parent`, their family-team place linked to their
  person: `parent_places_in_force`) reads only what is theirs on that case (`is_parent_view`,
  `RecordType.for_parent`): their family's meetings without the discussion, the action items
  their person owns (which they may mark done), the hearings, their children's family time
  without the observations, their own person's details. Every professional page of their case
  is a 403 for them (`access_case`: only the family's own pages ask with `family_view=True`),
  any other family's a 404 as for anyone else.

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
from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any, cast

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404

from cases.denials import audited_denial
from cases.models import Case, CaseTransfer, Child, Consent, Person, Relationship, TeamMember
from safebabies import codes
from safebabies.identity.models import Site, SiteMembership, User
from safebabies.identity.roles import (
    CASE_WRITE_ROLES,
    COURT_ROLES,
    FAMILY_ROLES,
    PLACEMENT_ADDRESS_ROLES,
    SITE_WIDE_CASE_ROLES,
    TEAM_MANAGER_ROLES,
    TEAM_ROLES,
    Role,
)
from safebabies.identity.selectors import roles_of

# Roles that open every case of their site without a place on its family team: the Community
# Coordinator, the site admin and the judge (in the court's view).
OPEN_EVERY_CASE = SITE_WIDE_CASE_ROLES | COURT_ROLES
# Who reads a parent mentor's support contacts (besides the parent, their own).
SUPPORT_CONTACT_ROLES = frozenset({Role.COMMUNITY_COORDINATOR, Role.SITE_ADMIN, Role.PARENT_MENTOR})


def places_in_force() -> QuerySet[TeamMember]:
    """Every family-team place that counts, the professionals' and the parents': not removed,
    of an active account, in a role the member holds at the case's site (an active
    membership). A place in a role they no longer hold gives nothing, from that moment on. A
    parent's place ends with the case: once it is closed, the parent's view of it is gone."""
    holds_the_role = SiteMembership.objects.filter(
        user=OuterRef("user"), site=OuterRef("case__site"), role=OuterRef("role"), is_active=True
    )
    return TeamMember.objects.filter(
        Exists(holds_the_role),
        removed_at__isnull=True,
        user__is_active=True,
        case__sealed_at__isnull=True,
    ).exclude(role__in=list(FAMILY_ROLES), case__closed_on__isnull=False)


def team_places_in_force() -> QuerySet[TeamMember]:
    """The places of the team's professionals and mentors that count (`places_in_force`), a
    parent's place never among them. One definition, for one user (filter by `user`) or many
    (the calendar feed, the home page, the reminders)."""
    return places_in_force().filter(role__in=list(TEAM_ROLES))


def parent_places_in_force() -> QuerySet[TeamMember]:
    """The parents' places that count (`places_in_force`), each naming its person."""
    return places_in_force().filter(role__in=list(FAMILY_ROLES), person__isnull=False)


def roles_on_case(held: set[str] | frozenset[str], team: set[str]) -> frozenset[str]:
    """The roles a person acts in on one case: those of `held` (their roles at the case's
    site) that open every case, plus the roles of their team places on it (`team`, a parent's
    place included) that they hold there. An aggregate-only role is neither, so it never opens
    a case."""
    return frozenset((held & OPEN_EVERY_CASE) | (team & held & (TEAM_ROLES | FAMILY_ROLES)))


def sealed_opened_at(roles: Mapping[int, AbstractSet[str]]) -> list[int]:
    """The sites whose sealed cases these roles open: those where they hold the site admin
    role."""
    return [site for site, held in roles.items() if Role.SITE_ADMIN in held]


def not_sealed_for(roles: Mapping[int, AbstractSet[str]], prefix: str = "") -> Q:
    """A Q on cases (or on rows, through `prefix`, e.g. "case__"): not sealed, or of a site
    whose sealed cases these roles open (`sealed_opened_at`)."""
    return Q(**{f"{prefix}sealed_at__isnull": True}) | Q(
        **{f"{prefix}site_id__in": sealed_opened_at(roles)}
    )


def _cases_opened(user: User, site_wide: frozenset[str]) -> QuerySet[Case]:
    """The cases of the sites where the user holds one of `site_wide`, and those where a team
    place of theirs is in force: one query, no per-row work. A sealed case only for its site's
    admins."""
    roles = roles_of(user)
    if not roles:
        return Case.objects.none()
    everywhere = [site for site, held in roles.items() if held & site_wide]
    # a site where every case opens needs no team test (and its count is then index-only)
    team_sites = [
        site for site, held in roles.items() if held & TEAM_ROLES and site not in everywhere
    ]
    on_team = team_places_in_force().filter(case=OuterRef("pk"), user=user)
    return Case.objects.filter(
        Q(site_id__in=everywhere) | Q(site_id__in=team_sites) & Exists(on_team),
        not_sealed_for(roles),
    )


def cases_visible_to(user: User) -> QuerySet[Case]:
    """Every case the user may open as a professional (any site), as one query with no per-row
    work: those of the sites where they hold a role that opens every case, and those where the
    family's team gives them a place in force (`access_case` raises 404 for the others). A
    parent's own case is not among them: what a parent reads is `records_visible_to`'s
    `for_parent` rows, kind by kind."""
    return _cases_opened(user, OPEN_EVERY_CASE)


def opened_as_professional(cases: QuerySet[Case], user: User) -> QuerySet[Case]:
    """`cases` (some of those the user reads) less those they read only as a parent: a search
    of a parent's own case would match the names of everyone in it (the other parent, the
    resource family), which a parent could spell out letter by letter. Someone who reads no
    case as a parent gets `cases` as it was, with no test of every row against their
    cases (a scan of the site's cases for a site-wide role)."""
    if parent_rows(user, "case") is None:
        return cases
    return cases.filter(pk__in=cases_visible_to(user).values("pk"))


def parent_people_of(user: User) -> QuerySet:
    """The people of any case the user's parent places link them to, as a subquery of ids."""
    return parent_places_in_force().filter(user=user).values("person_id")


@dataclass(frozen=True)
class CaseAccess:
    """What one user may do with one case: the answer of `access_case`."""

    case: Case
    roles: frozenset[str]  # the roles the user acts in on this case (`roles_on_case`)
    # whose access this is: a release they recorded alone opens nothing to them
    user_id: int | None = None
    # the people of this case the user is, through a parent's place (`parent_places_in_force`)
    people: frozenset[str] = frozenset()

    @property
    def is_parent_view(self) -> bool:
        """A parent of the case reading what is theirs: they act in no other role on it (a
        parent who is also the site's Community Coordinator, say, acts as that)."""
        return bool(self.roles) and self.roles <= FAMILY_ROLES

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
    def is_team_view(self) -> bool:
        """A professional or mentor of the family team, or a role that opens every case: not
        the court's view, not the parent's own."""
        return not self.is_court_view and not self.is_parent_view

    @property
    def is_mentor_view(self) -> bool:
        """Parent mentors see only what the parent would share. A judge who is the family's
        parent mentor too sees FTMs as the mentor does, and nothing the court's view and the
        mentor's both hide (the pre-hearing summary, which the court reads, stays theirs:
        `can_see_summary` below)."""
        return Role.PARENT_MENTOR in self.roles and not (self.roles & CASE_WRITE_ROLES)

    @property
    def can_see_ftm_notes(self) -> bool:
        """The discussion of an FTM: the family team's professionals (not the court, not the
        parent mentor, not the parent: they get the family copy)."""
        return self.is_team_view and not self.is_mentor_view

    @property
    def can_see_ftm_attendance(self) -> bool:
        """Who came to an FTM, by e-mail or person id: the team's, not the parent's (it names
        the team's e-mail addresses and the other people of the case)."""
        return not self.is_parent_view

    @property
    def can_see_hearing_findings(self) -> bool:
        """The court's findings and a continuance's reason, in the court's words, may name
        anyone of the case: not in the parent's own view (their attorney goes through them)."""
        return not self.is_parent_view

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
        """Family-time observations are for the team: not the court, not parent mentors, not
        the parent."""
        return self.is_team_view and not self.is_mentor_view

    @property
    def can_read_case_notes(self) -> bool:
        """The team's notes page: every member of the family team (a parent mentor reads their
        own notes there); not the court's view, not the parent."""
        return self.is_team_view

    @property
    def can_read_support_contacts(self) -> bool:
        """A parent mentor's support contacts: the Community Coordinator, site admins and the
        family's parent mentors (the parent reads their own in the API)."""
        return bool(self.roles & SUPPORT_CONTACT_ROLES)

    def part2_people(self, on: dt.date | None = None) -> frozenset[str]:
        """The people of the case whose substance-use treatment records (42 CFR Part 2) this
        viewer may open: each signed a release in force (`part2_releases_in_force`) whose
        recipient role is one of the viewer's roles on the case. A release covers the records
        of the person who signed it, and nobody else's."""
        on = on or self.case.site.today()
        releases = part2_releases_in_force(on).filter(
            case=self.case, recipient_role__in=list(self.roles)
        )
        if self.user_id is not None:
            releases = releases.exclude(recorded_alone_by(self.user_id))
        return frozenset(releases.values_list("person_id", flat=True))

    def can_see_part2(self, on: dt.date | None = None) -> bool:
        """Whether a release in force opens some person's Part 2 records of this case to the
        viewer (which ones: `part2_people`)."""
        return bool(self.part2_people(on))

    def sees_part2_row(self, person_id: str | None, on: dt.date | None = None) -> bool:
        return person_id is not None and person_id in self.part2_people(on)


def recorded_alone_by(user_id: int) -> Q:
    """Releases this person recorded and nobody else confirmed: they never open anything to
    the recorder, whatever role the recorder holds then (a site admin who records a release
    for a role and then takes that role gets nothing from it)."""
    return Q(recorded_by_id=user_id) & (Q(confirmed_by__isnull=True) | Q(confirmed_by_id=user_id))


def part2_releases_in_force(on: dt.date) -> QuerySet[Consent]:
    """Releases of substance-use treatment records in force on `on`: signed by then, not
    expired, not revoked, and confirmed (a release that would open its recorder's own role
    waits for a second person: `assessments.services.consent_record`)."""
    return Consent.objects.filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=on),
        Q(revoked_on__isnull=True) | Q(revoked_on__gt=on),
        category=Consent.Category.SUBSTANCE_USE_TREATMENT,
        granted_on__lte=on,
        confirmed_at__isnull=False,
    )


# A release of information that names the court: mental-health information (the clinician's
# recommendation written for the court) released to the judge role of the case.
COURT_RELEASE_CATEGORY = Consent.Category.MENTAL_HEALTH


def court_releases_in_force(on: dt.date) -> QuerySet[Consent]:
    """Releases naming the court in force on `on`: mental-health information released to the
    judge role, signed by then, not expired, not revoked, confirmed. While one is in force on a
    case, the judge reads the clinician's recommendation for the court there."""
    return Consent.objects.filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=on),
        Q(revoked_on__isnull=True) | Q(revoked_on__gt=on),
        category=COURT_RELEASE_CATEGORY,
        recipient_role=Role.JUDGE,
        granted_on__lte=on,
        confirmed_at__isnull=False,
    )


def court_release_in_force(case: Case, on: dt.date | None = None) -> bool:
    return court_releases_in_force(on or case.site.today()).filter(case=case).exists()


def court_recommendation_rows(access: "CaseAccess") -> Q:
    """The clinician's recommendations for the court a professional reads: the clinician, the
    Community Coordinator and the caseworker of the team always (they read the clinical
    narrative too); a judge only on a case where a release naming the court is in force
    (today, server time); nobody else (site admins, attorneys, GAL/CASA, parent mentors: no
    row)."""
    if access.roles & NARRATIVE_ROLES:
        return Q()
    if Role.JUDGE in access.roles:
        released = court_releases_in_force(dt.date.today()).filter(case=OuterRef("case"))
        return Q(Exists(released))
    return Q(pk__in=[])


# What a parent is told on a professional page of their own family's case.
PARENT_PAGE_MESSAGE = (
    "This page is for the professionals on your family's team. Your own page is Home: "
    "your meetings, hearings, family time and the steps that are yours."
)


@audited_denial("case")
def access_case(
    user: User, case_id: str, *, write: bool = False, family_view: bool = False
) -> CaseAccess:
    """The case `case_id` with the user's rights on it; 404 if they may not see it,
    403 if `write` and they may only read. A parent of the case (`is_parent_view`) gets a 403
    unless the caller serves the family's own view (`family_view`): every professional page
    is closed to them by default."""
    roles = roles_of(user)
    case = (
        Case.objects.select_related("site")
        .filter(not_sealed_for(roles), pk=case_id, site_id__in=list(roles))
        .first()
    )
    if case is None:
        raise Http404("No such case")
    team: set[str] = set()
    people: set[str] = set()
    for role, person_id in (
        places_in_force().filter(case=case, user=user).values_list("role", "person_id")
    ):
        team.add(role)
        if role in FAMILY_ROLES and person_id:
            people.add(person_id)
    case_roles = roles_on_case(roles[case.site_id], team)
    if not case_roles:
        raise Http404("No such case")
    access = CaseAccess(case=case, roles=case_roles, user_id=user.pk, people=frozenset(people))
    if access.is_parent_view and not family_view:
        raise PermissionDenied(PARENT_PAGE_MESSAGE)
    if write and not access.can_write:
        raise PermissionDenied("Your role on this family's team can read but not change it.")
    return access


def site_for_new_case(user: User, slug: str | None) -> Site:
    """The site where `user` opens a family's case: the one named by `slug`, or else their only
    site where they are a Community Coordinator or a site admin (who open cases). An unknown
    slug, or several such sites and no slug, is a ValidationError on `site`; a site where they
    hold neither role, a 403."""
    held = roles_of(user)
    opening = sorted(site for site, roles in held.items() if roles & TEAM_MANAGER_ROLES)
    if slug:
        site = Site.objects.filter(slug=slug).first()
        if site is None:
            raise ValidationError({"site": "No site has this slug."})
        if site.pk not in opening:
            raise PermissionDenied(
                "Only the site's Community Coordinators and site admins open a case there."
            )
        return site
    if not opening:
        raise PermissionDenied("Only Community Coordinators and site admins open a case.")
    if len(opening) > 1:
        raise ValidationError({"site": "You open cases at several sites: name one (its slug)."})
    return Site.objects.get(pk=opening[0])


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
    people: dict[str, set[str]] = {}
    places = places_in_force().filter(case_id__in=ids, user=user)
    for case_id, role, person_id in places.values_list("case_id", "role", "person_id"):
        team.setdefault(case_id, set()).add(role)
        if role in FAMILY_ROLES and person_id:
            people.setdefault(case_id, set()).add(person_id)
    result: dict[str, CaseAccess] = {}
    visible = Case.objects.select_related("site").filter(
        not_sealed_for(roles), pk__in=ids, site_id__in=list(roles)
    )
    for case in visible:
        case_roles = roles_on_case(roles[case.site_id], team.get(case.pk, set()))
        if case_roles:
            result[case.pk] = CaseAccess(
                case=case,
                roles=case_roles,
                user_id=user.pk,
                people=frozenset(people.get(case.pk, set())),
            )
    return result


def court_view_sites(user: User) -> list[int]:
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


def _part2_releases_for(user: User) -> QuerySet[Consent]:
    """Every Part 2 release in force (on its site's today) whose recipient role is one of the
    user's roles on its case (`roles_on_case`): a role of theirs that opens every case of the
    site, or the role of a team place of theirs in force on that case."""
    roles = roles_of(user)
    if not roles:
        return Consent.objects.none()
    condition = Q(pk__in=[])
    for site in Site.objects.filter(id__in=list(roles)):
        held = roles[site.pk]
        for_role = Q(recipient_role__in=list(held & OPEN_EVERY_CASE))
        if held & TEAM_ROLES:
            on_team_in_role = team_places_in_force().filter(
                case=OuterRef("case"), user=user, role=OuterRef("recipient_role")
            )
            for_role |= Q(Exists(on_team_in_role))
        in_force = part2_releases_in_force(site.today()).filter(case__site_id=site.pk)
        condition |= Q(for_role, pk__in=in_force.values("pk"))
    return Consent.objects.filter(condition, case__in=cases_visible_to(user)).exclude(
        recorded_alone_by(user.pk)
    )


def part2_cases_visible_to(user: User) -> QuerySet[Case]:
    """The visible cases where a release opens some person's Part 2 detail to the user:
    `CaseAccess.can_see_part2` for every visible case at once, as one query."""
    return cases_visible_to(user).filter(pk__in=_part2_releases_for(user).values("case_id"))


def part2_people_visible_to(user: User) -> QuerySet:
    """The people, in any case, whose Part 2 records the user may open (`CaseAccess.part2_people`
    for every visible case at once), as a subquery of person ids."""
    return _part2_releases_for(user).values("person_id")


def can_see_contact_details(access: CaseAccess, person: Any = None) -> bool:
    """Phone, e-mail and address of the people of a case are for the family team: not in the
    court's view, not in the parent mentor's. A parent sees their own person's, nobody
    else's."""
    if access.is_parent_view:
        return person is not None and getattr(person, "pk", person) in access.people
    return not access.is_court_view and not access.is_mentor_view


# --- Rights that are not about the whole case --------------------------------------------------
# Each answers for one CaseAccess; `need=` below names them, so no view writes its own rule.

ASSESSMENT_WRITE_ROLES = frozenset({Role.CLINICIAN})
NARRATIVE_ROLES = frozenset({Role.CLINICIAN, Role.COMMUNITY_COORDINATOR, Role.CASEWORKER})

RIGHTS: dict[str, tuple[Callable[[CaseAccess], bool], str]] = {
    # name: (rule, the 403 message of a viewer without it)
    "can_write": (
        lambda a: a.can_write,
        "Your role on this family's team can read but not change it.",
    ),
    "can_manage_team": (
        lambda a: a.can_manage_team,
        "Only Community Coordinators and site admins change a family team.",
    ),
    # sending a meeting's family copy to the family (e-mail, text, the PDF to hand over)
    "can_send_family_copy": (
        lambda a: a.can_manage_team,
        "Only Community Coordinators and site admins send the family copy to the family.",
    ),
    "can_write_assessment": (
        lambda a: bool(a.roles & ASSESSMENT_WRITE_ROLES),
        "The relationship-based assessment is written by the clinician.",
    ),
    "can_write_court_recommendation": (
        lambda a: bool(a.roles & ASSESSMENT_WRITE_ROLES),
        "The recommendation for the court is written by the family's clinician.",
    ),
    "can_see_visit_observations": (
        lambda a: a.can_see_visit_observations,
        "Family-time observations are for the family team.",
    ),
    "can_see_placement_address": (
        lambda a: a.can_see_placement_address,
        "A resource family's address is not for your role on this family's team.",
    ),
    "can_see_contact_details": (
        lambda a: can_see_contact_details(a),
        "Contact details are for the family team.",
    ),
    "can_close_case": (
        lambda a: a.can_manage_team,
        "Only the site's Community Coordinators and site admins close, reopen or transfer a case.",
    ),
    "can_seal_case": (
        lambda a: Role.SITE_ADMIN in a.roles,
        "Only the site's admins seal or purge a case.",
    ),
    "can_read_consents": (
        lambda a: a.is_team_view and not a.is_mentor_view,
        "Releases of information are kept by the family team.",
    ),
    # Everyone on the team does their own part (seed 002, CC4-5): each marks their own action
    # items done, writes notes that are theirs; a CASA volunteer logs the family time they
    # supervise; a parent mentor logs their support contacts with the parent.
    "can_complete_own_items": (
        lambda a: bool(a.roles & (TEAM_ROLES | SITE_WIDE_CASE_ROLES)),
        "Action items are marked done by the family team.",
    ),
    "can_log_supervised_family_time": (
        lambda a: a.can_write or Role.GAL_CASA in a.roles,
        "Family time is logged by the case's writers and the GAL / CASA who supervised it.",
    ),
    "can_write_own_notes": (
        lambda a: a.is_team_view,
        "Notes are written by the family team.",
    ),
    "can_read_case_notes": (
        lambda a: a.can_read_case_notes,
        "Notes are for the family team.",
    ),
    "can_read_support_contacts": (
        lambda a: a.can_read_support_contacts,
        "A parent mentor's support contacts are read by the Community Coordinator and the "
        "family's parent mentors.",
    ),
    "can_log_support_contacts": (
        lambda a: Role.PARENT_MENTOR in a.roles,
        "Support contacts are logged by the family's parent mentor.",
    ),
    "can_link_mentor": (
        lambda a: a.can_manage_team,
        "The Community Coordinator links a parent mentor to the parent they support.",
    ),
}


def case_note_rows(access: CaseAccess) -> Q:
    """The case notes a viewer of a visible case reads: the team's professionals every note; a
    parent mentor (who sees only what the parent would share) their own; the court's view and
    the parent none."""
    if not access.is_team_view:
        return Q(pk__in=[])
    if access.is_mentor_view:
        return Q(author_id=access.user_id)
    return Q()


def support_contact_rows(access: CaseAccess) -> Q:
    """The support contacts a professional of a visible case reads: the Community Coordinator,
    site admins and the family's parent mentors every one; nobody else."""
    return Q() if access.roles & SUPPORT_CONTACT_ROLES else Q(pk__in=[])


def owns_action_item(access: CaseAccess, item: Any) -> bool:
    """An action item is a team member's own when it names them (`owner`), or names no one but
    their role on this family (`owner_role`: "the parent mentor will..."). A family member's
    item (`owner_person`) is never a professional's."""
    if access.is_parent_view or item is None or item.owner_person_id:
        return False
    if item.owner_id is not None:
        return item.owner_id == access.user_id
    return bool(item.owner_role) and item.owner_role in access.roles


def may_change_action_item(
    access: CaseAccess, changes: Iterable[str], status: Any = None, item: Any = None
) -> bool:
    """Who changes an action item they can see: a writer of the case anything; a parent (the
    item is theirs, or they could not see it) only its status, to done; any other member of
    the family team (an attorney, GAL / CASA, a parent mentor: `can_complete_own_items`) only
    the status of an item that is their own (`owns_action_item`), to done."""
    if access.can_write:
        return True
    if set(changes) != {"status"} or status != "done":
        return False
    if access.is_parent_view:
        return True
    return has_right(access, "can_complete_own_items") and owns_action_item(access, item)


PARENT_ITEM_MESSAGE = "You can mark your own steps done. The team changes the rest."
TEAM_ITEM_MESSAGE = "You can mark your own action items done. The case's writers change the rest."


def may_log_visit(access: CaseAccess, visit: Any, changes: Iterable[str]) -> bool:
    """Who logs a family-time visit: a writer of the case any visit, any field; a GAL / CASA
    volunteer of the family's team (`can_log_supervised_family_time`) what happened at a visit
    they supervise (no one else logged it as its supervisor: `Visit.supervisor`), not its day
    or time."""
    if access.can_write:
        return True
    if not has_right(access, "can_log_supervised_family_time"):
        return False
    if visit.supervisor_id not in (None, access.user_id):
        return False
    return set(changes) <= SUPERVISED_VISIT_FIELDS


# What a GAL / CASA volunteer logs of the family time they supervise.
SUPERVISED_VISIT_FIELDS = frozenset(
    {"status", "cancelled_by", "duration_minutes", "supervision", "location", "observations"}
)
VISIT_LOG_MESSAGE = (
    "You can log the family time you supervise: what happened, not its day or time, and not "
    "a visit someone else supervised."
)


def may_change_note(access: CaseAccess, note: Any) -> bool:
    """A case note is changed by its author, on the day it was written (the site's day), by
    nobody else."""
    if note.author_id != access.user_id:
        return False
    site = access.case.site
    return note.written_at.astimezone(site.tz).date() == site.today()


NOTE_CHANGE_MESSAGE = "A note is changed by its author only, on the day it was written."


def has_right(access: CaseAccess, right: str) -> bool:
    return RIGHTS[right][0](access)


def require(access: CaseAccess, *rights: str) -> CaseAccess:
    """`access`, or a 403 naming the first right it lacks."""
    for right in rights:
        rule, message = RIGHTS[right]
        if not rule(access):
            raise PermissionDenied(message)
    return access


def can_see_assessment_narrative(access: CaseAccess) -> bool:
    return bool(access.roles & NARRATIVE_ROLES)


def can_see_marker_notes(access: CaseAccess) -> bool:
    return access.is_team_view and not access.is_mentor_view


def can_see_summary(access: CaseAccess) -> bool:
    """The pre-hearing summary is for the court and the professionals of the family team (a
    judge who is also the family's parent mentor keeps the court's summary; not the parent)."""
    if access.is_parent_view:
        return False
    return not access.is_mentor_view or bool(access.roles & COURT_ROLES)


# What counts as substance-use (42 CFR Part 2) detail: the one definition every page, the API
# and the pre-hearing summary use.
PART2_INSTRUMENTS = frozenset({codes.Instrument.SUBSTANCE_USE})
PART2_SERVICE_TYPES = frozenset({codes.ServiceType.SUBSTANCE_USE_TREATMENT})

# Intimate-partner violence screens (issue 22 item 4): a result may endanger a parent if the
# other parent, their attorney or anyone outside the professionals who act on it reads it. An
# IPV screening row is read only by the Community Coordinator, site admins, the caseworker and
# the clinician on the case (`screening_rows`); never the court's view, an attorney, GAL /
# CASA, a parent mentor or a parent. SECURITY.md states it; the matrix's `ipv_screening` rows
# test it.
IPV_INSTRUMENTS = frozenset({codes.Instrument.IPV})
IPV_ROLES = frozenset(
    {Role.COMMUNITY_COORDINATOR, Role.SITE_ADMIN, Role.CASEWORKER, Role.CLINICIAN}
)


def ipv_screening_q() -> Q:
    return Q(instrument__in=IPV_INSTRUMENTS)


def can_see_ipv_screenings(access: "CaseAccess") -> bool:
    return bool(access.roles & IPV_ROLES)


def screening_rows(access: "CaseAccess") -> Q:
    """The screenings of a visible case a professional reads: every one for those who read IPV
    screens (`IPV_ROLES`), every one but the IPV screens for anyone else. (Part 2 rows:
    `RecordType.hidden_rows`, on top.)"""
    return Q() if can_see_ipv_screenings(access) else ~ipv_screening_q()


# 42 CFR 2.32: the notice that goes with every disclosure of Part 2 records.
PART2_REDISCLOSURE_NOTICE = (
    "This information has been disclosed to you from records protected by federal "
    "confidentiality rules (42 CFR part 2). The federal rules prohibit you from making any "
    "further disclosure of information in this record that identifies a patient as having or "
    "having had a substance use disorder either directly, by reference to publicly available "
    "information, or through verification of such identification by another person unless "
    "further disclosure is expressly permitted by the written consent of the individual whose "
    "information is being disclosed or as otherwise permitted by 42 CFR part 2. A general "
    "authorization for the release of medical or other information is NOT sufficient for this "
    "purpose (see § 2.31). The federal rules restrict any use of the information to investigate "
    "or prosecute with regard to a crime any patient with a substance use disorder, except as "
    "provided at §§ 2.12(c)(5) and 2.65."
)


def part2_screening_q() -> Q:
    return Q(instrument__in=PART2_INSTRUMENTS)


def part2_service_q() -> Q:
    return Q(service_type__in=PART2_SERVICE_TYPES)


# --- Every kind of record, reached through its case --------------------------------------------


# --- What a parent reads: rows of their own case, as Q objects given their people's ids ---------
# `people` is a list or a subquery of person ids (a parent's places name one person each).

PARENTAL = (Relationship.Kind.MOTHER, Relationship.Kind.FATHER, Relationship.Kind.PARENT)


def _cases_of(people: Any) -> QuerySet:
    return Person.objects.filter(pk__in=people).values("case_id")


def _children_of(people: Any) -> QuerySet:
    """Their children: those their person is the mother, father or parent of."""
    return Relationship.objects.filter(person_id__in=people, kind__in=PARENTAL).values("child_id")


def _of_their_case(field: str = "case_id") -> Callable[[Any], Q]:
    return lambda people: Q(**{f"{field}__in": _cases_of(people)})


def _their_coordinator_and_mentor(people: Any) -> Q:
    """Whom a parent sees of the team: their Community Coordinator and parent mentor (names
    and e-mail on their home page), nobody else: a mentor whose place names another parent
    (the one they support, `TeamMember.person`) is that parent's, not theirs."""
    return Q(
        case_id__in=_cases_of(people),
        removed_at__isnull=True,
    ) & (
        Q(role=Role.COMMUNITY_COORDINATOR)
        | Q(role=Role.PARENT_MENTOR, person__isnull=True)
        | Q(role=Role.PARENT_MENTOR, person_id__in=people)
    )


@dataclass(frozen=True)
class RecordType:
    """How one kind of record is reached: its model, the lookup from it to its case, the
    CaseAccess rule without which it is invisible (a 404, as for an outsider), a row rule
    (rows of a visible case that some viewers may still not see: Part 2), and the rows a
    parent of the case reads (`for_parent`, a Q given their people's ids; None: no row of
    this kind, a 404 or an empty list as for an outsider)."""

    model: str  # "app_label.Model", looked up lazily: this module sits below the features
    case_path: str  # "" for the case itself
    visible_if: Callable[[CaseAccess], bool] | None = None
    # Part 2 rows: hidden unless the viewer may open the records of the row's `person`
    hidden_rows: Callable[[], Q] | None = None
    related: tuple[str, ...] = ()  # loaded with one record (select_related)
    for_parent: Callable[[Any], Q] | None = None
    # rows of a visible case that depend on the viewer's roles on it (documents: what each is
    # attached to), as a Q given a CaseAccess; only its role-based rules may be used (the list
    # functions ask it once per set of roles, not once per case)
    rows_for: Callable[["CaseAccess"], Q] | None = None
    # roles on the case that see every `hidden_rows` row (those who record Part 2 releases)
    hidden_rows_open_to: frozenset[str] = frozenset()
    # the person whose Part 2 release opens a hidden row (a lookup to their id)
    person_field: str = "person_id"

    def model_class(self) -> type[Model]:
        return apps.get_model(self.model)

    def case_lookup(self) -> str:
        return self.case_path or "pk"

    def opened_by(self, people: Any) -> Q:
        """Hidden rows of these people (those whose Part 2 records the viewer opens)."""
        return Q(**{f"{self.person_field}__in": people})


# The parent's column (README "What a parent sees"): a kind without `for_parent` is not theirs
# at all (episodes, placements and their resource family's address, permanency plans, court
# orders, maltreatment reports, releases, FTM attendance, family-time plans, screenings,
# services, goals, assessments, markers of progress); field guards hide the rest of what is
# not theirs in the rows they read (`CaseAccess.can_see_*`, `can_see_contact_details`).
RECORD_TYPES: dict[str, RecordType] = {
    "case": RecordType("cases.Case", "", for_parent=_of_their_case("pk")),
    "child": RecordType(
        "cases.Child", "case", for_parent=lambda people: Q(pk__in=_children_of(people))
    ),
    # their own person only: no other person of the case, their details or not
    "person": RecordType("cases.Person", "case", for_parent=lambda people: Q(pk__in=people)),
    "relationship": RecordType(
        "cases.Relationship", "person__case", for_parent=lambda people: Q(person_id__in=people)
    ),
    "team_member": RecordType("cases.TeamMember", "case", for_parent=_their_coordinator_and_mentor),
    "episode": RecordType("cases.Episode", "child__case"),
    "placement": RecordType("cases.Placement", "episode__child__case"),
    "permanency_plan": RecordType("cases.PermanencyPlan", "child__case"),
    "hearing": RecordType("cases.Hearing", "case", related=("judge",), for_parent=_of_their_case()),
    "hearing_order": RecordType("cases.HearingOrder", "hearing__case"),
    "maltreatment_report": RecordType("cases.MaltreatmentReport", "child__case"),
    # ICWA notice to a child's tribes: the team's and the court's, not the parent's
    "tribe_notice": RecordType("cases.TribeNotice", "child__case", related=("child",)),
    # closing and moving a case: its closings are read with the case (the reason shows on the
    # case page); its transfers by the coordinators and admins (the receiving site's: the
    # summary of `transfers_to_decide` until they accept)
    "case_closure": RecordType("cases.CaseClosure", "case"),
    "case_transfer": RecordType(
        "cases.CaseTransfer", "case", visible_if=lambda a: a.can_manage_team
    ),
    "consent": RecordType("cases.Consent", "case"),
    "ftm": RecordType(
        "ftms.Ftm",
        "case",
        visible_if=lambda a: a.can_see_ftms,
        related=("facilitator", "edited_by"),
        for_parent=_of_their_case(),
    ),
    "action_item": RecordType(
        "ftms.FtmActionItem",
        "ftm__case",
        lambda a: a.can_see_ftms,
        for_parent=lambda people: Q(owner_person_id__in=people),
    ),
    "ftm_attendance": RecordType("ftms.FtmAttendance", "ftm__case", lambda a: a.can_see_ftms),
    "visit": RecordType(
        "familytime.Visit",
        "child__case",
        related=("child", "plan"),
        # their children's visits, but not those of another parent's plan (in a shared case
        # each parent has their own family time: its days, place and supervision are theirs)
        for_parent=lambda people: (
            Q(child_id__in=_children_of(people))
            & (Q(plan__isnull=True) | Q(plan__parent__isnull=True) | Q(plan__parent_id__in=people))
        ),
    ),
    "family_time_plan": RecordType("familytime.FamilyTimePlan", "child__case"),
    # an IPV screen only for the roles of `IPV_ROLES` (`screening_rows`)
    "screening": RecordType(
        "assessments.Screening",
        "case",
        hidden_rows=part2_screening_q,
        rows_for=lambda access: screening_rows(access),
    ),
    "service": RecordType("assessments.Service", "case", hidden_rows=part2_service_q),
    # the sessions of a service as it is delivered (issue 22): read as their service is, a
    # Part 2 service's sessions hidden exactly like it (through the service's person); not a
    # parent's
    "service_session": RecordType(
        "assessments.ServiceSession",
        "service__case",
        hidden_rows=lambda: Q(service__service_type__in=PART2_SERVICE_TYPES),
        person_field="service__person_id",
        related=("service",),
    ),
    # what a provider said about a referral (issue 22 item 9): read with its service, a Part 2
    # service's only by those who open that parent's Part 2 records; no parent's
    "referral_feedback": RecordType(
        "community.ReferralFeedback",
        "service__case",
        hidden_rows=lambda: Q(service__service_type__in=PART2_SERVICE_TYPES),
        person_field="service__person_id",
        related=("service", "recorded_by"),
    ),
    "goal": RecordType("assessments.Goal", "case"),
    "goal_step": RecordType("assessments.GoalStep", "goal__case", related=("goal",)),
    "assessment": RecordType("assessments.Assessment", "case"),
    "marker_rating": RecordType("assessments.MarkerRating", "case"),
    # the clinician's recommendation for the court: the clinician, the CC and the caseworker;
    # the judge under a release naming the court (`court_recommendation_rows`)
    "court_recommendation": RecordType(
        "cases.CourtRecommendation",
        "case",
        visible_if=lambda a: bool(a.roles & (NARRATIVE_ROLES | COURT_ROLES)),
        related=("clinician", "child"),
        rows_for=lambda access: court_recommendation_rows(access),
    ),
    # the family team's own part (issue 22): notes that are their authors', a parent mentor's
    # support contacts with the parent they support (the parent reads their own)
    "case_note": RecordType(
        "ftms.CaseNote",
        "case",
        visible_if=lambda a: has_right(a, "can_read_case_notes"),
        related=("author",),
        rows_for=lambda access: case_note_rows(access),
    ),
    "support_contact": RecordType(
        "ftms.SupportContact",
        "case",
        visible_if=lambda a: has_right(a, "can_read_support_contacts"),
        related=("mentor", "person"),
        for_parent=lambda people: Q(person_id__in=people),
        rows_for=lambda access: support_contact_rows(access),
    ),
    # A document is read by whoever may read what it is attached to (`document_rows`); one
    # attached to a Part 2 release is that release's Part 2 detail.
    "document": RecordType(
        "cases.Document",
        "case",
        hidden_rows=lambda: Q(part2=True),
        hidden_rows_open_to=SITE_WIDE_CASE_ROLES,
        related=("hearing", "consent", "uploaded_by"),
        for_parent=lambda people: document_rows_for_parent(people),
        rows_for=lambda access: document_rows(access),
    ),
}


@dataclass(frozen=True)
class RecordAccess:
    """A record and the user's rights on its case: the answer of `access_record`."""

    record: Any
    access: CaseAccess

    def __iter__(self):
        """`access, record = access_hearing(...)`."""
        return iter((self.access, self.record))


def case_records(access: CaseAccess, kind: str) -> QuerySet:
    """The records of this kind on the case of `access` that its viewer may see (empty for a
    kind they may not see at all, Part 2 rows only under a consent)."""
    spec = RECORD_TYPES[kind]
    model = spec.model_class()
    if spec.visible_if is not None and not spec.visible_if(access):
        return model._default_manager.none()
    queryset = model._default_manager.filter(**{spec.case_lookup(): access.case.pk})
    if access.is_parent_view:
        if spec.for_parent is None:
            return model._default_manager.none()
        return queryset.filter(spec.for_parent(list(access.people)))
    if spec.rows_for is not None:
        queryset = queryset.filter(spec.rows_for(access))
    if spec.hidden_rows is not None and not (access.roles & spec.hidden_rows_open_to):
        queryset = queryset.filter(
            ~spec.hidden_rows() | spec.opened_by(list(access.part2_people()))
        )
    return queryset


def case_record(access: CaseAccess, kind: str, record_id: str | None) -> Any:
    """One record of this kind on the case of `access`, or None when there is none the viewer
    may see (a missing and a hidden record give the same answer)."""
    if record_id in (None, ""):
        return None
    return case_records(access, kind).filter(pk=record_id).first()


def records_visible_to(user: User, kind: str) -> QuerySet:
    """Every record of this kind the user may see, in any case, as one query (the API lists):
    those of the cases they open as a professional, and those they read as a parent
    (`parent_rows`)."""
    spec = RECORD_TYPES[kind]
    model = spec.model_class()
    if spec.rows_for is not None:
        rows = _rows_by_roles(user, spec)
    else:
        cases = ftm_cases_visible_to(user) if kind in FTM_KINDS else cases_visible_to(user)
        rows = Q(**{f"{spec.case_lookup()}__in": cases})
        if spec.hidden_rows is not None:
            rows &= ~spec.hidden_rows() | spec.opened_by(part2_people_visible_to(user))
    as_parent = parent_rows(user, kind)
    return model._default_manager.filter(rows | as_parent if as_parent is not None else rows)


def _rows_by_roles(user: User, spec: RecordType) -> Q:
    """The rows of a kind with a `rows_for` rule that the user reads as a professional, in
    any case, as one Q: the cases they open, grouped by the roles they act in on them (the
    site-wide roles on every case of a site, and each case whose team gives them a place in
    force: a handful of groups), each group with the rows `rows_for` gives those roles."""
    assert spec.rows_for is not None
    held = roles_of(user)
    lookup = spec.case_lookup()
    team: dict[str, set[str]] = {}
    site_of: dict[str, int] = {}
    places = (
        team_places_in_force().filter(user=user).values_list("case_id", "case__site_id", "role")
    )
    for case_id, site_id, role in places:
        team.setdefault(case_id, set()).add(role)
        site_of[case_id] = site_id
    groups: dict[frozenset[str], Q] = {}
    for site_id, roles in held.items():
        on_every_case = roles_on_case(roles, set())
        if on_every_case:
            with_places = [case_id for case_id, site in site_of.items() if site == site_id]
            cases = Q(**{f"{lookup}__site_id": site_id}) & ~Q(**{f"{lookup}__in": with_places})
            groups[on_every_case] = groups.get(on_every_case, Q(pk__in=[])) | cases
    for case_id, places_roles in team.items():
        case_roles = roles_on_case(held.get(site_of[case_id], frozenset()), places_roles)
        if case_roles:
            groups[case_roles] = groups.get(case_roles, Q(pk__in=[])) | Q(**{lookup: case_id})
    rows = Q(pk__in=[])
    for case_roles, cases in groups.items():
        view = CaseAccess(case=cast(Case, None), roles=case_roles, user_id=user.pk)
        group = cases & spec.rows_for(view)
        if spec.hidden_rows is not None and not (case_roles & spec.hidden_rows_open_to):
            group &= ~spec.hidden_rows() | spec.opened_by(part2_people_visible_to(user))
        rows |= group
    # a sealed case only for its site's admins, whatever the roles on it
    return rows & not_sealed_for(held, f"{lookup}__")


def parent_rows(user: User, kind: str) -> Q | None:
    """The rows of this kind the user reads as a parent, in any case (`RecordType.for_parent`
    with the people their parent places name), as a Q on the kind's model; None when they read
    none (no parent role anywhere, or a kind that is not a parent's). Rows of a case where they
    act in another role too come from that role (`cases_visible_to`) as well."""
    spec = RECORD_TYPES[kind]
    if spec.for_parent is None or not any(held & FAMILY_ROLES for held in roles_of(user).values()):
        return None
    people = parent_people_of(user)
    return Q(**{f"{spec.case_lookup()}__in": _cases_of(people)}) & spec.for_parent(people)


FTM_KINDS = frozenset(k for k, spec in RECORD_TYPES.items() if spec.model.startswith("ftms."))


@audited_denial()
def access_record(
    user: User,
    kind: str,
    record_id: str,
    *,
    write: bool = False,
    need: Iterable[str] = (),
    in_case: str | None = None,
    family_view: bool = False,
) -> RecordAccess:
    """The record `record_id` of this kind with the user's rights on its case: 404 if they may
    not see it (whether it exists or not) or it is not of the case `in_case` (the case of the
    URL), 403 if `write` and they may only read, or if they lack a right named in `need`. A
    parent reads it only from the family's own pages (`family_view`, as `access_case`)."""
    spec = RECORD_TYPES[kind]
    model = spec.model_class()
    case_id = (
        model._default_manager.filter(pk=record_id)
        .values_list(spec.case_lookup(), flat=True)
        .first()
    )
    if case_id is None or (in_case is not None and case_id != in_case):
        raise Http404("Not found")
    # a record a parent may not read is a 404 for them, as for anyone: checked before the
    # 403 every professional page gives a parent on the records they do read
    access = access_case(user, case_id, family_view=True)
    records = case_records(access, kind)
    if spec.related:
        records = records.select_related(*spec.related)
    record = records.filter(pk=record_id).first()
    if record is None:
        raise Http404("Not found")
    if access.is_parent_view and not family_view:
        raise PermissionDenied(PARENT_PAGE_MESSAGE)
    if spec.case_path == "case":
        record.case = access.case  # with its site, already loaded
    if write:
        require(access, "can_write")
    require(access, *need)
    return RecordAccess(record=record, access=access)


def access_child(user: User, child_id: str, **rights: Any) -> RecordAccess:
    return access_record(user, "child", child_id, **rights)


def access_person(user: User, person_id: str, **rights: Any) -> RecordAccess:
    return access_record(user, "person", person_id, **rights)


def access_hearing(user: User, hearing_id: str, **rights: Any) -> RecordAccess:
    return access_record(user, "hearing", hearing_id, **rights)


def access_hearing_order(user: User, order_id: str, **rights: Any) -> RecordAccess:
    return access_record(user, "hearing_order", order_id, **rights)


def access_summary(user: User, hearing_id: str, **rights: Any) -> RecordAccess:
    """A hearing, for its pre-hearing summary: the court and the family team's professionals
    (`can_see_summary`); anyone else who may see the case gets a 404."""
    found = access_record(user, "hearing", hearing_id, **rights)
    if not can_see_summary(found.access):
        raise Http404("Not found")
    return found


def access_ftm(user: User, ftm_id: str, **rights: Any) -> RecordAccess:
    return access_record(user, "ftm", ftm_id, **rights)


def access_action_item(user: User, item_id: str, **rights: Any) -> RecordAccess:
    return access_record(user, "action_item", item_id, **rights)


def access_visit(user: User, visit_id: str, **rights: Any) -> RecordAccess:
    return access_record(user, "visit", visit_id, **rights)


def access_screening(user: User, screening_id: str, **rights: Any) -> RecordAccess:
    return access_record(user, "screening", screening_id, **rights)


def access_service(user: User, service_id: str, **rights: Any) -> RecordAccess:
    return access_record(user, "service", service_id, **rights)


def access_service_session(user: User, session_id: str, **rights: Any) -> RecordAccess:
    return access_record(user, "service_session", session_id, **rights)


def access_goal(user: User, goal_id: str, **rights: Any) -> RecordAccess:
    return access_record(user, "goal", goal_id, **rights)


def access_consent(user: User, consent_id: str, **rights: Any) -> RecordAccess:
    return access_record(user, "consent", consent_id, **rights)


def access_document(user: User, document_id: str, **rights: Any) -> RecordAccess:
    return access_record(user, "document", document_id, **rights)


def access_case_note(user: User, note_id: str, **rights: Any) -> RecordAccess:
    return access_record(user, "case_note", note_id, **rights)


def access_support_contact(user: User, contact_id: str, **rights: Any) -> RecordAccess:
    return access_record(user, "support_contact", contact_id, **rights)


# --- Documents: each read as what it is attached to is ----------------------------------------

DOCUMENT_ORDER = "order"


def document_rows(access: CaseAccess) -> Q:
    """The documents of a visible case a professional reads (removed ones: nobody):
    - the family team's professionals: every document, those on a release of information
      too (`can_read_consents`); one on a Part 2 release only under the Part 2 rule
      (`RecordType.hidden_rows`: a release in force naming one of their roles opens that
      parent's records; the Community Coordinator and site admins, who record releases, see
      them all);
    - the court's view: what was filed at the case's hearings and court orders, nothing on a
      release (the court's view has no clinical narrative and no release);
    - a parent mentor: court orders only, none on a release. An evaluation or an IFSP may
      give an address or clinical detail, which a mentor's view never has.
    A parent's: `document_rows_for_parent`."""
    rows = Q(removed_at__isnull=True)
    if access.is_court_view:
        return rows & Q(consent__isnull=True) & (Q(hearing__isnull=False) | Q(kind=DOCUMENT_ORDER))
    if access.is_mentor_view:
        return rows & Q(consent__isnull=True, kind=DOCUMENT_ORDER)
    if not has_right(access, "can_read_consents"):
        rows &= Q(consent__isnull=True)
    return rows


def document_rows_for_parent(people: Any) -> Q:
    """A parent reads the documents the team shared with the family, none on another person's
    release (a Part 2 release is the Part 2 detail of the parent who signed it)."""
    return (
        Q(removed_at__isnull=True, shared_with_family=True)
        & (Q(consent__isnull=True) | Q(consent__person_id__in=people))
        & (Q(part2=False) | Q(person_id__in=people))
    )


def access_case_records(
    user: User,
    case_id: str,
    kind: str,
    *,
    write: bool = False,
    need: Iterable[str] = (),
    family_view: bool = False,
) -> CaseAccess:
    """The case, for its records of one kind (its FTMs, its family time...): 404 if the user
    may not see the case or that kind of record on it, 403 as `access_record`."""
    access = access_case(user, case_id, family_view=family_view)
    visible_if = RECORD_TYPES[kind].visible_if
    if visible_if is not None and not visible_if(access):
        raise Http404("No such case")
    if write:
        require(access, "can_write")
    return require(access, *need)


# --- Transfers and sealed cases: what the coordinators and admins of a site reach -------------


def sites_managed_by(user: User) -> list[int]:
    """The sites where the user is a Community Coordinator or a site admin: those whose
    transfers (sent or received) they see and decide."""
    return [site for site, held in roles_of(user).items() if held & TEAM_MANAGER_ROLES]


@dataclass(frozen=True)
class TransferSummary:
    """What a site sees of a case sent to it, before it accepts: the case's name, how many
    children, the sending site and the sender's note. Nothing else of the case (its records are
    the sending site's until the transfer is accepted)."""

    transfer: CaseTransfer
    case_name: str
    children: int | None  # None once decided, for a site that does not open the case
    # the user may decide it (a coordinator or admin of the receiving site, while pending)
    may_decide: bool
    # the user may open the case itself (`access_case` would let them in)
    may_open: bool


def transfers_visible_to(user: User) -> QuerySet[CaseTransfer]:
    """The transfers sent from or to the sites the user manages (`sites_managed_by`), the
    record at both ends; those of a sealed case only to the admins of its site."""
    sites = sites_managed_by(user)
    if not sites:
        return CaseTransfer.objects.none()
    return CaseTransfer.objects.filter(
        Q(from_site_id__in=sites) | Q(to_site_id__in=sites),
        not_sealed_for(roles_of(user), "case__"),
    )


def transfer_summaries(user: User, transfers: QuerySet[CaseTransfer]) -> list[TransferSummary]:
    """`TransferSummary` of each of `transfers` (already limited by `transfers_visible_to`), in
    three queries."""
    rows = list(
        transfers.select_related("from_site", "to_site", "requested_by", "decided_by")
        .annotate(children_count=Count("case__children", distinct=True))
        .order_by("-requested_at", "id")
    )
    names = dict(Case.objects.filter(pk__in=[t.case_id for t in rows]).values_list("pk", "name"))
    opened = case_access_map(user, [t.case_id for t in rows])
    deciders = set(sites_managed_by(user))
    summaries = []
    for t in rows:
        # the family's name and children as they are now: while the transfer waits for an
        # answer, or for those who open the case; a site that declined it (or saw it
        # withdrawn) keeps the record without following the family afterwards
        live = t.decision == CaseTransfer.Decision.PENDING or t.case_id in opened
        summaries.append(
            TransferSummary(
                transfer=t,
                case_name=(names.get(t.case_id, "") if live else "") or "A family",
                children=t.children_count if live else None,  # type: ignore[attr-defined]
                may_decide=t.decision == CaseTransfer.Decision.PENDING and t.to_site_id in deciders,
                may_open=t.case_id in opened,
            )
        )
    return summaries


@audited_denial("case_transfer")
def access_transfer(user: User, transfer_id: str, *, decide: bool = False) -> TransferSummary:
    """One transfer the user sees (`transfers_visible_to`), as its summary: 404 otherwise. With
    `decide`, a 404 unless they manage the receiving site (the sending site withdraws, it does
    not decide), and a 403 once it is decided."""
    found = transfer_summaries(user, transfers_visible_to(user).filter(pk=transfer_id))
    if not found:
        raise Http404("Not found")
    summary = found[0]
    if decide:
        if summary.transfer.to_site_id not in sites_managed_by(user):
            raise Http404("Not found")
        if not summary.may_decide:
            raise PermissionDenied("This transfer was already decided.")
    return summary


def transfers_waiting_for(user: User) -> int:
    """How many transfers wait for an answer of a site the user manages (their home page)."""
    return (
        transfers_visible_to(user)
        .filter(decision=CaseTransfer.Decision.PENDING, to_site_id__in=sites_managed_by(user))
        .count()
    )


# --- Records of a site's program, not of a family's case (issue 22) -------------------------
#
# The work of the people around the families (reflective supervision, consultations, trainings,
# the Active Community Team, the provider directory) belongs to a site, not to a case. The same
# rules hold: nobody reaches another site's rows; a row the user may not read is a 404 (whether
# it exists or not), one they read but may not change a 403. Roles are those held at the row's
# site (active memberships); a family-team place gives nothing here.


@dataclass(frozen=True)
class SiteRecordType:
    """How one kind of site record is reached: its model, the lookup from it to its site, the
    roles at that site that read every row of it and those that add and change rows, and the
    rows a user reads (and, with `owner_writes`, changes) because they are their own
    (`own_rows`, a Q given the user), whatever their roles."""

    model: str  # "app_label.Model"
    site_path: str = "site"
    read_roles: frozenset[str] = frozenset()
    write_roles: frozenset[str] = frozenset()
    own_rows: Callable[[User], Q] | None = None
    owner_writes: bool = False
    # the roles at a site in which one has own rows there (a staff member's, never a parent's)
    own_roles: frozenset[str] = frozenset()
    related: tuple[str, ...] = ()

    def model_class(self) -> type[Model]:
        return apps.get_model(self.model)

    def site_lookup(self) -> str:
        return f"{self.site_path}_id" if "__" not in self.site_path else self.site_path


# The professionals of a site: the roles in which one does the work with families (their own
# supervision sessions and well-being check-ins) and reads the site's trainings. Not the
# aggregate roles (Site Implementation Team, national staff, parent leaders: the program page's
# counts only), not parents.
STAFF_ROLES = TEAM_ROLES | frozenset({Role.SITE_ADMIN, Role.JUDGE})
# Who keeps the records of a site's program: the Community Coordinator and site admins.
PROGRAM_MANAGERS = TEAM_MANAGER_ROLES


def _staff_or_supervisor(user: User) -> Q:
    return Q(staff=user) | Q(supervisor=user)


# Who reads the records of a site's program (the Active Community Team, the provider
# directory): every professional role of the site, the Site Implementation Team and parent
# leaders; never a parent (their own case's pages only) nor national staff (cross-site
# aggregates). None of these rows holds a family's data.
SITE_PROGRAM_READERS = frozenset(
    {
        Role.COMMUNITY_COORDINATOR,
        Role.SITE_ADMIN,
        Role.CASEWORKER,
        Role.CLINICIAN,
        Role.PARENT_ATTORNEY,
        Role.CHILD_ATTORNEY,
        Role.GAL_CASA,
        Role.PARENT_MENTOR,
        Role.JUDGE,
        Role.SITE_IMPLEMENTATION,
        Role.PARENT_LEADER,
    }
)


def _act_item_owner(user: User) -> Q:
    return Q(owner__user=user)


# Every kind of site record, its rules here (its model in its app, looked up lazily); each has
# its rows for every role in `tests/test_site_permission_matrix.py`.
SITE_RECORD_TYPES: dict[str, SiteRecordType] = {
    # Reflective supervision (issue 22 item 7): the staff member and the supervisor read and
    # write their own; the Community Coordinator and site admins every one of the site. The
    # Site Implementation Team sees counts on the program page, no names.
    "supervision_session": SiteRecordType(
        model="workforce.SupervisionSession",
        read_roles=PROGRAM_MANAGERS,
        write_roles=PROGRAM_MANAGERS,
        own_rows=_staff_or_supervisor,
        owner_writes=True,
        own_roles=STAFF_ROLES,
        related=("staff", "supervisor"),
    ),
    # A private well-being check-in: its person's, nobody else's, whatever their role (no
    # read_roles, no write_roles: not even a site admin). Counted only in groups of 5 or more.
    "wellbeing_check_in": SiteRecordType(
        model="workforce.WellbeingCheckIn",
        own_rows=lambda user: Q(person=user),
        owner_writes=True,
        own_roles=STAFF_ROLES,
    ),
    # IECMH consultation (item 8): the clinician who consulted reads and writes their own; the
    # Community Coordinator and site admins every one of the site.
    "consultation": SiteRecordType(
        model="workforce.Consultation",
        read_roles=PROGRAM_MANAGERS,
        write_roles=PROGRAM_MANAGERS,
        own_rows=lambda user: Q(consultant=user),
        owner_writes=True,
        own_roles=frozenset({Role.CLINICIAN}),
        related=("consultant",),
    ),
    # Trainings: every professional of the site reads them, the Community Coordinator and site
    # admins write them.
    "training": SiteRecordType(
        model="workforce.Training",
        read_roles=STAFF_ROLES,
        write_roles=PROGRAM_MANAGERS,
    ),
    # the Active Community Team (issue 22 item 9; seed 002 core component 3)
    "act_member": SiteRecordType(
        "community.ActMember",
        read_roles=SITE_PROGRAM_READERS,
        write_roles=PROGRAM_MANAGERS,
        related=("user",),
    ),
    "act_meeting": SiteRecordType(
        "community.ActMeeting",
        read_roles=SITE_PROGRAM_READERS,
        write_roles=PROGRAM_MANAGERS,
    ),
    # an action item's owner (a member who is a user of the site: a parent leader, a judge...)
    # marks it done; the keepers change everything
    "act_action_item": SiteRecordType(
        "community.ActActionItem",
        site_path="meeting__site",
        read_roles=SITE_PROGRAM_READERS,
        write_roles=PROGRAM_MANAGERS,
        own_rows=_act_item_owner,
        owner_writes=True,
        own_roles=SITE_PROGRAM_READERS,
        related=("meeting", "owner"),
    ),
    "improvement_cycle": SiteRecordType(
        "community.ImprovementCycle",
        read_roles=SITE_PROGRAM_READERS,
        write_roles=PROGRAM_MANAGERS,
    ),
    # the provider directory the referral form offers
    "provider": SiteRecordType(
        "community.Provider",
        read_roles=SITE_PROGRAM_READERS,
        write_roles=PROGRAM_MANAGERS,
    ),
}


def _site_rows(user: User, spec: SiteRecordType, roles: frozenset[str]) -> Q:
    """A Q on rows of `spec`: those of the sites where the user holds one of `roles`, or their
    own (`own_rows`). Never a row of a site where they hold no active role."""
    held = roles_of(user)
    sites = [site for site, have in held.items() if have & roles]
    rule = Q(**{f"{spec.site_lookup()}__in": sites}) if sites else Q(pk__in=[])
    own_sites = _own_sites(user, spec)
    if own_sites:
        rule |= spec.own_rows(user) & Q(**{f"{spec.site_lookup()}__in": own_sites})  # type: ignore[misc]
    return rule


def _own_sites(user: User, spec: SiteRecordType) -> list[int]:
    """The sites where the user has own rows of this kind (a role of `own_roles` there)."""
    if spec.own_rows is None:
        return []
    return sorted(site for site, have in roles_of(user).items() if have & spec.own_roles)


def site_records_visible_to(user: User, kind: str) -> QuerySet:
    """Every row of this kind the user may read, as one query."""
    spec = SITE_RECORD_TYPES[kind]
    rows = spec.model_class()._default_manager.filter(_site_rows(user, spec, spec.read_roles))
    return rows.select_related(*spec.related) if spec.related else rows


def site_records_writable_by(user: User, kind: str) -> QuerySet:
    """Every row of this kind the user may change."""
    spec = SITE_RECORD_TYPES[kind]
    sites = [site for site, have in roles_of(user).items() if have & spec.write_roles]
    rule = Q(**{f"{spec.site_lookup()}__in": sites}) if sites else Q(pk__in=[])
    own_sites = _own_sites(user, spec) if spec.owner_writes else []
    if own_sites:
        rule |= spec.own_rows(user) & Q(**{f"{spec.site_lookup()}__in": own_sites})  # type: ignore[misc]
    return spec.model_class()._default_manager.filter(rule)


def sites_adding(user: User, kind: str) -> list[int]:
    """The sites where the user may add a row of this kind (a role of `write_roles`, or, for a
    kind whose owner writes, any active role there: the row is then theirs)."""
    spec = SITE_RECORD_TYPES[kind]
    sites = {site for site, have in roles_of(user).items() if have & spec.write_roles}
    if spec.owner_writes:
        sites |= set(_own_sites(user, spec))
    return sorted(sites)


def sites_reading(user: User, kind: str) -> list[int]:
    """The sites whose rows of this kind the user reads every one of (a role of `read_roles`
    there): those whose pages (the Active Community Team's, the provider directory) they open."""
    spec = SITE_RECORD_TYPES[kind]
    return sorted(site for site, have in roles_of(user).items() if have & spec.read_roles)


def may_read_site_kind(user: User, kind: str) -> bool:
    """The user reads some rows of this kind at some site (their page opens; a 404 if not)."""
    spec = SITE_RECORD_TYPES[kind]
    held = roles_of(user)
    return any(have & spec.read_roles for have in held.values()) or bool(_own_sites(user, spec))


def access_site_record(user: User, kind: str, record_id: Any, *, write: bool = False) -> Any:
    """The row `record_id` of this kind: 404 if the user may not read it (whether it exists or
    not), 403 if `write` and they may only read it."""
    try:
        record = site_records_visible_to(user, kind).filter(pk=record_id).first()
    except (ValueError, ValidationError):
        record = None
    if record is None:
        raise Http404("Not found")
    if write and not site_records_writable_by(user, kind).filter(pk=record.pk).exists():
        raise PermissionDenied("You may read this record but not change it.")
    return record
