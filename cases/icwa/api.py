"""/api/v1/tribe-notices/: ICWA notice to each tribe involved with a child (README "ICWA and
relatives"). Read by everyone who may see the case as a professional (a parent reads none:
`cases.access.RECORD_TYPES["tribe_notice"]` has no parent rows), written with POST and PATCH
by the case's writers (`cases.api.writes`). A relative's notice is the person's `notified_on`
(/api/v1/people/); the court's active-efforts finding is the hearing's `active_efforts`
(/api/v1/hearings/)."""

from rest_framework import serializers

from cases import models as m
from cases.api.base import RecordSerializer, ref
from cases.api.writes import ID_HELP, RecordWriteViewSet, id_field, ref_id, text, write_schema
from cases.icwa import services


class TribeNoticeSerializer(RecordSerializer):
    child_id = ref()
    case_id = ref("child.case_id")

    class Meta:
        model = m.TribeNotice
        fields = [
            "id",
            "child_id",
            "case_id",
            "tribe",
            "notice_sent_on",
            "response_on",
            "response",
        ]


class TribeNoticeWrite(serializers.Serializer):
    id = id_field(required=False, help_text=ID_HELP)
    child_id = ref_id()
    tribe = serializers.CharField(max_length=200)
    notice_sent_on = serializers.DateField(
        required=False, allow_null=True, help_text="The day the notice was sent; null: not yet."
    )
    response_on = serializers.DateField(
        required=False, allow_null=True, help_text="The day the tribe answered; null: pending."
    )
    response = text(500)


class TribeNoticeChange(TribeNoticeWrite):
    child_id = ref_id(required=False)
    tribe = serializers.CharField(max_length=200, required=False)


@write_schema
class TribeNoticeViewSet(RecordWriteViewSet):
    """ICWA: a tribe a child is or may be a member of, the day notice was sent to it and the
    day it answered."""

    serializer_class = TribeNoticeSerializer
    create_serializer = TribeNoticeWrite
    update_serializer = TribeNoticeChange
    case_path = "child__case"
    child_path = "child"
    kind = "tribe_notice"
    parent = ("child_id", "child")

    def create_record(self, access, parent, kwargs):
        return self.call(services.tribe_notice_record, child=parent, **kwargs)

    def update_record(self, access, record, kwargs):
        record.child.case = access.case
        return self.call(services.tribe_notice_update, notice=record, **kwargs)
