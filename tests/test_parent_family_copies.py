"""Parents as users, what was still missing (issue 21): the meetings, hearings and family time a
parent missed on their page; their coordinator's and parent mentor's phone (a phone on the
account, kept by the person and by site admins); action items written in the family's language;
and the family copy sent by e-mail, text message or as a PDF to hand over, only to people of the
case who agreed, in their language, audited."""

import datetime as dt
import json

import pytest
import time_machine
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from cases.models import Hearing, Person, Relationship
from familytime.models import Visit
from safebabies import codes
from safebabies.audit.models import AuditEvent
from safebabies.identity.models import User
from safebabies.identity.roles import Role
from safebabies.notify import cant_come
from safebabies.notify.sms import LocmemSmsBackend
from teams.models import AttendanceMode, Ftm, FtmActionItem, FtmAttendance
from tests import factories as f

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 23, 18, 0, tzinfo=dt.UTC)  # noon at the site, Monday 23 November


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def browser(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def parent_person(family):
    person = family.test_parent
    person.email, person.phone = "dorothy@example.org", "555-0142"
    person.save(update_fields=["email", "phone"])
    Relationship.objects.create(
        person=person, child=family.test_child, kind=Relationship.Kind.MOTHER
    )
    return person


@pytest.fixture
def jaime(site, family, parent_person):
    """The parent's account, linked to their person on the family team."""
    user = f.site_member(site, Role.PARENT, email="jaime@example.org")
    family.team_members.create(user=user, role=Role.PARENT, person=parent_person)
    return user


@pytest.fixture
def held(family, parent_person, caseworker):
    """A meeting held three weeks ago: a step in English and Spanish, one only in Spanish,
    one only in English."""
    ftm = Ftm.objects.create(
        case=family,
        scheduled_on=dt.date(2026, 11, 2),
        status=codes.FtmStatus.HELD,
        notes="Quorlax discussion",
    )
    both = FtmActionItem.objects.create(
        ftm=ftm,
        description="Visit the housing navigator",
        family_description="Visitar a la navegadora de vivienda",
        family_language="es",
        due_on=dt.date(2026, 11, 30),
        owner_person=parent_person,
    )
    spanish = FtmActionItem.objects.create(
        ftm=ftm,
        family_description="Llamar a la guardería",
        family_language="es",
        due_on=dt.date(2026, 11, 30),
        owner_person=parent_person,
    )
    english = FtmActionItem.objects.create(
        ftm=ftm,
        description="Send the childcare routine",
        due_on=dt.date(2026, 11, 30),
        owner=caseworker,
        owner_role=Role.CASEWORKER,
    )
    return dict(ftm=ftm, both=both, spanish=spanish, english=english)


# --- What the parent missed -----------------------------------------------------------------


@pytest.fixture
def missed(family, parent_person, coordinator):
    """Recent events: some the parent missed, some they did not, and one too long ago."""
    absent = Ftm.objects.create(
        case=family, scheduled_on=dt.date(2026, 11, 9), status=codes.FtmStatus.HELD
    )
    FtmAttendance.objects.create(
        ftm=absent, person=parent_person, role="parent", mode=AttendanceMode.ABSENT
    )
    came = Ftm.objects.create(
        case=family, scheduled_on=dt.date(2026, 10, 12), status=codes.FtmStatus.HELD
    )
    FtmAttendance.objects.create(
        ftm=came, person=parent_person, role="parent", mode=AttendanceMode.IN_PERSON
    )
    long_ago = Ftm.objects.create(
        case=family, scheduled_on=dt.date(2026, 6, 1), status=codes.FtmStatus.HELD
    )
    FtmAttendance.objects.create(
        ftm=long_ago, person=parent_person, role="parent", mode=AttendanceMode.ABSENT
    )
    child = family.test_child
    no_show = Visit.objects.create(
        child=child,
        scheduled_on=dt.date(2026, 11, 18),
        starts_at=dt.time(15, 0),
        status=codes.VisitStatus.NO_SHOW,
    )
    they_cancelled = Visit.objects.create(
        child=child,
        scheduled_on=dt.date(2026, 11, 16),
        status=codes.VisitStatus.CANCELLED,
        cancelled_by=codes.CancelledBy.PARENT,
    )
    agency_cancelled = Visit.objects.create(
        child=child,
        scheduled_on=dt.date(2026, 11, 17),
        status=codes.VisitStatus.CANCELLED,
        cancelled_by=codes.CancelledBy.AGENCY,
    )
    held_visit = Visit.objects.create(
        child=child,
        scheduled_on=dt.date(2026, 11, 19),
        status=codes.VisitStatus.HELD,
        duration_minutes=60,
    )
    hearing = Hearing.objects.create(
        case=family,
        hearing_type="review",
        scheduled_on=dt.date(2026, 11, 20),
        starts_at=dt.time(9, 30),
        status=codes.HearingStatus.HELD,
    )
    other_hearing = Hearing.objects.create(
        case=family,
        hearing_type="review",
        scheduled_on=dt.date(2026, 10, 20),
        status=codes.HearingStatus.HELD,
    )
    # "I can't come" for the first hearing, before it happened
    with time_machine.travel(dt.datetime(2026, 11, 18, 18, 0, tzinfo=dt.UTC), tick=False):
        token = cant_come.token_for("hearing", hearing.pk, parent_person.pk)
        Client().post(f"/family/cant-come/{token}/", {"note": ""})
    return dict(
        absent=absent,
        came=came,
        long_ago=long_ago,
        no_show=no_show,
        they_cancelled=they_cancelled,
        agency_cancelled=agency_cancelled,
        held_visit=held_visit,
        hearing=hearing,
        other_hearing=other_hearing,
    )


def test_parents_page_lists_what_they_missed_lately_in_plain_words(jaime, missed):
    page = browser(jaime).get("/").content.decode()
    assert "What you missed lately" in page
    shown = page.split("What you missed lately")[1].split("Your steps")[0]
    for record in ("absent", "no_show", "they_cancelled", "hearing"):
        assert f'data-record="{missed[record].pk}"' in shown, record
    for record in ("came", "long_ago", "agency_cancelled", "held_visit", "other_hearing"):
        assert f'data-record="{missed[record].pk}"' not in shown, record
    assert "You were not at this meeting." in shown
    assert "You did not come to this visit." in shown
    assert "You cancelled this visit." in shown
    assert "You told your coordinator you could not come." in shown
    assert "Wednesday 18 November at 3:00 PM" in shown
    # newest first
    assert shown.index(missed["hearing"].pk) < shown.index(missed["no_show"].pk)
    assert shown.index(missed["no_show"].pk) < shown.index(missed["absent"].pk)


def test_what_they_missed_is_in_spanish_for_a_parent_who_reads_spanish(jaime, missed):
    jaime.preferred_language = "es"
    jaime.save(update_fields=["preferred_language"])
    page = browser(jaime).get("/").content.decode()
    assert "Lo que se perdió hace poco" in page
    assert "Usted no vino a esta visita." in page
    assert "What you missed" not in page


def test_the_missed_events_shown_are_in_the_audit_trail(jaime, missed):
    browser(jaime).get("/")
    event = AuditEvent.objects.filter(actor=jaime, action="view", record_type="cases.case").get()
    assert f"visit:{missed['no_show'].pk}" in event.detail["shown"]["missed"]
    assert f"hearing:{missed['hearing'].pk}" in event.detail["shown"]["missed"]


def test_nothing_missed_shows_no_missed_section(jaime, family):
    assert "What you missed lately" not in browser(jaime).get("/").content.decode()


# --- The coordinator's and parent mentor's phone ---------------------------------------------


def test_parents_page_gives_the_coordinators_and_mentors_phone(
    jaime, coordinator, parent_mentor, caseworker
):
    coordinator.phone, parent_mentor.phone, caseworker.phone = "555-201-3344", "555-7788", "555-9"
    for user in (coordinator, parent_mentor, caseworker):
        user.save(update_fields=["phone"])
    page = browser(jaime).get("/").content.decode()
    assert 'href="tel:555-201-3344"' in page and 'href="sms:555-201-3344"' in page
    assert "Call 555-201-3344" in page and "Call 555-7788" in page
    assert "555-9<" not in page and 'tel:555-9"' not in page


def test_the_family_copy_says_call_or_text_the_coordinator_at_their_number(
    jaime, held, coordinator
):
    coordinator.full_name, coordinator.phone = "Ana Ruiz", "555-201-3344"
    coordinator.save(update_fields=["full_name", "phone"])
    page = browser(jaime).get(f"/ftms/{held['ftm'].pk}/family/?lang=en").content.decode()
    assert (
        "Questions? Call or text your Community Coordinator, Ana Ruiz, at 555-201-3344, "
        f"or write to {coordinator.email}." in page
    )
    page = browser(jaime).get(f"/ftms/{held['ftm'].pk}/family/?lang=es").content.decode()
    assert "Llame o mande un mensaje de texto" in page and "555-201-3344" in page


def test_a_person_keeps_their_own_phone_and_the_change_is_audited(coordinator):
    client = browser(coordinator)
    response = client.post("/accounts/security/", {"phone": "(555) 201-3344"})
    assert response.status_code == 302
    coordinator.refresh_from_db()
    assert coordinator.phone == "(555) 201-3344"
    event = AuditEvent.objects.get(actor=coordinator, record_type="teams.user", action="update")
    assert event.detail == {"fields": ["phone"]}
    assert "(555) 201-3344" in client.get("/accounts/security/").content.decode()


@pytest.mark.parametrize("bad", ["call me", "12", "+1 555 201 3344 99999 1"])
def test_a_phone_that_is_not_a_number_is_refused_naming_the_field(coordinator, bad):
    response = browser(coordinator).post("/accounts/security/", {"phone": bad})
    assert response.status_code == 200
    assert response.context["phone_form"].errors["phone"]
    coordinator.refresh_from_db()
    assert coordinator.phone == ""


def test_a_site_admin_sets_a_persons_phone_on_the_people_page(site, site_admin, coordinator):
    client = browser(site_admin)
    url = f"/accounts/sites/{site.slug}/people/{coordinator.pk}/"
    response = client.post(url, {"phone": "555-201-3344", "roles": ["community_coordinator"]})
    assert response.status_code == 302, response.content
    coordinator.refresh_from_db()
    assert coordinator.phone == "555-201-3344"
    assert "555-201-3344" in client.get(f"/accounts/sites/{site.slug}/people/").content.decode()
    response = client.post(url, {"phone": "no", "roles": ["community_coordinator"]})
    assert response.status_code == 200 and response.context["form"].errors["phone"]


def test_only_site_admins_change_anothers_phone(site, caseworker, coordinator):
    url = f"/accounts/sites/{site.slug}/people/{coordinator.pk}/"
    response = browser(caseworker).post(url, {"phone": "555-201-3344", "roles": []})
    assert response.status_code in (403, 404)
    coordinator.refresh_from_db()
    assert coordinator.phone == ""


# --- Action items in the family's language ---------------------------------------------------


def test_the_spanish_copy_shows_the_teams_spanish_text_and_says_who_wrote_it(jaime, held):
    page = browser(jaime).get(f"/ftms/{held['ftm'].pk}/family/?lang=es").content.decode()
    assert "Visitar a la navegadora de vivienda" in page
    assert "Visit the housing navigator" not in page
    assert "Llamar a la guardería" in page
    assert page.count("Escrito por su equipo en español.") == 2
    # the English-only step stays in English, marked so, in its language
    assert '<strong lang="en">Send the childcare routine</strong>' in page
    assert "Su equipo escribió esto en inglés. No está traducido." in page


def test_the_english_copy_shows_the_english_and_a_spanish_only_step_as_written(jaime, held):
    page = browser(jaime).get(f"/ftms/{held['ftm'].pk}/family/?lang=en").content.decode()
    assert "Visit the housing navigator" in page
    assert "Visitar a la navegadora" not in page
    assert '<strong lang="es">Llamar a la guardería</strong>' in page
    assert "Your team wrote this in Spanish. It is not translated." in page
    assert page.count("Written by your team in English.") == 2


def test_the_ftm_page_saves_a_step_in_spanish_beside_the_english(client_for, family, coordinator):
    ftm = Ftm.objects.create(case=family, scheduled_on=family.site.today())
    body = {
        "version": 1,
        "action_items": [
            {
                "id": "ai-es-1",
                "description": "Call the clinic",
                "family_description": "Llamar a la clínica",
                "owner": f"email:{coordinator.email}",
            },
            {"id": "ai-es-2", "description": "", "family_description": "Solo en español"},
        ],
        "base": {},
    }
    client = client_for(coordinator)
    response = client.post(
        f"/ftms/{ftm.pk}/save/", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    item = FtmActionItem.objects.get(pk="ai-es-1")
    assert (item.description, item.family_description, item.family_language) == (
        "Call the clinic",
        "Llamar a la clínica",
        "es",
    )
    assert FtmActionItem.objects.get(pk="ai-es-2").family_description == "Solo en español"
    page = client.get(f"/ftms/{ftm.pk}/log/").content.decode()
    assert 'data-item="family_description" lang="es" value="Llamar a la clínica"' in page
    # a save that does not name the Spanish text keeps it
    body = {
        "version": 2,
        "action_items": [{"id": "ai-es-1", "description": "Call the clinic today"}],
        "base": {},
    }
    response = client.post(
        f"/ftms/{ftm.pk}/save/", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    item.refresh_from_db()
    assert (item.description, item.family_description) == (
        "Call the clinic today",
        "Llamar a la clínica",
    )
    # clearing the Spanish text clears its language too
    body = {
        "version": 3,
        "action_items": [
            {"id": "ai-es-1", "description": "Call the clinic", "family_description": ""}
        ],
        "base": {},
    }
    response = client.post(
        f"/ftms/{ftm.pk}/save/", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    item.refresh_from_db()
    assert (item.family_description, item.family_language) == ("", "")


def test_the_api_reads_and_writes_the_family_language_text(family, coordinator, held):
    client = APIClient()
    client.force_authenticate(coordinator)
    response = client.post(
        "/api/v1/ftm-action-items/",
        {
            "ftm_id": held["ftm"].pk,
            "description": "Bring the IFSP",
            "family_description": "Traer el IFSP",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["family_description"] == "Traer el IFSP"
    assert response.json()["family_language"] == "es"
    item_id = response.json()["id"]
    response = client.patch(
        f"/api/v1/ftm-action-items/{item_id}/", {"family_description": ""}, format="json"
    )
    assert response.status_code == 200, response.content
    assert not response.json()["family_description"]  # blank reads as null, as elsewhere
    item = FtmActionItem.objects.get(pk=item_id)
    assert (item.family_description, item.family_language) == ("", "")


def test_a_parent_cannot_change_the_family_language_text_of_their_step(jaime, held):
    client = APIClient()
    client.force_authenticate(jaime)
    response = client.patch(
        f"/api/v1/ftm-action-items/{held['both'].pk}/",
        {"family_description": "Otra cosa"},
        format="json",
    )
    assert response.status_code == 403
    held["both"].refresh_from_db()
    assert held["both"].family_description == "Visitar a la navegadora de vivienda"


def test_the_data_package_keeps_its_format_without_the_family_language_text(site, held, tmp_path):
    from django.core.management import call_command

    call_command("export_package", "--site", site.slug, "--out", str(tmp_path))
    import zipfile

    (archive,) = tmp_path.glob("*.zip")
    with zipfile.ZipFile(archive) as package:
        items = next(n for n in package.namelist() if n.endswith("ftm_action_items.csv"))
        text = package.read(items).decode()
        everything = b"".join(package.read(n) for n in package.namelist()).decode("utf-8", "ignore")
    assert text.splitlines()[0].split(",") == [
        "action_item_id",
        "ftm_id",
        "owner_role",
        "due_on",
        "completed_on",
        "status",
    ]
    assert "Visitar a la navegadora" not in everything


# --- The family copy reaches the family ------------------------------------------------------


@pytest.fixture
def agreed(parent_person, jaime):
    parent_person.family_copies = ["email", "text", "paper"]
    parent_person.preferred_language = "Spanish"
    parent_person.save(update_fields=["family_copies", "preferred_language"])
    return parent_person


@pytest.fixture
def sms(settings):
    settings.SMS_BACKEND = "safebabies.notify.sms.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()
    yield LocmemSmsBackend.outbox
    LocmemSmsBackend.outbox.clear()


def send(user, ftm, person, channel):
    return browser(user).post(
        f"/ftms/{ftm.pk}/family/send/", {"person_id": person.pk, "channel": channel}
    )


def test_coordinator_sends_the_copy_by_email_in_the_persons_language(
    coordinator, family, held, agreed, django_capture_on_commit_callbacks
):
    coordinator.full_name, coordinator.phone = "Ana Ruiz", "555-201-3344"
    coordinator.save(update_fields=["full_name", "phone"])
    page = browser(coordinator).get(f"/ftms/{held['ftm'].pk}/family/send/").content.decode()
    assert "Send by e-mail to dorothy@example.org" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = send(coordinator, held["ftm"], agreed, "email")
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["dorothy@example.org"]
    assert message.subject == "Lo que acordamos en su reunión del equipo familiar"
    assert f"/ftms/{held['ftm'].pk}/family/?lang=es" in message.body
    assert "555-201-3344" in message.body and coordinator.email in message.body
    # nothing confidential: no family, no child, no step, no discussion
    for secret in ("Rivera", "Jaime", "navegadora", "housing", "Quorlax"):
        assert secret not in message.body and secret not in message.subject, secret
    event = AuditEvent.objects.get(action="export", record_id=held["ftm"].pk)
    assert event.actor == coordinator and event.case_id == family.pk
    assert event.detail == {"family_copy": "email", "person": agreed.pk, "language": "es"}


def test_coordinator_sends_the_copy_by_text_message(
    coordinator, held, agreed, sms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = send(coordinator, held["ftm"], agreed, "text")
    assert response.status_code == 302
    ((to, text),) = sms
    assert to == "555-0142"
    assert "está lista" in text and f"/ftms/{held['ftm'].pk}/family/" in text
    assert "Rivera" not in text and "navegadora" not in text
    assert AuditEvent.objects.filter(action="export", detail__family_copy="text").count() == 1


def test_no_copy_goes_by_a_way_the_person_did_not_agree_to(
    coordinator, held, agreed, sms, django_capture_on_commit_callbacks
):
    agreed.family_copies = ["paper"]
    agreed.save(update_fields=["family_copies"])
    with django_capture_on_commit_callbacks(execute=True):
        response = send(coordinator, held["ftm"], agreed, "email")
        response_text = send(coordinator, held["ftm"], agreed, "text")
    assert response.status_code == 400 and response_text.status_code == 400
    assert "did not agree" in response.content.decode()
    assert mail.outbox == [] and sms == []
    assert not AuditEvent.objects.filter(action="export").exists()


def test_no_link_goes_to_someone_who_cannot_sign_in(
    coordinator, family, held, django_capture_on_commit_callbacks
):
    aunt = f.PersonFactory(
        case=family,
        kind=Person.Kind.RELATIVE,
        email="aunt@example.org",
        family_copies=["email", "paper"],
    )
    page = browser(coordinator).get(f"/ftms/{held['ftm'].pk}/family/send/").content.decode()
    assert "They cannot sign in yet" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = send(coordinator, held["ftm"], aunt, "email")
    assert response.status_code == 400 and mail.outbox == []
    # the PDF to hand over works for her
    response = browser(coordinator).get(f"/ftms/{held['ftm'].pk}/family/pdf/{aunt.pk}/")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_a_meeting_not_held_has_no_copy_to_send(coordinator, family, agreed):
    coming = Ftm.objects.create(case=family, scheduled_on=dt.date(2026, 11, 30))
    response = send(coordinator, coming, agreed, "email")
    assert response.status_code == 400 and mail.outbox == []


def test_the_pdf_to_hand_over_is_in_the_persons_language_and_audited(
    coordinator, family, held, agreed
):
    from pypdf import PdfReader

    response = browser(coordinator).get(f"/ftms/{held['ftm'].pk}/family/pdf/{agreed.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    import io

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Nuestra Reunión del Equipo Familiar" in " ".join(text.split())
    assert "Visitar a la navegadora" in " ".join(text.split())
    assert "Quorlax" not in text
    event = AuditEvent.objects.get(action="export", record_id=held["ftm"].pk)
    assert event.detail == {"family_copy": "paper", "person": agreed.pk, "language": "es"}


def test_the_pdf_for_one_parent_leaves_out_the_other_parents_steps(
    coordinator, family, held, agreed
):
    import io

    from pypdf import PdfReader

    other = f.PersonFactory(case=family, kind="parent", given_name="Marcus")
    FtmActionItem.objects.create(
        ftm=held["ftm"],
        description="Attend the clinic intake",
        due_on=dt.date(2026, 11, 30),
        owner_person=other,
    )
    response = browser(coordinator).get(f"/ftms/{held['ftm'].pk}/family/pdf/{agreed.pk}/")
    text = " ".join(
        "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages).split()
    )
    assert "Visitar a la navegadora" in text  # their own step
    assert "clinic intake" not in text and "Marcus" not in text


def test_no_pdf_for_a_person_who_did_not_agree_to_paper(coordinator, held, agreed):
    agreed.family_copies = ["email"]
    agreed.save(update_fields=["family_copies"])
    response = browser(coordinator).get(f"/ftms/{held['ftm'].pk}/family/pdf/{agreed.pk}/")
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="export").exists()


@pytest.mark.parametrize("who", ["caseworker", "parent_mentor", "jaime"])
def test_only_coordinators_and_site_admins_send_the_family_copy(request, who, held, agreed):
    user = request.getfixturevalue(who)
    client = browser(user)
    assert client.get(f"/ftms/{held['ftm'].pk}/family/send/").status_code == 403
    assert send(user, held["ftm"], agreed, "email").status_code == 403
    assert client.get(f"/ftms/{held['ftm'].pk}/family/pdf/{agreed.pk}/").status_code == 403
    assert mail.outbox == []


def test_another_sites_coordinator_gets_404(other_site, held, agreed):
    stranger = f.site_member(other_site, Role.COMMUNITY_COORDINATOR, email="cc@south.example")
    client = browser(stranger)
    assert client.get(f"/ftms/{held['ftm'].pk}/family/send/").status_code == 404
    assert client.get(f"/ftms/{held['ftm'].pk}/family/pdf/{agreed.pk}/").status_code == 404


def test_a_person_of_another_family_is_not_a_recipient(coordinator, site, held):
    other = f.CaseFactory(site=site, name="Other family")
    stranger = f.PersonFactory(case=other, email="x@example.org", family_copies=["paper"])
    response = send(coordinator, held["ftm"], stranger, "email")
    assert response.status_code == 400
    response = browser(coordinator).get(f"/ftms/{held['ftm'].pk}/family/pdf/{stranger.pk}/")
    assert response.status_code == 404


def test_the_coordinator_records_how_a_person_agreed_to_receive_copies(
    coordinator, family, parent_person
):
    client = browser(coordinator)
    url = f"/cases/{family.pk}/people/{parent_person.pk}/edit/"
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "race"}
    data.update(family_copies=["email", "paper"])
    response = client.post(url, data)
    assert response.status_code == 302, response.content
    parent_person.refresh_from_db()
    assert parent_person.family_copies == ["email", "paper"]
    data.update(family_copies=["pigeon"])
    response = client.post(url, data)
    assert response.status_code == 200 and response.context["form"].errors["family_copies"]
