"""Writes of the Active Community Team, the provider directory and providers' feedback on
referrals (issue 22 item 9).

Same shape as `teams.work`: keyword arguments, atomic (`@service`), `full_clean()` before
every save, one audit event per row written, errors keyed by field name. Callers decide who may
write (`cases.access`: `SITE_RECORD_TYPES`, `access_site_record(..., write=True)`,
`sites_adding`; for feedback `access_record(..., "service", write=True)`); the rules on the
rows themselves live here (a member, an attendee or an owner of the same site, a real CQI
measure, dates, lengths).
"""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest

from assessments.models import Service
from cases.models import Case
from community import measures
from community.models import (
    ActActionItem,
    ActDecision,
    ActMeeting,
    ActMember,
    CycleStage,
    FeedbackStatus,
    ImprovementCycle,
    Provider,
    ReferralFeedback,
    Sector,
)
from safebabies import codes
from safebabies.audit.models import AuditEvent
from safebabies.audit.services import audit_log
from safebabies.identity.models import Site, SiteMembership, User
from safebabies.kit.services import (
    apply_changes,
    audit,
    check_errors,
    save_changes,
    save_new,
    service,
    take_id,
)

TEXT_MAX = 8000
SHORT_MAX = 500
NOTE_MAX = 2000


def _text(errors: dict, value: Any, field: str, limit: int, *, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        errors.setdefault(field, []).append("This field is required.")
    elif len(text) > limit:
        errors.setdefault(field, []).append(f"At most {limit} characters.")
    elif "\x00" in text:
        errors.setdefault(field, []).append("Control characters (such as NUL) are not allowed.")
    return text


def _choice(errors: dict, value: Any, field: str, choices: Iterable[str]) -> str:
    allowed = list(choices)
    if value not in allowed:
        errors.setdefault(field, []).append(f"Choose one of: {', '.join(allowed)}.")
    return str(value or "")


def _site_audit(
    actor: User,
    action: str,
    record: Any,
    site_id: int,
    *,
    fields: Iterable[str] = (),
    request: HttpRequest | None = None,
) -> None:
    detail = {"fields": sorted(fields)} if fields else None
    audit_log(
        actor=actor, action=action, record=record, site_id=site_id, detail=detail, request=request
    )


def _changed(
    obj: Any,
    changes: dict[str, Any],
    allowed: frozenset[str],
    *,
    actor: User,
    site_id: int,
    request,
) -> Any:
    changed = apply_changes(obj, changes, allowed)
    save_changes(obj, changed)
    if changed:
        _site_audit(actor, AuditEvent.Action.UPDATE, obj, site_id, fields=changed, request=request)
    return obj


# --- Members ------------------------------------------------------------------------------------


def _site_user(errors: dict, site: Site, user_id: Any) -> User | None:
    """A user holding an active role at the site (a member of the team who signs in)."""
    if user_id in (None, ""):
        return None
    user = User.objects.filter(
        pk__in=SiteMembership.objects.filter(site=site, is_active=True).values("user_id"),
        pk=user_id if str(user_id).isdigit() else 0,
    ).first()
    if user is None:
        errors.setdefault("user_id", []).append("Choose a person who works at this site.")
    return user


def _member_fields(errors: dict, site: Site, data: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if "user_id" in data:
        fields["user"] = _site_user(errors, site, data["user_id"])
    if "name" in data:
        fields["name"] = _text(errors, data["name"], "name", 200)
    if "organisation" in data:
        fields["organisation"] = _text(errors, data["organisation"], "organisation", 200)
    if "sector" in data:
        fields["sector"] = _choice(errors, data["sector"], "sector", Sector.values)
    for day in ("joined_on", "left_on"):
        if day in data:
            fields[day] = data[day]
    return fields


@service
def member_add(
    *,
    actor: User,
    site: Site,
    sector: str,
    joined_on: dt.date | None,
    user_id: Any = None,
    name: str = "",
    organisation: str = "",
    left_on: dt.date | None = None,
    id: str | None = None,
    request: HttpRequest | None = None,
) -> ActMember:
    """A member of the site's Active Community Team: a person of the site or a name."""
    errors: dict[str, list[str]] = {}
    fields = _member_fields(
        errors,
        site,
        {
            "user_id": user_id,
            "name": name,
            "organisation": organisation,
            "sector": sector,
            "joined_on": joined_on,
            "left_on": left_on,
        },
    )
    if joined_on is None:
        errors.setdefault("joined_on", []).append("Say when they joined.")
    if not fields.get("user") and not fields.get("name") and "user_id" not in errors:
        errors.setdefault("name", []).append("Name the member, or choose a person of the site.")
    if joined_on and left_on and left_on < joined_on:
        errors.setdefault("left_on", []).append("A member cannot leave before they join.")
    check_errors(errors)
    member = ActMember(site=site, **fields)
    take_id(member, id)
    save_new(member)
    _site_audit(actor, AuditEvent.Action.CREATE, member, site.pk, request=request)
    return member


MEMBER_FIELDS = frozenset({"user", "name", "organisation", "sector", "joined_on", "left_on"})


@service
def member_change(
    *, actor: User, member: ActMember, request: HttpRequest | None = None, **changes: Any
) -> ActMember:
    errors: dict[str, list[str]] = {}
    fields = _member_fields(errors, member.site, changes)
    joined = fields.get("joined_on", member.joined_on)
    left = fields.get("left_on", member.left_on)
    if "joined_on" in fields and joined is None:
        errors.setdefault("joined_on", []).append("Say when they joined.")
    elif joined and left and left < joined:
        errors.setdefault("left_on", []).append("A member cannot leave before they join.")
    user = fields.get("user", member.user)
    if not user and not fields.get("name", member.name) and "user_id" not in errors:
        errors.setdefault("name", []).append("Name the member, or choose a person of the site.")
    check_errors(errors)
    return _changed(
        member, fields, MEMBER_FIELDS, actor=actor, site_id=member.site_id, request=request
    )


# --- Meetings, decisions, action items ---------------------------------------------------------


def _site_members(errors: dict, site_id: int, ids: Iterable[Any], field: str) -> list[ActMember]:
    wanted = {str(i) for i in ids if str(i or "").strip()}
    found = list(ActMember.objects.filter(site_id=site_id, pk__in=wanted))
    if len(found) != len(wanted):
        errors.setdefault(field, []).append("Choose members of this site's team.")
    return found


@service
def meeting_add(
    *,
    actor: User,
    site: Site,
    held_on: dt.date | None,
    title: str = "",
    agenda: str = "",
    notes: str = "",
    attendee_ids: Iterable[Any] = (),
    decisions: Iterable[str] = (),
    action_items: Iterable[dict[str, Any]] = (),
    id: str | None = None,
    request: HttpRequest | None = None,
) -> ActMeeting:
    """A meeting of the team, with who came, and the decisions and action items it took."""
    errors: dict[str, list[str]] = {}
    if held_on is None:
        errors.setdefault("held_on", []).append("Say on which day.")
    texts = {
        "title": _text(errors, title, "title", 200),
        "agenda": _text(errors, agenda, "agenda", TEXT_MAX),
        "notes": _text(errors, notes, "notes", TEXT_MAX),
    }
    attendees = _site_members(errors, site.pk, attendee_ids, "attendee_ids")
    check_errors(errors)
    assert held_on is not None  # checked above
    meeting = ActMeeting(site=site, held_on=held_on, **texts)
    take_id(meeting, id)
    save_new(meeting)
    _site_audit(actor, AuditEvent.Action.CREATE, meeting, site.pk, request=request)
    if attendees:
        meeting.attendees.set(attendees)
    for text in decisions:
        decision_add(actor=actor, meeting=meeting, text=text, request=request)
    for item in action_items:
        action_item_add(actor=actor, meeting=meeting, request=request, **item)
    return meeting


MEETING_FIELDS = frozenset({"held_on", "title", "agenda", "notes"})


@service
def meeting_change(
    *,
    actor: User,
    meeting: ActMeeting,
    attendee_ids: Iterable[Any] | None = None,
    request: HttpRequest | None = None,
    **changes: Any,
) -> ActMeeting:
    errors: dict[str, list[str]] = {}
    fields: dict[str, Any] = {}
    if "held_on" in changes:
        if changes["held_on"] is None:
            errors.setdefault("held_on", []).append("Say on which day.")
        fields["held_on"] = changes["held_on"]
    for name, limit in (("title", 200), ("agenda", TEXT_MAX), ("notes", TEXT_MAX)):
        if name in changes:
            fields[name] = _text(errors, changes[name], name, limit)
    attendees = None
    if attendee_ids is not None:
        attendees = _site_members(errors, meeting.site_id, attendee_ids, "attendee_ids")
    check_errors(errors)
    changed = apply_changes(meeting, fields, MEETING_FIELDS)
    if attendees is not None:
        before = set(meeting.attendees.values_list("pk", flat=True))
        if before != {m.pk for m in attendees}:
            meeting.attendees.set(attendees)
            changed.append("attendees")
    save_changes(meeting, [c for c in changed if c != "attendees"])
    if changed:
        _site_audit(
            actor,
            AuditEvent.Action.UPDATE,
            meeting,
            meeting.site_id,
            fields=changed,
            request=request,
        )
    return meeting


@service
def decision_add(
    *, actor: User, meeting: ActMeeting, text: str, request: HttpRequest | None = None
) -> ActDecision:
    errors: dict[str, list[str]] = {}
    decision = ActDecision(
        meeting=meeting, text=_text(errors, text, "text", SHORT_MAX, required=True)
    )
    check_errors(errors)
    save_new(decision)
    _site_audit(actor, AuditEvent.Action.CREATE, decision, meeting.site_id, request=request)
    return decision


@service
def action_item_add(
    *,
    actor: User,
    meeting: ActMeeting,
    description: str,
    owner_id: Any = None,
    due_on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> ActActionItem:
    errors: dict[str, list[str]] = {}
    owner = None
    if owner_id not in (None, ""):
        found = _site_members(errors, meeting.site_id, [owner_id], "owner_id")
        owner = found[0] if found else None
    item = ActActionItem(
        meeting=meeting,
        description=_text(errors, description, "description", SHORT_MAX, required=True),
        owner=owner,
        due_on=due_on,
    )
    check_errors(errors)
    save_new(item)
    _site_audit(actor, AuditEvent.Action.CREATE, item, meeting.site_id, request=request)
    return item


@service
def action_item_done(
    *,
    actor: User,
    item: ActActionItem,
    done_on: dt.date | None,
    request: HttpRequest | None = None,
) -> ActActionItem:
    """Marks the item done on `done_on` (or open again, with None): its owner or a keeper."""
    site = item.meeting.site
    if done_on is not None and done_on > site.today():
        raise ValidationError({"done_on": "An item is done on or before today."})
    return _changed(
        item,
        {"done_on": done_on},
        frozenset({"done_on"}),
        actor=actor,
        site_id=site.pk,
        request=request,
    )


# --- Improvement cycles --------------------------------------------------------------------------


def _cycle_fields(errors: dict, data: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if "title" in data:
        fields["title"] = _text(errors, data["title"], "title", 200, required=True)
    if "metric" in data:
        fields["metric"] = _choice(errors, data["metric"], "metric", measures.MEASURE_IDS)
    if "stage" in data:
        fields["stage"] = _choice(errors, data["stage"], "stage", CycleStage.values)
    if "plan" in data:
        fields["plan"] = _text(errors, data["plan"], "plan", TEXT_MAX)
    if "started_on" in data:
        if data["started_on"] is None:
            errors.setdefault("started_on", []).append("Say when it started.")
        fields["started_on"] = data["started_on"]
    return fields


@service
def cycle_add(
    *,
    actor: User,
    site: Site,
    title: str,
    metric: str,
    started_on: dt.date | None,
    stage: str = CycleStage.PLAN,
    plan: str = "",
    id: str | None = None,
    request: HttpRequest | None = None,
) -> ImprovementCycle:
    """A plan-do-study-act cycle aimed at one CQI measure of the site."""
    errors: dict[str, list[str]] = {}
    fields = _cycle_fields(
        errors,
        {"title": title, "metric": metric, "stage": stage, "plan": plan, "started_on": started_on},
    )
    check_errors(errors)
    cycle = ImprovementCycle(site=site, **fields)
    take_id(cycle, id)
    save_new(cycle)
    _site_audit(actor, AuditEvent.Action.CREATE, cycle, site.pk, request=request)
    return cycle


CYCLE_FIELDS = frozenset({"title", "metric", "stage", "plan", "started_on"})


@service
def cycle_change(
    *, actor: User, cycle: ImprovementCycle, request: HttpRequest | None = None, **changes: Any
) -> ImprovementCycle:
    errors: dict[str, list[str]] = {}
    fields = _cycle_fields(errors, changes)
    check_errors(errors)
    return _changed(
        cycle, fields, CYCLE_FIELDS, actor=actor, site_id=cycle.site_id, request=request
    )


# --- The provider directory -----------------------------------------------------------------------


def _provider_fields(errors: dict, data: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if "name" in data:
        fields["name"] = _text(errors, data["name"], "name", 200, required=True)
    if "service_types" in data:
        given = list(dict.fromkeys(data["service_types"] or []))
        if not given:
            errors.setdefault("service_types", []).append("Choose the services it offers.")
        for code in given:
            if code not in codes.ServiceType.values:
                errors.setdefault("service_types", []).append(f"Not a service type: {code}.")
                break
        fields["service_types"] = given
    for name, limit in (("languages", 200), ("address", 300), ("phone", 40), ("website", 300)):
        if name in data:
            fields[name] = _text(errors, data[name], name, limit)
    if "accepting_referrals" in data:
        fields["accepting_referrals"] = bool(data["accepting_referrals"])
    if "waitlist_weeks" in data:
        weeks = data["waitlist_weeks"]
        if weeks is None or not 0 <= int(weeks) <= 104:
            errors.setdefault("waitlist_weeks", []).append(
                "The waitlist in weeks, from 0 (no wait) to 104."
            )
        fields["waitlist_weeks"] = weeks or 0
    return fields


@service
def provider_add(
    *,
    actor: User,
    site: Site,
    name: str,
    service_types: list[str],
    languages: str = "",
    address: str = "",
    phone: str = "",
    website: str = "",
    accepting_referrals: bool = True,
    waitlist_weeks: int | None = 0,
    id: str | None = None,
    request: HttpRequest | None = None,
) -> Provider:
    """A provider in the site's directory; its availability is as of today."""
    errors: dict[str, list[str]] = {}
    fields = _provider_fields(
        errors,
        {
            "name": name,
            "service_types": service_types,
            "languages": languages,
            "address": address,
            "phone": phone,
            "website": website,
            "accepting_referrals": accepting_referrals,
            "waitlist_weeks": waitlist_weeks,
        },
    )
    check_errors(errors)
    provider = Provider(site=site, updated_on=site.today(), **fields)
    take_id(provider, id)
    save_new(provider)
    _site_audit(actor, AuditEvent.Action.CREATE, provider, site.pk, request=request)
    return provider


PROVIDER_FIELDS = frozenset(
    {
        "name",
        "service_types",
        "languages",
        "address",
        "phone",
        "website",
        "accepting_referrals",
        "waitlist_weeks",
        "updated_on",
    }
)


@service
def provider_change(
    *, actor: User, provider: Provider, request: HttpRequest | None = None, **changes: Any
) -> Provider:
    """Changes the provider's details; any change confirms its availability as of today."""
    errors: dict[str, list[str]] = {}
    fields = _provider_fields(errors, changes)
    check_errors(errors)
    changed = apply_changes(provider, fields, PROVIDER_FIELDS)
    if changed:
        today = provider.site.today()
        if provider.updated_on != today:
            provider.updated_on = today
            changed.append("updated_on")
    save_changes(provider, changed)
    if changed:
        _site_audit(
            actor,
            AuditEvent.Action.UPDATE,
            provider,
            provider.site_id,
            fields=changed,
            request=request,
        )
    return provider


# --- What a provider said about a referral --------------------------------------------------------


@service
def feedback_add(
    *,
    actor: User,
    service_: Service,
    case: Case,
    received_on: dt.date | None,
    status: str,
    note: str = "",
    id: str | None = None,
    request: HttpRequest | None = None,
) -> ReferralFeedback:
    """What the provider said about the referral `service_` of the family's case, as the
    coordinator (or another of the case's writers) heard it: not before the referral, not in the
    future."""
    errors: dict[str, list[str]] = {}
    if service_.case_id != case.pk:
        errors.setdefault("service_id", []).append("Choose a service of this family's plan.")
    if received_on is None:
        errors.setdefault("received_on", []).append("Say on which day.")
    elif received_on > case.site.today():
        errors.setdefault("received_on", []).append("Record what the provider said once said.")
    elif received_on < service_.referred_on:
        errors.setdefault("received_on", []).append("This is before the referral was made.")
    chosen = _choice(errors, status, "status", FeedbackStatus.values)
    text = _text(errors, note, "note", NOTE_MAX)
    check_errors(errors)
    assert received_on is not None  # checked above
    feedback = ReferralFeedback(
        service=service_, received_on=received_on, status=chosen, note=text, recorded_by=actor
    )
    take_id(feedback, id)
    save_new(feedback)
    audit(actor=actor, action=AuditEvent.Action.CREATE, record=feedback, case=case, request=request)
    return feedback
