"""Exporting a site as a data package (`export_package`, DATA_PACKAGE.md), and its round trip."""

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from cases.package import schema
from cases.package.exporter import pseudonym, site_pseudonym_key
from cases.package.importer import import_package
from safebabies.audit.models import AuditEvent
from tests import factories as f
from tests.packages.build import VALID, write_package

NOW = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)


def read_zip(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rows_of(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def export(site, out: Path, *extra: str) -> Path:
    call_command(
        "export_package", "--site", site.slug, "--out", str(out), *extra, stdout=io.StringIO()
    )
    (path,) = sorted(out.glob("*.zip"))
    return path


@pytest.fixture
def imported(site, tmp_path):
    """The site after importing the test package with a row in every table."""
    result = import_package(write_package(tmp_path / "in", VALID), site=site)
    assert result.ok, result.errors
    return site


@time_machine.travel(NOW, tick=False)
def test_export_writes_every_table_and_a_manifest_with_counts_and_hashes(imported, tmp_path):
    path = export(imported, tmp_path / "out", "--as-of", "2026-11-20")

    assert path.name == "safebabies-north-2026-11-20.zip"
    files = read_zip(path)
    manifest = json.loads(files[schema.MANIFEST])
    assert manifest["format"] == schema.FORMAT
    assert manifest["version"] == schema.VERSION
    assert manifest["site"] == "north"
    assert manifest["as_of"] == "2026-11-20"
    assert manifest["deidentified"] is False
    assert dt.datetime.fromisoformat(manifest["generated_at"]) == NOW
    assert set(manifest["files"]) == {t.file_name for t in schema.TABLES}
    for name, entry in manifest["files"].items():
        assert entry["rows"] == len(rows_of(files[name]))
        assert entry["sha256"] == hashlib.sha256(files[name]).hexdigest()


def test_export_gives_back_the_rows_and_ids_that_were_imported(imported, tmp_path):
    files = read_zip(export(imported, tmp_path / "out"))

    for name, rows in VALID.items():
        table = schema.TABLES_BY_NAME[name]
        exported = rows_of(files[table.file_name])
        expected = sorted(
            ({c: row.get(c, "") for c in table.column_names} for row in rows),
            key=lambda r: r[table.id_column.name],
        )
        for row in expected:  # a screening given by child only belongs to the child's case
            if name == "screenings" and not row["case_id"]:
                row["case_id"] = "case-1"
        assert exported == expected, name


def test_export_then_import_into_an_empty_site_then_export_gives_identical_files(
    imported, tmp_path
):
    first = export(imported, tmp_path / "first", "--as-of", "2026-11-20")
    with connection.cursor() as cursor:  # an empty installation: every case record goes
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE cases_case CASCADE")
    assert all(
        not rows_of(data)
        for name, data in read_zip(export(imported, tmp_path / "empty")).items()
        if name != schema.MANIFEST
    )

    result = import_package(first, site=imported)
    assert result.ok, result.errors
    second = export(imported, tmp_path / "second", "--as-of", "2026-11-20")

    a, b = read_zip(first), read_zip(second)
    assert set(a) == set(b)
    for name in a:
        if name == schema.MANIFEST:
            ma, mb = json.loads(a[name]), json.loads(b[name])
            ma.pop("generated_at"), mb.pop("generated_at")
            assert ma == mb
        else:
            assert a[name] == b[name], name


def test_a_site_exports_only_its_own_records(imported, other_site, tmp_path):
    f.ChildFactory(case=f.CaseFactory(site=other_site))

    files = read_zip(export(imported, tmp_path / "out"))

    assert [r["case_id"] for r in rows_of(files["cases.csv"])] == ["case-1"]
    assert [r["child_id"] for r in rows_of(files["children.csv"])] == ["child-1"]


def test_deidentified_export_has_no_names_no_free_text_and_month_cut_birth_dates(
    imported, tmp_path
):
    files = read_zip(export(imported, tmp_path / "out", "--deidentified"))

    manifest = json.loads(files[schema.MANIFEST])
    assert manifest["deidentified"] is True
    (child,) = rows_of(files["children.csv"])
    assert "given_name" not in child and "family_name" not in child
    assert child["birth_date"] == "2025-06-01"  # imported as 2025-06-10
    placements = rows_of(files["placements.csv"])
    assert placements and all("end_reason" not in p for p in placements)
    everything = b"".join(files.values())
    for text in (b"Ana", b"Lopez", b"moved to kin", b"case-1", b"child-1"):
        assert text not in everything


def test_deidentified_ids_are_stable_keyed_pseudonyms_that_still_link_the_tables(
    imported, tmp_path
):
    first = read_zip(export(imported, tmp_path / "a", "--deidentified"))
    second = read_zip(export(imported, tmp_path / "b", "--deidentified"))

    assert first["children.csv"] == second["children.csv"]
    key = site_pseudonym_key(imported)
    (case,) = rows_of(first["cases.csv"])
    (child,) = rows_of(first["children.csv"])
    assert case["case_id"] == pseudonym(key, "case-1")
    assert child["child_id"] == pseudonym(key, "child-1")
    assert child["case_id"] == case["case_id"]
    assert {e["child_id"] for e in rows_of(first["episodes.csv"])} == {child["child_id"]}


def test_pseudonyms_depend_on_the_site_secret(imported, settings):
    key = site_pseudonym_key(imported)
    settings.EXPORT_PSEUDONYM_SECRET = "another secret entirely"

    assert pseudonym(site_pseudonym_key(imported), "case-1") != pseudonym(key, "case-1")


def test_a_deidentified_package_is_a_valid_package(imported, tmp_path):
    path = export(imported, tmp_path / "out", "--deidentified")

    result = import_package(path, site=imported, dry_run=True)

    assert result.ok, result.errors


def test_the_export_command_is_audited(imported, tmp_path):
    export(imported, tmp_path / "out")

    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.site_id == imported.pk
    assert event.detail["file"].startswith("safebabies-north-")


def test_the_export_command_names_a_bad_argument(site, tmp_path):
    with pytest.raises(CommandError, match="--site"):
        call_command("export_package", "--site", "nowhere", "--out", str(tmp_path))
    with pytest.raises(CommandError, match="--as-of"):
        call_command(
            "export_package", "--site", "north", "--as-of", "20-11-2026", "--out", str(tmp_path)
        )
    assert not list(tmp_path.iterdir())


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_export_reads_one_read_only_snapshot(site, tmp_path):
    assert import_package(write_package(tmp_path / "in", VALID), site=site).ok
    assert not connection.in_atomic_block

    files = read_zip(export(site, tmp_path / "out"))

    assert [r["case_id"] for r in rows_of(files["cases.csv"])] == ["case-1"]
    assert not connection.in_atomic_block
