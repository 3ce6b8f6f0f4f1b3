"""A gunicorn worker loads its views, templates and translations before its first request
(safebabies/wsgi.py `warm_up`), without the database: the first sign-in page of a new or
recycled worker is not the slowest request of the load test."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

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


def probe(**env: str) -> dict:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "safebabies.settings_test",
        "DJANGO_ENV": "test",
        # no database to reach: the warm-up must not need one
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/nothing",
        "PYTHONPATH": str(ROOT),
        **env,
    }
    done = subprocess.run(  # noqa: S603 (our own interpreter and probe)
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
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
    with pytest.raises(subprocess.CalledProcessError) as stopped:
        probe(WSGI_WARM_UP="maybe")
    assert "WSGI_WARM_UP must be one of" in stopped.value.stderr
