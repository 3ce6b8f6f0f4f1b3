"""`send_reminders`: FTM and hearing reminders, the weekly digest, coordinator alerts; each sent
once, in the person's language and channel. Sites are in America/Chicago (UTC-6 in November)."""

import datetime as dt
import io
import threading

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar

from assessments.models import Screening, Service
from cases.models import Consent
from familytime.models import FamilyTimePlan, Visit
from safebabies.notify.models import Notification, NotificationPreference, SentReminder
from safebabies.notify.reminders import coordinator_alerts
from safebabies.notify.services import send_reminders
from safebabies.notify.sms import LocmemSmsBackend
from teams.models import Ftm, FtmActionItem
from tests import factories as f

MONDAY_10AM = dt.datetime(2026, 11, 23, 16, 0, tzinfo=dt.UTC)  # 10:00 in Chicago, Monday
TUESDAY_7_30AM = dt.datetime(2026, 11, 24, 13, 30, tzinfo=dt.UTC)
TOMORROW = dt.date(2026, 11, 24)


def run(now=MONDAY_10AM):
    out = io.StringIO()
    call_command("send_reminders", "--now", now.isoformat(), stdout=out)
    return out.getvalue()


def mails(subject_part):
    return [m for m in mail.outbox if subject_part in m.subject]


def recipients(messages):
    return sorted(address for m in messages for address in m.to)


def ics_of(message):
    (attachment,) = [a for a in message.attachments if a[0] == "invitation.ics"]
    return Calendar.from_ical(attachment[1])


@pytest.fixture
def ftm(family):
    # scheduled the week before, as a coordinator would: its record's times (which the .ics
    # SEQUENCE follows) come before the reminders and the changes of the tests, whatever the date
    # the tests run on
    with time_machine.travel(MONDAY_10AM - dt.timedelta(days=7), tick=False):
        return Ftm.objects.create(
            case=family, scheduled_on=TOMORROW, starts_at=dt.time(10, 0), location="Room 2"
        )


@pytest.fixture
def parent_with_email(family):
    parent = family.test_parent
    parent.email = "dorothy@example.net"
    parent.save()
    return parent


def team_emails(family):
    return sorted(m.user.email for m in family.team_members.all())


def test_ftm_reminder_goes_the_day_before_to_the_team_and_the_family_with_an_invitation(
    family, ftm, parent_with_email
):
    run()

    sent = mails("Family Team Meeting tomorrow")
    assert recipients(sent) == sorted([*team_emails(family), "dorothy@example.net"])
    for message in sent:
        (event,) = ics_of(message).walk("VEVENT")
        assert event["UID"] == f"ftm-{ftm.pk}@safebabies"
        assert event.decoded("DTSTART") == dt.datetime(2026, 11, 24, 16, 0, tzinfo=dt.UTC)
        assert str(event["LOCATION"]) == "Room 2"
        assert "Rivera" not in message.subject and "Jaime" not in message.subject
        assert "Jaime" not in message.body
        (html, mimetype) = message.alternatives[0]
        assert mimetype == "text/html" and "<p>" in html


def test_a_team_place_in_a_role_no_longer_held_gets_no_reminder(family, ftm, site, caseworker):
    """Rights are per case: the caseworker's place on the team stops working the moment they no
    longer hold the caseworker role at the site (they stay a member in another role)."""
    f.MembershipFactory(user=caseworker, site=site, role="parent_mentor")
    caseworker.memberships.filter(role="caseworker").update(is_active=False)
    run()

    sent = recipients(mails("Family Team Meeting tomorrow"))
    assert caseworker.email not in sent
    assert sorted(sent) == sorted(e for e in team_emails(family) if e != caseworker.email)


def test_running_send_reminders_three_times_sends_each_reminder_once(
    family, ftm, parent_with_email
):
    first = run()
    count = len(mail.outbox)
    run()
    run()

    assert count > 0 and "Sent 0 reminder(s)" not in first
    assert len(mail.outbox) == count
    assert len(mails("Family Team Meeting tomorrow")) == len(team_emails(family)) + 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_reminder_once(family, ftm, parent_with_email):
    start = threading.Barrier(2)
    errors = []

    def worker():
        try:
            start.wait(timeout=10)
            send_reminders(now=MONDAY_10AM)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert len(mails("Family Team Meeting tomorrow")) == len(team_emails(family)) + 1
    assert len(mail.outbox) == SentReminder.objects.exclude(channel="in_app").count()


def test_no_day_before_reminder_before_nine_in_the_morning(family, ftm):
    run(now=dt.datetime(2026, 11, 23, 14, 0, tzinfo=dt.UTC))  # 08:00 in Chicago

    assert mails("Family Team Meeting") == []


def test_the_morning_of_reminder_goes_before_the_meeting_starts(family, ftm):
    run(now=TUESDAY_7_30AM)
    morning = mails("Today: Family Team Meeting")
    run(now=dt.datetime(2026, 11, 24, 16, 30, tzinfo=dt.UTC))  # 10:30, it has started

    assert recipients(morning) == team_emails(family)
    assert len(mails("Today: Family Team Meeting")) == len(morning)


def test_a_moved_ftm_sends_an_update_to_those_already_reminded(family, ftm):
    run()
    (before,) = ics_of(mails("tomorrow")[0]).walk("VEVENT")
    with time_machine.travel(MONDAY_10AM + dt.timedelta(minutes=1)):
        ftm.scheduled_on = dt.date(2026, 11, 26)
        ftm.save()

    run(now=MONDAY_10AM + dt.timedelta(minutes=5))
    run(now=MONDAY_10AM + dt.timedelta(minutes=10))

    changed = mails("Changed: Family Team Meeting")
    assert recipients(changed) == team_emails(family)
    (after,) = ics_of(changed[0]).walk("VEVENT")
    assert after.decoded("DTSTART").date() == dt.date(2026, 11, 26)
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert "Thursday 26 Nov 2026" in changed[0].body  # as pages write it


def test_a_cancelled_ftm_sends_a_cancellation_to_those_already_reminded(family, ftm):
    run()
    ftm.status = "cancelled"
    ftm.save()

    run(now=MONDAY_10AM + dt.timedelta(minutes=5))
    run(now=MONDAY_10AM + dt.timedelta(minutes=10))

    cancelled = mails("Cancelled: Family Team Meeting")
    assert recipients(cancelled) == team_emails(family)
    calendar = ics_of(cancelled[0])
    assert str(calendar["METHOD"]) == "CANCEL"
    (event,) = calendar.walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED"


def test_hearing_reminder_two_days_before_goes_to_the_team_and_the_judges(
    family, judge, outsider, other_caseworker
):
    hearing = f.HearingFactory(case=family, scheduled_on=dt.date(2026, 11, 25))

    run()
    run()

    sent = mails("court hearing in two days")
    assert recipients(sent) == sorted([*team_emails(family), judge.email])
    summary = f"/cases/{family.pk}/hearings/{hearing.pk}/summary/"
    by_address = {m.to[0]: m.body for m in sent}
    assert summary in by_address[judge.email]
    for member in family.team_members.select_related("user"):
        body = by_address[member.user.email]
        if member.role == "parent_mentor":  # the summary is not theirs to read
            assert summary not in body
            assert f"/cases/{family.pk}/" in body
        else:
            assert summary in body
    assert "Rivera" not in sent[0].subject
    assert SentReminder.objects.filter(kind="hearing_two_days", object_id=hearing.pk).count() == 6


def test_a_cancelled_hearing_sends_no_reminder(family, judge):
    f.HearingFactory(case=family, scheduled_on=dt.date(2026, 11, 25), status="cancelled")

    run()

    assert mails("court hearing") == []


def test_weekly_digest_counts_each_owners_open_and_overdue_action_items(family, caseworker):
    ftm = Ftm.objects.create(case=family, scheduled_on=dt.date(2026, 11, 2), status="held")
    for due in (dt.date(2026, 11, 20), dt.date(2026, 11, 30)):
        FtmActionItem.objects.create(ftm=ftm, owner=caseworker, due_on=due)
    FtmActionItem.objects.create(
        ftm=ftm,
        owner=caseworker,
        due_on=dt.date(2026, 11, 1),
        status="done",
        completed_on=dt.date(2026, 11, 1),
    )

    run()
    run(now=MONDAY_10AM + dt.timedelta(days=2))  # same week

    (digest,) = mails("Your FTM action items this week")
    assert digest.to == [caseworker.email]
    assert "2 open action item(s); 1 past their due date" in digest.body


def test_weekly_digest_counts_an_item_agreed_again_once_as_last_agreed(family, caseworker):
    first = Ftm.objects.create(case=family, scheduled_on=dt.date(2026, 10, 5), status="held")
    second = Ftm.objects.create(case=family, scheduled_on=dt.date(2026, 11, 2), status="held")
    for ftm, due in ((first, dt.date(2026, 10, 30)), (second, dt.date(2026, 11, 30))):
        FtmActionItem.objects.create(
            ftm=ftm, owner=caseworker, due_on=due, description="Book the dentist "
        )
    FtmActionItem.objects.create(
        ftm=second, owner=caseworker, due_on=dt.date(2026, 11, 20), description="Call the school"
    )

    run()

    (digest,) = mails("Your FTM action items this week")
    # the dentist once (due 30 Nov, not overdue), the school (overdue)
    assert "2 open action item(s); 1 past their due date" in digest.body


def test_coordinator_is_alerted_about_a_family_with_no_ftm_in_over_a_month(family, coordinator):
    Ftm.objects.create(case=family, scheduled_on=dt.date(2026, 10, 1), status="held")

    run()
    run()

    (alert,) = mails("no FTM in over a month")
    assert alert.to == [coordinator.email]
    assert "1 Oct 2026" in alert.body


def test_no_alert_when_an_ftm_was_held_within_the_month(family, coordinator):
    Ftm.objects.create(case=family, scheduled_on=dt.date(2026, 11, 10), status="held")

    run()

    assert mails("no FTM") == []


def test_coordinator_is_alerted_about_a_consent_expiring_within_14_days(family, coordinator):
    Ftm.objects.create(case=family, scheduled_on=dt.date(2026, 11, 10), status="held")
    Consent.objects.create(
        confirmed_at=f.CONFIRMED,
        case=family,
        person=family.test_parent,
        category="health",
        recipient_role="clinician",
        granted_on=dt.date(2026, 1, 1),
        expires_on=dt.date(2026, 12, 1),
    )
    Consent.objects.create(
        confirmed_at=f.CONFIRMED,
        case=family,
        person=family.test_parent,
        category="general",
        recipient_role="caseworker",
        granted_on=dt.date(2026, 1, 1),
        expires_on=dt.date(2027, 1, 1),
    )

    run()
    run()

    (alert,) = mails("A consent expires soon")
    assert alert.to == [coordinator.email]
    assert "1 Dec 2026" in alert.body


def test_coordinator_over_the_caseload_cap_is_alerted_once_a_week(family, site, coordinator):
    site.coordinator_caseload_cap = 1
    site.save()
    f.TeamMemberFactory(
        case=f.CaseFactory(site=site), user=coordinator, role="community_coordinator"
    )

    run()
    run(now=MONDAY_10AM + dt.timedelta(days=1))
    run(now=MONDAY_10AM + dt.timedelta(days=7))

    alerts = mails("caseload is over")
    assert [m.to for m in alerts] == [[coordinator.email], [coordinator.email]]
    assert "2 open families; the site's cap is 1" in alerts[0].body


def test_in_app_only_people_get_a_notification_and_no_email(family, ftm, caseworker):
    NotificationPreference.objects.create(user=caseworker, channel="in_app")

    run()

    assert caseworker.email not in recipients(mails("tomorrow"))
    note = Notification.objects.get(user=caseworker, kind="ftm_day_before")
    assert note.subject == "Reminder: Family Team Meeting tomorrow"
    assert note.link == f"/cases/{family.pk}/"


def test_every_user_reminded_by_email_also_sees_it_in_the_app(family, ftm):
    run()

    notified = sorted(
        Notification.objects.filter(kind="ftm_day_before").values_list("user__email", flat=True)
    )
    assert notified == team_emails(family)


def test_spanish_speakers_get_their_reminder_in_spanish(family, ftm, caseworker, parent_with_email):
    caseworker.preferred_language = "es"
    caseworker.save()
    parent_with_email.preferred_language = "Spanish"
    parent_with_email.save()

    run()

    spanish = mails("reunión del equipo familiar mañana")
    assert recipients(spanish) == sorted([caseworker.email, "dorothy@example.net"])
    assert all("Inicie sesión" in m.body or "Preguntas" in m.body for m in spanish)


def test_the_email_has_a_sign_in_link_for_team_members(family, ftm, caseworker, settings):
    run()

    (message,) = [m for m in mails("tomorrow") if m.to == [caseworker.email]]
    assert f"{settings.SITE_URL}/cases/{family.pk}/" in message.body


def test_a_parent_with_a_phone_and_no_email_gets_a_text_message(family, ftm, settings):
    settings.SMS_BACKEND = "safebabies.notify.sms.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()
    family.test_parent.phone = "+1 555 0100"
    family.test_parent.save()

    run()
    run()

    assert [to for to, _ in LocmemSmsBackend.outbox] == ["+1 555 0100"]
    assert "Rivera" not in LocmemSmsBackend.outbox[0][1]


def test_people_of_another_site_get_nothing(family, ftm, outsider, other_site):
    f.HearingFactory(case=family, scheduled_on=dt.date(2026, 11, 25))

    run()

    assert outsider.email not in recipients(mail.outbox)


def test_send_reminders_names_a_bad_now():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--now"):
        call_command("send_reminders", "--now", "next tuesday")


def _visits(child, days_ago, status="held"):
    for n in days_ago:
        Visit.objects.create(
            child=child,
            scheduled_on=MONDAY_10AM.date() - dt.timedelta(days=n),
            status=status,
            cancelled_by="agency" if status == "cancelled" else "",
        )


def test_coordinator_is_alerted_when_family_time_is_below_target_over_the_last_4_weeks(
    family, coordinator, site
):
    site.family_time_target_per_week = 3
    site.save()
    _visits(family.test_child, [1, 3, 5, 8, 10])  # 5 held in 4 weeks: 1.25 a week, not 3
    _visits(family.test_child, [12], status="cancelled")

    run()
    run()

    (alert,) = mails("Family time below target")
    assert alert.to == [coordinator.email]
    assert "5 family time visit(s)" in alert.body
    assert "Jaime" not in alert.body


def test_no_family_time_alert_when_the_target_is_met(family, coordinator, site):
    site.family_time_target_per_week = 3
    site.save()
    # 12 held in the last 4 weeks: 3 a week, as the home page counts them
    _visits(family.test_child, [1, 3, 5, 8, 10, 12, 15, 17, 19, 22, 24, 26])

    run()

    assert mails("Family time below target") == []


def test_coordinator_is_alerted_once_about_each_overdue_screening_and_referral(
    family, coordinator, caseworker
):
    # Removed 2026-03-01 for neglect at 8 months: by 23 November nothing has been recorded.
    run()
    run()

    alerts = mails("A screening or referral is overdue")
    assert {m.to[0] for m in alerts} == {coordinator.email}
    bodies = "\n".join(m.body for m in alerts)
    assert "Early intervention referral (IDEA Part C)" in bodies
    assert "8 Mar 2026" in bodies  # removal + 7 days
    assert "Initial health screening" in bodies
    assert "Jaime" not in bodies and "Rivera" not in bodies
    assert all("/plan/" in m.body for m in alerts)


def test_overdue_alerts_follow_what_is_recorded(family, coordinator):
    child, episode = family.test_child, family.test_episode
    for instrument in ("health_initial", "health_comprehensive", "asq3"):
        Screening.objects.create(
            case=family,
            child=child,
            subject="child",
            instrument=instrument,
            screened_on=episode.removal_date + dt.timedelta(days=1),
        )
    Service.objects.create(
        case=family,
        child=child,
        recipient="child",
        service_type="early_intervention",
        referred_on=episode.removal_date + dt.timedelta(days=3),
    )

    run()

    # Only the six-month developmental re-screening (due 2026-09-02) is still missing.
    (alert,) = mails("A screening or referral is overdue")
    assert "Developmental screening" in alert.body
    assert "2 Sep 2026" in alert.body


# --- the coordinator's home and their alerts agree ---------------------------------------------


def test_the_home_page_and_the_alerts_flag_the_same_families_and_children(
    client_for, family, coordinator, site
):
    """One rule each for "no FTM in the last month" and "family time below target": on the same
    data, a family (a child) is on the coordinator's home exactly when they are alerted about it.
    The cases sit on the edges where the home page and the alerts used to disagree."""
    today = MONDAY_10AM.date()  # 2026-11-23; a month before: 2026-10-23

    def case(name, *, held_on=None, opened_on=dt.date(2026, 3, 2), **extra):
        made = f.CaseFactory(site=site, name=name, opened_on=opened_on, **extra)
        f.TeamMemberFactory(case=made, user=coordinator, role="community_coordinator")
        if held_on:
            Ftm.objects.create(case=made, scheduled_on=held_on, status="held")
        return made

    case("Met recently", held_on=dt.date(2026, 11, 13))
    case("Met a month ago to the day", held_on=dt.date(2026, 10, 23))
    missed = case("Met a month and a day ago", held_on=dt.date(2026, 10, 22))
    booked = case("Next meeting booked", held_on=dt.date(2026, 9, 1))
    Ftm.objects.create(case=booked, scheduled_on=today + dt.timedelta(days=7))
    unlogged = case("Last meeting never logged as held", held_on=dt.date(2026, 9, 1))
    Ftm.objects.create(case=unlogged, scheduled_on=today - dt.timedelta(days=7))
    case("Enrolled two weeks ago", opened_on=today - dt.timedelta(days=14))
    case("Closed", held_on=dt.date(2026, 6, 1), closed_on=dt.date(2026, 11, 1))

    children = case("Family-time family", held_on=dt.date(2026, 11, 20))

    def child(name, removed_on, visits_days_ago, target=None):
        made = f.ChildFactory(case=children, given_name=name)
        f.EpisodeFactory(child=made, removal_date=removed_on)
        _visits(made, visits_days_ago)
        if target is not None:
            FamilyTimePlan.objects.create(
                child=made,
                effective_from=dt.date(2026, 10, 1),
                visits_per_week=target,
                supervision="supervised",
            )
        return made

    child("Ada", dt.date(2026, 10, 1), range(0, 28, 2))  # 3.5 a week over 4 weeks
    ben = child("Ben", dt.date(2026, 10, 1), [1, 3, 5, 8, 10, 12])  # 1.5 a week over 4 weeks
    child("Cleo", dt.date(2026, 10, 1), [2, 6, 16, 20, 23, 26], target=1)  # 1.5 against 1
    dan = child("Dan", today - dt.timedelta(days=5), [])  # removed 5 days ago, none yet

    with time_machine.travel(MONDAY_10AM, tick=False):
        home = client_for(coordinator).get("/")
    run()

    on_home = {c.pk for c in home.context["ftm_overdue"]}
    alerted = set(
        SentReminder.objects.filter(kind="alert_no_ftm").values_list("object_id", flat=True)
    )
    assert on_home == alerted == {family.pk, missed.pk, booked.pk, unlogged.pk}
    below_on_home = {row.child.pk for row in home.context["family_time"]["below"]}
    below_alerted = set(
        SentReminder.objects.filter(kind="alert_family_time").values_list("object_id", flat=True)
    )
    assert below_on_home == below_alerted == {family.test_child.pk, ben.pk, dan.pk}


def test_coordinator_alerts_take_the_same_queries_whatever_the_number_of_families(
    family, coordinator, site
):
    local = MONDAY_10AM.astimezone(site.tz)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            alerts = list(coordinator_alerts(site, local))
        return len(captured), len(alerts)

    first, alerts = queries()
    for number in range(3):
        case = f.CaseFactory(site=site, name=f"Family {number}")
        f.TeamMemberFactory(case=case, user=coordinator, role="community_coordinator")
        child = f.ChildFactory(case=case)
        f.EpisodeFactory(child=child)
        _visits(child, [2])
    assert queries() == (first, alerts * 4)
