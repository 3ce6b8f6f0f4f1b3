"""Closing, reopening and transferring a case; sealing and purging it past its retention period
(README "Closing and moving a case").

Callers decide who may write (views: `access_case` with the `can_close_case` or `can_seal_case`
right; a transfer's decision: `access_transfer(..., decide=True)`). Every write is one
transaction and is audited; a refusal is a ValidationError naming the field.

- Closing needs a closure reason and every child discharged (each episode's discharge date), or
  for each child still in care the reason why not. It sets the case's `closed_on` (what the CQI
  figures and the reminders read) and keeps a `CaseClosure` row; reopening marks that row
  reopened, with its reason, and clears `closed_on`.
- A transfer is pending until the receiving site decides. On accept the case's site changes
  (the CQI stamps of both sites change with the row: `cqi.stamps`), every team place of the
  sending site ends, and the Community Coordinator who accepted takes the family's
  coordinator's place.
- Sealing hides a closed case past its site's retention period from everyone but the site's
  admins (`cases.access`); its rows stay, so the CQI figures do not change. Purging deletes
  the case and every row under it, in one transaction, and keeps a `PurgeRecord` (counts per
  table, no personal data); the audit trail is kept (its rows name the case by id only, with
  no foreign key), and the CQI figures of the years the case belonged to change.
"""

import datetime as dt
import graphlib
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.dispatch import Signal
from django.http import HttpRequest
from django.utils import timezone

from cases.documents.services import storage as documents_storage
from cases.models import (
    Case,
    CaseClosure,
    CaseTransfer,
    ClosureReason,
    Document,
    Episode,
    PurgeRecord,
    TeamMember,
)
from safebabies.audit.models import AuditEvent
from safebabies.audit.services import audit_log
from safebabies.identity.accounts.services import membership_set_roles
from safebabies.identity.models import Site, SiteMembership, User
from safebabies.identity.roles import Role
from safebabies.kit.services import add_error, audit, check_errors, save_new, service
from safebabies.lib.dates import add_months

Action = AuditEvent.Action

# Sent inside the purge's transaction with `case_id`; a receiver deletes its rows of the case
# and answers {"app.model": count}.
case_purged = Signal()
# Sent when a transfer is asked, with `transfer`: the receiving site is told.
transfer_requested = Signal()


def children_in_care(case: Case) -> list[Any]:
    """The children of the case with an episode not discharged (oldest first)."""
    open_episodes = Episode.objects.filter(child__case=case, discharge_date__isnull=True)
    return list(
        case.children.filter(pk__in=open_episodes.values("child_id")).order_by("birth_date", "id")
    )


def in_care_field(child_id: str) -> str:
    """The form field (and error key) of the reason a child is still in care."""
    return f"in_care_{child_id}"


def pending_transfer(case: Case) -> CaseTransfer | None:
    return case.transfers.filter(decision=CaseTransfer.Decision.PENDING).first()


def retention_cutoff(site: Site, today: dt.date) -> dt.date:
    """A case closed on or before this day is past the site's retention period."""
    return add_months(today, -12 * site.retention_years)


def closed_in_the_app_since(cutoff: dt.date) -> models.QuerySet:
    """The cases whose closing in force was recorded in the app after `cutoff` (as case ids):
    their retention runs from that day, however far back the closing date was put, so a
    closing dated years ago cannot be sealed or purged the day it is entered."""
    return CaseClosure.objects.filter(reopened_at__isnull=True, created_at__date__gt=cutoff).values(
        "case_id"
    )


def is_past_retention(case: Case, today: dt.date | None = None) -> bool:
    today = today or case.site.today()
    cutoff = retention_cutoff(case.site, today)
    return (
        case.closed_on is not None
        and case.closed_on <= cutoff
        and not closed_in_the_app_since(cutoff).filter(case_id=case.pk).exists()
    )


# --- Closing and reopening ------------------------------------------------------------------


@service
def case_close(
    *,
    actor: User,
    case: Case,
    closed_on: dt.date,
    reason: str,
    note: str = "",
    in_care: dict[str, str] | None = None,
    request: HttpRequest | None = None,
) -> CaseClosure:
    """Closes the case on `closed_on` for `reason` (`ClosureReason`; "other" needs a `note`).
    Every child still in care needs a reason why in `in_care` ({child id: reason})."""
    case = Case.objects.select_for_update().select_related("site").get(pk=case.pk)
    in_care = {key: (value or "").strip() for key, value in (in_care or {}).items()}
    note = (note or "").strip()
    errors: dict[str, list[str]] = {}
    today = case.site.today()
    if case.closed_on is not None:
        add_error(errors, "closed_on", "This case is already closed: reopen it first.")
    if pending_transfer(case) is not None:
        add_error(
            errors,
            "closed_on",
            "A transfer of this case is waiting for the receiving site: withdraw it or wait "
            "for their answer before closing the case.",
        )
    if closed_on < case.opened_on:
        add_error(errors, "closed_on", "A case cannot close before it opens.")
    elif closed_on > today:
        add_error(errors, "closed_on", "The case cannot close in the future.")
    if reason not in ClosureReason.values:
        add_error(errors, "reason", "Choose a closure reason from the list.")
    elif reason == ClosureReason.OTHER and not note:
        add_error(errors, "note", "Say why the case closes when the reason is 'Other'.")
    still_in_care = children_in_care(case)
    for child in still_in_care:
        if not in_care.get(child.pk):
            add_error(
                errors,
                in_care_field(child.pk),
                f"{child.given_name or 'This child'} is still in care (no discharge date): "
                "record the discharge first, or say why the case closes anyway.",
            )
    check_errors(errors)
    closure = save_new(
        CaseClosure(
            case=case,
            closed_on=closed_on,
            reason=reason,
            note=note,
            in_care={child.pk: in_care[child.pk] for child in still_in_care},
            closed_by=actor,
        )
    )
    case.closed_on = closed_on
    case.full_clean()
    case.save(update_fields=["closed_on", "updated_at"])
    audit(actor=actor, action=Action.CREATE, record=closure, case=case, request=request)
    audit(
        actor=actor,
        action=Action.UPDATE,
        record=case,
        case=case,
        fields=["closed_on"],
        request=request,
    )
    return closure


@service
def case_reopen(
    *, actor: User, case: Case, reason: str, request: HttpRequest | None = None
) -> Case:
    """Reopens a closed case, with the reason why (kept on its closure)."""
    case = Case.objects.select_for_update().select_related("site").get(pk=case.pk)
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if case.closed_on is None:
        add_error(errors, "reason", "This case is open.")
    if case.sealed_at is not None:
        add_error(errors, "reason", "A sealed case cannot be reopened.")
    if not reason:
        add_error(errors, "reason", "Say why the case reopens.")
    check_errors(errors)
    closure = case.closures.filter(reopened_at__isnull=True).first()
    if closure is not None:
        closure.reopened_at = timezone.now()
        closure.reopened_by = actor
        closure.reopen_reason = reason
        closure.full_clean()
        closure.save(update_fields=["reopened_at", "reopened_by", "reopen_reason", "updated_at"])
        audit(
            actor=actor,
            action=Action.UPDATE,
            record=closure,
            case=case,
            fields=["reopened_at", "reopen_reason"],
            request=request,
        )
    case.closed_on = None
    case.save(update_fields=["closed_on", "updated_at"])
    audit(
        actor=actor,
        action=Action.UPDATE,
        record=case,
        case=case,
        fields=["closed_on"],
        request=request,
    )
    return case


# --- Transfers --------------------------------------------------------------------------------


def _audit_at(site_id: int, *, actor: User, action: str, transfer: CaseTransfer, request) -> None:
    audit_log(
        actor=actor,
        action=action,
        record=transfer,
        case_id=transfer.case_id,
        site_id=site_id,
        request=request,
    )


@service
def transfer_request(
    *,
    actor: User,
    case: Case,
    to_site: Site | None,
    note: str = "",
    request: HttpRequest | None = None,
) -> CaseTransfer:
    """Asks `to_site` to take the case: pending until its coordinators decide. The event is in
    the audit trail of both sites."""
    case = Case.objects.select_for_update().select_related("site").get(pk=case.pk)
    errors: dict[str, list[str]] = {}
    if to_site is None:
        add_error(errors, "to_site", "Choose the site that takes the family's case.")
    elif to_site.pk == case.site_id:
        add_error(errors, "to_site", "The case is already at this site: choose another one.")
    if case.closed_on is not None:
        add_error(errors, "to_site", "A closed case is not transferred: reopen it first.")
    if case.sealed_at is not None:
        add_error(errors, "to_site", "A sealed case is not transferred.")
    if pending_transfer(case) is not None:
        add_error(errors, "to_site", "A transfer of this case is already waiting for an answer.")
    check_errors(errors)
    assert to_site is not None
    transfer = save_new(
        CaseTransfer(
            case=case,
            from_site=case.site,
            to_site=to_site,
            note=(note or "").strip(),
            requested_by=actor,
            requested_at=timezone.now(),
        )
    )
    for site_id in (case.site_id, to_site.pk):
        _audit_at(site_id, actor=actor, action=Action.CREATE, transfer=transfer, request=request)
    transfer_requested.send(sender=CaseTransfer, transfer=transfer)
    return transfer


@service
def transfer_withdraw(
    *, actor: User, transfer: CaseTransfer, request: HttpRequest | None = None
) -> CaseTransfer:
    """The sending site takes back a transfer not yet decided."""
    transfer = CaseTransfer.objects.select_for_update().get(pk=transfer.pk)
    if transfer.decision != CaseTransfer.Decision.PENDING:
        raise ValidationError({"decision": "This transfer was already decided."})
    transfer.decision = CaseTransfer.Decision.WITHDRAWN
    transfer.decided_by = actor
    transfer.decided_at = timezone.now()
    transfer.save(update_fields=["decision", "decided_by", "decided_at", "updated_at"])
    for site_id in (transfer.from_site_id, transfer.to_site_id):
        _audit_at(site_id, actor=actor, action=Action.UPDATE, transfer=transfer, request=request)
    return transfer


@service
def transfer_decide(
    *,
    actor: User,
    transfer: CaseTransfer,
    accept: bool,
    note: str = "",
    request: HttpRequest | None = None,
) -> CaseTransfer:
    """The receiving site accepts (the case becomes theirs) or declines a pending transfer."""
    transfer = CaseTransfer.objects.select_for_update().get(pk=transfer.pk)
    case = Case.objects.select_for_update().select_related("site").get(pk=transfer.case_id)
    errors: dict[str, list[str]] = {}
    if transfer.decision != CaseTransfer.Decision.PENDING:
        add_error(errors, "decision", "This transfer was already decided.")
    elif accept and (case.site_id != transfer.from_site_id or case.closed_on is not None):
        add_error(errors, "decision", "The case changed since the transfer was asked: decline it.")
    check_errors(errors)
    now = timezone.now()
    transfer.decision = CaseTransfer.Decision.ACCEPTED if accept else CaseTransfer.Decision.DECLINED
    transfer.decided_by = actor
    transfer.decided_at = now
    transfer.decision_note = (note or "").strip()
    transfer.full_clean()
    transfer.save(
        update_fields=["decision", "decided_by", "decided_at", "decision_note", "updated_at"]
    )
    if accept:
        _move_case(actor=actor, case=case, to_site=transfer.to_site, now=now, request=request)
    for site_id in (transfer.from_site_id, transfer.to_site_id):
        _audit_at(site_id, actor=actor, action=Action.UPDATE, transfer=transfer, request=request)
    return transfer


def _move_case(*, actor: User, case: Case, to_site: Site, now, request) -> None:
    """The case becomes `to_site`'s: the sending site's team places end (their members are no
    team of the new site), and the accepting coordinator takes the coordinator's place."""
    from_site_id = case.site_id
    ended = list(case.team_members.filter(removed_at__isnull=True).values_list("pk", flat=True))
    case.team_members.filter(pk__in=ended).update(removed_at=now)
    for pk in ended:
        audit_log(
            actor=actor,
            action=Action.UPDATE,
            record_type="cases.teammember",
            record_id=str(pk),
            case_id=case.pk,
            site_id=from_site_id,
            detail={"fields": ["removed_at"]},
            request=request,
        )
    # a release of information names the roles of the site that recorded it: the receiving
    # site's people are not its recipients, so every release still in force ends the day the
    # case moves (the receiving coordinator records new ones with the parent)
    today = timezone.localdate()
    for consent in case.consents.filter(
        models.Q(revoked_on__isnull=True) | models.Q(revoked_on__gt=today),
        models.Q(expires_on__isnull=True) | models.Q(expires_on__gte=today),
    ).order_by("pk"):
        consent.revoked_on = max(today, consent.granted_on)
        consent.save(update_fields=["revoked_on", "updated_at"])
        audit_log(
            actor=actor,
            action=Action.UPDATE,
            record_type="cases.consent",
            record_id=str(consent.pk),
            case_id=case.pk,
            site_id=from_site_id,
            detail={"fields": ["revoked_on"], "reason": "case transferred"},
            request=request,
        )
    case.site = to_site
    case.save(update_fields=["site", "updated_at"])
    audit(
        actor=actor, action=Action.UPDATE, record=case, case=case, fields=["site"], request=request
    )
    coordinates = SiteMembership.objects.filter(
        user=actor, site=to_site, role=Role.COMMUNITY_COORDINATOR, is_active=True
    ).exists()
    if coordinates:
        place = save_new(TeamMember(case=case, user=actor, role=Role.COMMUNITY_COORDINATOR))
        audit(actor=actor, action=Action.CREATE, record=place, case=case, request=request)


@service
def site_retention_set(
    *, actor: User, site: Site, years: int, request: HttpRequest | None = None
) -> Site:
    """The site's retention period: years after closing before its admins seal or purge a
    closed case."""
    site = Site.objects.select_for_update().get(pk=site.pk)
    if site.retention_years != years:
        site.retention_years = years
        site.full_clean()
        site.save(update_fields=["retention_years"])
        audit_log(
            actor=actor,
            action=Action.UPDATE,
            record=site,
            detail={"fields": ["retention_years"]},
            request=request,
        )
    return site


# --- Retention: seal and purge ------------------------------------------------------------------


def _check_retention(case: Case, errors: dict[str, list[str]], field: str) -> None:
    if case.closed_on is None:
        add_error(errors, field, "Only a closed case is sealed or purged.")
    elif not is_past_retention(case):
        years = case.site.retention_years
        add_error(
            errors,
            field,
            f"This case closed less than {years} years ago (the site's retention period): "
            "it is kept as it is until then.",
        )


@service
def case_seal(*, actor: User, case: Case, request: HttpRequest | None = None) -> Case:
    """Seals a closed case past its retention period: from now on only the site's admins see
    it. Its records stay, and count in the CQI figures as before."""
    case = Case.objects.select_for_update().select_related("site").get(pk=case.pk)
    errors: dict[str, list[str]] = {}
    if case.sealed_at is not None:
        add_error(errors, "confirm", "This case is already sealed.")
    _check_retention(case, errors, "confirm")
    check_errors(errors)
    case.sealed_at = timezone.now()
    case.save(update_fields=["sealed_at", "updated_at"])
    audit(
        actor=actor,
        action=Action.UPDATE,
        record=case,
        case=case,
        fields=["sealed_at"],
        request=request,
    )
    return case


def case_rows(case: Case) -> dict[type[models.Model], list[Any]]:
    """Every row of the case: the case and each row that refers to it, or to one of its rows,
    through a foreign key (any number of steps), as {model: [primary keys]}."""
    found: dict[type[models.Model], set[Any]] = {Case: {case.pk}}
    todo: list[type[models.Model]] = [Case]
    while todo:
        parent = todo.pop()
        for relation in parent._meta.related_objects:
            if relation.many_to_many:
                continue
            model = relation.related_model
            ids = set(
                model._base_manager.filter(
                    **{f"{relation.field.name}__in": list(found[parent])}
                ).values_list("pk", flat=True)
            )
            new = ids - found.get(model, set())
            if new:
                found.setdefault(model, set()).update(new)
                todo.append(model)
    return {model: sorted(ids) for model, ids in found.items()}


def _delete_order(models_found: list[type[models.Model]]) -> list[type[models.Model]]:
    """The models in an order that deletes a referring row before the row it refers to."""
    graph: dict[type[models.Model], set[type[models.Model]]] = {m: set() for m in models_found}
    for model in models_found:
        for field in model._meta.concrete_fields:
            target = getattr(field, "related_model", None)
            if field.is_relation and target in graph and target is not model:
                graph[target].add(model)  # `model` rows go before `target` rows
    return list(graphlib.TopologicalSorter(graph).static_order())


@service
def case_purge(
    *, actor: User, case: Case, reason: str, request: HttpRequest | None = None
) -> PurgeRecord:
    """Deletes a closed case past its retention period and every row under it, and keeps a
    `PurgeRecord` of what was deleted. The audit trail stays (it names the case by id only)."""
    case = Case.objects.select_for_update().select_related("site").get(pk=case.pk)
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    _check_retention(case, errors, "reason")
    if not reason:
        add_error(errors, "reason", "Say why the case is purged (for the purge record).")
    check_errors(errors)
    closed_on = case.closed_on
    assert closed_on is not None
    rows = case_rows(case)
    # the documents' stored files go with their rows, once the purge has committed
    files = list(
        Document.objects.filter(case=case)
        .exclude(removed_at__isnull=False)
        .values_list("storage_name", flat=True)
    )
    # the parents who read this family's page: their parent role at the site goes with the
    # case when no other family of the site names them (`_parents_after_purge`)
    parents = list(
        TeamMember.objects.filter(case=case, role=Role.PARENT)
        .values_list("user_id", flat=True)
        .distinct()
    )
    counts: dict[str, int] = {}
    for model in _delete_order(list(rows)):
        ids = rows[model]
        model._base_manager.filter(pk__in=ids).delete()
        counts[model._meta.label_lower] = len(ids)
    # rows that name the case without a foreign key, kept by features above this one (the
    # in-app notifications about the family, whose words may name it): they delete their own
    for _receiver, answer in case_purged.send(sender=Case, case_id=case.pk):
        if isinstance(answer, dict):
            counts.update(answer)
    if files:
        transaction.on_commit(lambda: [documents_storage().delete(name) for name in files])
    withdrawn = _parents_after_purge(actor=actor, site=case.site, user_ids=parents, request=request)
    if withdrawn:
        counts["parent accounts withdrawn"] = withdrawn
    record = save_new(
        PurgeRecord(
            case_id=case.pk,
            site=case.site,
            opened_on=case.opened_on,
            closed_on=closed_on,
            counts=counts,
            purged_by=actor,
            reason=reason,
        )
    )
    audit_log(
        actor=actor,
        action=Action.DELETE,
        record_type="cases.case",
        record_id=case.pk,
        case_id=case.pk,
        site_id=case.site_id,
        detail={"purge_record": record.pk, "counts": counts},
        request=request,
    )
    return record


def _parents_after_purge(
    *, actor: User, site: Site, user_ids: list[int], request: HttpRequest | None
) -> int:
    """The parent role at `site` of each of these people whom no other family of the site
    names any more is taken away (as the People page does, audited); an account left with no
    role anywhere loses its name too (it named a parent of the purged family). Returns how
    many parents lost the role."""
    withdrawn = 0
    for user in User.objects.filter(pk__in=user_ids).order_by("pk"):
        if TeamMember.objects.filter(user=user, role=Role.PARENT, case__site=site).exists():
            continue
        held = set(
            SiteMembership.objects.filter(user=user, site=site, is_active=True).values_list(
                "role", flat=True
            )
        )
        if Role.PARENT not in held:
            continue
        membership_set_roles(
            actor=actor, site=site, user=user, roles=held - {Role.PARENT}, request=request
        )
        withdrawn += 1
        if not user.is_staff and not SiteMembership.objects.filter(user=user, is_active=True):
            user.full_name = ""
            user.save(update_fields=["full_name"])
            audit_log(
                actor=actor,
                action=Action.UPDATE,
                record=user,
                site_id=site.pk,
                detail={"fields": ["full_name"], "reason": "case purged"},
                request=request,
            )
    return withdrawn
