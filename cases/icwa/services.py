"""Writes of ICWA notices to tribes (STYLE.md "services"): keyword arguments, one
transaction, `full_clean()`, an audit event, errors keyed by field name.

A relative's notice is `Person.notified_on` (`cases.services.person_update`); the court's
active-efforts finding is `cases.hearings.services.hearing_active_efforts_record`. Callers
decide who may write (`access_case(..., write=True)` / `access_record(..., write=True)`).
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest

from cases.models import Child, TribeNotice
from safebabies import codes
from safebabies.audit.models import AuditEvent
from safebabies.identity.models import User
from safebabies.kit.services import (
    add_error,
    apply_changes,
    audit,
    check_errors,
    save_audited_changes,
    save_new,
    service,
    take_id,
)

TRIBE_NOTICE_FIELDS = frozenset({"tribe", "notice_sent_on", "response_on", "response"})


def _check_notice(notice: TribeNotice, today: dt.date) -> None:
    errors: dict[str, list[str]] = {}
    if not notice.tribe:
        add_error(errors, "tribe", "Name the tribe.")
    if notice.child.icwa == codes.Icwa.DOES_NOT_APPLY:
        add_error(
            errors,
            "child",
            f"ICWA does not apply to {notice.child}: change the child's ICWA status first.",
        )
    if notice.notice_sent_on and notice.notice_sent_on > today:
        add_error(errors, "notice_sent_on", "Record the notice once it is sent.")
    if notice.response_on:
        if notice.notice_sent_on is None:
            add_error(errors, "response_on", "A tribe answers a notice: record the notice first.")
        elif notice.response_on < notice.notice_sent_on:
            add_error(errors, "response_on", "The tribe's answer comes after the notice.")
        if notice.response_on > today:
            add_error(errors, "response_on", "Record the answer once it has come.")
    if notice.response and not notice.response_on:
        add_error(errors, "response_on", "Give the day the tribe answered.")
    duplicate = (
        TribeNotice.objects.filter(child=notice.child, tribe__iexact=notice.tribe)
        .exclude(pk=notice.pk)
        .exists()
    )
    if notice.tribe and duplicate:
        add_error(errors, "tribe", f"{notice.tribe} is already recorded for {notice.child}.")
    check_errors(errors)


@service
def tribe_notice_record(
    *,
    actor: User,
    child: Child,
    tribe: str,
    notice_sent_on: dt.date | None = None,
    response_on: dt.date | None = None,
    response: str = "",
    id: str | None = None,
    request: HttpRequest | None = None,
) -> TribeNotice:
    """A tribe involved with a child's ICWA notice: the tribe, and when known the day notice
    was sent and the day it answered (and what, in a line)."""
    notice = take_id(
        TribeNotice(
            child=child,
            tribe=(tribe or "").strip(),
            notice_sent_on=notice_sent_on,
            response_on=response_on,
            response=(response or "").strip(),
        ),
        id,
    )
    _check_notice(notice, child.case.site.today())
    save_new(notice)
    audit(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        record=notice,
        case=child.case,
        request=request,
    )
    return notice


@service
def tribe_notice_update(
    *, actor: User, notice: TribeNotice, request: HttpRequest | None = None, **changes: Any
) -> TribeNotice:
    """Changes a tribe's notice: the day it was sent, the day and words of its answer."""
    for name in ("tribe", "response"):
        if name in changes:
            changes[name] = (changes[name] or "").strip()
    changed = apply_changes(notice, changes, TRIBE_NOTICE_FIELDS)
    case = notice.child.case
    _check_notice(notice, case.site.today())
    save_audited_changes(notice, changed, actor=actor, case=case, request=request)
    return notice
