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
from tests.browser.conftest import AXE_JS, CSP_REPORTER, Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "luis.rivera@example.org"


@pytest.fixture(params=["en", "es"])
def phone(request, browser):
    """A 360 x 740 phone whose browser asks for English or Spanish."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        locale="es-ES" if request.param == "es" else "en-US",
        reduced_motion="reduce",
        is_mobile=True,
        has_touch=True,
    )
    context.add_init_script(CSP_REPORTER)
    context.add_init_script(path=str(AXE_JS))
    wrapped = Page(context.new_page())
    wrapped.page.set_default_timeout(10_000)
    wrapped.lang = request.param
    yield wrapped
    context.close()


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
