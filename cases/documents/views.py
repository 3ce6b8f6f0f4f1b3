"""Document pages: upload, download, removal; the case page's documents section.

Every read goes through the access module (`access_document`, `case_records(access,
"document")`): a document the person may not read is a 404, whether it exists or not.
The download is the only way to a document's bytes: no URL of the storage is ever shown.
"""

from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.access import (
    CaseAccess,
    access_case,
    access_document,
    case_records,
    has_right,
)
from cases.documents import files, forms, services
from cases.models import Document
from safebabies.identity.http import AuthenticatedRequest
from safebabies.kit.views import form_data, form_page


def documents_url(case_id: str) -> str:
    return reverse("case-detail", args=[case_id]) + "#documents"


def visible_documents(access: CaseAccess) -> list[Document]:
    """The case's documents this viewer may read, newest first, with what each hangs on."""
    return list(
        case_records(access, "document")
        .select_related("hearing", "consent", "consent__person", "uploaded_by")
        .order_by("-created_at", "id")
    )


def documents_context(access: CaseAccess) -> dict[str, Any]:
    """For the case page's documents section (templates/cases/_documents.html), its hearings
    section and the releases page (templates/cases/_document_links.html)."""
    return {"documents": visible_documents(access)}


def _attachments(access: CaseAccess) -> list[tuple[str, str]]:
    choices = [
        (f"hearing:{h.pk}", f"Hearing: {h}")
        for h in case_records(access, "hearing").order_by("-scheduled_on", "id")
    ]
    if has_right(access, "can_read_consents"):
        consents = case_records(access, "consent").select_related("person")
        if not access.roles & services.PART2_RELEASE_WRITERS:
            consents = consents.exclude(category="substance_use_treatment")
        choices += [(f"consent:{c.pk}", f"{c} ({c.person})") for c in consents]
    return choices


@require_http_methods(["GET", "POST"])
def document_upload(request: AuthenticatedRequest, case_id: str) -> HttpResponse:
    access = access_case(request.user, case_id, write=True)
    if request.method == "POST" and files.too_large_to_read(request):
        messages.error(request, files.too_large_message())
        return redirect(request.path)
    initial = {}
    for what in ("hearing", "consent"):
        if request.GET.get(what):
            initial["attached_to"] = f"{what}:{request.GET[what]}"
    form = forms.DocumentUploadForm(
        form_data(request),
        request.FILES if request.method == "POST" else None,
        attachments=_attachments(access),
        initial=initial,
        may_share=access.can_manage_team,
    )
    return form_page(
        request,
        form=form,
        save=lambda: services.document_upload(
            actor=request.user, access=access, request=request, **form.service_kwargs()
        ),
        done=lambda document: documents_url(case_id),
        title="Attach a document",
        intro="Orders, signed releases, evaluations and IFSPs: a PDF, or a photo or scan "
        "as PNG or JPEG.",
        submit="Attach the document",
        case=access.case,
        success="The document is attached.",
    )


@require_GET
def document_download(request: AuthenticatedRequest, case_id: str, document_id: str):
    """The file, as an attachment the browser saves (never shows inline), after its audit
    event. A parent downloads the documents shared with the family from their own page."""
    access, document = access_document(request.user, document_id, in_case=case_id, family_view=True)
    handle = services.document_open(
        actor=request.user, access=access, document=document, request=request
    )
    return file_response(handle, document)


def file_response(handle, document: Document) -> FileResponse:
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_POST
def document_share(request: AuthenticatedRequest, case_id: str, document_id: str):
    """The coordinator's "Share with the family" / "Stop sharing" on the case page."""
    access, document = access_document(
        request.user, document_id, in_case=case_id, write=True, need=["can_manage_team"]
    )
    shared = request.POST.get("shared") == "yes"
    services.document_share(
        actor=request.user, access=access, document=document, shared=shared, request=request
    )
    messages.success(
        request,
        "The family can read it on their own page." if shared else "It is no longer shared.",
    )
    return redirect(documents_url(case_id))


@require_http_methods(["GET", "POST"])
def document_remove(request: AuthenticatedRequest, case_id: str, document_id: str):
    access, document = access_document(request.user, document_id, in_case=case_id, write=True)
    if request.method == "POST":
        services.document_remove(
            actor=request.user, access=access, document=document, request=request
        )
        messages.success(request, _("The document is removed."))
        return redirect(documents_url(case_id))
    return render(
        request,
        "cases/document_remove.html",
        {"case": access.case, "access": access, "document": document},
    )
