"""Writes to a family's record (STYLE.md "services").

Every function takes keyword arguments, runs in one transaction, calls `full_clean()` before
saving, and writes an audit event for every row it creates or changes. The rules a person can
break from a form are checked here and raised as `ValidationError`s keyed by field name, so a
form can show each one next to the field that is wrong. A database constraint or trigger that
still refuses a write (two people saving at once, a rule kept only in PostgreSQL) comes back as a
`ValidationError` too, and nothing is half-written.

Callers decide who may write (views use `access_case(user, case_id, write=True)`); the only
access rule checked here is `case_create`'s, because there is no case to ask about yet.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from cases.models import (
    Case,
    Child,
    Episode,
    PermanencyPlan,
    Person,
    Placement,
    Relationship,
    TeamMember,
)
from safebabies import codes
from safebabies.audit.models import AuditEvent
from safebabies.audit.services import audit_log
from safebabies.identity.models import Site, SiteMembership, User
from safebabies.identity.roles import CASE_WRITE_ROLES, TEAM_PLACE_ROLES, TEAM_ROLES, Role
from safebabies.identity.selectors import site_roles
from safebabies.identity.signals import role_withdrawn
from safebabies.kit.services import (
    add_error,
    apply_changes,
    audit,
    check_errors,
    save_changes,
    save_new,
    service,
)
from safebabies.lib.dates import add_months

Action = AuditEvent.Action

ENROLMENT_AGE_LIMIT_MONTHS = 36  # Safe Babies enrols children under 3

# --- Cases ---------------------------------------------------------------------------------


@service
def case_create(
    *,
    actor: User,
    site: Site,
    name: str,
    opened_on: dt.date,
    enrollment: str = codes.Enrollment.OUT_OF_HOME,
    child: dict[str, Any],
    request: HttpRequest | None = None,
) -> Case:
    """Opens a family's case with its first child (`child` holds `child_create`'s arguments).

    The child gets their removal (episode) and a first permanency plan with a primary and a
    concurrent goal from day 1. The person opening the case joins the family team in their
    team role, so a caseworker keeps seeing the family they opened.
    """
    held = site_roles(actor, site.pk)
    if not held & CASE_WRITE_ROLES:
        raise PermissionDenied("Your role at this site cannot open a case.")
    errors: dict[str, list[str]] = {}
    if opened_on > site.today():
        add_error(errors, "opened_on", "The case cannot open in the future.")
    check_errors(errors)
    case = save_new(Case(site=site, name=name.strip(), opened_on=opened_on, enrollment=enrollment))
    audit(actor=actor, action=AuditEvent.Action.CREATE, record=case, case=case, request=request)
    team_role = next(
        (
            role
            for role in (Role.COMMUNITY_COORDINATOR, Role.CASEWORKER, Role.CLINICIAN)
            if role in held and role in TEAM_ROLES
        ),
        None,
    )
    if team_role is not None:
        member = TeamMember(case=case, user=actor, role=team_role)
        member.full_clean()
        member.save()
        audit(
            actor=actor, action=AuditEvent.Action.CREATE, record=member, case=case, request=request
        )
    _child_create(actor=actor, case=case, enrolled_on=opened_on, request=request, **child)
    return case


@service
def case_update(
    *, actor: User, case: Case, request: HttpRequest | None = None, **changes: Any
) -> Case:
    """Changes the case's name, dates or enrollment (`name`, `opened_on`, `closed_on`,
    `enrollment`)."""
    changed = apply_changes(
        case, changes, frozenset({"name", "opened_on", "closed_on", "enrollment"})
    )
    errors: dict[str, list[str]] = {}
    today = case.site.today()
    if "opened_on" in changed:
        if case.opened_on > today:
            add_error(errors, "opened_on", "The case cannot open in the future.")
        first_enrolled = min(case.children.values_list("enrolled_on", flat=True), default=None)
        if first_enrolled is not None and case.opened_on > first_enrolled:
            add_error(
                errors,
                "opened_on",
                f"A child was enrolled on {first_enrolled:%-d %b %Y}: "
                "the case opens on or before that day.",
            )
    if case.closed_on is not None and {"closed_on", "opened_on"} & set(changed):
        if case.closed_on < case.opened_on:
            add_error(errors, "closed_on", "A case cannot close before it opens.")
        elif case.closed_on > today:
            add_error(errors, "closed_on", "The case cannot close in the future.")
    check_errors(errors)
    save_changes(case, changed)
    if changed:
        audit(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            record=case,
            case=case,
            fields=changed,
            request=request,
        )
    return case


# --- Children ------------------------------------------------------------------------------

CHILD_FIELDS = frozenset(
    {
        "given_name",
        "family_name",
        "birth_date",
        "sex",
        "race",
        "hispanic",
        "icwa",
        "docket_number",
        "preferred_language",
        "enrolled_on",
    }
)


def _check_child(errors: dict[str, list[str]], child: Child, today: dt.date) -> None:
    if child.birth_date > today:
        add_error(errors, "birth_date", "A birth date cannot be in the future.")
    elif (
        child.enrolled_on
        and add_months(child.birth_date, ENROLMENT_AGE_LIMIT_MONTHS) <= child.enrolled_on
    ):
        add_error(
            errors,
            "birth_date",
            "Safe Babies enrols children under 3: this child was 3 or older on the enrolment date.",
        )
    if child.enrolled_on and child.enrolled_on < child.case.opened_on:
        add_error(errors, "enrolled_on", "A child is enrolled on or after the day the case opened.")
    if child.enrolled_on and child.enrolled_on > today:
        add_error(errors, "enrolled_on", "The enrolment date cannot be in the future.")


def _check_goals(errors: dict[str, list[str]], primary_goal: str, concurrent_goal: str) -> None:
    if not concurrent_goal:
        add_error(
            errors,
            "concurrent_goal",
            "Choose a concurrent goal: a second path, planned from day 1.",
        )
    elif concurrent_goal == primary_goal:
        add_error(
            errors,
            "concurrent_goal",
            "The concurrent goal is a second path: choose a different goal.",
        )


def _child_create(
    *,
    actor: User,
    case: Case,
    given_name: str,
    birth_date: dt.date,
    primary_goal: str,
    concurrent_goal: str,
    family_name: str = "",
    docket_number: str = "",
    removal_date: dt.date | None = None,
    sex: str = "",
    icwa: str = codes.Icwa.UNKNOWN,
    preferred_language: str = "",
    enrolled_on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Child:
    today = case.site.today()
    child = Child(
        case=case,
        given_name=given_name.strip(),
        family_name=family_name.strip(),
        birth_date=birth_date,
        sex=sex,
        icwa=icwa,
        docket_number=docket_number.strip(),
        preferred_language=preferred_language,
        enrolled_on=enrolled_on or today,
    )
    errors: dict[str, list[str]] = {}
    _check_child(errors, child, today)
    if case.enrollment == codes.Enrollment.OUT_OF_HOME and removal_date is None:
        add_error(errors, "removal_date", "A child in out-of-home care has a removal date.")
    if removal_date is not None:
        if removal_date < birth_date:
            add_error(errors, "removal_date", "The removal date is on or after the birth date.")
        if removal_date > today:
            add_error(errors, "removal_date", "The removal date cannot be in the future.")
    _check_goals(errors, primary_goal, concurrent_goal)
    check_errors(errors)

    save_new(child)
    audit(actor=actor, action=AuditEvent.Action.CREATE, record=child, case=case, request=request)
    if removal_date is not None:
        episode = save_new(Episode(child=child, removal_date=removal_date))
        audit(
            actor=actor, action=AuditEvent.Action.CREATE, record=episode, case=case, request=request
        )
    plan = save_new(
        PermanencyPlan(
            child=child,
            effective_date=min(removal_date or child.enrolled_on, child.enrolled_on),
            primary_goal=primary_goal,
            concurrent_goal=concurrent_goal,
            recorded_by=actor,
        )
    )
    audit(actor=actor, action=AuditEvent.Action.CREATE, record=plan, case=case, request=request)
    return child


@service
def child_create(*, actor: User, case: Case, **fields: Any) -> Child:
    """Enrols a child (a sibling) in the case, with their removal and first permanency plan.

    Arguments: `given_name`, `birth_date`, `primary_goal`, `concurrent_goal` and optionally
    `family_name`, `docket_number`, `removal_date` (required when the case is out of home),
    `sex`, `icwa`, `preferred_language`, `enrolled_on` (today by default), `request`.
    """
    return _child_create(actor=actor, case=case, **fields)


@service
def child_update(
    *, actor: User, child: Child, request: HttpRequest | None = None, **changes: Any
) -> Child:
    """Corrects a child's details (names, birth date, sex, race, ICWA status, docket...)."""
    changed = apply_changes(child, changes, CHILD_FIELDS)
    errors: dict[str, list[str]] = {}
    _check_child(errors, child, child.case.site.today())
    check_errors(errors)
    save_changes(child, changed)
    if changed:
        audit(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            record=child,
            case=child.case,
            fields=changed,
            request=request,
        )
    return child


# --- People --------------------------------------------------------------------------------

PERSON_FIELDS = frozenset(
    {
        "kind",
        "given_name",
        "family_name",
        "phone",
        "email",
        "address",
        "preferred_language",
        "race",
        "hispanic",
    }
)


def _set_relationships(
    *, actor: User, person: Person, relationships: dict[str, str], request: HttpRequest | None
) -> None:
    """`relationships` maps child id -> Relationship.Kind; an empty kind removes the link."""
    children = {child.pk: child for child in person.case.children.all()}
    if set(relationships) - set(children):
        raise ValidationError(
            {"relationships": "A person can only be linked to children of this family."}
        )
    current = {rel.child_id: rel for rel in person.relationships.all()}
    changed = False
    for child_id, kind in relationships.items():
        rel = current.get(child_id)
        if not kind:
            if rel is not None:
                rel.delete()
                changed = True
        elif rel is None:
            save_new(Relationship(person=person, child=children[child_id], kind=kind))
            changed = True
        elif rel.kind != kind:
            rel.kind = kind
            rel.full_clean()
            rel.save(update_fields=["kind"])
            changed = True
    if changed:
        audit(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            record=person,
            case=person.case,
            fields=["relationships"],
            request=request,
        )


@service
def person_create(
    *,
    actor: User,
    case: Case,
    kind: str,
    given_name: str,
    relationships: dict[str, str] | None = None,
    request: HttpRequest | None = None,
    **fields: Any,
) -> Person:
    """Adds a parent, resource parent, relative or other support, with their relationship to
    each child (`relationships`: child id -> Relationship.Kind). Other arguments: `family_name`,
    `phone`, `email`, `address`, `preferred_language`, `race`, `hispanic`."""
    unknown = set(fields) - PERSON_FIELDS
    if unknown:
        raise TypeError(f"unknown person fields: {', '.join(sorted(unknown))}")
    person = save_new(Person(case=case, kind=kind, given_name=given_name.strip(), **fields))
    audit(actor=actor, action=AuditEvent.Action.CREATE, record=person, case=case, request=request)
    _set_relationships(
        actor=actor, person=person, relationships=relationships or {}, request=request
    )
    return person


@service
def person_update(
    *,
    actor: User,
    person: Person,
    relationships: dict[str, str] | None = None,
    request: HttpRequest | None = None,
    **changes: Any,
) -> Person:
    """Changes a person's details and (when given) their relationship to each child."""
    changed = apply_changes(person, changes, PERSON_FIELDS)
    save_changes(person, changed)
    if changed:
        audit(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            record=person,
            case=person.case,
            fields=changed,
            request=request,
        )
    if relationships is not None:
        _set_relationships(actor=actor, person=person, relationships=relationships, request=request)
    return person


# --- Placements ----------------------------------------------------------------------------


def _open_episode(child: Child) -> Episode | None:
    return child.episodes.filter(discharge_date__isnull=True).first()


@service
def placement_add(
    *,
    actor: User,
    child: Child,
    setting: str,
    start_date: dt.date,
    caregiver: Person | None = None,
    address: str = "",
    end_reason: str = "",
    request: HttpRequest | None = None,
) -> Placement:
    """Records where a child now lives. The current placement ends the day the new one starts,
    with `end_reason` (why the child moved), in the same transaction."""
    case = child.case
    errors: dict[str, list[str]] = {}
    episode = _open_episode(child)
    if episode is None:
        raise ValidationError(
            {"start_date": "This child is not in care now: there is no removal to place them in."}
        )
    placements = list(episode.placements.select_for_update().order_by("start_date", "id"))
    current = next((p for p in placements if p.end_date is None), None)
    if start_date < episode.removal_date:
        add_error(
            errors,
            "start_date",
            f"A placement starts on or after the removal ({episode.removal_date:%-d %b %Y}).",
        )
    if start_date > case.site.today():
        add_error(
            errors,
            "start_date",
            "Record a move once it has happened: the date cannot be in the future.",
        )
    if current is not None and start_date < current.start_date:
        add_error(
            errors,
            "start_date",
            f"The current placement began on {current.start_date:%-d %b %Y}: "
            "the new one starts on or after that day.",
        )
    if any(p.end_date is not None and p.end_date > start_date for p in placements):
        add_error(
            errors, "start_date", "An earlier placement ends after this date: check the date."
        )
    if current is not None and not end_reason.strip():
        add_error(errors, "end_reason", "Say why the child moved: it ends the current placement.")
    if caregiver is not None and caregiver.case_id != case.pk:
        add_error(errors, "caregiver", "Choose a person from this family's record.")
    check_errors(errors)

    if current is not None:
        current.end_date = start_date
        current.end_reason = end_reason.strip()
        save_changes(current, ["end_date", "end_reason"])
        audit(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            record=current,
            case=case,
            fields=["end_date", "end_reason"],
            request=request,
        )
    placement = save_new(
        Placement(
            episode=episode,
            setting=setting,
            start_date=start_date,
            caregiver=caregiver,
            address=address,
        )
    )
    audit(
        actor=actor, action=AuditEvent.Action.CREATE, record=placement, case=case, request=request
    )
    return placement


@service
def placement_end(
    *,
    actor: User,
    placement: Placement,
    end_date: dt.date,
    end_reason: str,
    request: HttpRequest | None = None,
) -> Placement:
    """Ends the current placement without a new one (for instance the day the child goes home)."""
    case = placement.episode.child.case
    errors: dict[str, list[str]] = {}
    if placement.end_date is not None:
        raise ValidationError({"end_date": "This placement has already ended."})
    if end_date < placement.start_date:
        add_error(
            errors,
            "end_date",
            f"The placement began on {placement.start_date:%-d %b %Y}: "
            "it ends on or after that day.",
        )
    if end_date > case.site.today():
        add_error(errors, "end_date", "The end date cannot be in the future.")
    if not end_reason.strip():
        add_error(errors, "end_reason", "Say why the placement ended.")
    check_errors(errors)
    placement.end_date = end_date
    placement.end_reason = end_reason.strip()
    save_changes(placement, ["end_date", "end_reason"])
    audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        record=placement,
        case=case,
        fields=["end_date", "end_reason"],
        request=request,
    )
    return placement


# --- Permanency plans ----------------------------------------------------------------------


@service
def permanency_plan_change(
    *,
    actor: User,
    child: Child,
    effective_date: dt.date,
    primary_goal: str,
    concurrent_goal: str,
    reason: str,
    request: HttpRequest | None = None,
) -> PermanencyPlan:
    """A new plan row from `effective_date`: earlier plans stay as they were (history)."""
    case = child.case
    latest = child.permanency_plans.order_by("-effective_date", "-created_at").first()
    errors: dict[str, list[str]] = {}
    _check_goals(errors, primary_goal, concurrent_goal)
    if effective_date > case.site.today():
        add_error(
            errors,
            "effective_date",
            "Record a plan change once it is decided: the date cannot be in the future.",
        )
    if effective_date < child.birth_date:
        add_error(errors, "effective_date", "The date is on or after the child's birth date.")
    if latest is not None:
        if effective_date < latest.effective_date:
            add_error(
                errors,
                "effective_date",
                f"The current plan dates from {latest.effective_date:%-d %b %Y}: "
                "a change takes effect on or after it.",
            )
        if (latest.primary_goal, latest.concurrent_goal) == (primary_goal, concurrent_goal):
            add_error(
                errors, "primary_goal", "These are the goals already in place: change at least one."
            )
        if not reason.strip():
            add_error(errors, "reason", "Say why the plan changed.")
    check_errors(errors)
    plan = save_new(
        PermanencyPlan(
            child=child,
            effective_date=effective_date,
            primary_goal=primary_goal,
            concurrent_goal=concurrent_goal,
            reason=reason.strip(),
            recorded_by=actor,
        )
    )
    audit(actor=actor, action=AuditEvent.Action.CREATE, record=plan, case=case, request=request)
    return plan


# --- Family teams -----------------------------------------------------------------------------


def team_role_check(*, case: Case, member: User | None, role: str, email: str = "") -> None:
    """The rule of every family-team place (the API, the team page, the Django admin): `role`
    is a family-team role (a parent's included) that `member`, an active account, holds at the
    case's site. Raises ValidationError on "role" or "email"."""
    if role not in TEAM_PLACE_ROLES:
        allowed = ", ".join(sorted(TEAM_PLACE_ROLES))
        raise ValidationError(
            {"role": f"{role!r} is not a family-team role: use one of {allowed}."}
        )
    held = (
        set(
            SiteMembership.objects.filter(
                user=member, site_id=case.site_id, is_active=True
            ).values_list("role", flat=True)
        )
        if member is not None and member.is_active
        else set()
    )
    if not held:
        raise ValidationError({"email": "No active member of this site has this e-mail address."})
    if role not in held:
        who = email or (member.email if member is not None else "")
        raise ValidationError({"role": f"{who} does not hold the role {role!r} at this site."})


def _parent_person(*, case: Case, member: User, role: str, person_id: str | None) -> Person | None:
    """The person a parent's place links the account to: a parent among the case's people,
    named only with the role "parent", and the account linked to no other person (a parent's
    account is one person of one case). Raises ValidationError on "person_id"."""
    if role != Role.PARENT:
        if person_id:
            raise ValidationError(
                {"person_id": 'Only a place in the role "parent" links an account to a person.'}
            )
        return None
    if not person_id:
        raise ValidationError(
            {"person_id": "Name the parent among the family's people whose account this is."}
        )
    person = Person.objects.filter(pk=person_id, case=case, kind=Person.Kind.PARENT).first()
    if person is None:
        raise ValidationError({"person_id": "This is not a parent among this family's people."})
    elsewhere = (
        TeamMember.objects.filter(user=member, role=Role.PARENT, removed_at__isnull=True)
        .exclude(person=person)
        .exists()
    )
    if elsewhere:
        raise ValidationError(
            {
                "person_id": "This account is already linked to another person. Take it off "
                "that family's team first."
            }
        )
    return person


@transaction.atomic
def team_member_add(
    *,
    actor: User,
    case: Case,
    email: str,
    role: str,
    person_id: str | None = None,
    request: HttpRequest | None = None,
) -> tuple[TeamMember, bool]:
    """Puts the active site member `email` on the family team of `case` in `role`.

    The role must be a family-team role the member holds at the case's site. With the role
    "parent", `person_id` names the parent of the case the account is: they then read what is
    theirs of the case (cases.access). Returns (team member, created); already on the team in
    that role (as that person) returns the existing row. The caller has checked that `actor`
    may manage this team (`CaseAccess.can_manage_team`).
    """
    member = User.objects.filter(email__iexact=(email or "").strip(), is_active=True).first()
    team_role_check(case=case, member=member, role=role, email=email)
    assert member is not None  # checked
    person = _parent_person(case=case, member=member, role=role, person_id=person_id)
    existing = (
        TeamMember.objects.select_for_update()
        .filter(case=case, user=member, role=role, removed_at__isnull=True)
        .first()
    )
    if existing is not None:
        if existing.person_id != (person.pk if person else None):
            raise ValidationError(
                {"person_id": "This account is already linked to another person of the family."}
            )
        return existing, False
    row = TeamMember(case=case, user=member, role=role, person=person)
    row.full_clean()
    row.save()
    detail: dict[str, Any] = {"user": member.pk, "role": role}
    if person is not None:
        detail["person"] = person.pk
    audit_log(
        actor=actor,
        action=Action.CREATE,
        record=row,
        case_id=case.pk,
        site_id=case.site_id,
        detail=detail,
        request=request,
    )
    return row, True


@transaction.atomic
def team_member_remove(
    *, actor: User, member: TeamMember, request: HttpRequest | None = None
) -> TeamMember:
    """Takes a member off a family team: the row is dated, never deleted. Idempotent."""
    member = TeamMember.objects.select_for_update().select_related("case").get(pk=member.pk)
    if member.removed_at is not None:
        return member
    member.removed_at = timezone.now()
    member.full_clean()
    member.save(update_fields=["removed_at"])
    audit_log(
        actor=actor,
        action=Action.DELETE,
        record=member,
        case_id=member.case_id,
        site_id=member.case.site_id,
        detail={"user": member.user_id, "role": member.role},
        request=request,
    )
    return member


@receiver(role_withdrawn, dispatch_uid="end_team_places_of_withdrawn_role")
def team_places_end(*, actor: User, site: Site, user: User, role: str, request=None, **kwargs):
    """A role taken away at a site ends the person's family-team places in that role there, in
    the same transaction, each one audited."""
    now = timezone.now()
    for member in TeamMember.objects.select_for_update().filter(
        user=user, role=role, case__site=site, removed_at__isnull=True
    ):
        member.removed_at = now
        member.save(update_fields=["removed_at"])
        audit_log(
            actor=actor,
            action=Action.DELETE,
            record=member,
            case_id=member.case_id,
            site_id=site.pk,
            detail={"user": user.pk, "role": role, "reason": "role removed"},
            request=request,
        )
