"""/api/v1/supervision-sessions/, /api/v1/consultations/, /api/v1/trainings/: the records of a
site's program (issue 22 items 7 and 8). No API for the private well-being check-ins.

Rows through `cases.access` (SITE_RECORD_TYPES): a list holds the rows the caller may read, a
row they may not read is a 404, one they read but may not change a 403 on PATCH. POST names
the site by its slug (`site`): a site where the caller holds no role is a 400 on `site` (the
same answer as one that does not exist), one where they may not add this kind a 403. Writes go
through `workforce.services`; errors are 400s naming the field. Reads are audited.
"""

from decimal import Decimal
from typing import Any, ClassVar, cast

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from cases.access import access_site_record, site_records_visible_to, sites_adding
from cases.api.base import ID_REGEX
from cases.api.writes import ID_HELP, id_field
from safebabies.audit.models import AuditEvent
from safebabies.audit.services import audit_log
from safebabies.identity.models import Site, User
from safebabies.identity.selectors import roles_of
from workforce import services
from workforce.models import (
    MINUTES_MAX,
    Consultation,
    Consultee,
    Mode,
    Need,
    SupervisionKind,
    SupervisionSession,
    Topic,
    Training,
)

EMAIL_HELP = "The e-mail of a person of the site."


class SiteRecordSerializer(serializers.ModelSerializer):
    site: serializers.Field = serializers.SlugRelatedField(slug_field="slug", read_only=True)


class SupervisionSessionSerializer(SiteRecordSerializer):
    staff_email = serializers.EmailField(source="staff.email", read_only=True)
    supervisor_email = serializers.EmailField(
        source="supervisor.email", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = SupervisionSession
        fields = [
            "id",
            "site",
            "staff_email",
            "supervisor_email",
            "supervisor_name",
            "held_on",
            "minutes",
            "kind",
        ]
        read_only_fields = fields


class SupervisionSessionWrite(serializers.Serializer):
    staff_email = serializers.EmailField(help_text=EMAIL_HELP)
    supervisor_email = serializers.EmailField(
        required=False, allow_blank=True, help_text=EMAIL_HELP
    )
    supervisor_name = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="A supervisor without account."
    )
    held_on = serializers.DateField()
    minutes = serializers.IntegerField(min_value=1, max_value=MINUTES_MAX)
    kind = serializers.ChoiceField(choices=SupervisionKind.choices)


class ConsultationSerializer(SiteRecordSerializer):
    consultant_email = serializers.EmailField(
        source="consultant.email", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Consultation
        fields = [
            "id",
            "site",
            "consultant_email",
            "consultant_name",
            "held_on",
            "consultee",
            "need",
            "mode",
            "minutes",
        ]
        read_only_fields = fields


class ConsultationWrite(serializers.Serializer):
    consultant_email = serializers.EmailField(
        required=False, allow_blank=True, help_text="A clinician of the site."
    )
    consultant_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    held_on = serializers.DateField()
    consultee = serializers.ChoiceField(choices=Consultee.choices)
    need = serializers.ChoiceField(choices=Need.choices)
    mode = serializers.ChoiceField(choices=Mode.choices)
    minutes = serializers.IntegerField(min_value=1, max_value=MINUTES_MAX)


class AttendeeSerializer(serializers.Serializer):
    email = serializers.EmailField(required=False, allow_blank=True, help_text=EMAIL_HELP)
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    organisation = serializers.CharField(required=False, allow_blank=True, max_length=200)


class TrainingSerializer(SiteRecordSerializer):
    attendees = serializers.SerializerMethodField()

    class Meta:
        model = Training
        fields = ["id", "site", "title", "held_on", "hours", "topics", "attendees"]
        read_only_fields = fields

    def get_attendees(self, training: Training) -> list[dict[str, Any]]:
        return [
            {"email": a.user.email, "name": a.user.full_name, "organisation": ""}
            if a.user
            else {"email": None, "name": a.name, "organisation": a.organisation}
            for a in training.attendance.all()
        ]


class TrainingWrite(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    held_on = serializers.DateField()
    hours = serializers.DecimalField(
        max_digits=4, decimal_places=1, min_value=Decimal("0.5"), max_value=Decimal(40)
    )
    topics = serializers.ListField(
        child=serializers.ChoiceField(choices=Topic.choices), min_length=1, max_length=5
    )
    attendees = serializers.ListField(
        child=AttendeeSerializer(), required=False, max_length=services.ATTENDEES_MAX
    )


class SiteRecordViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """List, read, add (POST) and change (PATCH) rows of one kind of site record."""

    kind: ClassVar[str]
    write_serializer: ClassVar[type[serializers.Serializer]]
    prefetch: ClassVar[tuple[str, ...]] = ()
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = ID_REGEX

    @property
    def user(self) -> User:
        return cast(User, self.request.user)

    def get_queryset(self):
        rows = site_records_visible_to(self.user, self.kind).select_related("site")
        return rows.prefetch_related(*self.prefetch)

    def get_object(self) -> Any:
        write = self.request.method not in ("GET", "HEAD", "OPTIONS")
        record = access_site_record(self.user, self.kind, self.kwargs["pk"], write=write)
        return self.get_queryset().get(pk=record.pk)

    def list(self, request, *args, **kwargs):
        records = list(self.paginate_queryset(self.get_queryset()) or [])
        audit_log(
            actor=request.user,
            action=AuditEvent.Action.LIST,
            record_type=self.get_serializer_class().Meta.model._meta.label_lower,
            detail={"count": self.paginator.count},
            request=request._request,
        )
        return self.get_paginated_response(self.get_serializer(records, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        record = self.get_object()
        audit_log(
            actor=request.user,
            action=AuditEvent.Action.VIEW,
            record=record,
            site_id=record.site_id,
            request=request._request,
        )
        return Response(self.get_serializer(record).data)

    def save(self, *, site: Site, record: Any, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def current(self, record: Any) -> dict[str, Any]:
        raise NotImplementedError

    def _site(self, slug: Any) -> Site:
        user = self.user
        site = Site.objects.filter(slug=str(slug or ""), pk__in=list(roles_of(user))).first()
        if site is None:
            raise ValidationError({"site": ["No site with this slug among yours."]})
        if site.pk not in sites_adding(user, self.kind):
            raise PermissionDenied("Your role at this site does not add these records.")
        return site

    def create(self, request, *args, **kwargs):
        if not isinstance(request.data, dict) or "site" not in request.data:
            raise ValidationError({"site": ["This field is required."]})
        site = self._site(request.data.get("site"))
        given = self.write_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        ident = id_field(required=False, help_text=ID_HELP)
        if request.data.get("id"):
            data["id"] = ident.run_validation(request.data["id"])
        record = self.save(site=site, record=None, data=data)
        fresh = self.get_queryset().get(pk=record.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        record = self.get_object()
        given = self.write_serializer(data=request.data, partial=True)
        given.is_valid(raise_exception=True)
        data = {**self.current(record), **given.validated_data}
        self.save(site=record.site, record=record, data=data)
        fresh = self.get_queryset().get(pk=record.pk)
        return Response(self.get_serializer(fresh).data)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)


class SupervisionSessionViewSet(SiteRecordViewSet):
    """Reflective supervision sessions: the staff member's and the supervisor's own; every
    one of the site for the Community Coordinator and site admins."""

    kind = "supervision_session"
    serializer_class = SupervisionSessionSerializer
    write_serializer = SupervisionSessionWrite

    def current(self, record: SupervisionSession) -> dict[str, Any]:
        return {
            "staff_email": record.staff.email,
            "supervisor_email": record.supervisor.email if record.supervisor else "",
            "supervisor_name": record.supervisor_name,
            "held_on": record.held_on,
            "minutes": record.minutes,
            "kind": record.kind,
        }

    @extend_schema(request=SupervisionSessionWrite, responses={201: SupervisionSessionSerializer})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def save(self, *, site, record, data):
        return services.supervision_session_save(
            actor=self.request.user,
            site=site,
            session=record,
            request=self.request._request,
            **data,
        )


class ConsultationViewSet(SiteRecordViewSet):
    """IECMH consultations: the consultant's own; every one of the site for the Community
    Coordinator and site admins."""

    kind = "consultation"
    serializer_class = ConsultationSerializer
    write_serializer = ConsultationWrite

    def current(self, record: Consultation) -> dict[str, Any]:
        return {
            "consultant_email": record.consultant.email if record.consultant else "",
            "consultant_name": record.consultant_name,
            "held_on": record.held_on,
            "consultee": record.consultee,
            "need": record.need,
            "mode": record.mode,
            "minutes": record.minutes,
        }

    @extend_schema(request=ConsultationWrite, responses={201: ConsultationSerializer})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def save(self, *, site, record, data):
        return services.consultation_save(
            actor=self.request.user,
            site=site,
            consultation=record,
            request=self.request._request,
            **data,
        )


class TrainingViewSet(SiteRecordViewSet):
    """Trainings and who attended: every professional of the site reads them; the Community
    Coordinator and site admins record them. `attendees` replaces the list when given."""

    kind = "training"
    serializer_class = TrainingSerializer
    write_serializer = TrainingWrite
    prefetch = ("attendance__user",)

    def current(self, record: Training) -> dict[str, Any]:
        return {
            "title": record.title,
            "held_on": record.held_on,
            "hours": record.hours,
            "topics": record.topics,
        }

    @extend_schema(request=TrainingWrite, responses={201: TrainingSerializer})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def save(self, *, site, record, data):
        attendees = data.pop("attendees", None)
        if attendees is not None:
            attendees = [dict(item) for item in attendees]
        return services.training_save(
            actor=self.request.user,
            site=site,
            training=record,
            attendees=attendees,
            request=self.request._request,
            **data,
        )
