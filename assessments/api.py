"""/api/v1/screenings/, /services/, /goals/, /assessments/ and /permanency-plans/ (DATA_PACKAGE.md
screenings.csv, services.csv, permanency_plans.csv; goals and assessments beyond the package),
and /service-sessions/ (issue 22: a service's sessions as it is delivered).

Reads follow `cases.api.base`. Writes (POST, and PATCH/PUT where a record can change) are for
the case writers of the record's case: the case comes through `access_case(..., write=True)`
(a case the caller may not see is a 404, a read-only role a 403), ids of other records must
belong to the same case, codes are the package's codes only, and every rule of the service
comes back as a 400 naming the field.

Rules on rows and fields:
- substance-use screenings and substance-use treatment services are 42 CFR Part 2 records:
  present only where the person they are about (`person_id`) signed a release in force for
  one of the viewer's roles (`CaseAccess.part2_people`), with `redisclosure_notice` (42 CFR
  2.32) on each such row; null on every other row;
- an intimate-partner violence screen is a row only for the Community Coordinator, site admins,
  the caseworker and the clinician (`cases.access.screening_rows`);
- a session of a Part 2 service is hidden exactly like its service (through the service's
  person), with the notice;
- an assessment's narrative is present only for the clinician, the Community Coordinator and
  the caseworker on the team (`can_see_assessment_narrative`);
- relationship-based assessments are written by clinicians only;
- permanency plans are history: a change is a new row (POST), never an edit.
"""

from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from assessments import services
from assessments.models import (
    NARRATIVE_FIELDS,
    Assessment,
    Goal,
    Lens,
    Screening,
    Service,
    ServiceSession,
    SessionAttendance,
    SessionCaregiver,
)
from cases import services as case_services
from cases.access import (
    PART2_INSTRUMENTS,
    PART2_REDISCLOSURE_NOTICE,
    PART2_SERVICE_TYPES,
    CaseAccess,
    access_case,
    access_child,
    access_service,
    can_see_assessment_narrative,
    case_record,
    part2_people_visible_to,
    require,
)
from cases.api.base import CaseRecordViewSet, RecordSerializer, ref
from cases.api.views import PermanencyPlanViewSet as ReadPermanencyPlanViewSet
from cases.api.writes import ID_HELP, id_field
from safebabies import codes

# --- Read serializers ----------------------------------------------------------------------


class Part2Notice:
    """`redisclosure_notice`: the 42 CFR 2.32 notice on a Part 2 row, null on any other."""

    def get_redisclosure_notice(self, record: Any) -> str | None:
        return PART2_REDISCLOSURE_NOTICE if self.is_part2(record) else None

    def is_part2(self, record: Any) -> bool:
        raise NotImplementedError


class ScreeningSerializer(Part2Notice, RecordSerializer):
    child_id = ref(null=True)
    case_id = ref()
    referral_id = ref(null=True)
    person_id = ref(null=True)
    redisclosure_notice = serializers.SerializerMethodField()

    def is_part2(self, record: Any) -> bool:
        return record.instrument in PART2_INSTRUMENTS

    def to_representation(self, instance: Any) -> dict[str, Any]:
        """A referral to a Part 2 service the viewer may not open is not named (the service
        itself is a 404 for them): `referral_id` is null."""
        data = super().to_representation(instance)
        referral = instance.referral
        if (
            referral is not None
            and referral.service_type in PART2_SERVICE_TYPES
            and referral.person_id not in self.context["part2_people"]()
        ):
            data["referral_id"] = None
        return data

    class Meta:
        model = Screening
        fields = [
            "id",
            "child_id",
            "case_id",
            "subject",
            "instrument",
            "screened_on",
            "result",
            "referral_made",
            "screened_by",
            "referral_id",
            "person_id",
            "redisclosure_notice",
        ]


class ServiceSerializer(Part2Notice, RecordSerializer):
    case_id = ref()
    child_id = ref(null=True)
    goal_id = ref(null=True)
    person_id = ref(null=True)
    redisclosure_notice = serializers.SerializerMethodField()

    def is_part2(self, record: Any) -> bool:
        return record.service_type in PART2_SERVICE_TYPES

    class Meta:
        model = Service
        fields = [
            "id",
            "case_id",
            "child_id",
            "recipient",
            "service_type",
            "provider",
            "evidence_based",
            "referred_on",
            "started_on",
            "ended_on",
            "status",
            "goal_id",
            "barrier",
            "person_id",
            "redisclosure_notice",
        ]


class GoalSerializer(RecordSerializer):
    case_id = ref()
    child_id = ref(null=True)
    assessment_id = ref(null=True)

    class Meta:
        model = Goal
        fields = [
            "id",
            "case_id",
            "child_id",
            "description",
            "steps",
            "responsible",
            "target_on",
            "status",
            "assessment_id",
        ]


class AssessmentSerializer(RecordSerializer):
    case_id = ref()
    child_id = ref(null=True)
    caregiver_id = ref(null=True)
    clinician = serializers.CharField(source="clinician.email", read_only=True, allow_null=True)
    guarded_fields = dict.fromkeys(NARRATIVE_FIELDS, can_see_assessment_narrative)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "case_id",
            "child_id",
            "caregiver_id",
            "lens",
            "assessed_on",
            "clinician",
            *NARRATIVE_FIELDS,
        ]


# --- Input serializers: the package's codes only -------------------------------------------


def _code(choices, **kwargs: Any) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=choices, **kwargs)


def _id(**kwargs: Any) -> serializers.CharField:
    return serializers.CharField(max_length=64, **kwargs)


PERSON_ID_HELP = (
    "The parent or caregiver whose record this is (one of the case's people). A substance-use "
    "record (42 CFR Part 2) is opened only by a release this person signed; without it, the "
    "record is the family's only parent's, and in a family with none or several it is opened "
    "by no release until the person is named."
)


class ScreeningInput(serializers.Serializer):
    id = id_field(required=False, help_text=ID_HELP)
    case_id = _id(
        required=False,
        help_text="The family's case: needed only without child_id (a child's screening "
        "belongs to the child's case).",
    )
    child_id = _id(required=False, allow_null=True)
    subject = _code(codes.ScreeningSubject.choices)
    instrument = _code(codes.Instrument.choices)
    screened_on = serializers.DateField()
    result = _code(codes.ScreeningResult.choices, required=False, allow_null=True)
    referral_made = serializers.BooleanField(required=False, allow_null=True)
    screened_by = serializers.CharField(
        max_length=200, required=False, allow_blank=True, allow_null=True
    )
    referral_id = _id(required=False, allow_null=True)
    person_id = _id(required=False, allow_null=True, help_text=PERSON_ID_HELP)


class ServiceInput(serializers.Serializer):
    id = id_field(required=False, help_text=ID_HELP)
    case_id = _id()
    child_id = _id(required=False, allow_null=True)
    recipient = _code(codes.ServiceRecipient.choices)
    service_type = _code(codes.ServiceType.choices)
    provider = serializers.CharField(
        max_length=200, required=False, allow_blank=True, allow_null=True
    )
    evidence_based = serializers.BooleanField(required=False, allow_null=True)
    referred_on = serializers.DateField()
    started_on = serializers.DateField(required=False, allow_null=True)
    ended_on = serializers.DateField(required=False, allow_null=True)
    status = _code(codes.ServiceStatus.choices, required=False)
    goal_id = _id(required=False, allow_null=True)
    barrier = _code(codes.ServiceBarrier.choices, required=False, allow_null=True)
    person_id = _id(required=False, allow_null=True, help_text=PERSON_ID_HELP)


class GoalInput(serializers.Serializer):
    id = id_field(required=False, help_text=ID_HELP)
    case_id = _id()
    child_id = _id(required=False, allow_null=True)
    description = serializers.CharField()
    steps = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    responsible = serializers.CharField(
        max_length=200, required=False, allow_blank=True, allow_null=True
    )
    target_on = serializers.DateField(required=False, allow_null=True)
    status = _code(codes.GoalStatus.choices, required=False)
    assessment_id = _id(required=False, allow_null=True)


class AssessmentInput(serializers.Serializer):
    id = id_field(required=False, help_text=ID_HELP)
    case_id = _id()
    child_id = _id(required=False, allow_null=True)
    caregiver_id = _id(required=False, allow_null=True)
    lens = _code(Lens.choices)
    assessed_on = serializers.DateField()
    history = serializers.CharField(required=False, allow_blank=True)
    symptoms = serializers.CharField(required=False, allow_blank=True)
    strengths = serializers.CharField(required=False, allow_blank=True)
    functioning = serializers.CharField(required=False, allow_blank=True)
    caregiver_beliefs = serializers.CharField(required=False, allow_blank=True)
    child_expectations = serializers.CharField(required=False, allow_blank=True)
    observed_interaction = serializers.CharField(required=False, allow_blank=True)
    culture_and_community = serializers.CharField(required=False, allow_blank=True)


class PermanencyPlanInput(serializers.Serializer):
    id = id_field(required=False, help_text=ID_HELP)
    child_id = _id()
    effective_date = serializers.DateField()
    primary_goal = _code(codes.PermanencyGoal.choices)
    concurrent_goal = _code(codes.PermanencyGoal.choices)
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True)


# --- Writes --------------------------------------------------------------------------------

TEXT_FIELDS = {"provider", "screened_by", "steps", "responsible", "barrier", "result"}


class WritableRecordViewSet(CaseRecordViewSet):
    """Adds POST (and, with `updatable`, PATCH/PUT) to a case-record endpoint.

    `refs` maps an `<x>_id` input field to the model field it sets and how to find the record
    in the case; `create_record` / `update_record` call the service.
    """

    input_serializer: ClassVar[type[serializers.Serializer]]
    updatable: ClassVar[bool] = True
    refs: ClassVar[dict[str, str]] = {}  # input name -> model field ("child_id" -> "child")

    def get_serializer_class(self):
        if self.request is not None and self.request.method in ("POST", "PUT", "PATCH"):
            return self.input_serializer
        return self.serializer_class

    def record_serializer(self):
        return self.serializer_class

    def lookup(self, access: CaseAccess, name: str, value: str | None) -> Any:
        if value in (None, ""):
            return None
        kind = {"referral": "service", "caregiver": "person"}.get(name, name)
        found = case_record(access, kind, value)
        if found is None:
            raise ValidationError({f"{name}_id": [f"No {name} with this id in this case."]})
        return found

    def to_service_kwargs(self, access: CaseAccess, data: dict[str, Any]) -> dict[str, Any]:
        data.pop("case_id", None)
        kwargs: dict[str, Any] = {}
        for key, value in data.items():
            if key.endswith("_id") and key[:-3] in self.refs.values():
                kwargs[key[:-3]] = self.lookup(access, key[:-3], value)
            elif key in TEXT_FIELDS and value is None:
                kwargs[key] = ""
            else:
                kwargs[key] = value
        return kwargs

    def call(self, func, **kwargs: Any) -> Any:
        try:
            return func(request=self.request._request, actor=self.user, **kwargs)
        except DjangoValidationError as exc:
            if hasattr(exc, "error_dict"):
                raise ValidationError(
                    {
                        (f"{k}_id" if k in self.refs.values() else k): v
                        for k, v in exc.message_dict.items()
                    }
                ) from exc
            raise ValidationError(exc.messages) from exc

    def written(self, record: Any, code: int) -> Response:
        return Response(self.serialize([record])[0], status=code)

    def access_for_write(self, case_id: str) -> CaseAccess:
        return access_case(self.user, case_id, write=True)

    def create(self, request, *args, **kwargs):
        given = self.input_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        access = self.access_for_write(self.case_id_of_input(data))
        record = self.create_record(access, self.to_service_kwargs(access, data))
        return self.written(record, status.HTTP_201_CREATED)

    def case_id_of_input(self, data: dict[str, Any]) -> str:
        return data["case_id"]

    def update(self, request, *args, **kwargs):
        if not self.updatable:
            return self.http_method_not_allowed(request, *args, **kwargs)
        partial = kwargs.pop("partial", False)
        record = self.get_object()
        case = self.case_of(record)
        access = self.access_for_write(case.pk)
        given = self.input_serializer(data=request.data, partial=partial)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        if "case_id" in data and data["case_id"] != case.pk:
            raise ValidationError({"case_id": ["A record cannot move to another case."]})
        if data.pop("id", record.pk) != record.pk:
            raise ValidationError({"id": ["A record keeps its id."]})
        # reload the record without FETCH_RAISE: the service reads its relations
        record = type(record)._default_manager.select_related("case__site").get(pk=record.pk)
        record = self.update_record(access, record, self.to_service_kwargs(access, data))
        return self.written(record, status.HTTP_200_OK)

    def partial_update(self, request, *args, **kwargs):
        kwargs["partial"] = True
        return self.update(request, *args, **kwargs)

    def create_record(self, access: CaseAccess, kwargs: dict[str, Any]) -> Any:
        raise NotImplementedError

    def update_record(self, access: CaseAccess, record: Any, kwargs: dict[str, Any]) -> Any:
        raise NotImplementedError


@extend_schema(request=ScreeningInput, responses=ScreeningSerializer)
class ScreeningViewSet(WritableRecordViewSet):
    serializer_class = ScreeningSerializer
    kind = "screening"
    input_serializer = ScreeningInput
    child_path = "child"
    related = ("referral",)
    refs = {"child_id": "child", "referral_id": "referral", "person_id": "person"}

    def get_serializer_context(self) -> dict[str, Any]:
        people: list[set[str]] = []

        def part2_people() -> set[str]:  # whose Part 2 records the caller opens, read once
            if not people:
                people.append(
                    set(part2_people_visible_to(self.user).values_list("person_id", flat=True))
                )
            return people[0]

        return {**super().get_serializer_context(), "part2_people": part2_people}

    def case_id_of_input(self, data: dict[str, Any]) -> str:
        """The case named, or else the child's: a screening names its child (`child_id`), as
        the data package's screenings.csv does."""
        if data.get("case_id"):
            return data["case_id"]
        if not data.get("child_id"):
            raise ValidationError(
                {"child_id": ["Name the child screened, or the case for a parent's screening."]}
            )
        try:
            found = access_child(self.user, data["child_id"])
        except Http404:
            raise ValidationError({"child_id": ["No child with this id in this family."]}) from None
        return found.record.case_id

    def create_record(self, access, kwargs):
        return self.call(services.screening_record, case=access.case, **kwargs)

    def update_record(self, access, record, kwargs):
        return self.call(services.screening_update, screening=record, **kwargs)


@extend_schema(request=ServiceInput, responses=ServiceSerializer)
class ServiceViewSet(WritableRecordViewSet):
    serializer_class = ServiceSerializer
    kind = "service"
    input_serializer = ServiceInput
    child_path = "child"
    refs = {"child_id": "child", "goal_id": "goal", "person_id": "person"}

    def create_record(self, access, kwargs):
        return self.call(services.service_refer, case=access.case, **kwargs)

    def update_record(self, access, record, kwargs):
        return self.call(services.service_update, service=record, **kwargs)


@extend_schema(request=GoalInput, responses=GoalSerializer)
class GoalViewSet(WritableRecordViewSet):
    serializer_class = GoalSerializer
    kind = "goal"
    input_serializer = GoalInput
    child_path = "child"
    refs = {"child_id": "child", "assessment_id": "assessment"}

    def create_record(self, access, kwargs):
        return self.call(services.goal_create, case=access.case, **kwargs)

    def update_record(self, access, record, kwargs):
        return self.call(services.goal_update, goal=record, **kwargs)


@extend_schema(request=AssessmentInput, responses=AssessmentSerializer)
class AssessmentViewSet(WritableRecordViewSet):
    serializer_class = AssessmentSerializer
    kind = "assessment"
    input_serializer = AssessmentInput
    child_path = "child"
    related = ("clinician",)
    refs = {"child_id": "child", "caregiver_id": "caregiver"}
    updatable = False

    def access_for_write(self, case_id: str) -> CaseAccess:
        access = require(super().access_for_write(case_id), "can_write_assessment")
        return access

    def create_record(self, access, kwargs):
        return self.call(services.assessment_record, case=access.case, **kwargs)


@extend_schema(request=PermanencyPlanInput)
class PermanencyPlanViewSet(ReadPermanencyPlanViewSet):
    """Read as before; POST adds a plan from a date (primary and concurrent goal, and why it
    changed). Plans are never edited: the history is kept."""

    def get_serializer_class(self):
        if self.request is not None and self.request.method == "POST":
            return PermanencyPlanInput
        return super().get_serializer_class()

    def record_serializer(self):
        return self.serializer_class

    def create(self, request, *args, **kwargs):
        given = PermanencyPlanInput(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        child_id = data.pop("child_id")
        try:
            access, child = access_child(self.user, child_id, write=True)
        except Http404:  # a child the caller may not see is, for them, no child at all
            raise ValidationError({"child_id": ["No child with this id."]}) from None
        child.case = access.case
        try:
            plan = case_services.permanency_plan_change(
                actor=self.user,
                child=child,
                request=request._request,
                reason=data.pop("reason", ""),
                **data,
            )
        except DjangoValidationError as exc:
            raise ValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else exc.messages
            ) from exc
        return Response(self.serialize([plan])[0], status=status.HTTP_201_CREATED)


# --- Sessions of a service (issue 22 item 3) --------------------------------------------------


class ServiceSessionSerializer(Part2Notice, RecordSerializer):
    service_id = ref()
    case_id = ref("service.case_id")
    needs_outreach = serializers.BooleanField(read_only=True)
    redisclosure_notice = serializers.SerializerMethodField()

    def is_part2(self, record: Any) -> bool:
        return record.service.service_type in PART2_SERVICE_TYPES

    class Meta:
        model = ServiceSession
        fields = [
            "id",
            "service_id",
            "case_id",
            "held_on",
            "attendance",
            "caregiver",
            "minutes",
            "note",
            "outreach_done_on",
            "needs_outreach",
            "redisclosure_notice",
        ]


class ServiceSessionInput(serializers.Serializer):
    id = id_field(required=False, help_text=ID_HELP)
    service_id = _id(help_text="The service (on the case plan) the session belongs to.")
    held_on = serializers.DateField()
    attendance = _code(SessionAttendance.choices)
    caregiver = _code(
        SessionCaregiver.choices,
        required=False,
        allow_null=True,
        help_text="For dyadic work: who took part.",
    )
    minutes = serializers.IntegerField(min_value=1, max_value=1440, required=False, allow_null=True)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, allow_null=True)
    outreach_done_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="After a missed session: the day the team reached out (PATCH).",
    )


@extend_schema(request=ServiceSessionInput, responses=ServiceSessionSerializer)
class ServiceSessionViewSet(WritableRecordViewSet):
    """Sessions of a service as it is delivered: read by whoever reads the service (a Part 2
    service's sessions under its release, with the redisclosure notice), logged and changed by
    the case's writers. `?case=` lists a family's sessions."""

    serializer_class = ServiceSessionSerializer
    kind = "service_session"
    input_serializer = ServiceSessionInput
    case_path = "service__case"
    related = ("service",)

    def create(self, request, *args, **kwargs):
        given = ServiceSessionInput(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        try:
            found = access_service(self.user, data.pop("service_id"))
        except Http404:  # a service the caller may not see is, for them, no service at all
            raise ValidationError(
                {"service_id": ["No service with this id in the families you see."]}
            ) from None
        require(found.access, "can_write")
        if data.pop("outreach_done_on", None) is not None:
            raise ValidationError(
                {"outreach_done_on": ["Log the session first, then mark its outreach done."]}
            )
        service = found.record
        service.case = found.access.case
        session = self.call(services.service_session_log, service=service, **data)
        fresh = self.get_queryset().get(pk=session.pk)
        return self.written(fresh, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        record = self.get_object()
        access = self.access_for_write(record.service.case_id)
        given = ServiceSessionInput(data=request.data, partial=partial)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        if data.pop("service_id", record.service_id) != record.service_id:
            raise ValidationError({"service_id": ["A session cannot move to another service."]})
        if data.pop("id", record.pk) != record.pk:
            raise ValidationError({"id": ["A record keeps its id."]})
        session = ServiceSession.objects.select_related("service__case__site").get(pk=record.pk)
        session.service.case = access.case
        outreach = data.pop("outreach_done_on", None)
        if data:
            self.call(services.service_session_update, session=session, **data)
        if outreach is not None:
            self.call(services.service_session_outreach_done, session=session, done_on=outreach)
        fresh = self.get_queryset().get(pk=record.pk)
        return self.written(fresh, status.HTTP_200_OK)
