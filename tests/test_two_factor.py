"""Two-factor sign-in (REQUIRE_2FA on): no password alone opens a case record, in the browser
or through the API.

The test settings turn REQUIRE_2FA off so that the rest of the suite can sign in with
`force_login`; every test here turns it on with the `require_2fa` fixture, and
tests/test_security_sweep.py walks every route with a password-only session."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from safebabies.audit.models import AuditEvent
from safebabies.identity.services import SecondFactorNeeded
from tests.conftest import PASSWORD
from tests.test_security_sweep import make_samples, sweep

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture
def require_2fa(settings):
    settings.REQUIRE_2FA = True


def code_for(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def enrol(user) -> tuple[TOTPDevice, list[str]]:
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    static = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    codes = ["1111122222", "3333344444"]
    for code in codes:
        StaticToken.objects.create(device=static, token=code)
    return device, codes


def password_sign_in(client, user):
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, "the password step itself should succeed"
    return client


def test_without_a_device_a_signed_in_user_is_sent_to_enrolment_and_opens_nothing(
    require_2fa, client, family, caseworker
):
    password_sign_in(client, caseworker)
    response = client.get(reverse("case-detail", args=[family.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two-factor-setup"))
    assert client.get(reverse("home")).status_code == 302
    api = client.get("/api/v1/cases/")
    assert api.status_code == 403
    assert "two factors" in api.json()["detail"]


def test_enrolment_shows_a_qr_code_then_recovery_codes_once_and_opens_the_case(
    require_2fa, client, family, caseworker
):
    password_sign_in(client, caseworker)
    page = client.get(reverse("two-factor-setup"))
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in page.content.decode()
    device = TOTPDevice.objects.get(user=caseworker, confirmed=False)

    wrong = client.post(reverse("two-factor-setup"), {"code": "000000"})
    assert "did not match" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=caseworker, confirmed=True).exists()

    # django-otp slows down guessing: after a wrong code the next try must wait a moment.
    with time_machine.travel(dt.timedelta(seconds=5)):
        done = client.post(
            reverse("two-factor-setup"),
            {"code": code_for(device), "next": reverse("case-detail", args=[family.pk])},
        )
    assert done.status_code == 200
    shown = re.findall(r"<code class=\"fs-5\">(\d{5}-\d{5})</code>", done.content.decode())
    assert len(shown) == 10
    assert StaticToken.objects.filter(device__user=caseworker).count() == 10
    assert client.get(reverse("case-detail", args=[family.pk])).status_code == 200
    assert AuditEvent.objects.filter(
        actor=caseworker, detail__two_factor="enrolled", action="update"
    ).exists()


def test_the_second_step_takes_an_app_code_and_then_the_case_opens(
    require_2fa, client, family, caseworker
):
    device, _codes = enrol(caseworker)
    password_sign_in(client, caseworker)
    target = reverse("case-detail", args=[family.pk])
    first = client.get(target)
    assert first["Location"].startswith(reverse("two-factor-verify"))
    refused = client.post(reverse("two-factor-verify"), {"code": "000000", "next": target})
    assert refused.status_code == 200
    assert client.get(target).status_code == 302
    with time_machine.travel(dt.timedelta(seconds=5)):  # past django-otp's throttle
        passed = client.post(
            reverse("two-factor-verify"), {"code": code_for(device), "next": target}
        )
    assert passed.status_code == 302
    assert passed["Location"] == target
    assert client.get(target).status_code == 200


def test_a_recovery_code_works_once(require_2fa, client, caseworker):
    _device, codes = enrol(caseworker)
    password_sign_in(client, caseworker)
    typed_as_shown = f"{codes[0][:5]}-{codes[0][5:]}"  # the page shows them with a dash
    assert client.post(reverse("two-factor-verify"), {"code": typed_as_shown}).status_code == 302
    client.post(reverse("logout"))
    password_sign_in(client, caseworker)
    again = client.post(reverse("two-factor-verify"), {"code": codes[0]})
    assert again.status_code == 200
    assert "did not match" in again.content.decode()


def test_a_password_alone_cannot_replace_an_enrolled_authenticator(require_2fa, client, caseworker):
    enrol(caseworker)
    password_sign_in(client, caseworker)
    response = client.get(reverse("two-factor-setup"))
    assert response.status_code == 302
    assert response["Location"] == reverse("two-factor-verify")
    assert not TOTPDevice.objects.filter(user=caseworker, confirmed=False).exists()


def test_aggregate_only_roles_sign_in_without_a_second_factor(require_2fa, client, sit_member):
    password_sign_in(client, sit_member)
    assert client.get(reverse("home")).status_code == 200


def test_with_require_2fa_off_the_password_is_enough(settings, client, family, caseworker):
    settings.REQUIRE_2FA = False
    password_sign_in(client, caseworker)
    assert client.get(reverse("case-detail", args=[family.pk])).status_code == 200


# --- The token endpoint ------------------------------------------------------------------------


def token_request(**body):
    return APIClient().post(TOKEN_URL, body, format="json")


def test_the_token_endpoint_refuses_a_password_alone_and_says_a_second_factor_is_needed(
    require_2fa, caseworker
):
    enrol(caseworker)
    response = token_request(email=caseworker.email, password=PASSWORD)
    assert response.status_code == 400
    assert response.json()["otp"] == [SecondFactorNeeded.MESSAGE]
    assert "token" not in response.json()


def test_the_token_endpoint_tells_an_unenrolled_user_to_set_up_two_factor_first(
    require_2fa, caseworker
):
    response = token_request(email=caseworker.email, password=PASSWORD, otp="123456")
    assert response.status_code == 400
    assert response.json()["otp"] == [SecondFactorNeeded.NOT_ENROLLED]


def test_the_token_endpoint_refuses_a_wrong_code_and_counts_it_as_a_failed_sign_in(
    require_2fa, caseworker
):
    enrol(caseworker)
    response = token_request(email=caseworker.email, password=PASSWORD, otp="000000")
    assert response.status_code == 400
    assert response.json()["otp"] == [SecondFactorNeeded.WRONG]
    assert AuditEvent.objects.filter(action="sign_in_failed", record_id=str(caseworker.pk)).exists()


def test_a_wrong_password_gets_the_ordinary_refusal_not_the_second_factor_one(
    require_2fa, caseworker
):
    enrol(caseworker)
    response = token_request(email=caseworker.email, password="not the password at all")
    assert response.status_code == 400
    assert "otp" not in response.json()


def test_the_token_endpoint_issues_a_token_with_an_app_code_or_a_recovery_code(
    require_2fa, family, caseworker
):
    device, codes = enrol(caseworker)
    with_app = token_request(email=caseworker.email, password=PASSWORD, otp=code_for(device))
    assert with_app.status_code == 201
    with_recovery = token_request(email=caseworker.email, password=PASSWORD, otp=codes[1])
    assert with_recovery.status_code == 201
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {with_recovery.json()['token']}")
    assert client.get(f"/api/v1/cases/{family.pk}/").status_code == 200
    reused = token_request(email=caseworker.email, password=PASSWORD, otp=codes[1])
    assert reused.status_code == 400


def test_an_aggregate_only_user_gets_a_token_with_the_password(require_2fa, sit_member):
    assert token_request(email=sit_member.email, password=PASSWORD).status_code == 201


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_two_factor_pages_refuse_other_methods(require_2fa, client, caseworker, method):
    password_sign_in(client, caseworker)
    for name in ("two-factor-verify", "two-factor-setup"):
        assert getattr(client, method)(reverse(name)).status_code == 405


def test_two_factor_pages_need_a_password_first(require_2fa, client):
    for name in ("two-factor-verify", "two-factor-setup"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_with_two_factor_on_a_password_only_session_opens_no_route(
    require_2fa, site, family, caseworker, coordinator
):
    """The security sweep, run for the family's own Community Coordinator (who sees every
    case of the site) signed in with the password only: every page and API route, called with
    the session, must show and change nothing of the family."""
    samples = make_samples(site, family, caseworker)
    assert sweep(coordinator, samples, api_by_session=True) == []
