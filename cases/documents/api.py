"""`/api/v1/documents/`: the documents a caller may read (list, detail: what each is), their
files (`/api/v1/documents/{id}/download/`, every download audited) and uploads (multipart
`POST`). The same rules as the pages: `cases.access` RECORD_TYPES["document"]."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from cases.access import access_case, access_document
from cases.api.base import CaseRecordViewSet, RecordSerializer, ref
from cases.api.writes import code, id_field
from cases.documents import files, services
from cases.documents.views import file_response
from cases.models import Document


class DocumentSerializer(RecordSerializer):
    case_id = ref()
    hearing_id = ref(null=True)
    consent_id = ref(null=True)
    uploaded_by = serializers.EmailField(source="uploaded_by.email", read_only=True, default=None)
    uploaded_at = serializers.DateTimeField(source="created_at", read_only=True)
    # who uploaded it is the team's business: a parent reads only their coordinator's e-mail
    guarded_fields = {"uploaded_by": lambda access: not access.is_parent_view}

    class Meta:
        model = Document
        fields = [
            "id",
            "case_id",
            "hearing_id",
            "consent_id",
            "kind",
            "document_date",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "shared_with_family",
            "uploaded_by",
            "uploaded_at",
        ]


class DocumentUpload(serializers.Serializer):
    case_id = id_field(help_text="The family's case.")
    hearing_id = id_field(required=False, allow_null=True, help_text="One of its hearings.")
    consent_id = id_field(
        required=False, allow_null=True, help_text="One of its releases of information."
    )
    kind = code(Document.Kind.choices)
    document_date = serializers.DateField(required=False, allow_null=True)
    shared_with_family = serializers.BooleanField(required=False, default=False)
    file = serializers.FileField(
        help_text="A PDF, PNG or JPEG (checked by its content), up to the size limit "
        "(DOCUMENTS_MAX_MB, 15 MB unless the site sets another)."
    )


class DocumentViewSet(CaseRecordViewSet):
    """Documents attached to a case, a hearing or a release of information."""

    serializer_class = DocumentSerializer
    kind = "document"
    related = ("uploaded_by",)
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(
        request={"multipart/form-data": DocumentUpload},
        responses={201: DocumentSerializer},
    )
    def create(self, request, *args, **kwargs):
        if files.too_large_to_read(request):
            raise ValidationError({"file": [files.too_large_message()]})
        given = DocumentUpload(data=request.data)
        given.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(given.validated_data)
        try:
            access = access_case(self.user, data.pop("case_id"), write=True)
        except Http404:
            raise ValidationError(
                {"case_id": ["No case with this id in the families you see."]}
            ) from None
        try:
            document = services.document_upload(
                actor=self.user, access=access, request=request._request, **data
            )
        except DjangoValidationError as exc:
            if hasattr(exc, "error_dict"):
                raise ValidationError(exc.message_dict) from exc
            raise ValidationError({"non_field_errors": exc.messages}) from exc
        fresh = self.get_queryset().get(pk=document.pk)
        return Response(self.serialize([fresh])[0], status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY),
            (200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY),
            (200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY),
            404: OpenApiResponse(description="Not a document the caller may read."),
        }
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk: str | None = None):
        """The document's file, as an attachment; the download is in the audit trail."""
        found = access_document(self.user, pk or "", family_view=True)
        handle = services.document_open(
            actor=self.user, access=found.access, document=found.record, request=request._request
        )
        return file_response(handle, found.record)
