"""Parents' own reminders and "I can't come" (issue: parents as users): their court hearing two
days before and their family time the day before, from 09:00 site time, in their language, by
e-mail or text message, naming no one; each with a link that tells the coordinator they cannot
come; the same from the parent's page, with "add to my calendar"."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from cases.models import Hearing, Person, Relationship
from familytime.models import Visit
from safebabies import codes
from safebabies.audit.models import AuditEvent
from safebabies.identity.roles import Role
from safebabies.notify import cant_come
from safebabies.notify.messages import render_text
from safebabies.notify.models import Notification
from safebabies.notify.reminders import family_reminders
from safebabies.notify.tasks import send_reminders_task
from teams.models import Ftm
from tests import factories as f

pytestmark = pytest.mark.django_db

# Monday 7 Dec 2026, 10:00 at a site on UTC-6 (the factories' default zone is checked below)
MONDAY_10AM = dt.datetime(2026, 12, 7, 16, 0, tzinfo=dt.UTC)
EARLY = dt.datetime(2026, 12, 7, 13, 0, tzinfo=dt.UTC)  # 07:00 at the site


@pytest.fixture
def parents(family):
    rosa = family.test_parent
    rosa.given_name, rosa.email, rosa.preferred_language = "Rosa", "rosa@example.org", "Spanish"
    rosa.save()
    Relationship.objects.create(person=rosa, child=family.test_child, kind="mother")
    javier = f.PersonFactory(case=family, given_name="Javier", phone="555-0199", email="")
    Relationship.objects.create(person=javier, child=family.test_child, kind="father")
    grandmother = f.PersonFactory(
        case=family, kind=Person.Kind.RESOURCE_PARENT, email="dorothy@example.org"
    )
    Relationship.objects.create(person=grandmother, child=family.test_child, kind="resource_parent")
    return rosa, javier, grandmother


@pytest.fixture
def coming(family):
    hearing = Hearing.objects.create(
        case=family,
        hearing_type="review",
        scheduled_on=dt.date(2026, 12, 9),
        starts_at=dt.time(9, 30),
        courtroom="Courtroom 2B",
    )
    visit = Visit.objects.create(
        child=family.test_child, scheduled_on=dt.date(2026, 12, 8), starts_at=dt.time(15, 0)
    )
    return hearing, visit


def due(site, now):
    return list(family_reminders(site, now.astimezone(site.tz)))


def test_parents_get_their_hearing_and_family_time_in_their_language(site, family, parents, coming):
    site.timezone = "America/Chicago"
    site.save()
    rosa, javier, _ = parents
    found = due(site, MONDAY_10AM)
    by = {(m.kind, r.key): m for m, r in found}
    assert set(by) == {
        ("hearing_family", f"person:{rosa.pk}"),
        ("hearing_family", f"person:{javier.pk}"),
        ("visit_day_before", f"person:{rosa.pk}"),
        ("visit_day_before", f"person:{javier.pk}"),
    }  # the resource parent gets neither: these are the parents' own reminders

    subject, body = render_text(
        "hearing_family", "es", by[("hearing_family", f"person:{rosa.pk}")].context
    )
    assert subject == "Recordatorio: su audiencia en la corte"
    assert "miércoles 9 de diciembre de 2026 a las 09:30" in body[0]
    assert "Lugar: Courtroom 2B." in body[1]
    assert "/family/cant-come/" in body[2]
    for message, _ in found:
        assert family.name not in str(message.context) and "Rosa" not in str(message.context)


def test_nothing_before_nine_and_nothing_twice(site, family, parents, coming, settings):
    settings.SMS_BACKEND = "safebabies.notify.sms.LocmemSmsBackend"
    assert due(site, EARLY.replace(hour=14)) == []  # 08:00 at the site
    with time_machine.travel(MONDAY_10AM, tick=False):
        send_reminders_task()
        sent = len(mail.outbox)
        send_reminders_task()
    assert sent >= 2 and len(mail.outbox) == sent  # Rosa by e-mail; Javier by text message
    assert any(m.to == ["rosa@example.org"] for m in mail.outbox)
    assert not any(
        m.to == ["dorothy@example.org"] and "audiencia" in m.subject for m in mail.outbox
    )


def test_a_closed_case_or_a_cancelled_visit_sends_nothing(site, family, parents, coming):
    _, visit = coming
    visit.status, visit.cancelled_by = codes.VisitStatus.CANCELLED, codes.CancelledBy.AGENCY
    visit.save()
    assert {m.kind for m, _ in due(site, MONDAY_10AM)} == {"hearing_family"}
    family.closed_on = dt.date(2026, 12, 1)
    family.save()
    assert due(site, MONDAY_10AM) == []


def test_i_cant_come_tells_the_coordinator_once_naming_the_parent_only_in_the_app(
    site, family, parents, coming, coordinator
):
    rosa, _, _ = parents
    hearing, _ = coming
    token = cant_come.token_for("hearing", hearing.pk, rosa.pk)
    url = reverse("family-cant-come", args=[token])
    with time_machine.travel(MONDAY_10AM, tick=False):
        page = Client().get(url)
        assert page.status_code == 200
        assert "No puedo ir" in page.content.decode()  # Rosa reads Spanish
        sent = Client().post(url, {"note": "Tengo turno de trabajo; ¿otro día?"})
        assert sent.status_code == 200 and "ya lo sabe" in sent.content.decode()
        Client().post(url, {"note": ""})  # twice: still one notification
    (note,) = Notification.objects.filter(user=coordinator, kind="cant_come")
    assert "Rosa" in note.body and "Tengo turno de trabajo" in note.body
    assert note.case_id == family.pk
    emails = [m for m in mail.outbox if m.to == [coordinator.email]]
    assert len(emails) == 1
    assert "Rosa" not in emails[0].body and "turno" not in emails[0].body
    assert "A parent can't come" in emails[0].subject
    assert AuditEvent.objects.filter(
        record_type="cases.hearing", record_id=hearing.pk, detail__cant_come=rosa.pk
    ).exists()


def test_a_forged_old_or_foreign_link_does_nothing(site, family, parents, coming, other_site):
    rosa, _, grandmother = parents
    hearing, _ = coming
    with time_machine.travel(MONDAY_10AM, tick=False):
        assert Client().get(reverse("family-cant-come", args=["forged"])).status_code == 400
        not_a_parent = cant_come.token_for("hearing", hearing.pk, grandmother.pk)
        assert Client().get(reverse("family-cant-come", args=[not_a_parent])).status_code == 400
        other = f.CaseFactory(site=other_site)
        stranger = f.PersonFactory(case=other)
        foreign = cant_come.token_for("hearing", hearing.pk, stranger.pk)
        assert Client().get(reverse("family-cant-come", args=[foreign])).status_code == 400
    with time_machine.travel(MONDAY_10AM + dt.timedelta(days=3), tick=False):
        token = cant_come.token_for("hearing", hearing.pk, rosa.pk)
        assert Client().get(reverse("family-cant-come", args=[token])).status_code == 400
    assert not Notification.objects.filter(kind="cant_come").exists()


def test_the_parents_page_offers_add_to_calendar_and_i_cant_come(site, family, parents, coming):
    rosa, _, _ = parents
    hearing, _ = coming
    account = f.site_member(site, Role.PARENT, email="rosa.account@example.org")
    family.team_members.create(user=account, role=Role.PARENT, person=rosa)
    Ftm.objects.create(case=family, scheduled_on=dt.date(2026, 12, 10), location="Room 2")
    client = Client()
    with time_machine.travel(MONDAY_10AM, tick=False):
        client.force_login(account)
        response = client.get(reverse("home"))
        assert response.status_code == 200, response
        page = response.content.decode()
        assert (
            page.count("Add to my calendar") == 3
            and page.count("I can&#x27;t come") + page.count("I can't come") == 3
        )
        ics = client.get(reverse("family-calendar", args=["hearing", hearing.pk]))
        # another family's event, and a kind that is not an event: 404
        other = f.CaseFactory(site=site)
        theirs = Hearing.objects.create(
            case=other, hearing_type="review", scheduled_on="2026-12-09"
        )
        assert (
            client.get(reverse("family-calendar", args=["hearing", theirs.pk])).status_code == 404
        )
        assert client.get(reverse("family-calendar", args=["person", rosa.pk])).status_code == 404
    assert ics.status_code == 200 and ics["Content-Type"].startswith("text/calendar")
    text = ics.content.decode()
    assert "BEGIN:VEVENT" in text and "Courtroom 2B" in text
    assert f"/cases/{family.pk}/" not in text  # the parent's own page, not the team's
    assert AuditEvent.objects.filter(actor=account, action="export", record_id=hearing.pk).exists()
