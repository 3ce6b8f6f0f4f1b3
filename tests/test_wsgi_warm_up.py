"""A gunicorn worker loads its views, templates and translations before its first request
(safebabies/wsgi.py `warm_up`), without the database: the first sign-in page of a new or
recycled worker is not the slowest request of the load test. Run as gunicorn runs it, with
the production settings (tests/test_settings.py's environment)."""

import json

from tests.test_settings import assert_refused, production_env, run

PROBE = """
import json, sys
import safebabies.wsgi
from django.template import engines
loader = engines["django"].engine.template_loaders[0]
print(json.dumps({
    "views": sorted(m for m in ("cases.views", "cqi.views", "safebabies.api_urls",
                                "drf_spectacular.views") if m in sys.modules),
    "templates": sorted(key for key in loader.get_template_cache
                        if key.startswith(("registration/login.html", "base.html"))),
}))
"""
# no database to reach: the warm-up must not need one
NO_DATABASE = "postgres://nobody@127.0.0.1:1/nothing"


def probe(**env: str) -> dict:
    done = run(["-c", PROBE], production_env(DATABASE_URL=NO_DATABASE, **env))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_worker_has_its_views_and_templates_before_its_first_request():
    warm = probe()
    assert warm["views"] == [
        "cases.views",
        "cqi.views",
        "drf_spectacular.views",
        "safebabies.api_urls",
    ]
    assert "registration/login.html" in warm["templates"]
    assert "base.html" in warm["templates"]


def test_without_the_warm_up_they_load_on_the_first_request():
    cold = probe(WSGI_WARM_UP="0")
    assert cold["templates"] == []
    assert "cases.views" not in cold["views"]


def test_a_value_that_is_not_a_yes_or_no_stops_the_worker_naming_it():
    stopped = run(["-c", PROBE], production_env(DATABASE_URL=NO_DATABASE, WSGI_WARM_UP="maybe"))
    assert_refused(stopped, "WSGI_WARM_UP must be one of")
