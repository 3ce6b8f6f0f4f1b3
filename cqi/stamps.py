"""Data stamps: how the CQI cache knows, exactly, that a site's figures may have changed.

Every table a cached figure reads has statement-level triggers (after INSERT, UPDATE, DELETE and
TRUNCATE). For each statement they find the sites of the rows it wrote (through the rows' case,
with transition tables, so one bulk COPY costs one join, not a trigger call per row) and give
each of those sites a new `generation` from a sequence. The trigger runs inside the writing
transaction, so a site's stamp changes exactly when its records do, committed or rolled back
with them, whatever wrote them: the ORM, a queryset `.update()`, the importer's COPY, raw SQL.

Generations come from one sequence and are never reused (a rolled-back write consumes its
number), so a cache key holding a site's generation can never be read back for other data.

Each site's records are also split into `PARTS` parts by case (`cases_case.cqi_part`: a case
with everything recorded under it, its children, episodes, placements, FTMs, family time, lies in
one part), and a write gives the parts it touched a new generation as well (`cqi_partstamp`). The
figures that add up over cases (the breakdowns, the trends, every metric, and the open cases of
the caseloads) are cached part by part, so a write to one family's records makes the cache
compute one part of its site afresh, not the whole site, and the national figures one part of
one site. Writes that do not belong to a case (site memberships, the site itself, a
coordinator's e-mail) only change the site's stamp: no part-wise figure reads them.

Bulk writers (a package import) may set `safebabies.defer_cqi_stamp` for their transaction and
stamp their site once at the end (`deferred`), so other writers of the site are not kept waiting
on the stamp row for the length of the import.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import connection

from cqi import db

PARTS = 128  # parts of a site (divides 256); a change needs a migration (cqi 0005's functions)

# table -> (joins from the written rows `r` to their case, the expression of the site id, the
# expression of the part, None where the table's rows change no part-wise figure)
WATCHED: dict[str, tuple[str, str, str | None]] = {
    "cases_case": ("", "r.site_id", "cqi_part_of(r.id)"),
    "cases_child": ("JOIN cases_case c ON c.id = r.case_id", "c.site_id", "c.cqi_part"),
    "cases_episode": (
        "JOIN cases_child ch ON ch.id = r.child_id JOIN cases_case c ON c.id = ch.case_id",
        "c.site_id",
        "c.cqi_part",
    ),
    "cases_placement": (
        "JOIN cases_episode e ON e.id = r.episode_id"
        " JOIN cases_child ch ON ch.id = e.child_id JOIN cases_case c ON c.id = ch.case_id",
        "c.site_id",
        "c.cqi_part",
    ),
    "cases_hearing": ("JOIN cases_case c ON c.id = r.case_id", "c.site_id", "c.cqi_part"),
    "cases_maltreatmentreport": (
        "JOIN cases_child ch ON ch.id = r.child_id JOIN cases_case c ON c.id = ch.case_id",
        "c.site_id",
        "c.cqi_part",
    ),
    "teams_ftm": ("JOIN cases_case c ON c.id = r.case_id", "c.site_id", "c.cqi_part"),
    "teams_ftmactionitem": (
        "JOIN teams_ftm f ON f.id = r.ftm_id JOIN cases_case c ON c.id = f.case_id",
        "c.site_id",
        "c.cqi_part",
    ),
    "familytime_visit": (
        "JOIN cases_child ch ON ch.id = r.child_id JOIN cases_case c ON c.id = ch.case_id",
        "c.site_id",
        "c.cqi_part",
    ),
    "assessments_screening": ("JOIN cases_case c ON c.id = r.case_id", "c.site_id", "c.cqi_part"),
    "assessments_service": ("JOIN cases_case c ON c.id = r.case_id", "c.site_id", "c.cqi_part"),
    # who coordinates which family (the caseloads' open cases, counted part by part)
    "cases_teammember": ("JOIN cases_case c ON c.id = r.case_id", "c.site_id", "c.cqi_part"),
    # the caseloads' coordinators and cap, read afresh on every request (`finish_caseload`)
    "teams_sitemembership": ("", "r.site_id", None),
    "teams_site": ("", "r.id", None),
}

DEFER_SETTING = "safebabies.defer_cqi_stamp"

BUMP_FUNCTION = f"""
-- the part of its site a case's records lie in: the first byte of the md5 of its id (kept in
-- the generated column cases_case.cqi_part)
CREATE OR REPLACE FUNCTION cqi_part_of(case_id text) RETURNS int
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT mod(get_byte(decode(md5(case_id), 'hex'), 0), {PARTS}) $$;
CREATE OR REPLACE FUNCTION cqi_bump(sites bigint[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO cqi_datastamp (site_id, generation, changed_at)
    SELECT s, nextval('cqi_datastamp_generation'), now()
      FROM (SELECT DISTINCT s FROM unnest(sites) AS s WHERE s IS NOT NULL) AS u
     ORDER BY s
    ON CONFLICT (site_id) DO UPDATE
       SET generation = EXCLUDED.generation, changed_at = EXCLUDED.changed_at
$$;
-- parts: (site id * PARTS + part) each; the sites and the parts both get a new generation
CREATE OR REPLACE FUNCTION cqi_bump_parts(parts bigint[]) RETURNS void LANGUAGE sql AS $$
    SELECT cqi_bump(ARRAY(SELECT DISTINCT p / {PARTS} FROM unnest(parts) AS p));
    INSERT INTO cqi_partstamp (site_id, part, generation)
    SELECT p / {PARTS}, mod(p, {PARTS})::int, nextval('cqi_datastamp_generation')
      FROM (SELECT DISTINCT p FROM unnest(parts) AS p WHERE p IS NOT NULL) AS u
     ORDER BY p
    ON CONFLICT (site_id, part) DO UPDATE SET generation = EXCLUDED.generation
$$;
CREATE OR REPLACE FUNCTION cqi_bump_all() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE cqi_datastamp SET generation = nextval('cqi_datastamp_generation'), changed_at = now();
    PERFORM cqi_bump_parts(ARRAY(SELECT d.site_id * {PARTS} + p
                                   FROM cqi_datastamp d, generate_series(0, {PARTS} - 1) AS p));
    RETURN NULL;
END $$;
"""  # noqa: S608 (constants of our own)


def _trigger_function(table: str) -> str:
    joins, site, case = WATCHED[table]

    def stamp(rows: str) -> str:
        join = f" {joins}" if joins else ""
        if case is None:
            return f"cqi_bump(ARRAY(SELECT DISTINCT {site} FROM {rows} r{join}))"  # noqa: S608
        code = f"{site} * {PARTS} + {case}"  # (site, part) as one number
        return f"cqi_bump_parts(ARRAY(SELECT DISTINCT {code} FROM {rows} r{join}))"  # noqa: S608

    return f"""
CREATE OR REPLACE FUNCTION cqi_stamp_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('{DEFER_SETTING}', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM {stamp("new_rows")};
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM {stamp("old_rows")};
    END IF;
    RETURN NULL;
END $$;
"""


def _triggers(table: str) -> str:
    fn = f"cqi_stamp_{table}()"
    return f"""
CREATE TRIGGER cqi_stamp_insert AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {fn};
CREATE TRIGGER cqi_stamp_update AFTER UPDATE ON {table}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION {fn};
CREATE TRIGGER cqi_stamp_delete AFTER DELETE ON {table}
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {fn};
CREATE TRIGGER cqi_stamp_truncate AFTER TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION cqi_bump_all();
"""


# A caseload names its coordinators by e-mail: a changed address changes the sites the person is
# a member of. A row trigger, only when the address really changes (a sign-in's last_login and
# other saves of the user do not); addresses change rarely.
USER_EMAIL = f"""
CREATE OR REPLACE FUNCTION cqi_stamp_teams_user() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('{DEFER_SETTING}', true) = 'on' THEN
        RETURN NULL;
    END IF;
    PERFORM cqi_bump(ARRAY(SELECT DISTINCT m.site_id FROM teams_sitemembership m
                            WHERE m.user_id = NEW.id));
    RETURN NULL;
END $$;
CREATE TRIGGER cqi_stamp_email AFTER UPDATE OF email ON teams_user
    FOR EACH ROW WHEN (OLD.email IS DISTINCT FROM NEW.email)
    EXECUTE FUNCTION cqi_stamp_teams_user();
"""  # noqa: S608 (a constant of our own)


def functions_sql() -> str:
    """The stamp functions, as migration cqi 0005 installed them (a test compares)."""
    return "\n".join([BUMP_FUNCTION, *(_trigger_function(table) for table in WATCHED)])


def trigger_blocks() -> list[str]:
    """The triggers of each table, as migration cqi 0004 installed them (a test compares)."""
    return [*(_triggers(table) for table in WATCHED), USER_EMAIL]


@dataclass(frozen=True)
class Stamps:
    """What the data stamps say now of some sites (0 for a site or part never written)."""

    database: int  # the database's oid: another database never shares a cache key
    sites: dict[int, int]  # site id -> its generation
    parts: dict[int, tuple[int, ...]]  # site id -> the generation of each of its PARTS parts


def generations(site_ids: Iterable[int]) -> Stamps:
    """The stamps of the sites: one query, on the database the CQI figures are read from at
    this moment (`cqi.db`: the replica inside a snapshot there), so that a figure's key and
    the figure are of the same records."""
    ids = sorted(set(site_ids))
    with db.connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT (SELECT oid FROM pg_database WHERE datname = current_database()),
                   s.site_id, COALESCE(d.generation, 0),
                   ARRAY(SELECT COALESCE(ps.generation, 0)
                           FROM generate_series(0, %(parts)s - 1) AS p
                           LEFT JOIN cqi_partstamp ps
                             ON ps.site_id = s.site_id AND ps.part = p
                          ORDER BY p)
              FROM unnest(%(ids)s::bigint[]) AS s(site_id)
              LEFT JOIN cqi_datastamp d ON d.site_id = s.site_id
            """,
            {"ids": ids, "parts": PARTS},
        )
        rows = cursor.fetchall()
    if not rows:
        with db.connection.cursor() as cursor:
            cursor.execute("SELECT oid FROM pg_database WHERE datname = current_database()")
            return Stamps(int(cursor.fetchone()[0]), {}, {})
    return Stamps(
        database=int(rows[0][0]),
        sites={site: int(gen) for _, site, gen, _ in rows},
        parts={site: tuple(int(g) for g in parts) for _, site, _, parts in rows},
    )


def part_of(case_id: str) -> int:
    """The part of its site a case's records lie in, as `cqi_part_of()` computes it in SQL."""
    return hashlib.md5(case_id.encode(), usedforsecurity=False).digest()[0] % PARTS


def bump(site_ids: Iterable[int]) -> None:
    """Give the sites, and every part of them, a new generation now (inside the caller's
    transaction)."""
    codes = [site * PARTS + part for site in set(site_ids) for part in range(PARTS)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT cqi_bump_parts(%s::bigint[])", [codes])


@contextlib.contextmanager
def deferred(site_ids: Iterable[int]) -> Iterator[None]:
    """For a bulk write inside one transaction: the triggers skip their work, and the sites are
    stamped once when the block ends. Must run inside `transaction.atomic()`: the setting is
    local to the transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("deferred() needs a transaction")
    ids = list(site_ids)
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, 'on', true)", [DEFER_SETTING])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, 'off', true)", [DEFER_SETTING])
    bump(ids)
