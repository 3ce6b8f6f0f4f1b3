"""Case records in the data package's vocabulary (DATA_PACKAGE.md), plus a few extras."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases import models as m
from cases.access import can_see_contact_details
from cases.api.base import RecordSerializer, ref
from cases.api.writes import ID_HELP, code, codes_list, id_field, ref_id, text
from safebabies import codes
from safebabies.identity.roles import TEAM_PLACE_ROLES, Role
from safebabies.lib.dates import age_in_months
from safebabies.lib.ids import ID_MAX_LENGTH


class CaseSerializer(RecordSerializer):
    site = serializers.CharField(source="site.slug", read_only=True, help_text="The site's slug.")

    class Meta:
        model = m.Case
        fields = ["id", "site", "name", "opened_on", "closed_on", "enrollment"]


class ChildSerializer(RecordSerializer):
    case_id = ref()
    age_months = serializers.SerializerMethodField(
        help_text="Whole months of age today (site time)."
    )

    class Meta:
        model = m.Child
        fields = [
            "id",
            "case_id",
            "birth_date",
            "sex",
            "race",
            "hispanic",
            "icwa",
            "enrolled_on",
            "exited_on",
            "given_name",
            "family_name",
            "docket_number",
            "preferred_language",
            "age_months",
        ]

    @extend_schema_field(serializers.IntegerField())
    def get_age_months(self, child: m.Child) -> int:
        return age_in_months(child.birth_date, child.case.site.today())


class EpisodeSerializer(RecordSerializer):
    child_id = ref()
    case_id = ref("child.case_id")

    class Meta:
        model = m.Episode
        fields = [
            "id",
            "child_id",
            "case_id",
            "removal_date",
            "manner",
            "reasons",
            "discharge_date",
            "discharge_reason",
        ]


class PlacementSerializer(RecordSerializer):
    episode_id = ref()
    child_id = ref("episode.child_id")
    case_id = ref("episode.child.case_id")
    caregiver_id = ref(null=True)
    guarded_fields = {"address": "can_see_placement_address"}

    class Meta:
        model = m.Placement
        fields = [
            "id",
            "episode_id",
            "child_id",
            "case_id",
            "setting",
            "start_date",
            "end_date",
            "end_reason",
            "caregiver_id",
            "address",
        ]


class PermanencyPlanSerializer(RecordSerializer):
    child_id = ref()
    case_id = ref("child.case_id")

    class Meta:
        model = m.PermanencyPlan
        fields = [
            "id",
            "child_id",
            "case_id",
            "effective_date",
            "primary_goal",
            "concurrent_goal",
            "reason",
        ]


class HearingSerializer(RecordSerializer):
    case_id = ref()
    guarded_fields = {
        "findings": "can_see_hearing_findings",
        "continuance_reason": "can_see_hearing_findings",
        "active_efforts": "can_see_hearing_findings",
        "reasonable_efforts": "can_see_hearing_findings",
        "reasonable_efforts_reason": "can_see_hearing_findings",
        "permanency_goal": "can_see_hearing_findings",
        "permanency_goal_approved": "can_see_hearing_findings",
        "attendance": "can_see_hearing_findings",
    }

    class Meta:
        model = m.Hearing
        fields = [
            "id",
            "case_id",
            "hearing_type",
            "scheduled_on",
            "status",
            "starts_at",
            "courtroom",
            "continuance_reason",
            "findings",
            "active_efforts",
            "reasonable_efforts",
            "reasonable_efforts_reason",
            "permanency_goal",
            "permanency_goal_approved",
            "attendance",
        ]


class MaltreatmentReportSerializer(RecordSerializer):
    child_id = ref()
    case_id = ref("child.case_id")

    class Meta:
        model = m.MaltreatmentReport
        fields = ["id", "child_id", "case_id", "reported_on", "disposition"]


class RelationshipSerializer(RecordSerializer):
    child_id = ref()

    class Meta:
        model = m.Relationship
        fields = ["child_id", "kind"]


class PersonSerializer(RecordSerializer):
    case_id = ref()
    relationships = RelationshipSerializer(many=True, read_only=True)
    # a parent sees their own person's, nobody else's
    row_guarded_fields = {
        "phone": can_see_contact_details,
        "email": can_see_contact_details,
        "address": can_see_contact_details,
    }

    class Meta:
        model = m.Person
        fields = [
            "id",
            "case_id",
            "kind",
            "given_name",
            "family_name",
            "preferred_language",
            "race",
            "hispanic",
            "relationships",
            "phone",
            "email",
            "address",
            "notified_on",
            "family_copies",
        ]


class TeamMemberSerializer(RecordSerializer):
    case_id = ref()
    email = serializers.EmailField(source="user.email", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)
    person_id = ref(null=True)

    class Meta:
        model = m.TeamMember
        fields = [
            "id",
            "case_id",
            "email",
            "full_name",
            "role",
            "person_id",
            "phone",
            "added_at",
            "removed_at",
        ]


class TeamMemberAddSerializer(serializers.Serializer):
    """`POST /api/v1/cases/{case_id}/team-members/`: who, in which family-team role."""

    email = serializers.EmailField()
    role = serializers.ChoiceField(
        choices=[(r.value, r.label) for r in Role if r in TEAM_PLACE_ROLES],
        help_text="A family-team role the member holds at the case's site.",
    )
    person_id = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        max_length=ID_MAX_LENGTH,
        help_text='With "role": "parent": the parent among the case\'s people whose account '
        'this is (required); with "role": "parent_mentor": the parent they support (optional).',
    )
    phone = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=40,
        help_text="The number the family's team reaches them on for this family (optional).",
    )


# --- Bodies of POST and PATCH (cases.api.writes): the package's names and codes -------------


class CaseWrite(serializers.Serializer):
    id = id_field(required=False, help_text=ID_HELP)
    site = serializers.SlugField(
        required=False,
        help_text="The site's slug. Leave it out if you open cases at one site only.",
    )
    name = text(200, help_text="How the team names the family, e.g. 'Rivera family'.")
    opened_on = serializers.DateField()
    closed_on = serializers.DateField(required=False, allow_null=True)
    enrollment = code(codes.Enrollment.choices, required=False)


class CaseChange(CaseWrite):
    opened_on = serializers.DateField(required=False)


class ChildWrite(serializers.Serializer):
    id = id_field(required=False, help_text=ID_HELP)
    case_id = ref_id()
    birth_date = serializers.DateField()
    sex = code(codes.Sex.choices, required=False)
    race = codes_list(codes.Race.choices)
    hispanic = code(codes.Hispanic.choices, required=False)
    icwa = code(codes.Icwa.choices, required=False)
    enrolled_on = serializers.DateField()
    exited_on = serializers.DateField(required=False, allow_null=True)
    given_name = text(100)
    family_name = text(100)
    docket_number = text(64)
    preferred_language = text(32)


class ChildChange(ChildWrite):
    case_id = ref_id(required=False)
    birth_date = serializers.DateField(required=False)
    enrolled_on = serializers.DateField(required=False)


class RelationshipWrite(serializers.Serializer):
    child_id = ref_id()
    kind = serializers.ChoiceField(choices=m.Relationship.Kind.choices)


class PersonWrite(serializers.Serializer):
    id = id_field(required=False, help_text=ID_HELP)
    case_id = ref_id()
    kind = serializers.ChoiceField(choices=m.Person.Kind.choices)
    given_name = serializers.CharField(max_length=100)
    family_name = text(100)
    preferred_language = text(32)
    race = codes_list(codes.Race.choices)
    hispanic = code(codes.Hispanic.choices, required=False)
    relationships = RelationshipWrite(
        many=True,
        required=False,
        help_text="How the person is related to each child of the family; on PATCH the whole "
        "list (a child left out is no longer linked).",
    )
    phone = text(40)
    email = serializers.EmailField(required=False, allow_blank=True, allow_null=True)
    address = text(2000)
    notified_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="A relative: the day they were notified of the child's removal (due within "
        "30 days of it).",
    )
    family_copies = codes_list(
        m.Person.CopyChannel.choices,
        help_text="The ways this person agreed to receive each FTM's family copy (`email`, "
        "`text`, `paper`), each once; an empty list (or null): no copy.",
    )

    def validate_family_copies(self, value: list[str] | None) -> list[str] | None:
        if value is not None and len(set(value)) != len(value):
            raise serializers.ValidationError("Name each way once.")
        return value


class PersonChange(PersonWrite):
    case_id = ref_id(required=False)
    kind = serializers.ChoiceField(choices=m.Person.Kind.choices, required=False)
    given_name = serializers.CharField(max_length=100, required=False)


class EpisodeWrite(serializers.Serializer):
    id = id_field(required=False, help_text=ID_HELP)
    child_id = ref_id()
    removal_date = serializers.DateField()
    manner = code(codes.RemovalManner.choices, required=False)
    reasons = codes_list(codes.RemovalReason.choices)
    discharge_date = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="With discharge_reason: the child left care. On PATCH a discharge ends the "
        "child's open placement on the same day; null (with a null reason) undoes it.",
    )
    discharge_reason = code(codes.DischargeReason.choices, required=False)


class EpisodeChange(EpisodeWrite):
    child_id = ref_id(required=False)
    removal_date = serializers.DateField(required=False)


class PlacementWrite(serializers.Serializer):
    id = id_field(required=False, help_text=ID_HELP)
    episode_id = ref_id()
    setting = code(codes.PlacementSetting.choices)
    start_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True)
    end_reason = text(200)
    caregiver_id = ref_id(required=False, allow_null=True)
    address = text(2000)


class PlacementChange(PlacementWrite):
    episode_id = ref_id(required=False)
    setting = code(codes.PlacementSetting.choices, required=False, allow_null=False)
    start_date = serializers.DateField(required=False)


class HearingWrite(serializers.Serializer):
    id = id_field(required=False, help_text=ID_HELP)
    case_id = ref_id()
    hearing_type = code(codes.HearingType.choices)
    scheduled_on = serializers.DateField()
    status = code(codes.HearingStatus.choices, required=False, allow_null=False)
    starts_at = serializers.TimeField(required=False, allow_null=True)
    courtroom = text(100)
    continuance_reason = text(300)
    findings = text(20000)
    active_efforts = serializers.ChoiceField(
        choices=m.Hearing.ActiveEfforts.choices,
        required=False,
        allow_blank=True,
        help_text="ICWA: the court's active-efforts finding at a held hearing, where ICWA "
        "applies or there is reason to know for a child; empty: not recorded.",
    )
    reasonable_efforts = serializers.BooleanField(
        required=False, allow_null=True, help_text="Reasonable efforts made (a held hearing)."
    )
    reasonable_efforts_reason = text(500, help_text="Why, with `reasonable_efforts`.")
    permanency_goal = code(
        codes.PermanencyGoal.choices,
        required=False,
        help_text="The permanency goal the court considered.",
    )
    permanency_goal_approved = serializers.BooleanField(
        required=False, allow_null=True, help_text="Whether the court approved it."
    )
    attendance = codes_list(
        codes.HearingAttendee.choices, help_text="Who was at the hearing, by role."
    )


class HearingChange(HearingWrite):
    case_id = ref_id(required=False)
    hearing_type = code(codes.HearingType.choices, required=False, allow_null=False)
    scheduled_on = serializers.DateField(required=False)


class MaltreatmentReportWrite(serializers.Serializer):
    id = id_field(required=False, help_text=ID_HELP)
    child_id = ref_id()
    reported_on = serializers.DateField()
    disposition = code(codes.MaltreatmentDisposition.choices)


class MaltreatmentReportChange(MaltreatmentReportWrite):
    child_id = ref_id(required=False)
    reported_on = serializers.DateField(required=False)
    disposition = code(codes.MaltreatmentDisposition.choices, required=False, allow_null=False)
