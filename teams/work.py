"""Writes of the family team's own part (issue 22): case notes that are their authors', a
parent mentor's support contacts with the parent they support, and the link between a parent
mentor's team place and that parent.

Same shape as `teams.services`: keyword arguments, atomic (`@service`), `full_clean()` before
every save, one audit event per row written, errors keyed by field name. Callers decide who
may write (`cases.access`: `can_write_own_notes`, `may_change_note`,
`can_log_support_contacts`, `can_link_mentor`); the rules on the rows themselves live here.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone

from cases.models import Case, Person, TeamMember
from safebabies.audit.models import AuditEvent
from safebabies.identity.models import User
from safebabies.identity.roles import Role
from safebabies.kit.services import audit, save_new, service, take_id
from teams.models import CaseNote, SupportContact, SupportKind

NOTE_MAX = 4000
# The role a note is written in, for one who acts in several on the family: a site-wide role
# first, then the team's, in this order.
NOTE_ROLE_ORDER = (
    Role.COMMUNITY_COORDINATOR,
    Role.SITE_ADMIN,
    Role.CASEWORKER,
    Role.CLINICIAN,
    Role.PARENT_ATTORNEY,
    Role.CHILD_ATTORNEY,
    Role.GAL_CASA,
    Role.PARENT_MENTOR,
    Role.JUDGE,
)


def main_role(roles: frozenset[str]) -> str:
    """Of the roles one acts in on a family, the one their note is written in."""
    for role in NOTE_ROLE_ORDER:
        if role in roles:
            return role
    return sorted(roles)[0]


SUPPORT_NOTE_MAX = 2000


def _text(value: Any, field: str, limit: int, *, required: bool) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError({field: "Write the note."})
    if len(text) > limit:
        raise ValidationError({field: f"At most {limit} characters."})
    if "\x00" in text:
        raise ValidationError({field: "Control characters (such as NUL) are not allowed."})
    return text


@service
def case_note_write(
    *,
    actor: User,
    case: Case,
    author_role: str,
    text: str,
    id: str | None = None,
    request: HttpRequest | None = None,
) -> CaseNote:
    """A note of `actor` on the family's case, written now, in the role they act in there."""
    note = CaseNote(
        case=case,
        author=actor,
        author_role=author_role,
        written_at=timezone.now(),
        text=_text(text, "text", NOTE_MAX, required=True),
    )
    take_id(note, id)
    save_new(note)
    audit(actor=actor, action=AuditEvent.Action.CREATE, record=note, case=case, request=request)
    return note


@service
def case_note_change(
    *, actor: User, note: CaseNote, case: Case, text: str, request: HttpRequest | None = None
) -> CaseNote:
    """Its author's correction, on the day it was written (the caller checked:
    `cases.access.may_change_note`)."""
    new = _text(text, "text", NOTE_MAX, required=True)
    if new != note.text:
        note.text = new
        note.full_clean()
        note.save(update_fields=["text", "updated_at"])
        audit(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            record=note,
            case=case,
            fields=["text"],
            request=request,
        )
    return note


def mentor_places(case: Case, user: User) -> list[TeamMember]:
    """The user's parent mentor places on the family's team (not removed)."""
    return list(
        TeamMember.objects.filter(
            case=case, user=user, role=Role.PARENT_MENTOR, removed_at__isnull=True
        ).select_related("person")
    )


def supported_people(case: Case, user: User) -> list[Person]:
    """The parents of the case the user supports as their parent mentor (their places name
    them: `TeamMember.person`)."""
    return [place.person for place in mentor_places(case, user) if place.person is not None]


@service
def support_contact_log(
    *,
    actor: User,
    case: Case,
    person_id: str | None,
    contacted_on: dt.date | None,
    kind: str,
    minutes: int | None,
    shared_note: str = "",
    parent_agreed: bool = False,
    id: str | None = None,
    request: HttpRequest | None = None,
) -> SupportContact:
    """A parent mentor's contact with the parent they support: the parent must be the one
    their place on the family's team names; not in the future; a note only with the parent's
    agreement to share it."""
    errors: dict[str, list[str]] = {}
    supported = {person.pk: person for person in supported_people(case, actor)}
    person = supported.get(person_id or "")
    if not supported:
        errors["person_id"] = [
            "Your place on this family's team names no parent yet: the Community Coordinator "
            "links you to the parent you support."
        ]
    elif person is None:
        errors["person_id"] = ["Name the parent you support on this family's team."]
    today = case.site.today()
    if contacted_on is None:
        errors["contacted_on"] = ["Say on which day."]
    elif contacted_on > today:
        errors["contacted_on"] = ["A contact is logged on or after its day, not before."]
    if kind not in SupportKind.values:
        errors["kind"] = [f"Choose one of: {', '.join(SupportKind.values)}."]
    if minutes is None or not 1 <= int(minutes) <= 24 * 60:
        errors["minutes"] = ["How many minutes, from 1 to 1440."]
    note = ""
    try:
        note = _text(shared_note, "shared_note", SUPPORT_NOTE_MAX, required=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if note and not parent_agreed:
        errors["parent_agreed"] = [
            "Write a note only when the parent agreed to share it, and tick that they did."
        ]
    if errors:
        raise ValidationError(errors)
    assert contacted_on is not None and minutes is not None  # checked above
    contact = SupportContact(
        case=case,
        person=person,
        mentor=actor,
        contacted_on=contacted_on,
        kind=kind,
        minutes=minutes,
        shared_note=note,
        parent_agreed=bool(parent_agreed),
    )
    take_id(contact, id)
    save_new(contact)
    audit(actor=actor, action=AuditEvent.Action.CREATE, record=contact, case=case, request=request)
    return contact


@service
def mentor_link(
    *,
    actor: User,
    case: Case,
    place: TeamMember,
    person_id: str | None,
    request: HttpRequest | None = None,
) -> TeamMember:
    """Links a parent mentor's place on the family's team to the parent they support (a
    parent among the case's people), or unlinks it (`person_id` empty)."""
    if place.case_id != case.pk or place.role != Role.PARENT_MENTOR or place.removed_at:
        raise ValidationError({"place": "Choose a parent mentor on this family's team."})
    person = None
    if person_id:
        person = Person.objects.filter(pk=person_id, case=case, kind=Person.Kind.PARENT).first()
        if person is None:
            raise ValidationError({"person_id": "This is not a parent among this family's people."})
    if place.person_id != (person.pk if person else None):
        place.person = person
        place.full_clean()
        place.save(update_fields=["person"])
        audit(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            record=place,
            case=case,
            fields=["person"],
            request=request,
        )
    return place
