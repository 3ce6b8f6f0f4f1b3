"""The in-app notifications page and the channel preference."""

import pytest

from safebabies.audit.models import AuditEvent
from safebabies.notify.models import Notification, NotificationPreference
from teams.models import Ftm


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
    # 6, the user's roles for the menu (whether it shows "Families"), and the unread
    # notifications whose work may be done since
    with django_assert_num_queries(8):
        client.get("/notifications/")
    for _ in range(5):
        note(caseworker)
    with django_assert_num_queries(8):
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


# --- Naming the family, and read once opened or once the work is done (issue 20) -------------


def delivered(user, family, kind="hearing_two_days", object_id="h1", link=None):
    """A notification as the reminders send it (`deliver`), in the app only."""
    import datetime as dt

    from safebabies.notify.delivery import Message, Recipient, deliver

    NotificationPreference.objects.update_or_create(user=user, defaults={"channel": "in_app"})
    context = {"date": dt.date(2026, 12, 3).isoformat(), "hearing_type": "review"}
    link = link or f"/cases/{family.pk}/"
    assert deliver(Message(kind, object_id, "once", context, link), Recipient.for_user(user))
    return Notification.objects.get(user=user, object_id=object_id)


def test_a_notification_names_its_family_in_the_app_but_not_in_its_subject(
    client_for, caseworker, family
):
    n = delivered(caseworker, family)
    assert "Rivera" not in n.subject and "Rivera" not in n.body
    html = client_for(caseworker).get("/notifications/").content.decode()
    assert '<p class="mb-1 notification-family"><strong>Rivera family</strong></p>' in html


def test_a_notification_names_no_family_its_reader_may_no_longer_open(
    client_for, other_caseworker, family
):
    delivered(other_caseworker, family)
    html = client_for(other_caseworker).get("/notifications/").content.decode()
    assert "Rivera" not in html and family.pk not in html.replace(f"/cases/{family.pk}/", "")


def test_opening_a_notification_marks_it_read_and_goes_where_it_leads(
    client_for, caseworker, clinician, family
):
    n = delivered(caseworker, family)
    assert client_for(clinician).post(f"/notifications/{n.pk}/open/").status_code == 404
    response = client_for(caseworker).post(f"/notifications/{n.pk}/open/")
    assert response.status_code == 302 and response["Location"] == f"/cases/{family.pk}/"
    n.refresh_from_db()
    assert n.read_at is not None
    assert client_for(caseworker).get(f"/notifications/{n.pk}/open/").status_code == 405


def test_one_notification_is_marked_read_on_its_own(client_for, caseworker, family):
    first = delivered(caseworker, family, object_id="h1")
    second = delivered(caseworker, family, object_id="h2")
    client_for(caseworker).post(f"/notifications/{first.pk}/read/")
    first.refresh_from_db(), second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None


def test_a_notification_whose_work_is_done_is_no_longer_new(
    client_for, caseworker, coordinator, family
):
    import time_machine

    from tests import factories as f

    with time_machine.travel("2026-12-01 15:00Z", tick=False):
        held = f.HearingFactory(case=family, scheduled_on="2026-12-03", status="held")
        coming = f.HearingFactory(case=family, scheduled_on="2026-12-03")
        done = delivered(caseworker, family, object_id=held.pk)
        pending = delivered(caseworker, family, object_id=coming.pk)
        no_ftm = delivered(coordinator, family, kind="alert_no_ftm", object_id=family.pk)
        client_for(caseworker).get("/notifications/")
        done.refresh_from_db(), pending.refresh_from_db()
        assert done.read_at is not None  # the hearing was held
        assert pending.read_at is None  # still to come
        Ftm.objects.create(case=family, scheduled_on="2026-12-10")  # an FTM planned since
        client_for(coordinator).get("/notifications/")
        no_ftm.refresh_from_db()
        assert no_ftm.read_at is not None
    with time_machine.travel("2026-12-04 15:00Z", tick=False):
        client_for(caseworker).get("/notifications/")
        pending.refresh_from_db()
        assert pending.read_at is not None  # its day is past
