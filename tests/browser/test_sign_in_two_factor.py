"""A caseworker signs in with REQUIRE_2FA on: password, then enrolment (QR code, code from the
app, recovery codes), then the second step on the next sign-in; the idle warning appears
before the session ends. No page has a serious axe violation or a CSP violation."""

import base64

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def app_code(secret_text: str) -> str:
    key = base64.b32decode(secret_text.replace(" ", ""))
    return f"{TOTP(key).token():06d}"


def test_a_caseworker_enrols_then_signs_in_with_two_factors(
    live_server, page, settings, family, caseworker
):
    settings.REQUIRE_2FA = True
    p = page.page
    p.goto(f"{live_server.url}/cases/{family.pk}/")
    p.get_by_label("E-mail").fill(caseworker.email)
    p.get_by_label("Password").fill(PASSWORD)
    p.get_by_role("button", name="Sign in").click()

    expect(p.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    expect(p.get_by_role("img", name="QR code to add Safe Babies to your authenticator app"))
    assert page.axe_violations() == []
    secret = p.locator("#totp-secret").inner_text()
    p.get_by_label("Code from your authenticator app").fill(app_code(secret))
    p.get_by_role("button", name="Confirm").click()

    expect(p.get_by_role("heading", name="Two-factor sign-in is on")).to_be_visible()
    expect(p.get_by_role("list", name="Recovery codes").locator("li")).to_have_count(10)
    recovery = p.get_by_role("list", name="Recovery codes").locator("li").first.inner_text()
    assert page.axe_violations() == []
    p.get_by_role("link", name="I have saved them: continue").click()
    expect(p.get_by_role("heading", name=family.name, level=1)).to_be_visible()

    p.get_by_role("button", name="Sign out").click()
    p.goto(f"{live_server.url}/cases/{family.pk}/")
    p.get_by_label("E-mail").fill(caseworker.email)
    p.get_by_label("Password").fill(PASSWORD)
    p.get_by_role("button", name="Sign in").click()
    expect(p.get_by_role("heading", name="One more step")).to_be_visible()
    assert page.axe_violations() == []
    p.get_by_label("Code").fill(recovery)
    p.get_by_role("button", name="Continue").click()
    expect(p.get_by_role("heading", name=family.name, level=1)).to_be_visible()
    assert page.csp_violations == []
    assert page.errors == []


def test_the_idle_warning_offers_to_stay_signed_in(live_server, page, settings, caseworker):
    settings.SESSION_COOKIE_AGE = 300
    settings.SESSION_WARNING_SECONDS = 299  # the warning shows at once
    p = page.page
    p.goto(f"{live_server.url}/accounts/login/")
    p.get_by_label("E-mail").fill(caseworker.email)
    p.get_by_label("Password").fill(PASSWORD)
    p.get_by_role("button", name="Sign in").click()
    warning = p.get_by_role("alertdialog", name="Session ending soon")
    expect(warning).to_be_visible(timeout=5000)
    with p.expect_response(lambda r: r.url.endswith("/accounts/session/keepalive/")) as kept:
        warning.get_by_role("button", name="Stay signed in").click()
    assert kept.value.status == 204
    assert page.axe_violations() == []
    assert page.csp_violations == []
