"""Every page a family reads passes axe-core on a 360 px phone screen, in English and in Spanish
(issue 21, "Accessibility"): the sign-in page, the sign-in link pages (asking for a link, "the
link is on its way", the link's own page with its one button, an expired link), the parent's
home page (with what they missed, their steps, who to call), the family copy (with steps in
both languages) and "I can't come". No page scrolls sideways; no page breaks its CSP.

axe-core is vendored in tests/browser/vendor/ (see VERSION there)."""

import datetime as dt

import pytest

from cases.models import Person, Relationship
from familytime.models import Visit
from safebabies import codes
from safebabies.identity.accounts import links
from safebabies.identity.models import User
from safebabies.identity.roles import Role
from safebabies.notify import cant_come
from teams.models import AttendanceMode, Ftm, FtmActionItem, FtmAttendance
from tests import factories as f
from tests.browser.conftest import PHONE, Page, screen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "luis.rivera@example.org"


@pytest.fixture(params=["en", "es"])
def phone(request, browser):
    """A 360 x 740 phone whose browser asks for English or Spanish."""
    wrapped = screen(browser, PHONE, request.param)
    yield wrapped
    wrapped.page.context.close()


def family(lang: str) -> dict:
    """A family whose parent signs in by link, with a coordinator (and her phone), a meeting
    held (a step in both languages, one only in Spanish), one coming, a visit coming and one
    the parent missed."""
    site = f.SiteFactory(slug="north", name="North County Safe Babies")
    today = site.today()
    case = f.CaseFactory(site=site, name="Rivera family")
    child = f.ChildFactory(case=case, given_name="Mateo", family_name="Rivera")
    person = f.PersonFactory(
        case=case,
        kind=Person.Kind.PARENT,
        given_name="Luis",
        family_name="Rivera",
        preferred_language="Spanish" if lang == "es" else "English",
    )
    Relationship.objects.create(person=person, child=child, kind=Relationship.Kind.FATHER)
    coordinator = f.site_member(site, Role.COMMUNITY_COORDINATOR, email="ana@example.org")
    coordinator.full_name, coordinator.phone = "Ana Ruiz", "555-201-3344"
    coordinator.save(update_fields=["full_name", "phone"])
    f.TeamMemberFactory(case=case, user=coordinator, role=Role.COMMUNITY_COORDINATOR)
    parent = f.site_member(site, Role.PARENT, email=EMAIL)
    parent.full_name, parent.preferred_language = "Luis Rivera", lang
    parent.sign_in_with = User.SignIn.LINK
    parent.set_unusable_password()
    parent.save()
    f.TeamMemberFactory(case=case, user=parent, role=Role.PARENT, person=person)
    held = Ftm.objects.create(
        case=case, scheduled_on=today - dt.timedelta(days=20), status=codes.FtmStatus.HELD
    )
    FtmActionItem.objects.create(
        ftm=held,
        description="Visit the housing navigator",
        family_description="Visitar a la navegadora de vivienda",
        family_language="es",
        due_on=today + dt.timedelta(days=10),
        owner_person=person,
    )
    FtmActionItem.objects.create(
        ftm=held,
        family_description="Llamar a la guardería",
        family_language="es",
        due_on=today + dt.timedelta(days=10),
        owner_person=person,
    )
    missed = Ftm.objects.create(
        case=case, scheduled_on=today - dt.timedelta(days=6), status=codes.FtmStatus.HELD
    )
    FtmAttendance.objects.create(
        ftm=missed, person=person, role="parent", mode=AttendanceMode.ABSENT
    )
    Ftm.objects.create(
        case=case,
        scheduled_on=today + dt.timedelta(days=7),
        starts_at=dt.time(10, 0),
        location="Family resource center",
    )
    Visit.objects.create(
        child=child,
        scheduled_on=today - dt.timedelta(days=3),
        starts_at=dt.time(15, 0),
        status=codes.VisitStatus.NO_SHOW,
    )
    coming = Visit.objects.create(
        child=child,
        scheduled_on=today + dt.timedelta(days=2),
        starts_at=dt.time(15, 0),
        location=codes.VisitLocation.AGENCY,
    )
    return dict(parent=parent, person=person, held=held, coming=coming)


def check(phone: Page, words: str) -> None:
    """The page says `words` (in the language asked for), fits 360 px and passes axe-core."""
    p = phone.page
    p.wait_for_load_state("load")
    assert words in p.content(), words
    assert p.evaluate("document.documentElement.lang") == phone.lang
    assert p.evaluate("document.documentElement.scrollWidth") <= 360, p.url
    assert phone.axe_violations() == [], p.url
    assert phone.csp_violations == [] and phone.errors == []


WORDS = {
    "en": {
        "login": "Sign in",
        "link_request": "Send me a sign-in link",
        "link_sent": EMAIL,
        "link_expired": "link",
        "link_page": "Sign in",
        "home": "What you missed lately",
        "copy": "Written by your team in",
        "cant_come": "I can't come",
    },
    "es": {
        "login": "Iniciar sesión",
        "link_request": "enlace",
        "link_sent": EMAIL,
        "link_expired": "enlace",
        "link_page": "Iniciar sesión",
        "home": "Lo que se perdió hace poco",
        "copy": "Escrito por su equipo en español.",
        "cant_come": "No puedo ir",
    },
}


def test_every_family_page_passes_axe_on_a_phone(live_server, phone):
    data = family(phone.lang)
    words = WORDS[phone.lang]
    p = phone.page
    base = live_server.url
    # before signing in: the sign-in page and the sign-in link pages
    p.goto(f"{base}/accounts/login/")
    check(phone, words["login"])
    p.goto(f"{base}/accounts/login/link/")
    check(phone, words["link_request"])
    p.locator("input[type=email]").fill(EMAIL)
    p.locator("main form button[type=submit]").click()
    check(phone, words["link_sent"])
    p.goto(f"{base}/accounts/login/link/not-a-real-link/")
    check(phone, words["link_expired"])
    link = links.sign_in_link(data["parent"], links.SIGN_IN).split("/accounts/", 1)[1]
    p.goto(f"{base}/accounts/{link}")
    check(phone, words["link_page"])
    p.locator("main form button[type=submit]").click()
    # signed in: the parent's home page, the family copy in both languages, "I can't come"
    p.wait_for_url(f"{base}/")
    check(phone, words["home"])
    assert "555-201-3344" in p.content()
    p.goto(f"{base}/ftms/{data['held'].pk}/family/")
    check(phone, words["copy"])
    p.goto(f"{base}/ftms/{data['held'].pk}/family/?lang={'en' if phone.lang == 'es' else 'es'}")
    p.wait_for_load_state("load")
    assert p.evaluate("document.documentElement.scrollWidth") <= 360
    assert phone.axe_violations() == []
    token = cant_come.token_for("visit", data["coming"].pk, data["person"].pk)
    p.goto(f"{base}/family/cant-come/{token}/")
    check(phone, words["cant_come"])


# --- The invitation: the coordinator's page, then what the parent opens from it


def tablet_or_phone(browser, width: int, lang: str = "en") -> Page:
    return screen(browser, width, lang)


def invitation_family() -> dict:
    """A family with a parent of the case not invited yet, and its Community Coordinator."""
    site = f.SiteFactory(slug="north", name="North County Safe Babies")
    case = f.CaseFactory(site=site, name="Rivera family")
    child = f.ChildFactory(case=case, given_name="Mateo", family_name="Rivera")
    person = f.PersonFactory(
        case=case,
        kind=Person.Kind.PARENT,
        given_name="Luis",
        family_name="Rivera",
        email=EMAIL,
        phone="555-0142",
    )
    Relationship.objects.create(person=person, child=child, kind=Relationship.Kind.FATHER)
    coordinator = f.site_member(site, Role.COMMUNITY_COORDINATOR, email="ana@example.org")
    coordinator.full_name = "Ana Ruiz"
    coordinator.save(update_fields=["full_name"])
    f.TeamMemberFactory(case=case, user=coordinator, role=Role.COMMUNITY_COORDINATOR)
    return dict(case=case, person=person, coordinator=coordinator)


def sign_in_with_password(page: Page, base: str, email: str, password: str) -> None:
    p = page.page
    p.goto(f"{base}/accounts/login/")
    p.locator("input[type=email]").fill(email)
    p.locator("input[type=password]").fill(password)
    p.locator("main form button[type=submit]").first.click()
    p.wait_for_load_state("load")


def passes(page: Page, words: str, width: int) -> None:
    """`words` on the page, nothing wider than the screen, no axe or CSP violation."""
    p = page.page
    p.wait_for_load_state("load")
    assert words in p.content(), (words, p.url)
    assert p.evaluate("document.documentElement.lang") == page.lang
    assert p.evaluate("document.documentElement.scrollWidth") <= width, p.url
    assert page.axe_violations() == [], p.url
    assert page.csp_violations == [] and page.errors == [], p.url


@pytest.mark.parametrize("width", [1024, 360])
def test_the_coordinators_invitation_page_passes_axe(live_server, browser, width):
    """The Community Coordinator's "Invite to their own view", on a tablet and on a phone:
    empty, with the errors of a wrong address, then sent."""
    from tests.conftest import PASSWORD

    data = invitation_family()
    page = tablet_or_phone(browser, width)
    p = page.page
    base = live_server.url
    sign_in_with_password(page, base, data["coordinator"].email, PASSWORD)
    url = f"{base}/cases/{data['case'].pk}/people/{data['person'].pk}/invite/"
    p.goto(url)
    passes(page, "to their own view", width)
    p.locator("input[type=email]").fill("not an address")
    p.locator("main form button[type=submit]").click()
    passes(page, "Enter a valid email address", width)
    assert p.locator("input[type=email][aria-invalid=true]").count() == 1
    p.locator("input[type=email]").fill(EMAIL)
    p.locator("main form button[type=submit]").click()
    p.wait_for_url(f"{base}/cases/{data['case'].pk}/#person-{data['person'].pk}")
    passes(page, "is invited", width)
    page.page.context.close()


def test_what_a_parent_opens_from_the_invitation_passes_axe_on_a_phone(
    live_server, phone, settings
):
    """Invited to sign in with a link: the link's own page. Invited to sign in with a password:
    choosing it (and its errors), "password saved", the sign-in page, setting up the second
    factor (and a wrong code), the recovery codes and the second step of the next sign-in. In
    the parent's language, on a 360 px phone."""
    import base64

    from django_otp.oath import TOTP

    settings.REQUIRE_2FA = True
    lang = phone.lang
    data = invitation_family()
    p = phone.page
    base = live_server.url
    # with a link: what the coordinator's invitation holds, opened on the phone
    parent = f.site_member(data["case"].site, Role.PARENT, email=EMAIL)
    parent.preferred_language = lang
    parent.sign_in_with = User.SignIn.LINK
    parent.set_unusable_password()
    parent.save()
    invite_link = links.sign_in_link(parent, links.INVITE).split("/accounts/", 1)[1]
    p.goto(f"{base}/accounts/{invite_link}")
    check(phone, WORDS[lang]["link_page"])

    # with a password: the invitation's link to choose it
    from safebabies.identity.accounts.services import set_password_link

    parent.sign_in_with = User.SignIn.PASSWORD
    parent.save(update_fields=["sign_in_with"])
    f.TeamMemberFactory(case=data["case"], user=parent, role=Role.PARENT, person=data["person"])
    path = set_password_link(parent).split("://", 1)[1].split("/", 1)[1]
    p.goto(f"{base}/{path}")
    words = INVITED[lang]
    check(phone, words["choose"])
    fields = p.locator("main input[type=password]")
    fields.nth(0).fill("correct horse battery staple 42")
    fields.nth(1).fill("something else entirely 42")
    p.locator("main form button[type=submit]").click()
    check(phone, words["choose"])
    assert p.locator("main [aria-invalid=true]").count() >= 1
    fields = p.locator("main input[type=password]")
    fields.nth(0).fill("correct horse battery staple 42")
    fields.nth(1).fill("correct horse battery staple 42")
    p.locator("main form button[type=submit]").click()
    check(phone, words["saved"])
    sign_in_with_password(phone, base, EMAIL, "correct horse battery staple 42")
    check(phone, words["setup"])
    p.locator("main input[name=code]").fill("000000")
    p.locator("main form button[type=submit]").click()
    check(phone, words["wrong_code"])
    p.wait_for_timeout(2100)  # a wrong code holds the next try back a moment (django-otp)
    secret = p.locator("#totp-secret").inner_text()
    code = f"{TOTP(base64.b32decode(secret.replace(' ', ''))).token():06d}"
    p.locator("main input[name=code]").fill(code)
    p.locator("main form button[type=submit]").click()
    check(phone, words["codes"])
    recovery = p.locator(".recovery-codes li").first.inner_text()
    p.locator("main a.btn-primary").click()
    p.wait_for_url(f"{base}/")
    p.context.clear_cookies()  # the next sign-in, another day
    sign_in_with_password(phone, base, EMAIL, "correct horse battery staple 42")
    check(phone, words["verify"])
    p.locator("main input[name=code]").fill(recovery)
    p.locator("main form button[type=submit]").first.click()
    p.wait_for_url(f"{base}/")
    check(phone, words["home"])


INVITED = {
    "en": {
        "choose": "Choose a password",
        "saved": "Password saved",
        "setup": "Set up two-factor sign-in",
        "wrong_code": "That code did not match",
        "codes": "Two-factor sign-in is on",
        "verify": "One more step",
        "home": "Coming up",
    },
    "es": {
        "choose": "Elija una contraseña",
        "saved": "Contraseña guardada",
        "setup": "Inicio de sesión en dos pasos",
        "wrong_code": "Ese código no coincide",
        "codes": "El inicio de sesión en dos pasos está activado",
        "verify": "Un paso más",
        "home": "Próximamente",
    },
}
