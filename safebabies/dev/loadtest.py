"""`make loadtest`: simulated people of every role against the benchmark site on gunicorn.

    python -m safebabies.dev.loadtest

1. Builds the benchmark site (`make_bench_data`) in a scratch database, `<your database>_loadtest`
   on the same server, with one account of each role; or reuses the one an earlier run left, if
   it was built by the same code for the same number of cases and every migration is applied;
   the simulated coordinators sign in as COORDINATORS accounts with CC_CASELOAD families each.
2. Starts gunicorn with safebabies/gunicorn.conf.py and production settings on a free port of
   127.0.0.1, pointing at that database.
3. Runs Locust headless (safebabies/dev/locustfile.py) for LOADTEST_SECONDS with LOADTEST_USERS
   simulated people, stops gunicorn, and prints p50/p95/p99 of each request type beside the
   trivial view (/healthz) under the same load, the errors, the throughput and each gunicorn
   worker's peak memory.

Exits 1 on any failed request (a 5xx, or any other answer than the page's expected one), on any
5xx in the server's own log (but the 503 + Retry-After of a sign-in that found every
password-hashing slot busy, which is counted and printed apart), and, with LOADTEST_P95_MS
set, on a p95 above it (sign-in and the PDF aside, as issue 23 sets the goal).

Production settings, with these choices for a load test on one machine: REQUIRE_2FA=false (the
synthetic accounts sign in with a password, through the sign-in form and the API token endpoint);
plain HTTP on loopback (SECURE_SSL_REDIRECT, SECURE_COOKIES and HSTS off: a TLS proxy does that
part in production); the application connects as the database owner, not `safebabies_app`.
"""

import csv
import datetime as dt
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from safebabies.dev.bench import recreate, scratch_url

ROOT = Path(__file__).resolve().parents[2]
DEV = Path(__file__).resolve().parent
DATA_VERSION = 2  # bump when prepare() changes what it writes
SITE = "bench"
CASELOAD = 25  # families on the caseworker's and the parent mentor's teams
# The simulated Community Coordinators sign in as COORDINATORS accounts of the site, each on the
# team of CC_CASELOAD families (the site's cap on a coordinator's caseload, 20 by default), as
# real coordinators are. `make bench`'s coordinator@ (on every case's team) is left out: their
# home page is not what a coordinator opens.
COORDINATORS = 20
CC_CASELOAD = 20
CC_FIRST_CASE = 100  # their families: the open cases from this one on, CC_CASELOAD each
# Think time between one person's pages, and the mean time between their sign-ins after the first
# (a Poisson process): LOADTEST_WAIT "min,max" in seconds, LOADTEST_SIGN_IN_EVERY in seconds.
WAIT = (1.0, 3.0)
SIGN_IN_EVERY = 600
# Issue 23's goal leaves these two out: they cost what they cost (password hashing, WeasyPrint).
# A sign-in told to come back (503 + Retry-After) has its own row, exempt too.
P95_EXEMPT = ("sign in", "API token", "(PDF)", "sign-in busy")


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def think_time(value: str) -> tuple[float, float]:
    """LOADTEST_WAIT: "min,max" seconds between one person's pages ("" is the default)."""
    if not value.strip():
        return WAIT
    low, high = (float(part) for part in value.split(","))
    if not 0 <= low <= high:
        raise ValueError(f"LOADTEST_WAIT {value!r}: min,max with 0 <= min <= max")
    return low, high


def _fingerprint(cases: int) -> str:
    """What the scratch site was built from: the data code and the number of cases."""
    digest = hashlib.sha256(f"{DATA_VERSION}:{cases}".encode())
    for name in ("benchdata.py", "benchfamily.py"):
        digest.update((DEV / name).read_bytes())
    return f"safebabies loadtest site {digest.hexdigest()[:16]}"


def _database_comment(admin_url: str, name: str) -> str | None:
    """The scratch database's comment (its fingerprint); None if it does not exist."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [name],
        ).fetchone()
    return None if row is None else (row[0] or "")


def _production_env(database_url: str) -> dict[str, str]:
    """Production settings for one machine's loopback (see the module's docstring)."""
    return {
        "DJANGO_SETTINGS_MODULE": "safebabies.settings",
        "DJANGO_ENV": "production",
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("LOADTEST_SECRET_KEY") or secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "REQUIRE_2FA": "false",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "SECURE_HSTS_SECONDS": "0",
        "EMAIL_URL": "console://",
        "LOG_LEVEL": "warning",
    }


def prepare(*, cases: int, rebuild: bool) -> tuple[dict, str]:
    """The scratch site, built or reused, with static files collected; returns the fixtures
    for the locustfile and a line saying what was done."""
    scratch, admin, name = scratch_url(os.environ["DATABASE_URL"], "_loadtest")
    fingerprint = _fingerprint(cases)
    reuse = not rebuild and _database_comment(admin, name) == fingerprint
    if not reuse:
        recreate(admin, name)
    os.environ.update(_production_env(scratch))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if reuse and executor.migration_plan(executor.loader.graph.leaf_nodes()):
        connection.close()
        recreate(admin, name)
        reuse = False
    started = time.perf_counter()
    if not reuse:
        call_command("migrate", verbosity=0)
        _build(cases)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # as autovacuum leaves a table after a bulk load
            quoted = connection.ops.quote_name(name)
            comment = f"COMMENT ON DATABASE {quoted} IS %s"
            cursor.execute(comment, [fingerprint])  # lint-ok: our own database name, quoted
    if not _static_up_to_date():  # production's manifest storage needs them (2 min here)
        call_command("collectstatic", "--noinput", verbosity=0)
    fixtures = _fixtures()
    connection.close()
    what = "reused" if reuse else f"built in {time.perf_counter() - started:.0f} s"
    return fixtures, f"{name}, {what}"


def _static_up_to_date() -> bool:
    """The collected static files and their manifest are newer than every file of static/
    and than pyproject.toml (the packages whose static files are collected too)."""
    manifest = ROOT / "staticfiles" / "staticfiles.json"
    if not manifest.exists():
        return False
    sources = [ROOT / "pyproject.toml", *(p for p in (ROOT / "static").rglob("*") if p.is_file())]
    return manifest.stat().st_mtime >= max(p.stat().st_mtime for p in sources)


def _build(cases: int) -> None:
    """The bench site and one account of each role (password: BENCH_PASSWORD)."""
    from cases.models import Case, TeamMember
    from safebabies.dev.benchdata import BENCH_PASSWORD, build
    from safebabies.dev.benchfamily import build_summary_family
    from safebabies.identity.models import Site, SiteMembership, User

    build(cases=cases, site_slug=SITE)
    site = Site.objects.get(slug=SITE)
    build_summary_family(site=site, judge_email=f"judge@{SITE}.bench.test", today=site.today())
    open_cases = list(
        Case.objects.filter(site=site, closed_on__isnull=True)
        .order_by("id")
        .values_list("pk", flat=True)
    )
    for role in ("judge", "caseworker", "parent_mentor", "site_implementation", "site_admin"):
        user, _ = User.objects.get_or_create(
            email=_email(role), defaults={"full_name": f"Bench {role.replace('_', ' ')}"}
        )
        user.set_password(BENCH_PASSWORD)
        user.save(update_fields=["password"])
        SiteMembership.objects.get_or_create(user=user, site=site, role=role)
        if role in ("caseworker", "parent_mentor"):
            start = 0 if role == "caseworker" else CASELOAD // 2  # teams overlap by half
            TeamMember.objects.bulk_create(
                TeamMember(case_id=case_id, user=user, role=role)
                for case_id in open_cases[start : start + CASELOAD]
            )
    for n in range(COORDINATORS):
        user, _ = User.objects.get_or_create(
            email=_coordinator_email(n), defaults={"full_name": f"Bench coordinator {n + 1}"}
        )
        user.set_password(BENCH_PASSWORD)
        user.save(update_fields=["password"])
        # a coordinator of the site: the case list and its search cover every case
        SiteMembership.objects.get_or_create(user=user, site=site, role="community_coordinator")
        start = CC_FIRST_CASE + n * CC_CASELOAD
        TeamMember.objects.bulk_create(
            TeamMember(case_id=case_id, user=user, role="community_coordinator")
            for case_id in open_cases[start : start + CC_CASELOAD]
        )


def _coordinator_email(n: int) -> str:
    return f"coordinator-{n + 1}@{SITE}.bench.test"


def _email(role: str) -> str:
    return f"{role.replace('_', '-')}@{SITE}.bench.test"


def _fixtures() -> dict:
    """Who signs in and which records they open (read from the site, so a reused one works)."""
    import random

    from cases.models import Case, Hearing, TeamMember
    from cqi.aggregate_periods import aggregate_default
    from safebabies.dev.benchdata import BENCH_PASSWORD
    from safebabies.identity.models import Site
    from teams.models import Ftm

    site = Site.objects.get(slug=SITE)
    today = site.today()
    pick = random.Random(23)
    case_ids = list(Case.objects.filter(site=site).values_list("pk", flat=True))
    team = TeamMember.objects.filter(case__site=site, removed_at__isnull=True)
    # each coordinator's families and the latest FTM of each (one meeting per simulated person)
    own = team.filter(role="community_coordinator", user__email__startswith="coordinator-")
    coordinators: dict[str, list[str]] = {}
    for email, case_id in own.order_by("user__email", "case_id").values_list(
        "user__email", "case_id"
    ):
        coordinators.setdefault(email, []).append(case_id)
    latest_ftm = dict(
        Ftm.objects.filter(case_id__in=[c for cases in coordinators.values() for c in cases])
        .order_by("case_id", "-scheduled_on")
        .distinct("case_id")
        .values_list("case_id", "pk")
    )
    hearings = [
        [case_id, pk]
        for case_id, pk in Hearing.objects.filter(
            case__site=site, status="scheduled", scheduled_on__gte=today
        )
        .order_by("scheduled_on")
        .values_list("case_id", "pk")[:50]
    ]
    summary = Hearing.objects.filter(case__name="Bench summary family").latest("scheduled_on")
    start, end = aggregate_default(today)  # whole months: what a SIT member may ask for
    return {
        "site": SITE,
        "password": BENCH_PASSWORD,
        "users": {
            "judge": f"judge@{SITE}.bench.test",
            **{
                role: _email(role)
                for role in ("caseworker", "parent_mentor", "site_implementation", "site_admin")
            },
        },
        "cases": pick.sample(case_ids, min(500, len(case_ids))),
        "coordinators": [
            {
                "email": email,
                "cases": cases,
                "ftms": [latest_ftm[c] for c in cases if c in latest_ftm],
            }
            for email, cases in sorted(coordinators.items(), key=lambda item: len(item[0]))
        ],
        "hearings": hearings or [[summary.case_id, summary.pk]],
        "summary_hearing": summary.pk,
        "caseworker_cases": list(
            team.filter(user__email=_email("caseworker")).values_list("case_id", flat=True)
        ),
        "mentor_cases": list(
            team.filter(user__email=_email("parent_mentor")).values_list("case_id", flat=True)
        ),
        "start": start.isoformat(),
        "end": end.isoformat(),
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped (exit {server.returncode}) before it answered")
        try:
            # our own server on loopback, http:// only
            with urllib.request.urlopen(url + "/healthz", timeout=5) as answer:  # noqa: S310 # nosec B310
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer /healthz within {seconds:.0f} s")


def _workers_peak_mib(master: int) -> list[float]:
    """Each gunicorn worker's peak resident memory (VmHWM), read before they stop."""
    peaks = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        ppid = re.search(r"^PPid:\s+(\d+)", text, re.M)
        hwm = re.search(r"^VmHWM:\s+(\d+)", text, re.M)
        if ppid and hwm and int(ppid.group(1)) == master:
            peaks.append(int(hwm.group(1)) / 1024)
    return sorted(peaks, reverse=True)


# The designed answer of a sign-in that found every password-hashing slot busy
# (safebabies/identity/hashers.py): a 503 with Retry-After, counted apart from the errors.
SIGN_IN_BUSY = re.compile(r'"POST (/accounts/login/|/api/v1/auth/token/)\S* HTTP/[\d.]+" 503 ')


def split_server_errors(log: Path) -> tuple[list[str], int]:
    """Access-log lines of the server's own 5xx answers, and how many sign-ins were told to
    come back (503 from the sign-in form or the API token endpoint, not errors)."""
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    # gunicorn.conf.py's format: ... "GET /path HTTP/1.1" 503 88 10226ms "agent"
    answers = [line for line in lines if re.search(r'HTTP/[\d.]+" 5\d\d (\d+|-) ', line)]
    busy = [line for line in answers if SIGN_IN_BUSY.search(line)]
    return [line for line in answers if line not in busy], len(busy)


def locustfile_tracebacks(stderr: str) -> list[str]:
    """The tracebacks in Locust's output that pass through our locustfile (a bug of ours),
    apart from those wholly inside Locust itself (seen once: its CSV writer writing to a
    file it had closed while stopping), which are printed but do not fail the run."""
    blocks = re.split(r"(?m)^(?=Traceback \(most recent call last\):)", stderr)
    return [b for b in blocks if b.startswith("Traceback") and "locustfile.py" in b]


def _stats(prefix: Path) -> list[dict]:
    with open(f"{prefix}_stats.csv", newline="") as file:
        return list(csv.DictReader(file))


def _failures(prefix: Path) -> list[dict]:
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return []
    with open(path, newline="") as file:
        return list(csv.DictReader(file))


def _print_table(rows: list[dict]) -> None:
    def ms(value: str) -> str:
        return "-" if value in ("", "N/A") else f"{float(value):.0f}"

    print(
        f"\n{'request':48} {'count':>6} {'fails':>5} {'p50':>6} {'p95':>6} {'p99':>6} {'req/s':>6}"
    )

    def order(row: dict) -> tuple:
        name = row["Name"]
        return (name == "Aggregated", not name.startswith("healthz"), name)

    for row in sorted(rows, key=order):
        name = "all requests" if row["Name"] == "Aggregated" else row["Name"]
        if row["Name"] == "Aggregated":
            print("-" * 86)
        print(
            f"{name[:48]:48} {row['Request Count']:>6} {row['Failure Count']:>5}"
            f" {ms(row['50%']):>6} {ms(row['95%']):>6} {ms(row['99%']):>6}"
            f" {float(row['Requests/s']):6.1f}"
        )
    print("(milliseconds; Locust rounds times over 100 ms to 10 ms, over 1 s to 100 ms)")


def main() -> int:
    users = _env_int("LOADTEST_USERS", 50)
    seconds = _env_int("LOADTEST_SECONDS", 90)
    cases = _env_int("LOADTEST_CASES", 2000)
    p95_limit = _env_int("LOADTEST_P95_MS", 0)
    # people arrive (and sign in) over the first quarter of the run, not all in one second
    spawn_rate = float(os.environ.get("LOADTEST_SPAWN_RATE") or users / max(1, seconds / 4))
    rebuild = os.environ.get("LOADTEST_REBUILD", "") not in ("", "0", "false")
    wait = think_time(os.environ.get("LOADTEST_WAIT", ""))
    sign_in_every = _env_int("LOADTEST_SIGN_IN_EVERY", SIGN_IN_EVERY)
    fixtures, built = prepare(cases=cases, rebuild=rebuild)
    port = _free_port()
    env = {
        **os.environ,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "PYTHONPATH": str(ROOT),
        "LOADTEST_WAIT": f"{wait[0]:g},{wait[1]:g}",
        "LOADTEST_SIGN_IN_EVERY": str(sign_in_every),
    }
    log = ROOT / ".data" / "loadtest-gunicorn.log"
    log.parent.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="safebabies-loadtest-"))
    try:
        (work / "fixtures.json").write_text(json.dumps(fixtures))
        env["LOADTEST_FIXTURES"] = str(work / "fixtures.json")
        print(
            f"Load test: {users} simulated people for {seconds} s against gunicorn on"
            f" 127.0.0.1:{port}; site {fixtures['site']} in {built}, {cases:,} cases;"
            f" think time {wait[0]:g}-{wait[1]:g} s; each person signs in again every"
            f" {sign_in_every} s on average"
        )
        load_before = os.getloadavg()[0]
        locust, peaks = _run(
            env, log, users=users, seconds=seconds, spawn_rate=spawn_rate, prefix=work / "run"
        )
        # a shared machine: what else ran shows in the /healthz row and in the load average
        print(f"load average (1 min) before: {load_before:.1f}, after: {os.getloadavg()[0]:.1f}")
        return _report(work / "run", locust, log, peaks, env, p95_limit)
    finally:
        shutil.rmtree(work)


def _run(
    env: dict[str, str], log: Path, *, users: int, seconds: int, spawn_rate: float, prefix: Path
) -> tuple[subprocess.CompletedProcess, list[float]]:
    """gunicorn started, Locust run against it, gunicorn stopped; Locust's output and each
    worker's peak memory."""
    with open(log, "w") as out:
        server = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                str(ROOT / "safebabies" / "gunicorn.conf.py"),
                "safebabies.wsgi",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    host = "http://" + env["GUNICORN_BIND"]
    try:
        _wait_healthy(host, server)
        locust = subprocess.run(  # noqa: S603 - our own interpreter and arguments
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(DEV / "locustfile.py"),
                "--headless",
                "--users",
                str(users),
                "--spawn-rate",
                f"{spawn_rate:.2f}",
                "--run-time",
                f"{seconds}s",
                "--stop-timeout",
                "10",
                "--host",
                host,
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        return locust, _workers_peak_mib(server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _report(
    prefix: Path,
    locust: subprocess.CompletedProcess,
    log: Path,
    peaks: list[float],
    env: dict[str, str],
    p95_limit: int,
) -> int:
    """The table, the errors, the throughput; 1 on any failure, 5xx or p95 over the limit."""
    if not Path(f"{prefix}_stats.csv").exists():
        print(locust.stdout[-3000:], locust.stderr[-3000:], sep="\n", file=sys.stderr)
        print("Locust wrote no results (its output is above).", file=sys.stderr)
        return 1
    rows = _stats(prefix)
    _print_table(rows)
    total = next(row for row in rows if row["Name"] == "Aggregated")
    failures = _failures(prefix)
    server_errors, busy = split_server_errors(log)
    print(f"\nthroughput: {float(total['Requests/s']):.1f} requests/s")
    if peaks:
        threads = env.get("GUNICORN_THREADS", "4")
        print(
            f"gunicorn: {len(peaks)} workers x {threads} threads; each worker's peak memory"
            " (MiB): " + ", ".join(f"{p:.0f}" for p in peaks)
        )
    concurrency = env.get("SIGN_IN_CONCURRENCY") or "default (half the cores)"
    print(
        f"sign-ins told to come back (503 + Retry-After, every hashing slot busy): {busy};"
        f" SIGN_IN_CONCURRENCY {concurrency}"
    )
    problems = []
    if failures:
        print("\nerrors:")
        for failure in failures:
            print(f"  {failure['Occurrences']:>5} x {failure['Name']}: {failure['Error']}")
        problems.append(f"{sum(int(f['Occurrences']) for f in failures)} failed requests")
    else:
        print("errors: none")
    if server_errors:
        print(f"\n{len(server_errors)} answers 5xx in the server's log ({log}), e.g.:")
        for line in server_errors[:5]:
            print("  " + line)
        problems.append(f"{len(server_errors)} 5xx answers")
    if "Traceback" in locust.stderr:
        print(locust.stderr[-3000:], file=sys.stderr)
        if locustfile_tracebacks(locust.stderr):
            problems.append("errors in the locustfile")
        else:
            print("(a traceback inside Locust itself, not the locustfile: not counted)")
    if p95_limit:
        slow = [
            row["Name"]
            for row in rows
            if row["Name"] != "Aggregated"
            and not any(exempt in row["Name"] for exempt in P95_EXEMPT)
            and row["95%"] not in ("", "N/A")
            and float(row["95%"]) > p95_limit
        ]
        if slow:
            problems.append(f"p95 above {p95_limit} ms: " + "; ".join(slow))
    if problems:
        print("\nFAILED: " + "; ".join(problems))
        return 1
    print(f"\npassed ({dt.datetime.now().astimezone():%Y-%m-%d %H:%M})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
