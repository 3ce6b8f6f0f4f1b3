"""A Community Coordinator closes a family's case (a child still in care, with the reason why)
and transfers another family's case to another site, whose Community Coordinator accepts it
from their home page. Every page passes axe-core and reports no CSP violation; screenshots of
each step are kept in tests/browser/screenshots/ (git-ignored)."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from cases.models import Case, CaseClosure, CaseTransfer
from tests import factories as f
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).parent / "screenshots"


def sign_in(p, base, user):
    p.context.clear_cookies()
    p.goto(base + "/accounts/login/")
    p.get_by_label("E-mail").fill(user.email)
    p.get_by_label("Password").fill(PASSWORD)
    p.get_by_role("button", name="Sign in").click()


def shot(p, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    p.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def test_coordinator_closes_a_case(live_server, page, family, coordinator, site):
    p = page.page
    sign_in(p, live_server.url, coordinator)
    p.goto(f"{live_server.url}/cases/{family.pk}/")
    closing = p.locator("#closing")
    expect(closing).to_contain_text("1 child still in care")
    closing.get_by_role("link", name="Close this case").click()
    expect(p.get_by_role("heading", name="Close Rivera family", level=1)).to_be_visible()
    assert page.axe_violations() == []

    # no reason for the child still in care: refused, on its field
    p.locator("#id_reason").select_option("permanency")
    p.get_by_role("button", name="Close the case").click()
    expect(p.get_by_text("Jaime is still in care")).to_be_visible()
    shot(p, "case-close-refused.png")
    assert not CaseClosure.objects.exists()

    p.get_by_label("Why the case closes while Jaime Rivera is still in care").fill(
        "Guardianship granted today; the discharge is recorded by the agency tomorrow."
    )
    p.get_by_role("button", name="Close the case").click()
    expect(p.get_by_text("The case is closed.")).to_be_visible()
    expect(p.locator("#closing")).to_contain_text("Permanency reached")
    expect(p.locator("#closing").get_by_role("link", name="Reopen the case")).to_be_visible()
    shot(p, "case-closed.png")
    assert page.axe_violations() == []
    assert Case.objects.get(pk=family.pk).closed_on == site.today()
    assert page.csp_violations == []


def test_coordinator_transfers_a_case_and_the_receiving_coordinator_accepts(
    live_server, page, family, coordinator, site, other_site
):
    receiver = f.site_member(other_site, "community_coordinator", email="cc@south.example.org")
    p = page.page
    sign_in(p, live_server.url, coordinator)
    p.goto(f"{live_server.url}/cases/{family.pk}/")
    p.locator("#closing").get_by_role("link", name="Transfer to another site").click()
    expect(p.get_by_role("heading", name="Transfer Rivera family to another site")).to_be_visible()
    assert page.axe_violations() == []
    p.get_by_label("The site that takes the family's case").select_option(label=other_site.name)
    p.get_by_label("A note for the receiving site").fill("The family moved to South County.")
    p.get_by_role("button", name="Ask the site to take the case").click()
    expect(p.locator("#closing .pending-transfer")).to_contain_text(other_site.name)
    shot(p, "case-transfer-pending.png")

    sign_in(p, live_server.url, receiver)
    expect(p.get_by_text("waiting for your site to accept")).to_be_visible()
    p.get_by_role("link", name="see the transfers").click()
    expect(p.get_by_role("heading", name="Transfers between sites", level=1)).to_be_visible()
    assert page.axe_violations() == []
    p.get_by_role("link", name="Accept or decline Rivera family").click()
    summary = p.locator(".transfer-summary")
    expect(summary).to_contain_text("The family moved to South County.")
    expect(summary).to_contain_text(site.name)
    assert "Jaime" not in p.content()  # nothing of the case before accepting
    shot(p, "case-transfer-decide.png")
    assert page.axe_violations() == []
    p.get_by_label("Accept the case").check()
    p.get_by_role("button", name="Send my answer").click()
    expect(p.get_by_text("The case is your site's now.")).to_be_visible()
    expect(p.get_by_role("heading", name="Rivera family", level=1)).to_be_visible()
    expect(p.locator("#closing")).to_contain_text("Accepted")
    shot(p, "case-transfer-accepted.png")
    assert page.axe_violations() == []
    assert Case.objects.get(pk=family.pk).site == other_site
    assert CaseTransfer.objects.get().decided_by == receiver
    assert page.csp_violations == []
