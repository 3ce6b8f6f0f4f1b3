"""A Community Coordinator signs in, finds a family by a child's name and reads the case page.
Every page passes axe-core (no serious or critical violation) and reports no CSP violation."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from safebabies.lib.dates import age_in_months
from tests import factories as f
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_finds_a_family_and_reads_the_case_page(
    live_server, page, family, coordinator, site
):
    today = site.today()
    child = family.test_child
    child.birth_date = today - dt.timedelta(days=430)
    child.save()
    f.PersonFactory(case=family, kind="resource_parent", given_name="Maria", family_name="Lopez")
    f.HearingFactory(
        case=family, scheduled_on=today + dt.timedelta(days=10), courtroom="Courtroom 3"
    )
    f.ChildFactory(case=f.CaseFactory(site=site, name="Okafor family"), given_name="Ada")
    coordinator.full_name = "Casey Coordinator"
    coordinator.save()
    p = page.page

    p.goto(live_server.url + "/")
    expect(p).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    p.get_by_label("E-mail").fill(coordinator.email)
    p.get_by_label("Password").fill(PASSWORD)
    p.get_by_role("button", name="Sign in").click()
    expect(p.get_by_role("heading", name="Your families")).to_be_visible()
    assert page.axe_violations() == []

    p.get_by_role("link", name="Families", exact=True).click()
    expect(p.get_by_role("heading", name="Families", exact=True)).to_be_visible()
    assert page.axe_violations() == []

    search = p.get_by_label("Find a family")
    search.press_sequentially("jai", delay=50)
    results = p.locator("#results")
    # the results update as the coordinator types...
    expect(results.get_by_role("link", name="Okafor family")).to_have_count(0)
    expect(results.get_by_role("link", name="Rivera family")).to_be_visible()
    expect(p.locator("#results-status")).to_have_text("1 family matching “jai”")
    # ...and Enter gives the same list as a page of its own
    search.press("Enter")
    expect(p).to_have_url(f"{live_server.url}/cases/?q=jai&status=open")
    expect(results.get_by_role("link", name="Okafor family")).to_have_count(0)
    expect(search).to_have_value("jai")
    results.get_by_role("link", name="Rivera family").click()
    expect(p.get_by_role("heading", name="Rivera family", level=1)).to_be_visible()
    card = p.locator(f"#child-{child.pk}")
    expect(card.get_by_role("heading", name="Jaime Rivera")).to_be_visible()
    months = age_in_months(child.birth_date, today)
    expect(card.locator(".child-age")).to_have_text(f"{months} months old")
    expect(card.locator(".placement")).to_contain_text("Relative / kin resource home")
    expect(card.locator(".placement")).to_contain_text("12 Elm Street")
    expect(p.locator(".next-hearing")).to_contain_text("Courtroom 3")
    assert page.axe_violations() == []
    page.screenshot("case-page.png")

    assert page.csp_violations == []
    assert page.errors == []
