"""Writes to the case plan: screenings, services and referrals, goals, assessments, markers of
progress and consents (STYLE.md "services").

Keyword arguments, one transaction each, `full_clean()` before saving, one audit event per row
created or changed. A rule a person can break from a form is raised as a `ValidationError` keyed
by the field's name. Callers decide who may write (`access_case(..., write=True)`).
"""

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from assessments.models import (
    CAREGIVER_MARKERS,
    CHILD_MARKERS,
    Assessment,
    Goal,
    GoalStep,
    Lens,
    MarkerRating,
    Screening,
    Service,
    ServiceSession,
    SessionAttendance,
)
from assessments.signals import part2_release_confirmed, part2_release_recorded
from cases.access import IPV_INSTRUMENTS, PART2_INSTRUMENTS, PART2_SERVICE_TYPES
from cases.models import Case, Child, Consent, Person
from safebabies import codes
from safebabies.audit.models import AuditEvent
from safebabies.identity.models import User
from safebabies.identity.roles import Role
from safebabies.identity.selectors import site_roles
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

SCREENING_FIELDS = frozenset(
    {
        "child",
        "subject",
        "instrument",
        "screened_on",
        "result",
        "referral_made",
        "screened_by",
        "referral",
        "person",
    }
)
# Screens of a parent or caregiver, never of a child: depression, substance use, and screening
# the whole family (issue 22 item 4: housing, basic needs, intimate-partner violence)
PARENT_INSTRUMENTS = frozenset(
    {
        codes.Instrument.EPDS,
        codes.Instrument.PHQ9,
        codes.Instrument.SUBSTANCE_USE,
        codes.Instrument.HOUSING,
        codes.Instrument.BASIC_NEEDS,
        codes.Instrument.IPV,
    }
)
SERVICE_FIELDS = frozenset(
    {
        "child",
        "person",
        "recipient",
        "service_type",
        "provider",
        "evidence_based",
        "referred_on",
        "started_on",
        "ended_on",
        "status",
        "goal",
        "barrier",
    }
)
GOAL_FIELDS = frozenset(
    {"child", "description", "steps", "responsible", "target_on", "status", "assessment"}
)
CHILD_INSTRUMENTS = frozenset(
    {
        codes.Instrument.ASQ3,
        codes.Instrument.ASQSE2,
        codes.Instrument.MCHAT,
        codes.Instrument.HEALTH_INITIAL,
        codes.Instrument.HEALTH_COMPREHENSIVE,
    }
)


def _not_future(errors: dict, case: Case, name: str, day: dt.date | None, what: str) -> None:
    if day is not None and day > case.site.today():
        add_error(errors, name, f"{what} cannot be in the future.")


def _same_case(errors: dict, case: Case, name: str, record: Any, what: str) -> None:
    if record is not None and record.case_id != case.pk:
        add_error(errors, name, f"Choose {what} of this family.")


def _whose_part2_record(record: Screening | Service, part2: bool) -> None:
    """A Part 2 record names the person it is about: only that person's release opens it
    (`CaseAccess.part2_people`). Not named, it is the family's only parent's; in a family with
    none or several, it stays unnamed, and no release opens it until the person is named."""
    if not part2 or record.person_id is not None:
        return
    parents = list(
        Person.objects.filter(case_id=record.case_id, kind=Person.Kind.PARENT).values_list(
            "pk", flat=True
        )[:2]
    )
    if len(parents) == 1:
        record.person_id = parents[0]


# --- Screenings ----------------------------------------------------------------------------


def _check_screening(screening: Screening) -> None:
    case = screening.case
    errors: dict[str, list[str]] = {}
    _same_case(errors, case, "child", screening.child, "a child")
    _same_case(errors, case, "referral", screening.referral, "a service")
    _same_case(errors, case, "person", screening.person, "a parent or caregiver")
    if screening.subject == codes.ScreeningSubject.CHILD and screening.person is not None:
        add_error(errors, "person", "A child's screening names the child, not a person.")
    if screening.subject == codes.ScreeningSubject.CHILD and screening.child is None:
        add_error(errors, "child", "Say which child was screened.")
    if (
        screening.subject != codes.ScreeningSubject.CHILD
        and screening.instrument in CHILD_INSTRUMENTS
    ):
        add_error(errors, "instrument", "This is a child's screening: choose the child as subject.")
    if (
        screening.subject == codes.ScreeningSubject.CHILD
        and screening.instrument in PARENT_INSTRUMENTS
    ):
        add_error(errors, "instrument", "This is a screening for a parent or caregiver.")
    if screening.instrument in IPV_INSTRUMENTS and screening.child is not None:
        # an IPV screen is a parent's own: never among a child's records (the court's summary)
        add_error(errors, "child", "An IPV screen is about a parent or caregiver: name no child.")
    _not_future(errors, case, "screened_on", screening.screened_on, "The screening date")
    if screening.child is not None and screening.screened_on < screening.child.birth_date:
        add_error(
            errors, "screened_on", "The screening date is on or after the child's birth date."
        )
    if screening.referral is not None and screening.referral_made is None:
        screening.referral_made = True
    check_errors(errors)
    _whose_part2_record(screening, screening.instrument in PART2_INSTRUMENTS)


@service
def screening_record(
    *,
    actor: User,
    case: Case,
    id: str | None = None,
    request: HttpRequest | None = None,
    **fields: Any,
) -> Screening:
    unknown = set(fields) - SCREENING_FIELDS
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    screening = take_id(Screening(case=case, **fields), id)
    _check_screening(screening)
    save_new(screening)
    audit(
        actor=actor, action=AuditEvent.Action.CREATE, record=screening, case=case, request=request
    )
    return screening


@service
def screening_update(
    *, actor: User, screening: Screening, request: HttpRequest | None = None, **changes: Any
) -> Screening:
    changed = apply_changes(screening, changes, SCREENING_FIELDS)
    person_before = screening.person_id
    _check_screening(screening)
    if screening.person_id != person_before and "person" not in changed:
        changed.append("person")
    save_audited_changes(screening, changed, actor=actor, case=screening.case, request=request)
    return screening


# --- Services and referrals ----------------------------------------------------------------


def _check_service(service: Service) -> None:
    case = service.case
    errors: dict[str, list[str]] = {}
    _same_case(errors, case, "child", service.child, "a child")
    _same_case(errors, case, "goal", service.goal, "a goal")
    _same_case(errors, case, "person", service.person, "a parent or caregiver")
    if service.recipient == codes.ServiceRecipient.CHILD and service.child is None:
        add_error(errors, "child", "Say which child the service is for.")
    _not_future(errors, case, "referred_on", service.referred_on, "The referral date")
    _not_future(errors, case, "started_on", service.started_on, "The start date")
    _not_future(errors, case, "ended_on", service.ended_on, "The end date")
    if service.started_on is not None and service.started_on < service.referred_on:
        add_error(errors, "started_on", "A service cannot start before it was referred.")
    if service.ended_on is not None and service.ended_on < (
        service.started_on or service.referred_on
    ):
        add_error(errors, "ended_on", "A service cannot end before it starts.")
    status = service.status
    if status in (codes.ServiceStatus.ACTIVE, codes.ServiceStatus.COMPLETED) and (
        service.started_on is None
    ):
        add_error(errors, "started_on", "Give the day the service started.")
    if status in (codes.ServiceStatus.REFERRED, codes.ServiceStatus.WAITLISTED) and (
        service.started_on is not None or service.ended_on is not None
    ):
        add_error(errors, "status", "A service with a start date is active (or has ended).")
    if status == codes.ServiceStatus.COMPLETED and service.ended_on is None:
        add_error(errors, "ended_on", "Give the day the service ended.")
    if status == codes.ServiceStatus.WAITLISTED and not service.barrier:
        service.barrier = codes.ServiceBarrier.WAITLIST
    check_errors(errors)
    _whose_part2_record(service, service.service_type in PART2_SERVICE_TYPES)


@service
def service_refer(
    *,
    actor: User,
    case: Case,
    id: str | None = None,
    request: HttpRequest | None = None,
    **fields: Any,
) -> Service:
    """A referral (or a service already under way) on the case plan."""
    unknown = set(fields) - SERVICE_FIELDS
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    service = take_id(Service(case=case, **fields), id)
    _check_service(service)
    save_new(service)
    audit(actor=actor, action=AuditEvent.Action.CREATE, record=service, case=case, request=request)
    return service


@service
def service_update(
    *, actor: User, service: Service, request: HttpRequest | None = None, **changes: Any
) -> Service:
    """A change of status, dates, provider, goal or barrier."""
    changed = apply_changes(service, changes, SERVICE_FIELDS)
    barrier_before, person_before = service.barrier, service.person_id
    _check_service(service)
    if service.barrier != barrier_before and "barrier" not in changed:
        changed.append("barrier")
    if service.person_id != person_before and "person" not in changed:
        changed.append("person")
    save_audited_changes(service, changed, actor=actor, case=service.case, request=request)
    return service


# --- Goals ---------------------------------------------------------------------------------


def _check_goal(goal: Goal) -> None:
    errors: dict[str, list[str]] = {}
    _same_case(errors, goal.case, "child", goal.child, "a child")
    _same_case(errors, goal.case, "assessment", goal.assessment, "an assessment")
    if not goal.description.strip():
        add_error(errors, "description", "Say what the goal is, in the family's words if you can.")
    goal.description = goal.description.strip()
    goal.steps = goal.steps.strip()
    goal.responsible = goal.responsible.strip()
    check_errors(errors)


@service
def goal_create(
    *,
    actor: User,
    case: Case,
    id: str | None = None,
    request: HttpRequest | None = None,
    **fields: Any,
) -> Goal:
    unknown = set(fields) - GOAL_FIELDS
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    goal = take_id(Goal(case=case, **fields), id)
    _check_goal(goal)
    save_new(goal)
    _sync_steps(goal)
    audit(actor=actor, action=AuditEvent.Action.CREATE, record=goal, case=case, request=request)
    return goal


@service
def goal_update(
    *, actor: User, goal: Goal, request: HttpRequest | None = None, **changes: Any
) -> Goal:
    changed = apply_changes(goal, changes, GOAL_FIELDS)
    _check_goal(goal)
    save_changes(goal, changed)
    if "steps" in changed:
        _sync_steps(goal)
    if changed:
        audit(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            record=goal,
            case=goal.case,
            fields=changed,
            request=request,
        )
    return goal


# --- Steps toward a goal --------------------------------------------------------------------


def _sync_steps(goal: Goal) -> None:
    """The goal's steps as its `steps` text says them, one a line: a line that is already a
    step keeps its step (who, by when, done); a new line is a new step; a step whose line is
    gone is removed."""
    lines = [line.strip()[:300] for line in goal.steps.splitlines() if line.strip()]
    existing = list(GoalStep.objects.filter(goal=goal))
    keep: list[GoalStep] = []
    create: list[GoalStep] = []
    for position, line in enumerate(lines):
        step = next((s for s in existing if s.text == line and s not in keep), None)
        if step is None:
            create.append(GoalStep(goal=goal, text=line, position=position))
        else:
            step.position = position
            keep.append(step)
    GoalStep.objects.filter(goal=goal).exclude(pk__in=[s.pk for s in keep]).delete()
    GoalStep.objects.bulk_update(keep, ["position"])
    for step in create:
        step.full_clean(exclude=["goal"])
    GoalStep.objects.bulk_create(create)


def _write_steps_text(goal: Goal) -> None:
    goal.steps = "\n".join(GoalStep.objects.filter(goal=goal).values_list("text", flat=True))
    goal.save(update_fields=["steps", "updated_at"])


@service
def goal_step_add(
    *,
    actor: User,
    goal: Goal,
    text: str,
    responsible: str = "",
    due_on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> GoalStep:
    """A step toward the goal: what, who does it, by when."""
    errors: dict[str, list[str]] = {}
    text = (text or "").strip()
    if not text:
        add_error(errors, "text", "Say what the step is.")
    check_errors(errors)
    last = GoalStep.objects.filter(goal=goal).order_by("-position").first()
    step = save_new(
        GoalStep(
            goal=goal,
            text=text,
            responsible=(responsible or "").strip(),
            due_on=due_on,
            position=last.position + 1 if last else 0,
        )
    )
    _write_steps_text(goal)
    audit(
        actor=actor, action=AuditEvent.Action.CREATE, record=step, case=goal.case, request=request
    )
    return step


@service
def goal_step_set_done(
    *, actor: User, step: GoalStep, done: bool, request: HttpRequest | None = None
) -> GoalStep:
    """Tick a step done (today, in the site's time zone), or untick it."""
    case = step.goal.case
    step.done_on = case.site.today() if done else None
    save_changes(step, ["done_on"])
    audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        record=step,
        case=case,
        fields=["done_on"],
        request=request,
    )
    return step


@service
def goal_step_remove(*, actor: User, step: GoalStep, request: HttpRequest | None = None) -> None:
    goal = step.goal
    audit(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        record=step,
        case=goal.case,
        request=request,
    )
    step.delete()
    _write_steps_text(goal)


# --- Relationship-based assessments --------------------------------------------------------


@service
def assessment_record(
    *,
    actor: User,
    case: Case,
    lens: str,
    assessed_on: dt.date,
    child: Child | None = None,
    caregiver: Person | None = None,
    id: str | None = None,
    request: HttpRequest | None = None,
    **narrative: str,
) -> Assessment:
    """A clinician's assessment through one lens."""
    errors: dict[str, list[str]] = {}
    _same_case(errors, case, "child", child, "a child")
    _same_case(errors, case, "caregiver", caregiver, "a caregiver")
    if lens in (Lens.CHILD, Lens.RELATIONSHIP) and child is None:
        add_error(errors, "child", "Say which child.")
    if lens in (Lens.CAREGIVER, Lens.RELATIONSHIP) and caregiver is None:
        add_error(errors, "caregiver", "Say which caregiver.")
    if lens == Lens.CHILD and caregiver is not None:
        add_error(errors, "caregiver", "An assessment of the child alone names no caregiver.")
    if lens == Lens.CAREGIVER:
        child = None
    _not_future(errors, case, "assessed_on", assessed_on, "The assessment date")
    texts = {name: (value or "").strip() for name, value in narrative.items()}
    if not any(texts.values()):
        add_error(errors, "strengths", "Write down what the assessment found (strengths first).")
    check_errors(errors)
    assessment = save_new(
        take_id(
            Assessment(
                case=case,
                lens=lens,
                assessed_on=assessed_on,
                child=child,
                caregiver=caregiver,
                clinician=actor,
                **texts,
            ),
            id,
        )
    )
    audit(
        actor=actor, action=AuditEvent.Action.CREATE, record=assessment, case=case, request=request
    )
    return assessment


# --- Markers of progress -------------------------------------------------------------------


@service
def markers_rate(
    *,
    actor: User,
    case: Case,
    rated_on: dt.date,
    scores: dict[str, int | None],
    notes: dict[str, str] | None = None,
    child: Child | None = None,
    caregiver: Person | None = None,
    request: HttpRequest | None = None,
) -> list[MarkerRating]:
    """The team's ratings of one caregiver's (or one child's) markers on one day."""
    notes = notes or {}
    errors: dict[str, list[str]] = {}
    if (child is None) == (caregiver is None):
        add_error(errors, "subject", "Rate one caregiver or one child at a time.")
    _same_case(errors, case, "child", child, "a child")
    _same_case(errors, case, "caregiver", caregiver, "a caregiver")
    allowed = CHILD_MARKERS if child is not None else CAREGIVER_MARKERS
    for marker, score in scores.items():
        if marker not in allowed:
            add_error(errors, marker, "This marker is not one for this person.")
        elif score is not None and not 1 <= int(score) <= 4:
            add_error(errors, marker, "Rate from 1 (not yet) to 4 (consistently).")
    given = {m: s for m, s in scores.items() if s is not None}
    if not given:
        add_error(errors, "scores", "Rate at least one marker.")
    _not_future(errors, case, "rated_on", rated_on, "The rating date")
    check_errors(errors)
    ratings = []
    for marker, score in given.items():
        rating = save_new(
            MarkerRating(
                case=case,
                child=child,
                caregiver=caregiver,
                marker=marker,
                rated_on=rated_on,
                score=int(score),  # type: ignore[arg-type]
                note=(notes.get(marker) or "").strip(),
                rated_by=actor,
            )
        )
        audit(
            actor=actor, action=AuditEvent.Action.CREATE, record=rating, case=case, request=request
        )
        ratings.append(rating)
    return ratings


# --- Consents ------------------------------------------------------------------------------


# Who records a release of substance-use treatment records (42 CFR Part 2), and confirms one
PART2_RECORDERS = frozenset({Role.COMMUNITY_COORDINATOR, Role.SITE_ADMIN})


@service
def consent_record(
    *,
    actor: User,
    case: Case,
    person: Person,
    category: str,
    recipient_role: str,
    granted_on: dt.date,
    expires_on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Consent:
    """A release of information a person signed.

    A release of substance-use treatment records (42 CFR Part 2) covers the records of the
    person who signed it and nobody else's (`CaseAccess.part2_people`). Only a Community
    Coordinator or a site admin records one; if it would open a role the recorder holds at the
    site, it is not in force until a second coordinator or site admin confirms it
    (`consent_confirm`). The site's coordinators and site admins are told either way."""
    errors: dict[str, list[str]] = {}
    part2 = category == Consent.Category.SUBSTANCE_USE_TREATMENT
    held = site_roles(actor, case.site_id)
    if part2 and not held & PART2_RECORDERS:
        add_error(
            errors,
            "category",
            "A release of substance-use treatment records (42 CFR Part 2) is recorded by a "
            "Community Coordinator or a site admin.",
        )
    _same_case(errors, case, "person", person, "a person")
    _not_future(errors, case, "granted_on", granted_on, "The date it was signed")
    if expires_on is not None and expires_on < granted_on:
        add_error(errors, "expires_on", "A release cannot expire before it is signed.")
    if part2 and expires_on is None:
        add_error(
            errors,
            "expires_on",
            "A release of substance-use treatment records (42 CFR Part 2) needs an end date.",
        )
    check_errors(errors)
    needs_second_person = part2 and recipient_role in held
    consent = save_new(
        Consent(
            case=case,
            person=person,
            category=category,
            recipient_role=recipient_role,
            granted_on=granted_on,
            expires_on=expires_on,
            recorded_by=actor,
            confirmed_at=None if needs_second_person else timezone.now(),
        )
    )
    audit(actor=actor, action=AuditEvent.Action.CREATE, record=consent, case=case, request=request)
    if part2:
        transaction.on_commit(
            lambda: part2_release_recorded.send(sender=Consent, consent=consent, actor=actor)
        )
    return consent


@service
def consent_confirm(
    *, actor: User, consent: Consent, request: HttpRequest | None = None
) -> Consent:
    """A second Community Coordinator or site admin confirms a release of Part 2 records that
    would open its recorder's own role: from now on it is in force."""
    case = consent.case
    errors: dict[str, list[str]] = {}
    if not site_roles(actor, case.site_id) & PART2_RECORDERS:
        add_error(
            errors, "confirmed_by", "A Community Coordinator or a site admin confirms a release."
        )
    elif consent.recorded_by_id == actor.pk:
        add_error(
            errors,
            "confirmed_by",
            "You recorded this release, and it opens a role of yours: a second coordinator or "
            "site admin confirms it.",
        )
    if consent.confirmed_at is not None:
        add_error(errors, "confirmed_by", "This release is already in force.")
    if consent.revoked_on is not None:
        add_error(errors, "confirmed_by", "This release was revoked.")
    check_errors(errors)
    consent.confirmed_by = actor
    consent.confirmed_at = timezone.now()
    save_changes(consent, ["confirmed_by", "confirmed_at"])
    audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        record=consent,
        case=case,
        fields=["confirmed_by", "confirmed_at"],
        request=request,
    )
    transaction.on_commit(
        lambda: part2_release_confirmed.send(sender=Consent, consent=consent, actor=actor)
    )
    return consent


@service
def consent_revoke(
    *, actor: User, consent: Consent, revoked_on: dt.date, request: HttpRequest | None = None
) -> Consent:
    """The person takes their consent back from `revoked_on` on."""
    case = consent.case
    errors: dict[str, list[str]] = {}
    if consent.revoked_on is not None:
        add_error(errors, "revoked_on", "This release was already revoked.")
    if revoked_on < consent.granted_on:
        add_error(errors, "revoked_on", "A release cannot be revoked before it was signed.")
    _not_future(errors, case, "revoked_on", revoked_on, "The revocation date")
    check_errors(errors)
    consent.revoked_on = revoked_on
    save_changes(consent, ["revoked_on"])
    audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        record=consent,
        case=case,
        fields=["revoked_on"],
        request=request,
    )
    return consent


# --- Sessions of a service, as it is delivered (issue 22 item 3) -----------------------------

SESSION_FIELDS = frozenset({"held_on", "attendance", "caregiver", "minutes", "note"})
SESSION_NOTE_MAX = 500


def _check_session(session: ServiceSession) -> None:
    service = session.service
    case = service.case
    errors: dict[str, list[str]] = {}
    if session.held_on is None:
        add_error(errors, "held_on", "Say on which day.")
    else:
        _not_future(errors, case, "held_on", session.held_on, "A session's day")
        if session.held_on < service.referred_on:
            add_error(errors, "held_on", "A session is on or after the referral day.")
    if session.attendance not in SessionAttendance.values:
        add_error(errors, "attendance", f"Choose one of: {', '.join(SessionAttendance.values)}.")
    if session.minutes is not None and not 1 <= session.minutes <= 1440:
        add_error(errors, "minutes", "How many minutes, from 1 to 1440.")
    if session.minutes is not None and session.attendance != SessionAttendance.ATTENDED:
        add_error(errors, "minutes", "Minutes are for a session the family attended.")
    if "\x00" in (session.note or ""):
        add_error(errors, "note", "Control characters (such as NUL) are not allowed.")
    if session.attendance != SessionAttendance.MISSED:
        session.outreach_done_on = None
    check_errors(errors)


@service
def service_session_log(
    *,
    actor: User,
    service: Service,
    id: str | None = None,
    request: HttpRequest | None = None,
    **fields: Any,
) -> ServiceSession:
    """A session of a service on the case plan. A missed one waits for the team's outreach
    (`service_session_outreach_done`), shown to the Community Coordinator until it is done."""
    unknown = set(fields) - SESSION_FIELDS
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    fields["note"] = (fields.get("note") or "").strip()
    fields["caregiver"] = fields.get("caregiver") or ""
    session = take_id(ServiceSession(service=service, logged_by=actor, **fields), id)
    _check_session(session)
    save_new(session)
    audit(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        record=session,
        case=service.case,
        request=request,
    )
    return session


@service
def service_session_update(
    *, actor: User, session: ServiceSession, request: HttpRequest | None = None, **changes: Any
) -> ServiceSession:
    if "note" in changes:
        changes["note"] = (changes["note"] or "").strip()
    if "caregiver" in changes:
        changes["caregiver"] = changes["caregiver"] or ""
    changed = apply_changes(session, changes, SESSION_FIELDS)
    before = session.outreach_done_on
    _check_session(session)
    if session.outreach_done_on != before:
        changed.append("outreach_done_on")
    save_audited_changes(session, changed, actor=actor, case=session.service.case, request=request)
    return session


@service
def service_session_outreach_done(
    *,
    actor: User,
    session: ServiceSession,
    done_on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> ServiceSession:
    """The team reached out to the family after a missed session (on `done_on`, today by
    default): the coordinator's reminder of it ends."""
    case = session.service.case
    errors: dict[str, list[str]] = {}
    if session.attendance != SessionAttendance.MISSED:
        add_error(errors, "outreach_done_on", "Outreach follows a missed session.")
    done_on = done_on or case.site.today()
    _not_future(errors, case, "outreach_done_on", done_on, "The outreach day")
    if done_on < session.held_on:
        add_error(errors, "outreach_done_on", "Outreach follows the missed session.")
    check_errors(errors)
    if session.outreach_done_on != done_on:
        session.outreach_done_on = done_on
        save_audited_changes(session, ["outreach_done_on"], actor=actor, case=case, request=request)
    return session
