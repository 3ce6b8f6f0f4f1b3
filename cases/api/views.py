"""/api/v1/cases/, /children/, /episodes/, /placements/, /permanency-plans/, /hearings/,
/maltreatment-reports/, /people/ and /cases/{case_id}/team-members/."""

from django.db import models
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response

from cases import models as m
from cases.access import access_case, case_records, records_visible_to, require
from cases.api import serializers as s
from cases.api.base import CaseRecordViewSet, page_count
from cases.services import team_member_add
from safebabies.audit.models import AuditEvent
from safebabies.audit.services import audit_log


class CaseViewSet(CaseRecordViewSet):
    serializer_class = s.CaseSerializer
    kind = "case"
    case_path = ""
    related = ("site",)


class ChildViewSet(CaseRecordViewSet):
    serializer_class = s.ChildSerializer
    kind = "child"
    child_path = ""
    related = ("case__site",)


class EpisodeViewSet(CaseRecordViewSet):
    serializer_class = s.EpisodeSerializer
    kind = "episode"
    case_path = "child__case"
    child_path = "child"


class PlacementViewSet(CaseRecordViewSet):
    serializer_class = s.PlacementSerializer
    kind = "placement"
    case_path = "episode__child__case"
    child_path = "episode__child"


class PermanencyPlanViewSet(CaseRecordViewSet):
    serializer_class = s.PermanencyPlanSerializer
    kind = "permanency_plan"
    case_path = "child__case"
    child_path = "child"


class HearingViewSet(CaseRecordViewSet):
    serializer_class = s.HearingSerializer
    kind = "hearing"


class MaltreatmentReportViewSet(CaseRecordViewSet):
    serializer_class = s.MaltreatmentReportSerializer
    kind = "maltreatment_report"
    case_path = "child__case"
    child_path = "child"


class PersonViewSet(CaseRecordViewSet):
    serializer_class = s.PersonSerializer
    kind = "person"
    prefetch = ("relationships",)

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
