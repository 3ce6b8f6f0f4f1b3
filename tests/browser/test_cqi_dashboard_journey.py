"""A Site Implementation Team member opens the program dashboard from the home page, changes
the period and sees small counts hidden ("fewer than 5"); every page passes axe-core and
reports no Content Security Policy violation."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.test_cqi_metrics import FOSTER, REUNIFICATION, episode, new_child

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Where each trend card's bars and month columns are on screen.
TREND_GEOMETRY = """() => [...document.querySelectorAll('[data-trend]')].map(card => {
  const centre = el => { const b = el.getBoundingClientRect(); return b.left + b.width / 2; };
  const span = el => { const b = el.getBoundingClientRect(); return [b.left, b.right]; };
  return {
    metric: card.dataset.trend,
    card_right: card.getBoundingClientRect().right,
    table_right: card.querySelector('table').getBoundingClientRect().right,
    bars: [...card.querySelectorAll('rect.trend-bar')].map(r => [r.dataset.month, centre(r)]),
    columns: Object.fromEntries(
      [...card.querySelectorAll('th[data-month]')].map(th => [th.dataset.month, span(th)])),
  };
})"""


def test_sit_member_changes_the_period_and_sees_small_cells_hidden(
    live_server, page, site, sit_member
):
    today = site.today()
    removal = today - dt.timedelta(days=100)
    for i, (race, hispanic) in enumerate([("white", "yes")] * 3 + [("black", "no")] * 7):
        child = new_child(site, birth_date=removal - dt.timedelta(days=200))
        child.race, child.hispanic, child.given_name = [race], hispanic, f"Quillon{i}"
        child.save()
        discharge = removal + dt.timedelta(days=50) if i in (0, 3) else None
        episode(
            child,
            removal,
            discharge,
            REUNIFICATION if discharge else "",
            placements=[(FOSTER, removal)],
        )
    p = page.page

    p.goto(live_server.url + "/accounts/login/")
    p.get_by_label("E-mail").fill(sit_member.email)
    p.get_by_label("Password").fill(PASSWORD)
    p.get_by_role("button", name="Sign in").click()
    p.get_by_role("link", name="Open the program dashboards").click()
    expect(p.get_by_role("heading", name="Program dashboards")).to_be_visible()
    assert page.axe_violations() == []
    p.get_by_role("row", name="North County Safe Babies").get_by_role(
        "link", name="Dashboard"
    ).click()
    expect(p.get_by_role("heading", name="Outcomes for children")).to_be_visible()
    assert page.axe_violations() == []
    # month by month: each value under its own month's bar, the last month inside its card
    cards = p.evaluate(TREND_GEOMETRY)
    assert len(cards) >= 4
    for card in cards:
        assert card["table_right"] <= card["card_right"] + 0.5, card["metric"]
        assert [month for month, _ in card["bars"]] == list(card["columns"])
        for month, centre in card["bars"]:
            left, right = card["columns"][month]
            assert left <= centre <= right, (card["metric"], month)

    # Last calendar year ends before the removals: nobody in care
    p.get_by_role("link", name="Last calendar year").click()
    expect(p.get_by_role("link", name="Last calendar year")).to_have_attribute(
        "aria-current", "true"
    )
    race = p.locator('table[data-dimension="race_ethnicity"]')
    expect(race.locator("tfoot td").first).to_have_text("0")

    # The period that holds them, typed in
    start = removal - dt.timedelta(days=30)
    p.get_by_label("Start", exact=True).fill(start.isoformat())
    p.get_by_label("End", exact=True).fill((today - dt.timedelta(days=1)).isoformat())
    p.get_by_role("button", name="Show this period").click()
    # for the Site Implementation Team the dates widen to whole months that have ended
    widened = start.replace(day=1)
    expect(p.get_by_role("heading", level=2, name=f"Period: {widened:%-d %b %Y}")).to_be_visible()
    hispanic = race.get_by_role("row", name="Hispanic or Latino (any race)")
    expect(hispanic.locator("td").first).to_have_text("fewer than 5")
    black = race.get_by_role("row", name="Black or African American")
    expect(black.locator("td").first).to_have_text("hidden")
    expect(race.locator("tfoot td").first).to_have_text("10")
    expect(p.get_by_text("Quillon0")).to_have_count(0)
    assert page.axe_violations() == []

    p.get_by_role("link", name="Data story (printable)").click()
    expect(p.get_by_role("heading", name="our data story")).to_be_visible()
    assert page.axe_violations() == []
    p.get_by_role("link", name="Back to the dashboard").click()
    p.get_by_role("link", name="Barriers to services").click()
    expect(p.get_by_role("heading", name="By month of referral")).to_be_visible()
    assert page.axe_violations() == []
    p.goto(live_server.url + "/cqi/north/practice-matrix/")
    p.get_by_label("Level", exact=False).first.select_option("good")
    p.get_by_role("button", name="Save the scores").click()
    expect(p.get_by_text("The site's scores are saved.")).to_be_visible()
    expect(p.locator("#matrix-history")).to_contain_text("Good practice")
    assert page.axe_violations() == []
    assert page.csp_violations == [] and page.errors == []
