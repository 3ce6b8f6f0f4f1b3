"""Importing a data package into a site (DATA_PACKAGE.md "Rules on import").

`import_package(source, site=, dry_run=)` reads each CSV twice, streaming both times:

1. validation, for the whole package before anything is written: every cell (codes, dates,
   booleans, ids, required values), every row's own rules (a discharge needs a reason, ...),
   duplicate ids, references to parent rows in the package or already in the site, ids that
   belong to another site, and the rules across rows (episodes of a child do not overlap, a
   placement lies inside its episode). Only ids and the few values those rules need are kept.
2. writing, only when validation found nothing: in one transaction, each file is COPYed into a
   temporary table and upserted with one `INSERT ... ON CONFLICT (id) DO UPDATE ... WHERE (the
   row) IS DISTINCT FROM (the package's row)`, so rows that did not change are not rewritten and
   importing the same package twice changes nothing the second time.

A column a file does not have is left as it is on rows already in the site (and takes the
model's default on new rows). An empty cell is null: "" for text and codes, [] for lists, the
model's default where the field has one and cannot be empty (a child's icwa: "unknown").
"""

from __future__ import annotations

import collections
import csv
import datetime as dt
import json
import operator
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, NamedTuple, cast

from django.contrib.postgres.fields import ArrayField
from django.db import DatabaseError, connection, models, transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone

from cases.models import Episode, Placement
from cases.package import schema
from cases.package.schema import TABLES, CellError, Column, Kind, Table, model_field
from cases.package.source import PackageSource, SourceError, open_source
from safebabies.audit.services import audit_log
from teams.models import Site

CHUNK = 50_000  # ids per look-up query
MAX_SMALLINT = 32767


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
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
        validation = _Validation(package, site)
        validation.run()
        if validation.errors:
            result.errors = sorted(validation.errors, key=validation.sort_key)
            return result
        _write(package, site, validation, result, actor=actor)
    return result


# --- reading CSV files ---------------------------------------------------------------------

INVALID: Any = type("Invalid", (), {"__repr__": lambda self: "INVALID"})()  # a bad cell
ABSENT: Any = type("Absent", (), {"__repr__": lambda self: "ABSENT"})()  # the file lacks it


def _empty_value(f: models.Field) -> Any:
    """What an empty cell means for a model field: null; for a field that cannot be null, []
    for a list, the default if it has one (icwa: "unknown"), else "" for text and codes."""
    if isinstance(f, ArrayField):
        return []
    if f.null:
        return None
    if f.has_default():
        return f.get_default()
    if isinstance(f, models.CharField | models.TextField):
        return ""
    return None


class _CsvFile:
    """One table's CSV: its header (the known columns it has) and its records as values."""

    def __init__(self, package: PackageSource, table: Table, report: Callable | None) -> None:
        self.package = package
        self.table = table
        self.report = report or (lambda *args: None)
        self.rows = 0
        self.present: list[Column] = []
        self._empty = {c.name: _empty_value(table.model_field(c)) for c in table.columns}
        self._max_length = {
            c.name: getattr(table.model_field(c), "max_length", None)
            for c in table.columns
            if c.kind is Kind.TEXT
        }

    def records(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """(line, {column name: value}) per record; a bad cell's value is INVALID and a column
        the file does not have is missing from the dict. Problems go to `report`."""
        line = 1
        with self.package.open(self.table.file_name) as stream:
            reader = csv.reader(_text_lines(stream), strict=True)
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
                            yield line, values
                    line = reader.line_num + 1
            except _NotUtf8 as exc:
                self.report(
                    exc.line, None, "the line is not UTF-8 text; the rest of the file was not read"
                )
            except csv.Error as exc:
                self.report(line, None, f"the CSV cannot be read: {exc}")

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
                        column.from_cell,
                        self._empty[name],
                        self._max_length.get(name),
                    )
                )
            seen.add(name)
        self._missing = [c.name for c in self.table.required_columns if c.name not in seen]
        for name in self._missing:
            self.report(1, name, "a required column is missing from the header")
        self.present = [c for c in self.table.columns if c.name in seen]
        return len(header)

    def _values(self, line: int, record: list[str], width: int) -> dict[str, Any] | None:
        if len(record) != width:
            self.report(line, None, f"the row has {len(record)} cells; the header has {width}")
            return None
        values: dict[str, Any] = {}
        for index, name, required, parse, empty, limit in self._cells:
            raw = record[index]
            if not raw:
                if required:
                    self.report(line, name, "a value is required")
                    values[name] = INVALID
                else:
                    values[name] = _copy(empty)
                continue
            try:
                value = parse(raw)
            except CellError as exc:
                self.report(line, name, str(exc))
                value = INVALID
            else:
                if limit is not None and len(value) > limit:
                    self.report(line, name, f"the text is longer than {limit} characters")
                    value = INVALID
            values[name] = value
        for name in self._missing:  # required columns the header lacks
            values[name] = INVALID
        return values


class _NotUtf8(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


def _text_lines(stream: IO[bytes]) -> Iterator[str]:
    """The lines of a UTF-8 file (a byte-order mark is allowed), line endings kept, as the csv
    module wants them; a line that is not UTF-8 raises _NotUtf8 with its number."""
    for number, raw in enumerate(stream, start=1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise _NotUtf8(number) from None
        yield text.removeprefix("\ufeff") if number == 1 else text


def _copy(value: Any) -> Any:
    return list(value) if isinstance(value, list) else value


# --- validation ------------------------------------------------------------------------------

# The values each table keeps per row for the rules checked after the file is read (its
# references among them). They are model fields of the same name.
KEPT: dict[str, tuple[str, ...]] = {
    "cases": ("opened_on", "closed_on"),
    "children": ("case_id", "enrolled_on", "exited_on"),
    "episodes": ("child_id", "removal_date", "discharge_date", "discharge_reason"),
    "placements": ("episode_id", "start_date", "end_date"),
    "permanency_plans": ("child_id",),
    "hearings": ("case_id",),
    "ftms": ("case_id",),
    "ftm_action_items": ("ftm_id", "status", "completed_on"),
    "family_time": ("child_id", "status", "cancelled_by", "duration_minutes"),
    "screenings": ("child_id", "case_id", "subject"),
    "services": ("case_id", "child_id", "referred_on", "started_on", "ended_on"),
    "maltreatment_reports": ("child_id",),
}
# What rows of the tables that others refer to must tell about themselves.
PARENT_INFO: dict[str, tuple[str, ...]] = {
    "cases": (),
    "children": ("case_id",),
    "episodes": ("child_id", "removal_date", "discharge_date"),
    "ftms": (),
}
_ROW_TYPES: dict[str, Any] = {
    name: collections.namedtuple(f"{name}_row", ["line", "id", *kept])
    for name, kept in KEPT.items()
}


@dataclass(frozen=True, slots=True)
class _Known:
    """A row another table may refer to: from the package (line) or from the database."""

    line: int | None
    in_site: bool
    info: tuple


def _ok(*values: Any) -> bool:
    return all(v is not INVALID and v is not None for v in values)


def _among(ids: list[str]) -> RawSQL:
    """`pk__in=_among(ids)`: the ids as one array parameter, not one parameter each."""
    return RawSQL("SELECT unnest(%s::text[])", (ids,))


def _chunks(items: Iterable[str]) -> Iterator[list[str]]:
    chunk: list[str] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class _Validation:
    def __init__(self, package: PackageSource, site: Any) -> None:
        self.package = package
        self.site = site
        self.errors: list[PackageError] = []
        self.tables = schema.tables_in(package.names)
        self.present: dict[str, list[Column]] = {}
        self.row_counts: dict[str, int] = {}
        self.lines: dict[str, dict[str, int]] = {}  # episodes, placements: id -> line
        self.known: dict[str, dict[str, _Known]] = {name: {} for name in PARENT_INFO}
        self.episodes_in_db: dict[str, tuple] = {}  # id -> (removal, discharge) in the site
        self.screening_case: dict[str, str] = {}  # screening id -> its case (written)
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
        for table in self.tables:
            self._table(table)
        self._placements_of_changed_episodes()
        for name, entry in manifest_files.items():
            self._manifest_entry(name, entry)

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
        rows = entry.get("rows")
        if rows is not None and name in self.row_counts and rows != self.row_counts[name]:
            self.error(
                name,
                None,
                None,
                f"the file has {self.row_counts[name]} rows but the manifest says {rows}",
            )
        sha256 = entry.get("sha256")
        if sha256 is not None and str(sha256).lower() != self.package.sha256(name):
            self.error(name, None, None, "the file's sha256 does not match the manifest")

    # -- one table

    def _table(self, table: Table) -> None:
        file = table.file_name
        row_type = _ROW_TYPES[table.name]
        kept = KEPT[table.name]

        def report(line: int, column: str | None, message: str) -> None:
            self.error(file, line, column, message)

        csv_file = _CsvFile(self.package, table, report)
        lines: dict[str, int] = {}
        rows: list[Any] = []
        id_name = table.id_column.name
        for line, values in csv_file.records():
            row_id = values.get(id_name, INVALID)
            if row_id is not INVALID:
                first = lines.get(row_id)
                if first is not None:
                    report(line, id_name, f"the id {row_id!r} is already used on line {first}")
                    continue
                lines[row_id] = line
            rows.append(row_type(line, row_id, *(values.get(name, ABSENT) for name in kept)))
        self.present[table.name] = csv_file.present
        self.row_counts[file] = csv_file.rows
        if table.name in ("episodes", "placements"):  # for the rules across tables, at the end
            self.lines[table.name] = lines

        rows = self._merge_existing(table, rows)
        self._check_references(table, rows)
        check = {
            "placements": self._check_placements,
            "screenings": self._check_screenings,
            "services": self._check_services,
        }.get(table.name)
        for row in rows:
            for column, message in _ROW_RULES.get(table.name, _no_rules)(row):
                report(row.line, column, message)
            if check is not None:
                check(row, report)
        if table.name in PARENT_INFO:
            known = self.known[table.name]
            info = PARENT_INFO[table.name]
            for row in rows:
                if row.id is not INVALID:
                    known[row.id] = _Known(row.line, True, tuple(getattr(row, f) for f in info))
        if table.name == "episodes":
            self._check_episode_overlaps(rows)

    def _merge_existing(self, table: Table, rows: list[Any]) -> list[Any]:
        """Finds which ids are already in the database: another site's is an error; for the
        site's own rows, a column the file lacks keeps the database's value."""
        kept = KEPT[table.name]
        have = {c.name for c in self.present[table.name]} | {c.name for c in table.required_columns}
        absent = [name for name in kept if name not in have]
        fetched = list(absent)
        if table.name == "episodes":  # to see which episodes change their dates
            fetched += ["removal_date", "discharge_date"]
        found: dict[str, tuple] = {}  # id -> (site id, *fetched values)
        ids = (row.id for row in rows if row.id is not INVALID)
        for chunk in _chunks(ids):
            query = table.model._default_manager.filter(pk__in=_among(chunk))
            for row_id, *values in query.values_list("pk", table.site_path, *fetched):
                found[row_id] = tuple(values)
        if table.name == "episodes":
            self.episodes_in_db = {i: v[-2:] for i, v in found.items() if v[0] == self.site.pk}
        empty = [_empty_value(table.model_field(table.column(n))) for n in absent]
        merged = []
        for row in rows:
            hit = found.get(row.id)
            if hit is not None and hit[0] != self.site.pk:
                self.error(
                    table.file_name,
                    row.line,
                    table.id_column.name,
                    f"the id {row.id!r} already belongs to a record of another site",
                )
            if absent:
                if hit is not None:
                    row = row._replace(**dict(zip(absent, hit[1:], strict=False)))
                else:
                    row = row._replace(**{n: _copy(e) for n, e in zip(absent, empty, strict=True)})
            merged.append(row)
        return merged

    def _check_references(self, table: Table, rows: list[Any]) -> None:
        for column in table.ref_columns:
            parent = schema.TABLES_BY_NAME[column.ref]  # type: ignore[index]
            known = self.known[parent.name]
            wanted = {getattr(row, column.name) for row in rows} - {INVALID, None, ABSENT}
            self._fetch_parents(parent, [v for v in wanted if v not in known])
            for row in rows:
                value = getattr(row, column.name)
                if value in (INVALID, None, ABSENT):
                    continue
                hit = known.get(value)
                if hit is None:
                    self.error(
                        table.file_name,
                        row.line,
                        column.name,
                        f"{value!r} is neither in {parent.file_name} nor already in site "
                        f"{self.site.slug!r}",
                    )
                elif not hit.in_site:
                    self.error(
                        table.file_name,
                        row.line,
                        column.name,
                        f"{value!r} belongs to another site",
                    )

    def _fetch_parents(self, parent: Table, ids: list[str]) -> None:
        known = self.known[parent.name]
        info = PARENT_INFO[parent.name]
        for chunk in _chunks(ids):
            query = parent.model._default_manager.filter(pk__in=_among(chunk))
            for row_id, site_id, *values in query.values_list("pk", parent.site_path, *info):
                known[row_id] = _Known(None, site_id == self.site.pk, tuple(values))

    # -- rules across rows and tables

    def _check_placements(self, row: Any, report: Callable) -> None:
        episode = self.known["episodes"].get(row.episode_id) if _ok(row.episode_id) else None
        if episode is None or not episode.in_site:
            return
        _child, removal, discharge = episode.info
        if _ok(row.start_date, removal) and row.start_date < removal:
            report(
                row.line,
                "start_date",
                f"the placement starts before its episode's removal date ({removal})",
            )
        if _ok(discharge):
            if _ok(row.start_date) and row.start_date > discharge:
                report(
                    row.line,
                    "start_date",
                    f"the placement starts after its episode's discharge date ({discharge})",
                )
            if _ok(row.end_date) and row.end_date > discharge:
                report(
                    row.line,
                    "end_date",
                    f"the placement ends after its episode's discharge date ({discharge})",
                )

    def _child_case(self, child_id: Any) -> str | None:
        if not _ok(child_id):
            return None
        child = self.known["children"].get(child_id)
        if child is None or not child.in_site or not _ok(child.info[0]):
            return None
        return child.info[0]

    def _check_screenings(self, row: Any, report: Callable) -> None:
        child_case = self._child_case(row.child_id)
        if _ok(row.case_id, child_case) and row.case_id != child_case:
            report(
                row.line,
                "case_id",
                f"child {row.child_id!r} is in case {child_case!r}, not {row.case_id!r}",
            )
        case: Any = row.case_id if _ok(row.case_id) else child_case
        if _ok(row.id, case):
            self.screening_case[row.id] = case

    def _check_services(self, row: Any, report: Callable) -> None:
        child_case = self._child_case(row.child_id)
        if _ok(row.case_id, child_case) and row.case_id != child_case:
            report(
                row.line,
                "child_id",
                f"child {row.child_id!r} is in case {child_case!r}, not {row.case_id!r}",
            )

    def _check_episode_overlaps(self, rows: list[Any]) -> None:
        """No two episodes of a child overlap ([removal, discharge) ranges, as the database's
        exclusion constraint has them) and a child has at most one open episode; the package's
        episodes are checked against each other and against those already in the site."""
        by_child: dict[str, list[_Span]] = collections.defaultdict(list)
        for row in rows:
            if not _ok(row.id, row.child_id, row.removal_date) or row.discharge_date is INVALID:
                continue
            if row.discharge_date is None or row.discharge_date >= row.removal_date:
                span = _Span(row.removal_date, row.discharge_date, row.id, row.line)
                by_child[row.child_id].append(span)
        in_package = self.lines["episodes"]
        for chunk in _chunks(list(by_child)):
            query = Episode.objects.filter(child_id__in=_among(chunk)).values_list(
                "id", "child_id", "removal_date", "discharge_date"
            )
            for episode_id, child_id, removal, discharge in query:
                if episode_id not in in_package:
                    by_child[child_id].append(_Span(removal, discharge, episode_id, None))
        for child_id, spans in by_child.items():
            spans.sort(key=lambda span: (span.removal, span.id))
            for i, first in enumerate(spans):
                for second in spans[i + 1 :]:
                    if _overlap(first, second):
                        self._report_overlap(child_id, first, second)

    def _report_overlap(self, child_id: str, first: _Span, second: _Span) -> None:
        """On the later episode's line, or on the package's one if the other is in the site."""
        here, other = (second, first) if second.line is not None else (first, second)
        if here.line is None:
            return
        where = f"line {other.line}" if other.line is not None else "already in the site"
        if first.discharge is None and second.discharge is None:
            message = f"child {child_id!r} has another open episode {other.id!r} ({where})"
            self.error("episodes.csv", here.line, "discharge_date", message)
        else:
            message = f"the episode overlaps episode {other.id!r} of the same child ({where})"
            self.error("episodes.csv", here.line, "removal_date", message)

    def _placements_of_changed_episodes(self) -> None:
        """An episode already in the site whose dates change must still hold the placements
        it already has (those the package does not itself change)."""
        changed = {}
        for episode_id, before in self.episodes_in_db.items():
            now = self.known["episodes"].get(episode_id)
            if now is None or now.line is None:
                continue
            _child, removal, discharge = now.info
            if _ok(removal) and discharge is not INVALID and (removal, discharge) != before:
                changed[episode_id] = (now.line, removal, discharge)
        in_package = self.lines.get("placements", {})
        for chunk in _chunks(list(changed)):
            query = Placement.objects.filter(episode_id__in=_among(chunk)).values_list(
                "id", "episode_id", "start_date", "end_date"
            )
            for placement_id, episode_id, start, end in query:
                if placement_id in in_package:
                    continue
                line, removal, discharge = changed[episode_id]
                placement = f"placement {placement_id!r}, already in the site,"
                if start < removal:
                    message = f"{placement} starts before this removal date"
                    self.error("episodes.csv", line, "removal_date", message)
                elif discharge is not None and (
                    start > discharge or (end is not None and end > discharge)
                ):
                    message = f"{placement} lies after this discharge date"
                    self.error("episodes.csv", line, "discharge_date", message)


class _Span(NamedTuple):
    removal: dt.date
    discharge: dt.date | None
    id: str
    line: int | None  # None: already in the site


def _overlap(a: _Span, b: _Span) -> bool:
    if a.discharge == a.removal or b.discharge == b.removal:  # an empty range overlaps nothing
        return False
    return (b.discharge is None or a.removal < b.discharge) and (
        a.discharge is None or b.removal < a.discharge
    )


# --- rules within one row ------------------------------------------------------------------


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


# --- writing ---------------------------------------------------------------------------------


def _write(
    package: PackageSource, site: Any, validation: _Validation, result: ImportResult, *, actor: Any
) -> None:
    table: Table | None = None
    try:
        with transaction.atomic():
            for table in validation.tables:
                result.counts[table.name] = _upsert(package, site, table, validation)
            if result.dry_run:
                transaction.set_rollback(True)
            else:
                audit_log(
                    actor=actor,
                    action="import",
                    record_type="data_package",
                    site_id=site.pk,
                    detail={"tables": {n: c.as_dict() for n, c in result.counts.items()}},
                )
    except DatabaseError as exc:
        file = table.file_name if table is not None else schema.MANIFEST
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        result.errors = [
            PackageError(file, None, None, f"the database refused the rows: {message}")
        ]
        result.counts = {}


def _upsert(
    package: PackageSource, site: Any, table: Table, validation: _Validation
) -> TableCounts:
    """COPY the file into a temporary table, then one INSERT ... ON CONFLICT (id) DO UPDATE that
    rewrites only the rows whose written columns differ; returns the counts."""
    meta = table.model._meta

    def qn(f: models.Field) -> str:
        return connection.ops.quote_name(cast(str, f.column))

    # The model fields written, each with how to get its value from a record's values.
    written: list[tuple[models.Field, Callable[[dict], Any]]] = [
        (table.model_field(c), operator.itemgetter(c.name)) for c in validation.present[table.name]
    ]
    if table.name == "cases":
        written.append((model_field(table.model, "site"), lambda values: site.pk))
    if table.name == "screenings":  # the case given, or else the child's (found by validation)
        written = [(f, get) for f, get in written if f.name != "case"]
        cases = validation.screening_case
        written.append((model_field(table.model, "case"), lambda v: cases[v["screening_id"]]))
    fields = [f for f, _ in written]
    getters = [get for _, get in written]
    # Every other column of a new row takes the model's default; created_at/updated_at: now.
    defaults = [
        f
        for f in meta.local_concrete_fields
        if f not in fields and f.name not in ("created_at", "updated_at")
    ]
    updated = [f for f in fields if not f.primary_key and f.name != "site"]

    # Identifiers only (quoted names of our own tables and columns); every value is a parameter.
    temp = connection.ops.quote_name(f"_package_{table.name}")
    target = connection.ops.quote_name(meta.db_table)
    columns = ", ".join(qn(f) for f in fields)
    select = ", ".join(
        [
            *(f"s.{qn(f)}" for f in fields),
            *(f"CAST(%s AS {f.db_type(connection)})" for f in defaults),
        ]
    )
    drop_temp = f"DROP TABLE IF EXISTS {temp}"
    create_temp = (
        f"CREATE TEMPORARY TABLE {temp} ON COMMIT DROP AS "  # noqa: S608
        f"SELECT {columns} FROM {target} WITH NO DATA"
    )
    copy_temp = f"COPY {temp} ({columns}) FROM STDIN"
    count_existing = f"SELECT count(*) FROM {temp} JOIN {target} USING (id)"  # noqa: S608
    upsert = (
        f"WITH changed AS ("  # noqa: S608
        f" INSERT INTO {target} AS t"
        f" ({', '.join(qn(f) for f in [*fields, *defaults])}, created_at, updated_at)"
        f" SELECT {select}, %s, %s FROM {temp} s"
        f" ON CONFLICT (id) DO UPDATE"
        f" SET {', '.join(f'{qn(f)} = EXCLUDED.{qn(f)}' for f in updated)},"
        f" updated_at = EXCLUDED.updated_at"
        f" WHERE ROW({', '.join(f't.{qn(f)}' for f in updated)})"
        f" IS DISTINCT FROM ROW({', '.join(f'EXCLUDED.{qn(f)}' for f in updated)})"
        f" RETURNING 1"
        f") SELECT count(*) FROM changed"
    )
    params = [f.get_db_prep_save(f.get_default(), connection) for f in defaults]
    now = timezone.now()  # as Django's auto_now would have it: the application's clock

    counts = TableCounts()
    with connection.cursor() as cursor:
        cursor.execute(drop_temp)
        cursor.execute(create_temp)
        csv_file = _CsvFile(package, table, None)
        with cursor.cursor.copy(copy_temp) as copy:
            for _line, values in csv_file.records():
                copy.write_row([get(values) for get in getters])
        counts.rows = csv_file.rows
        cursor.execute(count_existing)
        existing = cursor.fetchone()[0]
        cursor.execute(upsert, [*params, now, now])
        changed = cursor.fetchone()[0]
        cursor.execute(drop_temp)
    counts.created = counts.rows - existing
    counts.updated = changed - counts.created
    counts.unchanged = existing - counts.updated
    return counts
