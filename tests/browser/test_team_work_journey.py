"""The team's own part, in the browser (issue 22): the Rivera family's parent mentor (the demo's
Tasha Reynolds, who supports Jaime) logs a support contact; the Community Coordinator reads it
on the family's "Parent mentor support" page and writes a team note. Every page passes axe."""

import datetime as dt

import pytest
import time_machine
from playwright.sync_api import expect

from safebabies.dev import demo
from teams.models import CaseNote, SupportContact

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOW = dt.datetime(2026, 11, 20, 22, 0, tzinfo=dt.UTC)  # Friday 4 p.m. at the demo site
TODAY = dt.date(2026, 11, 20)
CASE = "demo-case-rivera"


def sign_in(p, base: str, key: str) -> None:
    p.context.clear_cookies()
    p.goto(f"{base}/cases/{CASE}/")
    p.get_by_label("E-mail").fill(demo.email_of(key))
    p.get_by_label("Password").fill(demo.PASSWORD)
    p.get_by_role("button", name="Sign in").click()
    expect(p.get_by_role("heading", name="The team's own work")).to_be_visible()


def test_a_mentor_logs_support_and_the_coordinator_reads_it(live_server, page):
    with time_machine.travel(NOW, tick=True):
        demo.build(TODAY)
        p = page.page
        before = SupportContact.objects.filter(case_id=CASE).count()

        sign_in(p, live_server.url, "parent_mentor")
        p.get_by_role("link", name="Parent mentor support").click()
        expect(p.get_by_role("heading", level=1)).to_have_text("Parent mentor support")
        assert page.axe_violations() == []
        p.get_by_label("Kind of support").select_option(label="Transport")
        p.get_by_label("Minutes").fill("40")
        p.get_by_label("Note the parent agreed to share").fill("Drove Jaime to the WIC office.")
        p.get_by_label("The parent agreed to share this note with the team").check()
        p.get_by_role("button", name="Log it").click()
        expect(p.get_by_text("The support contact is logged.")).to_be_visible()
        expect(p.locator(".support-contacts")).to_contain_text("Drove Jaime to the WIC office.")
        assert SupportContact.objects.filter(case_id=CASE).count() == before + 1

        sign_in(p, live_server.url, "community_coordinator")
        p.get_by_role("link", name="Parent mentor support").click()
        expect(p.locator(".mentor-places")).to_contain_text("supports Jaime Rivera")
        expect(p.locator(".support-contacts")).to_contain_text("Drove Jaime to the WIC office.")
        assert "Log a support contact" not in p.content()
        assert page.axe_violations() == []
        p.goto(f"{live_server.url}/cases/{CASE}/notes/")
        p.get_by_label("Your note").fill("Jaime asked for evening family time; raise at the FTM.")
        p.get_by_role("button", name="Save the note").click()
        expect(p.get_by_text("Your note is saved.")).to_be_visible()
        expect(p.locator(".case-notes")).to_contain_text("raise at the FTM")
        assert page.axe_violations() == []
        assert CaseNote.objects.filter(case_id=CASE, author__email__startswith="community").exists()
        assert page.csp_violations == [] and page.errors == []
