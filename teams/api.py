"""/api/v1/ftms/ and /api/v1/ftm-action-items/."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response

from cases.access import (
    PARENT_ITEM_MESSAGE,
    TEAM_ITEM_MESSAGE,
    access_action_item,
    access_case_records,
    access_ftm,
    ftm_cases_visible_to,
    may_change_action_item,
    owns_action_item,
    require,
)
from cases.api.base import CaseRecordViewSet, RecordSerializer, ref
from cases.api.writes import ID_HELP, id_field
from safebabies import codes
from safebabies.identity.roles import Role
from safebabies.lib.ids import ID_MAX_LENGTH
from teams import services
from teams.models import AttendanceMode, Ftm, FtmActionItem
from teams.selectors import attendances_prefetch


class AttendanceSerializer(serializers.Serializer):
    """One person at an FTM (INTERFACES.md): `email` (a team member), `person_id` (a family
    member) or `name` (someone unannounced), their `role`, and `mode`."""

    email = serializers.EmailField(required=False)
    person_id = serializers.CharField(required=False, max_length=ID_MAX_LENGTH)
    name = serializers.CharField(required=False, max_length=200)
    role = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=32)
    mode = serializers.ChoiceField(choices=AttendanceMode.choices)


# --- Family Team Meetings ---------------------------------------------------------------------


DISCUSSION_GUARD = "can_see_ftm_notes"


class FtmSerializer(RecordSerializer):
    case_id = ref()
    attendance = serializers.SerializerMethodField()
    facilitator_email = serializers.EmailField(
        source="facilitator.email",
        read_only=True,
        default=None,
        help_text="The team member who facilitates (an account).",
    )
    guarded_fields = {
        **{name: DISCUSSION_GUARD for name in Ftm.DISCUSSION_FIELDS},
        "attendance": "can_see_ftm_attendance",
        # a team member's e-mail address: the team's, not the parent's own view
        "facilitator_email": lambda access: not access.is_parent_view,
    }

    class Meta:
        model = Ftm
        fields = [
            "id",
            "case_id",
            "scheduled_on",
            "starts_at",
            "location",
            "facilitator_email",
            "facilitator_name",
            "facilitator_organisation",
            "status",
            "parent_attended",
            "parent_mentor_attended",
            "attendee_roles",
            "attendance",
            "confidentiality_acknowledged",
            "next_ftm_on",
            "version",
            *Ftm.DISCUSSION_FIELDS,
        ]

    @extend_schema_field(AttendanceSerializer(many=True))
    def get_attendance(self, ftm: Ftm) -> list[dict]:
        rows = []
        for row in ftm.attendances.all():
            entry: dict = {}
            if row.user is not None:
                entry["email"] = row.user.email
            elif row.person_id:
                entry["person_id"] = row.person_id
            else:
                entry["name"] = row.name
            entry.update(role=row.role or None, mode=row.mode)
            rows.append(entry)
        return rows


class FtmActionItemSerializer(RecordSerializer):
    ftm_id = ref()
    case_id = ref("ftm.case_id")
    owner_email = serializers.SerializerMethodField()
    owner_person_id = ref(null=True)
    goal_id = ref(null=True)

    class Meta:
        model = FtmActionItem
        fields = [
            "id",
            "ftm_id",
            "case_id",
            "owner_role",
            "owner_email",
            "owner_person_id",
            "goal_id",
            "due_on",
            "completed_on",
            "status",
            "not_done_reason",
            "description",
            "family_description",
            "family_language",
        ]

    def get_owner_email(self, item: FtmActionItem) -> str | None:
        return item.owner.email if item.owner is not None else None


class FtmWriteSerializer(serializers.Serializer):
    """What a client may send to create (POST, with `case_id`) or change (PATCH) an FTM.

    `version` (optional on PATCH): the version the client read; if someone saved since, the
    answer is 409 and nothing is written. `attendance` replaces the whole list."""

    id = id_field(required=False, help_text=ID_HELP)
    case_id = serializers.CharField(required=False, max_length=ID_MAX_LENGTH)
    version = serializers.IntegerField(required=False)
    scheduled_on = serializers.DateField(required=False)
    starts_at = serializers.TimeField(required=False, allow_null=True)
    location = serializers.CharField(required=False, allow_blank=True, max_length=300)
    facilitator_name = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="A facilitator without an account (from a partner agency, say): their name.",
    )
    facilitator_organisation = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="That facilitator's organisation.",
    )
    status = serializers.ChoiceField(choices=codes.FtmStatus.choices, required=False)
    confidentiality_acknowledged = serializers.BooleanField(required=False)
    next_ftm_on = serializers.DateField(required=False, allow_null=True)
    attendance = AttendanceSerializer(many=True, required=False)
    parent_attended = serializers.BooleanField(
        required=False, allow_null=True, help_text="Without `attendance` (ftms.csv)."
    )
    parent_mentor_attended = serializers.BooleanField(
        required=False, allow_null=True, help_text="Without `attendance` (ftms.csv)."
    )
    attendee_roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices),
        required=False,
        allow_null=True,
        max_length=len(Role.choices),
        help_text="The roles present, without `attendance` (ftms.csv).",
    )
    notes = serializers.CharField(required=False, allow_blank=True)
    going_well = serializers.CharField(required=False, allow_blank=True)
    worries = serializers.CharField(required=False, allow_blank=True)
    hopes = serializers.CharField(required=False, allow_blank=True)
    family_time_discussion = serializers.CharField(required=False, allow_blank=True)
    services_discussion = serializers.CharField(required=False, allow_blank=True)
    development_discussion = serializers.CharField(required=False, allow_blank=True)
    permanency_discussion = serializers.CharField(required=False, allow_blank=True)
    court_discussion = serializers.CharField(required=False, allow_blank=True)


class FtmActionItemWriteSerializer(serializers.Serializer):
    """Create (POST, with `ftm_id`) or change (PATCH) one action item. `owner_email` names a
    team member, `owner_person_id` a family member."""

    id = id_field(required=False, help_text=ID_HELP)
    ftm_id = serializers.CharField(required=False, max_length=ID_MAX_LENGTH)
    description = serializers.CharField(required=False, allow_blank=True)
    family_description = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="The step in the family's language (Spanish), beside or instead of the "
        "English `description`; the Spanish family copy shows it.",
    )
    due_on = serializers.DateField(required=False)
    status = serializers.ChoiceField(choices=codes.ActionItemStatus.choices, required=False)
    completed_on = serializers.DateField(required=False, allow_null=True)
    not_done_reason = serializers.CharField(required=False, allow_blank=True)
    owner_email = serializers.EmailField(required=False, allow_null=True)
    owner_person_id = serializers.CharField(
        required=False, allow_null=True, max_length=ID_MAX_LENGTH
    )
    owner_role = serializers.ChoiceField(choices=Role.choices, required=False, allow_blank=True)
    goal_id = serializers.CharField(required=False, allow_null=True, max_length=ID_MAX_LENGTH)


class FtmCreateSerializer(FtmWriteSerializer):
    """The body of a POST, as the schema states it: `case_id` and `scheduled_on` required."""

    case_id = serializers.CharField(max_length=ID_MAX_LENGTH)
    scheduled_on = serializers.DateField()


class FtmActionItemCreateSerializer(FtmActionItemWriteSerializer):
    """The body of a POST, as the schema states it: `ftm_id` required."""

    ftm_id = serializers.CharField(max_length=ID_MAX_LENGTH)


def _validation_response(exc: ValidationError) -> Response:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
    return Response(errors, status=status.HTTP_400_BAD_REQUEST)


def _conflict_response(conflict: services.FtmConflict) -> Response:
    return Response(
        {"detail": conflict.message, "version": conflict.ftm.version},
        status=status.HTTP_409_CONFLICT,
    )


WRITABLE_METHODS = ["get", "post", "put", "patch", "head", "options"]


# The docstring below is also the API's published description of these operations (the
# schema must not change with the code's layout), so it keeps the names it was published with:
# today writes go through `cases.access.access_ftm` / `access_case_records` and `teams.services`.
class WritableMixin:
    """POST creates, PATCH/PUT change (PUT takes the same partial body as PATCH); no DELETE.

    Writes go through `access_ftm` / `access_ftm_case` (404 in the court's view or outside
    the team, 403 for a read-only role) and `teams.ftm_services`."""

    def _read(self, record_id: str) -> Response:
        record = self.get_queryset().get(pk=record_id)  # type: ignore[attr-defined]
        return Response(self.serialize([record])[0])  # type: ignore[attr-defined]

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)


class FtmViewSet(WritableMixin, CaseRecordViewSet):
    """FTMs: not in the court's view at all (`CaseAccess.can_see_ftms`); the discussion
    (`notes` and the other discussion fields) only for the family team."""

    serializer_class = FtmSerializer
    kind = "ftm"
    http_method_names = WRITABLE_METHODS
    related = ("facilitator",)
    prefetch = (attendances_prefetch(),)  # type: ignore[assignment]

    def visible_cases(self):
        return ftm_cases_visible_to(self.request.user)

    def get_serializer_class(self):
        if self.request.method in ("POST", "PUT", "PATCH"):
            return FtmWriteSerializer
        return FtmSerializer

    def record_serializer(self):
        return FtmSerializer

    @staticmethod
    def _log_args(data: dict) -> dict:
        attendance = data.pop("attendance", None)
        data.pop("case_id", None)
        attended = {name: data.pop(name) for name in services.ATTENDED_FIELDS if name in data}
        return {"changes": data, "attendance": attendance, "attended": attended}

    @extend_schema(request=FtmCreateSerializer)
    def create(self, request, *args, **kwargs):
        body = FtmWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        if "case_id" not in data:
            return Response({"case_id": ["Name the family's case."]}, status=400)
        if "scheduled_on" not in data:
            return Response({"scheduled_on": ["A meeting needs a date."]}, status=400)
        access = access_case_records(request.user, data["case_id"], "ftm", write=True)
        data.pop("version", None)
        try:
            with transaction.atomic():
                ftm = services.ftm_schedule(
                    case=access.case,
                    actor=request.user,
                    scheduled_on=data.pop("scheduled_on"),
                    starts_at=data.pop("starts_at", None),
                    location=data.pop("location", ""),
                    another_as_well=True,  # an API client says which meetings it wants
                    id=data.pop("id", None),
                    request=request._request,
                )
                args = self._log_args(data)
                if args["changes"] or args["attendance"] is not None or args["attended"]:
                    services.ftm_log(
                        ftm=ftm, actor=request.user, version=None, request=request._request, **args
                    )
        except ValidationError as exc:
            return _validation_response(exc)
        response = self._read(ftm.pk)
        response.status_code = status.HTTP_201_CREATED
        return response

    def partial_update(self, request, *args, **kwargs):
        found = access_ftm(request.user, kwargs["pk"], write=True)
        body = FtmWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        if "case_id" in data and data["case_id"] != found.record.case_id:
            return Response({"case_id": ["An FTM cannot move to another case."]}, status=400)
        if data.pop("id", found.record.pk) != found.record.pk:
            return Response({"id": ["A record keeps its id."]}, status=400)
        version = data.pop("version", None)
        try:
            services.ftm_log(
                ftm=found.record,
                actor=request.user,
                version=version,
                request=request._request,
                **self._log_args(data),
            )
        except services.FtmConflict as conflict:
            return _conflict_response(conflict)
        except ValidationError as exc:
            return _validation_response(exc)
        return self._read(found.record.pk)


class FtmActionItemViewSet(WritableMixin, CaseRecordViewSet):
    serializer_class = FtmActionItemSerializer
    kind = "action_item"
    http_method_names = WRITABLE_METHODS
    case_path = "ftm__case"
    related = ("owner",)

    def visible_cases(self):
        return ftm_cases_visible_to(self.request.user)

    def get_serializer_class(self):
        if self.request.method in ("POST", "PUT", "PATCH"):
            return FtmActionItemWriteSerializer
        return FtmActionItemSerializer

    def record_serializer(self):
        return FtmActionItemSerializer

    @extend_schema(request=FtmActionItemCreateSerializer)
    def create(self, request, *args, **kwargs):
        body = FtmActionItemWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        if not data.get("ftm_id"):
            return Response({"ftm_id": ["Name the meeting."]}, status=400)
        found = access_ftm(request.user, data.pop("ftm_id"), write=True)
        data.pop("not_done_reason", None)
        try:
            item = services.action_item_create(
                ftm=found.record,
                actor=request.user,
                description=data.pop("description", ""),
                request=request._request,
                **data,
            )
        except ValidationError as exc:
            return _validation_response(exc)
        response = self._read(item.pk)
        response.status_code = status.HTTP_201_CREATED
        return response

    def partial_update(self, request, *args, **kwargs):
        """A writer of the case changes any field; a parent marks their own item done (its
        `status`, to "done"), nothing else (`may_change_action_item`); so does any other member
        of the family team with an item of their own (`owns_action_item`)."""
        found = access_action_item(request.user, kwargs["pk"], family_view=True)
        item = found.record
        body = FtmActionItemWriteSerializer(data=request.data, partial=True)
        if not found.access.can_write:
            given = request.data if hasattr(request.data, "keys") else {}
            if not may_change_action_item(
                found.access, list(given.keys()), given.get("status"), item=item
            ):
                if found.access.is_parent_view:
                    raise PermissionDenied(PARENT_ITEM_MESSAGE)
                if owns_action_item(found.access, item):
                    raise PermissionDenied(TEAM_ITEM_MESSAGE)
                require(found.access, "can_write")
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        if data.pop("ftm_id", item.ftm_id) != item.ftm_id:
            return Response({"ftm_id": ["An action item cannot move to another meeting."]}, 400)
        if data.pop("id", item.pk) != item.pk:
            return Response({"id": ["A record keeps its id."]}, 400)
        try:
            services.action_item_update(
                item=item, actor=request.user, changes=data, request=request._request
            )
        except ValidationError as exc:
            return _validation_response(exc)
        return self._read(item.pk)
