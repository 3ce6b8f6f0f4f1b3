"""Importing a data package into a site (DATA_PACKAGE.md "Rules on import").

`import_package(source, site=, dry_run=)` reads each CSV once, streaming, inside one
transaction for the whole package, so that Python's memory stays the same whatever the size of
the package:

1. staging, table by table, parent first (`schema.TABLES`): each record is checked in Python
   as it is read, every cell (codes, dates, booleans, ids, required values, lengths) and the
   row's own rules (`_ROW_RULES`: a discharge needs a reason, ...), and COPYed with its CSV line
   into a temporary staging table (`ON COMMIT DROP`, see `checks.Staged`). A bad cell is staged
   as null and named in the row's `_invalid`. When the file lacks a column that the row's rules
   read, those rules run after staging instead, over the rows as merged with the site's.
2. the rules across rows and tables, as SQL over the staging tables and the site's tables
   (`checks.Checks`), each query returning (line, column, message) rows: duplicate ids, ids
   that belong to another site, references to a parent row neither in the package nor in the
   site, placements outside their episode, overlapping episodes of a child, an episode already
   in the site whose new dates leave its placements outside, a screening's or a service's child
   in another case. Then the manifest's row counts and hashes (hashed while the file was read).
3. writing, only when nothing was found: each table is upserted from its staging table with
   one `UPDATE ... FROM` of the rows already in the site `WHERE (the row) IS DISTINCT FROM (the
   package's row)`, so rows that did not change are not rewritten and importing the same
   package twice changes nothing the second time, then one plain `INSERT ... SELECT` of the new
   rows in the order of the primary key (an `INSERT ... ON CONFLICT` pays a speculative
   insertion for every row). Any error, or a dry run, rolls the whole
   transaction back (a dry run still reports its counts).

The number of queries does not depend on the size of the package; only the error list grows
with it (every error is listed).

A column a file does not have is left as it is on rows already in the site (and takes the
model's default on new rows). An empty cell is null: "" for text and codes, [] for lists, the
model's default where the field has one and cannot be empty (a child's icwa: "unknown").
"""

from __future__ import annotations

import collections
import csv
import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast

from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone

from cases.package import schema
from cases.package.checks import (
    KEPT,
    Checks,
    Problem,
    Staged,
    column_of,
    empty_value,
    qn,
    target_of,
)
from cases.package.schema import TABLES, CellError, Column, Kind, Table, model_field
from cases.package.source import PackageSource, SourceError, open_source
from cqi import stamps
from safebabies.audit.services import audit_log
from safebabies.identity.models import Site

MAX_SMALLINT = 32767


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PackageError:
    """One problem, where it is: file, CSV line (header = 1) and column, when they apply."""

    file: str
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        line = "-" if self.line is None else str(self.line)
        return f"{self.file}:{line}:{self.column or '-'}: {self.message}"


@dataclass
class TableCounts:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


@dataclass
class ImportResult:
    dry_run: bool
    errors: list[PackageError] = field(default_factory=list)
    counts: dict[str, TableCounts] = field(default_factory=dict)  # by table name, parent first

    @property
    def ok(self) -> bool:
        return not self.errors


# --- the service -----------------------------------------------------------------------------


def import_package(
    source: Path, *, site: Site, dry_run: bool = False, actor: Any = None
) -> ImportResult:
    """Validate the package at `source` (a zip or a folder) for `site`, then write it.

    Nothing is written when there is any error, nor on a dry run (which still runs the writes
    inside a transaction that is rolled back, so its counts say what an import would do).
    """
    result = ImportResult(dry_run=dry_run)
    try:
        package = open_source(Path(source))
    except SourceError as exc:
        result.errors.append(PackageError(Path(source).name, None, None, str(exc)))
        return result
    with package:
        _Import(package, site, result, actor=actor).run()
    return result


# --- reading CSV files ---------------------------------------------------------------------

INVALID: Any = type("Invalid", (), {"__repr__": lambda self: "INVALID"})()  # a bad cell


class _CsvFile:
    """One table's CSV: its header (the known columns it has) and its records as values."""

    def __init__(
        self, package: PackageSource, table: Table, report: Callable | None, *, hashed: bool
    ) -> None:
        self.package = package
        self.table = table
        self.report = report or (lambda *args: None)
        self.rows = 0
        self.present: list[Column] = []
        self.missing: list[str] = []  # required columns the header lacks
        self.sha256: str | None = None  # when `hashed`, once the file is read to its end
        self._digest = hashlib.sha256() if hashed else None
        self._empty = {c.name: empty_value(table.model_field(c)) for c in table.columns}
        self._max_length = {
            c.name: getattr(table.model_field(c), "max_length", None)
            for c in table.columns
            if c.kind is Kind.TEXT
        }

    def records(self) -> Iterator[tuple[int, dict[str, Any], list[str] | None]]:
        """(line, {column name: value}, the bad columns or None) per record; a bad cell's value
        is INVALID and a column the file does not have is missing from the dict. Problems go to
        `report`."""
        line = 1
        with self.package.open(self.table.file_name) as stream:
            reader = csv.reader(self._text_lines(stream), strict=True)
            try:
                header = next(reader, None)
                if header is None:
                    self.report(line, None, "the file is empty: it needs a header row")
                    return
                width = self._header(header)
                line = reader.line_num + 1
                for record in reader:
                    if record:
                        self.rows += 1
                        values = self._values(line, record, width)
                        if values is not None:
                            yield line, values, self._invalid
                    line = reader.line_num + 1
            except _NotUtf8 as exc:
                self.report(
                    exc.line, None, "the line is not UTF-8 text; the rest of the file was not read"
                )
            except csv.Error as exc:
                self.report(line, None, f"the CSV cannot be read: {exc}")

    def _text_lines(self, stream: IO[bytes]) -> Iterator[str]:
        """The lines of a UTF-8 file (a byte-order mark is allowed), line endings kept, as the
        csv module wants them; a line that is not UTF-8 raises _NotUtf8 with its number. The
        file's sha256 is taken on the way, when asked for."""
        digest = self._digest
        for number, raw in enumerate(stream, start=1):
            if digest is not None:
                digest.update(raw)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise _NotUtf8(number) from None
            yield text.removeprefix("\ufeff") if number == 1 else text
        if digest is not None:
            self.sha256 = digest.hexdigest()

    def _header(self, header: list[str]) -> int:
        """Checks the header; returns how many cells a row must have."""
        known = {c.name: c for c in self.table.columns}
        self._cells: list[tuple] = []  # (index, name, required, parse, empty, max length)
        seen: set[str] = set()
        for index, name in enumerate(header):
            column = known.get(name)
            if name in seen:
                self.report(1, name, "the column appears twice in the header")
            elif column is None:
                allowed = ", ".join(self.table.column_names)
                self.report(1, name or "-", f"unknown column (the columns are: {allowed})")
            else:
                self._cells.append(
                    (
                        index,
                        name,
                        column.required,
                        _reader(column),
                        self._empty[name],
                        self._max_length.get(name),
                    )
                )
            seen.add(name)
        self.missing = [c.name for c in self.table.required_columns if c.name not in seen]
        for name in self.missing:
            self.report(1, name, "a required column is missing from the header")
        self.present = [c for c in self.table.columns if c.name in seen]
        return len(header)

    def _values(self, line: int, record: list[str], width: int) -> dict[str, Any] | None:
        """The record's values; `self._invalid` lists its bad columns (None when none is)."""
        if len(record) != width:
            self.report(line, None, f"the row has {len(record)} cells; the header has {width}")
            return None
        values: dict[str, Any] = {}
        invalid: list[str] | None = None
        for index, name, required, parse, empty, limit in self._cells:
            raw = record[index]
            if not raw:
                if required:
                    self.report(line, name, "a value is required")
                    values[name] = INVALID
                    invalid = [*(invalid or ()), name]
                else:
                    values[name] = _copy(empty)
                continue
            try:
                value = parse(raw)
            except CellError as exc:
                self.report(line, name, str(exc))
                value = INVALID
                invalid = [*(invalid or ()), name]
            else:
                if limit is not None and len(value) > limit:
                    self.report(line, name, f"the text is longer than {limit} characters")
                    value = INVALID
                    invalid = [*(invalid or ()), name]
            values[name] = value
        for name in self.missing:  # required columns the header lacks
            values[name] = INVALID
            invalid = [*(invalid or ()), name]
        self._invalid = invalid
        return values


MEMO_SIZE = 4096  # distinct cells remembered per column (codes, dates, booleans)


def _reader(column: Column) -> Callable[[str], Any]:
    """`column.from_cell`, remembering the values of cells seen before for the kinds whose
    distinct cells are few (a list is copied each time: each row has its own)."""
    if column.kind not in (Kind.CODE, Kind.LIST, Kind.BOOL, Kind.DATE):
        return column.from_cell
    parse = column.from_cell
    seen: dict[str, Any] = {}
    copy = column.kind is Kind.LIST

    def read(raw: str) -> Any:
        value = seen.get(raw)
        if value is None:
            value = parse(raw)  # a bad cell raises CellError, and is not remembered
            if len(seen) < MEMO_SIZE:
                seen[raw] = value
        return list(value) if copy else value

    return read


class _NotUtf8(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


def _copy(value: Any) -> Any:
    return list(value) if isinstance(value, list) else value


# --- the import of one package ---------------------------------------------------------------

_ROW_TYPES: dict[str, Any] = {
    name: collections.namedtuple(f"{name}_row", ["line", "id", *kept])
    for name, kept in KEPT.items()
}


class _Import:
    def __init__(self, package: PackageSource, site: Any, result: ImportResult, *, actor: Any):
        self.package = package
        self.site = site
        self.result = result
        self.actor = actor
        self.errors: list[PackageError] = []
        self.tables = schema.tables_in(package.names)
        self.staged: dict[str, Staged] = {}
        self.checks = Checks(self.staged, site)
        # Row-rule errors found while a file is read, by table: those of a row that repeats an
        # earlier id are dropped once the repeats are known (such a row is only a duplicate).
        self.pending: dict[str, list[PackageError]] = {}
        self.hashed: set[str] = set()  # files whose sha256 the manifest gives
        self._order = {
            name: i for i, name in enumerate([schema.MANIFEST, *(t.file_name for t in TABLES)])
        }

    # -- reporting

    def error(self, file: str, line: int | None, column: str | None, message: str) -> None:
        self.errors.append(PackageError(file, line, column, message))

    def sort_key(self, e: PackageError) -> tuple:
        table = schema.TABLES_BY_FILE.get(e.file)
        column = (
            table.column_names.index(e.column) if table and e.column in table.column_names else -1
        )
        return (self._order.get(e.file, -1), e.file, e.line or 0, column)

    def _problems(self, table: Table, problems: Iterator[Problem]) -> None:
        for line, column, message in problems:
            self.error(table.file_name, line, column, message)

    # -- the package as a whole

    def run(self) -> None:
        manifest_files = self._manifest()
        for name in sorted(self.package.names):
            if name.lower().endswith(".csv") and name not in schema.TABLES_BY_FILE:
                known = ", ".join(t.file_name for t in TABLES)
                self.error(
                    name, None, None, f"not a table of the data package (the tables are: {known})"
                )
        if not any(name.lower().endswith(".csv") for name in self.package.names):
            self.error(self.package.label, None, None, "the package holds no CSV file")
        self.hashed = {n for n, e in manifest_files.items() if e.get("sha256") is not None}
        table: Table | None = None  # the table being staged, checked or written
        outermost = not connection.in_atomic_block
        try:
            with transaction.atomic():
                if outermost:  # the import's own transaction: its sorts and hashes in memory
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT set_config('work_mem', %s, true)", [schema.WORK_MEM])
                self._drop_staging()
                for table in self.tables:
                    self._stage(table)
                for table in self.tables:
                    self._check(table)
                table = None
                if "episodes" in self.staged:
                    episodes = self.staged["episodes"]
                    self._problems(
                        episodes.table, self.checks.placements_of_changed_episodes(episodes)
                    )
                for name, entry in manifest_files.items():
                    self._manifest_entry(name, entry)
                if self.errors:
                    self.result.errors = sorted(self.errors, key=self.sort_key)
                    transaction.set_rollback(True)
                    return
                # the site's CQI data stamp changes once, at the end, not on every upsert
                # (and other writers of the site do not wait on it while the import runs)
                with stamps.deferred([self.site.pk]):
                    for table in self.tables:
                        self.result.counts[table.name] = self._upsert(self.staged[table.name])
                table = None
                self._drop_staging()
                if self.result.dry_run:
                    transaction.set_rollback(True)
                else:
                    audit_log(
                        actor=self.actor,
                        action="import",
                        record_type="data_package",
                        site_id=self.site.pk,
                        detail={"tables": {n: c.as_dict() for n, c in self.result.counts.items()}},
                    )
        except DatabaseError as exc:
            file = table.file_name if table is not None else schema.MANIFEST
            message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            self.result.errors = [
                PackageError(file, None, None, f"the database refused the rows: {message}")
            ]
            self.result.counts = {}

    def _drop_staging(self) -> None:
        if self.tables:
            names = ", ".join(Staged(t).name for t in self.tables)
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {names}")  # lint-ok: our staging tables

    def _manifest(self) -> dict[str, Any]:
        m = schema.MANIFEST
        if m not in self.package.names:
            return {}
        try:
            with self.package.open(m) as stream:
                manifest = json.loads(stream.read().decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            self.error(m, None, None, f"not valid JSON ({exc})")
            return {}
        if not isinstance(manifest, dict):
            self.error(m, None, None, "not a JSON object")
            return {}
        if manifest.get("format") != schema.FORMAT:
            self.error(
                m,
                None,
                "format",
                f"the format must be {schema.FORMAT!r}, not {manifest.get('format')!r}",
            )
        if manifest.get("version") != schema.VERSION:
            self.error(
                m,
                None,
                "version",
                f"version {manifest.get('version')!r} is not supported (only {schema.VERSION})",
            )
        if manifest.get("site") != self.site.slug:
            self.error(
                m,
                None,
                "site",
                f"the package is for site {manifest.get('site')!r}, not {self.site.slug!r}",
            )
        as_of = manifest.get("as_of")
        if as_of is not None:
            try:
                dt.date.fromisoformat(str(as_of))
            except ValueError:
                self.error(m, None, "as_of", f"{as_of!r} is not a date (YYYY-MM-DD)")
        files = manifest.get("files", {})
        if not isinstance(files, dict):
            self.error(m, None, "files", "files must be an object of file name to rows and sha256")
            return {}
        checked = {}
        for name, entry in files.items():
            if name not in self.package.names:
                self.error(
                    m, None, "files", f"{name} is listed in the manifest but is not in the package"
                )
            elif not isinstance(entry, dict):
                self.error(m, None, "files", f"the entry for {name} must be an object")
            else:
                checked[name] = entry
        return checked

    def _manifest_entry(self, name: str, entry: dict) -> None:
        staged = self.staged.get(name.removesuffix(".csv")) if name.endswith(".csv") else None
        rows = entry.get("rows")
        if rows is not None and staged is not None and rows != staged.rows:
            self.error(
                name,
                None,
                None,
                f"the file has {staged.rows} rows but the manifest says {rows}",
            )
        sha256 = entry.get("sha256")
        if sha256 is None:
            return
        digest = staged.sha256 if staged is not None else None
        if str(sha256).lower() != (digest or self.package.sha256(name)):
            self.error(name, None, None, "the file's sha256 does not match the manifest")

    # -- one table: staging

    def _stage(self, table: Table) -> None:
        """Reads the file once: checks each record's cells and (unless the file lacks a column
        they read) its row rules, and COPYs it into the table's staging table."""
        file = table.file_name
        st = self.staged[table.name] = Staged(table)

        def report(line: int, column: str | None, message: str) -> None:
            self.error(file, line, column, message)

        csv_file = _CsvFile(self.package, table, report, hashed=file in self.hashed)
        names = table.column_names
        id_name = table.id_column.name
        kept = KEPT[table.name]
        row_type = _ROW_TYPES[table.name]
        pending = self.pending[table.name] = []
        rules: Callable | None = None
        started = False
        with connection.cursor() as cursor:
            cursor.execute(st.create_sql())
            with cursor.cursor.copy(st.copy_sql()) as copy:
                for line, values, invalid in csv_file.records():
                    if not started:  # the header is read: does the file have what rules read?
                        started = True
                        st.present, st.missing = csv_file.present, csv_file.missing
                        if not st.absent:
                            rules = _ROW_RULES.get(table.name)
                    cells = [line, invalid, *map(values.get, names)]
                    if invalid:
                        cells = [None if v is INVALID else v for v in cells]
                    copy.write_row(cells)
                    if rules is not None:
                        row = row_type(line, values.get(id_name, INVALID), *map(values.get, kept))
                        for column, message in rules(row):
                            pending.append(PackageError(file, line, column, message))
            cursor.execute(f"ANALYZE {st.name}")  # lint-ok: our staging table
        st.present, st.missing = csv_file.present, csv_file.missing
        st.rows = csv_file.rows
        st.sha256 = csv_file.sha256
        if not started or st.absent:
            pending.clear()
            self.pending.pop(table.name)  # the rules run over the merged rows (`_check`)

    # -- one table: the rules across rows and tables

    def _check(self, table: Table) -> None:
        st = self.staged[table.name]
        checks = self.checks
        duplicates = list(checks.duplicates(st))
        self._problems(table, iter(duplicates))
        self._problems(table, checks.other_site(st))
        self._problems(table, checks.references(st))
        if table.name in self.pending:
            pending = self.pending.pop(table.name)
            if duplicates and pending:
                repeated = {line for line, _column, _message in duplicates}
                pending = [e for e in pending if e.line not in repeated]
            self.errors.extend(pending)
        else:
            self._merged_row_rules(st)
        del duplicates
        if table.name == "placements":
            self._problems(table, checks.placements_in_episodes(st))
        elif table.name == "screenings":
            self._problems(table, checks.child_in_case(st, "case_id"))
        elif table.name == "services":
            self._problems(table, checks.child_in_case(st, "child_id"))
        elif table.name == "episodes":
            self._problems(table, checks.episode_overlaps(st))

    def _merged_row_rules(self, st: Staged) -> None:
        """The row rules of a file that lacks a column they read, over its staged rows with
        the site's values for that column (or the empty value for a new row)."""
        table = st.table
        rules = _ROW_RULES.get(table.name)
        if rules is None:
            return
        kept = KEPT[table.name]
        id_name = table.id_column.name
        row_type = _ROW_TYPES[table.name]
        for line, invalid, row_id, *values in self.checks.merged_rows(st, kept):
            if invalid:
                bad = set(invalid)
                values = [INVALID if n in bad else v for n, v in zip(kept, values, strict=True)]
                row_id = INVALID if id_name in bad else row_id
            for column, message in rules(row_type(line, row_id, *values)):
                self.error(table.file_name, line, column, message)

    # -- one table: writing

    def _upsert(self, st: Staged) -> TableCounts:
        """From the staging table: one UPDATE of the site's rows whose written columns differ,
        then one INSERT of the new rows; returns the counts."""
        table, site = st.table, self.site
        meta = table.model._meta

        def qf(f: models.Field) -> str:
            return qn(cast(str, f.column))

        # The model fields written, each with the SQL of its value (and that SQL's parameters).
        written: list[tuple[models.Field, str, list[Any]]] = [
            (table.model_field(c), f"s.{column_of(table, c)}", []) for c in st.present
        ]
        source: str = st.name
        source_params: list[Any] = []
        if table.name == "cases":
            site_field = model_field(table.model, "site")
            written.append((site_field, f"CAST(%s AS {site_field.db_type(connection)})", [site.pk]))
        if table.name == "screenings":  # the case given, or else the child's
            written = [w for w in written if w[0].name != "case"]
            source, source_params = self.checks.child_case_source(st)
            case = model_field(table.model, "case")
            written.append((case, f"COALESCE(s.{qf(case)}, s._child_case)", []))
        fields = [f for f, _sql, _params in written]
        # Every other column of a new row takes the model's default; created_at/updated_at: now.
        defaults = [
            f
            for f in meta.local_concrete_fields
            if f not in fields and f.name not in ("created_at", "updated_at")
        ]
        updated = [f for f in fields if not f.primary_key and f.name != "site"]

        # Identifiers only (quoted names of our own tables and columns); every value is a
        # parameter. `rows`: the package's rows as the target's columns, once for both steps.
        target = target_of(table)
        select = ", ".join(
            [
                *(f"{sql} AS {qf(f)}" for f, sql, _params in written),
                *(f"CAST(%s AS {f.db_type(connection)}) AS {qf(f)}" for f in defaults),
            ]
        )
        rows = f"(SELECT {select} FROM {source} s)"  # noqa: S608
        rows_params = [
            *(p for _f, _sql, ps in written for p in ps),
            *(f.get_db_prep_save(f.get_default(), connection) for f in defaults),
            *source_params,
        ]
        # 1. the rows already in the site whose written columns differ: rewritten, the others
        # left as they are (their updated_at too)
        update = (
            f"UPDATE {target} t"  # noqa: S608
            f" SET {', '.join(f'{qf(f)} = n.{qf(f)}' for f in updated)}, updated_at = %s"
            f" FROM {rows} n WHERE t.id = n.id"
            f" AND ROW({', '.join(f't.{qf(f)}' for f in updated)})"
            f" IS DISTINCT FROM ROW({', '.join(f'n.{qf(f)}' for f in updated)})"
        )
        # 2. the new rows: a plain INSERT (no speculative insertion per row, as ON CONFLICT
        # has), in the order of the primary key's index
        columns = [*fields, *defaults]
        insert = (
            f"INSERT INTO {target}"  # noqa: S608
            f" ({', '.join(qf(f) for f in columns)}, created_at, updated_at)"
            f" SELECT {', '.join(f'n.{qf(f)}' for f in columns)}, %s, %s FROM {rows} n"
            f" WHERE NOT EXISTS (SELECT 1 FROM {target} t WHERE t.id = n.id)"
            f' ORDER BY n.id COLLATE "C"'
        )
        now = timezone.now()  # as Django's auto_now would have it: the application's clock

        counts = TableCounts(rows=st.rows)
        with connection.cursor() as cursor:
            if updated:
                cursor.execute(update, [now, *rows_params])
                counts.updated = cursor.rowcount
            cursor.execute(insert, [now, now, *rows_params])
            counts.created = cursor.rowcount
        counts.unchanged = counts.rows - counts.created - counts.updated
        return counts


# --- rules within one row ------------------------------------------------------------------


def _ok(*values: Any) -> bool:
    return all(v is not INVALID and v is not None for v in values)


def _no_rules(row: Any) -> Iterator[tuple[str, str]]:
    return iter(())


def _rules_cases(row: Any) -> Iterator[tuple[str, str]]:
    if _ok(row.opened_on, row.closed_on) and row.closed_on < row.opened_on:
        yield "closed_on", "the case is closed before it was opened"


def _rules_children(row: Any) -> Iterator[tuple[str, str]]:
    if _ok(row.enrolled_on, row.exited_on) and row.exited_on < row.enrolled_on:
        yield "exited_on", "the child exits before being enrolled"


def _rules_episodes(row: Any) -> Iterator[tuple[str, str]]:
    if _ok(row.removal_date, row.discharge_date) and row.discharge_date < row.removal_date:
        yield "discharge_date", "the discharge date is before the removal date"
    if row.discharge_date is not INVALID and row.discharge_reason is not INVALID:
        if row.discharge_date is not None and not row.discharge_reason:
            yield "discharge_reason", "a discharge date needs a discharge reason"
        if row.discharge_date is None and row.discharge_reason:
            yield "discharge_date", "a discharge reason needs a discharge date"


def _rules_placements(row: Any) -> Iterator[tuple[str, str]]:
    if _ok(row.start_date, row.end_date) and row.end_date < row.start_date:
        yield "end_date", "the placement ends before it starts"


def _rules_ftm_action_items(row: Any) -> Iterator[tuple[str, str]]:
    if row.status == "done" and row.completed_on is None:
        yield "completed_on", "an action item that is done needs completed_on"


def _rules_family_time(row: Any) -> Iterator[tuple[str, str]]:
    if row.cancelled_by is not INVALID:
        if row.status == "cancelled" and not row.cancelled_by:
            yield "cancelled_by", "a cancelled visit needs cancelled_by"
        if _ok(row.status) and row.status != "cancelled" and row.cancelled_by:
            yield "cancelled_by", "cancelled_by is only given for a cancelled visit"
    if _ok(row.duration_minutes):
        if row.duration_minutes < 0:
            yield "duration_minutes", "the duration cannot be negative"
        elif row.duration_minutes > MAX_SMALLINT:
            yield "duration_minutes", f"the duration is more than {MAX_SMALLINT} minutes"


def _rules_screenings(row: Any) -> Iterator[tuple[str, str]]:
    if row.child_id is None and row.case_id is None:
        yield "child_id", "a screening needs child_id or case_id"
    elif row.subject == "child" and row.child_id is None:
        yield "child_id", "a screening of a child needs child_id"


def _rules_services(row: Any) -> Iterator[tuple[str, str]]:
    if _ok(row.referred_on, row.started_on) and row.started_on < row.referred_on:
        yield "started_on", "the service starts before it was referred"
    if _ok(row.referred_on, row.ended_on) and row.ended_on < row.referred_on:
        yield "ended_on", "the service ends before it was referred"
    elif _ok(row.started_on, row.ended_on) and row.ended_on < row.started_on:
        yield "ended_on", "the service ends before it started"


_ROW_RULES: dict[str, Callable[[Any], Iterator[tuple[str, str]]]] = {
    "cases": _rules_cases,
    "children": _rules_children,
    "episodes": _rules_episodes,
    "placements": _rules_placements,
    "ftm_action_items": _rules_ftm_action_items,
    "family_time": _rules_family_time,
    "screenings": _rules_screenings,
    "services": _rules_services,
}
