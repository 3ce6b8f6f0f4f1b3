"""The private, revocable calendar feed: FTMs, hearings and family time, valid RFC 5545."""

import datetime as dt
import hashlib
import re

import pytest
import time_machine
from django.test import Client
from icalendar import Calendar

from familytime.models import Visit
from safebabies.audit.models import AuditEvent
from safebabies.identity.accounts.services import account_deactivate, membership_set_roles
from safebabies.identity.models import SiteMembership
from safebabies.notify.models import CalendarFeed
from teams.models import Ftm
from tests import factories as f

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)):
        yield


@pytest.fixture
def agenda(family):
    """An FTM, a hearing and a family-time visit of the family, in the coming weeks."""
    return {
        "ftm": Ftm.objects.create(
            case=family,
            scheduled_on=TODAY + dt.timedelta(days=3),
            starts_at=dt.time(10, 0),
        ),
        "hearing": f.HearingFactory(case=family, scheduled_on=TODAY + dt.timedelta(days=10)),
        "visit": Visit.objects.create(
            child=family.test_child,
            scheduled_on=TODAY + dt.timedelta(days=1),
            status="scheduled",
            duration_minutes=90,
        ),
    }


def new_feed(client_for, user) -> str:
    client = client_for(user)
    assert client.post("/notifications/calendar/new/").status_code == 302
    page = client.get("/notifications/settings/").content.decode()
    (url,) = re.findall(r'value="(http[^"]+\.ics)"', page)
    return url.removeprefix("http://testserver")


def fetch(path: str):
    return Client().get(path)  # no session: the token is the only credential


def events(response) -> dict[str, object]:
    calendar = Calendar.from_ical(response.content)
    return {str(e["UID"]).split("@")[0]: e for e in calendar.walk("VEVENT")}


def test_a_team_member_subscribes_to_their_ftms_hearings_and_family_time(
    client_for, caseworker, agenda
):
    response = fetch(new_feed(client_for, caseworker))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert set(events(response)) == {
        f"ftm-{agenda['ftm'].pk}",
        f"hearing-{agenda['hearing'].pk}",
        f"family-time-{agenda['visit'].pk}",
    }


def test_the_feed_is_valid_rfc_5545(client_for, caseworker, agenda):
    response = fetch(new_feed(client_for, caseworker))

    calendar = Calendar.from_ical(response.content)
    assert str(calendar["VERSION"]) == "2.0"
    assert calendar["PRODID"]
    for event in calendar.walk("VEVENT"):
        for required in ("UID", "DTSTAMP", "DTSTART"):
            assert required in event
    lines = response.content.split(b"\r\n")
    assert lines[0] == b"BEGIN:VCALENDAR" and lines[-2] == b"END:VCALENDAR"
    assert all(len(line) <= 75 for line in lines)
    ftm = events(response)[f"ftm-{agenda['ftm'].pk}"]
    start = dt.datetime.combine(agenda["ftm"].scheduled_on, dt.time(10, 0))
    assert ftm.decoded("DTSTART").replace(tzinfo=None) == start + dt.timedelta(hours=6)


def test_the_feed_carries_no_names(client_for, caseworker, agenda, family):
    response = fetch(new_feed(client_for, caseworker))

    for name in (b"Jaime", b"Rivera", b"Dorothy"):
        assert name not in response.content


def test_a_judge_gets_the_hearings_of_the_site_but_never_an_ftm(client_for, judge, agenda):
    response = fetch(new_feed(client_for, judge))

    assert set(events(response)) == {f"hearing-{agenda['hearing'].pk}"}


@pytest.mark.parametrize("persona", ["other_caseworker", "outsider", "sit_member"])
def test_someone_not_on_the_team_gets_none_of_the_familys_events(
    client_for, request, persona, agenda
):
    response = fetch(new_feed(client_for, request.getfixturevalue(persona)))

    assert response.status_code == 200
    assert events(response) == {}


def test_only_the_hash_of_the_token_is_stored(client_for, caseworker):
    path = new_feed(client_for, caseworker)
    token = path.removeprefix("/calendar/").removesuffix(".ics")

    feed = CalendarFeed.objects.get(user=caseworker)
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in feed.token_hash


def test_a_revoked_feed_stops_working(client_for, caseworker, agenda):
    path = new_feed(client_for, caseworker)

    assert client_for(caseworker).post("/notifications/calendar/revoke/").status_code == 302

    assert fetch(path).status_code == 404


def test_a_new_address_replaces_the_old_one(client_for, caseworker, agenda):
    old = new_feed(client_for, caseworker)
    new = new_feed(client_for, caseworker)

    assert fetch(old).status_code == 404
    assert fetch(new).status_code == 200
    assert CalendarFeed.objects.filter(user=caseworker, revoked_at__isnull=True).count() == 1


def test_an_unknown_token_is_not_found(db):
    assert fetch("/calendar/not-a-real-token.ics").status_code == 404


def test_the_feed_answers_only_get(client_for, caseworker):
    path = new_feed(client_for, caseworker)

    assert Client().post(path).status_code == 405
    assert client_for(caseworker).get("/notifications/calendar/new/").status_code == 405
    assert client_for(caseworker).get("/notifications/calendar/revoke/").status_code == 405


def test_the_feed_makes_the_same_queries_whatever_the_number_of_events(
    client_for, caseworker, family, django_assert_num_queries
):
    path = new_feed(client_for, caseworker)
    Ftm.objects.create(case=family, scheduled_on=TODAY + dt.timedelta(days=2))
    fetch(path)
    with django_assert_num_queries(6):  # 5 reads and the audit event's INSERT
        fetch(path)
    for days in range(3, 8):
        Ftm.objects.create(case=family, scheduled_on=TODAY + dt.timedelta(days=days))
        f.HearingFactory(case=family, scheduled_on=TODAY + dt.timedelta(days=days))
    with django_assert_num_queries(6):
        response = fetch(path)
    assert len(events(response)) == 11


def test_sign_out_everywhere_ends_the_feed(client_for, caseworker, agenda):
    path = new_feed(client_for, caseworker)
    assert fetch(path).status_code == 200

    assert client_for(caseworker).post("/accounts/sign-out-everywhere/").status_code == 302

    assert fetch(path).status_code == 404
    event = AuditEvent.objects.get(
        action="delete", record_type="notify.calendarfeed", detail__reason="signed out everywhere"
    )
    assert event.actor == caseworker


def test_deactivation_at_the_site_ends_the_feed(client_for, caseworker, site_admin, site, agenda):
    path = new_feed(client_for, caseworker)
    assert fetch(path).status_code == 200

    account_deactivate(actor=site_admin, site=site, user=caseworker)

    assert fetch(path).status_code == 404
    assert CalendarFeed.objects.get(user=caseworker).revoked_at is not None
    event = AuditEvent.objects.get(
        action="delete", record_type="notify.calendarfeed", detail__reason="deactivated"
    )
    assert event.actor == site_admin


def test_taking_one_role_of_several_away_keeps_the_feed(
    client_for, caseworker, site_admin, site, agenda
):
    path = new_feed(client_for, caseworker)
    membership_set_roles(
        actor=site_admin, site=site, user=caseworker, roles=["caseworker", "parent_attorney"]
    )
    membership_set_roles(actor=site_admin, site=site, user=caseworker, roles=["caseworker"])

    assert fetch(path).status_code == 200


def test_a_deactivated_account_or_one_without_any_role_gets_404_at_read_time(
    client_for, caseworker, agenda
):
    """Besides the revocation: the read itself wants an active account holding a role."""
    path = new_feed(client_for, caseworker)
    SiteMembership.objects.filter(user=caseworker).update(is_active=False)  # not via a service
    assert fetch(path).status_code == 404
    SiteMembership.objects.filter(user=caseworker).update(is_active=True)
    assert fetch(path).status_code == 200
    caseworker.is_active = False
    caseworker.save(update_fields=["is_active"])
    assert fetch(path).status_code == 404


def test_a_read_of_the_feed_is_audited_with_the_site_and_not_cached(
    client_for, caseworker, site, family, agenda
):
    path = new_feed(client_for, caseworker)

    response = fetch(path)

    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action="list", record_type="notify.calendarfeed")
    assert event.actor == caseworker
    assert event.site_id == site.pk
    assert event.detail["cases"] == [str(family.pk)]
    assert event.detail["ftms"] == 1
