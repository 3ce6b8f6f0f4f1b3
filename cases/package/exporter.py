"""Exporting a site as a data package (DATA_PACKAGE.md): the exact format the importer reads.

`export_package(site=, out_dir=, as_of=, deidentified=)` writes `safebabies-<site>-<as_of>.zip`
holding one CSV per table of `schema.TABLES` and `manifest.json` (row counts and SHA-256 of each
file). It streams: rows come from a server-side cursor (`.iterator(chunk_size=...)`) and each CSV
row goes straight into the zip, so memory stays bounded whatever the size of the site. The zip
is written under a temporary name and renamed when complete, so a reader never sees half a file.

All tables are read from one snapshot (a read-only REPEATABLE READ transaction). Rows are
ordered by id, so exporting the same records twice gives byte-identical CSV files, and
export -> import into an empty site -> export gives the same files (only `generated_at` differs).

A de-identified package (the national export) has:
- every id (own and referenced) replaced by a keyed pseudonym, HMAC-SHA256 of the id under a
  per-site key derived from `settings.EXPORT_PSEUDONYM_SECRET` and the site's slug: stable from
  one export to the next, not reversible without the secret;
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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from cases.access import part2_screening_q, part2_service_q
from cases.package import schema
from cases.package.schema import TABLES, Column, Kind, Table
from safebabies.identity.models import Site

CHUNK_SIZE = 2000  # rows fetched per round trip of the server-side cursor
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
    key = site_pseudonym_key(site) if deidentified else b""
    try:
        with (
            _snapshot(),
            zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        ):
            for table in TABLES:
                result.files[table.file_name] = _write_table(
                    archive, table, site, deidentified=deidentified, key=key
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
            # Every row of each cursor is read: plan for all of them, not for the first few
            # (PostgreSQL's default for a cursor). 20,000 cases, 1.47 M rows: 15.1-16.3 s
            # before, 12.9-13.7 s after; a COPY of every table takes 3.2 s on the same machine.
            cursor.execute("SET LOCAL cursor_tuple_fraction = 1.0")
        yield


class _HashingWriter(io.RawIOBase):
    """Passes bytes on to the zip entry while hashing them."""

    def __init__(self, target: Any) -> None:
        self.target = target
        self.digest = hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.digest.update(data)
        self.target.write(data)
        return len(data)


def _write_table(
    archive: zipfile.ZipFile, table: Table, site: Site, *, deidentified: bool, key: bytes
) -> dict[str, Any]:
    columns = export_columns(table, deidentified=deidentified)
    cells = [_cell_function(c, deidentified=deidentified, key=key) for c in columns]
    rows = 0
    with archive.open(table.file_name, "w", force_zip64=True) as entry:
        hashing = _HashingWriter(entry)
        text = io.TextIOWrapper(io.BufferedWriter(hashing, 1 << 16), encoding="utf-8", newline="")
        # Deliberately NOT `safebabies.lib.csvsafe`: the package is a machine format that
        # `import_package` reads back, and must round-trip byte for byte (SECURITY.md).
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow([c.name for c in columns])
        for values in _rows(table, site, columns, deidentified=deidentified):
            writer.writerow([cell(v) for cell, v in zip(cells, values, strict=True)])
            rows += 1
        text.flush()
        text.detach().flush()
    return {"rows": rows, "sha256": hashing.digest.hexdigest()}


def _rows(
    table: Table, site: Site, columns: tuple[Column, ...], *, deidentified: bool = False
) -> Iterator[tuple]:
    query = table.model._default_manager.filter(**{table.site_path: site.pk})
    if deidentified and table.name in PART2_ROWS:
        # Substance-use treatment records (42 CFR Part 2) leave the site only with the
        # patient's consent: the national export has none of them.
        query = query.exclude(PART2_ROWS[table.name]())
    rows = query.order_by("pk").values_list(*[c.field for c in columns])
    return cast(Iterator[tuple], rows.iterator(chunk_size=CHUNK_SIZE))


PART2_ROWS = {"screenings": part2_screening_q, "services": part2_service_q}


def _cell_function(column: Column, *, deidentified: bool, key: bytes) -> Callable[[Any], str]:
    if deidentified and column.kind in (Kind.ID, Kind.REF):
        return lambda v: "" if v is None else pseudonym(key, v)
    if deidentified and column.name == "birth_date":
        return lambda v: column.to_cell(None if v is None else v.replace(day=1))
    return column.to_cell
