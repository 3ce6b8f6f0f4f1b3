"""GET /api/v1/hearings/{hearing_id}/summary/ — the pre-hearing summary as JSON, or
`?format=pdf` as a PDF (INTERFACES.md). Same selector as the page."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.access import access_summary, require
from cases.api.base import RecordSerializer, ref
from cases.api.writes import ID_HELP, RecordWriteViewSet, id_field, ref_id, write_schema
from cases.hearings import services
from cases.hearings.pdf import pdf_filename, summary_pdf
from cases.hearings.summary import hearing_summary
from cases.models import CourtRecommendation
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


# --- /api/v1/court-recommendations/: the clinician's recommendation for the court ------------


class CourtRecommendationSerializer(RecordSerializer):
    case_id = ref()
    child_id = ref(null=True)
    clinician = serializers.CharField(source="clinician.email", read_only=True, allow_null=True)

    class Meta:
        model = CourtRecommendation
        fields = ["id", "case_id", "child_id", "written_on", "text", "clinician"]


class CourtRecommendationWrite(serializers.Serializer):
    id = id_field(required=False, help_text=ID_HELP)
    case_id = ref_id()
    child_id = ref_id(required=False, allow_null=True)
    written_on = serializers.DateField(required=False, allow_null=True)
    text = serializers.CharField(max_length=CourtRecommendation.MAX_LENGTH)


@write_schema
class CourtRecommendationViewSet(RecordWriteViewSet):
    """The clinician's short recommendation for the court. Read by the family's clinician,
    Community Coordinator and caseworker, and by the judge only while a release of
    information naming the court is in force (`cases.access.court_recommendation_rows`);
    written (POST) by the family's clinician only; never changed (a new one is a new row)."""

    http_method_names = ["get", "post", "head", "options"]
    serializer_class = CourtRecommendationSerializer
    create_serializer = CourtRecommendationWrite
    update_serializer = CourtRecommendationWrite
    kind = "court_recommendation"
    parent = ("case_id", "case")
    refs = {"child_id": ("child", "child")}
    related = ("clinician",)

    def create_record(self, access, parent, kwargs):
        require(access, "can_write_court_recommendation")
        return self.call(services.court_recommendation_write, case=access.case, **kwargs)
