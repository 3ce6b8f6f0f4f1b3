"""/api/v1/cases/, /children/, /episodes/, /placements/, /permanency-plans/, /hearings/,
/maltreatment-reports/, /people/ and /cases/{case_id}/team-members/.

Cases, children, people, episodes, placements, hearings and maltreatment reports are written
with POST and PATCH (`cases.api.writes`) by the case writers of the record's case; a case is
opened by a Community Coordinator or a site admin of its site (`site`, a slug, or else the
caller's only such site).
"""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from cases import models as m
from cases import services
from cases.access import (
    CaseAccess,
    access_case,
    case_records,
    opened_as_professional,
    records_visible_to,
    require,
    site_for_new_case,
)
from cases.api import serializers as s
from cases.api.base import CaseRecordViewSet, page_count
from cases.api.writes import RecordWriteViewSet, write_schema
from cases.hearings import services as hearing_services
from cases.selectors import SEARCH_FIELDS, rank_search, search_cases
from cases.services import team_member_add, team_member_remove
from safebabies.audit.models import AuditEvent
from safebabies.audit.services import audit_log
from safebabies.identity.selectors import roles_of


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "q",
                str,
                description="What the case list's search box searches: family name, "
                "children's names, docket number, people's names, case id (every word). "
                "Best first: the case whose id or docket number is what was typed, then "
                "where the words are whole words, then the start of one, then by name.",
            )
        ]
    )
)
@write_schema
class CaseViewSet(RecordWriteViewSet):
    """Cases. POST opens one (Community Coordinators and site admins of its site: `site`, or
    their only such site); PATCH changes its name, dates or enrollment (the case writers)."""

    serializer_class = s.CaseSerializer
    create_serializer = s.CaseWrite
    update_serializer = s.CaseChange
    kind = "case"
    case_path = ""
    related = ("site",)
    kind = "case"
    parent = ("site", "site")

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset).defer(*SEARCH_FIELDS)
        q = self.request.query_params.get("q", "").strip()[:100]
        if not q:
            return queryset
        if self.action == "list":
            services.audit_case_search(self.user, q, sorted(roles_of(self.user)), self.request)
        # only among the families the user opens as a professional (not a parent's own)
        queryset = opened_as_professional(queryset, self.user)
        return rank_search(search_cases(queryset, q), q)

    def create(self, request, *args, **kwargs):
        given = s.CaseWrite(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        try:
            site = site_for_new_case(self.user, data.pop("site", None))
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from exc
        for name in ("name", "enrollment"):
            if data.get(name) is None:
                data.pop(name, None)
        case = self.call(services.case_open, site=site, **data)
        return self.written(case, status.HTTP_201_CREATED)

    def keep_parent(self, record: Any, data: dict[str, Any]) -> None:
        if data.pop("site", record.site.slug) != record.site.slug:
            raise ValidationError({"site": ["A case stays at its site."]})

    def update_record(self, access, record, kwargs):
        if kwargs.get("name") is None:
            kwargs.pop("name", None)
        if "enrollment" in kwargs and not kwargs["enrollment"]:
            kwargs.pop("enrollment")
        return self.call(services.case_update, case=access.case, **kwargs)


@write_schema
class ChildViewSet(RecordWriteViewSet):
    serializer_class = s.ChildSerializer
    create_serializer = s.ChildWrite
    update_serializer = s.ChildChange
    kind = "child"
    child_path = ""
    related = ("case__site",)
    kind = "child"
    parent = ("case_id", "case")

    def create_record(self, access, parent, kwargs):
        return self.call(services.child_record, case=access.case, **kwargs)

    def update_record(self, access, record, kwargs):
        record.case = access.case
        return self.call(services.child_update, child=record, **kwargs)


@write_schema
class EpisodeViewSet(RecordWriteViewSet):
    """Removals. PATCH with `discharge_date` and `discharge_reason` discharges the child (their
    open placement ends that day); both null undoes the discharge."""

    serializer_class = s.EpisodeSerializer
    create_serializer = s.EpisodeWrite
    update_serializer = s.EpisodeChange
    kind = "episode"
    case_path = "child__case"
    child_path = "child"
    kind = "episode"
    parent = ("child_id", "child")

    def create_record(self, access, parent, kwargs):
        return self.call(services.episode_record, child=parent, **kwargs)

    def update_record(self, access, record, kwargs):
        return self.call(services.episode_update, episode=record, **kwargs)


@write_schema
class PlacementViewSet(RecordWriteViewSet):
    """Placements, each with its own dates: a move is the new placement (POST) and the end of
    the one before (PATCH `end_date`, `end_reason`)."""

    serializer_class = s.PlacementSerializer
    create_serializer = s.PlacementWrite
    update_serializer = s.PlacementChange
    kind = "placement"
    case_path = "episode__child__case"
    child_path = "episode__child"
    kind = "placement"
    parent = ("episode_id", "episode")
    refs = {"caregiver_id": ("caregiver", "person")}

    def guard(self, access: CaseAccess, data: dict[str, Any]) -> None:
        if "address" in data:
            require(access, "can_see_placement_address")

    def create_record(self, access, parent, kwargs):
        self.guard(access, kwargs)
        return self.call(services.placement_record, episode=parent, **kwargs)

    def update_record(self, access, record, kwargs):
        self.guard(access, kwargs)
        return self.call(services.placement_update, placement=record, **kwargs)


class PermanencyPlanViewSet(CaseRecordViewSet):
    serializer_class = s.PermanencyPlanSerializer
    kind = "permanency_plan"
    case_path = "child__case"
    child_path = "child"


@write_schema
class HearingViewSet(RecordWriteViewSet):
    """Hearings in any status: one to come, or what happened at one of the case's history."""

    serializer_class = s.HearingSerializer
    create_serializer = s.HearingWrite
    update_serializer = s.HearingChange
    kind = "hearing"
    parent = ("case_id", "case")

    def create_record(self, access, parent, kwargs):
        return self.call(hearing_services.hearing_record, case=access.case, **kwargs)

    def update_record(self, access, record, kwargs):
        record.case = access.case
        return self.call(hearing_services.hearing_update, hearing=record, **kwargs)


@write_schema
class MaltreatmentReportViewSet(RecordWriteViewSet):
    serializer_class = s.MaltreatmentReportSerializer
    create_serializer = s.MaltreatmentReportWrite
    update_serializer = s.MaltreatmentReportChange
    kind = "maltreatment_report"
    case_path = "child__case"
    child_path = "child"
    kind = "maltreatment_report"
    parent = ("child_id", "child")

    def create_record(self, access, parent, kwargs):
        return self.call(services.maltreatment_report_record, child=parent, **kwargs)

    def update_record(self, access, record, kwargs):
        record.child.case = access.case
        return self.call(services.maltreatment_report_update, report=record, **kwargs)


CONTACT_FIELDS = ("phone", "email", "address")


@write_schema
class PersonViewSet(RecordWriteViewSet):
    """The people of a family. Their phone, e-mail and address are written, as they are read,
    by those who may see them."""

    serializer_class = s.PersonSerializer
    create_serializer = s.PersonWrite
    update_serializer = s.PersonChange
    kind = "person"
    prefetch = ("relationships",)
    kind = "person"
    parent = ("case_id", "case")

    def person_kwargs(self, access: CaseAccess, kwargs: dict[str, Any]) -> dict[str, Any]:
        if any(name in kwargs for name in CONTACT_FIELDS):
            require(access, "can_see_contact_details")
        if "relationships" in kwargs:
            links = kwargs["relationships"] or []
            kwargs["relationships"] = {link["child_id"]: link["kind"] for link in links}
            if len(kwargs["relationships"]) != len(links):
                raise ValidationError({"relationships": ["Name each child once."]})
        return kwargs

    def create_record(self, access, parent, kwargs):
        kwargs = self.person_kwargs(access, kwargs)
        return self.call(services.person_create, case=access.case, **kwargs)

    def update_record(self, access, record, kwargs):
        kwargs = self.person_kwargs(access, kwargs)
        if "relationships" in kwargs:  # the whole list: a child left out is unlinked
            current = {link.child_id: "" for link in record.relationships.all()}
            kwargs["relationships"] = current | kwargs["relationships"]
        record.case = access.case
        return self.call(services.person_update, person=record, **kwargs)

    def filter_by_child(self, queryset, child_id):
        """The people related to this child."""
        related = records_visible_to(self.user, "relationship").filter(
            person=models.OuterRef("pk"), child_id=child_id
        )
        return queryset.filter(models.Exists(related))


class TeamMemberList(generics.ListAPIView):
    """The family team of a case: everyone who may see the case can read it; Community
    Coordinators and site admins put site members on it."""

    serializer_class = s.TeamMemberSerializer
    queryset = m.TeamMember.objects.none()  # lint-ok: empty, for the schema (rows: `members`)

    def members(self, access):
        return (
            case_records(access, "team_member")
            .filter(removed_at__isnull=True)
            .select_related("user")
            .fetch_mode(models.FETCH_RAISE)
        )

    def list(self, request, case_id: str):
        access = access_case(request.user, case_id)
        records = list(self.paginate_queryset(self.members(access)) or [])
        audit_log(
            actor=request.user,
            action=AuditEvent.Action.LIST,
            record_type="cases.teammember",
            case_id=access.case.pk,
            site_id=access.case.site_id,
            detail={"filter": {"case": case_id}, "count": page_count(self)},
            request=request._request,
        )
        return self.get_paginated_response(self.get_serializer(records, many=True).data)

    @extend_schema(
        request=s.TeamMemberAddSerializer,
        responses={200: s.TeamMemberSerializer, 201: s.TeamMemberSerializer},
    )
    def post(self, request, case_id: str):
        access = require(access_case(request.user, case_id), "can_manage_team")
        given = s.TeamMemberAddSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        member, created = team_member_add(
            actor=request.user, case=access.case, request=request._request, **given.validated_data
        )
        return Response(
            self.get_serializer(member).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class TeamMemberEnd(generics.GenericAPIView):
    """`POST /api/v1/cases/{case_id}/team-members/{member_id}/end/`: ends a place on the family
    team (Community Coordinators and site admins only), dated and audited, never deleted.
    Ending a place that already ended changes nothing."""

    serializer_class = s.TeamMemberSerializer
    queryset = m.TeamMember.objects.none()  # lint-ok: empty, for the schema

    @extend_schema(request=None, responses={200: s.TeamMemberSerializer})
    def post(self, request, case_id: str, member_id: int):
        access = require(access_case(request.user, case_id), "can_manage_team")
        member = (
            case_records(access, "team_member").select_related("user").filter(pk=member_id).first()
        )
        if member is None:
            raise Http404("Not found")
        member = team_member_remove(actor=request.user, member=member, request=request._request)
        return Response(self.get_serializer(member).data)
