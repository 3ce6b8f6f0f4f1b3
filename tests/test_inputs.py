"""Every input answered (issue 18, items 5 and 7): no request of any shape is a 500, and the
debug page and the log settings are safe to use.

- a control character (NUL ...) in an id, a filter or a search is a 400 naming it;
- JSON nested too deep or too large is a 400, on the anonymous sign-in endpoint too;
- the debug page (and error reports) never show a URL, DSN or password;
- LOG_LEVEL is read in any case, by the settings and by gunicorn.

The CQI period checks are in tests/test_cqi_api.py and tests/test_cqi_dashboard.py; the
schema-driven fuzzer is tests/test_fuzz_api.py.
"""

import json
import logging
import runpy
import secrets

import pytest
from django.test import RequestFactory, override_settings
from django.views.debug import ExceptionReporter

from safebabies.debug_filter import SecretsFilter
from safebabies.lib import jsonin
from tests.test_settings import production_env, run

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


# --- Control characters in ids, filters and searches ------------------------------------------


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\n", "\x7f"])
@pytest.mark.parametrize(
    "url, params, name",
    [
        ("/api/v1/children/", {"case": "abc{}"}, "case"),
        ("/api/v1/services/", {"child": "{}x"}, "child"),
        ("/api/v1/cases/", {"page": "1{}"}, "page"),
        ("/api/v1/cqi/metrics/", {"site": "north{}"}, "site"),
        ("/api/v1/audit-events/", {"actor": "{}"}, "actor"),
    ],
)
def test_a_control_character_in_an_api_filter_is_a_400_naming_it(
    api, coordinator, url, params, name, char
):
    api.force_authenticate(coordinator)
    response = api.get(url, {k: v.format(char) for k, v in params.items()})
    assert response.status_code == 400
    assert name in response.json()


@pytest.mark.parametrize(
    "url", ["/api/v1/cases/ab%00c/", "/api/v1/cases/ab%00c/team-members/", "/api/v1/ftms/%00/"]
)
def test_a_nul_in_an_api_id_is_a_400(api, coordinator, url):
    api.force_authenticate(coordinator)
    response = api.get(url)
    assert response.status_code == 400
    assert "path" in response.json()


def test_a_nul_in_a_page_search_filter_or_id_is_a_400_naming_it(client_for, coordinator, family):
    client = client_for(coordinator)
    search = client.get("/cases/", {"q": "Rive\x00ra"})
    assert search.status_code == 400
    assert "q: control characters" in search.content.decode()
    assert client.get(f"/cases/{family.id}%00/").status_code == 400
    assert client.get("/cases/", {"q": "Rivera"}).status_code == 200  # the ordinary search


def test_an_anonymous_nul_is_a_400_too(client):
    assert client.get("/cases/%00/").status_code == 400
    assert client.get("/api/v1/cases/", {"case": "\x00"}).status_code == 400


# --- JSON bodies ------------------------------------------------------------------------------


def test_deeply_nested_json_to_the_anonymous_sign_in_is_a_400(client):
    body = "[" * 100_000 + "]" * 100_000
    response = client.post(TOKEN_URL, body, content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_json_deeper_than_the_limit_is_a_400_and_within_it_is_read(api, coordinator):
    deep = {"email": "a@b.org", "password": "x", "otp": "1"}
    for _ in range(jsonin.MAX_DEPTH):
        deep = {"x": deep}
    response = APIClientJSON(api).post(TOKEN_URL, deep)
    assert response.status_code == 400
    assert "nested deeper" in response.json()["detail"]
    shallow = APIClientJSON(api).post(TOKEN_URL, {"email": "a@b.org", "password": "x"})
    assert shallow.status_code == 400  # wrong password: the body was read
    assert "JSON" not in json.dumps(shallow.json())


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_json_body_over_the_upload_limit_is_a_400(client):
    body = json.dumps({"email": "a@b.org", "password": "x" * 2000})
    response = client.post(TOKEN_URL, body, content_type="application/json")
    assert response.status_code == 400  # Django's own check, before the parser's


def test_deep_json_to_the_ftm_autosave_is_a_400(client_for, coordinator, family):
    from teams.models import Ftm

    ftm = Ftm.objects.create(case=family, scheduled_on="2026-04-01")
    response = client_for(coordinator).post(
        f"/ftms/{ftm.id}/save/", "[" * 50_000 + "]" * 50_000, content_type="application/json"
    )
    assert response.status_code == 400


class APIClientJSON:
    def __init__(self, api):
        self.api = api

    def post(self, url, data):
        return self.api.post(url, json.dumps(data), content_type="application/json")


# --- The debug page never shows a secret ------------------------------------------------------

# Random, so that the page's own quotes of this file's source cannot hold them.
PW = [secrets.token_hex(6) for _ in range(5)]
SECRETS = {
    "DATABASE_URL": f"postgres://app:{PW[0]}@db.internal:5432/sb",
    "REDIS_URL": f"redis://:{PW[1]}@cache.internal:6379/0",
    "CELERY_BROKER_URL": f"redis://:{PW[1]}@cache.internal:6379/0",
    "EMAIL_URL": f"smtp://mailer:{PW[2]}@smtp.internal:587",
    "SENTRY_DSN": f"https://{PW[3]}@sentry.example.org/1",
    "CACHES": {"default": {"LOCATION": f"redis://:{PW[1]}@cache.internal:6379/0"}},
    "SOME_OTHER": f"amqp://u:{PW[4]}@broker.internal/",
}


def test_the_debug_page_masks_every_url_dsn_and_password():
    with override_settings(DEBUG=True, **SECRETS):
        request = RequestFactory().get("/", {"q": "x"}, REDIS_URL=SECRETS["REDIS_URL"])
        try:
            raise RuntimeError("boom")
        except RuntimeError as exc:
            reporter = ExceptionReporter(request, type(exc), exc, exc.__traceback__)
            page = reporter.get_traceback_html() + reporter.get_traceback_text()
    assert "boom" in page
    leaked = [secret for secret in PW if secret in page]
    assert leaked == []
    assert "cache.internal" not in page  # the whole URL, not only its password


def test_the_settings_use_the_masking_filter(settings):
    assert settings.DEFAULT_EXCEPTION_REPORTER_FILTER == "safebabies.debug_filter.SecretsFilter"
    assert SecretsFilter().cleanse_setting("HARMLESS", "plain") == "plain"


# --- LOG_LEVEL in any case --------------------------------------------------------------------


@pytest.mark.parametrize("level", ["warning", "WARNING", " Warning "])
def test_log_level_is_read_in_any_case_by_the_settings(level):
    result = run(
        [
            "-c",
            "import django, logging; django.setup(); print(logging.getLogger().level)",
        ],
        production_env(LOG_LEVEL=level),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(logging.WARNING)


@pytest.mark.parametrize("level", ["warning", "WARNING"])
def test_log_level_is_read_in_any_case_by_gunicorn(monkeypatch, level):
    monkeypatch.setenv("LOG_LEVEL", level)
    config = runpy.run_path("safebabies/gunicorn.conf.py")
    assert config["loglevel"] == "warning"
