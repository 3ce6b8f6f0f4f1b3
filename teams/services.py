"""Writes to Family Team Meetings: schedule, log (autosave), mark held, action items.

Callers decide who may write (`cases.access.access_ftm(..., write=True)`). Every
function is atomic, validates with errors keyed by field name, and writes one audit event.

`ftm_log` saves the whole meeting as the logging page (or the API) sends it: fields,
attendance, the review of the previous meeting's action items and this meeting's new items, in
a constant number of queries whatever their number. It names the `version` it started from;
if someone else saved in between it raises `FtmConflict` and writes nothing.
"""

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest

from assessments.models import Goal
from cases.models import Case, Person, TeamMember
from safebabies import codes
from safebabies.audit.models import AuditEvent
from safebabies.audit.services import audit_log
from safebabies.identity.models import User
from safebabies.identity.roles import Role
from safebabies.kit.services import take_id
from safebabies.lib.ids import ID_PATTERN
from teams.copy import say_date
from teams.models import AttendanceMode, Ftm, FtmActionItem, FtmAttendance

TEXT_FIELDS = (*Ftm.DISCUSSION_FIELDS, "location", "facilitator_name", "facilitator_organisation")
LOG_FIELDS = frozenset(
    {
        *TEXT_FIELDS,
        "confidentiality_acknowledged",
        "next_ftm_on",
        "scheduled_on",
        "starts_at",
        "status",
    }
)
ATTENDEE_ROLES = frozenset({*Role.values, *Person.Kind.values})
# What the data package says of a meeting's attendance (ftms.csv).
ATTENDED_FIELDS = ("parent_attended", "parent_mentor_attended", "attendee_roles")
MAX_ROWS = 200
# The family's language an action item can be written in beside the English (the app speaks
# English and Spanish): its text there is `family_description`, shown by the family copy in it.
FAMILY_LANGUAGE = "es"


class FtmConflict(Exception):
    """Someone saved the meeting after the version the caller started from, or (`fields`)
    changed the same fields as the caller since the caller last had them."""

    def __init__(self, ftm: Ftm, fields: dict[str, Any] | None = None) -> None:
        self.ftm = ftm
        self.fields = fields or {}  # field -> its value now, in the logging page's form
        who = str(ftm.edited_by) if ftm.edited_by else "Someone else"
        at = ftm.updated_at.strftime("%H:%M:%S UTC") if ftm.updated_at else ""
        if self.fields:
            self.message = (
                f"{who} changed the same part of this meeting at the same time. Nothing of "
                "yours is lost: choose which text to keep."
            )
        else:
            self.message = (
                f"{who} saved this meeting at {at}, after you opened it. Your last changes are "
                "not saved yet: reload to see theirs, then add yours again."
            )
        super().__init__(self.message)


def log_field_values(ftm: Ftm) -> dict[str, Any]:
    """The meeting's logging fields as the logging page holds them (text; dates YYYY-MM-DD;
    times HH:MM; booleans): what its autosave compares against."""
    values: dict[str, Any] = {}
    for name in LOG_FIELDS:
        value = getattr(ftm, name)
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, dt.time):
            value = value.strftime("%H:%M")
        elif value is None:
            value = ""
        values[name] = value
    return values


def _same(name: str, a: Any, b: Any) -> bool:
    """Two values of a logging field, as sent by a page or stored, mean the same."""
    errors: dict[str, list[str]] = {}
    if name == "confidentiality_acknowledged":
        return bool(a) == bool(b)
    if name in ("next_ftm_on", "scheduled_on"):
        return _date(a, name, errors) == _date(b, name, errors) and not errors
    if name == "starts_at":
        return _time(a, name, errors) == _time(b, name, errors) and not errors
    return str(a or "") == str(b or "")


def _field_conflicts(ftm: Ftm, changes: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """Three-way check of each changed field whose earlier values the caller sent (`base`: the
    value it last had from the server, and any it sent since without an answer). A field that
    nobody else changed since, or that already holds the caller's value, is no conflict; one
    changed to something else is, and is returned with its value now."""
    now = log_field_values(ftm)
    conflicts = {}
    for name, mine in changes.items():
        if name not in base or name not in now:
            continue
        earlier = base[name] if isinstance(base[name], list) else [base[name]]
        theirs = now[name]
        if _same(name, theirs, mine) or any(_same(name, theirs, b) for b in earlier):
            continue
        conflicts[name] = theirs
    return conflicts


def _merge_attendance(ftm: Ftm, sent: list[dict]) -> list[dict]:
    """The attendance as it is now with the rows sent put in place of the same people's: two
    people marking attendance at once each keep their marks."""
    if not isinstance(sent, list):
        return sent

    def key(row: dict) -> str:
        if row.get("email"):
            return "email:" + str(row["email"]).strip().lower()
        if row.get("person_id"):
            return "person:" + str(row["person_id"])
        return "name:" + str(row.get("name", "")).strip().lower()

    merged: dict[str, dict] = {}
    for held in FtmAttendance.objects.filter(ftm=ftm).select_related("user"):
        entry: dict[str, Any] = {"role": held.role, "mode": held.mode}
        if held.user is not None:
            entry["email"] = held.user.email
        elif held.person_id:
            entry["person_id"] = held.person_id
        else:
            entry["name"] = held.name
        merged[key(entry)] = entry
    for row in sent:
        if isinstance(row, dict):
            merged[key(row)] = row
    return list(merged.values())


def _audit(*, actor: User, action: str, record: Any, case: Case, fields=(), request=None) -> None:
    audit_log(
        actor=actor,
        action=action,
        record=record,
        case_id=case.pk,
        site_id=case.site_id,
        detail={"fields": sorted(fields)} if fields else None,
        request=request,
    )


def _date(value: Any, field: str, errors: dict[str, list[str]]) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        errors.setdefault(field, []).append("Enter a date as YYYY-MM-DD.")
        return None


def _time(value: Any, field: str, errors: dict[str, list[str]]) -> dt.time | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.time):
        return value
    try:
        return dt.time.fromisoformat(str(value))
    except ValueError:
        errors.setdefault(field, []).append("Enter a time as HH:MM.")
        return None


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _clean(obj: Any, exclude: list[str]) -> None:
    """Field validation without the per-row database lookups (foreign keys, uniqueness) that
    the callers check for a whole list at once."""
    obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)


# --- Scheduling ---------------------------------------------------------------------------------


def ftm_next_date(*, case: Case) -> dt.date:
    """The default date of the next FTM: the site's cadence after the last one, or today."""
    last = (
        Ftm.objects.filter(case=case)
        .exclude(status=codes.FtmStatus.CANCELLED)
        .order_by("-scheduled_on")
        .first()
    )
    today = case.site.today()
    if last is None:
        return today
    return max(today, last.scheduled_on + dt.timedelta(days=case.site.ftm_cadence_days))


@transaction.atomic
def ftm_schedule(
    *,
    case: Case,
    actor: User,
    scheduled_on: dt.date | None = None,
    starts_at: dt.time | None = None,
    location: str = "",
    facilitator: User | None = None,
    another_as_well: bool = False,
    id: str | None = None,
    request: HttpRequest | None = None,
) -> Ftm:
    """Plan the next FTM (by default the site's cadence after the last one). Everyone on the
    family team and the family is invited: the logging page lists them.

    A family has one next meeting: with one already on the calendar this refuses, naming its
    date, unless the caller asks for another as well (`another_as_well`); two meetings on the
    same day are always refused."""
    from teams.selectors import upcoming_ftm

    if (
        facilitator is not None
        and not TeamMember.objects.filter(case=case, user=facilitator, removed_at__isnull=True)
        .exclude(role=Role.PARENT)
        .exists()
    ):
        raise ValidationError({"facilitator": "The facilitator has to be on the family team."})
    day = scheduled_on or ftm_next_date(case=case)
    same_day = (
        Ftm.objects.filter(case=case, scheduled_on=day)
        .exclude(status=codes.FtmStatus.CANCELLED)
        .first()
    )
    if same_day is not None:
        raise ValidationError(
            {
                "scheduled_on": f"This family already has an FTM on {say_date(day, 'en')}: "
                "open it from the family's meetings instead of planning a second one."
            }
        )
    upcoming = None if another_as_well else upcoming_ftm(case)
    if upcoming is not None:
        raise ValidationError(
            {
                "another_as_well": "An FTM is already on the calendar for this family on "
                f"{say_date(upcoming.scheduled_on, 'en')}. To change its date, open that "
                "meeting; to plan a second one, tick “Plan another meeting as well”."
            }
        )
    ftm = Ftm(
        case=case,
        scheduled_on=day,
        starts_at=starts_at,
        location=location,
        facilitator=facilitator or actor,
        edited_by=actor,
    )
    take_id(ftm, id)
    ftm.full_clean(exclude=["case", "facilitator", "edited_by"])
    ftm.save(force_insert=True)
    _audit(actor=actor, action=AuditEvent.Action.CREATE, record=ftm, case=case, request=request)
    return ftm


def _schedule_after(ftm: Ftm, *, day: dt.date, actor: User, request: HttpRequest | None) -> Ftm:
    """Put the meeting after `ftm` on the calendar on `day`: same time, place and facilitator
    (if still on the team)."""
    keep_facilitator = (
        ftm.facilitator_id is not None
        and TeamMember.objects.filter(
            case_id=ftm.case_id, user_id=ftm.facilitator_id, removed_at__isnull=True
        )
        .exclude(role=Role.PARENT)
        .exists()
    )
    return ftm_schedule(
        case=ftm.case,
        actor=actor,
        scheduled_on=day,
        starts_at=ftm.starts_at,
        location=ftm.location,
        facilitator=ftm.facilitator if keep_facilitator else None,
        another_as_well=True,
        request=request,
    )


@dataclass(frozen=True)
class _NextOnCalendar:
    """What agreeing a next date at a meeting does to the calendar: move the next meeting
    there (`move`), or put a new one on it."""

    day: dt.date
    move: Ftm | None = None


def _next_on_calendar(
    ftm: Ftm, day: dt.date, scheduled_on: dt.date, errors: dict[str, list[str]]
) -> _NextOnCalendar | None:
    """The next date agreed at a meeting and the calendar are one thing: the next meeting on
    the calendar moves to the date agreed, or one is put on the calendar if there is none. A
    date sent again unchanged (the logging page sends every field with every save) moves
    nothing, so it never undoes a change made on the next meeting's own page. A date past a
    later meeting, or a change to a meeting already held, is refused with the dates."""
    from teams.selectors import meetings_after

    later = list(meetings_after(ftm, scheduled_on).select_for_update(of=("self",))[:2])
    unchanged = day == ftm.next_ftm_on
    if not later:
        cancelled = Ftm.objects.filter(
            case_id=ftm.case_id, scheduled_on=day, status=codes.FtmStatus.CANCELLED
        ).exists()
        return None if unchanged and cancelled else _NextOnCalendar(day=day)
    upcoming = later[0]
    if upcoming.scheduled_on == day or unchanged:
        return None
    if upcoming.status == codes.FtmStatus.HELD:
        errors.setdefault("next_ftm_on", []).append(
            "The next meeting after this one was held on "
            f"{say_date(upcoming.scheduled_on, 'en')}: change its date on its own page."
        )
        return None
    if len(later) > 1 and later[1].scheduled_on <= day:
        errors.setdefault("next_ftm_on", []).append(
            f"The next meeting is on the calendar on {say_date(upcoming.scheduled_on, 'en')} "
            f"and another on {say_date(later[1].scheduled_on, 'en')}: choose a date before "
            "that one, or change it on its own page."
        )
        return None
    return _NextOnCalendar(day=day, move=upcoming)


def _put_next_on_calendar(
    ftm: Ftm, plan: _NextOnCalendar, *, actor: User, request: HttpRequest | None
) -> None:
    if plan.move is None:
        _schedule_after(ftm, day=plan.day, actor=actor, request=request)
        return
    upcoming = plan.move
    upcoming.scheduled_on = plan.day
    upcoming.version = F("version") + 1
    upcoming.edited_by = actor
    upcoming.save(update_fields=["scheduled_on", "version", "edited_by", "updated_at"])
    _audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        record=upcoming,
        case=ftm.case,
        fields=["scheduled_on"],
        request=request,
    )


# --- Logging ------------------------------------------------------------------------------------


def _attendance_rows(
    ftm: Ftm, rows: list[dict], errors: dict[str, list[str]]
) -> list[FtmAttendance]:
    """Attendance in the INTERFACES.md shape: `email` (a team member) or `person_id` (a family
    member) or `name` (someone unannounced), `role`, `mode`. Two queries for the whole list."""
    if not isinstance(rows, list) or len(rows) > MAX_ROWS:
        errors.setdefault("attendance", []).append(f"Send a list of at most {MAX_ROWS} people.")
        return []
    emails = {str(r.get("email", "")).strip().lower() for r in rows if isinstance(r, dict)}
    person_ids = {str(r.get("person_id", "")) for r in rows if isinstance(r, dict)}
    users = {
        u.email: u
        for u in User.objects.filter(
            email__in=emails - {""},
            memberships__site_id=ftm.case.site_id,
            memberships__is_active=True,
        ).distinct()
    }
    people = {p.pk: p for p in Person.objects.filter(case_id=ftm.case_id, pk__in=person_ids)}
    result: list[FtmAttendance] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=1):
        problem = None
        if not isinstance(row, dict):
            errors.setdefault("attendance", []).append(f"Row {number}: expected an object.")
            continue
        email = str(row.get("email", "") or "").strip().lower()
        person_id = str(row.get("person_id", "") or "")
        name = str(row.get("name", "") or "").strip()
        role = str(row.get("role", "") or "")
        mode = row.get("mode")
        attendance = FtmAttendance(ftm=ftm, role=role, mode=mode or "")
        if email:
            user = users.get(email)
            if user is None:
                problem = f"{email} is not a member of this site."
            attendance.user = user
            key = f"email:{email}"
        elif person_id:
            person = people.get(person_id)
            if person is None:
                problem = f"person_id {person_id} is not a person of this family."
            attendance.person = person
            attendance.role = role or (person.kind if person else "")
            key = f"person:{person_id}"
        elif name:
            attendance.name = name[:200]
            key = f"name:{name.lower()}"
        else:
            problem = "name each person with email, person_id or name."
            key = ""
        if problem is None and mode not in AttendanceMode.values:
            problem = "mode must be in_person, remote or absent."
        if problem is None and attendance.role and attendance.role not in ATTENDEE_ROLES:
            problem = f"role {attendance.role!r} is not a role code."
        if problem is None and key in seen:
            problem = "this person is listed twice."
        if problem:
            errors.setdefault("attendance", []).append(f"Row {number}: {problem}")
            continue
        seen.add(key)
        result.append(attendance)
    return result


def _derived_attendance(rows: list[FtmAttendance]) -> dict[str, Any]:
    """parent_attended, parent_mentor_attended and attendee_roles, from the attendance."""
    present = [r for r in rows if r.mode != AttendanceMode.ABSENT]
    parents = [r for r in rows if r.role == Person.Kind.PARENT]
    mentors = [r for r in rows if r.role == Role.PARENT_MENTOR]
    return {
        "parent_attended": any(r.mode != AttendanceMode.ABSENT for r in parents)
        if parents
        else None,
        "parent_mentor_attended": any(r.mode != AttendanceMode.ABSENT for r in mentors)
        if mentors
        else None,
        # the team's roles present (a parent is counted in `parent_attended`)
        "attendee_roles": list(
            dict.fromkeys(
                r.role for r in present if r.role in Role.values and r.role != Role.PARENT
            )
        ),
    }


def _owner_of(
    row: dict, users: dict[str, User], people: dict[str, Person]
) -> tuple[User | None, Person | None, str | None]:
    owner = str(row.get("owner", "") or "")
    if not owner:
        return None, None, None
    if owner.startswith("email:"):
        user = users.get(owner[6:].lower())
        return user, None, None if user else "the owner is not on this family's team."
    if owner.startswith("person:"):
        person = people.get(owner[7:])
        return None, person, None if person else "the owner is not a person of this family."
    return None, None, "owner must be email:<address> or person:<id>."


def _new_items(
    ftm: Ftm, rows: list[dict], errors: dict[str, list[str]], *, next_on: dt.date | None = None
) -> tuple[list[FtmActionItem], list[FtmActionItem], list[str]]:
    """(to create, to update, ids to delete): the meeting's action items as sent, in a
    constant number of queries."""
    if not isinstance(rows, list) or len(rows) > MAX_ROWS:
        errors.setdefault("action_items", []).append(f"Send a list of at most {MAX_ROWS} items.")
        return [], [], []
    rows = [r for r in rows if isinstance(r, dict)]
    existing = {item.pk: item for item in FtmActionItem.objects.filter(ftm=ftm)}
    ids = {str(r.get("id", "")) for r in rows} - {""}
    taken = set(
        FtmActionItem.objects.filter(pk__in=ids - set(existing)).values_list("pk", flat=True)
    )
    emails = {str(r.get("owner", ""))[6:].lower() for r in rows}
    users = {
        m.user.email: m.user
        for m in TeamMember.objects.filter(
            case_id=ftm.case_id, removed_at__isnull=True, user__email__in=emails
        )
        .exclude(role=Role.PARENT)
        .select_related("user")
    }
    person_ids = {str(r.get("owner", ""))[7:] for r in rows}
    people = {p.pk: p for p in Person.objects.filter(case_id=ftm.case_id, pk__in=person_ids)}
    goal_ids = {str(r.get("goal_id", "") or "") for r in rows} - {""}
    goals = {g.pk: g for g in Goal.objects.filter(case_id=ftm.case_id, pk__in=goal_ids)}
    from teams.selectors import default_due

    due_default: dt.date | None = None  # looked up only if an item comes without a date
    create: list[FtmActionItem] = []
    update: list[FtmActionItem] = []
    for number, row in enumerate(rows, start=1):
        item_id = str(row.get("id", "") or "")
        problems = []
        if item_id and (not re.fullmatch(ID_PATTERN, item_id) or item_id in taken):
            problems.append("id is not a new id or an item of this meeting.")
        user, person, owner_problem = _owner_of(row, users, people)
        if owner_problem:
            problems.append(owner_problem)
        due = _date(row.get("due_on"), "action_items", errors)
        if due is None:
            due = due_default = due_default or default_due(ftm, next_on)
        goal_id = str(row.get("goal_id", "") or "")
        if goal_id and goal_id not in goals:
            problems.append("goal_id is not a goal of this family's case plan.")
        item = existing.get(item_id) or FtmActionItem(ftm=ftm)
        if item_id and item.pk != item_id:
            item.pk = item_id
        item.description = str(row.get("description", "") or "").strip()
        if "family_description" in row:  # a client that does not know the field keeps it
            item.family_description = str(row.get("family_description", "") or "").strip()
            item.family_language = FAMILY_LANGUAGE if item.family_description else ""
        item.owner, item.owner_person = user, person
        item.owner_role = _owner_role(ftm, user, person)
        item.due_on = due
        item.goal = goals.get(goal_id)
        try:
            _clean(item, exclude=["ftm", "owner", "owner_person", "goal", "id"])
        except ValidationError as exc:
            problems.extend(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
        if problems:
            errors.setdefault("action_items", []).extend(
                f"Item {number}: {problem}" for problem in problems
            )
            continue
        (update if item.pk in existing else create).append(item)
    sent = {item.pk for item in [*create, *update]}
    return create, update, [pk for pk in existing if pk not in sent]


_ROLE_CACHE_ATTR = "_ftm_team_roles"


def _owner_role(ftm: Ftm, user: User | None, person: Person | None) -> str:
    if person is not None or user is None:
        return ""  # a family member holds no team role
    roles = getattr(ftm, _ROLE_CACHE_ATTR, None)
    if roles is None:
        roles = dict(
            TeamMember.objects.filter(case_id=ftm.case_id, removed_at__isnull=True)
            .exclude(role=Role.PARENT)
            .values_list("user_id", "role")
        )
        setattr(ftm, _ROLE_CACHE_ATTR, roles)
    return roles.get(user.pk, "")


def _reviewed_items(
    ftm: Ftm, rows: list[dict], errors: dict[str, list[str]]
) -> list[FtmActionItem]:
    """The review of earlier meetings' items: done, not done (open, with why) or dropped."""
    if not isinstance(rows, list) or len(rows) > MAX_ROWS:
        errors.setdefault("reviewed", []).append(f"Send a list of at most {MAX_ROWS} items.")
        return []
    rows = [r for r in rows if isinstance(r, dict)]
    items = {
        item.pk: item
        for item in FtmActionItem.objects.filter(
            pk__in={str(r.get("id", "")) for r in rows}, ftm__case_id=ftm.case_id
        ).exclude(ftm=ftm)
    }
    today = ftm.case.site.today()
    result = []
    for number, row in enumerate(rows, start=1):
        item = items.get(str(row.get("id", "")))
        status = row.get("status")
        if item is None:
            errors.setdefault("reviewed", []).append(
                f"Item {number}: not an action item of an earlier meeting of this family."
            )
            continue
        if status not in codes.ActionItemStatus.values:
            errors.setdefault("status", []).append(
                f"Item {number}: status must be open, done or dropped."
            )
            continue
        if status == codes.ActionItemStatus.DONE and item.status != status:
            item.completed_on = min(today, ftm.scheduled_on) if ftm.scheduled_on else today
        elif status != codes.ActionItemStatus.DONE:
            item.completed_on = None
        item.status = status
        item.not_done_reason = str(row.get("not_done_reason", "") or "").strip()
        item.reviewed_at = ftm
        result.append(item)
    return result


@transaction.atomic
def ftm_log(
    *,
    ftm: Ftm,
    actor: User,
    version: int | None,
    changes: dict[str, Any] | None = None,
    attendance: list[dict] | None = None,
    reviewed: list[dict] | None = None,
    action_items: list[dict] | None = None,
    base: dict[str, Any] | None = None,
    removed_items: list[str] | None = None,
    attended: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> Ftm:
    """Save the meeting as logged so far. `None` leaves a part as it is; a list replaces it
    (attendance, this meeting's action items) or updates the items it names (reviewed).

    With `base` (the logging page's autosave) the save is a merge instead, whatever the
    version: each changed field is checked against the values the caller had for it
    (`_field_conflicts`: a conflict only where someone else changed the same field to
    something else); `attendance` updates the people it names, `action_items` the items it
    names, and `removed_items` are the only items deleted. So two people logging different
    parts of one meeting both keep their work, and a save of one's own that landed late
    (a reload, a dropped connection) is never a conflict.

    `attended` sets `parent_attended`, `parent_mentor_attended` and `attendee_roles` as the
    data package gives them, for a meeting logged without its attendance list (the API, a
    meeting of the family's history); with an attendance list they come from it."""
    locked = Ftm.objects.select_for_update(of=("self",)).select_related("edited_by").get(pk=ftm.pk)
    if base is not None:
        if not isinstance(base, dict):
            raise ValidationError({"base": "Send the values you started from, by field."})
        conflicts = _field_conflicts(locked, dict(changes or {}), base)
        if conflicts:
            raise FtmConflict(locked, conflicts)
        if attendance is not None:
            attendance = _merge_attendance(locked, attendance)
    elif version is not None and locked.version != version:
        raise FtmConflict(locked)
    ftm = locked
    ftm.case = Case.objects.select_related("site").get(pk=ftm.case_id)
    errors: dict[str, list[str]] = {}
    changes = dict(changes or {})
    unknown = set(changes) - LOG_FIELDS
    if unknown:
        raise ValidationError({name: "This field cannot be changed here." for name in unknown})
    values: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        if name in changes:
            values[name] = str(changes[name] or "")
    if "confidentiality_acknowledged" in changes:
        values["confidentiality_acknowledged"] = bool(changes["confidentiality_acknowledged"])
    if "next_ftm_on" in changes:
        values["next_ftm_on"] = _date(changes["next_ftm_on"], "next_ftm_on", errors)
    if "scheduled_on" in changes:
        day = _date(changes["scheduled_on"], "scheduled_on", errors)
        if day is None:
            errors.setdefault("scheduled_on", []).append("A meeting needs a date.")
        else:
            values["scheduled_on"] = day
    if "starts_at" in changes:
        values["starts_at"] = _time(changes["starts_at"], "starts_at", errors)
    if "status" in changes:
        if changes["status"] not in codes.FtmStatus.values:
            errors.setdefault("status", []).append("status must be scheduled, held or cancelled.")
        elif (
            changes["status"] == codes.FtmStatus.HELD
            and values.get("scheduled_on", ftm.scheduled_on) > ftm.case.site.today()
        ):
            errors.setdefault("status", []).append(
                "A meeting cannot be marked held before its date."
            )
        else:
            values["status"] = changes["status"]
    if values.get("next_ftm_on") and values["next_ftm_on"] <= values.get(
        "scheduled_on", ftm.scheduled_on
    ):
        errors.setdefault("next_ftm_on", []).append("The next FTM has to come after this one.")
    calendar = None
    if values.get("next_ftm_on") and not errors.get("next_ftm_on"):
        calendar = _next_on_calendar(
            ftm, values["next_ftm_on"], values.get("scheduled_on", ftm.scheduled_on), errors
        )
    for name, value in values.items():
        setattr(ftm, name, value)  # the items' default due date is the next FTM's
    rows = _attendance_rows(ftm, attendance, errors) if attendance is not None else None
    create, update, delete = (
        _new_items(ftm, action_items, errors, next_on=values.get("next_ftm_on"))
        if action_items is not None
        else ([], [], [])
    )
    if base is not None:  # a merge: delete only the items the caller removed
        removed = {str(i) for i in removed_items or [] if isinstance(i, str)}
        delete = list(
            FtmActionItem.objects.filter(ftm=ftm, pk__in=removed).values_list("pk", flat=True)
        )
    review = _reviewed_items(ftm, reviewed, errors) if reviewed is not None else []
    attended = dict(attended or {})
    if attended and rows is not None:
        errors.setdefault("attendance", []).append(
            "Send the attendance list or parent_attended, parent_mentor_attended and "
            "attendee_roles, not both: these come from the list."
        )
    if set(attended) - set(ATTENDED_FIELDS):
        raise TypeError(f"unknown fields {sorted(set(attended) - set(ATTENDED_FIELDS))}")
    _raise(errors)
    if rows is not None:
        for name, value in _derived_attendance(rows).items():
            setattr(ftm, name, value)
    for name, value in attended.items():
        setattr(ftm, name, list(value or []) if name == "attendee_roles" else value)
    try:
        _clean(ftm, exclude=["case", "facilitator", "edited_by", "id"])
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from exc
    ftm.version = F("version") + 1
    ftm.edited_by = actor
    ftm.save()
    ftm.refresh_from_db(fields=["version", "updated_at"])
    try:
        with transaction.atomic():
            if rows is not None:
                FtmAttendance.objects.filter(ftm=ftm).delete()
                FtmAttendance.objects.bulk_create(rows)
            if delete:
                FtmActionItem.objects.filter(pk__in=delete, ftm=ftm).delete()
            if create:
                FtmActionItem.objects.bulk_create(create)
            item_fields = [
                "description",
                "family_description",
                "family_language",
                "owner",
                "owner_person",
                "owner_role",
                "due_on",
                "goal",
            ]
            if update:
                FtmActionItem.objects.bulk_update(update, [*item_fields, "updated_at"])
            if review:
                FtmActionItem.objects.bulk_update(
                    review,
                    ["status", "completed_on", "not_done_reason", "reviewed_at", "updated_at"],
                )
    except IntegrityError as exc:
        raise ValidationError(
            "This change conflicts with the record as it is now. Reload and try again."
        ) from exc
    if calendar is not None:
        _put_next_on_calendar(ftm, calendar, actor=actor, request=request)
    fields = [*values, *attended, *(["attendance"] if rows is not None else [])]
    fields += ["action_items"] if action_items is not None or delete else []
    fields += ["reviewed"] if reviewed is not None else []
    _audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        record=ftm,
        case=ftm.case,
        fields=fields,
        request=request,
    )
    return ftm


@transaction.atomic
def ftm_mark_held(*, ftm: Ftm, actor: User, request: HttpRequest | None = None) -> Ftm | None:
    """Mark the meeting held and put the next one on the calendar (the date agreed, or the
    site's cadence on) unless one is already scheduled after it. Returns the next FTM."""
    ftm = (
        Ftm.objects.select_for_update(of=("self",))
        .select_related("case", "case__site")
        .get(pk=ftm.pk)
    )
    if ftm.status == codes.FtmStatus.CANCELLED:
        raise ValidationError({"status": "A cancelled meeting cannot be marked held."})
    if ftm.scheduled_on > ftm.case.site.today():
        raise ValidationError({"status": "A meeting cannot be marked held before its date."})
    if ftm.status != codes.FtmStatus.HELD:
        ftm.status = codes.FtmStatus.HELD
        ftm.version = F("version") + 1
        ftm.edited_by = actor
        ftm.save(update_fields=["status", "version", "edited_by", "updated_at"])
        ftm.refresh_from_db(fields=["version"])
        _audit(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            record=ftm,
            case=ftm.case,
            fields=["status"],
            request=request,
        )
    upcoming = (
        Ftm.objects.filter(case_id=ftm.case_id, scheduled_on__gt=ftm.scheduled_on)
        .exclude(status=codes.FtmStatus.CANCELLED)
        .order_by("scheduled_on")
        .first()
    )
    if upcoming is not None:
        return upcoming
    from teams.selectors import next_meeting

    return _schedule_after(
        ftm,
        day=next_meeting(ftm).on
        or ftm.scheduled_on + dt.timedelta(days=ftm.case.site.ftm_cadence_days),
        actor=actor,
        request=request,
    )


# --- Action items one at a time (the API) -------------------------------------------------------


def _item_owner(
    *, case_id: str, owner_email: str | None, owner_person_id: str | None
) -> tuple[User | None, Person | None, str]:
    if owner_email:
        member = (
            TeamMember.objects.filter(
                case_id=case_id, removed_at__isnull=True, user__email__iexact=owner_email
            )
            .exclude(role=Role.PARENT)
            .select_related("user")
            .first()
        )
        if member is None:
            raise ValidationError({"owner_email": "This person is not on the family's team."})
        return member.user, None, member.role
    if owner_person_id:
        person = Person.objects.filter(case_id=case_id, pk=owner_person_id).first()
        if person is None:
            raise ValidationError({"owner_person_id": "Not a person of this family."})
        return None, person, ""
    return None, None, ""


def _item_goal(case_id: str, goal_id: str | None) -> Goal | None:
    if not goal_id:
        return None
    goal = Goal.objects.filter(case_id=case_id, pk=goal_id).first()
    if goal is None:
        raise ValidationError({"goal_id": "Not a goal of this family's case plan."})
    return goal


def _item_status(item: FtmActionItem, status: str, today: dt.date) -> None:
    if status not in codes.ActionItemStatus.values:
        raise ValidationError({"status": "status must be open, done or dropped."})
    if status == codes.ActionItemStatus.DONE and item.status != status:
        item.completed_on = item.completed_on or today
    elif status != codes.ActionItemStatus.DONE:
        item.completed_on = None
    item.status = status


@transaction.atomic
def action_item_create(
    *,
    ftm: Ftm,
    actor: User,
    description: str,
    family_description: str = "",
    due_on: dt.date | None = None,
    owner_email: str | None = None,
    owner_person_id: str | None = None,
    owner_role: str = "",
    goal_id: str | None = None,
    status: str = codes.ActionItemStatus.OPEN,
    completed_on: dt.date | None = None,
    id: str | None = None,
    request: HttpRequest | None = None,
) -> FtmActionItem:
    from teams.selectors import default_due

    user, person, role = _item_owner(
        case_id=ftm.case_id, owner_email=owner_email, owner_person_id=owner_person_id
    )
    item = FtmActionItem(
        ftm=ftm,
        description=description,
        family_description=family_description.strip(),
        family_language=FAMILY_LANGUAGE if family_description.strip() else "",
        owner=user,
        owner_person=person,
        owner_role=role or owner_role,
        due_on=due_on or default_due(ftm),
        goal=_item_goal(ftm.case_id, goal_id),
        completed_on=completed_on if status == codes.ActionItemStatus.DONE else None,
    )
    take_id(item, id)
    _item_status(item, status, ftm.case.site.today())
    item.full_clean(exclude=["ftm", "owner", "owner_person", "goal"])
    item.save(force_insert=True)
    _audit(
        actor=actor, action=AuditEvent.Action.CREATE, record=item, case=ftm.case, request=request
    )
    return item


ITEM_FIELDS = frozenset(
    {
        "description",
        "family_description",
        "due_on",
        "status",
        "completed_on",
        "not_done_reason",
        "owner_email",
        "owner_person_id",
        "owner_role",
        "goal_id",
    }
)


@transaction.atomic
def action_item_update(
    *,
    item: FtmActionItem,
    actor: User,
    changes: dict[str, Any],
    request: HttpRequest | None = None,
) -> FtmActionItem:
    """Change an action item: mark it done (completed today unless a date is given), not done
    (with why) or dropped; change what, who, by when or its goal."""
    unknown = set(changes) - ITEM_FIELDS
    if unknown:
        raise ValidationError({name: "This field cannot be changed here." for name in unknown})
    item = (
        FtmActionItem.objects.select_for_update(of=("self",))
        .select_related("ftm__case__site")
        .get(pk=item.pk)
    )
    case = item.ftm.case
    changed: list[str] = []
    for name in ("description", "not_done_reason", "due_on"):
        if name in changes and getattr(item, name) != changes[name]:
            setattr(item, name, changes[name] if name == "due_on" else changes[name] or "")
            changed.append(name)
    if "family_description" in changes:
        text = (changes["family_description"] or "").strip()
        if text != item.family_description:
            item.family_description = text
            item.family_language = FAMILY_LANGUAGE if text else ""
            changed += ["family_description", "family_language"]
    if "owner_email" in changes or "owner_person_id" in changes:
        user, person, role = _item_owner(
            case_id=case.pk,
            owner_email=changes.get("owner_email"),
            owner_person_id=changes.get("owner_person_id"),
        )
        item.owner, item.owner_person, item.owner_role = user, person, role
        changed += ["owner", "owner_person", "owner_role"]
    elif "owner_role" in changes:
        item.owner_role = changes["owner_role"] or ""
        changed.append("owner_role")
    if "goal_id" in changes:
        item.goal = _item_goal(case.pk, changes["goal_id"])
        changed.append("goal")
    if "status" in changes:
        _item_status(item, changes["status"], case.site.today())
        changed += ["status", "completed_on"]
    if changes.get("completed_on"):
        item.completed_on = changes["completed_on"]
        changed.append("completed_on")
    item.full_clean(exclude=["ftm", "owner", "owner_person", "goal"])
    if changed:
        item.save(update_fields=[*dict.fromkeys(changed), "updated_at"])
        _audit(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            record=item,
            case=case,
            fields=set(changed),
            request=request,
        )
    return item
