"""The access module's table of record types (`cases.access.RECORD_TYPES`), one kind at a time:
every kind is reached through its case, with the same answers for everyone (the permission
matrix asks the pages and the API; this asks the module's own functions)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from cases import access as acc
from tests import factories as f

# kind -> the attribute of `add_records`'s answer (or of the family) holding one of its records
KIND_RECORDS = {
    "child": "child",
    "person": "parent",
    "episode": "episode",
    "placement": "placement",
    "permanency_plan": "plan",
    "hearing": "hearing",
    "maltreatment_report": "report",
    "ftm": "ftm",
    "action_item": "action_item",
    "visit": "visit",
    "screening": "screening",
    "service": "service",
    "document": "order_document",
}
NAMED = {
    "child": acc.access_child,
    "person": acc.access_person,
    "hearing": acc.access_hearing,
    "ftm": acc.access_ftm,
    "action_item": acc.access_action_item,
    "visit": acc.access_visit,
    "screening": acc.access_screening,
    "service": acc.access_service,
    "document": acc.access_document,
}


@pytest.fixture
def records(family):
    return f.add_records(family, family.test_child, family.test_parent, family.test_episode)


@pytest.mark.parametrize("kind", sorted(KIND_RECORDS))
def test_every_kind_opens_for_the_team_and_is_a_404_for_everyone_else(
    kind, records, caseworker, other_caseworker, outsider, sit_member
):
    record = getattr(records, KIND_RECORDS[kind])
    found = acc.access_record(caseworker, kind, record.pk, write=True)
    assert found.record.pk == record.pk
    assert found.access.case.pk == records.case.pk
    for stranger in (other_caseworker, outsider, sit_member):
        with pytest.raises(Http404):
            acc.access_record(stranger, kind, record.pk)
    with pytest.raises(Http404):  # a missing id: the same answer
        acc.access_record(caseworker, kind, "no-such-record")


@pytest.mark.parametrize("kind", sorted(NAMED))
def test_each_named_access_function_is_its_kind(kind, records, caseworker, outsider):
    record = getattr(records, KIND_RECORDS[kind])
    assert NAMED[kind](caseworker, record.pk).record.pk == record.pk
    with pytest.raises(Http404):
        NAMED[kind](outsider, record.pk)


def test_a_read_only_role_gets_a_403_on_write(records, parent_attorney):
    assert acc.access_child(parent_attorney, records.child.pk).record.pk == records.child.pk
    with pytest.raises(PermissionDenied):
        acc.access_child(parent_attorney, records.child.pk, write=True)


def test_the_court_sees_no_ftm_record(records, judge):
    assert acc.access_hearing(judge, records.hearing.pk).record.pk == records.hearing.pk
    for kind in ("ftm", "action_item"):
        with pytest.raises(Http404):
            acc.access_record(judge, kind, getattr(records, KIND_RECORDS[kind]).pk)


def test_part2_rows_need_a_consent_covering_the_viewer(records, caseworker):
    for kind, record in (
        ("service", records.part2_service),
        ("screening", records.part2_screening),
    ):
        with pytest.raises(Http404):
            acc.access_record(caseworker, kind, record.pk)
        access = acc.access_case(caseworker, records.case.pk)
        assert acc.case_record(access, kind, record.pk) is None
        assert record.pk not in set(acc.case_records(access, kind).values_list("pk", flat=True))


def test_a_record_of_another_case_than_the_url_is_a_404(records, caseworker, site):
    other = f.CaseFactory(site=site)
    f.TeamMemberFactory(case=other, user=caseworker, role="caseworker")
    with pytest.raises(Http404):
        acc.access_hearing(caseworker, records.hearing.pk, in_case=other.pk)
    found = acc.access_hearing(caseworker, records.hearing.pk, in_case=records.case.pk)
    assert found.record.pk == records.hearing.pk


def test_a_missing_right_is_a_403_naming_it(records, caseworker, clinician):
    access = acc.access_case(caseworker, records.case.pk)
    with pytest.raises(PermissionDenied, match="written by the clinician"):
        acc.require(access, "can_write_assessment")
    assert acc.require(acc.access_case(clinician, records.case.pk), "can_write_assessment")
