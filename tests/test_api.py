"""The REST API's case records (INTERFACES.md "HTTP"): who sees which rows and fields, the
`?case=` / `?child=` filters, pagination, the audit trail, a constant number of queries per
list, the family-team endpoint, the audit-event endpoint and the OpenAPI schema and docs."""

import datetime as dt
import re
from io import StringIO
from types import SimpleNamespace

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from cases.access import (
    access_case,
    case_access_map,
    cases_visible_to,
    ftm_cases_visible_to,
    part2_cases_visible_to,
)
from cases.models import Consent, TeamMember
from safebabies.audit.models import AuditEvent
from safebabies.identity.models import ApiToken
from tests import factories as f

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)  # 09:00 in the site's America/Chicago
TODAY = dt.date(2026, 11, 23)

ENDPOINTS = f.API_RECORD_ATTRS
PERSONAS = [
    "coordinator",
    "site_admin",
    "caseworker",
    "clinician",
    "parent_attorney",
    "parent_mentor",
    "judge",
    "other_caseworker",
    "sit_member",
    "outsider",
]


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def bearer(user) -> APIClient:
    """An API client signed in with a bearer token of `user`."""
    raw, key_hash = ApiToken.new_key()
    ApiToken.objects.create(
        user=user, key_hash=key_hash, expires_at=timezone.now() + dt.timedelta(hours=1)
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.fixture
def as_(request):
    """`as_("judge")`: an API client signed in as that persona."""
    return lambda persona: bearer(request.getfixturevalue(persona))


def another_family(site) -> SimpleNamespace:
    """A family at `site` with nobody on its team (coordinators and judges see it)."""
    case = f.CaseFactory(site=site)
    child = f.ChildFactory(case=case)
    parent = f.PersonFactory(case=case)
    episode = f.EpisodeFactory(child=child)
    return f.add_records(case, child, parent, episode)


@pytest.fixture
def records(family):
    return f.add_records(family, family.test_child, family.test_parent, family.test_episode)


def ids(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def part2_consent(case, person, role, **dates):
    return Consent.objects.create(
        confirmed_at=f.CONFIRMED,
        case=case,
        person=person,
        category=Consent.Category.SUBSTANCE_USE_TREATMENT,
        recipient_role=role,
        granted_on=dates.get("granted_on", dt.date(2026, 3, 1)),
        expires_on=dates.get("expires_on", dt.date(2027, 3, 1)),
        revoked_on=dates.get("revoked_on"),
    )


# --- Who sees which rows ----------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("persona", ["outsider", "other_caseworker", "sit_member"])
def test_people_off_the_case_get_404_and_an_empty_list(as_, records, endpoint, persona):
    client = as_(persona)
    record = getattr(records, ENDPOINTS[endpoint])
    assert client.get(f"/api/v1/{endpoint}/").json()["results"] == []
    assert client.get(f"/api/v1/{endpoint}/{record.id}/").status_code == 404


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_national_staff_see_no_record(site, records, endpoint):
    national = f.UserFactory(email="national@zerotothree.example.org")
    f.MembershipFactory(user=national, site=site, role="national")
    client = bearer(national)
    record = getattr(records, ENDPOINTS[endpoint])
    assert client.get(f"/api/v1/{endpoint}/").json()["count"] == 0
    assert client.get(f"/api/v1/{endpoint}/{record.id}/").status_code == 404


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("persona", ["coordinator", "site_admin", "caseworker", "clinician"])
def test_the_family_team_reads_every_record(as_, records, endpoint, persona):
    client = as_(persona)
    record = getattr(records, ENDPOINTS[endpoint])
    assert record.id in ids(client.get(f"/api/v1/{endpoint}/"))
    response = client.get(f"/api/v1/{endpoint}/{record.id}/")
    assert response.status_code == 200
    assert response.json()["id"] == record.id


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_the_api_needs_a_sign_in(records, endpoint):
    record = getattr(records, ENDPOINTS[endpoint])
    assert APIClient().get(f"/api/v1/{endpoint}/").status_code == 401
    assert APIClient().get(f"/api/v1/{endpoint}/{record.id}/").status_code == 401


# Writes have their own tests: tests/test_api_writes.py (the package's tables),
# tests/test_ftm_api.py, tests/test_assessments_api.py, tests/test_family_time_api.py.


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_case_records_are_never_deleted_through_the_api(as_, records, endpoint):
    client = as_("coordinator")
    record = getattr(records, ENDPOINTS[endpoint])
    assert client.delete(f"/api/v1/{endpoint}/{record.id}/").status_code == 405
    assert client.delete(f"/api/v1/{endpoint}/").status_code == 405


def test_a_record_id_with_dots_is_found(as_, family):
    child = f.ChildFactory(case=family, id="north.child-0001")
    response = as_("coordinator").get(f"/api/v1/children/{child.id}/")
    assert response.status_code == 200
    assert response.json()["id"] == "north.child-0001"


def test_a_removed_team_member_loses_the_records_at_once(as_, records, caseworker):
    client = as_("caseworker")
    assert client.get(f"/api/v1/children/{records.child.id}/").status_code == 200
    TeamMember.objects.filter(user=caseworker).update(removed_at=timezone.now())
    assert client.get(f"/api/v1/children/{records.child.id}/").status_code == 404


# --- Who sees which fields and rows of a case -------------------------------------------------


def test_parent_mentor_gets_no_notes_observations_address_or_contact_details(as_, records):
    client = as_("parent_mentor")
    ftm = client.get(f"/api/v1/ftms/{records.ftm.id}/").json()
    assert "notes" not in ftm
    assert ftm["parent_attended"] is True
    assert "observations" not in client.get(f"/api/v1/family-time/{records.visit.id}/").json()
    placement = client.get(f"/api/v1/placements/{records.placement.id}/").json()
    assert "address" not in placement
    assert placement["setting"] == "relative_foster"
    person = client.get(f"/api/v1/people/{records.parent.id}/").json()
    assert not {"phone", "email", "address"} & set(person)
    # the same rules on the lists
    assert all("notes" not in row for row in client.get("/api/v1/ftms/").json()["results"])
    rows = client.get("/api/v1/family-time/").json()["results"]
    assert rows and all("observations" not in row for row in rows)
    # and the parent mentor does see the action items (DOMAIN.md)
    assert records.action_item.id in ids(client.get("/api/v1/ftm-action-items/"))


def test_family_team_gets_notes_observations_address_and_contact_details(as_, records):
    client = as_("caseworker")
    assert client.get(f"/api/v1/ftms/{records.ftm.id}/").json()["notes"] == records.ftm.notes
    visit = client.get(f"/api/v1/family-time/{records.visit.id}/").json()
    assert visit["observations"] == records.visit.observations
    placement = client.get(f"/api/v1/placements/{records.placement.id}/").json()
    assert placement["address"] == "12 Elm Street"
    person = client.get(f"/api/v1/people/{records.parent.id}/").json()
    assert (person["phone"], person["email"], person["address"]) == (
        "555-0100",
        "parent@example.org",
        "3 Oak Road",
    )


def test_judge_gets_no_ftm_or_action_item_at_all(as_, records):
    client = as_("judge")
    assert client.get("/api/v1/ftms/").json()["count"] == 0
    assert client.get(f"/api/v1/ftms/{records.ftm.id}/").status_code == 404
    assert client.get("/api/v1/ftm-action-items/").json()["count"] == 0
    assert client.get(f"/api/v1/ftm-action-items/{records.action_item.id}/").status_code == 404


def test_judge_reads_hearings_but_no_observations_or_contact_details(as_, records):
    client = as_("judge")
    assert records.hearing.id in ids(client.get("/api/v1/hearings/"))
    assert "observations" not in client.get(f"/api/v1/family-time/{records.visit.id}/").json()
    person = client.get(f"/api/v1/people/{records.parent.id}/").json()
    assert not {"phone", "email", "address"} & set(person)


def test_parent_attorney_gets_no_placement_address(as_, records):
    placement = as_("parent_attorney").get(f"/api/v1/placements/{records.placement.id}/").json()
    assert "address" not in placement


@pytest.mark.parametrize(
    ("endpoint", "part2", "other"),
    [("screenings", "part2_screening", "screening"), ("services", "part2_service", "service")],
)
def test_part2_rows_are_hidden_without_a_consent(as_, records, endpoint, part2, other):
    client = as_("caseworker")
    hidden = getattr(records, part2).id
    assert ids(client.get(f"/api/v1/{endpoint}/")) == {getattr(records, other).id}
    assert client.get(f"/api/v1/{endpoint}/{hidden}/").status_code == 404


@pytest.mark.parametrize(
    ("endpoint", "part2"),
    [("screenings", "part2_screening"), ("services", "part2_service")],
)
def test_part2_rows_are_shown_with_a_consent_for_the_viewers_role(as_, records, endpoint, part2):
    part2_consent(records.case, records.parent, "caseworker")
    shown = getattr(records, part2).id
    assert shown in ids(as_("caseworker").get(f"/api/v1/{endpoint}/"))
    assert as_("caseworker").get(f"/api/v1/{endpoint}/{shown}/").status_code == 200
    # a consent for caseworkers is not a consent for the clinician or the judge
    assert shown not in ids(as_("clinician").get(f"/api/v1/{endpoint}/"))
    assert as_("judge").get(f"/api/v1/{endpoint}/{shown}/").status_code == 404


@pytest.mark.parametrize(
    "dates",
    [
        {"expires_on": dt.date(2026, 11, 22)},  # expired yesterday
        {"revoked_on": dt.date(2026, 11, 1)},
        {"granted_on": dt.date(2026, 11, 24), "expires_on": dt.date(2027, 1, 1)},  # not yet
    ],
)
def test_part2_rows_need_a_consent_in_force_today(as_, records, dates):
    part2_consent(records.case, records.parent, "caseworker", **dates)
    assert records.part2_service.id not in ids(as_("caseworker").get("/api/v1/services/"))


def test_part2_consent_for_a_family_team_role_counts(as_, records, site, other_caseworker):
    """A caseworker of the site who also holds the clinician role there and is on this
    family's team as its clinician: on this case they act as its clinician, so a consent for
    clinicians covers them and one for caseworkers does not (rights are per case; a team place
    counts only in a role they hold at the site)."""
    f.MembershipFactory(user=other_caseworker, site=site, role="clinician")
    f.TeamMemberFactory(case=records.case, user=other_caseworker, role="clinician")
    part2_consent(records.case, records.parent, "caseworker")
    fresh = type(other_caseworker).objects.get(pk=other_caseworker.pk)
    assert not access_case(fresh, records.case.id).can_see_part2()
    assert records.part2_screening.id not in ids(as_("other_caseworker").get("/api/v1/screenings/"))
    part2_consent(records.case, records.parent, "clinician")
    assert access_case(fresh, records.case.id).can_see_part2()
    assert records.part2_screening.id in ids(as_("other_caseworker").get("/api/v1/screenings/"))


def test_part2_consent_on_one_case_does_not_open_another(as_, records, site, caseworker):
    other = another_family(site)
    f.TeamMemberFactory(case=other.case, user=caseworker, role="caseworker")
    part2_consent(records.case, records.parent, "caseworker")
    shown = ids(as_("caseworker").get("/api/v1/services/"))
    assert records.part2_service.id in shown
    assert other.part2_service.id not in shown
    assert other.service.id in shown


# --- The bulk access selectors agree with access_case -----------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_bulk_selectors_agree_with_access_case(request, records, persona):
    from django.http import Http404

    part2_consent(records.case, records.parent, "clinician")
    user = request.getfixturevalue(persona)
    fresh = type(user).objects.get(pk=user.pk)
    access_map = case_access_map(fresh, [records.case.id])
    try:
        access = access_case(fresh, records.case.id)
    except Http404:
        assert access_map == {}
        assert not ftm_cases_visible_to(fresh).exists()
        assert not part2_cases_visible_to(fresh).exists()
        return
    assert access_map[records.case.id].roles == access.roles
    assert ftm_cases_visible_to(fresh).filter(pk=records.case.id).exists() == access.can_see_ftms
    in_part2 = part2_cases_visible_to(fresh).filter(pk=records.case.id).exists()
    assert in_part2 == access.can_see_part2()


def test_case_access_map_takes_two_queries_for_many_cases(
    records, site, coordinator, django_assert_num_queries
):
    cases = [records.case.id] + [another_family(site).case.id for _ in range(3)]
    user = type(coordinator).objects.get(pk=coordinator.pk)
    list(cases_visible_to(user))  # the site roles are read once per user
    with django_assert_num_queries(2):
        access = case_access_map(user, cases)
    assert set(access) == set(cases)


# --- Fields: the data package's names and codes -----------------------------------------------


def test_records_use_the_data_package_field_names(as_, records):
    client = as_("coordinator")
    case = client.get(f"/api/v1/cases/{records.case.id}/").json()
    assert case == {
        "id": records.case.id,
        "site": "north",
        "name": "Rivera family",
        "opened_on": "2026-03-02",
        "closed_on": None,
        "enrollment": "out_of_home",
    }
    child = client.get(f"/api/v1/children/{records.child.id}/").json()
    assert child["case_id"] == records.case.id
    assert child["birth_date"] == "2025-06-10"
    assert child["race"] == [] and child["hispanic"] is None and child["icwa"] == "unknown"
    assert child["age_months"] == 17
    assert {"given_name", "family_name", "docket_number", "enrolled_on", "exited_on", "sex"} <= set(
        child
    )
    episode = client.get(f"/api/v1/episodes/{records.episode.id}/").json()
    assert episode == {
        "id": records.episode.id,
        "child_id": records.child.id,
        "case_id": records.case.id,
        "removal_date": "2026-03-01",
        "manner": "court_ordered",
        "reasons": ["neglect"],
        "discharge_date": None,
        "discharge_reason": None,
    }
    plan = client.get(f"/api/v1/permanency-plans/{records.plan.id}/").json()
    assert (plan["primary_goal"], plan["concurrent_goal"]) == ("reunification", "relative")
    assert {"child_id", "effective_date", "reason"} <= set(plan)
    hearing = client.get(f"/api/v1/hearings/{records.hearing.id}/").json()
    assert {k: hearing[k] for k in ("case_id", "hearing_type", "scheduled_on", "status")} == {
        "case_id": records.case.id,
        "hearing_type": "review",
        "scheduled_on": "2026-12-03",
        "status": "scheduled",
    }
    assert {"starts_at", "courtroom"} <= set(hearing)
    ftm = client.get(f"/api/v1/ftms/{records.ftm.id}/").json()
    assert ftm["attendee_roles"] == ["caseworker", "parent_mentor"]
    assert ftm["parent_mentor_attended"] is None
    item = client.get(f"/api/v1/ftm-action-items/{records.action_item.id}/").json()
    assert {k: item[k] for k in ("ftm_id", "owner_role", "due_on", "completed_on", "status")} == {
        "ftm_id": records.ftm.id,
        "owner_role": "caseworker",
        "due_on": "2026-05-01",
        "completed_on": None,
        "status": "open",
    }
    visit = client.get(f"/api/v1/family-time/{records.visit.id}/").json()
    assert {
        k: visit[k]
        for k in (
            "child_id",
            "status",
            "cancelled_by",
            "duration_minutes",
            "supervision",
            "location",
        )
    } == {
        "child_id": records.child.id,
        "status": "held",
        "cancelled_by": None,
        "duration_minutes": 60,
        "supervision": "supervised",
        "location": "agency",
    }
    screening = client.get(f"/api/v1/screenings/{records.screening.id}/").json()
    assert {
        k: screening[k]
        for k in (
            "child_id",
            "case_id",
            "subject",
            "instrument",
            "screened_on",
            "result",
            "referral_made",
        )
    } == {
        "child_id": records.child.id,
        "case_id": records.case.id,
        "subject": "child",
        "instrument": "asq3",
        "screened_on": "2026-03-10",
        "result": "no_concern",
        "referral_made": None,
    }
    service = client.get(f"/api/v1/services/{records.service.id}/").json()
    assert service["service_type"] == "child_parent_psychotherapy"
    assert service["evidence_based"] is True and service["status"] == "referred"
    assert {"recipient", "provider", "referred_on", "started_on", "ended_on"} <= set(service)
    report = client.get(f"/api/v1/maltreatment-reports/{records.report.id}/").json()
    assert (report["reported_on"], report["disposition"]) == ("2026-02-20", "substantiated")
    person = client.get(f"/api/v1/people/{records.parent.id}/").json()
    assert person["kind"] == "parent" and person["case_id"] == records.case.id
    assert person["relationships"] == [{"child_id": records.child.id, "kind": "mother"}]
    assert person["preferred_language"] == "English"


# --- Filters and pagination -------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_lists_filter_by_case_and_by_child(as_, records, site, endpoint):
    other = another_family(site)
    sibling = f.ChildFactory(case=records.case)
    client = as_("coordinator")
    mine, theirs = getattr(records, ENDPOINTS[endpoint]).id, getattr(other, ENDPOINTS[endpoint]).id
    both = ids(client.get(f"/api/v1/{endpoint}/"))
    assert {mine, theirs} <= both
    assert mine in ids(client.get(f"/api/v1/{endpoint}/", {"case": records.case.id}))
    assert theirs not in ids(client.get(f"/api/v1/{endpoint}/", {"case": records.case.id}))
    assert theirs in ids(client.get(f"/api/v1/{endpoint}/", {"child": other.child.id}))
    assert mine not in ids(client.get(f"/api/v1/{endpoint}/", {"child": other.child.id}))
    by_sibling = ids(client.get(f"/api/v1/{endpoint}/", {"child": sibling.id}))
    assert theirs not in by_sibling
    if endpoint in {"cases", "hearings", "ftms", "ftm-action-items", "documents"}:
        assert mine in by_sibling  # a record of the whole case belongs to each of its children
    elif endpoint != "children":
        assert mine not in by_sibling


def test_a_filter_on_a_case_the_caller_may_not_see_is_empty(as_, records):
    assert as_("outsider").get("/api/v1/children/", {"case": records.case.id}).json()["count"] == 0


def test_lists_are_paginated(as_, records, site):
    for _ in range(2):
        another_family(site)
    client = as_("coordinator")
    first = client.get("/api/v1/children/", {"page_size": 2}).json()
    assert set(first) == {"count", "next", "previous", "results"}
    assert first["count"] == 3
    assert len(first["results"]) == 2 and first["previous"] is None
    assert first["next"].startswith("http://testserver/api/v1/children/?")
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 1 and second["next"] is None and second["previous"]
    assert {r["id"] for r in first["results"]}.isdisjoint(r["id"] for r in second["results"])


# --- The audit trail --------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_detail_read_writes_one_view_event(as_, records, caseworker, endpoint):
    client = as_("caseworker")
    record = getattr(records, ENDPOINTS[endpoint])
    before = AuditEvent.objects.count()
    client.get(f"/api/v1/{endpoint}/{record.id}/")
    event = AuditEvent.objects.get(action="view", record_id=record.id)
    assert AuditEvent.objects.count() == before + 1
    assert event.actor == caseworker
    assert event.case_id == records.case.id
    assert event.site_id == records.case.site_id
    assert event.record_type == record._meta.label_lower


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_list_writes_one_event_for_the_page(as_, records, site, coordinator, endpoint):
    another_family(site)
    client = as_("coordinator")
    before = AuditEvent.objects.count()
    client.get(f"/api/v1/{endpoint}/", {"case": records.case.id})
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.actor) == ("list", coordinator)
    assert event.detail["filter"] == {"case": records.case.id}
    assert event.detail["case_ids"] == [records.case.id]
    assert event.case_id == records.case.id and event.site_id == site.id


def test_an_audit_event_carries_no_confidential_content(as_, records):
    as_("coordinator").get(f"/api/v1/ftms/{records.ftm.id}/")
    as_("coordinator").get("/api/v1/family-time/")
    for event in AuditEvent.objects.all():
        assert "housing" not in str(event.detail) and "Reached" not in str(event.detail)


# --- Query counts -----------------------------------------------------------------------------

# per list: token + user, the user's site roles, count, page, the audit event; plus the page's
# CaseAccess (2) where a field is guarded, the sites' "today" where Part 2 rows are hidden, the
# relationships of people.
LIST_QUERIES = {
    "cases": 5,
    "children": 5,
    "episodes": 5,
    "placements": 7,
    "permanency-plans": 5,
    "hearings": 7,  # the findings are guarded (not in a parent's view)
    "ftms": 8,
    "ftm-action-items": 5,
    "family-time": 7,
    "screenings": 7,  # the cases grouped by the roles one acts in (IPV screens: issue 22)
    "services": 6,
    "maltreatment-reports": 5,
    "people": 8,
    "documents": 8,  # the cases grouped by the roles one acts in; the uploader is guarded
}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_list_takes_the_same_queries_whatever_its_size(
    records, site, coordinator, endpoint, django_assert_num_queries
):
    client = bearer(coordinator)
    for families in (1, 4):
        with django_assert_num_queries(LIST_QUERIES[endpoint]):
            rows = client.get(f"/api/v1/{endpoint}/").json()["results"]
        assert len(rows) >= families
        for _ in range(3):
            another_family(site)


def test_list_querysets_refuse_lazy_loads(records, coordinator):
    """FETCH_RAISE: a relation the list did not load is an error, not a query per row."""
    from django.core.exceptions import FieldFetchBlocked

    from cases.api.views import PlacementViewSet

    records.placement.caregiver = records.parent
    records.placement.save()
    view = PlacementViewSet()
    view.request = SimpleNamespace(user=coordinator)
    placement = view.get_queryset().get(pk=records.placement.pk)
    assert placement.episode.child.case.site_id == records.case.site_id  # loaded with the row
    with pytest.raises(FieldFetchBlocked):
        placement.caregiver  # noqa: B018 - the lazy load under test


# --- The family team --------------------------------------------------------------------------


def team_url(case) -> str:
    return f"/api/v1/cases/{case.id}/team-members/"


@pytest.mark.parametrize("persona", ["coordinator", "site_admin"])
def test_coordinator_and_site_admin_put_a_site_member_on_the_team(
    as_, family, persona, other_caseworker
):
    client = as_(persona)
    response = client.post(
        team_url(family),
        {"email": "Other.Caseworker@north.example.org", "role": "caseworker"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["email"], body["role"], body["case_id"]) == (
        other_caseworker.email,
        "caseworker",
        family.id,
    )
    assert TeamMember.objects.filter(case=family, user=other_caseworker).count() == 1
    event = AuditEvent.objects.get(action="create", record_type="cases.teammember")
    assert event.case_id == family.id and event.record_id == str(body["id"])
    # and the new member reads the case at once
    assert as_("other_caseworker").get(f"/api/v1/cases/{family.id}/").status_code == 200


def test_putting_a_member_on_the_team_twice_returns_the_same_row(as_, family, other_caseworker):
    client = as_("coordinator")
    payload = {"email": other_caseworker.email, "role": "caseworker"}
    first = client.post(team_url(family), payload, format="json")
    second = client.post(team_url(family), payload, format="json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert AuditEvent.objects.filter(action="create", record_type="cases.teammember").count() == 1


@pytest.mark.parametrize(
    "persona", ["caseworker", "clinician", "parent_attorney", "parent_mentor", "judge"]
)
def test_other_roles_who_see_the_case_get_403_on_the_team(as_, family, persona, other_caseworker):
    response = as_(persona).post(
        team_url(family), {"email": other_caseworker.email, "role": "caseworker"}, format="json"
    )
    assert response.status_code == 403
    assert not TeamMember.objects.filter(user=other_caseworker).exists()


@pytest.mark.parametrize("persona", ["outsider", "other_caseworker", "sit_member"])
def test_people_off_the_case_get_404_on_the_team(as_, family, persona, other_caseworker):
    client = as_(persona)
    assert client.get(team_url(family)).status_code == 404
    payload = {"email": other_caseworker.email, "role": "caseworker"}
    assert client.post(team_url(family), payload, format="json").status_code == 404


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email": "other.caseworker@north.example.org", "role": "judge"}, "role"),
        ({"email": "other.caseworker@north.example.org", "role": "wizard"}, "role"),
        ({"email": "other.caseworker@north.example.org", "role": "clinician"}, "role"),
        ({"email": "cc@south.example.org", "role": "community_coordinator"}, "email"),
        ({"email": "nobody@north.example.org", "role": "caseworker"}, "email"),
        ({"email": "not an e-mail", "role": "caseworker"}, "email"),
        ({"role": "caseworker"}, "email"),
    ],
)
def test_team_member_errors_name_the_field(as_, family, other_caseworker, outsider, payload, field):
    response = as_("coordinator").post(team_url(family), payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert TeamMember.objects.filter(case=family).count() == 5  # the fixture's team only


def test_a_deactivated_user_cannot_be_put_on_a_team(as_, family, other_caseworker):
    other_caseworker.is_active = False
    other_caseworker.save()
    payload = {"email": other_caseworker.email, "role": "caseworker"}
    response = as_("coordinator").post(team_url(family), payload, format="json")
    assert response.status_code == 400 and "email" in response.json()


def test_a_member_with_a_deactivated_membership_cannot_be_put_on_a_team(
    as_, family, other_caseworker
):
    other_caseworker.memberships.update(is_active=False)
    payload = {"email": other_caseworker.email, "role": "caseworker"}
    response = as_("coordinator").post(team_url(family), payload, format="json")
    assert response.status_code == 400 and "email" in response.json()


@pytest.mark.parametrize("persona", ["caseworker", "parent_mentor", "judge"])
def test_who_sees_the_case_reads_its_team(as_, family, persona, caseworker):
    response = as_(persona).get(team_url(family))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 5
    assert {"email": caseworker.email, "role": "caseworker"}.items() <= next(
        row for row in body["results"] if row["email"] == caseworker.email
    ).items()


def test_the_team_list_takes_the_same_queries_whatever_its_size(
    family, site, coordinator, django_assert_num_queries
):
    client = bearer(coordinator)
    for _ in range(2):
        with django_assert_num_queries(7):
            client.get(team_url(family))
        for _ in range(3):
            user = f.UserFactory()
            f.MembershipFactory(user=user, site=site, role="clinician")
            f.TeamMemberFactory(case=family, user=user, role="clinician")


def test_team_members_api_refuses_put_and_delete(as_, family):
    client = as_("coordinator")
    assert client.put(team_url(family), {}, format="json").status_code == 405
    assert client.delete(team_url(family)).status_code == 405


# --- The audit-event endpoint -----------------------------------------------------------------


def test_site_admin_reads_the_audit_trail_of_a_case(as_, records, site_admin, caseworker):
    as_("caseworker").get(f"/api/v1/children/{records.child.id}/")
    as_("caseworker").get("/api/v1/children/")
    response = as_("site_admin").get("/api/v1/audit-events/", {"case": records.case.id})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert set(rows[0]) == {
        "id",
        "at",
        "actor",
        "action",
        "record_type",
        "record_id",
        "case_id",
        "site",
        "detail",
    }
    view = next(row for row in rows if row["action"] == "view")
    assert (view["actor"], view["record_type"], view["record_id"], view["site"]) == (
        caseworker.email,
        "cases.child",
        records.child.id,
        "north",
    )
    assert any(row["action"] == "list" for row in rows)  # the list page that showed the case


def test_audit_trail_for_a_case_includes_list_pages_that_showed_it_among_others(as_, records, site):
    other = another_family(site)
    as_("coordinator").get("/api/v1/children/")  # both families on one page
    rows = as_("site_admin").get("/api/v1/audit-events/", {"case": records.case.id}).json()
    listed = [row for row in rows["results"] if row["action"] == "list"]
    assert len(listed) == 1
    assert listed[0]["case_id"] is None or listed[0]["case_id"] == ""
    assert set(listed[0]["detail"]["case_ids"]) == {records.case.id, other.case.id}


def test_audit_trail_filters_by_actor_and_action(as_, records, caseworker, judge):
    as_("caseworker").get(f"/api/v1/children/{records.child.id}/")
    as_("judge").get(f"/api/v1/hearings/{records.hearing.id}/")
    client = as_("site_admin")
    by_judge = client.get("/api/v1/audit-events/", {"actor": judge.email}).json()["results"]
    assert by_judge and {row["actor"] for row in by_judge} == {judge.email}
    views = client.get("/api/v1/audit-events/", {"action": "view"}).json()["results"]
    assert {row["record_type"] for row in views} == {"cases.child", "cases.hearing"}


def test_audit_trail_shows_only_the_admins_own_sites(as_, records, other_site):
    south_admin = f.UserFactory(email="admin@south.example.org")
    f.MembershipFactory(user=south_admin, site=other_site, role="site_admin")
    as_("caseworker").get(f"/api/v1/children/{records.child.id}/")
    rows = bearer(south_admin).get("/api/v1/audit-events/").json()["results"]
    assert all(row["site"] == "south" for row in rows)
    assert not [row for row in rows if row["case_id"] == records.case.id]


@pytest.mark.parametrize(
    "persona", ["coordinator", "caseworker", "judge", "sit_member", "outsider"]
)
def test_only_site_admins_read_the_audit_trail(as_, records, persona):
    assert as_(persona).get("/api/v1/audit-events/").status_code == 403


def test_audit_trail_needs_a_sign_in():
    assert APIClient().get("/api/v1/audit-events/").status_code == 401


def test_nobody_changes_the_audit_trail(as_, records):
    as_("caseworker").get(f"/api/v1/children/{records.child.id}/")
    event = AuditEvent.objects.get(action="view")
    client = as_("site_admin")
    assert client.post("/api/v1/audit-events/", {}, format="json").status_code == 405
    for method in (client.put, client.patch, client.delete):
        assert method(f"/api/v1/audit-events/{event.id}/", {}, format="json").status_code == 405
    assert client.get(f"/api/v1/audit-events/{event.id}/").json()["record_id"] == records.child.id


def test_the_audit_trail_takes_the_same_queries_whatever_its_size(
    as_, records, site_admin, django_assert_num_queries
):
    client = bearer(site_admin)
    reader = as_("caseworker")
    reader.get(f"/api/v1/children/{records.child.id}/")
    for _ in range(2):
        with django_assert_num_queries(5):
            client.get("/api/v1/audit-events/")
        for _ in range(4):
            reader.get(f"/api/v1/children/{records.child.id}/")


# --- Schema and docs --------------------------------------------------------------------------


def test_schema_and_docs_need_a_sign_in(client):
    assert APIClient().get("/api/schema/").status_code in (401, 403)
    response = client.get("/api/docs/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_schema_is_openapi_3_for_a_signed_in_user(as_, coordinator):
    response = as_("coordinator").get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/cases/{id}/" in schema["paths"]
    assert "/api/v1/cases/{case_id}/team-members/" in schema["paths"]


def test_schema_validates_without_warnings():
    out = StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out, stderr=StringIO())
    assert "openapi: 3" in out.getvalue()


def test_docs_page_works_under_the_content_security_policy(client, coordinator):
    client.force_login(coordinator)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    policy = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    scripts = re.findall(r"<script([^>]*)>", html)
    assert len(scripts) == 3
    assert all(f'nonce="{nonce}"' in attributes for attributes in scripts)
    assert "<style" not in html  # style-src is 'self' only
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(src.startswith("/static/drf_spectacular_sidecar/") for src in sources)
    # no CDN host anywhere (a host, not the letters: the page's random CSRF token may hold them)
    assert not re.search(r"cdn[./-]|jsdelivr|unpkg|cdnjs", html.lower())
