"""Writes of documents (STYLE.md "services"): one transaction, `full_clean()`, an audit event
per upload, download and removal, errors keyed by field name.

Callers decide who may write (`access_case(..., write=True)`); what a document may be attached
to is checked here, through the access module (a hearing or a consent the uploader may not see
is refused as if it did not exist).
"""

import datetime as dt
import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from cases.access import CaseAccess, case_record, has_right
from cases.documents import files
from cases.models import Consent, Document, Hearing
from safebabies.audit.models import AuditEvent
from safebabies.audit.services import audit_log
from safebabies.identity.models import User
from safebabies.identity.roles import SITE_WIDE_CASE_ROLES
from safebabies.kit.services import (
    apply_changes,
    audit,
    save_audited_changes,
    save_new,
    service,
)

PART2_RELEASE_WRITERS = SITE_WIDE_CASE_ROLES
NOT_FOUND = "Choose one of this family's {what}."
REMOVING = (
    "A document is removed by the person who added it, the Community Coordinator or a site admin."
)
SHARING = "The Community Coordinator or a site admin decides what is shared with the family."


def storage():
    return storages["documents"]


def _attachment(
    access: CaseAccess, hearing_id: str | None, consent_id: str | None
) -> tuple[Hearing | None, Consent | None]:
    if hearing_id and consent_id:
        raise ValidationError(
            {"consent_id": "Attach a document to the case, one hearing or one release."}
        )
    hearing = case_record(access, "hearing", hearing_id) if hearing_id else None
    if hearing_id and hearing is None:
        raise ValidationError({"hearing_id": NOT_FOUND.format(what="hearings")})
    consent = None
    if consent_id:
        if has_right(access, "can_read_consents"):
            consent = case_record(access, "consent", consent_id)
        if consent is not None and consent.is_part2 and not access.roles & PART2_RELEASE_WRITERS:
            consent = None  # a Part 2 release is recorded, and filed, by those who record them
        if consent is None:
            raise ValidationError({"consent_id": NOT_FOUND.format(what="releases")})
    return hearing, consent


@service
def document_upload(
    *,
    actor: User,
    access: CaseAccess,
    file: UploadedFile,
    kind: str,
    document_date: dt.date | None = None,
    hearing_id: str | None = None,
    consent_id: str | None = None,
    shared_with_family: bool = False,
    request: HttpRequest | None = None,
) -> Document:
    """Keeps a PDF, PNG or JPEG (by its content) on the case, or on one of its hearings or
    releases, under a random name; the person's file name is kept, cleaned, as a label."""
    if not access.can_write:
        raise PermissionDenied("Your role on this family's team can read but not change it.")
    if shared_with_family and not access.can_manage_team:
        raise ValidationError({"shared_with_family": SHARING})
    hearing, consent = _attachment(access, hearing_id, consent_id)
    content_type, content = files.sniff(file)
    document = Document(
        case=access.case,
        hearing=hearing,
        consent=consent,
        part2=bool(consent and consent.is_part2),
        person=consent.person if consent is not None and consent.is_part2 else None,
        kind=kind,
        document_date=document_date,
        original_name=files.clean_name(file.name or "", content_type),
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        storage_name=files.storage_name(content_type),
        shared_with_family=shared_with_family,
        uploaded_by=actor,
    )
    save_new(document)
    stored = storage().save(document.storage_name, ContentFile(content))
    try:
        if stored != document.storage_name:  # the storage chose another name: keep its answer
            document.storage_name = stored
            document.save(update_fields=["storage_name"])
        audit(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            record=document,
            case=access.case,
            request=request,
        )
    except BaseException:
        storage().delete(stored)  # nothing half-written: no file without its row
        raise
    return document


@service
def document_remove(
    *, actor: User, access: CaseAccess, document: Document, request: HttpRequest | None = None
) -> Document:
    """Takes a document off the case: the row stays (who uploaded it, who removed it, when)
    and nobody can read it any more; its stored bytes are erased once the removal is saved."""
    if not access.can_write:
        raise PermissionDenied("Your role on this family's team can read but not change it.")
    if document.part2 and not access.roles & PART2_RELEASE_WRITERS:
        raise PermissionDenied(
            "A signed Part 2 release is removed by the Community Coordinator or a site admin."
        )
    if document.uploaded_by_id != actor.pk and not access.roles & PART2_RELEASE_WRITERS:
        # a court order or a signed release is evidence: one writer cannot erase another's
        raise PermissionDenied(REMOVING)
    if document.removed_at is not None:
        return document
    document.removed_at = timezone.now()
    document.removed_by = actor
    document.save(update_fields=["removed_at", "removed_by", "updated_at"])
    audit(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        record=document,
        case=access.case,
        request=request,
    )
    name = document.storage_name
    transaction.on_commit(lambda: storage().delete(name))
    return document


@service
def document_share(
    *,
    actor: User,
    access: CaseAccess,
    document: Document,
    shared: bool,
    request: HttpRequest | None = None,
) -> Document:
    """Shares a document with the family (its parents read it on their own page), or stops
    sharing it: the Community Coordinator's or a site admin's decision."""
    if not access.can_manage_team:
        raise PermissionDenied(SHARING)
    changed = apply_changes(
        document, {"shared_with_family": shared}, frozenset({"shared_with_family"})
    )
    save_audited_changes(document, changed, actor=actor, case=access.case, request=request)
    return document


def document_open(
    *, actor: User, access: CaseAccess, document: Document, request: HttpRequest | None = None
):
    """The stored file of a document the caller may read (`access_document`), opened for
    reading, after its audit event: every download is in the audit trail."""
    handle = storage().open(document.storage_name, "rb")
    audit_log(
        actor=actor,
        action=AuditEvent.Action.VIEW,
        record=document,
        case_id=access.case.pk,
        site_id=access.case.site_id,
        detail={"download": True},
        request=request,
    )
    return handle
