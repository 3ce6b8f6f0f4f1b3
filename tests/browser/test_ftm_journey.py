"""A Community Coordinator logs a whole Family Team Meeting for the demo family on a tablet:
six people here, last meeting's items reviewed, four new action items; the page saves itself,
so a reload half-way loses nothing. The caseworker then finds their items on their home page.
Every page passes axe-core and reports no CSP violation."""

import datetime as dt

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from safebabies import codes
from safebabies.dev.demo import PASSWORD, email_of
from teams.models import Ftm, FtmActionItem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CASE_ID = "demo-case-rivera"


def _sign_in(p, url, email):
    p.goto(url + "/accounts/login/")
    p.get_by_label("E-mail").fill(email)
    p.get_by_label("Password").fill(PASSWORD)
    p.get_by_role("button", name="Sign in").click()


def _saved(p):
    expect(p.locator("#save-status")).to_contain_text("Saved at", timeout=15_000)


def _no_sideways_scroll(p):
    assert p.evaluate("document.documentElement.scrollWidth") <= 1024


def test_coordinator_logs_a_whole_ftm_and_a_reload_loses_nothing(live_server, page):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    ftm = Ftm.objects.filter(case_id=CASE_ID, status=codes.FtmStatus.SCHEDULED).get()
    previous = Ftm.objects.filter(case_id=CASE_ID, status=codes.FtmStatus.HELD).latest(
        "scheduled_on"
    )
    done_item, not_done_item = FtmActionItem.objects.filter(ftm=previous).order_by("id")
    parent = ftm.case.people.get(kind="parent")
    resource_parent = ftm.case.people.get(kind="resource_parent")
    caseworker = email_of("caseworker")
    p = page.page

    _sign_in(p, live_server.url, email_of("community_coordinator"))
    p.goto(f"{live_server.url}/cases/{CASE_ID}/")
    p.get_by_role("link", name="Log this meeting").click()
    expect(p.get_by_role("heading", name="Who is here")).to_be_visible()
    assert page.axe_violations() == []
    _no_sideways_scroll(p)

    here = {
        f"email:{email_of('community_coordinator')}": "In person",
        f"email:{caseworker}": "In person",
        f"email:{email_of('parent_mentor')}": "Remote",
        f"email:{email_of('parent_attorney')}": "In person",
        f"person:{parent.pk}": "In person",
        f"person:{resource_parent.pk}": "Remote",
    }
    for key, mode in here.items():
        p.locator(f'[data-attendee="{key}"]').get_by_text(mode, exact=True).click()
    p.get_by_label("Everyone here agreed to keep").check()
    review = p.locator(f'[data-review-id="{done_item.pk}"]')
    review.get_by_text("Done", exact=True).click()
    review = p.locator(f'[data-review-id="{not_done_item.pk}"]')
    review.get_by_text("Not done yet", exact=True).click()
    review.get_by_label("Why not done yet").fill("The intake line only calls back on Mondays")
    p.get_by_label("What is going well?").fill("Derrick ran to Jaime at the door.")
    _saved(p)

    # half-way: the lid closes, the page comes back
    p.reload()
    for key, mode in here.items():
        row = p.locator(f'[data-attendee="{key}"]')
        expect(row.get_by_role("radio", name=mode, exact=True)).to_be_checked()
    expect(p.get_by_label("Everyone here agreed to keep")).to_be_checked()
    expect(p.get_by_label("What is going well?")).to_have_value("Derrick ran to Jaime at the door.")
    expect(
        p.locator(f'[data-review-id="{not_done_item.pk}"]').get_by_label("Why not done yet")
    ).to_have_value("The intake line only calls back on Mondays")

    new_items = [
        ("Book the speech and language evaluation", f"email:{caseworker}"),
        ("Send the family-time calendar to Dorothy", f"email:{caseworker}"),
        ("Go to the housing navigator on Tuesday", f"person:{parent.pk}"),
        ("Ride along to the first treatment appointment", f"email:{email_of('parent_mentor')}"),
    ]
    for number, (what, who) in enumerate(new_items, start=1):
        p.get_by_role("button", name="Add an action item").click()
        row = p.locator("#item-list [data-item-id]").nth(number - 1)
        row.get_by_label("What").fill(what)
        row.get_by_label("Who").select_option(who)
    p.get_by_label("What worries you?").fill("Finding a place to live.")
    next_on = ftm.scheduled_on + dt.timedelta(days=28)
    p.get_by_label("Date of the next FTM").fill(next_on.isoformat())
    _saved(p)
    _no_sideways_scroll(p)
    assert page.axe_violations() == []

    p.reload()
    rows = p.locator("#item-list [data-item-id]")
    expect(rows).to_have_count(4)
    for number, (what, who) in enumerate(new_items):
        expect(rows.nth(number).get_by_label("What")).to_have_value(what)
        expect(rows.nth(number).get_by_label("Who")).to_have_value(who)
    expect(p.get_by_label("What worries you?")).to_have_value("Finding a place to live.")

    ftm.refresh_from_db()
    assert ftm.parent_attended is True and ftm.parent_mentor_attended is True
    assert ftm.next_ftm_on == next_on
    assert ftm.attendances.exclude(mode="absent").count() == 6
    done_item.refresh_from_db()
    not_done_item.refresh_from_db()
    assert done_item.status == "done" and not_done_item.status == "open"

    p.get_by_role("link", name="Summary", exact=True).click()
    expect(p.get_by_role("heading", name="Action items", exact=True)).to_be_visible()
    assert page.axe_violations() == []
    p.get_by_role("link", name="Family copy").click()
    expect(p.get_by_text("Book the speech and language evaluation")).to_be_visible()
    p.get_by_role("link", name="En español").click()
    expect(p.get_by_role("heading", name="Lo que acordamos")).to_be_visible()
    assert page.axe_violations() == []
    assert page.csp_violations == [] and page.errors == []

    # the caseworker signs in and finds their two new items
    p.get_by_role("button", name="Sign out").click()
    _sign_in(p, live_server.url, caseworker)
    mine = p.locator(".my-action-items")
    expect(mine.get_by_text("Book the speech and language evaluation ·")).to_be_visible()
    expect(mine.get_by_text("Send the family-time calendar to Dorothy ·")).to_be_visible()
    expect(mine.get_by_text("Go to the housing navigator on Tuesday")).to_have_count(0)
    assert page.axe_violations() == []
    assert page.csp_violations == [] and page.errors == []
