"""Exact caching of CQI figures, and the database settings the figures are computed with.

A figure is cached under a key made of what was asked (the kind of figure, the sites, the period)
and of each site's data generation (`cqi.stamps`), which database triggers change whenever any
record the figures read is written. So a cached figure is only ever read back while the records
it was computed from are unchanged: it is the same number a fresh computation would give, never
a stale one, and no time-to-live is needed for correctness (`CQI_CACHE_SECONDS` only bounds how
long unused entries take room). The key also holds the database's identity and a digest of the
metric code, so another database or a new definition never reads an old entry.

The generations are read before the figures are computed, in the same transaction: a write that
commits in between can only make the entry describe newer records than its key says, and the
next reader, who sees the new generation, computes afresh.

`snapshot()` gives the figures of one page a single consistent view of the records (one
REPEATABLE READ transaction), the planner settings these analytic queries need (a larger
`work_mem`, so hash aggregates over hundreds of thousands of rows stay in memory, and no JIT
compilation, which costs more than it saves at this size), and `cqi.metrics.shared()`: what is
computed afresh reads the sites' episodes from one temporary table.

Only the counts are cached; access and small-cell suppression are decided on every request.
If the cache cannot be reached, figures are computed as if nothing were cached.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import functools
import hashlib
import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction

from cqi import metrics, stamps
from teams.models import Site

log = logging.getLogger(__name__)
_MISSING = object()

# The code that defines the figures: a change to any of these files is a new cache namespace.
_DEFINITIONS = ("metrics.py", "breakdowns.py", "cache.py")
CODE_VERSION = hashlib.sha256(
    b"".join((Path(__file__).parent / name).read_bytes() for name in _DEFINITIONS)
).hexdigest()[:16]


def planner_settings() -> None:
    """The planner settings of the CQI queries, for the rest of the current transaction."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('work_mem', %s, true), set_config('jit', 'off', true)",
            [settings.CQI_WORK_MEM],
        )


_inside = threading.local()


@contextlib.contextmanager
def snapshot() -> Iterator[None]:
    """Every figure computed inside reads one snapshot of the records, with the analytic
    planner settings. Inside a caller's transaction it is the caller's (the settings then hold
    until that transaction ends); inside another `snapshot()`, that one."""
    if getattr(_inside, "active", False):
        yield
        return
    _inside.active = True
    try:
        if connection.in_atomic_block:
            planner_settings()
            with metrics.shared():
                yield
            return
        with transaction.atomic():
            with connection.cursor() as cursor:
                # not READ ONLY: the shared episodes are a temporary table (cqi.metrics.shared)
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            planner_settings()
            # our own snapshot, which only reads: the data stamps cannot change inside it, so
            # each key is worked out once
            _inside.own, _inside.keys = True, {}
            try:
                with metrics.shared():
                    yield
            finally:
                _inside.own, _inside.keys = False, None
    finally:
        _inside.active = False


def _in_snapshot(snapshot_id: str, job: Callable[[], object]) -> None:
    """In a worker thread: `job()` on the thread's own database connection, reading the
    snapshot `snapshot_id` exported by the page's transaction."""
    try:
        _inside.active = True
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute("SET TRANSACTION SNAPSHOT %s", [snapshot_id])
            planner_settings()
            with metrics.shared():
                job()
    finally:
        _inside.active = False
        connection.close()


def compute_ahead(questions: list[tuple[str, list[Site], tuple, Callable[[], object]]]) -> int:
    """Inside `snapshot()`: computes, side by side on `CQI_PARALLEL` database connections that
    all read this transaction's snapshot, the questions (as `cached` takes them) that are not
    cached yet, so that the page's own `cached` calls then read them from the cache. Only in a
    transaction `snapshot()` opened itself (a caller's may hold writes other connections cannot
    see), with the cache on, and for two questions or more. Returns how many were computed."""
    workers = settings.CQI_PARALLEL
    if workers < 2 or settings.CQI_CACHE_SECONDS <= 0 or not getattr(_inside, "own", False):
        return 0
    distinct = {
        (kind, tuple(s.pk for s in sites), args): (kind, sites, args, compute)
        for kind, sites, args, compute in questions
    }
    missing = [q for q in distinct.values() if not is_cached(q[0], q[1], q[2])]
    if len(missing) < 2:
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot_id = cursor.fetchone()[0]
    jobs = [
        functools.partial(cached, kind, sites, args, compute)
        for kind, sites, args, compute in missing
    ]
    with concurrent.futures.ThreadPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
        for done in [pool.submit(_in_snapshot, snapshot_id, job) for job in jobs]:
            done.result()
    return len(jobs)


def _key(kind: str, sites: list[Site], args: tuple) -> str:
    ids = sorted(site.pk for site in sites)
    known = getattr(_inside, "keys", None)
    question = (kind, tuple(ids), args)
    if known is not None and question in known:
        return known[question]
    database, generations = stamps.generations(ids)
    raw = repr((CODE_VERSION, database, kind, ids, generations, args))
    key = "cqi:" + hashlib.sha256(raw.encode()).hexdigest()
    if known is not None:
        known[question] = key
    return key


def cached[T](kind: str, sites: Iterable[Site], args: tuple, compute: Callable[[], T]) -> T:
    """`compute()`, or the value it gave for the same question over the same records."""
    scope = list(sites)
    seconds = settings.CQI_CACHE_SECONDS
    with snapshot():
        if seconds <= 0:
            return compute()
        key = _key(kind, scope, args)
        try:
            hit = cache.get(key, _MISSING)
        except Exception:  # the cache is a help, never a dependency
            log.warning("CQI cache unreachable; computing the figures", exc_info=True)
            hit = _MISSING
        if hit is not _MISSING:
            return hit  # type: ignore[return-value]
        value = compute()
        try:
            cache.set(key, value, timeout=seconds)
        except Exception:
            log.warning("CQI cache unreachable; the figures are not kept", exc_info=True)
        return value


def is_cached(kind: str, sites: Iterable[Site], args: tuple) -> bool:
    """Whether `cached(kind, sites, args, ...)` would be answered from the cache now."""
    scope = list(sites)
    with snapshot():
        try:
            return cache.get(_key(kind, scope, args), _MISSING) is not _MISSING
        except Exception:
            return False
