"""/api/v1/family-time/: family-time visits (DATA_PACKAGE.md family_time.csv), and
/api/v1/family-time-plans/: the plans, a new row for every change.

Everyone who may see a case reads its visits (`observations` only for the team:
`CaseAccess.can_see_visit_observations`). Case writers add visits (POST) and log them (PATCH);
plans are added with POST. The rules live in `familytime.services`; a refused value comes back
as a 400 naming the field.
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
    VISIT_LOG_MESSAGE,
    CaseAccess,
    access_case,
    access_child,
    case_record,
    may_log_visit,
    require,
)
from cases.api.base import CaseRecordViewSet, RecordSerializer, ref
from cases.api.writes import ID_HELP, id_field
from cases.models import Child
from familytime import services
from familytime.models import FamilyTimePlan, Visit, Weekday
from safebabies import codes


class VisitSerializer(RecordSerializer):
    child_id = ref()
    case_id = ref("child.case_id")
    plan_id = ref(null=True)
    supervisor_email = serializers.EmailField(
        source="supervisor.email",
        read_only=True,
        default=None,
        help_text="The GAL / CASA volunteer who supervised the visit and logged it.",
    )
    guarded_fields = {
        "observations": "can_see_visit_observations",
        # a team member's e-mail: not in the parent's own view
        "supervisor_email": lambda access: not access.is_parent_view,
    }

    class Meta:
        model = Visit
        fields = [
            "id",
            "child_id",
            "case_id",
            "scheduled_on",
            "starts_at",
            "status",
            "cancelled_by",
            "duration_minutes",
            "supervision",
            "location",
            "observations",
            "plan_id",
            "supervisor_email",
        ]


def _code(choices: Any, **kwargs: Any) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=choices, **kwargs)


class VisitWriteSerializer(serializers.Serializer):
    """A visit to add (POST) or its changes (PATCH), in the package's vocabulary."""

    id = id_field(required=False, help_text=ID_HELP)
    child_id = serializers.CharField(max_length=64, required=False)
    scheduled_on = serializers.DateField(required=False)
    starts_at = serializers.TimeField(required=False, allow_null=True)
    status = _code(codes.VisitStatus.choices, required=False)
    cancelled_by = _code(
        codes.CancelledBy.choices, required=False, allow_null=True, allow_blank=True
    )
    duration_minutes = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=24 * 60
    )
    supervision = _code(
        codes.Supervision.choices, required=False, allow_null=True, allow_blank=True
    )
    location = _code(codes.VisitLocation.choices, required=False, allow_null=True, allow_blank=True)
    observations = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, max_length=4000
    )


class VisitCreateSerializer(VisitWriteSerializer):
    """The body of a POST, as the schema states it: `child_id` and `scheduled_on` required."""

    child_id = serializers.CharField(max_length=64)
    scheduled_on = serializers.DateField()


def _writable_child(user: Any, child_id: str | None) -> tuple[Child, CaseAccess]:
    """The child named in the body, with write access to its case. A child the caller may not
    see is a 400 on `child_id` (the same answer as a child that does not exist)."""
    if not child_id:
        raise ValidationError({"child_id": ["This field is required."]})
    try:
        access, child = access_child(user, child_id, write=True)
    except Http404:
        raise ValidationError(
            {"child_id": ["No child with this id in the families you see."]}
        ) from None
    child.case = access.case
    return child, access


def _observations_allowed(access: CaseAccess, data: dict[str, Any]) -> None:
    if "observations" in data:
        require(access, "can_see_visit_observations")


class VisitViewSet(CaseRecordViewSet):
    serializer_class = VisitSerializer
    kind = "visit"
    case_path = "child__case"
    child_path = "child"
    related = ("plan", "supervisor")
    http_method_names = ["get", "post", "patch", "head", "options"]

    @extend_schema(request=VisitCreateSerializer, responses={201: VisitSerializer})
    def create(self, request, *args, **kwargs):
        given = VisitWriteSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        child, access = _writable_child(request.user, data.pop("child_id", None))
        _observations_allowed(access, data)
        if "scheduled_on" not in data:
            raise ValidationError({"scheduled_on": ["This field is required."]})
        visit = services.visit_create(
            actor=request.user, child=child, request=request._request, **data
        )
        visit.child = child
        return Response(self.serialize([visit])[0], status=status.HTTP_201_CREATED)

    @extend_schema(request=VisitWriteSerializer, responses={200: VisitSerializer})
    def partial_update(self, request, *args, **kwargs):
        visit = self.get_object()
        # a writer of the case, or a GAL / CASA volunteer logging the family time they
        # supervise (`may_log_visit`); anyone else who sees the visit, a 403
        access = require(
            access_case(request.user, visit.child.case_id), "can_log_supervised_family_time"
        )
        given = VisitWriteSerializer(data=request.data, partial=True)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        if data.pop("child_id", visit.child_id) != visit.child_id:
            raise ValidationError({"child_id": ["A visit stays with its child."]})
        if data.pop("id", visit.pk) != visit.pk:
            raise ValidationError({"id": ["A record keeps its id."]})
        if not may_log_visit(access, visit, data):
            raise PermissionDenied(VISIT_LOG_MESSAGE)
        _observations_allowed(access, data)
        try:
            services.visit_log(
                actor=request.user,
                visit=visit,
                case=access.case,
                request=request._request,
                supervisor=None if access.can_write else request.user,
                **data,
            )
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from exc
        return Response(self.serialize([visit])[0])


class FamilyTimePlanSerializer(RecordSerializer):
    child_id = ref()
    case_id = ref("child.case_id")
    parent_id = ref(null=True)
    weekdays = serializers.ListField(child=serializers.IntegerField(), read_only=True)

    class Meta:
        model = FamilyTimePlan
        fields = [
            "id",
            "child_id",
            "case_id",
            "parent_id",
            "effective_from",
            "visits_per_week",
            "supervision",
            "location",
            "supervised_by",
            "transported_by",
            "weekdays",
            "starts_at",
            "ends_at",
        ]


class FamilyTimePlanWriteSerializer(serializers.Serializer):
    child_id = serializers.CharField(max_length=64)
    parent_id = serializers.CharField(max_length=64, required=False, allow_null=True)
    effective_from = serializers.DateField()
    visits_per_week = serializers.DecimalField(
        max_digits=3, decimal_places=1, min_value=0, max_value=14
    )
    supervision = _code(codes.Supervision.choices)
    location = _code(codes.VisitLocation.choices, required=False, allow_blank=True)
    weekdays = serializers.ListField(
        child=serializers.ChoiceField(choices=Weekday.choices), required=False, max_length=7
    )
    starts_at = serializers.TimeField(required=False, allow_null=True)
    ends_at = serializers.TimeField(required=False, allow_null=True)
    supervised_by = serializers.CharField(required=False, allow_blank=True, max_length=200)
    transported_by = serializers.CharField(required=False, allow_blank=True, max_length=200)


class FamilyTimePlanViewSet(CaseRecordViewSet):
    serializer_class = FamilyTimePlanSerializer
    kind = "family_time_plan"
    case_path = "child__case"
    child_path = "child"
    related = ("parent",)
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(request=FamilyTimePlanWriteSerializer, responses={201: FamilyTimePlanSerializer})
    def create(self, request, *args, **kwargs):
        given = FamilyTimePlanWriteSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        child, access = _writable_child(request.user, data.pop("child_id"))
        parent_id = data.pop("parent_id", None)
        parent = None
        if parent_id:
            parent = case_record(access, "person", parent_id)
            if parent is None:
                raise ValidationError({"parent_id": ["No parent with this id in this family."]})
        plan = services.family_time_plan_set(
            actor=request.user, child=child, parent=parent, request=request._request, **data
        )
        return Response(self.serialize([plan])[0], status=status.HTTP_201_CREATED)
