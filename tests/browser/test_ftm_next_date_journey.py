"""Issue 20: the next FTM date and the calendar are one thing, "Plan one" says when a meeting
is already planned, and an action item not done yet comes back at the next meeting.

A Community Coordinator, on a tablet, with the demo family: "Plan one" names the meeting
already on the calendar; on that meeting's log the item left not done two meetings ago is
there to review; the next date typed there goes on the calendar, a second date moves that same
meeting, and the summary and the family copy say the date the calendar says."""

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


def _day(day: dt.date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def test_next_date_is_the_calendars_and_open_items_come_back(live_server, page):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    ftm = Ftm.objects.filter(case_id=CASE_ID, status=codes.FtmStatus.SCHEDULED).get()
    held = list(
        Ftm.objects.filter(case_id=CASE_ID, status=codes.FtmStatus.HELD).order_by("-scheduled_on")
    )
    carried = FtmActionItem.objects.create(
        ftm=held[1],
        description="Find a pediatric dentist who takes Medicaid",
        owner_role="",
        due_on=held[0].scheduled_on,
        not_done_reason="The first two had a waitlist",
        reviewed_at=held[0],
    )
    p = page.page
    _sign_in(p, live_server.url, email_of("community_coordinator"))

    p.goto(f"{live_server.url}/cases/{CASE_ID}/")
    p.get_by_role("link", name="Plan one").click()
    warning = p.locator(".ftm-already-planned")
    expect(warning).to_contain_text(f"already has an FTM on the calendar: {ftm.scheduled_on:%A}")
    expect(p.get_by_label("Plan another meeting as well")).not_to_be_checked()
    assert page.axe_violations() == []
    warning.get_by_role("link", name="open that meeting").click()

    review = p.locator(f'[data-review-id="{carried.pk}"]')
    expect(review).to_contain_text("Find a pediatric dentist who takes Medicaid")
    expect(review).to_contain_text("The first two had a waitlist")
    expect(review.get_by_role("radio", name="Not done yet")).not_to_be_checked()
    review.get_by_text("Done", exact=True).click()

    first = ftm.scheduled_on + dt.timedelta(days=28)
    expect(p.locator("#next-calendar")).to_contain_text("goes on the family's calendar")
    p.get_by_label("Date of the next FTM").fill(first.isoformat())
    _saved(p)
    p.reload()
    # the pages write dates one way ("Thursday 28 Jan 2027"); the family copy in full words
    expect(p.locator("#next-calendar")).to_contain_text(
        f"On the calendar: {first:%A} {first.day} {first:%b %Y}"
    )
    assert page.axe_violations() == []

    second = first + dt.timedelta(days=7)
    p.get_by_label("Date of the next FTM").fill(second.isoformat())
    _saved(p)
    later = Ftm.objects.filter(case_id=CASE_ID, scheduled_on__gt=ftm.scheduled_on)
    assert [meeting.scheduled_on for meeting in later] == [second]
    carried.refresh_from_db()
    assert carried.status == "done" and carried.reviewed_at_id == ftm.pk

    p.get_by_role("link", name="Summary", exact=True).click()
    expect(p.locator(".ftm-next")).to_contain_text(f"{second:%A} {second.day} {second:%b %Y}")
    assert page.axe_violations() == []
    p.get_by_role("link", name="Family copy").click()
    expect(p.locator(".ftm-next")).to_have_text(f"We will meet again on {_day(second)}.")
    assert page.csp_violations == [] and page.errors == []
