"""What the family team page shows, in a fixed number of queries.

Contact details follow the access module's rules: the team's places (a professional's work
e-mail and the phone given for this family) are read by everyone who may see the team, as the
API's team list is; the people of the case's phone, e-mail and address only by those who may
see them (`cases.access.can_see_contact_details`: not the court's view, not a parent
mentor's). A parent never reaches this page (their own page names their coordinator and
parent mentor)."""

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from cases.access import CaseAccess, can_see_contact_details, case_records
from cases.models import Person, Relationship, TeamMember
from safebabies.identity.models import SiteMembership, User
from safebabies.identity.roles import TEAM_ROLES


@dataclass
class PersonRow:
    person: Person
    relationships: list[str] = field(default_factory=list)


@dataclass
class TeamPage:
    members: list[TeamMember]
    ended: list[TeamMember]
    people: list[PersonRow]
    people_contact: bool  # phone, e-mail and address of the people of the case


def team_page(access: CaseAccess) -> TeamPage:
    case = access.case
    places = list(
        case_records(access, "team_member")
        .select_related("user")
        .order_by("role", "added_at", "id")
    )
    children = {child.pk: child for child in case.children.order_by("birth_date", "id")}
    people = (
        case_records(access, "person")
        .order_by("kind", "given_name", "id")
        .prefetch_related(Prefetch("relationships", queryset=Relationship.objects.order_by("id")))
    )
    rows = [
        PersonRow(
            person=person,
            relationships=[
                f"{rel.get_kind_display()} of {children[rel.child_id].given_name or 'a child'}"
                for rel in person.relationships.all()
                if rel.child_id in children
            ],
        )
        for person in people
    ]
    return TeamPage(
        members=[p for p in places if p.removed_at is None],
        ended=sorted(
            (p for p in places if p.removed_at is not None),
            key=lambda p: (p.removed_at, p.pk),
            reverse=True,
        ),
        people=rows,
        people_contact=can_see_contact_details(access),
    )


def members_to_add(access: CaseAccess) -> QuerySet[User]:
    """The active members of the case's site who hold a family-team role there (a parent's
    place is given by inviting the parent, from the case page)."""
    holds = SiteMembership.objects.filter(
        site_id=access.case.site_id, role__in=list(TEAM_ROLES), is_active=True
    ).values("user_id")
    return User.objects.filter(pk__in=holds, is_active=True).order_by("full_name", "email")


def team_roles_of(users: list[User], site_id: int) -> dict[int, list[str]]:
    """{user id: the family-team roles they hold at the site}, one query."""
    held: dict[int, list[str]] = {}
    for user_id, role in SiteMembership.objects.filter(
        user__in=users, site_id=site_id, role__in=list(TEAM_ROLES), is_active=True
    ).values_list("user_id", "role"):
        held.setdefault(user_id, []).append(role)
    return held
