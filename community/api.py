"""/api/v1/act-members/, /api/v1/act-meetings/, /api/v1/improvement-cycles/,
/api/v1/providers/ (records of a site's program) and /api/v1/referral-feedback/ (a case
record, through its service). Issue 22 item 9.

- Site records: rows from `cases.access.site_records_visible_to` (every professional role of
  the site, the Site Implementation Team and parent leaders read them; nobody another site's);
  a row one may not read is a 404, one they read but may not change a 403 on PATCH. POST names
  the site by its slug (`site`; optional for one who adds at one site only): a site the caller
  does not read is a 400 on `site`, one they read but do not keep a 403. The Community
  Coordinator and site admins write; nothing is deleted.
- Referral feedback: read with its service (a Part 2 service's only under its release; the
  note not in the court's nor the mentor's view); the case's writers POST it.
"""

from typing import Any, ClassVar, cast

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from cases.access import (
    RECORD_TYPES,
    access_record,
    access_site_record,
    has_right,
    part2_people_visible_to,
    site_records_visible_to,
    sites_adding,
    sites_reading,
)
from cases.api.base import ID_REGEX, CaseRecordViewSet, RecordSerializer, ref
from cases.api.writes import ID_HELP, id_field
from community import measures, services
from community.models import (
    ActMeeting,
    ActMember,
    CycleStage,
    FeedbackStatus,
    ImprovementCycle,
    Provider,
    ReferralFeedback,
    Sector,
)
from safebabies import codes
from safebabies.audit.models import AuditEvent
from safebabies.audit.services import audit_log
from safebabies.identity.models import Site, User
from safebabies.lib.ids import ID_MAX_LENGTH


def _raise_400(exc: DjangoValidationError, rename: dict[str, str] | None = None) -> None:
    if hasattr(exc, "error_dict"):
        errors = exc.message_dict
        if rename:
            errors = {rename.get(k, k): v for k, v in errors.items()}
        raise ValidationError(errors) from exc
    raise ValidationError({"non_field_errors": exc.messages}) from exc


class SiteRecordViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """List, detail, POST and PATCH of one kind of site record (`kind`, of
    `cases.access.SITE_RECORD_TYPES`)."""

    kind: ClassVar[str]
    input_serializer: ClassVar[type[serializers.Serializer]]
    related: ClassVar[tuple[str, ...]] = ()
    prefetch: ClassVar[tuple[str, ...]] = ()
    rename: ClassVar[dict[str, str]] = {}  # a service's field -> the API's
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = ID_REGEX

    @property
    def user(self) -> User:
        return cast(User, self.request.user)

    def get_queryset(self):
        rows = site_records_visible_to(self.user, self.kind).select_related("site", *self.related)
        return rows.prefetch_related(*self.prefetch).fetch_mode(models.FETCH_RAISE)

    def list(self, request, *args, **kwargs):
        records = list(self.paginate_queryset(self.get_queryset()) or [])
        data = self.get_serializer(records, many=True).data
        sites = {r.site_id for r in records}
        audit_log(
            actor=self.user,
            action=AuditEvent.Action.LIST,
            record_type=self.get_queryset().model._meta.label_lower,
            site_id=next(iter(sites)) if len(sites) == 1 else None,
            detail={"count": self.paginator.count},  # type: ignore[union-attr]
            request=request._request,
        )
        return self.get_paginated_response(data)

    def fresh(self, pk: Any) -> Any:
        return self.get_queryset().get(pk=pk)

    def retrieve(self, request, *args, **kwargs):
        found = access_site_record(self.user, self.kind, kwargs["pk"])
        record = self.fresh(found.pk)
        audit_log(
            actor=self.user,
            action=AuditEvent.Action.VIEW,
            record=record,
            site_id=record.site_id,
            request=request._request,
        )
        return Response(self.get_serializer(record).data)

    def site_of_input(self, slug: str | None) -> Site:
        adding = sites_adding(self.user, self.kind)
        if not slug:
            if len(adding) == 1:
                return Site.objects.get(pk=adding[0])
            raise ValidationError({"site": ["Name the site (its slug)."]})
        site = Site.objects.filter(slug=slug, pk__in=sites_reading(self.user, self.kind)).first()
        if site is None:
            raise ValidationError({"site": ["No site with this slug among yours."]})
        if site.pk not in adding:
            raise PermissionDenied("Only the Community Coordinator and site admins add these.")
        return site

    def create(self, request, *args, **kwargs):
        given = self.input_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(given.validated_data)
        site = self.site_of_input(data.pop("site", None))
        try:
            record = self.create_record(site, data)
        except DjangoValidationError as exc:
            _raise_400(exc, self.rename)
        return Response(self.get_serializer(self.fresh(record.pk)).data, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        record = access_site_record(self.user, self.kind, kwargs["pk"], write=True)
        given = self.input_serializer(data=request.data, partial=True)
        given.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(given.validated_data)
        data.pop("site", None)
        data.pop("id", None)
        try:
            self.update_record(record, data)
        except DjangoValidationError as exc:
            _raise_400(exc, self.rename)
        return Response(self.get_serializer(self.fresh(record.pk)).data)

    def create_record(self, site: Site, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def update_record(self, record: Any, data: dict[str, Any]) -> Any:
        raise NotImplementedError


SITE_HELP = "The site's slug; optional when you add rows at one site only."


def _site_field() -> serializers.CharField:
    return serializers.CharField(required=False, max_length=50, help_text=SITE_HELP)


# --- Members --------------------------------------------------------------------------------------


class ActMemberSerializer(serializers.ModelSerializer):
    site = serializers.CharField(source="site.slug", read_only=True)
    user_email = serializers.EmailField(source="user.email", read_only=True, allow_null=True)

    class Meta:
        model = ActMember
        fields = [
            "id",
            "site",
            "user_email",
            "name",
            "organisation",
            "sector",
            "joined_on",
            "left_on",
        ]
        read_only_fields = fields


class ActMemberInput(serializers.Serializer):
    id = id_field(required=False, help_text=ID_HELP)
    site = _site_field()
    user_email = serializers.EmailField(
        required=False, allow_blank=True, help_text="A person of the site (or give `name`)."
    )
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    organisation = serializers.CharField(required=False, allow_blank=True, max_length=200)
    sector = serializers.ChoiceField(choices=Sector.choices)
    joined_on = serializers.DateField()
    left_on = serializers.DateField(required=False, allow_null=True)


def _user_id(email: str | None) -> Any:
    if not email:
        return None
    user = User.objects.filter(email__iexact=email).first()
    return user.pk if user else "unknown"


@extend_schema(request=ActMemberInput, responses=ActMemberSerializer)
class ActMemberViewSet(SiteRecordViewSet):
    """Members of the site's Active Community Team."""

    kind = "act_member"
    serializer_class = ActMemberSerializer
    input_serializer = ActMemberInput
    related = ("user",)
    rename = {"user_id": "user_email"}

    def create_record(self, site, data):
        if "user_email" in data:
            data["user_id"] = _user_id(data.pop("user_email"))
        return services.member_add(
            actor=self.user, site=site, request=self.request._request, **data
        )

    def update_record(self, record, data):
        if "user_email" in data:
            data["user_id"] = _user_id(data.pop("user_email"))
        return services.member_change(
            actor=self.user, member=record, request=self.request._request, **data
        )


# --- Meetings -------------------------------------------------------------------------------------


class ActionItemSerializer(serializers.Serializer):
    id = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    owner_id = serializers.CharField(read_only=True, allow_null=True)
    due_on = serializers.DateField(read_only=True, allow_null=True)
    done_on = serializers.DateField(read_only=True, allow_null=True)


class DecisionSerializer(serializers.Serializer):
    id = serializers.CharField(read_only=True)
    text = serializers.CharField(read_only=True)


class ActMeetingSerializer(serializers.ModelSerializer):
    site = serializers.CharField(source="site.slug", read_only=True)
    attendee_ids = serializers.SerializerMethodField()
    decisions = DecisionSerializer(many=True, read_only=True)
    action_items = ActionItemSerializer(many=True, read_only=True)

    class Meta:
        model = ActMeeting
        fields = [
            "id",
            "site",
            "held_on",
            "title",
            "agenda",
            "notes",
            "attendee_ids",
            "decisions",
            "action_items",
        ]
        read_only_fields = fields

    def get_attendee_ids(self, meeting: ActMeeting) -> list[str]:
        return sorted(m.pk for m in meeting.attendees.all())


class ActionItemInput(serializers.Serializer):
    description = serializers.CharField(max_length=services.SHORT_MAX)
    owner_id = serializers.CharField(required=False, allow_blank=True, max_length=ID_MAX_LENGTH)
    due_on = serializers.DateField(required=False, allow_null=True)


class ActMeetingInput(serializers.Serializer):
    id = id_field(required=False, help_text=ID_HELP)
    site = _site_field()
    held_on = serializers.DateField()
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    agenda = serializers.CharField(required=False, allow_blank=True, max_length=services.TEXT_MAX)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=services.TEXT_MAX)
    attendee_ids = serializers.ListField(
        child=serializers.CharField(max_length=ID_MAX_LENGTH), required=False, max_length=200
    )
    decisions = serializers.ListField(
        child=serializers.CharField(max_length=services.SHORT_MAX),
        required=False,
        max_length=50,
        help_text="On POST only: the decisions taken, each a short text.",
    )
    action_items = ActionItemInput(
        many=True, required=False, help_text="On POST only: the action items decided."
    )


@extend_schema(request=ActMeetingInput, responses=ActMeetingSerializer)
class ActMeetingViewSet(SiteRecordViewSet):
    """Meetings of the Active Community Team, with their decisions and action items."""

    kind = "act_meeting"
    serializer_class = ActMeetingSerializer
    input_serializer = ActMeetingInput
    prefetch = ("attendees", "decisions", "action_items")

    def create_record(self, site, data):
        return services.meeting_add(
            actor=self.user, site=site, request=self.request._request, **data
        )

    def update_record(self, record, data):
        data.pop("decisions", None)
        data.pop("action_items", None)
        return services.meeting_change(
            actor=self.user, meeting=record, request=self.request._request, **data
        )


# --- Improvement cycles ---------------------------------------------------------------------------


class ImprovementCycleSerializer(serializers.ModelSerializer):
    site = serializers.CharField(source="site.slug", read_only=True)

    class Meta:
        model = ImprovementCycle
        fields = ["id", "site", "title", "metric", "started_on", "stage", "plan"]
        read_only_fields = fields


class ImprovementCycleInput(serializers.Serializer):
    id = id_field(required=False, help_text=ID_HELP)
    site = _site_field()
    title = serializers.CharField(max_length=200)
    metric = serializers.ChoiceField(
        choices=measures.MEASURE_CHOICES, help_text="The id of a CQI measure (METRICS.md)."
    )
    started_on = serializers.DateField()
    stage = serializers.ChoiceField(choices=CycleStage.choices, required=False)
    plan = serializers.CharField(required=False, allow_blank=True, max_length=services.TEXT_MAX)


@extend_schema(request=ImprovementCycleInput, responses=ImprovementCycleSerializer)
class ImprovementCycleViewSet(SiteRecordViewSet):
    """Plan-do-study-act cycles of the Active Community Team, each aimed at a CQI measure."""

    kind = "improvement_cycle"
    serializer_class = ImprovementCycleSerializer
    input_serializer = ImprovementCycleInput

    def create_record(self, site, data):
        return services.cycle_add(actor=self.user, site=site, request=self.request._request, **data)

    def update_record(self, record, data):
        return services.cycle_change(
            actor=self.user, cycle=record, request=self.request._request, **data
        )


# --- Providers ------------------------------------------------------------------------------------


class ProviderSerializer(serializers.ModelSerializer):
    site = serializers.CharField(source="site.slug", read_only=True)
    service_types = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Provider
        fields = [
            "id",
            "site",
            "name",
            "service_types",
            "languages",
            "address",
            "phone",
            "website",
            "accepting_referrals",
            "waitlist_weeks",
            "updated_on",
        ]
        read_only_fields = fields


class ProviderInput(serializers.Serializer):
    id = id_field(required=False, help_text=ID_HELP)
    site = _site_field()
    name = serializers.CharField(max_length=200)
    service_types = serializers.ListField(
        child=serializers.ChoiceField(choices=codes.ServiceType.choices),
        min_length=1,
        max_length=len(codes.ServiceType.values),
    )
    languages = serializers.CharField(required=False, allow_blank=True, max_length=200)
    address = serializers.CharField(required=False, allow_blank=True, max_length=300)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=40)
    website = serializers.URLField(required=False, allow_blank=True, max_length=300)
    accepting_referrals = serializers.BooleanField(required=False)
    waitlist_weeks = serializers.IntegerField(
        required=False, min_value=0, max_value=104, help_text="0: no wait."
    )


@extend_schema(request=ProviderInput, responses=ProviderSerializer)
class ProviderViewSet(SiteRecordViewSet):
    """The site's provider directory, with availability and waitlists."""

    kind = "provider"
    serializer_class = ProviderSerializer
    input_serializer = ProviderInput

    def create_record(self, site, data):
        return services.provider_add(
            actor=self.user, site=site, request=self.request._request, **data
        )

    def update_record(self, record, data):
        return services.provider_change(
            actor=self.user, provider=record, request=self.request._request, **data
        )


# --- Referral feedback (a case record) -----------------------------------------------------------


def _feedback_note_shown(access) -> bool:
    return not (access.is_court_view or access.is_mentor_view)


class ReferralFeedbackSerializer(RecordSerializer):
    service_id = ref()
    case_id = ref("service.case_id")
    recorded_by_email = serializers.EmailField(
        source="recorded_by.email", read_only=True, allow_null=True
    )
    guarded_fields: ClassVar = {"note": _feedback_note_shown}

    class Meta:
        model = ReferralFeedback
        fields = [
            "id",
            "case_id",
            "service_id",
            "received_on",
            "status",
            "note",
            "recorded_by_email",
        ]


class ReferralFeedbackInput(serializers.Serializer):
    id = id_field(required=False, help_text=ID_HELP)
    service_id = serializers.CharField(max_length=ID_MAX_LENGTH)
    received_on = serializers.DateField()
    status = serializers.ChoiceField(choices=FeedbackStatus.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=services.NOTE_MAX)


class ReferralFeedbackViewSet(CaseRecordViewSet):
    """What providers said about the referrals of the case plan."""

    serializer_class = ReferralFeedbackSerializer
    kind = "referral_feedback"
    case_path = "service__case"
    related = ("service", "recorded_by")
    http_method_names = ["get", "post", "head", "options"]

    def restrict(self, queryset):
        spec = RECORD_TYPES["referral_feedback"]
        assert spec.hidden_rows is not None
        return queryset.filter(
            ~spec.hidden_rows() | spec.opened_by(part2_people_visible_to(self.user))
        )

    def filter_by_case(self, queryset, case_id):
        return queryset.filter(service__case_id=case_id)

    @extend_schema(request=ReferralFeedbackInput, responses={201: ReferralFeedbackSerializer})
    def create(self, request, *args, **kwargs):
        given = ReferralFeedbackInput(data=request.data)
        given.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(given.validated_data)
        service_id = data.pop("service_id")
        try:
            found = access_record(self.user, "service", service_id)
        except Http404:
            raise ValidationError(
                {"service_id": ["No service with this id in the families you see."]}
            ) from None
        if not has_right(found.access, "can_write"):
            raise PermissionDenied("You may read this referral but not change it.")
        try:
            feedback = services.feedback_add(
                actor=self.user,
                service_=found.record,
                case=found.access.case,
                request=request._request,
                **data,
            )
        except DjangoValidationError as exc:
            _raise_400(exc)
        fresh = self.get_queryset().get(pk=feedback.pk)
        return Response(self.serialize([fresh])[0], status=status.HTTP_201_CREATED)


__all__ = [
    "ActMeetingViewSet",
    "ActMemberViewSet",
    "ImprovementCycleViewSet",
    "ProviderViewSet",
    "ReferralFeedbackViewSet",
]
