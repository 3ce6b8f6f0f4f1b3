"""A Community Coordinator opens a family's team from the case page, adds a site member in a
role they hold at the site, ends their place, adds a relative the parent names, and records
the relative's notice of the removal: the flag on the case page goes. Every page passes
axe-core and reports no CSP violation."""

import pytest
from playwright.sync_api import expect

from cases.models import Person, TeamMember
from tests import factories as f
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(p, base, user):
    p.context.clear_cookies()
    p.goto(base + "/accounts/login/")
    p.get_by_label("E-mail").fill(user.email)
    p.get_by_label("Password").fill(PASSWORD)
    p.get_by_role("button", name="Sign in").click()


def test_coordinator_changes_the_team_and_records_a_relatives_notice(
    live_server, page, family, coordinator, site
):
    casa = f.site_member(site, "gal_casa", email="casa@north.example.org")
    casa.full_name = "Lee Park"
    casa.save(update_fields=["full_name"])
    p = page.page
    sign_in(p, live_server.url, coordinator)
    p.goto(f"{live_server.url}/cases/{family.pk}/")
    p.get_by_role("link", name="Family team").first.click()
    expect(p.get_by_role("heading", name="Rivera family: the family team")).to_be_visible()
    expect(p.locator(".team-members")).to_contain_text("caseworker@north.example.org")
    assert page.axe_violations() == []

    # a member of the site, in a role they hold there
    p.get_by_role("link", name="Add someone to the team").click()
    p.get_by_label("Site member").select_option(casa.email)
    p.get_by_label("Role on this family's team").select_option("gal_casa")
    p.get_by_label("Phone for this family").fill("555-0144")
    assert page.axe_violations() == []
    p.get_by_role("button", name="Add to the team").click()
    expect(p.get_by_text("They are on the family's team.")).to_be_visible()
    row = p.locator("tr", has_text="Lee Park")
    expect(row).to_contain_text("GAL / CASA")
    expect(row).to_contain_text("555-0144")
    place = TeamMember.objects.get(case=family, user=casa, removed_at__isnull=True)

    # their place ends: dated, kept in the history
    row.get_by_role("button", name="End their place").click()
    expect(p.get_by_text("place on the team as GAL / CASA has ended")).to_be_visible()
    expect(p.locator(".team-members")).not_to_contain_text("Lee Park")
    p.get_by_text("Places that ended (1)").click()
    expect(p.locator(".ended-places")).to_contain_text("Lee Park")
    place.refresh_from_db()
    assert place.removed_at is not None

    # one of the family's own people: a relative, not yet notified of the removal
    p.get_by_role("link", name="Add one of the family's own people").click()
    p.get_by_label("First name").fill("Rosa")
    p.get_by_label("Last name").fill("Lopez")
    p.get_by_label("Relationship to Jaime Rivera").select_option("aunt_uncle")
    assert page.axe_violations() == []
    p.get_by_role("button", name="Add the person").click()
    expect(p.get_by_text("The person is added.")).to_be_visible()
    expect(p.locator(".case-people")).to_contain_text("Not notified of the removal yet")

    # the case page flags the notice; recording it clears the flag
    p.goto(f"{live_server.url}/cases/{family.pk}/")
    expect(p.locator(".icwa-flags")).to_contain_text("Notice to relatives")
    expect(p.locator(".icwa-flags")).to_contain_text("Rosa Lopez")
    assert page.axe_violations() == []
    p.locator("#icwa .relatives li", has_text="Rosa Lopez").get_by_role(
        "link", name="Record the notice"
    ).click()
    p.get_by_label("Notified of the removal on").fill(str(site.today()))
    p.get_by_role("button", name="Save the notice").click()
    expect(p.get_by_text("Rosa's notice is recorded.")).to_be_visible()
    expect(p.locator("#icwa")).to_contain_text("Rosa Lopez: notified of the removal on")
    expect(p.locator(".icwa-flags")).to_have_count(0)
    assert Person.objects.get(given_name="Rosa").notified_on == site.today()
    assert page.csp_violations == []
    assert page.errors == []
