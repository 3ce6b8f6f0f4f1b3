"""Every CQI metric of METRICS.md, computed in PostgreSQL.

One selector per metric id: `selector(sites, start, end) -> Result`. `sites` is one Site, or
several (national figures are computed over the union of their records, never averaged); the
period is `[start, end]`, both inclusive.

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

Every result is `{"value", "numerator", "denominator", "n"}`:

- shares: `value = numerator / denominator` as a fraction 0..1; `n` is null;
- `placement_moves_per_1000_days`: numerator = moves, denominator = days in care,
  `value = 1000 * moves / days`;
- `family_time_held_per_week`: numerator = held visits, denominator = days in care,
  `value = 7 * visits / days` (visits per week);
- `average_placements_closed`: numerator = counted placements, denominator = closed episodes;
- medians (in days): `n` = the episodes the median is taken over, `denominator` = every episode
  of the cohort (the difference has not reached the event yet), `numerator` is null;
- `exits_by_reason`: value `{"<reason>": {"count", "share"}}`, denominator = all discharges,
  numerator null;
- `coordinator_caseload`: value `[{"coordinator", "site", "open_cases", "cap", "over_cap"}]`,
  numerator = coordinators over the cap, denominator = coordinators.

`value` is null whenever the denominator (or `n`, for a median) is 0.

Conventions shared by the definitions (METRICS.md "Conventions"), in SQL:

- An episode counts only if the child was under 18 on the removal date.
- LOS = discharge - removal, or `end` (the period end) - removal while the episode is open: an
  episode still open at the period end and removed fewer than 8 days before it is a short stay.
  A recorded discharge is a fact whatever its date (it may fall after the period end, which is
  what "within 12 months of removal" needs).
- "Within 12 months of D" is `D + interval '12 months'`, which clamps like
  `safebabies.lib.dates.add_months` (2024-02-29 + 12 months = 2025-02-28).
- Days in care inside the period: `[max(removal, start), min(discharge, end + 1))`.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypedDict, cast

from django.db import connection

from safebabies import codes
from safebabies.lib.dates import add_months
from teams.models import Site
from teams.roles import Role


class Result(TypedDict):
    value: Any
    numerator: int | float | None
    denominator: int | float | None
    n: int | None


# Code sets, passed to SQL as parameters (never formatted into the text).
PERMANENCY = sorted(str(c) for c in codes.PERMANENCY_REASONS)
REENTRY_EXITS = sorted(
    str(c)
    for c in (
        codes.DischargeReason.REUNIFICATION,
        codes.DischargeReason.RELATIVE,
        codes.DischargeReason.GUARDIANSHIP,
    )
)
NON_MOVE = sorted(str(c) for c in codes.NON_MOVE_SETTINGS)
MALTREATMENT = sorted(str(c) for c in codes.MALTREATMENT_REASONS)
SUBSTANTIATED = [
    str(codes.MaltreatmentDisposition.SUBSTANTIATED),
    str(codes.MaltreatmentDisposition.INDICATED),
]
DEVELOPMENTAL = [str(codes.Instrument.ASQ3), str(codes.Instrument.ASQSE2)]
SHORT_STAY_DAYS = 8  # LOS < 8 days is a short stay

# ---------------------------------------------------------------------------------------------
# Plumbing


def _sites(sites: Site | Iterable[Site]) -> list[Site]:
    return [sites] if isinstance(sites, Site) else list(sites)


def _params(
    sites: Site | Iterable[Site],
    start: dt.date,
    end: dt.date,
    parts: Iterable[int] | None = None,
    **extra,
) -> dict:
    return {
        "sites": [s.pk for s in _sites(sites)],
        "parts": None if parts is None else sorted(parts),
        "start": start,
        "end": end,
        **extra,
    }


# The cases a figure reads, `c` being cases_case: the sites' cases in the parts asked for (every
# part when `parts` is null). A case's part is the column `cqi_part` (`cqi.stamps`).
IN_SCOPE = """c.site_id = ANY(%(sites)s::bigint[])
       AND (%(parts)s::int[] IS NULL OR c.cqi_part = ANY(%(parts)s::int[]))"""
PART = "c.cqi_part"

# A figure in parts: {(site id, part): state}. A state is {key: (counts...)}; the states of
# disjoint sets of cases add up key by key (`merge`), so a figure over any sites is the sum of
# their parts' states, finished into a Result (each metric's `finish`).
State = dict[Any, tuple[int, ...]]
Parts = dict[tuple[int, int], State]


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


def _parts_of(rows: Iterable[tuple]) -> Parts:
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


def _episodes_key(params: dict) -> EpisodesKey:
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


def _prepare(sql: str, params: dict) -> str:
    """The query as it runs: in a `shared()` block, from the second query on the same sites'
    episodes, they are read from the block's temporary table (otherwise the query joins them)."""
    state = _shared.get()
    if state is None or EPISODES not in sql:
        return sql
    key = _episodes_key(params)
    state.episode_uses[key] = state.episode_uses.get(key, 0) + 1
    if state.episode_uses[key] < 2:
        return sql
    table = _episodes_table(state, key)
    # NOT MATERIALIZED, as EPISODES: a query that reads eps twice (re-entry) must probe the
    # table's index, not scan a materialised copy once per row
    shared_eps = f"\neps AS NOT MATERIALIZED (SELECT * FROM {table})"  # noqa: S608 (our name)
    return sql.replace(EPISODES, shared_eps)


def _row(sql: str, params: dict) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(_prepare(sql, params), params)
        return cursor.fetchone()


def _rows(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(_prepare(sql, params), params)
        return cursor.fetchall()


def _once[T](key: tuple, compute: Callable[[], T]) -> T:
    """`compute()` once per `shared()` block for `key` (every time outside one)."""
    state = _shared.get()
    if state is None:
        return compute()
    if key not in state.results:
        state.results[key] = compute()
    return state.results[key]


def _share(numerator: int | None, denominator: int | None) -> Result:
    numerator, denominator = int(numerator or 0), int(denominator or 0)
    return {
        "value": numerator / denominator if denominator else None,
        "numerator": numerator,
        "denominator": denominator,
        "n": None,
    }


def _median(median: float | None, n: int | None, cohort: int | None) -> Result:
    n = int(n or 0)
    return {
        "value": float(median) if n and median is not None else None,
        "numerator": None,
        "denominator": int(cohort or 0),
        "n": n,
    }


# Episodes of the sites' children, under the federal age rule (removal before the 18th birthday).
# The episodes are found by child through the index `episode_by_child_for_cqi`, which is on
# `child_id COLLATE "C"` (the same equality: ids compare byte by byte either way): without the
# COLLATE the planner probes the GiST exclusion index `episode_no_overlap` for each child
# instead, which it prices lower but is ten times slower (80 ms against 8 for 3,000 children
# among 100,000).
EPISODES_SELECT = f"""
    SELECT e.id, e.child_id, e.removal_date, e.discharge_date, e.discharge_reason, e.reasons,
           c.site_id, {PART} AS part
      FROM cases_episode e
      JOIN cases_child ch ON ch.id = e.child_id COLLATE "C"
      JOIN cases_case c ON c.id = ch.case_id
     WHERE {IN_SCOPE}
       AND e.removal_date < (ch.birth_date + interval '18 years')::date
"""  # noqa: S608 (constant SQL fragments; every value is a parameter)
EPISODES = f"""
eps AS NOT MATERIALIZED ({EPISODES_SELECT})"""

# Each child's first episode with removal in the period (P1, P4); short stays still in it.
FIRST_ENTRIES = """
first_entry AS (
    SELECT DISTINCT ON (child_id) *
      FROM eps
     WHERE removal_date BETWEEN %(start)s AND %(end)s
     ORDER BY child_id, removal_date, id
)"""

# LOS of an episode, open episodes measured to the period end.
LOS = "(COALESCE({t}.discharge_date, %(end)s::date) - {t}.removal_date)"

# Days in care of an episode inside the period: [max(removal, start), min(discharge, end+1)).
WINDOW = """
in_period AS (
    SELECT id, child_id, site_id, part,
           GREATEST(removal_date, %(start)s::date) AS w_from,
           LEAST(COALESCE(discharge_date, %(end)s::date + 1), %(end)s::date + 1) AS w_to
      FROM eps
     WHERE removal_date <= %(end)s
)"""

# Case-months (METRICS.md): a calendar month wholly inside the period, paired with a case open on
# its first and its last day. Rather than pairing every month with every case, each case gets the
# span of its case-months [lo, hi] (first days of months): from the first whole month of the
# period, or the first month that begins on or after the opening if later, to the last whole
# month of the period, or the last month that ends on or before the closing if earlier. A case
# with hi < lo has none. A month M begins on or after `opened_on` from the month after the
# opening's month, unless the opening is a 1st; it ends on or before `closed_on` up to the month
# before the month of closed_on + 1 day.
CASE_MONTH_SPANS = f"""
spans AS (
    SELECT c.id AS case_id, c.site_id, {PART} AS part,
           GREATEST(
               (date_trunc('month', (%(start)s::date - 1)::timestamp) + interval '1 month')::date,
               (date_trunc('month', (c.opened_on - 1)::timestamp) + interval '1 month')::date
           ) AS lo,
           LEAST(
               (date_trunc('month', (%(end)s::date + 1)::timestamp) - interval '1 month')::date,
               COALESCE(
                   (date_trunc('month', (c.closed_on + 1)::timestamp) - interval '1 month')::date,
                   'infinity'::date
               )
           ) AS hi
      FROM cases_case c
     WHERE {IN_SCOPE}
       AND c.opened_on <= %(end)s
),
case_spans AS (
    SELECT case_id, site_id, part, lo, hi,
           ((extract(year FROM hi) - extract(year FROM lo)) * 12
            + extract(month FROM hi) - extract(month FROM lo) + 1)::int AS months
      FROM spans
     WHERE hi >= lo
)"""  # noqa: S608 (constant SQL fragments; every value is a parameter)


def case_month_hits(table: str, status_param: str) -> str:
    """A CTE `hits` (case_id, site_id, part, first_day): the case-months with at least one
    event of `table` (an FTM or a hearing) whose status is the parameter `status_param`; needs
    CASE_MONTH_SPANS."""
    return f"""
hits AS (
    SELECT DISTINCT ev.case_id, cs.site_id, cs.part,
           date_trunc('month', ev.scheduled_on::timestamp)::date AS first_day
      FROM {table} ev
      JOIN case_spans cs ON cs.case_id = ev.case_id
     WHERE ev.status = %({status_param})s
       AND ev.scheduled_on >= cs.lo
       AND ev.scheduled_on < (cs.hi + interval '1 month')::date
       AND ev.scheduled_on BETWEEN %(start)s AND %(end)s
)"""  # noqa: S608 (constant SQL fragments and table names; every value is a parameter)


# ---------------------------------------------------------------------------------------------
# Finishing a state into a Result. Keys: 0 for a single tuple of counts; a median's state is a
# histogram {value: (episodes,)} beside {None: (cohort,)}.


def finish_share(state: State) -> Result:
    return _share(*state.get(0, (0, 0)))


def _percentile_50(histogram: dict[int, int]) -> float | None:
    """percentile_cont(0.5) of the values of a histogram {value: how many}, in PostgreSQL."""
    if not histogram:
        return None
    values = sorted(histogram)
    return _row(
        """
        SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY h.v)
          FROM unnest(%(values)s::int[], %(counts)s::int[]) AS h(v, n),
               generate_series(1, h.n)
        """,
        {"values": values, "counts": [histogram[v] for v in values]},
    )[0]


def finish_median(state: State) -> Result:
    histogram = {v: n for v, (n,) in state.items() if v is not None}
    return _median(_percentile_50(histogram), sum(histogram.values()), state.get(None, (0,))[0])


def _median_histogram_sql(source: str, value: str, where: str) -> str:
    """Rows (site_id, part, value or null, count): the histogram of `value` over the rows of
    `source` meeting `where`, and (with a null value) every row of `source`, by part."""
    return f"""
    SELECT site_id, part, {value}, count(*) FROM {source} WHERE {where} GROUP BY 1, 2, 3
    UNION ALL
    SELECT site_id, part, NULL, count(*) FROM {source} GROUP BY 1, 2
    """  # noqa: S608 (constant SQL fragments; every value is a parameter)


# ---------------------------------------------------------------------------------------------
# Outcome metrics


def permanency_12m_entries_parts(sites, start: dt.date, end: dt.date, parts=None) -> Parts:
    """CFSR R4 P1: first entries in the period (not short stays) discharged to permanency
    within 12 months of removal; a reunification whose last placement is a trial home visit
    begun more than 30 days before discharge exits at that visit's start + 30 days."""
    sql = f"""
    WITH {EPISODES}, {FIRST_ENTRIES},
    cohort AS (
        SELECT f.*, last_p.setting AS last_setting, last_p.start_date AS last_start
          FROM first_entry f
          LEFT JOIN LATERAL (
                SELECT p.setting, p.start_date
                  FROM cases_placement p
                 WHERE p.episode_id = f.id
                 ORDER BY p.start_date DESC, p.created_at DESC, p.id DESC
                 LIMIT 1
          ) last_p ON true
         WHERE {LOS.format(t="f")} >= %(short)s
    ),
    exits AS (
        SELECT cohort.*,
               CASE WHEN discharge_reason = %(reunification)s
                         AND last_setting = %(thv)s
                         AND discharge_date - last_start > 30
                    THEN last_start + 30
                    ELSE discharge_date
               END AS exit_date
          FROM cohort
    )
    SELECT site_id, part, 0,
           count(*) FILTER (
               WHERE discharge_reason = ANY(%(permanency)s)
                 AND exit_date <= (removal_date + interval '12 months')::date
           ),
           count(*)
      FROM exits
     GROUP BY site_id, part
    """  # noqa: S608 (constant SQL fragments; every value is a parameter)
    params = _params(
        sites,
        start,
        end,
        parts,
        short=SHORT_STAY_DAYS,
        permanency=PERMANENCY,
        reunification=str(codes.DischargeReason.REUNIFICATION),
        thv=str(codes.PlacementSetting.TRIAL_HOME_VISIT),
    )
    return _parts_of(_rows(sql, params))


def _permanency_in_care_parts(sites, start, end, parts, lo: int, hi: int | None) -> Parts:
    sql = f"""
    WITH {EPISODES},
    cohort AS (
        SELECT DISTINCT ON (child_id) *
          FROM eps
         WHERE removal_date < %(start)s
           AND (discharge_date IS NULL OR discharge_date >= %(start)s)
           AND (removal_date + make_interval(months => %(lo)s))::date <= %(start)s
           AND (%(hi)s::int IS NULL
                OR %(start)s < (removal_date + make_interval(months => %(hi)s::int))::date)
         ORDER BY child_id, removal_date, id
    )
    SELECT site_id, part, 0,
           count(*) FILTER (
               WHERE discharge_reason = ANY(%(permanency)s)
                 AND discharge_date <= (%(start)s::date + interval '12 months')::date
           ),
           count(*)
      FROM cohort
     GROUP BY site_id, part
    """  # noqa: S608 (constant SQL fragments; every value is a parameter)
    params = _params(sites, start, end, parts, lo=lo, hi=hi, permanency=PERMANENCY)
    return _parts_of(_rows(sql, params))


def permanency_12m_in_care_12_23_parts(sites, start: dt.date, end: dt.date, parts=None) -> Parts:
    """CFSR R4 P2: in care on `start` for 12-23 months; permanency by start + 12 months."""
    return _permanency_in_care_parts(sites, start, end, parts, 12, 24)


def permanency_12m_in_care_24_plus_parts(sites, start: dt.date, end: dt.date, parts=None) -> Parts:
    """CFSR R4 P3: in care on `start` for 24 months or more; permanency by start + 12 months."""
    return _permanency_in_care_parts(sites, start, end, parts, 24, None)


def reentry_12m_parts(sites, start: dt.date, end: dt.date, parts=None) -> Parts:
    """CFSR R4 P4: first entries (not short stays) that ended within 12 months in
    reunification, relative or guardianship; re-entered within 12 months of that discharge."""
    sql = f"""
    WITH {EPISODES}, {FIRST_ENTRIES},
    cohort AS (
        SELECT f.*,
               EXISTS (
                   SELECT 1 FROM eps later
                    WHERE later.child_id = f.child_id
                      AND later.id <> f.id
                      AND later.removal_date >= f.discharge_date
                      AND later.removal_date <= (f.discharge_date + interval '12 months')::date
               ) AS reentered
          FROM first_entry f
         WHERE f.discharge_date IS NOT NULL
           AND f.discharge_date - f.removal_date >= %(short)s
           AND f.discharge_date <= (f.removal_date + interval '12 months')::date
           AND f.discharge_reason = ANY(%(reasons)s)
    )
    SELECT site_id, part, 0, count(*) FILTER (WHERE reentered), count(*)
      FROM cohort
     GROUP BY site_id, part
    """  # noqa: S608 (constant SQL fragments; every value is a parameter)
    params = _params(sites, start, end, parts, short=SHORT_STAY_DAYS, reasons=REENTRY_EXITS)
    return _parts_of(_rows(sql, params))


def placement_moves_per_1000_days_parts(sites, start: dt.date, end: dt.date, parts=None) -> Parts:
    """CFSR R4 placement stability: moves per 1,000 days in care of episodes removed in the
    period (not short stays). A move is a placement starting in the period that is not the
    episode's first and where neither it nor the previous one is a trial home visit, runaway
    or respite."""
    sql = f"""
    WITH {EPISODES},
    cohort AS (
        SELECT * FROM eps
         WHERE removal_date BETWEEN %(start)s AND %(end)s
           AND {LOS.format(t="eps")} >= %(short)s
    ),
    ordered AS (
        SELECT cohort.site_id, cohort.part, p.start_date, p.setting,
               row_number() OVER w AS nth,
               lag(p.setting) OVER w AS previous_setting
          FROM cases_placement p
          JOIN cohort ON cohort.id = p.episode_id
        WINDOW w AS (PARTITION BY p.episode_id ORDER BY p.start_date, p.created_at, p.id)
    )
    SELECT site_id, part, 'moves', count(*)
      FROM ordered
     WHERE nth > 1
       AND start_date BETWEEN %(start)s AND %(end)s
       AND NOT (setting = ANY(%(non_move)s))
       AND NOT (previous_setting = ANY(%(non_move)s))
     GROUP BY site_id, part
    UNION ALL
    SELECT site_id, part, 'days',
           sum(LEAST(COALESCE(discharge_date, %(end)s::date + 1), %(end)s::date + 1)
               - removal_date)
      FROM cohort
     GROUP BY site_id, part
    """  # noqa: S608 (constant SQL fragments; every value is a parameter)
    params = _params(sites, start, end, parts, short=SHORT_STAY_DAYS, non_move=NON_MOVE)
    return _parts_of(_rows(sql, params))


def finish_moves(state: State) -> Result:
    moves, days = state.get("moves", (0,))[0], state.get("days", (0,))[0]
    return {
        "value": 1000 * moves / days if days else None,
        "numerator": moves,
        "denominator": days,
        "n": None,
    }


def maltreatment_recurrence_12m_parts(sites, start: dt.date, end: dt.date, parts=None) -> Parts:
    """CFSR R4 recurrence: children with a substantiated/indicated report in the period (the
    first is the index); another such report more than 14 days and at most 12 months later."""
    sql = f"""
    WITH reports AS (
        SELECT r.child_id, r.reported_on, c.site_id, {PART} AS part
          FROM cases_maltreatmentreport r
          JOIN cases_child ch ON ch.id = r.child_id
          JOIN cases_case c ON c.id = ch.case_id
         WHERE {IN_SCOPE}
           AND r.disposition = ANY(%(substantiated)s)
    ),
    indexed AS (
        SELECT child_id, site_id, part, min(reported_on) AS index_on
          FROM reports
         WHERE reported_on BETWEEN %(start)s AND %(end)s
         GROUP BY child_id, site_id, part
    ),
    cohort AS (
        SELECT i.site_id, i.part,
               EXISTS (
                   SELECT 1 FROM reports r
                    WHERE r.child_id = i.child_id
                      AND r.reported_on > i.index_on + 14
                      AND r.reported_on <= (i.index_on + interval '12 months')::date
               ) AS recurred
          FROM indexed i
    )
    SELECT site_id, part, 0, count(*) FILTER (WHERE recurred), count(*)
      FROM cohort
     GROUP BY site_id, part
    """  # noqa: S608 (constant SQL fragments; every value is a parameter)
    params = _params(sites, start, end, parts, substantiated=SUBSTANTIATED)
    return _parts_of(_rows(sql, params))


def median_days_to_permanency_parts(sites, start: dt.date, end: dt.date, parts=None) -> Parts:
    """Median LOS of episodes removed in the period and discharged to permanency.
    `n` = those episodes; `denominator` = every episode removed in the period."""
    histogram = _median_histogram_sql(
        "cohort", "discharge_date - removal_date", "discharge_reason = ANY(%(permanency)s)"
    )
    sql = f"""
    WITH {EPISODES},
    cohort AS (SELECT * FROM eps WHERE removal_date BETWEEN %(start)s AND %(end)s)
    {histogram}
    """  # noqa: S608 (constant SQL fragments; every value is a parameter)
    return _parts_of(_rows(sql, _params(sites, start, end, parts, permanency=PERMANENCY)))


def median_days_to_permanency_survival_parts(
    sites, start: dt.date, end: dt.date, parts=None
) -> Parts:
    """Kaplan-Meier median days to permanency over episodes removed in the period.

    Event: a discharge to permanency on or before the period end, at its LOS. Censored: an
    episode still open at the period end (at end - removal) and a discharge for another reason
    (at its LOS). The median is the first time at which the survival estimate falls to 0.5 or
    below; null while it stays above. `n` = events, `denominator` = episodes. The state is the
    life table {t: (events at t, episodes leaving the risk set at t)}.
    """
    sql = f"""
    WITH {EPISODES},
    cohort AS (
        SELECT site_id, part,
               CASE WHEN discharge_date <= %(end)s THEN discharge_date - removal_date
                    ELSE %(end)s::date - removal_date END AS t,
               (discharge_date <= %(end)s AND discharge_reason = ANY(%(permanency)s)) AS event
          FROM eps
         WHERE removal_date BETWEEN %(start)s AND %(end)s
    )
    SELECT site_id, part, t, count(*) FILTER (WHERE event), count(*)
      FROM cohort
     GROUP BY site_id, part, t
    """  # noqa: S608 (constant SQL fragments; every value is a parameter)
    return _parts_of(_rows(sql, _params(sites, start, end, parts, permanency=PERMANENCY)))


def finish_survival(state: State) -> Result:
    """The Kaplan-Meier median of a life table, in PostgreSQL."""
    times = sorted(state)
    events = sum(state[t][0] for t in times)
    cohort = sum(state[t][1] for t in times)
    median = None
    if events:
        median = _row(
            """
            WITH times AS (
                SELECT * FROM unnest(%(t)s::int[], %(d)s::bigint[], %(leaving)s::bigint[])
                         AS x(t, d, leaving)
            ),
            at_risk AS (
                SELECT t, d, sum(leaving) OVER (ORDER BY t DESC) AS n_at_risk FROM times
            ),
            survival AS (
                SELECT t, d,
                       -- product of (1 - d/n) as exp(sum(ln)); a factor of 0 ends the curve at 0
                       CASE WHEN bool_or(d = n_at_risk) OVER (ORDER BY t) THEN 0
                            ELSE exp(sum(CASE WHEN d < n_at_risk
                                              THEN ln(1 - d::float8 / n_at_risk) ELSE 0 END)
                                     OVER (ORDER BY t))
                       END AS s
                  FROM at_risk
            )
            SELECT min(t) FROM survival WHERE d > 0 AND s <= 0.5 + 1e-12
            """,
            {
                "t": times,
                "d": [state[t][0] for t in times],
                "leaving": [state[t][1] for t in times],
            },
        )[0]
    return {
        "value": float(median) if median is not None else None,
        "numerator": None,
        "denominator": cohort,
        "n": events,
    }


def exits_by_reason_parts(sites, start: dt.date, end: dt.date, parts=None) -> Parts:
    """Episodes discharged in the period, by discharge reason: count and share of all exits."""
    sql = f"""
    WITH {EPISODES}
    SELECT site_id, part, discharge_reason, count(*)
      FROM eps
     WHERE discharge_date BETWEEN %(start)s AND %(end)s
     GROUP BY site_id, part, discharge_reason
    """  # noqa: S608 (constant SQL fragments; every value is a parameter)
    return _parts_of(_rows(sql, _params(sites, start, end, parts)))


def finish_exits(state: State) -> Result:
    counts = sorted(((reason, n) for reason, (n,) in state.items()), key=lambda r: (-r[1], r[0]))
    total = sum(count for _, count in counts)
    value = {reason: {"count": count, "share": count / total} for reason, count in counts}
    return {"value": value if total else None, "numerator": None, "denominator": total, "n": None}


def average_placements_closed_parts(sites, start: dt.date, end: dt.date, parts=None) -> Parts:
    """Episodes discharged in the period: mean placements per episode, not counting trial home
    visits, runaway or respite."""
    sql = f"""
    WITH {EPISODES},
    closed AS (
        SELECT id, site_id, part FROM eps WHERE discharge_date BETWEEN %(start)s AND %(end)s
    ),
    placements AS (
        SELECT closed.site_id, closed.part, count(*) AS n
          FROM cases_placement p JOIN closed ON closed.id = p.episode_id
         WHERE NOT (p.setting = ANY(%(non_move)s))
         GROUP BY 1, 2
    )
    SELECT cl.site_id, cl.part, 0, COALESCE(min(pl.n), 0), count(*)
      FROM closed cl
      LEFT JOIN placements pl ON pl.site_id = cl.site_id AND pl.part = cl.part
     GROUP BY cl.site_id, cl.part
    """  # noqa: S608 (constant SQL fragments; every value is a parameter)
    return _parts_of(_rows(sql, _params(sites, start, end, parts, non_move=NON_MOVE)))


# ---------------------------------------------------------------------------------------------
# Process metrics


def _case_month_series_sql(table: str) -> str:
    return f"""
WITH {CASE_MONTH_SPANS}, {case_month_hits(table, "held")},
edges AS (
    SELECT site_id, part, lo AS first_day, count(*) AS delta
      FROM case_spans GROUP BY site_id, part, lo
    UNION ALL
    SELECT site_id, part, (hi + interval '1 month')::date, -count(*)
      FROM case_spans GROUP BY site_id, part, hi
),
months AS (
    SELECT m::date AS first_day
      FROM generate_series(%(start)s::timestamp, %(end)s::timestamp, interval '1 month') AS m
),
open_months AS (
    SELECT e.site_id, e.part, mo.first_day, sum(e.delta) AS cases
      FROM months mo JOIN edges e ON e.first_day <= mo.first_day
     GROUP BY 1, 2, 3
),
hit_months AS (
    SELECT site_id, part, first_day, count(*) AS hit FROM hits GROUP BY 1, 2, 3
)
SELECT om.site_id, om.part, om.first_day, COALESCE(hm.hit, 0), om.cases
  FROM open_months om
  LEFT JOIN hit_months hm USING (site_id, part, first_day)
 WHERE om.cases > 0
"""  # noqa: S608 (constant SQL fragments and table names; every value is a parameter)


def whole_months(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date] | None:
    """(first day of the first, first day of the last) calendar month wholly inside
    [start, end]; None if there is none."""
    first = start if start.day == 1 else add_months(start.replace(day=1), 1)
    last = add_months((end + dt.timedelta(days=1)).replace(day=1), -1)
    return (first, last) if first <= last else None


def case_month_series_parts(
    sites, first: dt.date, last: dt.date, table: str, held: str, parts=None
) -> Parts:
    """{(site, part): {first day of month: (case-months with a held event of `table`,
    case-months)}} for the whole months from `first` to `last` (first days). One query; in a
    `shared()` block the period figure and the monthly trend over the same months share it. A
    case's case-months are the months of its span [lo, hi]: +1 from lo, -1 after hi, summed up
    to each month. A hit lies in its case's span, so a month with hits has open cases."""
    params = _params(sites, first, add_months(last, 1) - dt.timedelta(days=1), parts, held=held)
    sql = _case_month_series_sql(table)
    key = ("case_months", table, held, _episodes_key(params), first, last)
    return _once(key, lambda: _parts_of(_rows(sql, params)))


def _case_month_rate_parts(sites, start, end, parts, table: str, held: str) -> Parts:
    """Case-months with at least one held event (FTM or hearing) of the case in the month."""
    months = whole_months(start, end)
    if months is None:
        return {}
    series = case_month_series_parts(sites, *months, table, held, parts)
    return {
        where: merge([{0: counts} for counts in by_month.values()])
        for where, by_month in series.items()
    }


def ftm_monthly_rate_parts(sites, start: dt.date, end: dt.date, parts=None) -> Parts:
    """Case-months with at least one held FTM ÷ all case-months."""
    return _case_month_rate_parts(sites, start, end, parts, "teams_ftm", str(codes.FtmStatus.HELD))


def hearing_monthly_rate_parts(sites, start: dt.date, end: dt.date, parts=None) -> Parts:
    """Case-months with at least one held court hearing ÷ all case-months (continued and
    cancelled hearings do not count)."""
    held = str(codes.HearingStatus.HELD)
    return _case_month_rate_parts(sites, start, end, parts, "cases_hearing", held)


def ftm_action_item_completion_parts(sites, start: dt.date, end: dt.date, parts=None) -> Parts:
    """Action items due in the period, not dropped: completed on or before their due date."""
    sql = f"""
    SELECT c.site_id, {PART}, 0,
           count(*) FILTER (WHERE a.completed_on IS NOT NULL AND a.completed_on <= a.due_on),
           count(*)
      FROM teams_ftmactionitem a
      JOIN teams_ftm f ON f.id = a.ftm_id
      JOIN cases_case c ON c.id = f.case_id
     WHERE {IN_SCOPE}
       AND a.due_on BETWEEN %(start)s AND %(end)s
       AND a.status <> %(dropped)s
     GROUP BY 1, 2
    """  # noqa: S608 (constant SQL fragments; every value is a parameter)
    params = _params(sites, start, end, parts, dropped=str(codes.ActionItemStatus.DROPPED))
    return _parts_of(_rows(sql, params))


def median_days_to_first_family_time_parts(
    sites, start: dt.date, end: dt.date, parts=None
) -> Parts:
    """Episodes removed in the period: days from removal to the child's first held visit on or
    after the removal (and on or before the discharge, if any). `n` = episodes with one;
    `denominator` = all episodes."""
    histogram = _median_histogram_sql("firsts", "days", "days IS NOT NULL")
    sql = f"""
    WITH {EPISODES},
    firsts AS (
        SELECT e.site_id, e.part,
               (SELECT min(v.scheduled_on)
                  FROM familytime_visit v
                 WHERE v.child_id = e.child_id AND v.status = %(held)s
                   AND v.scheduled_on >= e.removal_date
                   AND (e.discharge_date IS NULL OR v.scheduled_on <= e.discharge_date)
               ) - e.removal_date AS days
          FROM eps e
         WHERE e.removal_date BETWEEN %(start)s AND %(end)s
    )
    {histogram}
    """  # noqa: S608 (constant SQL fragments; every value is a parameter)
    params = _params(sites, start, end, parts, held=str(codes.VisitStatus.HELD))
    return _parts_of(_rows(sql, params))


# Held visits inside each episode's days in care in the period, counted per episode with an
# index-only scan of `visit_held_by_child` (no join of every visit row).
FAMILY_TIME = f"""
{EPISODES}, {WINDOW},
per_episode AS (
    SELECT w.child_id, w.site_id, w.part, w.w_to - w.w_from AS days,
           (SELECT count(*)
              FROM familytime_visit v
             WHERE v.child_id = w.child_id AND v.status = %(held)s
               AND v.scheduled_on >= w.w_from AND v.scheduled_on < w.w_to) AS held
      FROM in_period w
     WHERE w.w_to > w.w_from
)"""  # noqa: S608 (constant SQL fragments; every value is a parameter)


def family_time_parts(sites, start: dt.date, end: dt.date, parts=None) -> Parts:
    """The state {0: (held visits, days in care, children, children at 2+ a week, children at
    3+ a week)} over the period, by part; one query, shared by the three family-time metrics in
    a `shared()` block. visits ÷ (days ÷ 7) ≥ k  ⇔  7 x visits ≥ k x days (exact, in
    integers)."""
    sql = f"""
    WITH {FAMILY_TIME},
    per_child AS (
        SELECT child_id, site_id, part, sum(held) AS held, sum(days) AS days
          FROM per_episode GROUP BY child_id, site_id, part
    )
    SELECT site_id, part, 0, sum(held), sum(days), count(*),
           count(*) FILTER (WHERE 7 * held >= 2 * days),
           count(*) FILTER (WHERE 7 * held >= 3 * days)
      FROM per_child
     GROUP BY site_id, part
    """  # noqa: S608 (constant SQL fragments; every value is a parameter)
    params = _params(sites, start, end, parts, held=str(codes.VisitStatus.HELD))
    key = ("family_time", _episodes_key(params), start, end)
    return _once(key, lambda: _parts_of(_rows(sql, params)))


def finish_family_time_per_week(state: State) -> Result:
    """Held visits inside every episode's days in care in the period ÷ (those days ÷ 7)."""
    held, days, _children, _two, _three = state.get(0, (0, 0, 0, 0, 0))
    return {
        "value": 7 * held / days if days else None,
        "numerator": held,
        "denominator": days,
        "n": None,
    }


def finish_family_time_2plus(state: State) -> Result:
    """Children in care in the period with at least 2 held visits per week in care."""
    _held, _days, children, two, _three = state.get(0, (0, 0, 0, 0, 0))
    return _share(two, children)


def finish_family_time_3plus(state: State) -> Result:
    """Children in care in the period with at least 3 held visits per week in care."""
    _held, _days, children, _two, three = state.get(0, (0, 0, 0, 0, 0))
    return _share(three, children)


def developmental_screening_within_30_days_parts(
    sites, start: dt.date, end: dt.date, parts=None
) -> Parts:
    """Episodes removed in the period with an ASQ-3 or ASQ:SE-2 of the child dated from
    removal to removal + 30 days."""
    sql = f"""
    WITH {EPISODES}
    SELECT e.site_id, e.part, 0,
           count(*) FILTER (WHERE EXISTS (
               SELECT 1 FROM assessments_screening s
                WHERE s.child_id = e.child_id AND s.subject = %(child)s
                  AND s.instrument = ANY(%(instruments)s)
                  AND s.screened_on BETWEEN e.removal_date AND e.removal_date + 30)),
           count(*)
      FROM eps e
     WHERE e.removal_date BETWEEN %(start)s AND %(end)s
     GROUP BY 1, 2
    """  # noqa: S608 (constant SQL fragments; every value is a parameter)
    params = _params(
        sites,
        start,
        end,
        parts,
        child=str(codes.ScreeningSubject.CHILD),
        instruments=DEVELOPMENTAL,
    )
    return _parts_of(_rows(sql, params))


def early_intervention_referral_within_7_days_parts(
    sites, start: dt.date, end: dt.date, parts=None
) -> Parts:
    """Episodes removed in the period for a maltreatment reason: an early intervention service
    for the child referred from removal to removal + 7 days."""
    sql = f"""
    WITH {EPISODES}
    SELECT e.site_id, e.part, 0,
           count(*) FILTER (WHERE EXISTS (
               SELECT 1 FROM assessments_service s
                WHERE s.child_id = e.child_id AND s.service_type = %(ei)s
                  AND s.referred_on BETWEEN e.removal_date AND e.removal_date + 7)),
           count(*)
      FROM eps e
     WHERE e.removal_date BETWEEN %(start)s AND %(end)s
       AND e.reasons && %(maltreatment)s::varchar[]
     GROUP BY 1, 2
    """  # noqa: S608 (constant SQL fragments; every value is a parameter)
    params = _params(
        sites,
        start,
        end,
        parts,
        ei=str(codes.ServiceType.EARLY_INTERVENTION),
        maltreatment=MALTREATMENT,
    )
    return _parts_of(_rows(sql, params))


def services_started_within_60_days_parts(sites, start: dt.date, end: dt.date, parts=None) -> Parts:
    """Services referred in the period that started on or before referral + 60 days."""
    sql = f"""
    SELECT c.site_id, {PART}, 0,
           count(*) FILTER (WHERE s.started_on IS NOT NULL AND s.started_on <= s.referred_on + 60),
           count(*)
      FROM assessments_service s
      JOIN cases_case c ON c.id = s.case_id
     WHERE {IN_SCOPE}
       AND s.referred_on BETWEEN %(start)s AND %(end)s
     GROUP BY 1, 2
    """  # noqa: S608 (constant SQL fragments; every value is a parameter)
    return _parts_of(_rows(sql, _params(sites, start, end, parts)))


CASELOAD_ROLE = str(Role.COMMUNITY_COORDINATOR)  # on the family team and the site


def coordinator_loads_parts(
    sites, todays: dict[int, dt.date], parts: Iterable[int] | None = None
) -> Parts:
    """The caseloads' counts, part by part: {(site id, part): {(site id, user id): (open cases,)}}
    over the cases of the parts (every part when None), each site on its day `todays[site id]`.

    Open on a day: opened on or before it and not closed (or closed after it). Coordinates: an
    active (not removed) community_coordinator member of the case's family team."""
    scope = _sites(sites)
    sql = f"""
    SELECT c.site_id, {PART} AS part, tm.user_id, count(DISTINCT c.id)
      FROM unnest(%(sites)s::bigint[], %(todays)s::date[]) AS t(site_id, today)
      JOIN cases_case c ON c.site_id = t.site_id
      JOIN cases_teammember tm ON tm.case_id = c.id
     WHERE {IN_SCOPE}
       AND tm.role = %(coordinator)s AND tm.removed_at IS NULL
       AND c.opened_on <= t.today AND (c.closed_on IS NULL OR c.closed_on > t.today)
     GROUP BY 1, 2, 3
    """  # noqa: S608 (constant SQL fragments; every value is a parameter)
    site_ids = [s.pk for s in scope]
    days = [todays[s.pk] for s in scope]
    chosen = None if parts is None else sorted(parts)
    params = {"sites": site_ids, "todays": days, "parts": chosen, "coordinator": CASELOAD_ROLE}
    # the same for every period of a page (it depends on the day only): read once per `shared()`
    key = ("caseload", tuple(site_ids), tuple(days), None if chosen is None else tuple(chosen))
    out: Parts = {}
    for site_id, part, user_id, open_cases in _once(key, lambda: _rows(sql, params)):
        out.setdefault((site_id, part), {})[(site_id, user_id)] = (open_cases,)
    return out


def finish_caseload(sites, loads: State) -> Result:
    """The caseloads from their merged counts (`coordinator_loads_parts`): every active
    Community Coordinator of the sites (with 0 open cases if none) and anyone else who
    coordinates an open case, by e-mail, flagged above the site's cap. The coordinators, their
    e-mails and the caps are read now: they change no part (`cqi.stamps`)."""
    scope = _sites(sites)
    sql = """
    WITH scope AS (
        SELECT s.id AS site_id, s.slug, s.coordinator_caseload_cap AS cap
          FROM teams_site s
         WHERE s.id = ANY(%(sites)s::bigint[])
    ),
    loads AS (
        SELECT *
          FROM unnest(%(load_sites)s::bigint[], %(load_users)s::bigint[], %(load_counts)s::int[])
               AS l(site_id, user_id, open_cases)
    ),
    coordinators AS (
        SELECT m.site_id, m.user_id
          FROM teams_sitemembership m JOIN scope sc ON sc.site_id = m.site_id
         WHERE m.role = %(coordinator)s AND m.is_active
        UNION
        SELECT site_id, user_id FROM loads
    )
    SELECT u.email, sc.slug, COALESCE(l.open_cases, 0) AS open_cases, sc.cap
      FROM coordinators co
      JOIN scope sc ON sc.site_id = co.site_id
      JOIN teams_user u ON u.id = co.user_id
      LEFT JOIN loads l ON l.site_id = co.site_id AND l.user_id = co.user_id
     ORDER BY open_cases DESC, u.email, sc.slug
    """
    counted = sorted((site, user, n) for (site, user), (n,) in loads.items() if n)
    params = {
        "sites": [s.pk for s in scope],
        "load_sites": [site for site, _, _ in counted],
        "load_users": [user for _, user, _ in counted],
        "load_counts": [n for _, _, n in counted],
        "coordinator": CASELOAD_ROLE,
    }
    # the same for every period of a page: read once per `shared()`
    key = ("finish_caseload", tuple(params["sites"]), tuple(counted))
    value = [
        {"coordinator": email, "site": slug, "open_cases": n, "cap": cap, "over_cap": n > cap}
        for email, slug, n, cap in _once(key, lambda: _rows(sql, params))
    ]
    over = sum(1 for row in value if row["over_cap"])
    return {"value": value or None, "numerator": over, "denominator": len(value), "n": None}


def coordinator_caseload(sites, start: dt.date, end: dt.date) -> Result:
    """Open cases each Community Coordinator coordinates today (each site's today; the period
    is not used), flagged above the site's cap: `finish_caseload` of the counts over every
    part (`coordinator_loads_parts`). Every active Community Coordinator of the site is listed,
    with 0 open cases if none."""
    scope = _sites(sites)
    todays = {s.pk: s.today() for s in scope}
    return finish_caseload(scope, merge(coordinator_loads_parts(scope, todays).values()))


# ---------------------------------------------------------------------------------------------
# Registry


@dataclass(frozen=True)
class Metric:
    id: str
    label: str
    unit: str  # share | per_1000_days | per_week | days | placements | reasons | caseload
    lower_is_better: bool | None  # None: no direction (a breakdown or a list)
    kind: str  # outcome | process
    # A part-wise figure: its parts over the sites (all parts, or those named) and its Result
    # from their merged state.
    parts: Callable[..., Parts] | None
    finish: Callable[[State], Result] | None
    # For a breakdown, the key of `value` the reference value applies to (its share).
    reference_key: str | None = None
    target: float | None = None
    # A figure of today, not part-wise (the caseloads): its selector.
    today: Callable[[Any, dt.date, dt.date], Result] | None = None

    def selector(self, sites: Any, start: dt.date, end: dt.date) -> Result:
        """The figure over the sites and the period."""
        if self.today is not None:
            return self.today(sites, start, end)
        assert self.parts is not None and self.finish is not None
        return self.finish(merge(self.parts(sites, start, end).values()))


REGISTRY: tuple[Metric, ...] = (
    Metric(
        "permanency_12m_entries",
        "Permanency in 12 months (entries)",
        "share",
        False,
        "outcome",
        permanency_12m_entries_parts,
        finish_share,
    ),
    Metric(
        "permanency_12m_in_care_12_23",
        "Permanency in 12 months (in care 12-23 months)",
        "share",
        False,
        "outcome",
        permanency_12m_in_care_12_23_parts,
        finish_share,
    ),
    Metric(
        "permanency_12m_in_care_24_plus",
        "Permanency in 12 months (in care 24+ months)",
        "share",
        False,
        "outcome",
        permanency_12m_in_care_24_plus_parts,
        finish_share,
    ),
    Metric(
        "reentry_12m",
        "Re-entry to care within 12 months",
        "share",
        True,
        "outcome",
        reentry_12m_parts,
        finish_share,
    ),
    Metric(
        "placement_moves_per_1000_days",
        "Placement moves per 1,000 days in care",
        "per_1000_days",
        True,
        "outcome",
        placement_moves_per_1000_days_parts,
        finish_moves,
    ),
    Metric(
        "maltreatment_recurrence_12m",
        "Recurrence of maltreatment within 12 months",
        "share",
        True,
        "outcome",
        maltreatment_recurrence_12m_parts,
        finish_share,
    ),
    Metric(
        "median_days_to_permanency",
        "Median days to permanency",
        "days",
        True,
        "outcome",
        median_days_to_permanency_parts,
        finish_median,
    ),
    Metric(
        "median_days_to_permanency_survival",
        "Median days to permanency (Kaplan-Meier, counting children still in care)",
        "days",
        True,
        "outcome",
        median_days_to_permanency_survival_parts,
        finish_survival,
    ),
    Metric(
        "exits_by_reason",
        "Exits from care by reason",
        "reasons",
        None,
        "outcome",
        exits_by_reason_parts,
        finish_exits,
        reference_key=str(codes.DischargeReason.REUNIFICATION),
    ),
    Metric(
        "average_placements_closed",
        "Average placements per child (closed episodes)",
        "placements",
        True,
        "outcome",
        average_placements_closed_parts,
        finish_share,
    ),
    Metric(
        "ftm_monthly_rate",
        "Family Team Meeting held each month",
        "share",
        False,
        "process",
        ftm_monthly_rate_parts,
        finish_share,
        target=1.0,
    ),
    Metric(
        "ftm_action_item_completion",
        "FTM action items done on time",
        "share",
        False,
        "process",
        ftm_action_item_completion_parts,
        finish_share,
    ),
    Metric(
        "hearing_monthly_rate",
        "Court hearing held each month",
        "share",
        False,
        "process",
        hearing_monthly_rate_parts,
        finish_share,
    ),
    Metric(
        "median_days_to_first_family_time",
        "Median days from removal to first family time",
        "days",
        True,
        "process",
        median_days_to_first_family_time_parts,
        finish_median,
    ),
    Metric(
        "family_time_held_per_week",
        "Family time held per week in care",
        "per_week",
        False,
        "process",
        family_time_parts,
        finish_family_time_per_week,
    ),
    Metric(
        "family_time_share_2plus_per_week",
        "Children with family time 2+ times a week",
        "share",
        False,
        "process",
        family_time_parts,
        finish_family_time_2plus,
    ),
    Metric(
        "family_time_share_3plus_per_week",
        "Children with family time 3+ times a week",
        "share",
        False,
        "process",
        family_time_parts,
        finish_family_time_3plus,
    ),
    Metric(
        "developmental_screening_within_30_days",
        "Developmental screening within 30 days",
        "share",
        False,
        "process",
        developmental_screening_within_30_days_parts,
        finish_share,
    ),
    Metric(
        "early_intervention_referral_within_7_days",
        "Early intervention referral within 7 days",
        "share",
        False,
        "process",
        early_intervention_referral_within_7_days_parts,
        finish_share,
    ),
    Metric(
        "services_started_within_60_days",
        "Services started within 60 days of referral",
        "share",
        False,
        "process",
        services_started_within_60_days_parts,
        finish_share,
    ),
    Metric(
        "coordinator_caseload",
        "Community Coordinator caseloads",
        "caseload",
        None,
        "process",
        None,
        None,
        today=coordinator_caseload,
    ),
)

METRICS: dict[str, Metric] = {m.id: m for m in REGISTRY}
METRIC_IDS: tuple[str, ...] = tuple(METRICS)
PART_WISE: tuple[str, ...] = tuple(m.id for m in REGISTRY if m.parts is not None)

# Each metric as a function of (sites, start, end) -> Result, by its id.
permanency_12m_entries = METRICS["permanency_12m_entries"].selector
permanency_12m_in_care_12_23 = METRICS["permanency_12m_in_care_12_23"].selector
permanency_12m_in_care_24_plus = METRICS["permanency_12m_in_care_24_plus"].selector
reentry_12m = METRICS["reentry_12m"].selector
placement_moves_per_1000_days = METRICS["placement_moves_per_1000_days"].selector
maltreatment_recurrence_12m = METRICS["maltreatment_recurrence_12m"].selector
median_days_to_permanency = METRICS["median_days_to_permanency"].selector
median_days_to_permanency_survival = METRICS["median_days_to_permanency_survival"].selector
exits_by_reason = METRICS["exits_by_reason"].selector
average_placements_closed = METRICS["average_placements_closed"].selector
ftm_monthly_rate = METRICS["ftm_monthly_rate"].selector
ftm_action_item_completion = METRICS["ftm_action_item_completion"].selector
hearing_monthly_rate = METRICS["hearing_monthly_rate"].selector
median_days_to_first_family_time = METRICS["median_days_to_first_family_time"].selector
family_time_held_per_week = METRICS["family_time_held_per_week"].selector
family_time_share_2plus_per_week = METRICS["family_time_share_2plus_per_week"].selector
family_time_share_3plus_per_week = METRICS["family_time_share_3plus_per_week"].selector
developmental_screening_within_30_days = METRICS["developmental_screening_within_30_days"].selector
early_intervention_referral_within_7_days = METRICS[
    "early_intervention_referral_within_7_days"
].selector
services_started_within_60_days = METRICS["services_started_within_60_days"].selector


def compute_parts(
    sites: Site | Iterable[Site],
    start: dt.date,
    end: dt.date,
    metric_ids: Iterable[str] = PART_WISE,
    parts: Iterable[int] | None = None,
) -> Parts:
    """{(site id, part): {(metric id, key): counts}}: the states of the part-wise metrics named,
    over the cases of the parts named (every part when None). One query per metric (the three
    family-time metrics share one; the FTM and hearing rates share theirs with the trends)."""
    scope = _sites(sites)
    out: Parts = {}
    for metric_id in metric_ids:
        metric = METRICS[metric_id]
        assert metric.parts is not None, metric_id
        for where, state in metric.parts(scope, start, end, parts).items():
            into = out.setdefault(where, {})
            for key, counts in state.items():
                into[(metric_id, key)] = counts
    return out


def finish_all(state: State, metric_ids: Iterable[str] = PART_WISE) -> dict[str, Result]:
    """The Results of the part-wise metrics from their merged state (`compute_parts`)."""
    wanted = list(metric_ids)
    by_metric: dict[str, State] = {metric_id: {} for metric_id in wanted}
    for (metric_id, key), counts in state.items():
        if metric_id in by_metric:
            by_metric[metric_id][key] = counts
    return {m: cast(Callable, METRICS[m].finish)(by_metric[m]) for m in wanted}


def compute_all(
    sites: Site | Iterable[Site],
    start: dt.date,
    end: dt.date,
    metric_ids: Iterable[str] | None = None,
) -> dict[str, Result]:
    """Every metric of the registry (or those named) for the sites over [start, end]."""
    scope = _sites(sites)
    wanted = [m.id for m in REGISTRY] if metric_ids is None else list(metric_ids)
    part_wise = [m for m in wanted if METRICS[m].parts is not None]
    results = finish_all(merge(compute_parts(scope, start, end, part_wise).values()), part_wise)
    for metric_id in wanted:
        if metric_id not in results:
            results[metric_id] = METRICS[metric_id].selector(scope, start, end)
    return {metric_id: results[metric_id] for metric_id in wanted}
