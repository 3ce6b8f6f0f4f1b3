"""/api/v1/case-notes/ and /api/v1/support-contacts/: the family team's own part (issue 22).

- Case notes: every member of the family team writes notes that are theirs (POST, with
  `case_id` and `text`); the team's professionals read them, a parent mentor their own, never
  the court's view nor the parent (`cases.access` RECORD_TYPES["case_note"]). Its author
  changes a note (PATCH `text`) on the day it was written, nobody else.
- Support contacts: a parent mentor logs their contacts with the parent they support (POST);
  the Community Coordinator, site admins and the family's parent mentors read them, the
  parent their own (RECORD_TYPES["support_contact"]). A contact is not changed afterwards.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from cases.access import (
    NOTE_CHANGE_MESSAGE,
    CaseAccess,
    access_case,
    access_case_note,
    may_change_note,
    require,
)
from cases.api.base import CaseRecordViewSet, RecordSerializer, ref
from cases.api.writes import ID_HELP, id_field
from safebabies.identity.models import User
from safebabies.lib.ids import ID_MAX_LENGTH
from teams import work
from teams.models import CaseNote, SupportContact, SupportKind


def _writable_case(user: User, case_id: str | None, right: str) -> CaseAccess:
    """The case named in a POST, with `right` on it. A case the caller may not see is a 400 on
    `case_id` (the same answer as one that does not exist); the parent of the case gets a 403
    (every professional write of their case)."""
    if not case_id:
        raise ValidationError({"case_id": ["This field is required."]})
    try:
        access = access_case(user, case_id)
    except Http404:
        raise ValidationError(
            {"case_id": ["No case with this id in the families you see."]}
        ) from None
    return require(access, right)


def _raise_400(exc: DjangoValidationError) -> None:
    if hasattr(exc, "error_dict"):
        raise ValidationError(exc.message_dict) from exc
    raise ValidationError({"non_field_errors": exc.messages}) from exc


class CaseNoteSerializer(RecordSerializer):
    case_id = ref()
    author_email = serializers.EmailField(source="author.email", read_only=True)

    class Meta:
        model = CaseNote
        fields = ["id", "case_id", "author_email", "author_role", "written_at", "text"]


class CaseNoteWrite(serializers.Serializer):
    id = id_field(required=False, help_text=ID_HELP)
    case_id = serializers.CharField(required=False, max_length=ID_MAX_LENGTH)
    text = serializers.CharField(max_length=work.NOTE_MAX)


class CaseNoteCreate(CaseNoteWrite):
    case_id = serializers.CharField(max_length=ID_MAX_LENGTH)


class CaseNoteChange(serializers.Serializer):
    text = serializers.CharField(max_length=work.NOTE_MAX)


class CaseNoteViewSet(CaseRecordViewSet):
    """Notes of the family team's members, each theirs."""

    serializer_class = CaseNoteSerializer
    kind = "case_note"
    related = ("author",)
    http_method_names = ["get", "post", "patch", "head", "options"]

    @extend_schema(request=CaseNoteCreate, responses={201: CaseNoteSerializer})
    def create(self, request, *args, **kwargs):
        given = CaseNoteWrite(data=request.data)
        given.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(given.validated_data)
        access = _writable_case(self.user, data.get("case_id"), "can_write_own_notes")
        try:
            note = work.case_note_write(
                actor=self.user,
                case=access.case,
                author_role=work.main_role(access.roles),
                text=data["text"],
                id=data.get("id"),
                request=request._request,
            )
        except DjangoValidationError as exc:
            _raise_400(exc)
        fresh = self.get_queryset().get(pk=note.pk)
        return Response(self.serialize([fresh])[0], status=status.HTTP_201_CREATED)

    @extend_schema(request=CaseNoteChange, responses={200: CaseNoteSerializer})
    def partial_update(self, request, *args, **kwargs):
        found = access_case_note(self.user, kwargs["pk"])
        if not may_change_note(found.access, found.record):
            raise PermissionDenied(NOTE_CHANGE_MESSAGE)
        given = CaseNoteChange(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            work.case_note_change(
                actor=self.user,
                note=found.record,
                case=found.access.case,
                text=given.validated_data["text"],
                request=request._request,
            )
        except DjangoValidationError as exc:
            _raise_400(exc)
        fresh = self.get_queryset().get(pk=found.record.pk)
        return Response(self.serialize([fresh])[0])


class SupportContactSerializer(RecordSerializer):
    case_id = ref()
    person_id = ref()
    mentor_email = serializers.EmailField(source="mentor.email", read_only=True)

    class Meta:
        model = SupportContact
        fields = [
            "id",
            "case_id",
            "person_id",
            "mentor_email",
            "contacted_on",
            "kind",
            "minutes",
            "shared_note",
            "parent_agreed",
        ]


class SupportContactCreate(serializers.Serializer):
    id = id_field(required=False, help_text=ID_HELP)
    case_id = serializers.CharField(max_length=ID_MAX_LENGTH)
    person_id = serializers.CharField(
        max_length=ID_MAX_LENGTH, help_text="The parent the mentor supports (their team place)."
    )
    contacted_on = serializers.DateField()
    kind = serializers.ChoiceField(choices=SupportKind.choices)
    minutes = serializers.IntegerField(min_value=1, max_value=24 * 60)
    shared_note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=work.SUPPORT_NOTE_MAX,
        help_text="Only what the parent agreed to share; needs `parent_agreed`.",
    )
    parent_agreed = serializers.BooleanField(required=False, default=False)


class SupportContactViewSet(CaseRecordViewSet):
    """A parent mentor's contacts with the parent they support."""

    serializer_class = SupportContactSerializer
    kind = "support_contact"
    related = ("mentor",)
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(request=SupportContactCreate, responses={201: SupportContactSerializer})
    def create(self, request, *args, **kwargs):
        given = SupportContactCreate(data=request.data)
        given.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(given.validated_data)
        access = _writable_case(self.user, data.pop("case_id"), "can_log_support_contacts")
        try:
            contact = work.support_contact_log(
                actor=self.user, case=access.case, request=request._request, **data
            )
        except DjangoValidationError as exc:
            _raise_400(exc)
        fresh = self.get_queryset().get(pk=contact.pk)
        return Response(self.serialize([fresh])[0], status=status.HTTP_201_CREATED)
