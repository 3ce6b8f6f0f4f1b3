"""What every service (STYLE.md: writes, atomic, validated, audited) is made of.

`@service` makes a write atomic and turns a database refusal into a ValidationError naming the
field; `audit` writes the audit event of a case record; `check_errors` / `add_error` collect the
messages of a form-like check; `save_new`, `apply_changes` and `save_changes` validate and save.
"""

import functools
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest

from safebabies.audit.models import AuditEvent
from safebabies.audit.services import audit_log
from safebabies.identity.models import User

# Which field a refused database write belongs to, by constraint (or trigger) name.
CONSTRAINT_FIELDS: dict[str, tuple[str, str]] = {
    "placement_inside_episode": (
        "start_date",
        "A placement has to fall inside the child's time in care (on or after the removal date).",
    ),
    "placement_end_after_start": ("end_date", "A placement cannot end before it starts."),
    "episode_one_open_per_child": ("removal_date", "This child already has an open removal."),
    "episode_no_overlap": ("removal_date", "This removal overlaps another one for this child."),
    "relationship_unique": ("relationships", "This person is already linked to that child."),
    "case_closed_after_opened": ("closed_on", "A case cannot close before it opens."),
    "child_exit_after_enrolment": ("exited_on", "A child cannot leave before they are enrolled."),
    "tribe_notice_one_per_child_and_tribe": ("tribe", "This tribe is already recorded."),
}


ID_TAKEN = "This id is already used by another record: leave `id` out or choose another."


def integrity_error(exc: IntegrityError) -> ValidationError:
    cause = exc.__cause__
    diag = getattr(cause, "diag", None)
    name = getattr(diag, "constraint_name", None) or ""
    if name.endswith("_pkey"):  # two writers gave the same id at once
        return ValidationError({"id": ID_TAKEN})
    if not name and "lies outside its episode" in str(exc):
        name = "placement_inside_episode"
    if name in CONSTRAINT_FIELDS:
        field, message = CONSTRAINT_FIELDS[name]
        return ValidationError({field: message})
    return ValidationError(
        "This change conflicts with the record as it is now. Reload and try again."
    )


def service[**P, R](func: Callable[P, R]) -> Callable[P, R]:
    """Atomic; a database refusal becomes a ValidationError (the transaction is rolled back)."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            with transaction.atomic():
                return func(*args, **kwargs)
        except IntegrityError as exc:
            raise integrity_error(exc) from exc

    return wrapper


def audit(
    *,
    actor: User,
    action: str,
    record: Any,
    case: Any,  # a Case: its pk and site_id
    fields: Iterable[str] = (),
    request: HttpRequest | None = None,
) -> None:
    detail = {"fields": sorted(fields)} if fields else None
    audit_log(
        actor=actor,
        action=action,
        record=record,
        case_id=case.pk,
        site_id=case.site_id,
        detail=detail,
        request=request,
    )


def check_errors(errors: dict[str, list[str]]) -> None:
    errors = {field: messages for field, messages in errors.items() if messages}
    if errors:
        raise ValidationError(errors)


def add_error(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def take_id(obj: Any, given: str | None) -> Any:
    """Gives a new record the id its client supplied (DATA_PACKAGE.md: ids are unique within an
    installation, whatever the site), or leaves it the fresh one it has. A taken id is a
    ValidationError on `id`, whoever's record holds it."""
    if given:
        if type(obj)._default_manager.filter(pk=given).exists():
            raise ValidationError({"id": ID_TAKEN})
        obj.id = given
    return obj


def save_new(obj: Any) -> Any:
    obj.full_clean()
    obj.save(force_insert=True)
    return obj


def apply_changes(obj: Any, changes: dict[str, Any], allowed: frozenset[str]) -> list[str]:
    """Set the allowed fields that differ; returns the changed field names."""
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"cannot change {', '.join(sorted(unknown))}")
    changed = []
    for field, value in changes.items():
        if getattr(obj, field) != value:
            setattr(obj, field, value)
            changed.append(field)
    return changed


def save_audited_changes(
    obj: Any,
    changed: list[str],
    *,
    actor: User,
    case: Any,
    request: HttpRequest | None = None,
) -> None:
    """`save_changes`, then one UPDATE audit event naming the fields, when any changed."""
    save_changes(obj, changed)
    if changed:
        audit(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            record=obj,
            case=case,
            fields=changed,
            request=request,
        )


def save_changes(obj: Any, changed: list[str]) -> None:
    obj.full_clean()
    if changed:
        obj.save(update_fields=[*changed, "updated_at"])
