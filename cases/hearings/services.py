"""Writes of hearings and orders (STYLE.md "services"): keyword arguments, one transaction,
`full_clean()`, an audit event per row, errors keyed by field name.

Callers decide who may write (`access_hearing(..., write=True)` / `access_case(..., write=True)`).
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest

from cases.models import Case, Child, CourtRecommendation, Hearing, HearingOrder
from safebabies import codes
from safebabies.audit.models import AuditEvent
from safebabies.identity.models import User
from safebabies.identity.roles import Role
from safebabies.identity.selectors import roles_of
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

OUTCOMES = {codes.HearingStatus.HELD, codes.HearingStatus.CONTINUED, codes.HearingStatus.CANCELLED}
# The court's structured findings at a held hearing (reasonable efforts, the permanency goal
# approved, who was there): empty for a hearing that was not held.
STRUCTURED_FINDINGS = (
    "reasonable_efforts",
    "reasonable_efforts_reason",
    "permanency_goal",
    "permanency_goal_approved",
    "attendance",
)


def _clean_attendance(errors: dict[str, list[str]], attendance: Any) -> list[str]:
    """The roles present, each once, in the order of `codes.HearingAttendee`."""
    given = list(attendance or [])
    unknown = [role for role in given if role not in codes.HearingAttendee.values]
    if unknown:
        add_error(
            errors, "attendance", f"Not a role of the hearing: {', '.join(map(str, unknown))}."
        )
        return []
    return [role for role in codes.HearingAttendee.values if role in given]


def _check_structured_findings(errors: dict[str, list[str]], hearing: Hearing) -> None:
    """Reasonable efforts come with why; an approval names the goal; all of it is for a hearing
    that was held."""
    held = hearing.status == codes.HearingStatus.HELD
    recorded = [
        name for name in STRUCTURED_FINDINGS if getattr(hearing, name) not in (None, "", [])
    ]
    if not held:
        for name in recorded:
            add_error(errors, name, "Findings are recorded for a hearing that was held.")
        return
    reason = hearing.reasonable_efforts_reason.strip()
    if hearing.reasonable_efforts is not None and not reason:
        add_error(
            errors,
            "reasonable_efforts_reason",
            "Say why the court found reasonable efforts were (or were not) made.",
        )
    if hearing.reasonable_efforts is None and reason:
        add_error(errors, "reasonable_efforts", "Say whether reasonable efforts were made.")
    if hearing.permanency_goal_approved is not None and not hearing.permanency_goal:
        add_error(errors, "permanency_goal", "Name the permanency goal the court considered.")
    if hearing.permanency_goal and hearing.permanency_goal_approved is None:
        add_error(errors, "permanency_goal_approved", "Say whether the court approved the goal.")


def _check_judge(errors: dict[str, list[str]], case: Case, judge: User | None) -> None:
    if judge is not None and Role.JUDGE not in roles_of(judge).get(case.site_id, set()):
        add_error(errors, "judge", "Choose a judge of this court.")


@service
def hearing_schedule(
    *,
    actor: User,
    case: Case,
    hearing_type: str,
    scheduled_on: dt.date,
    starts_at: dt.time | None = None,
    courtroom: str = "",
    judge: User | None = None,
    request: HttpRequest | None = None,
) -> Hearing:
    """A new scheduled hearing of the case."""
    errors: dict[str, list[str]] = {}
    if scheduled_on < case.opened_on:
        add_error(
            errors,
            "scheduled_on",
            f"The case opened on {case.opened_on:%-d %b %Y}: a hearing is on or after that day.",
        )
    _check_judge(errors, case, judge)
    check_errors(errors)
    hearing = save_new(
        Hearing(
            case=case,
            hearing_type=hearing_type,
            scheduled_on=scheduled_on,
            starts_at=starts_at,
            courtroom=courtroom.strip(),
            judge=judge,
        )
    )
    audit(actor=actor, action=AuditEvent.Action.CREATE, record=hearing, case=case, request=request)
    return hearing


@service
def hearing_record_outcome(
    *,
    actor: User,
    hearing: Hearing,
    status: str,
    continuance_reason: str = "",
    findings: str = "",
    next_hearing_on: dt.date | None = None,
    next_hearing_type: str = codes.HearingType.REVIEW,
    reasonable_efforts: bool | None = None,
    reasonable_efforts_reason: str = "",
    permanency_goal: str = "",
    permanency_goal_approved: bool | None = None,
    attendance: list[str] | None = None,
    request: HttpRequest | None = None,
) -> Hearing:
    """Held, continued (with the reason) or cancelled; the findings, free text and structured
    (reasonable efforts and why, the permanency goal approved or not, who was there by role);
    and, when given, the next hearing (scheduled in the same courtroom before the same
    judge)."""
    case = hearing.case
    errors: dict[str, list[str]] = {}
    if status not in OUTCOMES:
        add_error(errors, "status", "Choose held, continued or cancelled.")
    if status == codes.HearingStatus.CONTINUED and not continuance_reason.strip():
        add_error(errors, "continuance_reason", "Say why the hearing was continued.")
    if status != codes.HearingStatus.HELD and findings.strip():
        add_error(errors, "findings", "Findings are recorded for a hearing that was held.")
    if status == codes.HearingStatus.HELD and hearing.scheduled_on > case.site.today():
        add_error(errors, "status", "A hearing is recorded as held on or after its day.")
    if next_hearing_on is not None and next_hearing_on <= hearing.scheduled_on:
        add_error(errors, "next_hearing_on", "The next hearing comes after this one.")
    changes = {
        "status": status,
        "continuance_reason": continuance_reason.strip()
        if status == codes.HearingStatus.CONTINUED
        else "",
        "findings": findings.strip(),
        "reasonable_efforts": reasonable_efforts,
        "reasonable_efforts_reason": (reasonable_efforts_reason or "").strip(),
        "permanency_goal": permanency_goal or "",
        "permanency_goal_approved": permanency_goal_approved,
        "attendance": _clean_attendance(errors, attendance),
    }
    if status != codes.HearingStatus.HELD:
        # the ICWA active-efforts finding is one of a held hearing (`check_active_efforts`):
        # a hearing now continued or cancelled keeps none
        changes["active_efforts"] = ""
    check_errors(errors)
    changed = [field for field, value in changes.items() if getattr(hearing, field) != value]
    for field in changed:
        setattr(hearing, field, changes[field])
    _check_structured_findings(errors, hearing)
    check_errors(errors)
    save_changes(hearing, changed)
    audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        record=hearing,
        case=case,
        fields=changed,
        request=request,
    )
    if next_hearing_on is not None:
        following = save_new(
            Hearing(
                case=case,
                hearing_type=next_hearing_type,
                scheduled_on=next_hearing_on,
                courtroom=hearing.courtroom,
                judge=hearing.judge,
            )
        )
        audit(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            record=following,
            case=case,
            request=request,
        )
    return hearing


@service
def hearing_order_add(
    *,
    actor: User,
    hearing: Hearing,
    text: str,
    due_on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> HearingOrder:
    """An order the court made at a held hearing; the team then keeps its status."""
    errors: dict[str, list[str]] = {}
    if hearing.status != codes.HearingStatus.HELD:
        add_error(errors, "text", "Orders are recorded for a hearing that was held.")
    if not text.strip():
        add_error(errors, "text", "Write what the court ordered.")
    if due_on is not None and due_on < hearing.scheduled_on:
        add_error(errors, "due_on", "An order is due on or after the day of the hearing.")
    check_errors(errors)
    order = save_new(HearingOrder(hearing=hearing, text=text.strip(), due_on=due_on))
    audit(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        record=order,
        case=hearing.case,
        request=request,
    )
    return order


@service
def hearing_order_set_status(
    *,
    actor: User,
    order: HearingOrder,
    status: str,
    done_on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> HearingOrder:
    """Not started / in progress / done (done on a date, today unless given)."""
    case = order.hearing.case
    today = case.site.today()
    if status not in HearingOrder.Status.values:
        raise ValidationError({"status": "Choose not started, in progress or done."})
    if status == HearingOrder.Status.DONE:
        done_on = done_on or today
        errors: dict[str, list[str]] = {}
        if done_on > today:
            add_error(errors, "done_on", "The date it was done cannot be in the future.")
        if done_on < order.hearing.scheduled_on:
            add_error(errors, "done_on", "An order is done on or after the day it was made.")
        check_errors(errors)
    else:
        done_on = None
    changed = []
    if order.status != status:
        order.status = status
        changed.append("status")
    if order.done_on != done_on:
        order.done_on = done_on
        changed.append("done_on")
    save_audited_changes(order, changed, actor=actor, case=case, request=request)
    return order


# --- Hearings as the data package has them (the API) ------------------------------------------

HEARING_FIELDS = frozenset(
    {
        "hearing_type",
        "scheduled_on",
        "status",
        "starts_at",
        "courtroom",
        "continuance_reason",
        "findings",
        "active_efforts",
        *STRUCTURED_FINDINGS,
    }
)

# Children for whom the court's ICWA active-efforts finding is meaningful.
ICWA_CONCERNED = (codes.Icwa.APPLIES, codes.Icwa.REASON_TO_KNOW)


def check_active_efforts(errors: dict[str, list[str]], hearing: Hearing) -> None:
    """The ICWA active-efforts finding: made at a held hearing, of a case where ICWA applies
    or there is reason to know for a child."""
    if not hearing.active_efforts:
        return
    if hearing.active_efforts not in Hearing.ActiveEfforts.values:
        add_error(errors, "active_efforts", "Choose made, not made or no finding made.")
    elif hearing.status != codes.HearingStatus.HELD:
        add_error(errors, "active_efforts", "A finding is recorded for a hearing that was held.")
    elif not hearing.case.children.filter(icwa__in=ICWA_CONCERNED).exists():
        add_error(
            errors,
            "active_efforts",
            "An active-efforts finding is for a child to whom ICWA applies or there is "
            "reason to know: record the child's ICWA status first.",
        )


def _check_hearing(errors: dict[str, list[str]], hearing: Hearing) -> None:
    """The rules of a hearing row in any status (hearings.csv): a hearing is held from its
    day on, and findings are those of a held hearing."""
    if (
        hearing.status == codes.HearingStatus.HELD
        and hearing.scheduled_on > hearing.case.site.today()
    ):
        add_error(errors, "status", "A hearing is recorded as held on or after its day.")
    if hearing.status != codes.HearingStatus.HELD and hearing.findings.strip():
        add_error(errors, "findings", "Findings are recorded for a hearing that was held.")
    if hearing.status != codes.HearingStatus.CONTINUED and hearing.continuance_reason.strip():
        add_error(
            errors, "continuance_reason", "A reason for continuance is for a continued hearing."
        )
    _check_structured_findings(errors, hearing)


@service
def hearing_record(
    *,
    actor: User,
    case: Case,
    hearing_type: str,
    scheduled_on: dt.date,
    status: str = codes.HearingStatus.SCHEDULED,
    id: str | None = None,
    starts_at: dt.time | None = None,
    courtroom: str = "",
    continuance_reason: str = "",
    findings: str = "",
    active_efforts: str = "",
    reasonable_efforts: bool | None = None,
    reasonable_efforts_reason: str = "",
    permanency_goal: str = "",
    permanency_goal_approved: bool | None = None,
    attendance: list[str] | None = None,
    request: HttpRequest | None = None,
) -> Hearing:
    """A hearing of the case in any status (hearings.csv): one to come, or one of the case's
    history with what happened at it. Past hearings are welcome, before the case opened too
    (the shelter hearing often is)."""
    hearing = take_id(
        Hearing(
            case=case,
            hearing_type=hearing_type,
            scheduled_on=scheduled_on,
            status=status,
            starts_at=starts_at,
            courtroom=(courtroom or "").strip(),
            continuance_reason=(continuance_reason or "").strip(),
            findings=(findings or "").strip(),
            active_efforts=active_efforts or "",
            reasonable_efforts=reasonable_efforts,
            reasonable_efforts_reason=(reasonable_efforts_reason or "").strip(),
            permanency_goal=permanency_goal or "",
            permanency_goal_approved=permanency_goal_approved,
        ),
        id,
    )
    errors: dict[str, list[str]] = {}
    hearing.attendance = _clean_attendance(errors, attendance)
    _check_hearing(errors, hearing)
    check_active_efforts(errors, hearing)
    check_errors(errors)
    save_new(hearing)
    audit(actor=actor, action=AuditEvent.Action.CREATE, record=hearing, case=case, request=request)
    return hearing


@service
def hearing_update(
    *, actor: User, hearing: Hearing, request: HttpRequest | None = None, **changes: Any
) -> Hearing:
    """Changes a hearing's type, day, time, courtroom, status, continuance reason, findings
    (the structured ones too) or ICWA active-efforts finding."""
    for name in ("courtroom", "continuance_reason", "findings", "reasonable_efforts_reason"):
        if name in changes:
            changes[name] = (changes[name] or "").strip()
    if "permanency_goal" in changes:
        changes["permanency_goal"] = changes["permanency_goal"] or ""
    errors: dict[str, list[str]] = {}
    if "attendance" in changes:
        changes["attendance"] = _clean_attendance(errors, changes["attendance"])
        check_errors(errors)
    if changes.get("status", codes.HearingStatus.CONTINUED) != codes.HearingStatus.CONTINUED:
        changes.setdefault("continuance_reason", "")  # no longer continued: no reason to keep
    changed = apply_changes(hearing, changes, HEARING_FIELDS)
    _check_hearing(errors, hearing)
    # the finding is checked when it changes, or the hearing's status does (a finding stays
    # with a held hearing): a later change of a child's ICWA status leaves the record editable
    if "active_efforts" in changed or ("status" in changed and hearing.active_efforts):
        check_active_efforts(errors, hearing)
    check_errors(errors)
    save_audited_changes(hearing, changed, actor=actor, case=hearing.case, request=request)
    return hearing


@service
def hearing_active_efforts_record(
    *, actor: User, hearing: Hearing, active_efforts: str, request: HttpRequest | None = None
) -> Hearing:
    """The court's ICWA active-efforts finding at a held hearing (`check_active_efforts`);
    empty clears it."""
    changed = apply_changes(hearing, {"active_efforts": active_efforts or ""}, HEARING_FIELDS)
    errors: dict[str, list[str]] = {}
    check_active_efforts(errors, hearing)
    check_errors(errors)
    save_audited_changes(hearing, changed, actor=actor, case=hearing.case, request=request)
    return hearing


# --- The clinician's recommendation for the court ---------------------------------------------


@service
def court_recommendation_write(
    *,
    actor: User,
    case: Case,
    text: str,
    written_on: dt.date | None = None,
    child: Child | None = None,
    id: str | None = None,
    request: HttpRequest | None = None,
) -> CourtRecommendation:
    """A new recommendation for the court (the earlier ones are kept). Callers check the
    writer is the family's clinician (`can_write_court_recommendation`)."""
    errors: dict[str, list[str]] = {}
    text = (text or "").strip()
    today = case.site.today()
    written_on = written_on or today
    if not text:
        add_error(errors, "text", "Write the recommendation for the court.")
    elif len(text) > CourtRecommendation.MAX_LENGTH:
        add_error(
            errors,
            "text",
            f"Keep it short: at most {CourtRecommendation.MAX_LENGTH} characters "
            f"(this one has {len(text)}).",
        )
    if written_on > today:
        add_error(errors, "written_on", "The date it was written cannot be in the future.")
    if child is not None and child.case_id != case.pk:
        add_error(errors, "child", "Choose a child of this family.")
    check_errors(errors)
    recommendation = save_new(
        take_id(
            CourtRecommendation(
                case=case, child=child, text=text, written_on=written_on, clinician=actor
            ),
            id,
        )
    )
    audit(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        record=recommendation,
        case=case,
        request=request,
    )
    return recommendation
