"""Exporting a site as a data package (DATA_PACKAGE.md): the exact format the importer reads.

`export_package(site=, out_dir=, as_of=, deidentified=)` writes `safebabies-<site>-<as_of>.zip`
holding one CSV per table of `schema.TABLES` and `manifest.json` (row counts and SHA-256 of each
file). PostgreSQL writes the CSV itself: each file is one `COPY (SELECT ...) TO STDOUT WITH
(FORMAT csv)` whose SELECT turns every column into its cell (`_cell_sql`: dates `YYYY-MM-DD`,
booleans `true`/`false`, lists joined by `;`, an empty value as an empty cell), and its output
goes a megabyte at a time straight into the zip entry, so memory stays bounded whatever the size
of the site and no row becomes a Python object. PostgreSQL ends a line with LF where the format
(and the Python csv writer this replaced) has CRLF, so each chunk's line ends outside quotes are
turned into CRLF on the way (`_CrLf`); the files are byte for byte what the Python writer gave
(tests/test_export_copy.py compares the two on a varied site). The zip is written under a
temporary name and renamed when complete, so a reader never sees half a file.

All tables are read from one snapshot (a read-only REPEATABLE READ transaction). Rows are
ordered by id, so exporting the same records twice gives byte-identical CSV files, and
export -> import into an empty site -> export gives the same files (only `generated_at` differs).

A de-identified package (the national export) has:
- every id (own and referenced) replaced by a keyed pseudonym, HMAC-SHA256 of the id under a
  per-site key derived from `settings.EXPORT_PSEUDONYM_SECRET` and the site's slug: stable from
  one export to the next, not reversible without the secret. PostgreSQL computes it, with its
  built-in `sha256()` and the HMAC construction of RFC 2104 (`PSEUDONYM_SQL`; no extension
  needed): the same pseudonym as `pseudonym()` gives in Python;
- birth dates cut to the first of the month;
- no names and no free text (the `identifying` and text columns are left out);
- no substance-use screening or substance-use treatment service (42 CFR Part 2 records).
A package never holds FTM notes, clinical narratives, addresses, phones or e-mails: the schema
has no such columns.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import hmac
import io
import json
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Func, TextField
from django.utils import timezone
from psycopg.pq import TransactionStatus

from cases.access import part2_screening_q, part2_service_q
from cases.package import schema
from cases.package.schema import TABLES, Column, Kind, Table
from safebabies.identity.models import Site

PSEUDONYM_PREFIX = "p"


@dataclass
class ExportResult:
    path: Path
    as_of: dt.date
    deidentified: bool
    files: dict[str, dict[str, Any]] = field(default_factory=dict)  # manifest "files"

    @property
    def rows(self) -> int:
        return sum(entry["rows"] for entry in self.files.values())


def package_name(site: Site, as_of: dt.date) -> str:
    return f"safebabies-{site.slug}-{as_of.isoformat()}.zip"


def site_pseudonym_key(site: Site) -> bytes:
    """The per-site key for pseudonyms: derived from the export secret and the site's slug."""
    secret = settings.EXPORT_PSEUDONYM_SECRET.encode()
    return hmac.new(secret, f"safebabies-site:{site.slug}".encode(), hashlib.sha256).digest()


def pseudonym(key: bytes, record_id: str) -> str:
    """A stable, irreversible id for `record_id` (a valid package id: 41 characters)."""
    return PSEUDONYM_PREFIX + hmac.new(key, record_id.encode(), hashlib.sha256).hexdigest()[:40]


def export_columns(table: Table, *, deidentified: bool) -> tuple[Column, ...]:
    """The columns a package carries: all of them, or without names and free text."""
    if not deidentified:
        return table.columns
    return tuple(c for c in table.columns if not c.identifying and c.kind is not Kind.TEXT)


def export_package(
    *,
    site: Site,
    out_dir: Path,
    as_of: dt.date | None = None,
    deidentified: bool = False,
) -> ExportResult:
    """Write the site's package into `out_dir`; returns its path and manifest entries."""
    as_of = as_of or site.today()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / package_name(site, as_of)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    result = ExportResult(path=path, as_of=as_of, deidentified=deidentified)
    try:
        with (
            _snapshot(),
            _pseudonym_key(site_pseudonym_key(site)) if deidentified else contextlib.nullcontext(),
            zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        ):
            for table in TABLES:
                result.files[table.file_name] = _write_table(
                    archive, table, site, deidentified=deidentified
                )
            manifest = {
                "format": schema.FORMAT,
                "version": schema.VERSION,
                "site": site.slug,
                "as_of": as_of.isoformat(),
                "generated_at": timezone.now().astimezone(site.tz).isoformat(timespec="seconds"),
                "deidentified": deidentified,
                "files": result.files,
            }
            archive.writestr(schema.MANIFEST, json.dumps(manifest, indent=2) + "\n")
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return result


@contextlib.contextmanager
def _snapshot() -> Iterator[None]:
    """Every table read from one snapshot of the database (a child never refers to a case that
    was created after cases.csv was written): a read-only REPEATABLE READ transaction, unless
    the caller already holds a transaction (then it is the caller's)."""
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            # Each file's SELECT sorts all its rows by id: in memory rather than on disk, and
            # without compiling the plan (JIT costs more than it saves on these).
            cursor.execute("SELECT set_config('work_mem', %s, true)", [schema.WORK_MEM])
            cursor.execute("SET LOCAL jit = off")
        yield


CHUNK = 1 << 20  # bytes of COPY output handed to the zip entry at a time


class _CrLf:
    """PostgreSQL's CSV lines end with LF; the package's with CRLF. A line end is an LF outside
    quotes: with the text split at every '"', the even pieces are outside (a doubled quote
    inside a quoted cell gives an empty piece, which changes nothing). An LF inside a quoted
    cell is part of the value and stays as it is. The quote state carries over from one chunk
    to the next."""

    def __init__(self) -> None:
        self.inside = False  # an odd number of quotes so far

    def __call__(self, data: bytes) -> bytes:
        if b'"' not in data:
            return data if self.inside else data.replace(b"\n", b"\r\n")
        pieces = data.split(b'"')
        start = 1 if self.inside else 0
        for i in range(start, len(pieces), 2):
            pieces[i] = pieces[i].replace(b"\n", b"\r\n")
        if len(pieces) % 2 == 0:  # an odd number of quotes in this chunk
            self.inside = not self.inside
        return b'"'.join(pieces)


def _write_table(
    archive: zipfile.ZipFile, table: Table, site: Site, *, deidentified: bool
) -> dict[str, Any]:
    columns = export_columns(table, deidentified=deidentified)
    sql, params = _select(table, site, columns, deidentified=deidentified)
    header = io.StringIO()
    # Deliberately NOT `safebabies.lib.csvsafe`: the package is a machine format that
    # `import_package` reads back, and must round-trip byte for byte (SECURITY.md).
    csv.writer(header, lineterminator="\r\n").writerow([c.name for c in columns])
    digest = hashlib.sha256()
    with archive.open(table.file_name, "w", force_zip64=True) as entry:

        def write(data: bytes) -> None:
            digest.update(data)
            entry.write(data)

        write(header.getvalue().encode("utf-8"))
        crlf = _CrLf()
        pending = bytearray()
        # psycopg's own cursor, for its COPY; its errors raised as Django's (a lost connection
        # is an OperationalError, which the nightly task retries)
        with connection.cursor() as cursor, connection.wrap_database_errors:
            raw = cursor.cursor
            with raw.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params) as copy:
                for data in copy:
                    pending += data
                    if len(pending) >= CHUNK:
                        write(crlf(bytes(pending)))
                        pending.clear()
            if pending:
                write(crlf(bytes(pending)))
            rows = raw.rowcount
    return {"rows": rows, "sha256": digest.hexdigest()}


def _select(
    table: Table, site: Site, columns: tuple[Column, ...], *, deidentified: bool
) -> tuple[str, tuple[Any, ...]]:
    """The SELECT giving the table's rows of the site as CSV cells, ordered by id."""
    query = table.model._default_manager.filter(**{table.site_path: site.pk})
    if deidentified and table.name in PART2_ROWS:
        # Substance-use treatment records (42 CFR Part 2) leave the site only with the
        # patient's consent: the national export has none of them.
        query = query.exclude(PART2_ROWS[table.name]())
    cells = {
        f"c{i}": _Cell(c.field, *_cell_sql(c, deidentified=deidentified))
        for i, c in enumerate(columns)
    }
    rows = query.order_by("pk").annotate(**cells).values_list(*cells)
    return rows.query.sql_with_params()


PART2_ROWS = {"screenings": part2_screening_q, "services": part2_service_q}


class _Cell(Func):
    """A model field turned into its CSV cell by an SQL template: `{}` is the field; the
    template's parameters come before any of the field's own."""

    output_field = TextField()

    def __init__(self, field: str, template: str, params: list[Any]) -> None:
        super().__init__(F(field))
        self.cell_template = template
        self.cell_params = params

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        sql, params = compiler.compile(self.source_expressions[0])
        return self.cell_template.format(sql), [*self.cell_params, *params]


def _cell_sql(column: Column, *, deidentified: bool) -> tuple[str, list[Any]]:
    """The SQL of a column's cell (as `Column.to_cell` has it; NULL is an empty cell) and its
    parameters. An empty string is made NULL: PostgreSQL quotes an empty string ("") to tell
    it from NULL, the package does not."""
    if column.kind in (Kind.ID, Kind.REF):
        if deidentified:
            return PSEUDONYM_SQL, []
        return "NULLIF({}, '')", []
    if column.kind is Kind.DATE:
        if deidentified and column.name == "birth_date":
            return "to_char({}, 'YYYY-MM-01')", []  # cut to the first of the month
        return "to_char({}, 'YYYY-MM-DD')", []
    if column.kind in (Kind.BOOL, Kind.INT):
        return "CAST({} AS text)", []  # a boolean casts to true / false
    if column.kind is Kind.LIST:
        return f"NULLIF(array_to_string({{}}, '{schema.LIST_SEPARATOR}'), '')", []
    return "NULLIF(CAST({} AS text), '')", []  # CODE, TEXT


HMAC_BLOCK = 64  # bytes: SHA-256's block size


PSEUDONYM_SETTINGS = ("safebabies.pseudonym_outer", "safebabies.pseudonym_inner")

# `pseudonym(key, id)` in SQL: HMAC-SHA256 as RFC 2104 builds it from the hash,
# H((K ^ opad) || H((K ^ ipad) || id)). The two padded keys are read from settings of the
# export's transaction (`_pseudonym_key`), once per query (a scalar subquery).
PSEUDONYM_SQL = (
    f"'{PSEUDONYM_PREFIX}' || left(encode(sha256("
    f"(SELECT decode(current_setting('{PSEUDONYM_SETTINGS[0]}'), 'hex'))"
    f" || sha256((SELECT decode(current_setting('{PSEUDONYM_SETTINGS[1]}'), 'hex'))"
    " || convert_to({}, 'UTF8'))), 'hex'), 40)"
)


@contextlib.contextmanager
def _pseudonym_key(key: bytes) -> Iterator[None]:
    """The site's key, padded to SHA-256's block (it is a 32-byte digest) as HMAC's inner and
    outer keys, in settings local to the transaction, for `PSEUDONYM_SQL`. They travel in one
    short `set_config` statement, never in the text of the long COPY statements (which
    `pg_stat_activity` shows while they run and `log_min_duration_statement` writes to the
    server's log), and they are emptied when the export is done or fails."""
    assert len(key) <= HMAC_BLOCK
    padded = key.ljust(HMAC_BLOCK, b"\0")
    pads = (bytes(b ^ 0x5C for b in padded).hex(), bytes(b ^ 0x36 for b in padded).hex())
    set_both = "SELECT set_config(%s, %s, true), set_config(%s, %s, true)"
    with connection.cursor() as cursor:
        cursor.execute(set_both, [PSEUDONYM_SETTINGS[0], pads[0], PSEUDONYM_SETTINGS[1], pads[1]])
    try:
        yield
    finally:
        # after a database error the transaction can only be rolled back, settings with it
        if connection.connection.info.transaction_status != TransactionStatus.INERROR:
            with connection.cursor() as cursor:
                cursor.execute(set_both, [PSEUDONYM_SETTINGS[0], "", PSEUDONYM_SETTINGS[1], ""])
