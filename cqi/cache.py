"""Exact caching of CQI figures, and the database settings the figures are computed with.

A figure is cached under a key made of what was asked (the kind of figure, the sites, the period)
and of each site's data generation (`cqi.stamps`), which database triggers change whenever any
record the figures read is written. So a cached figure is only ever read back while the records
it was computed from are unchanged: it is the same number a fresh computation would give, never
a stale one, and no time-to-live is needed for correctness (`CQI_CACHE_SECONDS` only bounds how
long unused entries take room). The key also holds the database's identity and a digest of the
metric code (`code_version`: every module of the `cqi.metrics` package, the breakdowns, this
cache and the stamps), so another database or a new definition never reads an old entry.

The generations are read before the figures are computed, in the same transaction: a write that
commits in between can only make the entry describe newer records than its key says, and the
next reader, who sees the new generation, computes afresh.

`snapshot()` gives the figures of one page a single consistent view of the records (one
REPEATABLE READ transaction), the planner settings these analytic queries need (a larger
`work_mem`, so hash aggregates over hundreds of thousands of rows stay in memory, no JIT
compilation, which costs more than it saves at this size, and index probes priced as on SSD, so
one part's cases are read through the indexes; `planner_settings`), and
`cqi.metrics.engine.shared()`: what is computed afresh reads the sites' episodes from one
temporary table.

Figures that add up over cases (`cached_parts`: the breakdowns, the trends, every metric and the
caseloads' open cases) are kept part by part as well: each site's cases fall in `stamps.PARTS`
parts, each with its own generation, and a figure's state over one part (its counts, histograms,
life table) is an entry of its own. After a write only the parts it touched are computed afresh,
and merged with the other parts' states read back. The merged state of each block of `BLOCK`
parts is kept, and each site's, so a write merges the other parts of its block and the other
blocks of its site (not every part), and the national figures merge one state per site; and the
finished figure, under a key of every part's generation, so an unchanged page reads one entry
per figure.

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
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from cqi import db, stamps
from cqi.db import connection
from cqi.metrics.engine import Parts, State, merge, shared
from safebabies.identity.models import Site

log = logging.getLogger(__name__)
_MISSING = object()

# The code that defines the figures, under the `cqi` folder: every module of the `cqi.metrics`
# package (the engine, the shared SQL, each family of metrics, the registry, and any module added
# to it), the breakdowns, trends and drill-downs, this cache and the stamps. A change to any of
# them, or a module added, removed or renamed, is a new cache namespace.
DEFINITIONS = ("metrics", "breakdowns.py", "cache.py", "stamps.py")


def definition_files(root: Path) -> list[Path]:
    """The files of `DEFINITIONS` under `root` (the `cqi` folder), a package's every module
    (`*.py`, in its subfolders too), in a fixed order."""
    files: list[Path] = []
    for name in DEFINITIONS:
        path = root / name
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return files


def code_version(root: Path = Path(__file__).parent) -> str:
    """A digest of the code that defines the figures (`definition_files`): each file's path
    under `root` and its bytes."""
    digest = hashlib.sha256()
    for path in definition_files(root):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


CODE_VERSION = code_version()


def planner_settings() -> None:
    """The planner settings of the CQI queries, for the rest of the current transaction: a
    larger `work_mem`, no JIT, and `random_page_cost` 1.1 (the records are in memory or on SSD,
    where an index probe costs about a sequential read): with the default 4, the planner reads
    every FTM of a site to find those of one part's cases (1M rows for 32,000, at 77,000 cases,
    when a site had 32 parts)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('work_mem', %s, true), set_config('jit', 'off', true),"
            " set_config('random_page_cost', '1.1', true)",
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
            with shared():
                yield
            return
        # on the read replica when there is one (cqi/db.py): the generations and the figures
        # are then both read there, in this one snapshot
        with db.reading_from(settings.CQI_READ_DATABASE), transaction.atomic(using=db.alias()):
            with connection.cursor() as cursor:
                # not READ ONLY: the shared episodes are a temporary table (engine.shared)
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            planner_settings()
            # our own snapshot, which only reads: the data stamps cannot change inside it, so
            # each site's are read once, and so is each cache entry (an entry's key names the
            # generations it was computed for, so the value under a key never changes)
            _inside.own, _inside.stamps, _inside.entries = True, {}, {}
            try:
                with shared():
                    yield
            finally:
                _inside.own, _inside.stamps, _inside.entries = False, None, None
    finally:
        _inside.active = False


def _in_snapshot(snapshot_id: str, job: Callable[[], object], database: str) -> None:
    """In a worker thread: `job()` on the thread's own connection to `database` (the page's:
    the primary or the replica), reading the snapshot `snapshot_id` exported by the page's
    transaction."""
    with db.reading_from(database):
        try:
            _inside.active = True
            with transaction.atomic(using=database):
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                    cursor.execute("SET TRANSACTION SNAPSHOT %s", [snapshot_id])
                planner_settings()
                with shared():
                    job()
        finally:
            _inside.active = False
            connection.close()


@dataclass(frozen=True)
class Question:
    """A part-wise figure a page asks the cache for (`cached_parts`): its states computed by
    `compute(sites, parts)`, finished by `finish`."""

    kind: str
    sites: list[Site]
    args: tuple
    compute: ComputeParts
    finish: Callable

    def answer(self):
        return cached_parts(self.kind, self.sites, self.args, self.compute, self.finish)


# Fewer missing parts than this (over all the questions of a page) are computed on the page's
# own connection: another connection's set-up (the
# snapshot, the planner settings, its own episodes table) then costs more than sharing the work
# saves. Measured at 77,000 cases: after one family's write (5 parts missing: one of each figure
# of the page) the dashboard took 410 ms on one connection and 510 ms on two.
PARALLEL_FROM_PARTS = 24

# Parts of a block: a part-wise figure's merged state over each block of a site is kept too, so
# that after a write the cache merges the block's other parts and the site's other blocks
# (8 + 16 states, not 128).
BLOCK = 8
assert stamps.PARTS % BLOCK == 0


def compute_ahead(questions: list[Question]) -> int:
    """Inside `snapshot()`: computes, side by side on `CQI_PARALLEL` database connections that
    all read this transaction's snapshot, what the questions need that is not cached yet, so
    that the page's own answers then read it from the cache. A part-wise figure missing many
    parts is split among the connections by part. Only in a transaction `snapshot()` opened
    itself (a caller's may hold writes other connections cannot see), with the cache on, for
    two jobs or more and `PARALLEL_FROM_PARTS` missing parts or more. Returns how many jobs
    were run."""
    workers = settings.CQI_PARALLEL
    if workers < 2 or settings.CQI_CACHE_SECONDS <= 0 or not getattr(_inside, "own", False):
        return 0
    distinct = {(q.kind, tuple(s.pk for s in q.sites), q.args): q for q in questions}
    jobs: list[Callable[[], object]] = []
    work = 0  # missing parts
    for q in distinct.values():
        missing = missing_parts(q.kind, q.sites, q.args)
        work += len(missing)
        for share in range(workers):
            chunk = [where for where in missing if where[1] % workers == share]
            if chunk:
                jobs.append(functools.partial(_keep_parts, q, chunk))
    if len(jobs) < 2 or work < PARALLEL_FROM_PARTS:
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot_id = cursor.fetchone()[0]
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
            database = db.alias()
            for done in [pool.submit(_in_snapshot, snapshot_id, job, database) for job in jobs]:
                done.result()
    finally:
        _forget_absent()
    return len(jobs)


def _keep_parts(question: Question, missing: list[tuple[int, int]]) -> None:
    """Computes and keeps the states of some missing parts of a part-wise figure."""
    ids = sorted({site for site, _ in missing})
    keys = _part_keys(question.kind, missing, _stamps(ids), question.args)
    fresh = _compute_missing(question.sites, missing, question.compute)
    _set_many({keys[where]: state for where, state in fresh.items()})


def _stamps(site_ids: list[int]) -> stamps.Stamps:
    """The sites' stamps; read once per site inside our own snapshot (they cannot change in it)."""
    known: dict | None = getattr(_inside, "stamps", None)
    if known is None:
        return stamps.generations(site_ids)
    missing = [s for s in site_ids if s not in known]
    if missing:
        read = stamps.generations(missing)
        for site in missing:
            known[site] = (read.database, read.sites[site], read.parts[site])
    database = known[site_ids[0]][0] if site_ids else stamps.generations([]).database
    return stamps.Stamps(
        database,
        {site: known[site][1] for site in site_ids},
        {site: known[site][2] for site in site_ids},
    )


def _digest(*question: object) -> str:
    return "cqi:" + hashlib.sha256(repr((CODE_VERSION, *question)).encode()).hexdigest()


def _key(kind: str, sites: list[Site], args: tuple) -> str:
    """A whole-site figure's key: the sites' generations."""
    ids = sorted(site.pk for site in sites)
    now = _stamps(ids)
    return _digest(now.database, kind, ids, [now.sites[i] for i in ids], args)


def _whole_key(kind: str, ids: list[int], now: stamps.Stamps, args: tuple) -> str:
    """A part-wise figure's finished value: every part's generation."""
    return _digest(now.database, "parts", kind, ids, [now.parts[i] for i in ids], args)


def _site_keys(kind: str, ids: list[int], now: stamps.Stamps, args: tuple) -> dict[int, str]:
    """{site id: key} of a part-wise figure's merged state over each site: its parts'
    generations."""
    return {site: _digest(now.database, "site", kind, site, now.parts[site], args) for site in ids}


def _block_parts(block: int) -> range:
    return range(block * BLOCK, (block + 1) * BLOCK)


def _block_keys(kind: str, ids: list[int], now: stamps.Stamps, args: tuple) -> dict:
    """{(site id, block): key} of a part-wise figure's merged state over each block of `BLOCK`
    parts of the sites: the block's parts' generations."""
    return {
        (site, block): _digest(
            now.database,
            "block",
            kind,
            site,
            block,
            tuple(now.parts[site][part] for part in _block_parts(block)),
            args,
        )
        for site in ids
        for block in range(stamps.PARTS // BLOCK)
    }


def _part_keys(kind: str, wheres: Iterable[tuple[int, int]], now: stamps.Stamps, args: tuple):
    """{(site id, part): key} of a part-wise figure's states over some parts."""
    return {
        (site, part): _digest(now.database, "part", kind, site, part, now.parts[site][part], args)
        for site, part in wheres
    }


@dataclass
class _Found:
    """What the cache holds of a part-wise figure over some sites (`_look_up`): each site's
    merged state, else each of its blocks', else each of those blocks' parts'; and the parts
    whose state is in none of these (`missing`)."""

    site_keys: dict[int, str]
    sites: dict[int, State]
    block_keys: dict[tuple[int, int], str]
    blocks: dict[tuple[int, int], State]
    part_keys: dict[tuple[int, int], str]
    parts: dict[tuple[int, int], State]

    @property
    def missing(self) -> list[tuple[int, int]]:
        return [where for where in self.part_keys if where not in self.parts]


def _look_up(kind: str, ids: list[int], now: stamps.Stamps, args: tuple) -> _Found:
    site_keys = _site_keys(kind, ids, now, args)
    found = _get_many(site_keys.values())
    sites = {site: found[key] for site, key in site_keys.items() if key in found}
    block_keys = _block_keys(kind, [site for site in ids if site not in sites], now, args)
    found = _get_many(block_keys.values())
    blocks = {where: found[key] for where, key in block_keys.items() if key in found}
    stale = [(site, block) for site, block in block_keys if (site, block) not in blocks]
    wheres = [(site, part) for site, block in stale for part in _block_parts(block)]
    part_keys = _part_keys(kind, wheres, now, args)
    found = _get_many(part_keys.values())
    parts = {where: found[key] for where, key in part_keys.items() if key in found}
    return _Found(site_keys, sites, block_keys, blocks, part_keys, parts)


def _get_many(keys: Iterable[str]) -> dict:
    """The entries found under the keys; inside our own snapshot, each key asked of the cache
    once (an absent one is remembered as absent, until `compute_ahead`'s connections may have
    kept it)."""
    wanted = list(keys)
    known: dict | None = getattr(_inside, "entries", None)
    if known is None:
        asked, found = wanted, {}
    else:
        asked = [key for key in wanted if key not in known]
        found = {key: known[key] for key in wanted if known.get(key, _MISSING) is not _MISSING}
    if not asked:
        return found
    try:
        read = cache.get_many(asked)
    except Exception:  # the cache is a help, never a dependency
        log.warning("CQI cache unreachable; computing the figures", exc_info=True)
        return found
    if known is not None:
        known.update({key: read.get(key, _MISSING) for key in asked})
    return found | read


def _forget_absent() -> None:
    """Other connections have kept entries: what was absent may be there now."""
    known: dict | None = getattr(_inside, "entries", None)
    if known is not None:
        for key in [key for key, value in known.items() if value is _MISSING]:
            del known[key]


def _set_many(values: dict) -> None:
    if not values:
        return
    known: dict | None = getattr(_inside, "entries", None)
    if known is not None:
        known.update(values)
    try:
        cache.set_many(values, timeout=settings.CQI_CACHE_SECONDS)
    except Exception:
        log.warning("CQI cache unreachable; the figures are not kept", exc_info=True)


def cached[T](kind: str, sites: Iterable[Site], args: tuple, compute: Callable[[], T]) -> T:
    """`compute()`, or the value it gave for the same question over the same records."""
    scope = list(sites)
    seconds = settings.CQI_CACHE_SECONDS
    with snapshot():
        if seconds <= 0:
            return compute()
        key = _key(kind, scope, args)
        hit = _get_many([key]).get(key, _MISSING)
        if hit is not _MISSING:
            return hit  # type: ignore[return-value]
        value = compute()
        _set_many({key: value})
        return value


# compute(sites, parts): {(site id, part): state} for the cases of those parts of those sites
# (every part when parts is None); a part with no records may be left out.
ComputeParts = Callable[[list[Site], list[int] | None], Parts]


def missing_parts(kind: str, sites: Iterable[Site], args: tuple) -> list[tuple[int, int]]:
    """The (site id, part) whose state of a part-wise figure is not cached and is needed: none
    if the finished figure is, none of a site or a block whose merged state is."""
    ids = sorted(site.pk for site in sites)
    with snapshot():
        now = _stamps(ids)
        whole = _whole_key(kind, ids, now, args)
        if whole in _get_many([whole]):
            return []
        return _look_up(kind, ids, now, args).missing


def _compute_missing(
    scope: list[Site], missing: list[tuple[int, int]], compute: ComputeParts
) -> dict[tuple[int, int], State]:
    """The states of the missing parts (an empty state for a part without records): one
    computation over the sites and parts concerned."""
    site_ids = {site for site, _ in missing}
    parts = sorted({part for _, part in missing})
    computed = compute(
        [s for s in scope if s.pk in site_ids], None if len(parts) == stamps.PARTS else parts
    )
    return {where: computed.get(where, {}) for where in missing}


def cached_parts[T](
    kind: str,
    sites: Iterable[Site],
    args: tuple,
    compute: ComputeParts,
    finish: Callable[[State], T],
) -> T:
    """`finish` of the merged states of every part of the sites. Read back, in that order: the
    finished figure kept for these very parts' generations; else each site's merged state kept
    for its parts' generations; else, for a site without one, each block's (`BLOCK` parts);
    else, for a block without one, each part's kept state, computing only the parts whose state
    is not kept (those a write touched since). What is merged or computed is kept in turn."""
    scope = list(sites)
    ids = sorted(site.pk for site in scope)
    with snapshot():
        if settings.CQI_CACHE_SECONDS <= 0:
            return finish(merge(compute(scope, None).values()))
        now = _stamps(ids)
        whole = _whole_key(kind, ids, now, args)
        hit = _get_many([whole]).get(whole, _MISSING)
        if hit is not _MISSING:
            return hit
        found = _look_up(kind, ids, now, args)
        missing = found.missing
        if missing:
            fresh = _compute_missing(scope, missing, compute)
            found.parts.update(fresh)
            _set_many({found.part_keys[where]: state for where, state in fresh.items()})
        new_blocks = [where for where in found.block_keys if where not in found.blocks]
        for site, block in new_blocks:
            found.blocks[site, block] = merge(
                found.parts[site, part] for part in _block_parts(block)
            )
        _set_many({found.block_keys[where]: found.blocks[where] for where in new_blocks})
        new_sites = [site for site in ids if site not in found.sites]
        for site in new_sites:
            found.sites[site] = merge(
                found.blocks[site, block] for block in range(stamps.PARTS // BLOCK)
            )
        _set_many({found.site_keys[site]: found.sites[site] for site in new_sites})
        value = finish(merge(found.sites[site] for site in ids))
        _set_many({whole: value})
        return value


def is_cached(kind: str, sites: Iterable[Site], args: tuple) -> bool:
    """Whether `cached(kind, sites, args, ...)`, or `cached_parts` of a part-wise figure, would
    be answered from the cache now without computing anything."""
    scope = list(sites)
    with snapshot():
        key = _key(kind, scope, args)
        if key in _get_many([key]):
            return True
        return not missing_parts(kind, scope, args)
