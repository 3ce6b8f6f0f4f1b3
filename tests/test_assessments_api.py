"""The case plan's API (issue 4): /api/v1/screenings/, /services/, /goals/, /assessments/ and
/permanency-plans/ — writable for the case's writers, in the data package's vocabulary, with
errors naming the field, and the Part 2 and narrative rules on every read."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from assessments.models import Assessment, Goal, Screening, Service
from cases.models import PermanencyPlan
from safebabies.audit.models import AuditEvent
from safebabies.identity.models import ApiToken
from tests import factories as f
from tests import factories as h

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(h.CASE_PLAN_NOW, tick=False):
        yield


def bearer(user) -> APIClient:
    raw, key_hash = ApiToken.new_key()
    ApiToken.objects.create(
        user=user, key_hash=key_hash, expires_at=timezone.now() + dt.timedelta(hours=1)
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.fixture
def as_(request):
    return lambda persona: bearer(request.getfixturevalue(persona))


def referral(family, **extra):
    return {
        "case_id": family.pk,
        "child_id": family.test_child.pk,
        "recipient": "dyad",
        "service_type": "child_parent_psychotherapy",
        "provider": "Bright Start",
        "evidence_based": True,
        "referred_on": "2026-11-02",
        "status": "referred",
        **extra,
    }


# --- Services ------------------------------------------------------------------------------


def test_caseworker_posts_a_referral_in_the_package_vocabulary(as_, family, caseworker):
    response = as_("caseworker").post("/api/v1/services/", referral(family), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    service = Service.objects.get()
    assert body["id"] == service.pk
    assert {k: body[k] for k in ("case_id", "child_id", "service_type", "status", "barrier")} == {
        "case_id": family.pk,
        "child_id": family.test_child.pk,
        "service_type": "child_parent_psychotherapy",
        "status": "referred",
        "barrier": None,
    }
    assert AuditEvent.objects.filter(
        actor=caseworker, action=AuditEvent.Action.CREATE, record_id=service.pk
    ).exists()


def test_a_service_cannot_start_before_it_was_referred(as_, family):
    response = as_("caseworker").post(
        "/api/v1/services/",
        referral(family, started_on="2026-11-01", status="active"),
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"started_on": ["A service cannot start before it was referred."]}
    assert not Service.objects.exists()


def test_codes_come_from_the_data_package_only(as_, family):
    response = as_("caseworker").post(
        "/api/v1/services/", referral(family, service_type="visitation"), format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["service_type"]
    response = as_("caseworker").post(
        "/api/v1/services/", referral(family, barrier="weather"), format="json"
    )
    assert list(response.json()) == ["barrier"]
    assert not Service.objects.exists()


def test_a_child_of_another_case_is_refused_on_child_id(as_, family, site):
    stranger = f.ChildFactory(case=f.CaseFactory(site=site))
    response = as_("caseworker").post(
        "/api/v1/services/", referral(family, child_id=stranger.pk), format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["child_id"]


def test_outsiders_get_404_and_read_only_roles_403_on_writes(as_, family):
    body = referral(family)
    for persona in ("outsider", "other_caseworker"):
        assert as_(persona).post("/api/v1/services/", body, format="json").status_code == 404
    for persona in ("judge", "parent_attorney", "parent_mentor"):
        assert as_(persona).post("/api/v1/services/", body, format="json").status_code == 403
    assert not Service.objects.exists()


def test_caseworker_marks_a_referral_started_two_weeks_later(as_, family):
    service = h.ServiceFactory(
        case=family, child=family.test_child, referred_on=dt.date(2026, 11, 2)
    )
    response = as_("caseworker").patch(
        f"/api/v1/services/{service.pk}/",
        {"status": "active", "started_on": "2026-11-16"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "active"
    service.refresh_from_db()
    assert (service.status, service.started_on) == ("active", dt.date(2026, 11, 16))


def test_patch_rules_follow_access(as_, family, site):
    service = h.ServiceFactory(case=family)
    url = f"/api/v1/services/{service.pk}/"
    assert as_("judge").patch(url, {"provider": "X"}, format="json").status_code == 403
    assert as_("outsider").patch(url, {"provider": "X"}, format="json").status_code == 404
    assert as_("caseworker").delete(url).status_code == 405
    response = as_("caseworker").patch(url, {"case_id": "elsewhere"}, format="json")
    assert list(response.json()) == ["case_id"]
    service.refresh_from_db()
    assert service.provider == "Housing navigators"


def test_active_without_a_start_date_names_started_on(as_, family):
    service = h.ServiceFactory(case=family)
    response = as_("caseworker").patch(
        f"/api/v1/services/{service.pk}/", {"status": "active"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["started_on"]


# --- Part 2 on the API ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("consent", "sees"),
    [
        (None, False),
        ({}, True),
        ({"expires_on": dt.date(2026, 11, 19)}, False),
        ({"revoked_on": dt.date(2026, 11, 20)}, False),
        ({"recipient_role": "clinician"}, False),
    ],
)
def test_part2_rows_follow_the_consent(as_, family, consent, sees):
    service, screening = h.part2_records(family)
    if consent is not None:
        h.ConsentFactory(case=family, person=family.test_parent, **consent)
    client = as_("caseworker")
    services = {
        r["id"] for r in client.get(f"/api/v1/services/?case={family.pk}").json()["results"]
    }
    screenings = {
        r["id"] for r in client.get(f"/api/v1/screenings/?case={family.pk}").json()["results"]
    }
    assert (service.pk in services) is sees
    assert (screening.pk in screenings) is sees
    assert (client.get(f"/api/v1/services/{service.pk}/").status_code == 200) is sees
    assert (client.get(f"/api/v1/screenings/{screening.pk}/").status_code == 200) is sees


def test_a_part2_service_cannot_be_patched_without_consent(as_, family):
    service, _ = h.part2_records(family)
    response = as_("caseworker").patch(
        f"/api/v1/services/{service.pk}/", {"provider": "Elsewhere"}, format="json"
    )
    assert response.status_code == 404


# --- Screenings ----------------------------------------------------------------------------


def test_caseworker_posts_a_screening_with_who_and_the_referral(as_, family):
    service = h.ServiceFactory(case=family, child=family.test_child, recipient="child",
                               service_type="early_intervention")  # fmt: skip
    response = as_("caseworker").post(
        "/api/v1/screenings/",
        {
            "case_id": family.pk,
            "child_id": family.test_child.pk,
            "subject": "child",
            "instrument": "mchat",
            "screened_on": "2026-11-19",
            "result": "monitor",
            "screened_by": "Pediatric clinic",
            "referral_id": service.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["instrument"], body["screened_by"], body["referral_id"]) == (
        "mchat",
        "Pediatric clinic",
        service.pk,
    )
    assert body["referral_made"] is True


def test_a_hidden_part2_service_is_no_referral_for_someone_without_the_consent(as_, family):
    """No existence oracle (issue 18): a Part 2 service the caller may not see is answered as
    an id that does not exist."""
    service, _screening = h.part2_records(family)
    body = {
        "case_id": family.pk,
        "child_id": family.test_child.pk,
        "subject": "child",
        "instrument": "mchat",
        "screened_on": "2026-11-19",
        "result": "monitor",
    }
    hidden = as_("caseworker").post(
        "/api/v1/screenings/", {**body, "referral_id": service.pk}, format="json"
    )
    missing = as_("caseworker").post(
        "/api/v1/screenings/", {**body, "referral_id": "no-such-service"}, format="json"
    )
    assert hidden.status_code == missing.status_code == 400
    assert hidden.json() == missing.json()
    assert list(hidden.json()) == ["referral_id"]


def test_a_child_screening_needs_the_child(as_, family):
    response = as_("caseworker").post(
        "/api/v1/screenings/",
        {"case_id": family.pk, "subject": "child", "instrument": "asq3",
         "screened_on": "2026-11-19"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400
    assert list(response.json()) == ["child_id"]
    assert not Screening.objects.exists()


# --- Goals ---------------------------------------------------------------------------------


def test_goals_are_written_by_case_writers_and_read_by_the_mentor(as_, family):
    assessment = h.AssessmentFactory(case=family, child=family.test_child)
    response = as_("caseworker").post(
        "/api/v1/goals/",
        {
            "case_id": family.pk,
            "description": "Jaime calms Derrick at bedtime",
            "steps": "Bedtime routine\nWeekly CPP",
            "responsible": "Jaime",
            "target_on": "2027-01-15",
            "status": "in_progress",
            "assessment_id": assessment.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    goal = Goal.objects.get()
    rows = as_("parent_mentor").get(f"/api/v1/goals/?case={family.pk}").json()["results"]
    assert [r["id"] for r in rows] == [goal.pk]
    assert rows[0]["assessment_id"] == assessment.pk
    body = {"case_id": family.pk, "description": "Mentor goal"}
    assert as_("parent_mentor").post("/api/v1/goals/", body, format="json").status_code == 403
    response = as_("parent_mentor").patch(
        f"/api/v1/goals/{goal.pk}/", {"status": "achieved"}, format="json"
    )
    assert response.status_code == 403
    response = as_("caseworker").patch(
        f"/api/v1/goals/{goal.pk}/", {"status": "achieved"}, format="json"
    )
    assert response.json()["status"] == "achieved"


def test_an_empty_goal_names_description(as_, family):
    response = as_("caseworker").post(
        "/api/v1/goals/", {"case_id": family.pk, "description": " "}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["description"]


# --- Assessments ---------------------------------------------------------------------------


def assessment_body(family, **extra):
    return {
        "case_id": family.pk,
        "lens": "caregiver",
        "caregiver_id": family.test_parent.pk,
        "assessed_on": "2026-11-18",
        "strengths": "Brings his favourite crackers",
        "history": "Was in foster care herself",
        **extra,
    }


def test_only_clinicians_post_assessments(as_, family, clinician):
    for persona in ("caseworker", "coordinator"):
        response = as_(persona).post("/api/v1/assessments/", assessment_body(family), format="json")
        assert response.status_code == 403
    response = as_("clinician").post("/api/v1/assessments/", assessment_body(family), format="json")
    assert response.status_code == 201, response.json()
    assert Assessment.objects.get().clinician == clinician
    assert response.json()["clinician"] == clinician.email
    pk = response.json()["id"]
    assert (
        as_("clinician").patch(f"/api/v1/assessments/{pk}/", {}, format="json").status_code == 405
    )


def test_a_caregiver_assessment_names_the_caregiver(as_, family):
    response = as_("clinician").post(
        "/api/v1/assessments/", assessment_body(family, caregiver_id=None), format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["caregiver_id"]


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("clinician", True),
        ("coordinator", True),
        ("caseworker", True),
        ("judge", False),
        ("parent_mentor", False),
        ("parent_attorney", False),
        ("site_admin", False),
    ],
)
def test_narrative_fields_only_for_clinician_coordinator_and_caseworker(as_, family, persona, sees):
    assessment = h.AssessmentFactory(case=family, child=family.test_child)
    client = as_(persona)
    row = client.get(f"/api/v1/assessments/?case={family.pk}").json()["results"][0]
    detail = client.get(f"/api/v1/assessments/{assessment.pk}/").json()
    for body in (row, detail):
        assert body["lens"] == "child"
        assert ("history" in body) is sees
        assert ("strengths" in body) is sees
        assert ("observed_interaction" in body) is sees


def test_assessments_are_404_for_outsiders(as_, family):
    assessment = h.AssessmentFactory(case=family, child=family.test_child)
    assert as_("outsider").get(f"/api/v1/assessments/{assessment.pk}/").status_code == 404
    assert as_("outsider").get("/api/v1/assessments/").json()["count"] == 0


# --- Permanency plans ----------------------------------------------------------------------


def test_a_plan_change_is_a_new_dated_row_with_a_reason(as_, family):
    child = family.test_child
    body = {
        "child_id": child.pk,
        "effective_date": "2026-11-19",
        "primary_goal": "reunification",
        "concurrent_goal": "guardianship",
    }
    response = as_("caseworker").post("/api/v1/permanency-plans/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["reason"]
    response = as_("caseworker").post(
        "/api/v1/permanency-plans/", {**body, "reason": "Aunt steps forward"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["reason"] == "Aunt steps forward"
    assert PermanencyPlan.objects.filter(child=child).count() == 2
    plan_id = response.json()["id"]
    for method in ("patch", "put", "delete"):
        response = getattr(as_("caseworker"), method)(
            f"/api/v1/permanency-plans/{plan_id}/", {}, format="json"
        )
        assert response.status_code == 405


def test_plan_codes_and_access(as_, family):
    body = {
        "child_id": family.test_child.pk,
        "effective_date": "2026-11-19",
        "primary_goal": "home",
        "concurrent_goal": "adoption",
        "reason": "x",
    }
    response = as_("caseworker").post("/api/v1/permanency-plans/", body, format="json")
    assert list(response.json()) == ["primary_goal"]
    body["primary_goal"] = "adoption"
    body["concurrent_goal"] = "reunification"
    assert as_("judge").post("/api/v1/permanency-plans/", body, format="json").status_code == 403
    # an invisible child answers as a missing one does (no existence oracle, issue 18)
    hidden = as_("outsider").post("/api/v1/permanency-plans/", body, format="json")
    missing = as_("outsider").post(
        "/api/v1/permanency-plans/", {**body, "child_id": "no-such-child"}, format="json"
    )
    assert hidden.status_code == missing.status_code == 400
    assert hidden.json() == missing.json() == {"child_id": ["No child with this id."]}


# --- Query counts --------------------------------------------------------------------------


def _more(site, family_count):
    for _ in range(family_count):
        case = f.CaseFactory(site=site)
        child = f.ChildFactory(case=case)
        parent = f.PersonFactory(case=case)
        assessment = h.AssessmentFactory(case=case, child=child)
        h.GoalFactory(case=case, child=child, assessment=assessment)
        h.AssessmentFactory(case=case, lens="caregiver", caregiver=parent)


@pytest.mark.parametrize(("endpoint", "queries"), [("goals", 5), ("assessments", 7)])
def test_plan_lists_take_the_same_queries_whatever_their_size(
    site, coordinator, endpoint, queries, django_assert_num_queries
):
    client = bearer(coordinator)
    _more(site, 1)
    with django_assert_num_queries(queries):
        first = client.get(f"/api/v1/{endpoint}/").json()["count"]
    _more(site, 4)
    with django_assert_num_queries(queries):
        assert client.get(f"/api/v1/{endpoint}/").json()["count"] > first
