"""The exports page for site admins and the (audited) download of a package."""

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cases.access import PART2_REDISCLOSURE_NOTICE
from safebabies.audit.models import AuditEvent
from safebabies.audit.services import audit_log
from safebabies.exports import selectors, services
from safebabies.identity.http import AuthenticatedRequest


@require_GET
def export_list(request: AuthenticatedRequest) -> HttpResponse:
    runs = selectors.exports_visible_to(request.user)[:200]
    return render(
        request, "exports/list.html", {"runs": runs, "part2_notice": PART2_REDISCLOSURE_NOTICE}
    )


@require_GET
def export_download(request: AuthenticatedRequest, run_id: int) -> FileResponse:
    run = selectors.export_for_download(request.user, run_id)
    path = services.export_file(run)
    if not path.is_file():
        raise Http404
    audit_log(
        actor=request.user,
        action=AuditEvent.Action.EXPORT,
        record_type="exports.exportrun",
        record_id=str(run.pk),
        site_id=run.site_id,
        detail={"file": run.file_name, "deidentified": run.deidentified, "download": True},
        request=request,
    )
    return FileResponse(path.open("rb"), as_attachment=True, filename=run.file_name)
