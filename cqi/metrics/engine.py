"""The machinery of the CQI figures: states, parts, running the queries, and the block of
queries of one computation that share the sites' episodes (`shared()`).

Every metric but the caseloads is computed in parts (`<metric>_parts`): one parameterised SQL
statement (CTEs, aggregates, window functions) gives, for each (site, part) of the cases asked
for, the metric's *state*: the counts its definition needs, which add up over disjoint sets of
cases (a numerator and a denominator; for a median the histogram of the values, for the
Kaplan-Meier median the life table of times, events and exits). The states of every part are
summed (`merge`) and finished into the Result (`finish_*`; a median is then taken in SQL with
`percentile_cont` over the histogram, the Kaplan-Meier curve over the life table). The same
numbers as one query over all the records; `cqi.cache` keeps the states part by part, so after a
write only the parts it touched are computed again (`cqi.stamps`: a case and everything under it
lie in one part of its site).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypedDict

from cqi.db import connection, on_replica
from cqi.metrics.sql import EPISODES, EPISODES_SELECT
from safebabies.identity.models import Site


class Result(TypedDict):
    value: Any
    numerator: int | float | None
    denominator: int | float | None
    n: int | None


# A figure in parts: {(site id, part): state}. A state is {key: (counts...)}; the states of
# disjoint sets of cases add up key by key (`merge`), so a figure over any sites is the sum of
# their parts' states, finished into a Result (each metric's `finish`).
State = dict[Any, tuple[int, ...]]
Parts = dict[tuple[int, int], State]


def sites_of(sites: Site | Iterable[Site]) -> list[Site]:
    """One Site or several, as a list."""
    return [sites] if isinstance(sites, Site) else list(sites)


def query_params(
    sites: Site | Iterable[Site],
    start: dt.date,
    end: dt.date,
    parts: Iterable[int] | None = None,
    **extra,
) -> dict:
    """The parameters every query takes (`sites`, `parts`, `start`, `end`), and `extra`."""
    return {
        "sites": [s.pk for s in sites_of(sites)],
        "parts": None if parts is None else sorted(parts),
        "start": start,
        "end": end,
        **extra,
    }


def merge(states: Iterable[State]) -> State:
    """The sum of states, key by key."""
    out: dict[Any, list[int]] = {}
    for state in states:
        for key, values in state.items():
            into = out.get(key)
            if into is None:
                out[key] = list(values)
            else:
                for i, v in enumerate(values):
                    into[i] += v
    return {key: tuple(values) for key, values in out.items()}


def parts_of(rows: Iterable[tuple]) -> Parts:
    """Rows (site id, part, key, counts...) as parts."""
    parts: Parts = {}
    for site_id, part, key, *values in rows:
        parts.setdefault((int(site_id), int(part)), {})[key] = tuple(int(v or 0) for v in values)
    return parts


EpisodesKey = tuple[tuple[int, ...], tuple[int, ...] | None]  # (sites, parts or None)


class _Shared:
    """What the figures of one computation share (`shared()`): the sites' episodes, written once
    into a temporary table, and results that several metrics read."""

    def __init__(self) -> None:
        self.episode_tables: dict[EpisodesKey, str] = {}
        self.episode_uses: dict[EpisodesKey, int] = {}
        self.results: dict[tuple, Any] = {}


_shared: contextvars.ContextVar[_Shared | None] = contextvars.ContextVar("cqi_shared", default=None)


@contextlib.contextmanager
def shared() -> Iterator[None]:
    """Inside a transaction: the second query that needs the same sites' episodes (`EPISODES`:
    three tables joined and the age rule applied) writes them into a temporary table, and it
    and every later query of the block read the table instead (a lone query, such as a
    drill-down's, joins them itself: the table would cost it more than it saves); results
    several metrics read (the family-time totals, the case-month series) are computed once.
    The same numbers, less work. Outside a transaction (or inside another `shared()` block)
    it does nothing."""
    if _shared.get() is not None or not connection.in_atomic_block:
        yield
        return
    state = _Shared()
    token = _shared.set(state)
    try:
        yield
    finally:
        _shared.reset(token)
    # Reached without an exception only: a failed transaction takes its temporary tables with it
    # (ON COMMIT DROP, or the rollback), and a query now would only hide the first error.
    with connection.cursor() as cursor:
        for table in state.episode_tables.values():
            cursor.execute(f"DROP TABLE IF EXISTS {table}")  # lint-ok: our temporary table


def episodes_key(params: Mapping[str, Any]) -> EpisodesKey:
    """The sites and parts whose episodes a query with these parameters reads."""
    parts = params.get("parts")
    return tuple(sorted(params["sites"])), None if parts is None else tuple(sorted(parts))


def _episodes_table(state: _Shared, key: EpisodesKey) -> str:
    table = state.episode_tables.get(key)
    if table is None:
        table = f"cqi_episodes_{uuid.uuid4().hex[:12]}"
        sites, parts = key
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {table} ON COMMIT DROP AS {EPISODES_SELECT}",
                {"sites": list(sites), "parts": None if parts is None else list(parts)},
            )
            cursor.execute(f"CREATE INDEX ON {table} (child_id)")  # lint-ok: our temporary table
            cursor.execute(f"ANALYZE {table}")  # lint-ok: our temporary table
        state.episode_tables[key] = table
    return table


def _prepare(sql: str, params: Mapping[str, Any]) -> str:
    """The query as it runs: in a `shared()` block, from the second query on the same sites'
    episodes, they are read from the block's temporary table (otherwise the query joins them)."""
    state = _shared.get()
    if state is None or EPISODES not in sql or on_replica():
        # a hot standby writes nothing, not even a temporary table: there each query joins
        # the episodes itself
        return sql
    key = episodes_key(params)
    state.episode_uses[key] = state.episode_uses.get(key, 0) + 1
    if state.episode_uses[key] < 2:
        return sql
    table = _episodes_table(state, key)
    # NOT MATERIALIZED, as EPISODES: a query that reads eps twice (re-entry) must probe the
    # table's index, not scan a materialised copy once per row
    shared_eps = f"\neps AS NOT MATERIALIZED (SELECT * FROM {table})"  # noqa: S608 (our name)
    return sql.replace(EPISODES, shared_eps)


def fetch_one(sql: str, params: Mapping[str, Any]) -> tuple:
    """The first row of a query (its episodes read from the `shared()` block's table, if any)."""
    with connection.cursor() as cursor:
        cursor.execute(_prepare(sql, params), params)
        return cursor.fetchone()


def fetch_all(sql: str, params: Mapping[str, Any]) -> list[tuple]:
    """The rows of a query (its episodes read from the `shared()` block's table, if any)."""
    with connection.cursor() as cursor:
        cursor.execute(_prepare(sql, params), params)
        return cursor.fetchall()


def once[T](key: tuple, compute: Callable[[], T]) -> T:
    """`compute()` once per `shared()` block for `key` (every time outside one)."""
    state = _shared.get()
    if state is None:
        return compute()
    if key not in state.results:
        state.results[key] = compute()
    return state.results[key]


@dataclass(frozen=True)
class Query:
    """A definition's SQL, keyed one way (`cqi.metrics.sql.Keys`), and the parameters of its
    own beside those of every query (`sites`, `parts`, `start`, `end`)."""

    sql: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def rows(
        self,
        sites: Site | Iterable[Site],
        start: dt.date,
        end: dt.date,
        parts: Iterable[int] | None = None,
    ) -> list[tuple]:
        """Its rows over the cases of the sites' parts (every part when None) for the period."""
        return fetch_all(self.sql, query_params(sites, start, end, parts, **self.params))


# ---------------------------------------------------------------------------------------------
# Finishing a state into a Result. Keys: 0 for a single tuple of counts; a median's state is a
# histogram {value: (episodes,)} beside {None: (cohort,)}.


def share_result(numerator: int | None, denominator: int | None) -> Result:
    """A share: numerator ÷ denominator, null when the denominator is 0."""
    numerator, denominator = int(numerator or 0), int(denominator or 0)
    return {
        "value": numerator / denominator if denominator else None,
        "numerator": numerator,
        "denominator": denominator,
        "n": None,
    }


def median_result(median: float | None, n: int | None, cohort: int | None) -> Result:
    """A median over `n` of the `cohort`, null when n is 0."""
    n = int(n or 0)
    return {
        "value": float(median) if n and median is not None else None,
        "numerator": None,
        "denominator": int(cohort or 0),
        "n": n,
    }


def finish_share(state: State) -> Result:
    return share_result(*state.get(0, (0, 0)))


def percentile_50(histogram: dict[int, int]) -> float | None:
    """percentile_cont(0.5) of the values of a histogram {value: how many}, in PostgreSQL."""
    if not histogram:
        return None
    values = sorted(histogram)
    return fetch_one(
        """
        SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY h.v)
          FROM unnest(%(values)s::int[], %(counts)s::int[]) AS h(v, n),
               generate_series(1, h.n)
        """,
        {"values": values, "counts": [histogram[v] for v in values]},
    )[0]


def finish_median(state: State) -> Result:
    histogram = {v: n for v, (n,) in state.items() if v is not None}
    return median_result(
        percentile_50(histogram), sum(histogram.values()), state.get(None, (0,))[0]
    )
