"""A Community Coordinator invites a parent to their own view, and the parent signs in without
a password if they chose it (issue: parents as users): the invitation page, the account and
team place it makes, the e-mail and text message in the parent's language, one-time sign-in
links (used once, short-lived, ended by "sign out everywhere", by another role, by
deactivation), and the parent's view ending with the case."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client, TestCase
from django.urls import reverse

from cases.models import Case, Person, TeamMember
from safebabies.audit.models import AuditEvent
from safebabies.identity.accounts import links
from safebabies.identity.accounts.services import link_throttle_reset, user_sign_out_everywhere
from safebabies.identity.models import SiteMembership, User
from safebabies.identity.roles import Role
from safebabies.notify.sms import LocmemSmsBackend
from tests import factories as f

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/accounts/login/link/\S+/")
ADDRESSES = ("10.0.0.1", "10.0.0.9", "10.0.0.10", "127.0.0.1")


@pytest.fixture(autouse=True)
def _fresh_throttle():
    """The hour's counts of sign-in-link requests live in the cache: start each test afresh."""
    keys = [f"address:{a}" for a in ADDRESSES]
    keys += [f"email:{e}" for e in ("rosa@example.org", "caseworker@north.example.org")]
    link_throttle_reset(*keys)
    yield
    link_throttle_reset(*keys)


@pytest.fixture
def rosa(family):
    person = family.test_parent
    person.given_name, person.family_name = "Rosa", "Castillo"
    person.email, person.phone, person.preferred_language = (
        "rosa@example.org",
        "555-0142",
        "Spanish",
    )
    person.save()
    return person


def invite_url(case, person) -> str:
    return reverse("parent-invite", args=[case.pk, person.pk])


def invite(client: Client, case, person, **data):
    """The coordinator's POST; the invitation goes out after the commit, as it does live."""
    body = {"email": person.email, "language": "es", "sign_in_with": "link", **data}
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(invite_url(case, person), body)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def link_in(message) -> str:
    found = LINK.search(message.body)
    assert found, message.body
    return found.group(0)


def test_the_coordinator_invites_a_parent_who_signs_in_with_a_link(
    settings, coordinator, family, rosa
):
    page = signed_in(coordinator).get(invite_url(family, rosa))
    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial == {"email": "rosa@example.org", "language": "es", "sign_in_with": "link"}
    assert "by_text" in form.fields  # she has a phone

    response = invite(signed_in(coordinator), family, rosa)
    assert response.status_code == 302
    account = User.objects.get(email="rosa@example.org")
    assert (account.full_name, account.preferred_language) == ("Rosa Castillo", "es")
    assert account.sign_in_with == User.SignIn.LINK and not account.has_usable_password()
    assert SiteMembership.objects.filter(user=account, role=Role.PARENT, is_active=True).exists()
    place = TeamMember.objects.get(case=family, user=account)
    assert (place.role, place.person_id) == (Role.PARENT, rosa.pk)
    assert AuditEvent.objects.filter(
        actor=coordinator, record_type="teams.user", record_id=str(account.pk), case_id=family.pk
    ).exists()

    (message,) = mail.outbox
    assert message.to == ["rosa@example.org"]
    assert message.subject == "Safe Babies: Le invitamos a ver las reuniones de su familia"
    assert "Rosa" in message.body and "le ha invitado" in message.body
    assert family.name not in message.body and family.test_child.given_name not in message.body
    link = link_in(message)

    # the parent opens it on her phone: one button, then her page (no second factor asked,
    # as in production, where everyone else needs one)
    settings.REQUIRE_2FA = True
    phone = Client()
    path = link.split("://", 1)[1].split("/", 1)[1]
    confirm = phone.get(f"/{path}")
    assert confirm.status_code == 200 and "rosa@example.org" in confirm.content.decode()
    assert "_auth_user_id" not in phone.session  # opening the link alone signs nobody in
    signed = phone.post(f"/{path}")
    assert signed.status_code == 302 and signed["Location"] == reverse("home")
    home = phone.get(reverse("home"))
    assert home.status_code == 200 and "Próximamente" in home.content.decode()
    # the same link again: used up
    assert Client().post(f"/{path}").status_code == 400


def test_a_parent_who_wants_a_password_gets_a_link_to_choose_one(coordinator, family, rosa):
    invite(signed_in(coordinator), family, rosa, sign_in_with="password", language="en")
    account = User.objects.get(email="rosa@example.org")
    assert account.sign_in_with == User.SignIn.PASSWORD
    (message,) = mail.outbox
    assert "/accounts/password-reset/" in message.body
    assert "choose your password" in message.body
    assert links.user_of_link(links.sign_in_link(account).rsplit("/", 2)[-2]) is None


def test_the_invitation_goes_by_text_message_too_when_asked(settings, coordinator, family, rosa):
    settings.SMS_BACKEND = "safebabies.notify.sms.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()
    response = invite(signed_in(coordinator), family, rosa, by_text="on")
    assert response.status_code == 302
    (sms,) = LocmemSmsBackend.outbox
    assert sms[0] == "555-0142" and "/accounts/login/link/" in sms[1]
    assert "Castillo" not in sms[1] and family.name not in sms[1]


def test_only_the_coordinator_and_site_admins_invite_and_only_a_parent_of_the_case(
    coordinator, caseworker, outsider, judge, family, rosa, site
):
    assert signed_in(caseworker).get(invite_url(family, rosa)).status_code == 403
    assert signed_in(judge).get(invite_url(family, rosa)).status_code == 403
    assert signed_in(outsider).get(invite_url(family, rosa)).status_code == 404
    other = f.CaseFactory(site=site)
    stranger = f.PersonFactory(case=other)
    assert signed_in(coordinator).get(invite_url(family, stranger)).status_code == 404
    grandmother = f.PersonFactory(case=family, kind=Person.Kind.RESOURCE_PARENT)
    refused = invite(signed_in(coordinator), family, grandmother, email="g@example.org")
    assert refused.status_code == 200
    assert "Only a parent of this family" in refused.content.decode()
    bad = invite(signed_in(coordinator), family, rosa, email="not an address", language="fr")
    assert set(bad.context["form"].errors) == {"email", "language"}
    assert not User.objects.filter(email="g@example.org").exists()
    assert not TeamMember.objects.filter(case=family, role=Role.PARENT).exists()
    assert mail.outbox == []


def test_a_professional_invited_as_a_parent_keeps_their_password_and_second_factor(
    coordinator, caseworker, family, rosa
):
    """A caseworker at the site who is also a parent of this case: no link ever signs them in."""
    invite(signed_in(coordinator), family, rosa, email=caseworker.email)
    caseworker.refresh_from_db()
    assert caseworker.sign_in_with == User.SignIn.PASSWORD and caseworker.has_usable_password()
    token = links.sign_in_link(caseworker, links.INVITE).rsplit("/", 2)[-2]
    assert links.user_of_link(token) is None
    mail.outbox.clear()
    ask_for_link(caseworker.email)
    assert mail.outbox == []


@pytest.fixture
def link_parent(coordinator, family, rosa):
    invite(signed_in(coordinator), family, rosa)
    mail.outbox.clear()
    return User.objects.get(email="rosa@example.org")


def ask_for_link(email: str, address: str = "10.0.0.1"):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return Client(REMOTE_ADDR=address).post(reverse("sign-in-link-request"), {"email": email})


def test_asking_for_a_link_says_the_same_whoever_asks(link_parent):
    known = ask_for_link("rosa@example.org")
    unknown = ask_for_link("nobody@example.org")
    assert known.status_code == unknown.status_code == 200

    def page(response) -> str:
        text = response.content.decode()
        text = text.replace("rosa@example.org", "X").replace("nobody@example.org", "X")
        return re.sub(r'(value|nonce)="[^"]*"', "", text)

    assert page(known) == page(unknown)
    (message,) = mail.outbox
    assert message.to == ["rosa@example.org"] and "Su enlace" in message.subject


def test_a_sign_in_link_works_once_and_for_a_short_time(settings, link_parent):
    settings.SIGN_IN_LINK_MINUTES = 15
    start = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        first = links.sign_in_link(link_parent).rsplit("/", 2)[-2]
        second = links.sign_in_link(link_parent).rsplit("/", 2)[-2]
    with time_machine.travel(start + dt.timedelta(minutes=16), tick=False):
        assert links.user_of_link(first) is None  # too old
    with time_machine.travel(start + dt.timedelta(minutes=5), tick=False):
        client = Client()
        assert client.post(reverse("sign-in-link", args=[first])).status_code == 302
        # signing in used up every link sent before
        assert links.user_of_link(second) is None
        assert links.user_of_link(first) is None
    assert links.user_of_link(first[:-2] + "xx") is None  # forged


def test_links_end_with_sign_out_everywhere_deactivation_and_another_role(
    settings, link_parent, site, coordinator
):
    settings.REQUIRE_2FA = True
    token = links.sign_in_link(link_parent).rsplit("/", 2)[-2]
    user_sign_out_everywhere(user=link_parent, actor=link_parent)
    assert links.user_of_link(token) is None
    link_parent.refresh_from_db()

    token = links.sign_in_link(link_parent).rsplit("/", 2)[-2]
    SiteMembership.objects.create(user=link_parent, site=site, role=Role.CASEWORKER)
    assert links.user_of_link(token) is None
    client = Client()
    client.force_login(link_parent)
    # a password-less session of someone who now holds a professional role: the second step
    response = client.get(reverse("home"))
    assert response.status_code == 302 and "/accounts/two-factor/" in response["Location"]

    SiteMembership.objects.filter(user=link_parent, role=Role.CASEWORKER).delete()
    token = links.sign_in_link(link_parent).rsplit("/", 2)[-2]
    link_parent.is_active = False
    link_parent.save(update_fields=["is_active"])
    assert links.user_of_link(token) is None


def test_asking_for_links_is_throttled(link_parent):
    for _ in range(5):
        ask_for_link("rosa@example.org", address="10.0.0.9")
    assert len(mail.outbox) == 5
    ask_for_link("rosa@example.org", address="10.0.0.10")
    assert len(mail.outbox) == 5  # the address's limit, from any network address


def test_the_parents_view_ends_when_the_case_closes(link_parent, family, api):
    client = signed_in(link_parent)
    assert "Próximamente" in client.get(reverse("home")).content.decode()
    Case.objects.filter(pk=family.pk).update(closed_on=dt.date(2026, 12, 1))
    page = client.get(reverse("home")).content.decode()
    assert "Próximamente" not in page and "no está vinculada" in page
    api.force_authenticate(link_parent)
    assert api.get(f"/api/v1/cases/{family.pk}/").status_code == 404
