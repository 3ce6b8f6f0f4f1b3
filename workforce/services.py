"""Writes of the workforce records (issue 22 items 7 and 8). Same shape as `teams.work`: keyword
arguments, atomic (`@service`), `full_clean()` before every save, one audit event per row
written, errors keyed by field name.

Callers check that the user may write at the site (`cases.access.sites_adding`) or the row
(`access_site_record(..., write=True)`); the service then checks that the row it wrote is one
the user may write (`site_records_writable_by`): a staff member logs their own supervision, a
clinician their own consultations, and cannot write a row in someone else's name.

The audit events of a well-being check-in say that one was written or changed, never what it
holds (no field names, nothing of its scale or note).
"""

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import HttpRequest

from cases.access import STAFF_ROLES, site_records_writable_by
from safebabies.audit.models import AuditEvent
from safebabies.audit.services import audit_log
from safebabies.identity.models import Site, User
from safebabies.identity.roles import Role
from safebabies.kit.services import add_error, check_errors, service, take_id
from workforce.models import (
    MINUTES_MAX,
    Consultation,
    Consultee,
    Mode,
    Need,
    SupervisionKind,
    SupervisionSession,
    Topic,
    Training,
    TrainingAttendance,
    WellbeingCheckIn,
)
from workforce.selectors import members_of

NAME_MAX = 200
NOTE_MAX = 2000
ATTENDEES_MAX = 200


def _audit(
    actor: User,
    action: str,
    record: Model,
    fields: list[str] | None = None,
    request: HttpRequest | None = None,
    site_id: int | None = None,
) -> None:
    audit_log(
        actor=actor,
        action=action,
        record=record,
        site_id=site_id or record.site_id,  # type: ignore[attr-defined]
        detail={"fields": sorted(fields)} if fields else None,
        request=request,
    )


def _text(value: Any, field: str, limit: int, errors: dict[str, list[str]]) -> str:
    text = str(value or "").strip()
    if len(text) > limit:
        add_error(errors, field, f"At most {limit} characters.")
    if "\x00" in text:
        add_error(errors, field, "Control characters (such as NUL) are not allowed.")
    return text


def _member(
    site: Site, email: Any, roles: frozenset[str], field: str, errors: dict[str, list[str]]
) -> User | None:
    """The user of the site with this e-mail holding one of `roles` there; an error on
    `field` otherwise (the same words whether or not such an account exists elsewhere)."""
    email = str(email or "").strip()
    if not email:
        return None
    user = members_of(site, roles).filter(email__iexact=email).first()
    if user is None:
        add_error(errors, field, "Nobody with this e-mail among the people of the site here.")
    return user


def _day(value: Any, field: str, today: dt.date, errors: dict[str, list[str]]) -> dt.date | None:
    if not isinstance(value, dt.date):
        add_error(errors, field, "Say on which day.")
        return None
    if value > today:
        add_error(errors, field, "Log it on or after the day, not before.")
    return value


def _minutes(value: Any, errors: dict[str, list[str]]) -> int:
    try:
        minutes = int(value)
    except (TypeError, ValueError):
        minutes = 0
    if not 1 <= minutes <= MINUTES_MAX:
        add_error(errors, "minutes", f"How many minutes, from 1 to {MINUTES_MAX}.")
    return minutes


def _choice(value: Any, choices: list[str], field: str, errors: dict[str, list[str]]) -> str:
    value = str(value or "")
    if value not in choices:
        add_error(errors, field, f"Choose one of: {', '.join(choices)}.")
    return value


def _save(
    kind: str,
    row: Any,
    *,
    actor: User,
    new: bool,
    fields: list[str],
    mine_message: tuple[str, str],
    private: bool = False,
    request: HttpRequest | None = None,
) -> None:
    """Validates and saves `row`, checks the actor may write it as it now is, audits it."""
    row.full_clean()
    if new:
        row.save(force_insert=True)
    elif fields:
        row.save(update_fields=[*fields, "updated_at"])
    else:
        return
    if not site_records_writable_by(actor, kind).filter(pk=row.pk).exists():
        raise ValidationError({mine_message[0]: mine_message[1]})
    action = AuditEvent.Action.CREATE if new else AuditEvent.Action.UPDATE
    _audit(actor, action, row, None if private or new else fields, request)


def _apply(row: Any, values: dict[str, Any]) -> list[str]:
    changed = []
    for name, value in values.items():
        field = row._meta.get_field(name)
        if field.is_relation:
            differs = getattr(row, field.attname) != (value.pk if value is not None else None)
        else:
            differs = getattr(row, name) != value
        if differs:
            setattr(row, name, value)
            changed.append(name)
    return changed


# --- Reflective supervision ---------------------------------------------------------------------


@service
def supervision_session_save(
    *,
    actor: User,
    site: Site,
    session: SupervisionSession | None = None,
    staff_email: str,
    supervisor_email: str = "",
    supervisor_name: str = "",
    held_on: dt.date | None,
    minutes: int | None,
    kind: str,
    id: str | None = None,
    request: HttpRequest | None = None,
) -> SupervisionSession:
    """Logs (or, given `session`, corrects) a reflective supervision session: a staff member of
    the site, their supervisor (a person of the site, or the name of one without an account),
    the day, how long, individual or group. No content."""
    errors: dict[str, list[str]] = {}
    staff = _member(site, staff_email, STAFF_ROLES, "staff_email", errors)
    if staff is None and "staff_email" not in errors:
        add_error(errors, "staff_email", "Name the staff member (their e-mail).")
    supervisor = _member(site, supervisor_email, STAFF_ROLES, "supervisor_email", errors)
    name = _text(supervisor_name, "supervisor_name", NAME_MAX, errors)
    if supervisor is not None and name:
        add_error(errors, "supervisor_name", "Name the supervisor once: a person or a name.")
    elif supervisor is None and not name and "supervisor_email" not in errors:
        add_error(
            errors, "supervisor_email", "Name the supervisor: a person of the site or a name."
        )
    if staff is not None and supervisor is not None and staff.pk == supervisor.pk:
        add_error(
            errors, "supervisor_email", "The supervisor is someone else than the staff member."
        )
    day = _day(held_on, "held_on", site.today(), errors)
    mins = _minutes(minutes, errors)
    kind = _choice(kind, SupervisionKind.values, "kind", errors)
    check_errors(errors)
    values = {
        "staff": staff,
        "supervisor": supervisor,
        "supervisor_name": name,
        "held_on": day,
        "minutes": mins,
        "kind": kind,
    }
    new = session is None
    if session is None:
        session = take_id(SupervisionSession(site=site, recorded_by=actor), id)
    changed = _apply(session, values)
    _save(
        "supervision_session",
        session,
        actor=actor,
        new=new,
        fields=changed,
        mine_message=(
            "staff_email",
            "You log your own sessions: as the staff member or as their supervisor.",
        ),
        request=request,
    )
    return session


# --- Private well-being check-ins --------------------------------------------------------------


@service
def wellbeing_check_in_save(
    *,
    actor: User,
    site: Site,
    check_in: WellbeingCheckIn | None = None,
    checked_on: dt.date | None,
    stress: int | None,
    supported: int | None,
    sleep: int | None,
    private_note: str = "",
    request: HttpRequest | None = None,
) -> WellbeingCheckIn:
    """The actor's own check-in (always theirs: nobody writes one for someone else)."""
    errors: dict[str, list[str]] = {}
    day = _day(checked_on, "checked_on", site.today(), errors)
    scale: dict[str, int] = {}
    for name, value in (("stress", stress), ("supported", supported), ("sleep", sleep)):
        try:
            scale[name] = int(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            scale[name] = 0
        if not 1 <= scale[name] <= 5:
            add_error(errors, name, "Choose from 1 to 5.")
    note = _text(private_note, "private_note", NOTE_MAX, errors)
    check_errors(errors)
    new = check_in is None
    if check_in is None:
        check_in = WellbeingCheckIn(site=site, person=actor)
    changed = _apply(check_in, {"checked_on": day, **scale, "private_note": note})
    _save(
        "wellbeing_check_in",
        check_in,
        actor=actor,
        new=new,
        fields=changed,
        mine_message=("checked_on", "A check-in is its person's own."),
        private=True,
        request=request,
    )
    return check_in


# --- IECMH consultations ------------------------------------------------------------------------


@service
def consultation_save(
    *,
    actor: User,
    site: Site,
    consultation: Consultation | None = None,
    consultant_email: str = "",
    consultant_name: str = "",
    held_on: dt.date | None,
    consultee: str,
    need: str,
    mode: str,
    minutes: int | None,
    id: str | None = None,
    request: HttpRequest | None = None,
) -> Consultation:
    """Logs (or corrects) an IECMH consultation: the consultant (a clinician of the site, or a
    name), the day, the consultee's role, the kind of need, direct or indirect, how long."""
    errors: dict[str, list[str]] = {}
    clinicians = frozenset({Role.CLINICIAN})
    consultant = _member(site, consultant_email, clinicians, "consultant_email", errors)
    name = _text(consultant_name, "consultant_name", NAME_MAX, errors)
    if consultant is not None and name:
        add_error(errors, "consultant_name", "Name the consultant once: a person or a name.")
    elif consultant is None and not name and "consultant_email" not in errors:
        add_error(
            errors, "consultant_email", "Name the consultant: a clinician of the site or a name."
        )
    day = _day(held_on, "held_on", site.today(), errors)
    values = {
        "consultant": consultant,
        "consultant_name": name,
        "held_on": day,
        "consultee": _choice(consultee, Consultee.values, "consultee", errors),
        "need": _choice(need, Need.values, "need", errors),
        "mode": _choice(mode, Mode.values, "mode", errors),
        "minutes": _minutes(minutes, errors),
    }
    check_errors(errors)
    new = consultation is None
    if consultation is None:
        consultation = take_id(Consultation(site=site, recorded_by=actor), id)
    changed = _apply(consultation, values)
    _save(
        "consultation",
        consultation,
        actor=actor,
        new=new,
        fields=changed,
        mine_message=("consultant_email", "You log your own consultations: name yourself."),
        request=request,
    )
    return consultation


# --- Trainings ----------------------------------------------------------------------------------


def _attendees(
    site: Site, given: Any, errors: dict[str, list[str]]
) -> list[tuple[User | None, str, str]]:
    """[(user, name, organisation)] from [{"email"} or {"name", "organisation"}]."""
    if not isinstance(given, list) or len(given) > ATTENDEES_MAX:
        add_error(errors, "attendees", f"A list of at most {ATTENDEES_MAX} people.")
        return []
    out: list[tuple[User | None, str, str]] = []
    seen: set[int] = set()
    for number, item in enumerate(given, start=1):
        if not isinstance(item, dict):
            add_error(errors, "attendees", f"Person {number}: an e-mail, or a name.")
            continue
        sub: dict[str, list[str]] = {}
        user = _member(site, item.get("email"), STAFF_ROLES, "email", sub)
        name = _text(item.get("name"), "name", NAME_MAX, sub)
        organisation = _text(item.get("organisation"), "organisation", NAME_MAX, sub)
        if user is not None and (name or organisation):
            add_error(sub, "name", "A person of the site or a name with an organisation.")
        if user is None and not name and "email" not in sub:
            add_error(sub, "name", "An e-mail of a person of the site, or a name.")
        if user is not None and user.pk in seen:
            add_error(sub, "email", "Named twice.")
        for field_errors in sub.values():
            for message in field_errors:
                add_error(errors, "attendees", f"Person {number}: {message}")
        if not sub:
            if user is not None:
                seen.add(user.pk)
            out.append((user, name, organisation))
    return out


@service
def training_save(
    *,
    actor: User,
    site: Site,
    training: Training | None = None,
    title: str,
    held_on: dt.date | None,
    hours: Any,
    topics: list[str],
    attendees: list[dict] | None = None,
    id: str | None = None,
    request: HttpRequest | None = None,
) -> Training:
    """Records (or corrects) a training and, when `attendees` is given, who attended it (the
    list replaces the one before)."""
    errors: dict[str, list[str]] = {}
    title = _text(title, "title", NAME_MAX, errors)
    if not title:
        add_error(errors, "title", "Give the training a title.")
    day = _day(held_on, "held_on", site.today(), errors)
    try:
        amount = Decimal(str(hours)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        amount = Decimal(0)
    if not Decimal("0.5") <= amount <= Decimal(40):
        add_error(errors, "hours", "How many hours, from 0.5 to 40.")
    topics = sorted(set(topics or []))
    if not topics or not set(topics) <= set(Topic.values):
        add_error(errors, "topics", f"Choose one or more of: {', '.join(Topic.values)}.")
    people = _attendees(site, attendees, errors) if attendees is not None else None
    check_errors(errors)
    new = training is None
    if training is None:
        training = take_id(Training(site=site, recorded_by=actor), id)
    changed = _apply(training, {"title": title, "held_on": day, "hours": amount, "topics": topics})
    _save(
        "training",
        training,
        actor=actor,
        new=new,
        fields=changed,
        mine_message=("title", "Trainings are recorded by the Community Coordinator."),
        request=request,
    )
    if people is not None:
        wanted = {(u.pk if u else None, n, o): u for u, n, o in people}
        have = {(a.user_id, a.name, a.organisation): a for a in training.attendance.all()}
        for key, row in have.items():
            if key not in wanted:
                _audit(actor, AuditEvent.Action.DELETE, row, site_id=site.pk, request=request)
                row.delete()
        for key, user in wanted.items():
            if key not in have:
                row = TrainingAttendance(
                    training=training, user=user, name=key[1], organisation=key[2]
                )
                row.full_clean()
                row.save(force_insert=True)
                _audit(actor, AuditEvent.Action.CREATE, row, site_id=site.pk, request=request)
    return training
