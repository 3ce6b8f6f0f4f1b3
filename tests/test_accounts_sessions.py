"""Sign out everywhere ends every session and token of the person; DELETE on the token
endpoint revokes the token it is called with."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from safebabies.audit.models import AuditEvent
from safebabies.identity.models import ApiToken

pytestmark = pytest.mark.django_db


def bearer(user) -> APIClient:
    raw, key_hash = ApiToken.new_key()
    ApiToken.objects.create(
        user=user, key_hash=key_hash, expires_at=timezone.now() + timezone.timedelta(hours=1)
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_sign_out_everywhere_ends_every_session_and_token_of_the_person_only(
    family, caseworker, clinician
):
    laptop, phone = browser(caseworker), browser(caseworker)
    their_api = bearer(caseworker)
    colleague, colleague_api = browser(clinician), bearer(clinician)
    case_url = reverse("case-detail", args=[family.pk])
    assert phone.get(case_url).status_code == 200

    response = laptop.post(reverse("sign-out-everywhere"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")

    for client in (laptop, phone):
        after = client.get(case_url)
        assert after.status_code == 302
        assert after["Location"].startswith(reverse("login"))
    assert their_api.get("/api/v1/cases/").status_code == 401
    assert colleague.get(case_url).status_code == 200
    assert colleague_api.get("/api/v1/cases/").status_code == 200
    event = AuditEvent.objects.get(actor=caseworker, detail__everywhere=True)
    assert event.detail["tokens_revoked"] == 1


def test_sign_out_everywhere_takes_only_post(client_for, caseworker):
    client = client_for(caseworker)
    assert client.get(reverse("sign-out-everywhere")).status_code == 405
    assert client.get(reverse("home")).status_code == 200


def test_signing_in_again_after_sign_out_everywhere_works(client, caseworker):
    from tests.conftest import PASSWORD

    browser(caseworker).post(reverse("sign-out-everywhere"))
    signed_in = client.post(reverse("login"), {"username": caseworker.email, "password": PASSWORD})
    assert signed_in.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_delete_on_the_token_endpoint_revokes_only_that_token(family, caseworker):
    first, second = bearer(caseworker), bearer(caseworker)
    assert first.delete("/api/v1/auth/token/").status_code == 204
    assert first.get("/api/v1/cases/").status_code == 401
    assert second.get("/api/v1/cases/").status_code == 200


def test_the_security_page_shows_the_two_factor_state(client_for, caseworker):
    page = client_for(caseworker).get(reverse("account-security"))
    assert page.status_code == 200
    assert "Set up two-factor sign-in" in page.content.decode()


def test_a_session_ends_after_its_absolute_lifetime_however_active(
    settings, family, caseworker, client
):
    import datetime as dt

    import time_machine

    from tests.conftest import PASSWORD

    settings.SESSION_ABSOLUTE_HOURS = 12
    settings.SESSION_COOKIE_AGE = 30 * 60
    settings.REQUIRE_2FA = False
    case_url = reverse("case-detail", args=[family.pk])
    start = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        signed_in = client.post(
            reverse("login"), {"username": caseworker.email, "password": PASSWORD}
        )
        assert signed_in.status_code == 302
        for _ in range(11 * 4 + 3):  # a request every 15 minutes: never idle
            clock.shift(dt.timedelta(minutes=15))
            assert client.get(case_url).status_code == 200
        clock.shift(dt.timedelta(minutes=15))  # 12 hours after the sign-in
        ended = client.get(case_url)
        assert ended.status_code == 302
        assert ended["Location"].startswith(reverse("login"))
        assert client.get(case_url).status_code == 302  # the session is gone, not just refused
    assert AuditEvent.objects.filter(actor=caseworker, action="sign_out").exists()


def test_the_idle_timeout_still_ends_a_session_sooner(settings, family, caseworker, client):
    import datetime as dt

    import time_machine

    settings.SESSION_ABSOLUTE_HOURS = 12
    case_url = reverse("case-detail", args=[family.pk])
    with time_machine.travel(dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC), tick=False) as clock:
        client.force_login(caseworker)
        assert client.get(case_url).status_code == 200
        clock.shift(dt.timedelta(minutes=31))
        assert client.get(case_url).status_code == 302


def test_a_session_from_before_the_absolute_limit_gets_its_clock_on_its_next_request(
    settings, family, caseworker, client
):
    import datetime as dt

    import time_machine

    case_url = reverse("case-detail", args=[family.pk])
    with time_machine.travel(dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC), tick=False) as clock:
        client.force_login(caseworker)
        session = client.session
        del session["signed_in_at"]  # a session signed in before the limit existed
        session.save()
        assert client.get(case_url).status_code == 200
        assert "signed_in_at" in client.session
        for _ in range(12 * 4):
            clock.shift(dt.timedelta(minutes=15))
            client.get(case_url)
        assert client.get(case_url).status_code == 302
