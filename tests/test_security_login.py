"""Login defence: password rules, lock-out per account and per address (one answer whether
or not the account exists, on the sign-in page and the token endpoint), password reset that
does not tell whether an account exists, and the idle timeout."""

import re

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from safebabies.identity.accounts.lockout import LOCKED_OUT
from safebabies.identity.accounts.passwords import BreachedPasswordValidator
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


@pytest.mark.parametrize(
    "password",
    ["short pass", "password1234", "P@ssw0rd2024!", "Sunshine!Sunshine!", "safebabies2026"],
)
def test_weak_and_breached_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


@pytest.mark.parametrize("password", ["P@ssw0rd2024!", "monkey12345678", "Dragon!!!!!!!"])
def test_the_offline_breached_check_catches_small_changes_to_known_passwords(password):
    with pytest.raises(ValidationError) as refused:
        BreachedPasswordValidator().validate(password)
    assert refused.value.code == "password_breached"


def test_a_long_unusual_passphrase_is_accepted():
    validate_password("lantern orchard tuesday cobalt")


def sign_in_page(client, email, password, address="10.0.0.1"):
    return client.post(
        reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=address
    )


def test_an_account_is_locked_after_repeated_failures_even_with_the_right_password(
    settings, client, caseworker
):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        response = sign_in_page(client, caseworker.email, "wrong", address=f"10.0.1.{attempt}")
    assert response.status_code == 429
    locked = sign_in_page(client, caseworker.email, PASSWORD, address="10.0.9.9")
    assert locked.status_code == 429
    assert LOCKED_OUT in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_address_is_locked_after_repeated_failures_across_accounts(settings, client, caseworker):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in_page(client, f"nobody{attempt}@north.example.org", "wrong", address="10.0.2.1")
    locked = sign_in_page(client, caseworker.email, PASSWORD, address="10.0.2.1")
    assert locked.status_code == 429
    elsewhere = sign_in_page(client, caseworker.email, PASSWORD, address="10.0.2.2")
    assert elsewhere.status_code == 302


def test_an_unknown_email_and_a_wrong_password_get_the_same_answers(settings, client, caseworker):
    unknown = sign_in_page(client, "nobody@north.example.org", "wrong", address="10.0.3.1")
    wrong = sign_in_page(client, caseworker.email, "wrong", address="10.0.3.2")
    assert unknown.status_code == wrong.status_code == 200
    assert unknown.context["form"].errors == wrong.context["form"].errors
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        last_unknown = sign_in_page(client, "nobody@north.example.org", "x", f"10.0.4.{attempt}")
        last_wrong = sign_in_page(client, caseworker.email, "x", f"10.0.5.{attempt}")
    assert last_unknown.status_code == last_wrong.status_code == 429
    assert LOCKED_OUT in last_unknown.content.decode()
    assert LOCKED_OUT in last_wrong.content.decode()


def test_the_token_endpoint_locks_out_too_with_one_answer(settings, caseworker):
    api = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        api.post(TOKEN_URL, {"email": caseworker.email, "password": "wrong"}, format="json")
    locked = api.post(TOKEN_URL, {"email": caseworker.email, "password": PASSWORD}, format="json")
    assert locked.status_code == 429
    assert locked.json() == {"detail": LOCKED_OUT}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        api.post(TOKEN_URL, {"email": "ghost@north.example.org", "password": "x"}, format="json")
    ghost = api.post(
        TOKEN_URL, {"email": "ghost@north.example.org", "password": "x"}, format="json"
    )
    assert ghost.status_code == 429
    assert ghost.json() == locked.json()


def test_the_lock_out_ignores_the_case_of_the_email(settings, client, caseworker):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        email = caseworker.email.upper() if attempt % 2 else caseworker.email
        sign_in_page(client, email, "wrong", address=f"10.0.6.{attempt}")
    assert sign_in_page(client, caseworker.email, PASSWORD, "10.0.6.99").status_code == 429


def test_password_reset_answers_the_same_for_an_unknown_address(client, caseworker):
    known = client.post(reverse("password_reset"), {"email": caseworker.email})
    unknown = client.post(reverse("password_reset"), {"email": "nobody@north.example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("password_reset_done")
    assert [message.to for message in mail.outbox] == [[caseworker.email]]
    assert "/accounts/password-reset/" in mail.outbox[0].body


def test_a_reset_password_must_pass_the_rules(client, caseworker):
    client.post(reverse("password_reset"), {"email": caseworker.email})
    path = re.search(r"/accounts/password-reset/\S+/", mail.outbox[0].body).group(0)
    form_url = client.get(path, follow=True)
    url = form_url.redirect_chain[-1][0]
    refused = client.post(url, {"new_password1": "password1234", "new_password2": "password1234"})
    assert refused.status_code == 200
    assert refused.context["form"].errors["new_password2"]


def test_the_session_ends_after_the_idle_time_and_pages_carry_the_warning_settings(
    settings, client_for, family, caseworker
):
    client = client_for(caseworker)
    page = client.get(reverse("home"))
    body = page.content.decode()
    assert f'data-session-seconds="{settings.SESSION_COOKIE_AGE}"' in body
    assert f'data-session-warning="{settings.SESSION_WARNING_SECONDS}"' in body
    assert "js/session.js" in body
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    assert settings.SESSION_SAVE_EVERY_REQUEST  # each request restarts the idle clock


def test_the_keepalive_restarts_the_clock_and_takes_only_post(client_for, caseworker):
    client = client_for(caseworker)
    assert client.get(reverse("session-keepalive")).status_code == 405
    response = client.post(reverse("session-keepalive"))
    assert response.status_code == 204
    assert "sessionid" in response.cookies


def test_an_expired_session_opens_nothing(client_for, family, caseworker):
    import datetime as dt

    import time_machine

    client = client_for(caseworker)
    with time_machine.travel(dt.timedelta(minutes=31)):
        response = client.get(reverse("case-detail", args=[family.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
