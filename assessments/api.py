"""/api/v1/screenings/ and /api/v1/services/ (DATA_PACKAGE.md screenings.csv, services.csv).

Substance-use screenings and substance-use treatment services are 42 CFR Part 2 records: they
are absent for a viewer without a consent in force for their role (`CaseAccess.can_see_part2`).
"""

from django.db.models import Q

from assessments.models import Screening, Service
from cases.api.base import CaseRecordViewSet, RecordSerializer, ref
from cases.selectors import part2_cases_visible_to
from safebabies import codes


class ScreeningSerializer(RecordSerializer):
    child_id = ref(null=True)
    case_id = ref()

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
        ]


class ServiceSerializer(RecordSerializer):
    case_id = ref()
    child_id = ref(null=True)

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
        ]


class ScreeningViewSet(CaseRecordViewSet):
    serializer_class = ScreeningSerializer
    child_path = "child"

    def restrict(self, queryset):
        return queryset.filter(
            ~Q(instrument=codes.Instrument.SUBSTANCE_USE)
            | Q(case__in=part2_cases_visible_to(self.request.user))
        )


class ServiceViewSet(CaseRecordViewSet):
    serializer_class = ServiceSerializer
    child_path = "child"

    def restrict(self, queryset):
        return queryset.filter(
            ~Q(service_type=codes.ServiceType.SUBSTANCE_USE_TREATMENT)
            | Q(case__in=part2_cases_visible_to(self.request.user))
        )
