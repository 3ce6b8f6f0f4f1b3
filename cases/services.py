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
    MaltreatmentReport,
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
from safebabies.identity.roles import (
    CASE_WRITE_ROLES,
    FAMILY_ROLES,
    TEAM_MANAGER_ROLES,
    TEAM_PLACE_ROLES,
    TEAM_ROLES,
    Role,
)
from safebabies.identity.selectors import roles_of, site_roles
from safebabies.identity.services import membership_add
from safebabies.identity.signals import role_restored, role_withdrawn
from safebabies.kit.services import (
    add_error,
    apply_changes,
    audit,
    check_errors,
    save_audited_changes,
    save_changes,
    save_new,
    service,
    take_id,
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


CASE_OPEN_ROLES = TEAM_MANAGER_ROLES  # Community Coordinators and site admins


def _check_case_dates(errors: dict[str, list[str]], case: Case, today: dt.date) -> None:
    if case.opened_on > today:
        add_error(errors, "opened_on", "The case cannot open in the future.")
    if case.closed_on is not None:
        if case.closed_on < case.opened_on:
            add_error(errors, "closed_on", "A case cannot close before it opens.")
        elif case.closed_on > today:
            add_error(errors, "closed_on", "The case cannot close in the future.")


@service
def case_open(
    *,
    actor: User,
    site: Site,
    opened_on: dt.date,
    id: str | None = None,
    name: str = "",
    closed_on: dt.date | None = None,
    enrollment: str = codes.Enrollment.OUT_OF_HOME,
    request: HttpRequest | None = None,
) -> Case:
    """A case as the data package has it (cases.csv): the family's case alone, its children,
    removals and plans added one by one after it (the API). Only a Community Coordinator or a
    site admin of `site` opens one this way; nobody joins the family team by it."""
    if not site_roles(actor, site.pk) & CASE_OPEN_ROLES:
        raise PermissionDenied(
            "Only the site's Community Coordinators and site admins open a case here."
        )
    case = take_id(
        Case(
            site=site,
            name=name.strip(),
            opened_on=opened_on,
            closed_on=closed_on,
            enrollment=enrollment,
        ),
        id,
    )
    errors: dict[str, list[str]] = {}
    _check_case_dates(errors, case, site.today())
    check_errors(errors)
    save_new(case)
    audit(actor=actor, action=AuditEvent.Action.CREATE, record=case, case=case, request=request)
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
    save_audited_changes(case, changed, actor=actor, case=case, request=request)
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
        "exited_on",
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
    if child.exited_on is not None:
        if child.enrolled_on and child.exited_on < child.enrolled_on:
            add_error(errors, "exited_on", "A child leaves the program on or after enrolment.")
        elif child.exited_on > today:
            add_error(errors, "exited_on", "The exit date cannot be in the future.")


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
    manner: str = "",
    reasons: list[str] | None = None,
    setting: str = "",
    caregiver: Person | None = None,
    address: str = "",
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
    elif manner or reasons or setting:
        add_error(errors, "removal_date", "Give the removal date of the removal you describe.")
    if caregiver is not None and caregiver.case_id != case.pk:
        add_error(errors, "caregiver", "Choose a person from this family's record.")
    _check_goals(errors, primary_goal, concurrent_goal)
    check_errors(errors)

    save_new(child)
    audit(actor=actor, action=AuditEvent.Action.CREATE, record=child, case=case, request=request)
    if removal_date is not None:
        episode = save_new(
            Episode(
                child=child,
                removal_date=removal_date,
                manner=manner,
                reasons=list(reasons or []),
            )
        )
        audit(
            actor=actor, action=AuditEvent.Action.CREATE, record=episode, case=case, request=request
        )
        if setting:  # the first placement, from the removal
            placement = save_new(
                Placement(
                    episode=episode,
                    setting=setting,
                    start_date=removal_date,
                    caregiver=caregiver,
                    address=address.strip(),
                )
            )
            audit(
                actor=actor,
                action=AuditEvent.Action.CREATE,
                record=placement,
                case=case,
                request=request,
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
    `family_name`, `docket_number`, `removal_date` (required when the case is out of home)
    with the removal's `manner` and `reasons` and the first placement (`setting`,
    `caregiver`, `address`, from the removal date), `sex`, `icwa`, `preferred_language`,
    `enrolled_on` (today by default), `request`.
    """
    return _child_create(actor=actor, case=case, **fields)


@service
def child_record(
    *,
    actor: User,
    case: Case,
    birth_date: dt.date,
    enrolled_on: dt.date,
    id: str | None = None,
    request: HttpRequest | None = None,
    **fields: Any,
) -> Child:
    """A child as the data package has it (children.csv): the child alone, their removals
    (`episode_record`) and permanency plans added after. Other arguments: those of
    `child_update` (names, sex, race, hispanic, icwa, exited_on, docket_number,
    preferred_language)."""
    unknown = set(fields) - CHILD_FIELDS
    if unknown:
        raise TypeError(f"unknown child fields: {', '.join(sorted(unknown))}")
    for name in ("given_name", "family_name", "docket_number"):
        if name in fields:
            fields[name] = (fields[name] or "").strip()
    child = take_id(Child(case=case, birth_date=birth_date, enrolled_on=enrolled_on, **fields), id)
    errors: dict[str, list[str]] = {}
    _check_child(errors, child, case.site.today())
    check_errors(errors)
    save_new(child)
    audit(actor=actor, action=AuditEvent.Action.CREATE, record=child, case=case, request=request)
    return child


@service
def child_update(
    *, actor: User, child: Child, request: HttpRequest | None = None, **changes: Any
) -> Child:
    """Corrects a child's details (names, birth date, sex, race, ICWA status, docket...)."""
    changed = apply_changes(child, changes, CHILD_FIELDS)
    errors: dict[str, list[str]] = {}
    _check_child(errors, child, child.case.site.today())
    check_errors(errors)
    save_audited_changes(child, changed, actor=actor, case=child.case, request=request)
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
        "notified_on",
        "family_copies",
    }
)


def _check_person(person: Person) -> None:
    """A relative's notice of the removal (`Person.notified_on`): a relative's only, and not
    a day still to come."""
    if person.notified_on is None:
        return
    if person.kind != Person.Kind.RELATIVE:
        raise ValidationError(
            {"notified_on": "The notice of a removal is recorded for a relative only."}
        )
    if person.notified_on > person.case.site.today():
        raise ValidationError(
            {"notified_on": "Record the notice once it is given: this day is still to come."}
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
    id: str | None = None,
    request: HttpRequest | None = None,
    **fields: Any,
) -> Person:
    """Adds a parent, resource parent, relative or other support, with their relationship to
    each child (`relationships`: child id -> Relationship.Kind). Other arguments: `family_name`,
    `phone`, `email`, `address`, `preferred_language`, `race`, `hispanic`; `id` when the
    client gives one."""
    unknown = set(fields) - PERSON_FIELDS
    if unknown:
        raise TypeError(f"unknown person fields: {', '.join(sorted(unknown))}")
    person = take_id(Person(case=case, kind=kind, given_name=given_name.strip(), **fields), id)
    _check_person(person)
    save_new(person)
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
    _check_person(person)
    save_audited_changes(person, changed, actor=actor, case=person.case, request=request)
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


# --- Removals, discharges and placements as the data package has them (the API) ------------
#
# The import's checks (cases/package/checks.py), row by row: a discharge on or after its
# removal and with its reason, no two removals of a child overlapping, a placement inside its
# episode; and what has not happened yet is not recorded: no removal, discharge or placement
# date in the future (past dates are history, and welcome).

EPISODE_FIELDS = frozenset(
    {"removal_date", "manner", "reasons", "discharge_date", "discharge_reason"}
)
PLACEMENT_FIELDS = frozenset(
    {"setting", "start_date", "end_date", "end_reason", "caregiver", "address"}
)


def _when(day: dt.date) -> str:
    return f"{day:%-d %b %Y}"


def _check_episode(errors: dict[str, list[str]], episode: Episode, today: dt.date) -> None:
    child = episode.child
    if episode.removal_date > today:
        add_error(
            errors,
            "removal_date",
            "Record a removal once it has happened: the date cannot be in the future.",
        )
    if episode.removal_date < child.birth_date:
        add_error(errors, "removal_date", "The removal date is on or after the birth date.")
    discharge = episode.discharge_date
    if discharge is not None:
        if discharge < episode.removal_date:
            add_error(errors, "discharge_date", "The discharge date is before the removal date.")
        elif discharge > today:
            add_error(
                errors,
                "discharge_date",
                "Record a discharge once it has happened: the date cannot be in the future.",
            )
        if not episode.discharge_reason:
            add_error(errors, "discharge_reason", "A discharge date needs a discharge reason.")
    elif episode.discharge_reason:
        add_error(errors, "discharge_date", "A discharge reason needs a discharge date.")
    if errors:
        return
    # [removal, discharge) as the database's exclusion constraint has it: a removal and a
    # discharge on the same day overlap nothing
    for other in child.episodes.exclude(pk=episode.pk).order_by("removal_date", "id"):
        if other.discharge_date is None and discharge is None:
            add_error(
                errors,
                "discharge_date",
                f"The child is in care since {_when(other.removal_date)} (removal "
                f"{other.pk}): discharge that removal first, or give this one its discharge.",
            )
        elif (
            episode.removal_date != discharge
            and other.removal_date != other.discharge_date
            and (other.discharge_date is None or episode.removal_date < other.discharge_date)
            and (discharge is None or other.removal_date < discharge)
        ):
            add_error(
                errors,
                "removal_date",
                f"This removal overlaps removal {other.pk} of the same child "
                f"({_when(other.removal_date)} to "
                f"{_when(other.discharge_date) if other.discharge_date else 'now'}).",
            )


def _check_placement(errors: dict[str, list[str]], placement: Placement, today: dt.date) -> None:
    episode = placement.episode
    start, end = placement.start_date, placement.end_date
    if end is not None and end < start:
        add_error(errors, "end_date", "The placement ends before it starts.")
    if start < episode.removal_date:
        add_error(
            errors,
            "start_date",
            f"The placement starts before its episode's removal date "
            f"({_when(episode.removal_date)}).",
        )
    if episode.discharge_date is not None:
        if start > episode.discharge_date:
            add_error(
                errors,
                "start_date",
                f"The placement starts after its episode's discharge date "
                f"({_when(episode.discharge_date)}).",
            )
        if end is not None and end > episode.discharge_date:
            add_error(
                errors,
                "end_date",
                f"The placement ends after its episode's discharge date "
                f"({_when(episode.discharge_date)}).",
            )
    if start > today:
        add_error(errors, "start_date", "Record a placement once it has begun: not a future date.")
    if end is not None and end > today:
        add_error(errors, "end_date", "The end date cannot be in the future.")
    if placement.caregiver is not None and placement.caregiver.case_id != episode.child.case_id:
        add_error(errors, "caregiver", "Choose a person from this family's record.")


def _placements_inside(errors: dict[str, list[str]], episode: Episode) -> None:
    """An episode whose dates change still holds its placements (an open placement ends with
    the discharge: `episode_update`)."""
    for placement in episode.placements.order_by("start_date", "id"):
        if placement.start_date < episode.removal_date:
            add_error(
                errors,
                "removal_date",
                f"Placement {placement.pk} starts on {_when(placement.start_date)}, "
                "before this removal date.",
            )
        elif episode.discharge_date is not None and (
            placement.start_date > episode.discharge_date
            or (placement.end_date is not None and placement.end_date > episode.discharge_date)
        ):
            add_error(
                errors,
                "discharge_date",
                f"The discharge falls inside placement {placement.pk} "
                f"({_when(placement.start_date)} to "
                f"{_when(placement.end_date) if placement.end_date else 'now'}): "
                "a child is discharged on or after the end of each placement.",
            )


def _locked_child(child: Child) -> Child:
    """The child, locked until the transaction ends: two removals of one child written at once
    are checked one after the other."""
    locked = Child.objects.select_for_update(of=("self",)).select_related("case__site")
    return locked.get(pk=child.pk)


@service
def episode_record(
    *,
    actor: User,
    child: Child,
    removal_date: dt.date,
    id: str | None = None,
    manner: str = "",
    reasons: list[str] | None = None,
    discharge_date: dt.date | None = None,
    discharge_reason: str = "",
    request: HttpRequest | None = None,
) -> Episode:
    """A removal of the child (episodes.csv), discharged already when the dates are history.
    A child enrolled before comes back into care with a new one (re-entry)."""
    child = _locked_child(child)
    case = child.case
    episode = take_id(
        Episode(
            child=child,
            removal_date=removal_date,
            manner=manner or "",
            reasons=list(reasons or []),
            discharge_date=discharge_date,
            discharge_reason=discharge_reason or "",
            discharge_recorded_at=timezone.now() if discharge_date else None,
        ),
        id,
    )
    errors: dict[str, list[str]] = {}
    _check_episode(errors, episode, case.site.today())
    check_errors(errors)
    save_new(episode)
    audit(actor=actor, action=AuditEvent.Action.CREATE, record=episode, case=case, request=request)
    return episode


@service
def episode_update(
    *, actor: User, episode: Episode, request: HttpRequest | None = None, **changes: Any
) -> Episode:
    """Corrects a removal (`removal_date`, `manner`, `reasons`) or records, corrects or undoes
    its discharge (`discharge_date` with `discharge_reason`; both null reopens the episode).
    A discharge ends the child's open placement on the same day, in the same transaction."""
    for name in ("manner", "discharge_reason"):
        if name in changes and changes[name] is None:
            changes[name] = ""
    if "reasons" in changes:
        changes["reasons"] = list(changes["reasons"] or [])
    child = _locked_child(episode.child)
    episode = Episode.objects.select_for_update(of=("self",)).get(pk=episode.pk)
    episode.child = child
    case = child.case
    discharging = episode.discharge_date is None and changes.get("discharge_date") is not None
    changed = apply_changes(episode, changes, EPISODE_FIELDS)
    if "discharge_date" in changed:  # when it was recorded: undone that day only
        episode.discharge_recorded_at = timezone.now() if episode.discharge_date else None
        changed.append("discharge_recorded_at")
    errors: dict[str, list[str]] = {}
    today = case.site.today()
    _check_episode(errors, episode, today)
    open_placement = (
        episode.placements.filter(end_date__isnull=True).order_by("-start_date").first()
        if discharging
        else None
    )
    if not errors and open_placement is not None:
        assert episode.discharge_date is not None  # discharging
        if open_placement.start_date > episode.discharge_date:
            add_error(
                errors,
                "discharge_date",
                f"The child's current placement began on {_when(open_placement.start_date)}: "
                "the discharge is on or after that day.",
            )
    check_errors(errors)
    if open_placement is not None:
        open_placement.end_date = episode.discharge_date
        open_placement.end_reason = DISCHARGE_END_REASON.format(
            episode.get_discharge_reason_display()
        )
        save_changes(open_placement, ["end_date", "end_reason"])
        audit(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            record=open_placement,
            case=case,
            fields=["end_date", "end_reason"],
            request=request,
        )
    if {"removal_date", "discharge_date"} & set(changed):
        _placements_inside(errors, episode)
        check_errors(errors)
    save_audited_changes(episode, changed, actor=actor, case=case, request=request)
    return episode


@service
def placement_record(
    *,
    actor: User,
    episode: Episode,
    setting: str,
    start_date: dt.date,
    id: str | None = None,
    end_date: dt.date | None = None,
    end_reason: str = "",
    caregiver: Person | None = None,
    address: str = "",
    request: HttpRequest | None = None,
) -> Placement:
    """A placement of an episode as the data package has it (placements.csv), with its own
    dates: other placements are left as they are (a move ends the one before with a PATCH,
    or use `placement_add`, which does both)."""
    child = _locked_child(episode.child)
    episode.child = child
    placement = take_id(
        Placement(
            episode=episode,
            setting=setting,
            start_date=start_date,
            end_date=end_date,
            end_reason=(end_reason or "").strip(),
            caregiver=caregiver,
            address=address or "",
        ),
        id,
    )
    errors: dict[str, list[str]] = {}
    _check_placement(errors, placement, child.case.site.today())
    check_errors(errors)
    save_new(placement)
    audit(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        record=placement,
        case=child.case,
        request=request,
    )
    return placement


@service
def placement_update(
    *, actor: User, placement: Placement, request: HttpRequest | None = None, **changes: Any
) -> Placement:
    """Corrects a placement or ends it (`end_date`, `end_reason`); it stays in its episode."""
    for name in ("end_reason", "address"):
        if name in changes:
            changes[name] = (changes[name] or "").strip()
    placement = Placement.objects.select_related("episode__child__case__site").get(pk=placement.pk)
    changed = apply_changes(placement, changes, PLACEMENT_FIELDS)
    errors: dict[str, list[str]] = {}
    _check_placement(errors, placement, placement.episode.child.case.site.today())
    check_errors(errors)
    save_audited_changes(
        placement, changed, actor=actor, case=placement.episode.child.case, request=request
    )
    return placement


# --- Removal, discharge and its undo from the case page ---------------------------------


def _about_child(child: Child, exc: ValidationError) -> ValidationError:
    """A refusal for one child of several, each message naming the child, on its field."""
    name = child.given_name or "A child"
    if hasattr(exc, "error_dict"):
        return ValidationError(
            {
                field: [f"{name}: {message}" for error in errors for message in error.messages]
                for field, errors in exc.error_dict.items()
            }
        )
    return ValidationError([f"{name}: {message}" for message in exc.messages])


@service
def removal_record(
    *,
    actor: User,
    children: list[Child],
    removal_date: dt.date,
    manner: str,
    reasons: list[str],
    setting: str,
    start_date: dt.date | None = None,
    caregiver: Person | None = None,
    address: str = "",
    request: HttpRequest | None = None,
) -> list[Episode]:
    """One removal of one child, or of brothers and sisters together: each child gets a new
    episode (a child who was in care before re-enters) and its first placement, from
    `start_date` (the removal date by default). All or nothing: one child's refusal (an
    open or overlapping removal, say) writes nothing for any of them, and names the child."""
    if not children:
        raise ValidationError({"children": "Choose the child or children who were removed."})
    episodes = []
    for child in children:
        try:
            episode = episode_record(
                actor=actor,
                child=child,
                removal_date=removal_date,
                manner=manner,
                reasons=reasons,
                request=request,
            )
            placement_record(
                actor=actor,
                episode=episode,
                setting=setting,
                start_date=start_date or removal_date,
                caregiver=caregiver,
                address=address,
                request=request,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "discharge_date" in exc.error_dict:
                # a removal of a child in care now: the answer is about this removal's date
                errors = exc.error_dict
                errors.setdefault("removal_date", []).extend(errors.pop("discharge_date"))
                exc = ValidationError(errors)
            raise (_about_child(child, exc) if len(children) > 1 else exc) from exc
        episodes.append(episode)
    return episodes


DISCHARGE_END_REASON = "Discharged: {}"


@service
def episode_discharge(
    *,
    actor: User,
    episode: Episode,
    discharge_date: dt.date,
    discharge_reason: str,
    request: HttpRequest | None = None,
) -> Episode:
    """A child leaves care: the removal's discharge date and reason; the open placement ends
    the same day (`episode_update`). A discharge before the removal or inside a placement is
    refused on `discharge_date`."""
    if episode.discharge_date is not None:
        raise ValidationError(
            {"discharge_date": f"This child was discharged on {_when(episode.discharge_date)}."}
        )
    if not discharge_reason:
        raise ValidationError({"discharge_reason": "Choose why the child left care."})
    return episode_update(
        actor=actor,
        episode=episode,
        discharge_date=discharge_date,
        discharge_reason=discharge_reason,
        request=request,
    )


def discharge_undoable(episode: Episode) -> bool:
    """A discharge is undone on the day it was recorded (the site's day) only."""
    recorded = episode.discharge_recorded_at
    site = episode.child.case.site
    return recorded is not None and recorded.astimezone(site.tz).date() == site.today()


@service
def episode_discharge_undo(
    *, actor: User, episode: Episode, request: HttpRequest | None = None
) -> Episode:
    """Takes back a discharge recorded today (a mistake): the removal is open again, and so is
    the placement the discharge ended. After the day, a discharge is corrected, not undone."""
    if episode.discharge_date is None:
        raise ValidationError({"discharge_date": "This removal has no discharge to undo."})
    if not discharge_undoable(episode):
        raise ValidationError(
            {
                "discharge_date": "A discharge can be undone on the day it was recorded only. "
                "Ask your Community Coordinator to correct it."
            }
        )
    later = (
        episode.child.episodes.filter(removal_date__gte=episode.discharge_date)
        .exclude(pk=episode.pk)
        .order_by("removal_date")
        .first()
    )
    if later is not None:
        raise ValidationError(
            {
                "discharge_date": f"The child came back into care on {_when(later.removal_date)}, "
                "after this discharge: it can no longer be undone."
            }
        )
    ended = (
        episode.placements.filter(
            end_date=episode.discharge_date,
            end_reason=DISCHARGE_END_REASON.format(episode.get_discharge_reason_display()),
        )
        .order_by("-start_date", "-id")
        .first()
    )
    episode = episode_update(
        actor=actor, episode=episode, discharge_date=None, discharge_reason="", request=request
    )
    if ended is not None:
        changed = apply_changes(ended, {"end_date": None, "end_reason": ""}, PLACEMENT_FIELDS)
        save_audited_changes(ended, changed, actor=actor, case=episode.child.case, request=request)
    return episode


# --- Maltreatment reports ------------------------------------------------------------------


def _check_report(errors: dict[str, list[str]], report: MaltreatmentReport) -> None:
    if report.reported_on > report.child.case.site.today():
        add_error(errors, "reported_on", "A report is recorded once made: not a future date.")


@service
def maltreatment_report_record(
    *,
    actor: User,
    child: Child,
    reported_on: dt.date,
    disposition: str,
    id: str | None = None,
    request: HttpRequest | None = None,
) -> MaltreatmentReport:
    """A report of maltreatment about the child and its disposition (maltreatment_reports.csv):
    recurrence within 12 months is counted from these."""
    report = take_id(
        MaltreatmentReport(child=child, reported_on=reported_on, disposition=disposition), id
    )
    errors: dict[str, list[str]] = {}
    _check_report(errors, report)
    check_errors(errors)
    save_new(report)
    audit(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        record=report,
        case=child.case,
        request=request,
    )
    return report


@service
def maltreatment_report_update(
    *,
    actor: User,
    report: MaltreatmentReport,
    request: HttpRequest | None = None,
    **changes: Any,
) -> MaltreatmentReport:
    """Corrects a report's date or disposition (a report that is later substantiated)."""
    changed = apply_changes(report, changes, frozenset({"reported_on", "disposition"}))
    errors: dict[str, list[str]] = {}
    _check_report(errors, report)
    check_errors(errors)
    save_audited_changes(report, changed, actor=actor, case=report.child.case, request=request)
    return report


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
    id: str | None = None,
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
        take_id(
            PermanencyPlan(
                child=child,
                effective_date=effective_date,
                primary_goal=primary_goal,
                concurrent_goal=concurrent_goal,
                reason=reason.strip(),
                recorded_by=actor,
            ),
            id,
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
    if role == Role.PARENT_MENTOR:  # the parent they support (optional)
        if not person_id:
            return None
        person = Person.objects.filter(pk=person_id, case=case, kind=Person.Kind.PARENT).first()
        if person is None:
            raise ValidationError({"person_id": "This is not a parent among this family's people."})
        return person
    if role != Role.PARENT:
        if person_id:
            raise ValidationError(
                {
                    "person_id": 'Only a place in the role "parent" (the parent\'s account) or '
                    '"parent_mentor" (the parent they support) names a person.'
                }
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
    phone: str = "",
    request: HttpRequest | None = None,
) -> tuple[TeamMember, bool]:
    """Puts the active site member `email` on the family team of `case` in `role`.

    The role must be a family-team role the member holds at the case's site. With the role
    "parent", `person_id` names the parent of the case the account is: they then read what is
    theirs of the case (cases.access). Returns (team member, created); already on the team in
    that role (as that person) returns the existing row (its `phone` set when one is given).
    `phone`: the number the team reaches them on for this family. The caller has checked that
    `actor` may manage this team (`CaseAccess.can_manage_team`).
    """
    phone = (phone or "").strip()
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
        if role == Role.PARENT_MENTOR:
            if person is not None and existing.person_id != person.pk:
                existing.person = person  # the mentor's place now names the parent they support
                existing.save(update_fields=["person"])
                audit_log(
                    actor=actor,
                    action=Action.UPDATE,
                    record=existing,
                    case_id=case.pk,
                    site_id=case.site_id,
                    detail={"fields": ["person"], "person": person.pk},
                    request=request,
                )
            return existing, False
        if existing.person_id != (person.pk if person else None):
            raise ValidationError(
                {"person_id": "This account is already linked to another person of the family."}
            )
        if phone and existing.phone != phone:
            existing.phone = phone
            existing.full_clean()
            existing.save(update_fields=["phone"])
            audit_log(
                actor=actor,
                action=Action.UPDATE,
                record=existing,
                case_id=case.pk,
                site_id=case.site_id,
                detail={"fields": ["phone"]},
                request=request,
            )
        return existing, False
    row = TeamMember(case=case, user=member, role=role, person=person, phone=phone)
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
def parent_invite(
    *,
    actor: User,
    case: Case,
    person: Person,
    email: str,
    language: str,
    sign_in_with: str,
    request: HttpRequest | None = None,
) -> tuple[TeamMember, str]:
    """Gives a parent of `case` their own view: an account for `email` with the parent role at
    the case's site (created when new, named and in `language`), linked to `person` on the
    family team (`team_member_add`, audited). `sign_in_with` "link": a new account, or one with
    no password yet, signs in by one-time links only (no password; `accounts/links.py`); an
    account that holds another role, or already has a password, keeps its password. Returns
    (the team place, how the person signs in). The caller checked `actor` may manage the team
    and sends the invitation after the commit."""
    errors: dict[str, list[str]] = {}
    email = (email or "").strip().lower()
    if person.case_id != case.pk or person.kind != Person.Kind.PARENT:
        errors["person"] = ["Only a parent of this family can be invited to their own view."]
    if not email or "@" not in email:
        errors["email"] = ["Enter the parent's e-mail address: it is how they sign in."]
    if language not in ("en", "es"):
        errors["language"] = ["Choose English or Spanish."]
    if sign_in_with not in User.SignIn.values:
        errors["sign_in_with"] = ["Choose how the parent signs in."]
    if errors:
        raise ValidationError(errors)
    membership_add(email=email, site_slug=case.site.slug, role=Role.PARENT, actor=actor)
    user = User.objects.select_for_update().get(email__iexact=email)
    changed = []
    if not user.full_name:
        user.full_name = f"{person.given_name} {person.family_name}".strip()
        changed.append("full_name")
    if user.preferred_language != language:
        user.preferred_language = language
        changed.append("preferred_language")
    held = set().union(*roles_of(user).values())
    if (
        sign_in_with == User.SignIn.LINK
        and held <= FAMILY_ROLES
        and not user.has_usable_password()
        and user.sign_in_with != User.SignIn.LINK
    ):
        user.sign_in_with = User.SignIn.LINK
        changed.append("sign_in_with")
    if changed:
        user.save(update_fields=changed)
    row, _ = team_member_add(
        actor=actor,
        case=case,
        email=email,
        role=Role.PARENT,
        person_id=person.pk,
        request=request,
    )
    audit_log(
        actor=actor,
        action=Action.UPDATE,
        record=user,
        case_id=case.pk,
        site_id=case.site_id,
        detail={"invited_as_parent": person.pk, "sign_in_with": user.sign_in_with},
        request=request,
    )
    return row, user.sign_in_with


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


@receiver(role_restored, dispatch_uid="give_back_team_places_of_restored_role")
def team_places_give_back(
    *, actor: User, site: Site, user: User, role: str, since, request=None, **kwargs
):
    """A role given back at a site (a deactivation undone) gives back the person's family-team
    places in that role which ended when it was taken away (at or after `since`), as new places
    (the ended ones stay in the history), each audited. A family whose team already has them
    in that role again is left as it is."""
    ended = (
        TeamMember.objects.select_for_update()
        .filter(user=user, role=role, case__site=site, removed_at__gte=since)
        .order_by("case_id")
    )
    held = set(
        TeamMember.objects.filter(
            user=user, role=role, case__site=site, removed_at__isnull=True
        ).values_list("case_id", flat=True)
    )
    for old in ended:
        if old.case_id in held:
            continue
        held.add(old.case_id)
        member = TeamMember(case_id=old.case_id, user=user, role=role)
        member.full_clean()
        member.save()
        audit_log(
            actor=actor,
            action=Action.CREATE,
            record=member,
            case_id=member.case_id,
            site_id=site.pk,
            detail={"user": user.pk, "role": role, "reason": "role given back"},
            request=request,
        )


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


def audit_case_search(
    user: User, q: str, site_ids: list[int], request: HttpRequest | None = None
) -> None:
    """A search of the families is a `search` event with the words typed, for each site it
    searched (one for the usual person of one site), so the site's admins see fishing: the
    case list page and the API's `?q=` alike."""
    sites: list[int | None] = list(site_ids) or [None]
    for site_id in sites:
        audit_log(
            actor=user,
            action=AuditEvent.Action.SEARCH,
            record_type="cases.case",
            site_id=site_id,
            detail={"q": q},
            request=request,
        )
