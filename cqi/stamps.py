"""Data stamps: how the CQI cache knows, exactly, that a site's figures may have changed.

Every table a cached figure reads has statement-level triggers (after INSERT, UPDATE, DELETE and
TRUNCATE). For each statement they find the sites of the rows it wrote (through the rows' case,
with transition tables, so one bulk COPY costs one join, not a trigger call per row) and give
each of those sites a new `generation` from a sequence. The trigger runs inside the writing
transaction, so a site's stamp changes exactly when its records do, committed or rolled back
with them, whatever wrote them: the ORM, a queryset `.update()`, the importer's COPY, raw SQL.

Generations come from one sequence and are never reused (a rolled-back write consumes its
number), so a cache key holding a site's generation can never be read back for other data.

Bulk writers (a package import) may set `safebabies.defer_cqi_stamp` for their transaction and
stamp their site once at the end (`deferred`), so other writers of the site are not kept waiting
on the stamp row for the length of the import.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator

from django.db import connection

# table -> (joins from the written rows `r` to their case, the expression of the site id)
WATCHED: dict[str, tuple[str, str]] = {
    "cases_case": ("", "r.site_id"),
    "cases_child": ("JOIN cases_case c ON c.id = r.case_id", "c.site_id"),
    "cases_episode": (
        "JOIN cases_child ch ON ch.id = r.child_id JOIN cases_case c ON c.id = ch.case_id",
        "c.site_id",
    ),
    "cases_placement": (
        "JOIN cases_episode e ON e.id = r.episode_id"
        " JOIN cases_child ch ON ch.id = e.child_id JOIN cases_case c ON c.id = ch.case_id",
        "c.site_id",
    ),
    "cases_hearing": ("JOIN cases_case c ON c.id = r.case_id", "c.site_id"),
    "cases_maltreatmentreport": (
        "JOIN cases_child ch ON ch.id = r.child_id JOIN cases_case c ON c.id = ch.case_id",
        "c.site_id",
    ),
    "teams_ftm": ("JOIN cases_case c ON c.id = r.case_id", "c.site_id"),
    "teams_ftmactionitem": (
        "JOIN teams_ftm f ON f.id = r.ftm_id JOIN cases_case c ON c.id = f.case_id",
        "c.site_id",
    ),
    "familytime_visit": (
        "JOIN cases_child ch ON ch.id = r.child_id JOIN cases_case c ON c.id = ch.case_id",
        "c.site_id",
    ),
    "assessments_screening": ("JOIN cases_case c ON c.id = r.case_id", "c.site_id"),
    "assessments_service": ("JOIN cases_case c ON c.id = r.case_id", "c.site_id"),
    # coordinator caseloads: who coordinates which family, the site's coordinators and its cap
    "cases_teammember": ("JOIN cases_case c ON c.id = r.case_id", "c.site_id"),
    "teams_sitemembership": ("", "r.site_id"),
    "teams_site": ("", "r.id"),
}

DEFER_SETTING = "safebabies.defer_cqi_stamp"

BUMP_FUNCTION = """
CREATE OR REPLACE FUNCTION cqi_bump(sites bigint[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO cqi_datastamp (site_id, generation, changed_at)
    SELECT s, nextval('cqi_datastamp_generation'), now()
      FROM (SELECT DISTINCT s FROM unnest(sites) AS s WHERE s IS NOT NULL) AS u
     ORDER BY s
    ON CONFLICT (site_id) DO UPDATE
       SET generation = EXCLUDED.generation, changed_at = EXCLUDED.changed_at
$$;
CREATE OR REPLACE FUNCTION cqi_bump_all() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE cqi_datastamp SET generation = nextval('cqi_datastamp_generation'), changed_at = now();
    RETURN NULL;
END $$;
"""


def _trigger_function(table: str) -> str:
    joins, site = WATCHED[table]

    def sites_of(rows: str) -> str:
        join = f" {joins}" if joins else ""
        return f"ARRAY(SELECT DISTINCT {site} FROM {rows} r{join})"  # noqa: S608 (our names)

    return f"""
CREATE OR REPLACE FUNCTION cqi_stamp_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('{DEFER_SETTING}', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM cqi_bump({sites_of("new_rows")});
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM cqi_bump({sites_of("old_rows")});
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


def install_sql() -> str:
    """The functions and triggers, as migration cqi 0004 installed them (a test compares)."""
    parts = [BUMP_FUNCTION]
    for table in WATCHED:
        parts.append(_trigger_function(table))
        parts.append(_triggers(table))
    parts.append(USER_EMAIL)
    return "\n".join(parts)


def uninstall_sql() -> str:
    parts = [
        "DROP TRIGGER IF EXISTS cqi_stamp_email ON teams_user;",
        "DROP FUNCTION IF EXISTS cqi_stamp_teams_user();",
    ]
    for table in WATCHED:
        for event in ("insert", "update", "delete", "truncate"):
            parts.append(f"DROP TRIGGER IF EXISTS cqi_stamp_{event} ON {table};")
        parts.append(f"DROP FUNCTION IF EXISTS cqi_stamp_{table}();")
    parts.append("DROP FUNCTION IF EXISTS cqi_bump_all();")
    parts.append("DROP FUNCTION IF EXISTS cqi_bump(bigint[]);")
    return "\n".join(parts)


def generations(site_ids: Iterable[int]) -> tuple[int, list[int]]:
    """(the database's oid, the current generation of each site in the order given, 0 for a
    site never written). One query."""
    ids = list(site_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT (SELECT oid FROM pg_database WHERE datname = current_database()),
                   ARRAY(SELECT COALESCE(d.generation, 0)
                           FROM unnest(%s::bigint[]) WITH ORDINALITY AS s(site_id, n)
                           LEFT JOIN cqi_datastamp d ON d.site_id = s.site_id
                          ORDER BY s.n)
            """,
            [ids],
        )
        database, found = cursor.fetchone()
    return int(database), list(found)


def bump(site_ids: Iterable[int]) -> None:
    """Give the sites a new generation now (inside the caller's transaction)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT cqi_bump(%s::bigint[])", [list(site_ids)])


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
