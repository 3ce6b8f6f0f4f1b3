"""GET /api/v1/hearings/{hearing_id}/summary/ — the pre-hearing summary as JSON, or
`?format=pdf` as a PDF (INTERFACES.md). Same selector as the page."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.access import access_summary
from cases.hearings.pdf import pdf_filename, summary_pdf
from cases.hearings.summary import hearing_summary
from safebabies.audit.models import AuditEvent
from safebabies.audit.services import audit_log


class PDFRenderer(BaseRenderer):
    """Lets `?format=pdf` select the PDF; the view builds the bytes itself."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class HearingSummaryView(APIView):
    renderer_classes = [JSONRenderer, PDFRenderer]

    def handle_exception(self, exc):
        """Errors are JSON, even when a PDF was asked for."""
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)

    @extend_schema(
        parameters=[
            OpenApiParameter("format", str, enum=["json", "pdf"], description="pdf for a PDF")
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request, hearing_id: str):
        access, hearing = access_summary(request.user, hearing_id)
        summary = hearing_summary(access, hearing)
        as_pdf = request.accepted_renderer.format == "pdf"
        audit_log(
            actor=request.user,
            action=AuditEvent.Action.EXPORT if as_pdf else AuditEvent.Action.VIEW,
            record=hearing,
            case_id=access.case.pk,
            site_id=access.case.site_id,
            detail={"summary": True, "format": "pdf" if as_pdf else "json"},
            request=request._request,
        )
        if as_pdf:
            response = HttpResponse(summary_pdf(summary), content_type="application/pdf")
            response["Content-Disposition"] = f'attachment; filename="{pdf_filename(summary)}"'
            return response
        return Response(summary)
