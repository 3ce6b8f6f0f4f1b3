"""A Community Coordinator walks one child's time in care on the case page, at tablet size:
the removal with its first placement, a move, a trial home visit (not a move), a discharge
to reunification (undone once, the same day), and a re-entry. Every page passes axe-core and
reports no CSP violation; a screenshot of each step is kept in tests/browser/screenshots/."""

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import expect

from cases.models import Episode
from tests import factories as f
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).parent / "screenshots"


def _shot(p, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    p.screenshot(path=str(SCREENSHOTS / f"case-life-{name}.png"), full_page=True)


def _iso(day: dt.date) -> str:
    return day.isoformat()


def test_one_child_from_removal_to_reunification_and_re_entry(
    live_server, page, family, coordinator, site
):
    today = site.today()
    ana = f.ChildFactory(
        case=family, given_name="Ana", family_name="Rivera", birth_date=today - dt.timedelta(400)
    )
    f.PersonFactory(case=family, kind="resource_parent", given_name="Maria", family_name="Lopez")
    p = page.page

    p.goto(live_server.url + "/accounts/login/")
    p.get_by_label("E-mail").fill(coordinator.email)
    p.get_by_label("Password").fill(PASSWORD)
    p.get_by_role("button", name="Sign in").click()
    expect(p.get_by_role("heading", name="Your families")).to_be_visible()
    p.goto(f"{live_server.url}/cases/{family.pk}/")
    care = p.locator(f"#care-{ana.pk}")
    expect(care).to_contain_text("Not removed from home")

    # 1. The removal, with its first placement
    care.get_by_role("link", name="Record a removal of Ana Rivera").click()
    expect(p.get_by_role("heading", name="Record a removal in Rivera family")).to_be_visible()
    expect(p.get_by_label("Ana Rivera")).to_be_checked()
    p.get_by_label("Removal date").fill(_iso(today - dt.timedelta(60)))
    p.get_by_label("Manner of removal").select_option("court_ordered")
    p.get_by_label("Neglect").check()
    p.get_by_label("Setting").select_option("relative_foster")
    p.get_by_label("Resource parent or caregiver").select_option(label="Maria Lopez")
    p.get_by_label("Address of the first placement").fill("5 Cedar Court")
    assert page.axe_violations() == []
    _shot(p, "1-removal-form")
    p.get_by_role("button", name="Record the removal").click()
    expect(p.get_by_text("The removal is recorded.")).to_be_visible()
    expect(care).to_contain_text("Removed on")
    expect(care).to_contain_text("Reasons: Neglect")
    expect(care).to_contain_text("5 Cedar Court")
    _shot(p, "2-removed")

    # 2. A move
    care.get_by_role("link", name="Change where Ana lives").click()
    p.get_by_label("A move to another home").check()
    p.get_by_label("The new home").select_option("nonrelative_foster")
    p.get_by_label("From").fill(_iso(today - dt.timedelta(40)))
    p.get_by_label("Why the current placement ends").fill("Moved closer to the parents")
    assert page.axe_violations() == []
    p.get_by_role("button", name="Save the placement").click()
    expect(care.locator(".placement-row")).to_have_count(2)

    # 3. A trial home visit: not a move
    care.get_by_role("link", name="Change where Ana lives").click()
    p.get_by_label("Trial home visit: back with the parents, still in care (not a move)").check()
    p.get_by_label("From").fill(_iso(today - dt.timedelta(10)))
    p.get_by_label("Why the current placement ends").fill("Trial home visit")
    _shot(p, "3-trial-home-visit-form")
    p.get_by_role("button", name="Save the placement").click()
    expect(care.locator(".placement-row")).to_have_count(3)
    expect(care.locator(".not-a-move")).to_have_text("Trial home visit: not a move")
    assert page.axe_violations() == []
    _shot(p, "4-trial-home-visit")

    # 4. Discharge to reunification; undone once (a slip), then recorded again
    for attempt in ("undo", "keep"):
        care.get_by_role("link", name="Ana leaves care").click()
        p.get_by_label("Left care on").fill(_iso(today - dt.timedelta(2)))
        p.get_by_label("Why").select_option("reunification")
        assert page.axe_violations() == []
        p.get_by_role("button", name="Record the discharge").click()
        expect(care.locator(".discharge")).to_contain_text("reunification")
        if attempt == "undo":
            care.get_by_role("button", name="Undo this discharge of Ana Rivera").click()
            expect(p.get_by_text("The discharge is undone")).to_be_visible()
            expect(care.locator(".discharge")).to_have_count(0)
    expect(care.locator(".placement-row").last).to_contain_text("Discharged: Reunification")
    _shot(p, "5-discharged")

    # 5. Re-entry: a new removal; one that overlaps the first is refused on its date
    care.get_by_role("link", name="Record a removal of Ana Rivera").click()
    p.get_by_label("Removal date").fill(_iso(today - dt.timedelta(30)))
    p.get_by_label("Physical abuse").check()
    p.get_by_label("Setting").select_option("nonrelative_foster")
    p.get_by_role("button", name="Record the removal").click()
    expect(p.locator("#form-errors")).to_be_visible()
    expect(p.get_by_text("This removal overlaps removal")).to_be_visible()
    _shot(p, "6-overlap-refused")
    p.get_by_label("Removal date").fill(_iso(today))
    p.get_by_role("button", name="Record the removal").click()
    expect(care).to_contain_text("Came back into care (re-entry)")
    # the discharge the child came back into care after cannot be undone any more
    expect(care.get_by_role("button", name="Undo this discharge of Ana Rivera")).to_have_count(0)
    assert page.axe_violations() == []
    _shot(p, "7-re-entry")

    episodes = list(Episode.objects.filter(child=ana).order_by("removal_date"))
    assert [(e.discharge_reason, e.discharge_date is None) for e in episodes] == [
        ("reunification", False),
        ("", True),
    ]
    assert [p.setting for p in episodes[0].placements.order_by("start_date")] == [
        "relative_foster",
        "nonrelative_foster",
        "trial_home_visit",
    ]
    assert page.csp_violations == []
    assert page.errors == []


def test_a_case_opened_in_the_browser_with_a_neglect_removal_makes_early_intervention_due(
    live_server, page, coordinator, site
):
    today = site.today()
    p = page.page
    p.goto(live_server.url + "/accounts/login/")
    p.get_by_label("E-mail").fill(coordinator.email)
    p.get_by_label("Password").fill(PASSWORD)
    p.get_by_role("button", name="Sign in").click()
    expect(p.get_by_role("heading", name="Your families")).to_be_visible()
    p.goto(live_server.url + "/cases/new/")
    p.get_by_label("Family name for the team").fill("Okafor family")
    p.get_by_label("Case opened on").fill(_iso(today))
    p.get_by_label("Child's first name").fill("Ada")
    p.get_by_label("Child's birth date").fill(_iso(today - dt.timedelta(200)))
    p.get_by_label("Removal date").fill(_iso(today - dt.timedelta(1)))
    p.get_by_label("Manner of removal").select_option("court_ordered")
    p.get_by_label("Neglect").check()
    p.get_by_label("First placement", exact=False).first.select_option("relative_foster")
    p.get_by_label("Permanency goal").select_option("reunification")
    p.get_by_label("Concurrent goal").select_option("relative")
    assert page.axe_violations() == []
    _shot(p, "8-new-family-with-removal")
    p.get_by_role("button", name="Open the case").click()
    expect(p.get_by_role("heading", name="Okafor family", level=1)).to_be_visible()
    expect(p.get_by_text("Early intervention referral (IDEA Part C)")).to_be_visible()
    expect(p.locator(".removal-reasons")).to_have_text("Reasons: Neglect")
    _shot(p, "9-new-family-case-page")
    assert page.csp_violations == []
    assert page.errors == []
