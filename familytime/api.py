"""/api/v1/family-time/: family-time visits (DATA_PACKAGE.md family_time.csv)."""

from cases.api.base import CaseRecordViewSet, RecordSerializer, ref
from familytime.models import Visit


class VisitSerializer(RecordSerializer):
    child_id = ref()
    case_id = ref("child.case_id")
    guarded_fields = {"observations": "can_see_visit_observations"}

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
        ]


class VisitViewSet(CaseRecordViewSet):
    serializer_class = VisitSerializer
    case_path = "child__case"
    child_path = "child"
