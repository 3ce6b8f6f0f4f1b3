"""The goal form's "Someone else: who" box appears only once "Someone else" is chosen."""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_someone_else_is_typed_only_when_chosen(live_server, page, family, caseworker):
    p = page.page
    p.goto(live_server.url + "/accounts/login/")
    p.get_by_label("E-mail").fill(caseworker.email)
    p.get_by_label("Password").fill(PASSWORD)
    p.get_by_role("button", name="Sign in").click()
    p.goto(f"{live_server.url}/cases/{family.pk}/plan/goals/new/")
    other = p.get_by_label("Someone else: who")
    expect(other).to_be_hidden()
    p.get_by_label("Who", exact=True).select_option("other")
    expect(other).to_be_visible()
    expect(other).to_be_focused()
    other.fill("Harbor Clinic intake")
    p.get_by_label("Who", exact=True).select_option("")
    expect(other).to_be_visible()  # a name typed stays in sight
    assert page.axe_violations() == []
    assert page.csp_violations == [] and page.errors == []
