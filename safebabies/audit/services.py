"""Writing the audit trail. Every view of a case, summary or export, and every change."""

from typing import Any

from django.http import HttpRequest

from safebabies.audit.models import AuditEvent


def _client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_log(
    *,
    actor: Any,
    action: str,
    record: Any = None,
    record_type: str = "",
    record_id: str = "",
    case_id: str = "",
    site_id: int | None = None,
    detail: dict | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Append one event. `record` (a model instance) fills type, id, case and site when given.

    `detail` must never carry confidential content (notes, narratives): ids and field names only.
    """
    if record is not None:
        record_type = record_type or record._meta.label_lower
        record_id = record_id or str(record.pk)
        case_id = case_id or _case_id_of(record)
        site_id = site_id or _site_id_of(record)
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor_id=actor_id,
        action=action,
        record_type=record_type,
        record_id=record_id,
        case_id=case_id or "",
        site_id=site_id,
        detail=detail or {},
        ip=_client_ip(request),
    )


def _case_id_of(record: Any) -> str:
    if record._meta.label_lower == "cases.case":
        return str(record.pk)
    return str(getattr(record, "case_id", "") or "")


def _site_id_of(record: Any) -> int | None:
    if record._meta.label_lower == "teams.site":
        return record.pk
    if hasattr(record, "site_id"):
        return record.site_id
    case = record._state.fields_cache.get("case")  # only if already loaded: no extra query
    return case.site_id if case is not None else None
