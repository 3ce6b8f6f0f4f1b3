"""Browser protections on every answer, and production settings that pass `check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]


def test_pages_carry_the_protective_headers(client_for, caseworker):
    response = client_for(caseworker).get(reverse("home"))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self' 'nonce-" in csp
    assert "unsafe-inline" not in csp


def test_the_sign_in_page_and_the_api_carry_them_too(client, api):
    for response in (client.get(reverse("login")), api.get("/api/v1/cases/")):
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"


def test_session_and_csrf_cookies_are_http_only(client, caseworker):
    from tests.conftest import PASSWORD

    page = client.get(reverse("login"))
    assert page.cookies["csrftoken"]["httponly"]
    signed_in = client.post(reverse("login"), {"username": caseworker.email, "password": PASSWORD})
    assert signed_in.cookies["sessionid"]["httponly"]
    assert signed_in.cookies["sessionid"]["samesite"] == "Lax"


def test_a_form_post_without_the_csrf_token_is_refused(caseworker):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(caseworker)
    assert client.post(reverse("sign-out-everywhere")).status_code == 403
    assert client.post(reverse("logout")).status_code == 403


def production_env(**extra) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "DJANGO_ENV", "REQUIRE_2FA", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="safebabies.settings",
        DJANGO_ENV="production",
        SECRET_KEY="a-production-like-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        ALLOWED_HOSTS="court.example.org",
        **extra,
    )
    return env


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_with_production_values():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_secure_the_cookies_and_require_two_factor():
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY,"
        " s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0, s.REQUIRE_2FA)"
    )
    result = run_manage("shell", "-c", code, env=production_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == ["True"] * 6


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_every_answer_to_a_signed_in_person_is_not_stored(
    client_for, caseworker, judge, site_admin, sit_member, family, site
):
    """Pages, API JSON, the PDF, CSV downloads: `Cache-Control: no-store` (one middleware)."""
    from django.test import Client
    from rest_framework.test import APIClient

    from tests import factories as f

    hearing = f.HearingFactory(case=family)
    routes = [
        (caseworker, reverse("home")),
        (caseworker, reverse("case-list") + "?q=a"),
        (caseworker, reverse("case-detail", args=[family.pk])),
        (caseworker, reverse("notification-settings")),
        (caseworker, "/api/v1/cases/"),
        (caseworker, f"/api/v1/cases/{family.pk}/"),
        (judge, reverse("api-hearing-summary", args=[hearing.pk]) + "?format=pdf"),
        (site_admin, reverse("account-audit-csv", args=[site.slug])),
        (sit_member, reverse("cqi-csv", args=[site.slug, "metrics"])),
        (caseworker, "/cases/not-a-case/"),  # a 404 too
    ]
    for user, path in routes:
        client = Client()
        client.force_login(user)
        response = client.get(path)
        assert response.status_code in (200, 404), path
        assert _no_store(response), path
        if path.endswith("format=pdf"):
            assert response["Content-Type"] == "application/pdf"

    api = APIClient()  # a bearer token, not a session
    api.force_authenticate(caseworker)
    assert _no_store(api.get("/api/v1/cases/"))
    assert _no_store(APIClient().get("/api/v1/cases/"))  # the API's refusal too
