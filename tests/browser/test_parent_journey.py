"""A parent signs in on a phone (issue 21, "The parent's own view"): the Community Coordinator
invites Jaime Rivera from the case page ("Invite to their own view": an account, her place on
her family's team as the parent she is, an e-mail with a sign-in link) and names her as the
owner of her step (the API, with the coordinator's token); Jaime opens the link on a 360 px
screen, switches to Spanish, sees her next Family Team Meeting and family time, marks her step
done, and the caseworker sees it done. Jaime cannot open Dorothy's (the resource parent's)
address, the FTM discussion, or anything of another family."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from playwright.sync_api import expect

from cases.models import Case, Person
from familytime.models import Visit
from safebabies import codes
from safebabies.dev import demo
from safebabies.identity.models import User
from teams.models import Ftm, FtmActionItem
from tests.browser.conftest import PHONE, screen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOW = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)  # Friday, 9 a.m. at the demo site
TODAY = dt.date(2026, 11, 20)
JAIME = f"jaime.rivera@{demo.EMAIL_DOMAIN}"


@pytest.fixture
def phone(browser):
    """A phone-sized screen (360 x 740) for Jaime."""
    wrapped = screen(browser, PHONE)
    yield wrapped
    wrapped.page.context.close()


def test_jaime_sees_her_meeting_and_family_time_and_marks_her_step_done(live_server, phone, page):
    with time_machine.travel(NOW, tick=True):
        _journey(live_server, phone, page)


def _invite(live_server, page, rivera: Case, jaime: Person) -> str:
    """The coordinator invites Jaime from the case page; returns the path of the sign-in link
    the invitation e-mail holds."""
    c = page.page
    _sign_in(
        c, f"{live_server.url}/cases/{rivera.pk}/", f"community_coordinator@{demo.EMAIL_DOMAIN}"
    )
    c.locator(f"#person-{jaime.pk}").get_by_role("link", name="Invite to their own view").click()
    expect(c.get_by_role("heading", name="Invite Jaime Rivera to their own view")).to_be_visible()
    assert page.axe_violations() == []
    mail.outbox.clear()
    c.get_by_label("The parent's e-mail address").fill(JAIME)
    c.get_by_label("A link by e-mail each time, no password (simplest on a phone)").check()
    c.get_by_role("button", name="Send the invitation").click()
    expect(c.get_by_text(f"The invitation went to {JAIME}")).to_be_visible()
    c.get_by_role("button", name="Sign out").click()
    (message,) = [m for m in mail.outbox if m.to == [JAIME]]
    assert rivera.name not in message.body  # the e-mail names no family
    found = re.search(r"https?://\S+(/accounts/login/link/\S+/)", message.body)
    assert found, message.body
    return found.group(1)


def _sign_in(p, url: str, email: str) -> None:
    p.goto(url)
    p.get_by_label("E-mail").fill(email)
    p.get_by_label("Password").fill(demo.PASSWORD)
    p.get_by_role("button", name="Sign in").click()


def _journey(live_server, phone, page):
    result = demo.build(TODAY)
    rivera = Case.objects.get(name__startswith="Rivera")
    jaime = Person.objects.get(case=rivera, given_name="Jaime")
    dorothy = Person.objects.get(case=rivera, given_name="Dorothy")
    other = Case.objects.exclude(pk=rivera.pk).filter(site=result.site).first()
    next_ftm = Ftm.objects.create(
        case=rivera,
        scheduled_on=TODAY + dt.timedelta(days=10),
        starts_at=dt.time(10, 0),
        location="Family resource center, room 2",
        notes="Quorlax discussion",
    )
    Visit.objects.create(
        child=rivera.children.get(),
        scheduled_on=TODAY + dt.timedelta(days=3),
        starts_at=dt.time(15, 30),
        location=codes.VisitLocation.COMMUNITY,
        observations="Quorlax observation",
    )
    step = FtmActionItem.objects.filter(
        ftm__case=rivera, description__startswith="Jaime will visit the housing navigator"
    ).latest("due_on")
    step.status, step.completed_on = codes.ActionItemStatus.OPEN, None
    step.save(update_fields=["status", "completed_on"])

    # the coordinator puts Jaime's account on the team as the parent she is, by the API
    api = phone.page.context.request
    token = api.post(
        f"{live_server.url}/api/v1/auth/token/",
        data={"email": f"community_coordinator@{demo.EMAIL_DOMAIN}", "password": demo.PASSWORD},
    ).json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    named = api.patch(
        f"{live_server.url}/api/v1/ftm-action-items/{step.pk}/",
        data={"owner_person_id": jaime.pk},
        headers=bearer,
    )
    assert named.status == 200, named.text()
    api.delete(f"{live_server.url}/api/v1/auth/token/", headers=bearer)

    # the coordinator invites Jaime; Jaime opens the link of the e-mail on her phone
    link = _invite(live_server, page, rivera, jaime)
    account = User.objects.get(email=JAIME)
    assert account.full_name == "Jaime Rivera" and not account.has_usable_password()
    p = phone.page
    p.goto(f"{live_server.url}{link}")
    p.get_by_role("button", name="Sign in").click()
    p.wait_for_url(f"{live_server.url}/")
    expect(p.get_by_role("heading", name="Coming up")).to_be_visible()
    coming = p.locator(f'[data-record="{next_ftm.pk}"]')
    expect(coming).to_contain_text(f"{next_ftm.scheduled_on:%A} {next_ftm.scheduled_on.day}")
    expect(coming).to_contain_text("10:00 AM")
    expect(coming).to_contain_text("Family resource center, room 2")
    family_time = p.get_by_role("region", name="Family time")
    expect(family_time).to_contain_text("With Derrick")
    expect(family_time).to_contain_text("3:30 PM")
    expect(p.get_by_text("Quorlax")).to_have_count(0)
    expect(p.get_by_text(dorothy.address)).to_have_count(0)
    expect(p.get_by_role("link", name="Families")).to_have_count(0)
    assert p.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
    assert phone.axe_violations() == []
    assert phone.csp_violations == [] and phone.errors == []

    # she switches to Spanish: the page, its dates and times, and her account keep it
    p.get_by_role("button", name="Español").click()
    expect(p.get_by_role("heading", name="Próximamente")).to_be_visible()
    expect(p.locator("html")).to_have_attribute("lang", "es")
    expect(coming).to_contain_text("Reunión del Equipo Familiar")
    expect(coming).to_contain_text("10:00")
    expect(coming).to_contain_text(" de ")
    expect(p.get_by_role("region", name="Tiempo en familia")).to_contain_text("Con Derrick")
    expect(p.get_by_text("Coming up")).to_have_count(0)
    assert p.evaluate("document.documentElement.scrollWidth") <= 360
    assert phone.axe_violations() == []
    phone.screenshot("parent-home-spanish-360.png")

    # her step: Hecho (done)
    mine = p.locator(f'.family-steps [data-record="{step.pk}"]')
    mine.get_by_role("button", name="Hecho").click()
    expect(p.get_by_text("Su equipo puede ver que este paso está hecho.")).to_be_visible()
    expect(p.locator(f'.family-done [data-record="{step.pk}"]')).to_be_visible()
    assert phone.axe_violations() == []
    account.refresh_from_db()
    assert account.preferred_language == "es"

    # what she cannot open: the team's pages of her family, Dorothy, another family
    for url in (
        f"/cases/{rivera.pk}/",
        f"/ftms/{next_ftm.pk}/",
        f"/cases/{rivera.pk}/family-time/",
        f"/api/v1/people/{dorothy.pk}/",
        f"/api/v1/placements/?case={rivera.pk}",
        f"/cases/{other.pk}/",
        f"/api/v1/cases/{other.pk}/",
    ):
        response = p.goto(f"{live_server.url}{url}")
        assert response is not None
        body = p.content()
        assert "Quorlax" not in body and dorothy.address not in body, url
        assert response.status in (403, 404) or '"results":[]' in body, (url, response.status)

    # the caseworker sees it done
    q = page.page
    _sign_in(q, f"{live_server.url}/ftms/{step.ftm_id}/", f"caseworker@{demo.EMAIL_DOMAIN}")
    row = q.locator(".ftm-item-row", has_text="Jaime will visit the housing navigator")
    expect(row).to_contain_text("Done")
    expect(row).to_contain_text("Jaime Rivera")
