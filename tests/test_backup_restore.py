"""Nothing lost when a machine is (issue 23, item 7; README "Backups and restore"): a dump of a
site taken with `pg_dump` as the README says, restored with `pg_restore` into a fresh database,
migrated there, holds the same rows in every table and gives the same CQI figures
(`cqi.metrics.compute_all`, computed afresh, no cache) as the database it was taken from."""

import datetime as dt
import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent

FIGURES = """
import datetime as dt, json, sys
import django
django.setup()
from cqi.metrics import compute_all
from safebabies.identity.models import Site
start, end = dt.date.fromisoformat(sys.argv[1]), dt.date.fromisoformat(sys.argv[2])
sites = list(Site.objects.order_by("slug"))
figures = {site.slug: compute_all(site, start, end) for site in sites}
figures["all sites"] = compute_all(sites, start, end)
print(json.dumps(figures, sort_keys=True, default=str))
"""


def _url(name: str) -> str:
    """The test server's URL for database `name`: a TCP host, or the embedded server's socket
    directory (percent-encoded in the host, as libpq reads it)."""
    s = connection.settings_dict
    password = f":{quote(s['PASSWORD'], safe='')}" if s.get("PASSWORD") else ""
    host = s["HOST"] or "127.0.0.1"
    if host.startswith("/"):
        host = quote(host, safe="")
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"postgres://{s['USER']}{password}@{host}{port}/{name}"


def _tool(name: str) -> str:
    """pg_dump / pg_restore of the server's own version: the embedded server's (reached by its
    socket directory) where the tests run on it, the machine's otherwise."""
    if (connection.settings_dict["HOST"] or "").startswith("/"):
        from safebabies.dev.embedded import client

        return client(name)
    return name


def _admin_url() -> str:
    return _url("postgres")


def _env(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "safebabies.settings_test",
        "CQI_CACHE_SECONDS": "0",  # every figure computed from the records, none read back
        "PYTHONPATH": str(ROOT),
    }


def _run(args: list[str], env: dict[str, str] | None = None) -> str:
    done = subprocess.run(  # noqa: S603 (fixed programs, our own arguments)
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _row_counts(database_url: str) -> dict[str, int]:
    with psycopg.connect(database_url) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        return {
            table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608
            for table in tables
        }


def _figures(database_url: str, start: dt.date, end: dt.date) -> dict:
    out = _run(
        [sys.executable, "-c", FIGURES, start.isoformat(), end.isoformat()], _env(database_url)
    )
    return json.loads(out)


@pytest.fixture
def restored_database():
    name = f"{connection.settings_dict['NAME']}_restored"
    with psycopg.connect(_admin_url(), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield _url(name)
    with psycopg.connect(_admin_url(), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_a_dump_restored_into_a_fresh_database_has_every_row_and_the_same_cqi_figures(
    tmp_path, restored_database
):
    call_command("seed_demo", stdout=StringIO())  # the demo site: every kind of record
    source = _url(connection.settings_dict["NAME"])
    counts = _row_counts(source)
    assert counts["cases_case"] > 10 and counts["audit_auditevent"] > 0

    dump = tmp_path / "safebabies.dump"
    _run([_tool("pg_dump"), "--format=custom", "--file", str(dump), "--dbname", source])
    _run(
        [
            _tool("pg_restore"),
            "--no-owner",
            "--no-acl",
            "--exit-on-error",
            "--jobs=2",
            "--dbname",
            restored_database,
            str(dump),
        ]
    )
    migrated = _run([sys.executable, "manage.py", "migrate", "--noinput"], _env(restored_database))
    assert "No migrations to apply" in migrated

    assert _row_counts(restored_database) == counts
    end = dt.date.today()
    start = end - dt.timedelta(days=365)
    before = _figures(source, start, end)
    after = _figures(restored_database, start, end)
    assert len(before) >= 2 and all(len(metrics) > 20 for metrics in before.values())
    assert any(
        result["denominator"] for metrics in before.values() for result in metrics.values()
    ), "the demo gives figures that are not all empty"
    assert after == before
