"""Signing in to the API (INTERFACES.md): `POST /api/v1/auth/token/` gives a bearer token that
expires; `DELETE` revokes the token it is called with."""

import datetime as dt
import hashlib

import pytest
import time_machine
from django.test import override_settings
from rest_framework.test import APIClient

from safebabies.audit.models import AuditEvent
from safebabies.identity.models import ApiToken
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
NOW = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)


def sign_in(email: str, password: str = PASSWORD):
    return APIClient().post(TOKEN_URL, {"email": email, "password": password}, format="json")


def with_token(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@time_machine.travel(NOW, tick=False)
def test_sign_in_returns_a_token_that_opens_the_api(family, caseworker):
    response = sign_in("Caseworker@North.example.org")  # e-mail is case-insensitive
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"token", "expires_at"}
    assert dt.datetime.fromisoformat(body["expires_at"]) == NOW + dt.timedelta(hours=12)
    cases = with_token(body["token"]).get("/api/v1/cases/")
    assert cases.status_code == 200
    assert [row["id"] for row in cases.json()["results"]] == [family.id]


def test_only_the_sha256_of_the_token_is_stored(caseworker):
    token = sign_in(caseworker.email).json()["token"]
    stored = ApiToken.objects.get(user=caseworker)
    assert stored.key_hash == hashlib.sha256(token.encode()).hexdigest()
    assert not ApiToken.objects.filter(key_hash=token).exists()


@override_settings(API_TOKEN_TTL_HOURS=2)
def test_a_token_expires_after_its_time_to_live(family, caseworker):
    with time_machine.travel(NOW, tick=False):
        token = sign_in(caseworker.email).json()["token"]
    with time_machine.travel(NOW + dt.timedelta(hours=1, minutes=59), tick=False):
        assert with_token(token).get("/api/v1/cases/").status_code == 200
    with time_machine.travel(NOW + dt.timedelta(hours=2), tick=False):
        response = with_token(token).get("/api/v1/cases/")
    assert response.status_code == 401


def test_unknown_email_and_wrong_password_get_the_same_answer(caseworker):
    unknown = sign_in("nobody@north.example.org")
    wrong = sign_in(caseworker.email, "not the password at all")
    assert unknown.status_code == wrong.status_code == 400
    assert unknown.json() == wrong.json()
    assert "token" not in wrong.json()
    assert not ApiToken.objects.exists()


def test_a_deactivated_user_is_refused_with_the_same_answer(caseworker):
    unknown = sign_in("nobody@north.example.org")
    caseworker.is_active = False
    caseworker.save()
    refused = sign_in(caseworker.email)
    assert (refused.status_code, refused.json()) == (400, unknown.json())
    assert not ApiToken.objects.exists()


def test_a_deactivated_user_loses_their_token_at_once(family, caseworker):
    token = sign_in(caseworker.email).json()["token"]
    caseworker.is_active = False
    caseworker.save()
    assert with_token(token).get("/api/v1/cases/").status_code == 401


def test_sign_in_errors_name_the_missing_fields():
    response = APIClient().post(TOKEN_URL, {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"email", "password"}


def test_the_api_needs_a_bearer_token(family):
    response = APIClient().get("/api/v1/cases/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert with_token("made-up").get("/api/v1/cases/").status_code == 401
    malformed = APIClient()
    malformed.credentials(HTTP_AUTHORIZATION="Bearer two parts")
    assert malformed.get("/api/v1/cases/").status_code == 401


def test_delete_revokes_the_token_it_is_called_with(family, caseworker):
    first = sign_in(caseworker.email).json()["token"]
    second = sign_in(caseworker.email).json()["token"]
    assert with_token(first).delete(TOKEN_URL).status_code == 204
    assert with_token(first).get("/api/v1/cases/").status_code == 401
    assert with_token(first).delete(TOKEN_URL).status_code == 401
    assert with_token(second).get("/api/v1/cases/").status_code == 200  # only that one
    revoked = ApiToken.objects.get(key_hash=ApiToken.hash(first))
    assert revoked.revoked_at is not None


def test_delete_needs_a_bearer_token(client, caseworker):
    assert APIClient().delete(TOKEN_URL).status_code == 401
    client.force_login(caseworker)  # a browser session has no token to revoke
    assert client.delete(TOKEN_URL).status_code == 401


def test_token_endpoint_has_no_get(caseworker):
    token = sign_in(caseworker.email).json()["token"]
    assert with_token(token).get(TOKEN_URL).status_code == 405
    assert with_token(token).put(TOKEN_URL, {}, format="json").status_code == 405


def test_sign_in_revoke_and_refusal_are_audited(caseworker):
    token = sign_in(caseworker.email).json()["token"]
    issued = AuditEvent.objects.get(action="sign_in")
    assert (issued.actor, issued.record_type) == (caseworker, "teams.apitoken")
    assert issued.detail["method"] == "api_token"
    assert token not in str(issued.detail)

    with_token(token).delete(TOKEN_URL)
    revoked = AuditEvent.objects.get(action="sign_out")
    assert (revoked.actor, revoked.record_type) == (caseworker, "teams.apitoken")

    sign_in(caseworker.email, "a wrong password typed here")
    refused = AuditEvent.objects.get(action="sign_in_failed")
    assert refused.actor is None
    assert "a wrong password" not in str(refused.detail)
