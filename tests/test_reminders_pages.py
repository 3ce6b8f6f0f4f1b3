"""The in-app notifications page and the channel preference."""

import pytest

from safebabies.audit.models import AuditEvent
from safebabies.notify.models import Notification, NotificationPreference


def note(user, subject="Reminder: Family Team Meeting tomorrow"):
    return Notification.objects.create(user=user, kind="ftm_day_before", subject=subject, body="b")


def test_the_notifications_page_lists_only_your_own(client_for, caseworker, clinician):
    note(caseworker, "For the caseworker")
    note(clinician, "For the clinician")

    response = client_for(caseworker).get("/notifications/")

    assert response.status_code == 200
    assert b"For the caseworker" in response.content
    assert b"For the clinician" not in response.content


def test_the_notifications_page_makes_the_same_queries_whatever_the_number(
    client_for, caseworker, django_assert_num_queries
):
    client = client_for(caseworker)
    note(caseworker)
    client.get("/notifications/")
    # 7: the menu reads the person's roles (a parent's has no Families)
    with django_assert_num_queries(7):
        client.get("/notifications/")
    for _ in range(5):
        note(caseworker)
    with django_assert_num_queries(7):
        response = client.get("/notifications/")
    assert response.content.count(b'<li class="list-group-item') == 6


def test_mark_all_as_read(client_for, caseworker, clinician):
    mine, theirs = note(caseworker), note(clinician)

    response = client_for(caseworker).post("/notifications/read/")

    assert response.status_code == 302
    mine.refresh_from_db(), theirs.refresh_from_db()
    assert mine.read_at is not None
    assert theirs.read_at is None


def test_the_notification_pages_refuse_the_wrong_method(client_for, caseworker):
    client = client_for(caseworker)

    assert client.get("/notifications/read/").status_code == 405
    assert client.post("/notifications/").status_code == 405
    assert client.put("/notifications/settings/").status_code == 405


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get("/notifications/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("persona", ["caseworker", "judge", "parent_mentor", "sit_member"])
def test_anyone_signed_in_chooses_in_app_only(client_for, request, persona):
    user = request.getfixturevalue(persona)

    response = client_for(user).post("/notifications/settings/", {"channel": "in_app"})

    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=user).channel == "in_app"
    assert AuditEvent.objects.filter(record_type="notify.notificationpreference").exists()


def test_a_bad_channel_is_refused_naming_the_field(client_for, caseworker):
    response = client_for(caseworker).post("/notifications/settings/", {"channel": "pigeon"})

    assert response.status_code == 400
    assert response.context["form"].errors.keys() == {"channel"}
    assert not NotificationPreference.objects.exists()
