"""/api/v1/family-time/ (writable for case writers, with `observations`) and
/api/v1/family-time-plans/."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from familytime import services
from familytime.models import FamilyTimePlan, Visit
from safebabies import codes
from safebabies.audit.models import AuditEvent
from tests import factories as f
from tests.test_api import bearer

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)  # Friday 20 Nov, 9 a.m. in Chicago


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def as_(request):
    return lambda persona: bearer(request.getfixturevalue(persona))


def new_visit(family, **extra):
    return {"child_id": family.test_child.pk, "scheduled_on": "2026-11-18", **extra}


def test_caseworker_logs_a_held_visit_with_observations(as_, family):
    response = as_("caseworker").post(
        "/api/v1/family-time/",
        new_visit(
            family,
            status="held",
            duration_minutes=90,
            supervision="monitored",
            location="family_home",
            observations="Warm and responsive; he laughed at her songs.",
        ),
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    visit = Visit.objects.get(pk=body["id"])
    assert (visit.status, visit.duration_minutes, visit.observations) == (
        "held",
        90,
        "Warm and responsive; he laughed at her songs.",
    )
    assert body["observations"] == visit.observations
    assert body["case_id"] == family.pk and body["cancelled_by"] is None
    assert AuditEvent.objects.filter(record_id=visit.pk, action="create").count() == 1


def test_a_scheduled_visit_is_logged_with_patch(as_, family, coordinator):
    visit = services.visit_create(
        actor=coordinator, child=family.test_child, scheduled_on=dt.date(2026, 11, 18)
    )
    client = as_("coordinator")
    response = client.patch(
        f"/api/v1/family-time/{visit.pk}/",
        {"status": "cancelled", "cancelled_by": "resource_parent"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["cancelled_by"]) == (
        "cancelled",
        "resource_parent",
    )
    visit.refresh_from_db()
    assert visit.cancelled_by == "resource_parent"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "cancelled"}, "cancelled_by"),
        ({"status": "held", "duration_minutes": -1}, "duration_minutes"),
        ({"status": "visited"}, "status"),
        ({"status": "cancelled", "cancelled_by": "grandma"}, "cancelled_by"),
        ({"status": "held", "supervision": "loose"}, "supervision"),
        ({"status": "held", "location": "park"}, "location"),
        ({"status": "held", "scheduled_on": "2026-11-31"}, "scheduled_on"),
        ({"status": "held", "scheduled_on": "2026-11-25"}, "status"),  # not yet happened
        ({"status": "held", "cancelled_by": "agency"}, "cancelled_by"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(as_, family, body, field):
    response = as_("coordinator").post(
        "/api/v1/family-time/", new_visit(family, **body), format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not Visit.objects.exists()


def test_a_visit_needs_a_child_the_caller_can_see(as_, family, other_site):
    stranger = f.ChildFactory(case=f.CaseFactory(site=other_site))
    client = as_("coordinator")
    for child_id in (stranger.pk, "no-such-child"):
        response = client.post(
            "/api/v1/family-time/",
            {"child_id": child_id, "scheduled_on": "2026-11-18", "status": "held"},
            format="json",
        )
        assert response.status_code == 400
        assert "child_id" in response.json()
    assert not Visit.objects.exists()


@pytest.mark.parametrize("persona", ["judge", "parent_attorney", "parent_mentor"])
def test_read_only_roles_get_403_on_writes(as_, family, coordinator, persona):
    visit = services.visit_create(
        actor=coordinator, child=family.test_child, scheduled_on=dt.date(2026, 11, 18)
    )
    client = as_(persona)
    assert client.post("/api/v1/family-time/", new_visit(family), format="json").status_code == 403
    response = client.patch(f"/api/v1/family-time/{visit.pk}/", {"status": "held"}, format="json")
    assert response.status_code == 403
    visit.refresh_from_db()
    assert visit.status == codes.VisitStatus.SCHEDULED


@pytest.mark.parametrize("persona", ["outsider", "other_caseworker"])
def test_outsiders_get_404_on_a_visit(as_, family, coordinator, persona):
    visit = services.visit_create(
        actor=coordinator, child=family.test_child, scheduled_on=dt.date(2026, 11, 18)
    )
    client = as_(persona)
    assert client.get(f"/api/v1/family-time/{visit.pk}/").status_code == 404
    response = client.patch(f"/api/v1/family-time/{visit.pk}/", {"status": "held"}, format="json")
    assert response.status_code == 404


def test_visits_cannot_be_replaced_or_deleted(as_, family, coordinator):
    visit = services.visit_create(
        actor=coordinator, child=family.test_child, scheduled_on=dt.date(2026, 11, 18)
    )
    client = as_("coordinator")
    assert client.put(f"/api/v1/family-time/{visit.pk}/", {}, format="json").status_code == 405
    assert client.delete(f"/api/v1/family-time/{visit.pk}/").status_code == 405
    assert client.patch("/api/v1/family-time-plans/x/", {}, format="json").status_code == 405


def test_a_visit_stays_with_its_child(as_, family, coordinator):
    visit = services.visit_create(
        actor=coordinator, child=family.test_child, scheduled_on=dt.date(2026, 11, 18)
    )
    sibling = f.ChildFactory(case=family)
    response = as_("coordinator").patch(
        f"/api/v1/family-time/{visit.pk}/", {"child_id": sibling.pk}, format="json"
    )
    assert response.status_code == 400 and "child_id" in response.json()


def test_a_plan_is_added_through_the_api_and_schedules_visits(as_, family):
    client = as_("coordinator")
    response = client.post(
        "/api/v1/family-time-plans/",
        {
            "child_id": family.test_child.pk,
            "parent_id": family.test_parent.pk,
            "effective_from": "2026-11-16",
            "visits_per_week": "3",
            "supervision": "supervised",
            "location": "community",
            "weekdays": [0, 2, 4],
            "starts_at": "10:00",
            "ends_at": "12:00",
            "supervised_by": "Visit coach",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["weekdays"], body["visits_per_week"], body["parent_id"]) == (
        [0, 2, 4],
        "3.0",
        family.test_parent.pk,
    )
    assert Visit.objects.filter(plan_id=body["id"]).count() == 15
    listed = client.get("/api/v1/family-time-plans/", {"child": family.test_child.pk}).json()
    assert [row["id"] for row in listed["results"]] == [body["id"]]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"visits_per_week": "-1"}, "visits_per_week"),
        ({"supervision": "loose"}, "supervision"),
        ({"weekdays": [9]}, "weekdays"),
        ({"ends_at": "09:00"}, "ends_at"),
        ({"parent_id": "someone-else"}, "parent_id"),
    ],
)
def test_a_bad_plan_is_a_400_naming_the_field(as_, family, changes, field):
    body = {
        "child_id": family.test_child.pk,
        "effective_from": "2026-11-16",
        "visits_per_week": "3",
        "supervision": "supervised",
        "weekdays": [0],
        "starts_at": "10:00",
        "ends_at": "12:00",
        **changes,
    }
    response = as_("coordinator").post("/api/v1/family-time-plans/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not FamilyTimePlan.objects.exists()


def test_judge_cannot_add_a_plan(as_, family):
    body = {
        "child_id": family.test_child.pk,
        "effective_from": "2026-11-16",
        "visits_per_week": "3",
        "supervision": "supervised",
    }
    assert as_("judge").post("/api/v1/family-time-plans/", body, format="json").status_code == 403
    assert not FamilyTimePlan.objects.exists()


def test_plan_list_takes_a_constant_number_of_queries(
    as_, family, coordinator, site, django_assert_num_queries
):
    client = as_("coordinator")

    def add(n):
        for _ in range(n):
            child = f.ChildFactory(case=family)
            services.family_time_plan_set(
                actor=coordinator,
                child=child,
                effective_from=dt.date(2026, 11, 1),
                visits_per_week=Decimal(2),
                supervision="monitored",
                parent=family.test_parent,
            )

    add(1)
    with django_assert_num_queries(5):
        client.get("/api/v1/family-time-plans/")
    add(9)
    with django_assert_num_queries(5):
        response = client.get("/api/v1/family-time-plans/")
    assert response.json()["count"] == 10
