"""The program's professional pages, in the browser (issue 22 items 3, 7, 8 and 9), as the demo's
people use them: the Community Coordinator logs a reflective supervision session and their own
private well-being check-in (the site admin does not see it) and opens the program page; the
coordinator records a meeting of the Active Community Team with a decision and an action item
that its owner, the parent leader, marks done; the provider directory lists the site's
providers; the clinician logs a session of the Rivera family's child-parent psychotherapy. Every
page passes axe, at tablet size and, for the workforce and ACT pages, on a phone."""

import datetime as dt

import pytest
import time_machine
from playwright.sync_api import expect

from assessments.models import ServiceSession
from community.models import ActActionItem, ActMeeting
from safebabies.dev import demo
from tests.browser.conftest import PHONE, screen
from workforce.models import SupervisionSession, WellbeingCheckIn

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOW = dt.datetime(2026, 11, 20, 22, 0, tzinfo=dt.UTC)  # Friday 4 p.m. at the demo site
TODAY = dt.date(2026, 11, 20)
CASE = "demo-case-rivera"
SERVICE = "demo-service-rivera-1"  # child-parent psychotherapy
NOTE = "Slept badly after the Rivera hearing."


def sign_in(p, base: str, key: str, path: str, heading: str) -> None:
    """Signs in as the demo's `key` from the sign-in page that `path` leads to."""
    p.context.clear_cookies()
    p.goto(f"{base}{path}")
    p.get_by_label("E-mail").fill(demo.email_of(key))
    p.get_by_label("Password").fill(demo.PASSWORD)
    p.get_by_role("button", name="Sign in").click()
    expect(p.get_by_role("heading", level=1)).to_contain_text(heading)


def test_the_coordinator_logs_supervision_and_a_private_check_in(live_server, page):
    with time_machine.travel(NOW, tick=True):
        demo.build(TODAY)
        p, base = page.page, live_server.url
        coordinator = demo.email_of("community_coordinator")

        sign_in(p, base, "community_coordinator", "/workforce/supervision/", "Reflective")
        assert page.axe_violations() == []
        p.get_by_role("link", name="Log a session").click()
        expect(p.get_by_role("heading", level=1)).to_contain_text("add")
        assert page.axe_violations() == []
        expect(p.get_by_label("Staff member")).to_have_value(coordinator)
        p.get_by_label("Supervisor", exact=True).select_option(value=demo.email_of("clinician"))
        p.get_by_label("Minutes").fill("55")
        p.get_by_label("Kind").select_option(index=0)
        p.get_by_role("button", name="Save").click()
        expect(p.get_by_text("The supervision session is saved.")).to_be_visible()
        session = SupervisionSession.objects.get(staff__email=coordinator, minutes=55)
        assert session.held_on == TODAY and session.supervisor.email == demo.email_of("clinician")
        expect(p.locator(f'.supervision-sessions tr[data-record="{session.pk}"]')).to_contain_text(
            "Dr. Imani Sharpe"
        )
        assert page.axe_violations() == []

        p.get_by_role("link", name="My well-being").click()
        expect(p.get_by_role("heading", level=1)).to_have_text("My well-being check-ins")
        assert page.axe_violations() == []
        p.get_by_role("link", name="Check in").click()
        assert page.axe_violations() == []
        p.get_by_role("group", name="How stressed do you feel?").get_by_label("4").check()
        p.get_by_role("group", name="How supported do you feel?").get_by_label("3").check()
        p.get_by_role("group", name="How well are you sleeping?").get_by_label("2").check()
        p.get_by_label("A note for yourself").fill(NOTE)
        p.get_by_role("button", name="Save").click()
        expect(p.get_by_text("Your check-in is saved. Nobody else reads it.")).to_be_visible()
        check_in = WellbeingCheckIn.objects.get(person__email=coordinator, private_note=NOTE)
        assert (check_in.stress, check_in.supported, check_in.sleep) == (4, 3, 2)
        expect(p.locator(f'.wellbeing-check-ins tr[data-record="{check_in.pk}"]')).to_contain_text(
            NOTE
        )
        assert page.axe_violations() == []

        p.goto(f"{base}/cqi/{demo.SITE_SLUG}/workforce/")
        expect(p.get_by_role("heading", level=1)).to_contain_text("The people who do the work")
        assert NOTE not in p.content()
        assert page.axe_violations() == []

        # the site admin reads every supervision session of the site, never a check-in of another
        sign_in(p, base, "site_admin", "/workforce/well-being/", "My well-being check-ins")
        assert NOTE not in p.content()
        expect(p.locator(f'[data-record="{check_in.pk}"]')).to_have_count(0)
        assert page.axe_violations() == []
        p.goto(f"{base}/workforce/well-being/{check_in.pk}/")
        assert NOTE not in p.content()
        p.goto(f"{base}/workforce/supervision/")
        expect(p.locator(f'tr[data-record="{session.pk}"]')).to_be_visible()
        assert page.csp_violations == [] and page.errors == []


def test_an_act_meeting_its_action_item_done_by_its_owner_and_the_providers(live_server, page):
    with time_machine.travel(NOW, tick=True):
        demo.build(TODAY)
        p, base = page.page, live_server.url

        sign_in(p, base, "community_coordinator", "/act/", "Active Community Team")
        assert page.axe_violations() == []
        p.get_by_role("link", name="Record a meeting").click()
        expect(p.get_by_role("heading", level=1)).to_contain_text("Record a meeting")
        assert page.axe_violations() == []
        p.get_by_label("Title").fill("Transport to family time")
        p.get_by_label("Keisha Brown").check()
        p.get_by_label("Maria Gomez").check()
        p.get_by_label("Agenda").fill("1. Bus routes to the family time center")
        p.get_by_label("Notes").fill("Two of five families have no car.")
        p.get_by_role("button", name="Save the meeting").click()
        expect(p.get_by_text("The meeting is saved.")).to_be_visible()
        meeting = ActMeeting.objects.get(title="Transport to family time")
        assert meeting.held_on == TODAY and meeting.attendees.count() == 2
        expect(p.locator(".act-attendees")).to_contain_text("Keisha Brown")
        assert page.axe_violations() == []

        decision = "Ask the transit authority for a stop at the center."
        p.get_by_role("textbox", name="Decision").fill(decision)
        p.get_by_role("button", name="Record the decision").click()
        expect(p.get_by_text("The decision is recorded.")).to_be_visible()
        expect(p.locator(".act-decisions")).to_contain_text("a stop at the center")
        assert meeting.decisions.filter(text__contains="a stop at the center").exists()
        p.get_by_role("textbox", name="Action item").fill("Write to the transit authority.")
        p.get_by_role("combobox", name="Who").select_option(label="Keisha Brown")
        p.get_by_label("Due on").fill("2026-12-04")
        p.get_by_role("button", name="Add the action item").click()
        expect(p.get_by_text("The action item is added.")).to_be_visible()
        item = ActActionItem.objects.get(meeting=meeting)
        assert item.owner.user.email == demo.email_of("parent_leader")
        assert item.due_on == dt.date(2026, 12, 4) and item.done_on is None
        expect(p.locator(f'.act-items tr[data-record="{item.pk}"]')).to_contain_text("Keisha")
        assert page.axe_violations() == []

        # the owner, the parent leader, marks it done from the meeting's page
        sign_in(p, base, "parent_leader", "/act/", "Active Community Team")
        expect(p.locator(f'.act-items [data-record="{item.pk}"]')).to_be_visible()
        assert page.axe_violations() == []
        p.get_by_role("link", name="Transport to family time").click()
        row = p.locator(f'.act-items tr[data-record="{item.pk}"]')
        assert page.axe_violations() == []
        row.get_by_role("button", name="Mark done").click()
        expect(p.get_by_text("Done.", exact=True)).to_be_visible()
        item.refresh_from_db()
        assert item.done_on == TODAY
        expect(row.get_by_role("button", name="Open again")).to_be_visible()
        assert page.axe_violations() == []

        p.get_by_role("link", name="Providers").click()
        expect(p.get_by_role("heading", level=1)).to_have_text("Provider directory")
        providers = p.locator("table.providers")
        for name in ("Bright Start Infant Mental Health", "Demo County Part C"):
            expect(providers).to_contain_text(name)
        expect(providers.locator("tbody tr")).to_have_count(len(demo.PROVIDERS))
        assert page.axe_violations() == []
        assert page.csp_violations == [] and page.errors == []


def test_the_workforce_and_act_pages_on_a_phone(live_server, browser):
    with time_machine.travel(NOW, tick=True):
        demo.build(TODAY)
        phone = screen(browser, PHONE)
        p, base = phone.page, live_server.url
        try:
            sign_in(p, base, "community_coordinator", "/workforce/supervision/", "Reflective")
            for path, heading in (
                ("/workforce/supervision/", "Reflective supervision"),
                ("/workforce/supervision/new/", "Reflective supervision: add"),
                ("/workforce/well-being/", "My well-being check-ins"),
                ("/workforce/well-being/new/", "My well-being check-ins: add"),
                (f"/cqi/{demo.SITE_SLUG}/workforce/", "The people who do the work"),
                ("/act/", "Active Community Team"),
                ("/act/meetings/demo-act-meeting-1/", "Quarterly ACT meeting"),
                ("/providers/", "Provider directory"),
            ):
                p.goto(f"{base}{path}")
                expect(p.get_by_role("heading", level=1)).to_contain_text(heading)
                assert phone.axe_violations() == [], path
                overflow = p.evaluate(
                    "() => document.documentElement.scrollWidth - window.innerWidth"
                )
                # what sticks out, for the message
                wide = p.evaluate(
                    "() => [...document.querySelectorAll('body *')].filter(e => "
                    "e.getBoundingClientRect().right > window.innerWidth).map(e => "
                    "e.tagName + '.' + e.className).slice(0, 8)"
                )
                assert overflow <= 0, (path, overflow, wide)
            assert phone.csp_violations == [] and phone.errors == []
        finally:
            p.context.close()


def test_the_clinician_logs_a_session_of_a_service(live_server, page):
    with time_machine.travel(NOW, tick=True):
        demo.build(TODAY)
        p, base = page.page, live_server.url
        before = set(ServiceSession.objects.filter(service_id=SERVICE).values_list("pk", flat=True))

        sign_in(p, base, "clinician", f"/cases/{CASE}/plan/", "Case plan")
        assert page.axe_violations() == []
        p.get_by_role("link", name="Sessions of Child-parent psychotherapy").click()
        expect(p.get_by_role("heading", level=2, name="Log a session")).to_be_visible()
        assert page.axe_violations() == []
        p.get_by_role("combobox", name="Attendance").select_option(label="Attended")
        p.get_by_label("Who took part").select_option(label="Birth parent and resource parent")
        p.get_by_label("Minutes").fill("45")
        p.get_by_label("Short note").fill("Jaime and Dorothy played with Derrick together.")
        p.get_by_role("button", name="Log the session").click()
        expect(p.get_by_text("The session is logged.")).to_be_visible()
        (session,) = ServiceSession.objects.filter(service_id=SERVICE).exclude(pk__in=before)
        assert (session.held_on, session.attendance, session.caregiver, session.minutes) == (
            TODAY,
            "attended",
            "both",
            45,
        )
        assert session.logged_by.email == demo.email_of("clinician")
        row = p.locator(f"#session-{session.pk}")
        expect(row).to_contain_text("Attended")
        expect(row).to_contain_text("Birth parent and resource parent")
        assert page.axe_violations() == []
        assert page.csp_violations == [] and page.errors == []
