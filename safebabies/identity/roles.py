"""Role codes (INTERFACES.md) and what each role may do.

The rules of DOMAIN.md "Confidentiality rules" are expressed once here as capabilities; the
access selectors (`cases.access`) combine them with site and family-team membership.
"""

from django.db import models


class Role(models.TextChoices):
    COMMUNITY_COORDINATOR = "community_coordinator", "Community Coordinator"
    CASEWORKER = "caseworker", "Caseworker"
    JUDGE = "judge", "Judge"
    PARENT_ATTORNEY = "parent_attorney", "Parent's attorney"
    CHILD_ATTORNEY = "child_attorney", "Child's attorney"
    GAL_CASA = "gal_casa", "GAL / CASA"
    CLINICIAN = "clinician", "Clinician"
    PARENT_MENTOR = "parent_mentor", "Parent mentor"
    SITE_IMPLEMENTATION = "site_implementation", "Site Implementation Team"
    SITE_ADMIN = "site_admin", "Site admin"
    NATIONAL = "national", "National staff"
    PARENT = "parent", "Parent"
    PARENT_LEADER = "parent_leader", "Parent leader"


# Roles that see every case of their site without being on its family team.
SITE_WIDE_CASE_ROLES = frozenset({Role.COMMUNITY_COORDINATOR, Role.SITE_ADMIN})
# Judges see every case of their site, read-only, in the court's view of it.
COURT_ROLES = frozenset({Role.JUDGE})
# Roles that can be put on a family team.
TEAM_ROLES = frozenset(
    {
        Role.COMMUNITY_COORDINATOR,
        Role.CASEWORKER,
        Role.PARENT_ATTORNEY,
        Role.CHILD_ATTORNEY,
        Role.GAL_CASA,
        Role.CLINICIAN,
        Role.PARENT_MENTOR,
    }
)
# The family's own role: a parent of a case who signs in. Their place on the family team links
# their account to one person of the case (`TeamMember.person`); they read only what is theirs
# (cases.access: `CaseAccess.is_parent_view`, `RecordType.for_parent`), never a professional
# page. Not a TEAM_ROLE: nothing that serves the professionals of a team counts them.
FAMILY_ROLES = frozenset({Role.PARENT})
# Every role a family-team place can be in.
TEAM_PLACE_ROLES = TEAM_ROLES | FAMILY_ROLES
# Aggregate-only roles: never a child record. A parent leader (DOMAIN.md, seed 002 CC5: a
# parent with lived experience working at system level, in the Active Community Team and
# advisory groups) reads the site's de-identified figures, as the Site Implementation Team does,
# and no case by that role.
AGGREGATE_ROLES = frozenset({Role.SITE_IMPLEMENTATION, Role.NATIONAL, Role.PARENT_LEADER})
# Roles that may change a case record they can see.
CASE_WRITE_ROLES = frozenset(
    {Role.COMMUNITY_COORDINATOR, Role.SITE_ADMIN, Role.CASEWORKER, Role.CLINICIAN}
)
# Roles that may put people on a family team.
TEAM_MANAGER_ROLES = frozenset({Role.COMMUNITY_COORDINATOR, Role.SITE_ADMIN})
# Roles that may see the address of a resource family.
PLACEMENT_ADDRESS_ROLES = frozenset(
    {
        Role.COMMUNITY_COORDINATOR,
        Role.SITE_ADMIN,
        Role.CASEWORKER,
        Role.CLINICIAN,
        Role.CHILD_ATTORNEY,
        Role.GAL_CASA,
        Role.JUDGE,
    }
)
