"""A Community Coordinator sets a 3-a-week family-time plan for the demo child (Derrick, of the
Rivera family in `seed_demo`), logs the week — two visits held, one cancelled by the agency —
and sees the weekly chart and the below-target flag. The steps (clicks, choices and typed
fields) from the case page are counted: a week is logged in a handful of them."""

import datetime as dt

import pytest
import time_machine
from playwright.sync_api import expect

from cases.models import Child
from familytime.models import FamilyTimePlan, Visit
from safebabies.dev import demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Friday 20 Nov 2026, 4 p.m. at the demo site (Chicago): the week's three visits have happened.
NOW = dt.datetime(2026, 11, 20, 22, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 20)
MONDAY = dt.date(2026, 11, 16)


def test_coordinator_plans_and_logs_a_week_of_family_time(live_server, page):
    with time_machine.travel(NOW, tick=True):
        _journey(live_server, page)


def _journey(live_server, page):
    demo.build(TODAY)
    derrick = Child.objects.get(given_name="Derrick", case__name__startswith="Rivera")
    case = derrick.case
    p = page.page
    steps = 0

    def step(action, *args):
        nonlocal steps
        steps += 1
        action(*args)

    p.goto(f"{live_server.url}/cases/{case.pk}/")
    p.get_by_label("E-mail").fill("community_coordinator@demo.safebabies.test")
    p.get_by_label("Password").fill(demo.PASSWORD)
    p.get_by_role("button", name="Sign in").click()
    expect(p.get_by_role("heading", name="Family time", exact=True)).to_be_visible()

    # the plan: 3 a week, Monday, Wednesday and Friday 10:00-12:00, from this Monday
    step(p.get_by_role("link", name="Plan and log family time").click)
    expect(p.get_by_role("heading", level=1)).to_contain_text("Family time")
    assert page.axe_violations() == []
    step(p.get_by_role("link", name="Set Derrick's plan").click)
    step(p.get_by_label("Family time a week (target)").fill, "3")
    for day in ("Monday", "Wednesday", "Friday"):
        step(p.get_by_label(day, exact=True).check)
    step(p.get_by_label("Starts at").fill, "10:00")
    step(p.get_by_label("Ends at").fill, "12:00")
    step(p.get_by_label("In effect from").fill, MONDAY.isoformat())
    assert page.axe_violations() == []
    step(p.get_by_role("button", name="Save the plan").click)
    expect(p.get_by_text("Derrick's family-time plan is saved.")).to_be_visible()
    plan = FamilyTimePlan.objects.get(child=derrick)
    assert (plan.visits_per_week, plan.weekdays) == (3, [0, 2, 4])

    # on the tablet the week-by-week table fits its card: nothing scrolls sideways
    overflow = p.evaluate(
        "() => [...document.querySelectorAll('.ft-weeks')].map("
        "t => t.parentElement.scrollWidth - t.parentElement.clientWidth)"
    )
    assert overflow and max(overflow) <= 1, overflow

    # the week: one tap each, a menu choice for who cancelled
    week = {
        visit.scheduled_on: visit
        for visit in Visit.objects.filter(plan=plan, scheduled_on__range=(MONDAY, TODAY))
    }
    assert sorted(week) == [MONDAY, MONDAY + dt.timedelta(2), TODAY]
    for day in (MONDAY, MONDAY + dt.timedelta(2)):
        row = p.locator(f"#visit-{week[day].pk}")
        step(row.get_by_role("button", name="Held").click)
        expect(p.locator(f"#visit-{week[day].pk} .visit-status")).to_contain_text("Held")
    row = p.locator(f"#visit-{week[TODAY].pk}")
    step(row.get_by_label("Cancelled by").select_option, "agency")
    step(row.get_by_role("button", name="Cancelled").click)
    expect(p.locator(f"#visit-{week[TODAY].pk} .visit-status")).to_contain_text(
        "Cancelled by agency"
    )
    assert page.axe_violations() == []
    assert steps == 14  # 9 to set the plan, 4 to log the week, 1 to open the page

    statuses = {day: (v.status, v.cancelled_by) for day, v in _reload(week).items()}
    assert statuses == {
        MONDAY: ("held", ""),
        MONDAY + dt.timedelta(2): ("held", ""),
        TODAY: ("cancelled", "agency"),
    }

    # at a glance: the weekly chart and the flag, on the case page and the coordinator's home
    p.goto(f"{live_server.url}/cases/{case.pk}/")
    glance = p.locator(f"#family-time-{derrick.pk}")
    expect(glance.locator("svg[role=img]")).to_be_visible()
    expect(glance.locator(".below-target")).to_have_text("Below target")
    last_week = glance.locator(".ft-weeks tbody tr").last
    cells = last_week.locator("td")
    held_this_week = Visit.objects.filter(
        child=derrick, status="held", scheduled_on__range=(TODAY - dt.timedelta(6), TODAY)
    ).count()
    expect(cells.nth(0)).to_have_text("3")  # the target
    expect(cells.nth(2)).to_have_text(str(held_this_week))
    expect(cells.nth(3)).to_contain_text("agency 1")
    assert page.axe_violations() == []
    page.screenshot("family-time-case-page.png")

    p.get_by_role("link", name="Home").first.click()
    home = p.locator(".family-time-home")
    rivera = home.locator("tr", has_text="Derrick")
    expect(rivera.get_by_text("Below target")).to_be_visible()
    assert page.axe_violations() == []

    assert page.csp_violations == []
    assert page.errors == []


def _reload(week):
    return {day: Visit.objects.get(pk=visit.pk) for day, visit in week.items()}
