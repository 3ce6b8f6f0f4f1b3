"""/api/v1/ftms/ and /api/v1/ftm-action-items/ as writable endpoints."""

import datetime as dt

import pytest
import time_machine

from teams.models import Ftm, FtmActionItem, FtmAttendance
from tests.factories import FTM_NOW as NOW
from tests.factories import FTM_TODAY as TODAY
from tests.factories import make_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def meeting(family, coordinator, caseworker):
    return make_meeting(family, coordinator, caseworker)


@pytest.fixture
def as_(api):
    def sign_in(user):
        api.force_authenticate(user)
        return api

    return sign_in


def test_coordinator_creates_an_ftm_with_notes_and_attendance(as_, coordinator, caseworker, family):
    response = as_(coordinator).post(
        "/api/v1/ftms/",
        {
            "case_id": family.pk,
            "scheduled_on": "2026-11-23",
            "notes": "Family time going well",
            "attendance": [
                {"email": caseworker.email, "role": "caseworker", "mode": "in_person"},
                {"person_id": family.test_parent.pk, "role": "parent", "mode": "remote"},
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["notes"] == "Family time going well"
    assert body["parent_attended"] is True
    assert {"email": caseworker.email, "role": "caseworker", "mode": "in_person"} in body[
        "attendance"
    ]
    assert Ftm.objects.get(pk=body["id"]).case == family


def test_patch_with_an_unknown_status_names_status(as_, coordinator, meeting):
    response = as_(coordinator).patch(
        f"/api/v1/ftms/{meeting.ftm.pk}/", {"status": "sort-of"}, format="json"
    )
    assert response.status_code == 400
    assert "status" in response.json()


def test_attendance_with_an_unknown_mode_names_attendance(as_, coordinator, meeting):
    response = as_(coordinator).patch(
        f"/api/v1/ftms/{meeting.ftm.pk}/",
        {"attendance": [{"name": "Lucia", "mode": "maybe"}], "notes": "kept?"},
        format="json",
    )
    assert response.status_code == 400
    assert "attendance" in response.json()
    meeting.ftm.refresh_from_db()
    assert meeting.ftm.notes == ""


def test_patch_replaces_attendance_and_returns_the_new_version(as_, coordinator, meeting):
    client = as_(coordinator)
    url = f"/api/v1/ftms/{meeting.ftm.pk}/"
    client.patch(url, {"attendance": [{"name": "A", "mode": "in_person"}]}, format="json")
    response = client.patch(url, {"attendance": [{"name": "B", "mode": "remote"}]}, format="json")
    assert response.status_code == 200
    assert response.json()["attendance"] == [{"name": "B", "role": None, "mode": "remote"}]
    assert response.json()["version"] == 3
    assert FtmAttendance.objects.filter(ftm=meeting.ftm).count() == 1


def test_patch_from_a_stale_version_is_a_409(as_, coordinator, meeting):
    client = as_(coordinator)
    url = f"/api/v1/ftms/{meeting.ftm.pk}/"
    assert client.patch(url, {"version": 1, "notes": "first"}, format="json").status_code == 200
    response = client.patch(url, {"version": 1, "notes": "second"}, format="json")
    assert response.status_code == 409
    meeting.ftm.refresh_from_db()
    assert meeting.ftm.notes == "first"


@pytest.mark.parametrize("persona", ["parent_mentor", "parent_attorney"])
def test_read_only_roles_get_403_on_writes(as_, request, meeting, persona):
    client = as_(request.getfixturevalue(persona))
    assert (
        client.patch(f"/api/v1/ftms/{meeting.ftm.pk}/", {"notes": "x"}, format="json").status_code
        == 403
    )
    assert (
        client.post(
            "/api/v1/ftms/",
            {"case_id": meeting.case.pk, "scheduled_on": "2026-12-01"},
            format="json",
        ).status_code
        == 403
    )
    item = meeting.old_items[0]
    assert (
        client.patch(
            f"/api/v1/ftm-action-items/{item.pk}/", {"status": "done"}, format="json"
        ).status_code
        == 403
    )


@pytest.mark.parametrize("persona", ["judge", "outsider", "other_caseworker", "sit_member"])
def test_judges_and_people_outside_the_team_get_404_on_writes(as_, request, meeting, persona):
    client = as_(request.getfixturevalue(persona))
    assert (
        client.patch(f"/api/v1/ftms/{meeting.ftm.pk}/", {"notes": "x"}, format="json").status_code
        == 404
    )
    assert (
        client.post(
            "/api/v1/ftms/",
            {"case_id": meeting.case.pk, "scheduled_on": "2026-12-01"},
            format="json",
        ).status_code
        == 404
    )
    assert (
        client.patch(
            f"/api/v1/ftm-action-items/{meeting.old_items[0].pk}/",
            {"status": "done"},
            format="json",
        ).status_code
        == 404
    )


def test_delete_is_not_allowed(as_, coordinator, meeting):
    client = as_(coordinator)
    assert client.delete(f"/api/v1/ftms/{meeting.ftm.pk}/").status_code == 405
    assert client.delete(f"/api/v1/ftm-action-items/{meeting.old_items[0].pk}/").status_code == 405


def test_parent_mentor_reads_attendance_and_items_but_no_discussion(
    as_, coordinator, parent_mentor, meeting
):
    as_(coordinator).patch(
        f"/api/v1/ftms/{meeting.previous.pk}/",
        {"going_well": "Dorothy found work", "attendance": [{"name": "A", "mode": "in_person"}]},
        format="json",
    )
    body = as_(parent_mentor).get(f"/api/v1/ftms/{meeting.previous.pk}/").json()
    assert "notes" not in body and "going_well" not in body
    assert body["attendance"] == [{"name": "A", "role": None, "mode": "in_person"}]
    items = as_(parent_mentor).get(f"/api/v1/ftm-action-items/?case={meeting.case.pk}").json()
    assert {row["id"] for row in items["results"]} == {i.pk for i in meeting.old_items}


def test_action_item_created_for_a_team_member_due_by_the_next_ftm(
    as_, coordinator, caseworker, meeting
):
    meeting.ftm.next_ftm_on = dt.date(2026, 12, 21)
    meeting.ftm.save()
    response = as_(coordinator).post(
        "/api/v1/ftm-action-items/",
        {
            "ftm_id": meeting.ftm.pk,
            "description": "Ask about Early Head Start",
            "owner_email": caseworker.email,
            "goal_id": meeting.goal.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["due_on"] == "2026-12-21"
    assert body["owner_role"] == "caseworker" and body["owner_email"] == caseworker.email
    assert body["goal_id"] == meeting.goal.pk


def test_action_item_owner_must_be_on_the_team(as_, coordinator, other_caseworker, meeting):
    response = as_(coordinator).post(
        "/api/v1/ftm-action-items/",
        {"ftm_id": meeting.ftm.pk, "description": "x", "owner_email": other_caseworker.email},
        format="json",
    )
    assert response.status_code == 400
    assert "owner_email" in response.json()


def test_marking_an_action_item_done_dates_it_and_sort_of_names_status(as_, caseworker, meeting):
    item = meeting.old_items[0]
    client = as_(caseworker)
    bad = client.patch(f"/api/v1/ftm-action-items/{item.pk}/", {"status": "sort-of"}, format="json")
    assert bad.status_code == 400 and "status" in bad.json()
    done = client.patch(f"/api/v1/ftm-action-items/{item.pk}/", {"status": "done"}, format="json")
    assert done.status_code == 200
    assert done.json()["completed_on"] == TODAY.isoformat()
    item.refresh_from_db()
    assert item.status == "done"


@pytest.mark.parametrize("size", [2, 8])
def test_ftm_list_with_attendance_takes_the_same_queries_whatever_its_size(
    as_, coordinator, family, size, django_assert_num_queries
):
    for number in range(size):
        ftm = Ftm.objects.create(case=family, scheduled_on=TODAY - dt.timedelta(days=number))
        FtmAttendance.objects.create(ftm=ftm, name=f"Guest {number}", mode="in_person")
        FtmAttendance.objects.create(ftm=ftm, person=family.test_parent, mode="remote")
        FtmActionItem.objects.create(ftm=ftm, due_on=TODAY, description="x")
    client = as_(coordinator)
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get("/api/v1/ftms/")
    assert response.json()["count"] == size
    assert all(len(row["attendance"]) == 2 for row in response.json()["results"])


LIST_QUERIES = 7


def test_a_future_meeting_cannot_be_marked_held_through_the_api(as_, coordinator, family):
    ftm = Ftm.objects.create(case=family, scheduled_on=TODAY + dt.timedelta(days=5))
    response = as_(coordinator).patch(f"/api/v1/ftms/{ftm.pk}/", {"status": "held"}, format="json")
    assert response.status_code == 400
    assert "status" in response.json()
    ftm.refresh_from_db()
    assert ftm.status == "scheduled"
