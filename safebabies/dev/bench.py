"""`make bench`: a synthetic national-scale site in a scratch database, then timings.

    python -m safebabies.dev.bench [--cases N] [--runs R] [--keep] [--reuse] [--no-package]
                               [--package-only] [--pages-only]

Prints p50/p95 of the key pages and API calls beside a trivial view (the framework floor) and
the peak memory of this process. The scratch database is `<your database>_bench` on the same
server; it is dropped at the end unless --keep (and --reuse measures one a --keep run left).
"""

import argparse
import datetime as dt
import os
import random
import resource
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from urllib.parse import urlsplit, urlunsplit


def scratch_url(url: str, suffix: str = "_bench") -> tuple[str, str, str]:
    parts = urlsplit(url)
    name = parts.path.lstrip("/") + suffix
    admin = urlunsplit(parts._replace(path="/postgres"))
    return urlunsplit(parts._replace(path="/" + name)), admin, name


def recreate(admin_url: str, name: str, *, drop_only: bool = False) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        if not drop_only:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _time(fn, runs: int) -> tuple[float, float]:
    fn()  # warm-up
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return statistics.median(samples), p95


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    # 77,000 cases: about 100,000 children (1.3 a case)
    parser.add_argument("--cases", type=int, default=int(os.environ.get("BENCH_CASES", "77000")))
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--no-package", action="store_true", help="skip export/import timings")
    parser.add_argument(
        "--reuse", action="store_true", help="use the scratch database a --keep run left"
    )
    parser.add_argument("--package-only", action="store_true", help="only export/import timings")
    parser.add_argument(
        "--pages-only", action="store_true", help="only the pages and API lists (no CQI, package)"
    )
    parser.add_argument(
        "--cqi-only", action="store_true", help="only the CQI rows (and the trivial view)"
    )
    args = parser.parse_args(argv)

    scratch, admin, name = scratch_url(os.environ["DATABASE_URL"])
    if not args.reuse:
        recreate(admin, name)
    os.environ.update(DATABASE_URL=scratch, DJANGO_ENV="test", DEBUG="false")
    # the package import already set the production default; the bench runs with test settings
    os.environ["DJANGO_SETTINGS_MODULE"] = "safebabies.settings_test"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from safebabies.dev.benchdata import build
    from safebabies.identity.models import User

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    counts = _counts() if args.reuse else build(cases=args.cases, site_slug="bench")
    build_s = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # as autovacuum leaves a table after a bulk load
        cursor.execute("SELECT id FROM cases_case ORDER BY random() LIMIT 1")
        case_id = cursor.fetchone()[0]
        cursor.execute(
            "SELECT docket_number FROM cases_child WHERE docket_number <> ''"
            " ORDER BY random() LIMIT 1"
        )
        docket = (cursor.fetchone() or ("JD-1",))[0]
    if args.package_only:
        # the machine's speed in this run, as every other part of the bench states it
        floor = Client()
        p50, p95 = _time(partial(floor.get, "/healthz"), args.runs)
        print(f"\n{'what':40} {'p50 ms':>9} {'p95 ms':>9}")
        print(f"{'trivial view (/healthz, floor)':40} {p50:9.1f} {p95:9.1f}")
        connection.close()
        _package_bench(scratch, admin, name, sum(counts.values()))
        if not args.keep:
            recreate(admin, name, drop_only=True)
        return 0

    client = Client()
    client.force_login(User.objects.get(email="coordinator@bench.bench.test"))

    def get(path: str):
        def call():
            response = client.get(path)
            if response.status_code != 200:
                raise SystemExit(f"{path} answered {response.status_code}")

        return call

    # a deep page of the API's case list: the `next` link of page 199 (or of the last page)
    deep_page = min(199, max(1, counts.get("cases_case", 0) // 50))
    deep = client.get("/api/v1/cases/", {"page": deep_page})
    deep_next = deep.json().get("next") or "/api/v1/cases/"

    checks = [
        ("trivial view (/healthz, floor)", "/healthz"),
        ("case list page", "/cases/"),
        ("case list search", "/cases/?q=riv"),
        ("case list search, two words", "/cases/?q=jayden+riv"),
        ("case list search, a docket number", f"/cases/?q={docket}"),
        ("case page", f"/cases/{case_id}/"),
        ("API cases list", "/api/v1/cases/"),
        ("API cases list, page 200 (next link)", deep_next),
        ("API cases search", "/api/v1/cases/?q=riv"),
        ("API case detail", f"/api/v1/cases/{case_id}/"),
        ("API children of a case", f"/api/v1/children/?case={case_id}"),
        ("API family time of a case", f"/api/v1/family-time/?case={case_id}"),
    ]
    rows = sum(counts.values())
    children = counts.get("cases_child", 0)
    print(
        f"\nSynthetic site: {counts.get('cases_case', 0):,} cases, {children:,} children,"
        f" {rows:,} rows," + (" (reused)\n" if args.reuse else f" built in {build_s:.1f} s\n")
    )
    print(f"{'what':40} {'p50 ms':>9} {'p95 ms':>9}")
    for label, path in checks[:1] if args.cqi_only else checks:
        p50, p95 = _time(get(path), args.runs)
        print(f"{label:40} {p50:9.1f} {p95:9.1f}")
    if args.pages_only:
        connection.close()
        if not args.keep:
            recreate(admin, name, drop_only=True)
        return 0
    # CQI (issue 8): the API and the dashboard pages for one site's last 12 months (with the
    # previous 12, the trends and the breakdowns) and for all sites together as national staff
    # see them; each computed afresh (cache off) and read from the exact cache.
    from django.test import override_settings

    from cqi.periods import period_from
    from safebabies.dev.benchfamily import build_summary_family
    from safebabies.identity.models import Site, SiteMembership

    site = Site.objects.get(slug="bench")
    default = period_from({}, site.today())
    period = f"start={default.start.isoformat()}&end={default.end.isoformat()}"
    # a period of the picker's custom dates, beginning and ending inside a month
    custom = (
        f"start={(default.start + dt.timedelta(days=9)).isoformat()}"
        f"&end={(default.end - dt.timedelta(days=20)).isoformat()}"
    )
    national, _ = User.objects.get_or_create(email="national@bench.bench.test")
    SiteMembership.objects.get_or_create(user=national, site=site, role="national")
    national_client = Client()
    national_client.force_login(national)

    def get_as(who: Client, path: str):
        def call():
            response = who.get(path)
            if response.status_code != 200:
                raise SystemExit(f"{path} answered {response.status_code}")

        return call

    cqi_pages = [
        ("CQI metrics API, one site", client, f"/api/v1/cqi/metrics/?site=bench&{period}"),
        ("CQI dashboard, one site", client, f"/cqi/bench/?{period}"),
        ("CQI dashboard, one site, custom dates", client, f"/cqi/bench/?{custom}"),
        ("CQI dashboard, national", national_client, f"/cqi/all/?{period}"),
        ("CQI barriers, one site", client, f"/cqi/bench/barriers/?{period}"),
    ]
    print(
        f"\nCQI, {default.start} to {default.end} (afresh: every part of the site changed;"
        " after a write: one family's family-time visit changed; warm: from the cache)"
    )
    from cqi import stamps
    from familytime.models import Visit

    def after_everything_changed(call):
        """The call with every part of the site changed: all its figures computed afresh."""

        def run():
            stamps.bump([site.pk])
            call()

        return run

    visits = list(
        Visit.objects.filter(child__case__site=site, status__in=["held", "no_show"])
        .order_by("?")
        .values_list("pk", flat=True)[:500]
    )
    pick = random.Random(8)

    def after_one_write(call):
        """The call right after one family's record changed (a visit marked held or no-show):
        the part of the site that family lies in is computed afresh, the rest read back."""

        def run():
            visit = pick.choice(visits)
            status = pick.choice(["held", "no_show"])
            Visit.objects.filter(pk=visit).update(status=status)
            call()

        return run

    cold_runs = max(3, args.runs // 6)
    for label, who, path in cqi_pages:
        p50, p95 = _time(after_everything_changed(get_as(who, path)), cold_runs)
        print(f"{label + ', afresh':40} {p50:9.1f} {p95:9.1f}")
        if path.startswith("/cqi/bench/?"):
            with override_settings(CQI_PARALLEL=1):
                p50, p95 = _time(after_everything_changed(get_as(who, path)), cold_runs)
            print(f"{label + ', afresh, one connection':40} {p50:9.1f} {p95:9.1f}")
        p50, p95 = _time(after_one_write(get_as(who, path)), args.runs)
        print(f"{label + ', after a write':40} {p50:9.1f} {p95:9.1f}")
        if path.startswith("/cqi/bench/?"):
            with override_settings(CQI_PARALLEL=1):
                p50, p95 = _time(after_one_write(get_as(who, path)), args.runs)
            print(f"{label + ', after a write, one conn.':40} {p50:9.1f} {p95:9.1f}")
        p50, p95 = _time(get_as(who, path), args.runs)
        print(f"{label + ', warm':40} {p50:9.1f} {p95:9.1f}")
    _cqi_figures(site, default.start, default.end)
    if args.cqi_only:
        connection.close()
        if not args.keep:
            recreate(admin, name, drop_only=True)
        return 0
    _write_cost(site)

    hearing = build_summary_family(
        site=site, judge_email="judge@bench.bench.test", today=site.today()
    )
    judge = Client()
    judge.force_login(User.objects.get(email="judge@bench.bench.test"))

    def as_judge(path: str):
        return get_as(judge, path)

    summary = f"/api/v1/hearings/{hearing.pk}/summary/"
    for label, path, runs in [
        ("pre-hearing summary, 2 years (API)", summary, args.runs),
        ("pre-hearing summary, 2 years (PDF)", summary + "?format=pdf", max(3, args.runs // 3)),
    ]:
        p50, p95 = _time(as_judge(path), runs)
        print(f"{label:40} {p50:9.1f} {p95:9.1f}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak memory (this process): {peak_mb:.0f} MiB")
    connection.close()
    if not args.no_package:
        _package_bench(scratch, admin, name, rows)
    if not args.keep:
        recreate(admin, name, drop_only=True)
    return 0


def _counts() -> dict[str, int]:
    """Rows of each table the bench data writes (for a reused scratch database)."""
    from django.db import connection

    tables = [
        "cases_case",
        "cases_child",
        "cases_episode",
        "cases_placement",
        "cases_permanencyplan",
        "cases_hearing",
        "teams_ftm",
        "teams_ftmactionitem",
        "familytime_visit",
        "assessments_screening",
        "assessments_service",
        "cases_teammember",
    ]
    counts = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608  # lint-ok: our table names
            counts[table] = cursor.fetchone()[0]
    return counts


PLANS_FILE = ".data/bench-cqi-plans.txt"  # beside the embedded services, not committed


def _cqi_figures(site, start, end) -> None:
    """Each CQI figure on its own (its own queries, nothing shared or cached), slowest first,
    and the query plans of the three slowest written to PLANS_FILE (EXPLAIN ANALYZE)."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from cqi import breakdowns, cache
    from cqi.metrics import REGISTRY
    from cqi.metrics.windows import window_parts
    from cqi.periods import Period
    from cqi.selectors import page_window

    figures: list[tuple[str, Callable[[], object]]] = [
        (m.id, partial(m.selector, [site], start, end)) for m in REGISTRY
    ]
    figures.append(
        ("breakdowns", partial(breakdowns.children_in_care_breakdowns, [site], start, end))
    )
    # the windowed figures of the whole dashboard (both periods and the trends) in one window
    period = Period(start, end, "custom", {})
    window = page_window(start, end, period.previous)
    figures.append(("window: 6 figures, 2 periods, trends", partial(window_parts, [site], window)))
    figures += [
        (f"trend {t}", partial(breakdowns.monthly_trends, [site], end, [t]))
        for t in breakdowns.TREND_METRICS
    ]
    timed = []
    for label, compute in figures:
        with transaction.atomic():
            cache.planner_settings()
            compute()  # warm the buffers
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                compute()
                ms = (time.perf_counter() - started) * 1000
        slowest = max(queries.captured_queries, key=lambda q: float(q["time"]))["sql"]
        timed.append((ms, label, slowest))
    timed.sort(reverse=True)
    print("\nCQI figures one by one, one site, cold (ms):")
    for ms, label, _ in timed:
        print(f"  {label:45} {ms:9.1f}")
    os.makedirs(os.path.dirname(PLANS_FILE), exist_ok=True)
    with open(PLANS_FILE, "w") as out:
        for ms, label, sql in timed[:3]:
            with transaction.atomic(), connection.cursor() as cursor:
                cache.planner_settings()
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            out.write(f"-- {label}: {ms:.1f} ms\n{sql}\n\n{plan}\n\n")
    print(f"(query plans of the three slowest in {PLANS_FILE})")


def _write_cost(site) -> None:
    """What the CQI data-stamp triggers add to a write: saving a family-time visit."""
    import datetime as dt

    from familytime.models import Visit

    visit = Visit.objects.filter(child__case__site=site).select_related("child").first()
    assert visit is not None, "the bench site has family time"
    child = visit.child
    day = [dt.date(2020, 1, 1)]

    def save():
        day[0] += dt.timedelta(days=1)
        Visit.objects.create(child=child, scheduled_on=day[0], status="scheduled")

    p50, p95 = _time(save, 100)
    print(f"\n{'save a family-time visit (ORM)':40} {p50:9.1f} {p95:9.1f}")


_CHILD = """
import json, sys, time
import django
django.setup()
from django.core.management import call_command
steps = json.loads(sys.argv[1])
timed = 0.0
for step in steps:
    started = time.perf_counter()
    call_command(*step["args"], verbosity=0, stdout=open("/dev/null", "w"))
    if step.get("timed"):
        timed += time.perf_counter() - started
# VmHWM: this process's own peak RSS (ru_maxrss would carry the parent's over the exec)
with open("/proc/self/status") as status:
    hwm = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(json.dumps({"seconds": timed, "peak_mib": hwm / 1024}))
"""


def _in_child(database_url: str, steps: list[dict]) -> dict:
    """Run management commands in a fresh process; its time and its own peak RSS."""
    import json
    import subprocess

    env = {**os.environ, "DATABASE_URL": database_url}
    done = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-c", _CHILD, json.dumps(steps)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


_COPY_CHILD = """
import json, time
import django
django.setup()
from django.db import connection
from cases.package.schema import TABLES
tables = [t.model._meta.db_table for t in TABLES]
started = time.perf_counter()
size = 0
with connection.cursor() as cursor:
    for table in tables:
        with cursor.cursor.copy(f"COPY {table} TO STDOUT WITH (FORMAT csv)") as copy:
            for data in copy:
                size += len(data)
print(json.dumps({"seconds": time.perf_counter() - started, "bytes": size}))
"""


def _copy_floor(database_url: str) -> float:
    """PostgreSQL's own COPY of every table the package holds (whole tables, every column, to
    a client that drops the bytes), in a fresh process: the floor the export and the import
    are measured against."""
    import json
    import subprocess

    done = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-c", _COPY_CHILD],
        env={**os.environ, "DATABASE_URL": database_url},
        check=True,
        capture_output=True,
        text=True,
    )
    return float(json.loads(done.stdout.strip().splitlines()[-1])["seconds"])


def _package_bench(scratch: str, admin: str, name: str, rows: int) -> None:
    """Export the bench site (de-identified and identified) and import the identified package
    into an empty scratch database, each in its own process: time and peak RSS, and each time
    as a multiple of PostgreSQL's own COPY of the same tables in the same run (issue 23's goals:
    export at most 8x, import at most 20x)."""
    import shutil
    import tempfile
    from pathlib import Path

    out = Path(tempfile.mkdtemp(prefix="safebabies-bench-"))
    _copy_floor(scratch)  # warm the buffers, as the export finds them after the pages
    floor = _copy_floor(scratch)
    print(
        f"\n{'data package (' + format(rows, ',') + ' rows)':40} {'seconds':>9} {'peak MiB':>9}"
        f" {'x COPY':>7}"
    )
    print(f"{'COPY of its tables out (the floor)':40} {floor:9.1f} {'':>9} {1:7.1f}")
    for label, extra in (("export, de-identified", ["--deidentified"]), ("export", [])):
        folder = out / (extra[0].strip("-") if extra else "identified")
        args = ["export_package", "--site", "bench", "--out", str(folder), *extra]
        got = _in_child(scratch, [{"args": args, "timed": True}])
        print(
            f"{label:40} {got['seconds']:9.1f} {got['peak_mib']:9.0f} {got['seconds'] / floor:7.1f}"
        )
    (package,) = (out / "identified").glob("*.zip")
    size_mb = package.stat().st_size / 1024 / 1024
    target_url, _, target = scratch_url(scratch)
    recreate(admin, target)
    try:
        got = _in_child(
            target_url,
            [
                {"args": ["migrate"]},
                {"args": ["create_site", "bench", "--name", "Bench import"]},
                {"args": ["import_package", str(package), "--site", "bench"], "timed": True},
            ],
        )
        print(
            f"{'import into an empty site':40} {got['seconds']:9.1f} {got['peak_mib']:9.0f}"
            f" {got['seconds'] / floor:7.1f}"
        )
        print(f"(package: {size_mb:.0f} MiB zipped; each step in its own process)")
    finally:
        recreate(admin, target, drop_only=True)
        shutil.rmtree(out)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
