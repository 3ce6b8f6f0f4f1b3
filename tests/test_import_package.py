"""Importing a data package (`import_package`, DATA_PACKAGE.md "Rules on import")."""

import csv
import datetime as dt
import io
import json
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import Screening, Service
from cases import models as m
from cases.package import importer, schema
from cases.package.importer import ImportResult, import_package
from familytime.models import Visit
from safebabies.audit.models import AuditEvent
from teams.models import Ftm, FtmActionItem
from tests import factories as f
from tests.packages.build import VALID, valid, write_package, zip_folder

MODELS = [
    m.Case,
    m.Child,
    m.Episode,
    m.Placement,
    m.PermanencyPlan,
    m.Hearing,
    Ftm,
    FtmActionItem,
    Visit,
    Screening,
    Service,
    m.MaltreatmentReport,
]

Tables = dict[str, list[dict[str, str]]]


def run(
    tmp_path: Path, site, tables: Tables, *, dry_run=False, name="pkg", **options
) -> ImportResult:
    return import_package(
        write_package(tmp_path / name, tables, **options), site=site, dry_run=dry_run
    )


def where(result: ImportResult) -> set[tuple]:
    return {(e.file, e.line, e.column) for e in result.errors}


def rows_in_database() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def stamps() -> dict[tuple[str, str], dt.datetime]:
    return {
        (model.__name__, pk): updated
        for model in MODELS
        for pk, updated in model.objects.values_list("pk", "updated_at")
    }


def edit(table: str, index: int, **cells: str) -> Callable[[Tables], None]:
    def change(tables: Tables) -> None:
        tables[table][index].update(cells)

    return change


def add(table: str, **cells: str) -> Callable[[Tables], None]:
    def change(tables: Tables) -> None:
        tables[table].append(dict.fromkeys(tables[table][0], "") | cells)

    return change


def both(*changes: Callable[[Tables], None]) -> Callable[[Tables], None]:
    def change(tables: Tables) -> None:
        for one in changes:
            one(tables)

    return change


def drop_column(table: str, column: str) -> Callable[[Tables], None]:
    def change(tables: Tables) -> None:
        for row in tables[table]:
            row.pop(column)

    return change


CASE_2 = add("cases", case_id="case-2", opened_on="2026-01-05")
DISCHARGED = edit("episodes", 0, discharge_date="2026-03-01", discharge_reason="reunification")

# (rule, change to the valid package, where the error must be, words of its message)
RULES = [
    ("bad code", edit("children", 0, sex="boy"), ("children.csv", 2, "sex"), "not a code of sex"),
    (
        "bad code in a list",
        edit("episodes", 0, reasons="neglect;poverty"),
        ("episodes.csv", 2, "reasons"),
        "'poverty' is not a code of reasons",
    ),
    (
        "bad role code",
        edit("ftms", 0, attendee_roles="caseworker;friend"),
        ("ftms.csv", 2, "attendee_roles"),
        "not a code",
    ),
    (
        "bad date",
        edit("episodes", 0, removal_date="2026-02-30"),
        ("episodes.csv", 2, "removal_date"),
        "not a date",
    ),
    (
        "date not in YYYY-MM-DD",
        edit("hearings", 0, scheduled_on="01/06/2026"),
        ("hearings.csv", 2, "scheduled_on"),
        "not a date (YYYY-MM-DD)",
    ),
    (
        "bad boolean",
        edit("ftms", 0, parent_attended="yes"),
        ("ftms.csv", 2, "parent_attended"),
        "not a boolean",
    ),
    (
        "boolean in capitals",
        edit("services", 0, evidence_based="TRUE"),
        ("services.csv", 2, "evidence_based"),
        "not a boolean",
    ),
    (
        "bad number",
        edit("family_time", 0, duration_minutes="ninety"),
        ("family_time.csv", 2, "duration_minutes"),
        "not a whole number",
    ),
    (
        "bad id",
        edit("children", 0, child_id="child 1"),
        ("children.csv", 2, "child_id"),
        "not a valid id",
    ),
    (
        "bad id in a reference",
        edit("placements", 1, episode_id="ep/1"),
        ("placements.csv", 3, "episode_id"),
        "not a valid id",
    ),
    (
        "missing required value",
        edit("hearings", 0, status=""),
        ("hearings.csv", 2, "status"),
        "a value is required",
    ),
    (
        "missing required id",
        edit("permanency_plans", 0, plan_id=""),
        ("permanency_plans.csv", 2, "plan_id"),
        "a value is required",
    ),
    (
        "duplicate id",
        edit("placements", 1, placement_id="pl-1"),
        ("placements.csv", 3, "placement_id"),
        "already used on line 2",
    ),
    (
        "missing parent row",
        edit("placements", 1, episode_id="ep-9"),
        ("placements.csv", 3, "episode_id"),
        "'ep-9' is neither in episodes.csv nor already in site",
    ),
    (
        "missing parent file",
        lambda tables: tables.pop("cases"),
        ("children.csv", 2, "case_id"),
        "neither in cases.csv nor already in site 'north'",
    ),
    (
        "placement starts before removal",
        edit("placements", 0, start_date="2026-01-03"),
        ("placements.csv", 2, "start_date"),
        "starts before its episode's removal date (2026-01-04)",
    ),
    (
        "placement starts after discharge",
        both(DISCHARGED, edit("placements", 1, start_date="2026-03-02")),
        ("placements.csv", 3, "start_date"),
        "starts after its episode's discharge date",
    ),
    (
        "placement ends after discharge",
        both(DISCHARGED, edit("placements", 1, end_date="2026-03-05")),
        ("placements.csv", 3, "end_date"),
        "ends after its episode's discharge date (2026-03-01)",
    ),
    (
        "placement ends before it starts",
        edit("placements", 0, end_date="2026-01-02"),
        ("placements.csv", 2, "end_date"),
        "ends before it starts",
    ),
    (
        "discharge before removal",
        edit("episodes", 0, discharge_date="2026-01-01", discharge_reason="reunification"),
        ("episodes.csv", 2, "discharge_date"),
        "discharge date is before the removal date",
    ),
    (
        "discharge date without reason",
        edit("episodes", 0, discharge_date="2026-03-01"),
        ("episodes.csv", 2, "discharge_reason"),
        "a discharge date needs a discharge reason",
    ),
    (
        "discharge reason without date",
        edit("episodes", 0, discharge_reason="reunification"),
        ("episodes.csv", 2, "discharge_date"),
        "a discharge reason needs a discharge date",
    ),
    (
        "overlapping episodes",
        add(
            "episodes",
            episode_id="ep-0",
            child_id="child-1",
            removal_date="2025-12-01",
            discharge_date="2026-01-10",
            discharge_reason="reunification",
        ),
        ("episodes.csv", 2, "removal_date"),
        "overlaps episode 'ep-0' of the same child (line 3)",
    ),
    (
        "second open episode",
        add("episodes", episode_id="ep-0", child_id="child-1", removal_date="2025-12-01"),
        ("episodes.csv", 2, "discharge_date"),
        "another open episode 'ep-0'",
    ),
    (
        "service started before referral",
        edit("services", 0, started_on="2026-01-19"),
        ("services.csv", 2, "started_on"),
        "starts before it was referred",
    ),
    (
        "service ended before it started",
        edit("services", 0, ended_on="2026-02-01"),
        ("services.csv", 2, "ended_on"),
        "ends before it started",
    ),
    (
        "service ended before referral",
        edit("services", 0, started_on="", ended_on="2026-01-19"),
        ("services.csv", 2, "ended_on"),
        "ends before it was referred",
    ),
    (
        "action item done without completed_on",
        edit("ftm_action_items", 0, completed_on=""),
        ("ftm_action_items.csv", 2, "completed_on"),
        "done needs completed_on",
    ),
    (
        "cancelled visit without cancelled_by",
        edit("family_time", 1, cancelled_by=""),
        ("family_time.csv", 3, "cancelled_by"),
        "a cancelled visit needs cancelled_by",
    ),
    (
        "cancelled_by on a visit that was held",
        edit("family_time", 0, cancelled_by="parent"),
        ("family_time.csv", 2, "cancelled_by"),
        "only given for a cancelled visit",
    ),
    (
        "negative duration",
        edit("family_time", 0, duration_minutes="-30"),
        ("family_time.csv", 2, "duration_minutes"),
        "cannot be negative",
    ),
    (
        "case closed before opened",
        edit("cases", 0, closed_on="2026-01-01"),
        ("cases.csv", 2, "closed_on"),
        "closed before it was opened",
    ),
    (
        "child exits before enrolment",
        edit("children", 0, exited_on="2026-01-01"),
        ("children.csv", 2, "exited_on"),
        "exits before being enrolled",
    ),
    (
        "screening with neither child nor case",
        edit("screenings", 0, child_id="", subject="parent", instrument="epds"),
        ("screenings.csv", 2, "child_id"),
        "needs child_id or case_id",
    ),
    (
        "screening of a child without the child",
        both(
            edit("screenings", 0, child_id=""),
            lambda t: t["screenings"][0].update(case_id="case-1"),
        ),
        ("screenings.csv", 2, "child_id"),
        "a screening of a child needs child_id",
    ),
    (
        "screening case that is not the child's",
        both(CASE_2, lambda t: t["screenings"][0].update(case_id="case-2")),
        ("screenings.csv", 2, "case_id"),
        "child 'child-1' is in case 'case-1', not 'case-2'",
    ),
    (
        "service child of another case",
        both(CASE_2, edit("services", 0, case_id="case-2")),
        ("services.csv", 2, "child_id"),
        "child 'child-1' is in case 'case-1', not 'case-2'",
    ),
    (
        "text longer than the field",
        edit("children", 0, given_name="A" * 101),
        ("children.csv", 2, "given_name"),
        "longer than 100 characters",
    ),
    (
        "unknown column",
        edit("children", 0, nickname="Ani"),
        ("children.csv", 1, "nickname"),
        "unknown column",
    ),
    (
        "missing required column",
        drop_column("children", "birth_date"),
        ("children.csv", 1, "birth_date"),
        "a required column is missing",
    ),
]


@pytest.mark.parametrize(
    ("change", "location", "words"), [r[1:] for r in RULES], ids=[r[0] for r in RULES]
)
def test_a_broken_rule_is_reported_where_it_is_and_nothing_is_written(
    site, tmp_path, change, location, words
):
    tables = valid()
    change(tables)

    result = run(tmp_path, site, tables)

    assert location in where(result), [str(e) for e in result.errors]
    assert any(words in e.message for e in result.errors if (e.file, e.line, e.column) == location)
    assert not result.counts
    assert set(rows_in_database().values()) == {0}


def test_a_valid_package_with_every_table_imports_with_its_ids(site, tmp_path):
    result = run(tmp_path, site, valid())

    assert result.ok, result.errors
    assert {name: c.created for name, c in result.counts.items()} == {
        name: len(rows) for name, rows in VALID.items()
    }
    case = m.Case.objects.get(pk="case-1")
    assert case.site == site
    assert case.opened_on == dt.date(2026, 1, 5)
    assert case.name == ""
    child = m.Child.objects.get(pk="child-1")
    assert (child.case_id, child.race, child.icwa, child.exited_on) == (
        "case-1",
        ["black", "white"],
        "does_not_apply",
        None,
    )
    assert (child.given_name, child.family_name) == ("Ana", "Lopez")
    episode = m.Episode.objects.get(pk="ep-1")
    assert episode.reasons == ["neglect", "parent_drugs"]
    assert (episode.discharge_date, episode.discharge_reason) == (None, "")
    assert list(m.Placement.objects.filter(episode=episode).values_list("pk", flat=True)) == [
        "pl-1",
        "pl-2",
    ]
    assert m.Placement.objects.get(pk="pl-1").end_reason == "moved to kin"
    assert m.PermanencyPlan.objects.get(pk="plan-1").concurrent_goal == "relative"
    assert m.Hearing.objects.get(pk="hr-1").status == "held"
    ftm = Ftm.objects.get(pk="ftm-1")
    assert (ftm.case_id, ftm.parent_attended, ftm.parent_mentor_attended) == ("case-1", True, False)
    assert ftm.attendee_roles == ["caseworker", "parent_mentor"]
    assert FtmActionItem.objects.get(pk="ai-1").completed_on == dt.date(2026, 1, 30)
    assert FtmActionItem.objects.get(pk="ai-2").owner_role == ""
    assert Visit.objects.get(pk="ft-1").duration_minutes == 90
    assert (
        Visit.objects.get(pk="ft-2").cancelled_by,
        Visit.objects.get(pk="ft-2").supervision,
    ) == ("agency", "")
    screening = Screening.objects.get(pk="scr-1")
    assert (screening.case_id, screening.child_id, screening.referral_made) == (
        "case-1",
        "child-1",
        False,
    )
    service = Service.objects.get(pk="svc-1")
    assert (service.child_id, service.evidence_based, service.started_on) == (
        "child-1",
        True,
        dt.date(2026, 2, 3),
    )
    assert m.MaltreatmentReport.objects.get(pk="mr-1").disposition == "substantiated"


def test_importing_the_same_package_twice_changes_nothing_the_second_time(site, tmp_path):
    path = write_package(tmp_path / "pkg", valid(), manifest=True)
    assert import_package(path, site=site, dry_run=False).ok
    before, counted = stamps(), rows_in_database()

    again = import_package(path, site=site, dry_run=False)

    assert again.ok, again.errors
    assert {name: (c.created, c.updated, c.unchanged) for name, c in again.counts.items()} == {
        name: (0, 0, len(rows)) for name, rows in VALID.items()
    }
    assert stamps() == before
    assert rows_in_database() == counted


def test_a_changed_row_is_updated_and_only_that_row(site, tmp_path):
    assert run(tmp_path, site, valid(), name="first").ok
    before = stamps()
    tables = valid()
    tables["family_time"][0]["duration_minutes"] = "60"

    result = run(tmp_path, site, tables, name="second")

    assert result.ok, result.errors
    counts = result.counts["family_time"]
    assert (counts.created, counts.updated, counts.unchanged) == (0, 1, 1)
    assert Visit.objects.get(pk="ft-1").duration_minutes == 60
    after = stamps()
    assert after[("Visit", "ft-1")] > before[("Visit", "ft-1")]
    assert {k: v for k, v in after.items() if k != ("Visit", "ft-1")} == {
        k: v for k, v in before.items() if k != ("Visit", "ft-1")
    }


def test_a_column_the_package_lacks_keeps_what_the_site_has(site, tmp_path):
    assert run(tmp_path, site, valid(), name="first").ok
    tables = valid()
    drop_column("children", "given_name")(tables)
    drop_column("children", "family_name")(tables)
    tables["children"][0]["sex"] = "unknown"

    result = run(tmp_path, site, {"children": tables["children"]}, name="second")

    assert result.ok, result.errors
    child = m.Child.objects.get(pk="child-1")
    assert (child.given_name, child.family_name, child.sex) == ("Ana", "Lopez", "unknown")


def test_a_new_row_takes_the_default_for_a_column_the_package_lacks(site, tmp_path):
    tables = valid()
    drop_column("children", "icwa")(tables)
    drop_column("cases", "enrollment")(tables)

    result = run(tmp_path, site, tables)

    assert result.ok, result.errors
    assert m.Child.objects.get(pk="child-1").icwa == "unknown"
    assert m.Case.objects.get(pk="case-1").enrollment == "out_of_home"


def test_one_bad_row_writes_nothing_and_says_file_line_and_column(site, tmp_path):
    tables = valid()
    tables["family_time"][1]["scheduled_on"] = "2026-1-14"

    result = run(tmp_path, site, tables)

    assert [str(e) for e in result.errors] == [
        "family_time.csv:3:scheduled_on: '2026-1-14' is not a date (YYYY-MM-DD)"
    ]
    assert set(rows_in_database().values()) == {0}
    assert not AuditEvent.objects.filter(action="import").exists()


def test_every_error_of_the_package_is_listed_in_file_order(site, tmp_path):
    tables = valid()
    tables["services"][0]["status"] = "ongoing"
    tables["children"][0]["sex"] = "boy"
    tables["children"][0]["birth_date"] = "yesterday"
    tables["cases"][0]["enrollment"] = ""  # an optional code left empty is fine

    result = run(tmp_path, site, tables)

    assert [(e.file, e.line, e.column) for e in result.errors] == [
        ("children.csv", 2, "birth_date"),
        ("children.csv", 2, "sex"),
        ("services.csv", 2, "status"),
    ]


def test_a_row_with_the_wrong_number_of_cells_is_an_error(site, tmp_path):
    folder = write_package(tmp_path / "pkg", {"cases": VALID["cases"]})
    path = folder / "cases.csv"
    path.write_text(path.read_text() + "case-2,2026-01-05\n")

    result = import_package(folder, site=site, dry_run=False)

    assert [str(e) for e in result.errors] == [
        "cases.csv:3:-: the row has 2 cells; the header has 4"
    ]


def test_line_numbers_count_the_lines_of_a_quoted_cell_that_spans_lines(site, tmp_path):
    tables = valid()
    tables["placements"][0]["end_reason"] = "moved\nto kin"
    tables["placements"][1]["setting"] = "kennel"

    result = run(tmp_path, site, tables)

    assert where(result) == {("placements.csv", 4, "setting")}


def test_a_file_that_is_not_utf8_is_an_error(site, tmp_path):
    folder = write_package(tmp_path / "pkg", {"cases": VALID["cases"]})
    text = "case_id,opened_on\ncase-1,2026-01-05\ncaso-ñ,2026-01-05\n"
    (folder / "cases.csv").write_bytes(text.encode("latin-1"))

    result = import_package(folder, site=site, dry_run=False)

    assert [str(e) for e in result.errors] == [
        "cases.csv:3:-: the line is not UTF-8 text; the rest of the file was not read"
    ]
    assert m.Case.objects.count() == 0


def test_a_byte_order_mark_is_allowed(site, tmp_path):
    folder = write_package(tmp_path / "pkg", {"cases": VALID["cases"]})
    path = folder / "cases.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))

    result = import_package(folder, site=site, dry_run=False)

    assert result.ok, result.errors
    assert m.Case.objects.filter(pk="case-1").exists()


def test_a_csv_that_is_not_a_table_is_an_error(site, tmp_path):
    folder = write_package(tmp_path / "pkg", valid())
    (folder / "notes.csv").write_text("id,text\n1,hello\n")

    result = import_package(folder, site=site, dry_run=False)

    assert where(result) == {("notes.csv", None, None)}
    assert "not a table of the data package" in result.errors[0].message
    assert m.Case.objects.count() == 0


def test_an_empty_folder_is_an_error(site, tmp_path):
    (tmp_path / "empty").mkdir()

    result = import_package(tmp_path / "empty", site=site, dry_run=False)

    assert [e.message for e in result.errors] == ["the package holds no CSV file"]


def test_a_path_that_does_not_exist_is_an_error(site, tmp_path):
    result = import_package(tmp_path / "nowhere.zip", site=site, dry_run=False)

    assert not result.ok
    assert "does not exist" in result.errors[0].message


# --- the declaration the export shares ------------------------------------------------------


def test_tables_are_declared_parent_first_and_each_column_maps_to_a_model_field():
    declared: set[str] = set()
    for table in schema.TABLES:
        for column in table.columns:
            assert table.model_field(column).attname == column.field
            if column.kind is schema.Kind.REF:
                assert column.ref in declared, f"{table.name}.{column.name} before {column.ref}"
            if column.kind in (schema.Kind.CODE, schema.Kind.LIST):
                assert column.codes is not None
        declared.add(table.name)
    assert [t.file_name for t in schema.TABLES] == [f"{name}.csv" for name in VALID]


SAMPLES = {
    schema.Kind.ID: "child-1",
    schema.Kind.REF: "case:2026.7",
    schema.Kind.DATE: dt.date(2026, 2, 28),
    schema.Kind.BOOL: False,
    schema.Kind.INT: 45,
    schema.Kind.TEXT: 'moved, with "quotes"',
}


@pytest.mark.parametrize(
    "column",
    [c for t in schema.TABLES for c in t.columns],
    ids=[f"{t.name}.{c.name}" for t in schema.TABLES for c in t.columns],
)
def test_a_cell_reads_back_as_the_value_it_was_written_from(column):
    if column.kind is schema.Kind.CODE:
        value = column.codes.values[-1]
    elif column.kind is schema.Kind.LIST:
        value = column.codes.values[:2]
    else:
        value = SAMPLES[column.kind]

    assert column.from_cell(column.to_cell(value)) == value
    assert column.to_cell(None) == ""


# --- zip and folder --------------------------------------------------------------------------


def test_a_zip_imports_like_the_folder(site, tmp_path):
    folder = write_package(tmp_path / "pkg", valid(), manifest=True)
    archive = zip_folder(folder, tmp_path / "safebabies-north-2026-03-01.zip")

    result = import_package(archive, site=site, dry_run=False)

    assert result.ok, result.errors
    assert rows_in_database() == {
        model.__name__: len(VALID[name]) for model, name in zip(MODELS, VALID, strict=True)
    }


def test_a_zip_of_the_folder_itself_is_read_from_inside_the_folder(site, tmp_path):
    import zipfile

    folder = write_package(tmp_path / "pkg", valid(), manifest=True)
    archive = tmp_path / "package.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for path in folder.iterdir():
            out.write(path, f"safebabies-north-2026-03-01/{path.name}")

    result = import_package(archive, site=site, dry_run=False)

    assert result.ok, result.errors
    assert m.Child.objects.filter(pk="child-1").exists()


def test_a_file_that_is_not_a_zip_is_an_error(site, tmp_path):
    bogus = tmp_path / "package.zip"
    bogus.write_text("not a zip")

    result = import_package(bogus, site=site, dry_run=False)

    assert [e.file for e in result.errors] == ["package.zip"]
    assert "not a readable zip file" in result.errors[0].message


# --- dry run ---------------------------------------------------------------------------------


def test_a_dry_run_writes_nothing_but_says_what_an_import_would_do(site, tmp_path):
    result = run(tmp_path, site, valid(), dry_run=True)

    assert result.ok, result.errors
    assert result.dry_run
    assert result.counts["placements"].created == 2
    assert set(rows_in_database().values()) == {0}
    assert not AuditEvent.objects.filter(action="import").exists()


def test_a_dry_run_reports_errors_too(site, tmp_path):
    tables = valid()
    tables["cases"][0]["opened_on"] = "soon"

    result = run(tmp_path, site, tables, dry_run=True)

    assert where(result) == {("cases.csv", 2, "opened_on")}


# --- manifest --------------------------------------------------------------------------------


def test_a_package_with_a_correct_manifest_imports(site, tmp_path):
    result = run(tmp_path, site, valid(), manifest=True)

    assert result.ok, result.errors


@pytest.mark.parametrize(
    ("manifest", "column", "words"),
    [
        ({"format": "zip-of-csvs"}, "format", "the format must be 'safebabies-data-package'"),
        ({"version": 2}, "version", "version 2 is not supported"),
        ({"site": "south"}, "site", "the package is for site 'south', not 'north'"),
        ({"as_of": "March"}, "as_of", "not a date"),
    ],
    ids=["format", "version", "site", "as_of"],
)
def test_a_manifest_that_does_not_fit_is_an_error(site, tmp_path, manifest, column, words):
    result = run(tmp_path, site, valid(), manifest=manifest)

    assert [(e.file, e.column) for e in result.errors] == [("manifest.json", column)]
    assert words in result.errors[0].message
    assert m.Case.objects.count() == 0


def _edit_manifest(folder: Path, change: Callable[[dict], None]) -> None:
    path = folder / "manifest.json"
    content = json.loads(path.read_text())
    change(content)
    path.write_text(json.dumps(content))


def test_a_row_count_that_differs_from_the_manifest_is_an_error(site, tmp_path):
    folder = write_package(tmp_path / "pkg", valid(), manifest=True)
    _edit_manifest(folder, lambda c: c["files"]["placements.csv"].update(rows=3))

    result = import_package(folder, site=site, dry_run=False)

    assert [str(e) for e in result.errors] == [
        "placements.csv:-:-: the file has 2 rows but the manifest says 3"
    ]
    assert m.Placement.objects.count() == 0


def test_a_hash_that_differs_from_the_manifest_is_an_error(site, tmp_path):
    folder = write_package(tmp_path / "pkg", valid(), manifest=True)
    path = folder / "hearings.csv"
    path.write_text(path.read_text().replace("preliminary_protective", "adjudication"))

    result = import_package(folder, site=site, dry_run=False)

    assert [str(e) for e in result.errors] == [
        "hearings.csv:-:-: the file's sha256 does not match the manifest"
    ]
    assert m.Hearing.objects.count() == 0


def test_a_file_listed_in_the_manifest_but_missing_is_an_error(site, tmp_path):
    folder = write_package(tmp_path / "pkg", valid(), manifest=True)
    (folder / "services.csv").unlink()

    result = import_package(folder, site=site, dry_run=False)

    assert [str(e) for e in result.errors] == [
        "manifest.json:-:files: services.csv is listed in the manifest but is not in the package"
    ]


def test_a_manifest_that_is_not_json_is_an_error(site, tmp_path):
    folder = write_package(tmp_path / "pkg", valid())
    (folder / "manifest.json").write_text("{format: safebabies")

    result = import_package(folder, site=site, dry_run=False)

    assert [(e.file, e.line, e.column) for e in result.errors] == [("manifest.json", None, None)]
    assert "not valid JSON" in result.errors[0].message


# --- other sites and earlier imports ---------------------------------------------------------


def test_an_id_that_belongs_to_another_site_is_an_error(site, other_site, tmp_path):
    f.CaseFactory(site=other_site, id="case-1")

    result = run(tmp_path, site, valid())

    assert [str(e) for e in result.errors] == [
        "cases.csv:2:case_id: the id 'case-1' already belongs to a record of another site"
    ]
    assert not m.Case.objects.filter(site=site).exists()


def test_an_id_of_a_nested_record_of_another_site_is_an_error(site, other_site, tmp_path):
    episode = f.EpisodeFactory(child__case__site=other_site)
    f.PlacementFactory(episode=episode, id="pl-2")

    result = run(tmp_path, site, valid())

    assert where(result) == {("placements.csv", 3, "placement_id")}


def test_a_parent_of_another_site_is_an_error(site, other_site, tmp_path):
    f.CaseFactory(site=other_site, id="case-1")

    result = run(tmp_path, site, valid(cases=None))

    messages = {(e.file, e.line, e.column): e.message for e in result.errors}
    assert messages[("children.csv", 2, "case_id")] == "'case-1' belongs to another site"
    assert messages[("hearings.csv", 2, "case_id")] == "'case-1' belongs to another site"


def test_rows_may_refer_to_records_already_in_the_site(site, tmp_path):
    first = valid()
    later = {
        name: first.pop(name) for name in ["placements", "ftms", "ftm_action_items", "services"]
    }
    assert run(tmp_path, site, first, name="first").ok

    result = run(tmp_path, site, later, name="later")

    assert result.ok, result.errors
    assert m.Placement.objects.filter(episode_id="ep-1").count() == 2
    assert FtmActionItem.objects.filter(ftm__case__site=site).count() == 2
    assert Service.objects.get(pk="svc-1").case_id == "case-1"


def test_a_screening_may_give_only_its_case(site, tmp_path):
    tables = valid()
    tables["screenings"][0].update(
        child_id="", subject="parent", instrument="epds", case_id="case-1"
    )

    result = run(tmp_path, site, tables)

    assert result.ok, result.errors
    screening = Screening.objects.get(pk="scr-1")
    assert (screening.case_id, screening.child_id) == ("case-1", None)


def test_a_screening_of_a_child_already_in_the_site_takes_the_childs_case(site, family, tmp_path):
    child = family.test_child
    tables = {"screenings": [dict(VALID["screenings"][0], child_id=child.pk)]}

    result = run(tmp_path, site, tables)

    assert result.ok, result.errors
    assert Screening.objects.get(pk="scr-1").case_id == family.pk


def test_an_episode_overlapping_one_already_in_the_site_is_an_error(site, tmp_path):
    assert run(tmp_path, site, valid(), name="first").ok
    episode = dict(VALID["episodes"][0], episode_id="ep-2", removal_date="2026-02-20")

    result = run(tmp_path, site, {"episodes": [episode]}, name="second")

    assert [str(e) for e in result.errors] == [
        "episodes.csv:2:discharge_date: child 'child-1' has another open episode 'ep-1' "
        "(already in the site)"
    ]


def test_an_episode_after_the_one_already_in_the_site_is_fine(site, tmp_path):
    assert run(tmp_path, site, valid(), name="first").ok
    tables = {
        "episodes": [
            dict(
                VALID["episodes"][0], discharge_date="2026-03-01", discharge_reason="reunification"
            ),
            dict(VALID["episodes"][0], episode_id="ep-2", removal_date="2026-03-01"),
        ]
    }

    result = run(tmp_path, site, tables, name="second")

    assert result.ok, result.errors
    assert m.Episode.objects.filter(child_id="child-1").count() == 2


def test_moving_an_episode_away_from_the_placements_already_in_the_site_is_an_error(site, tmp_path):
    assert run(tmp_path, site, valid(), name="first").ok
    episode = dict(VALID["episodes"][0], removal_date="2026-01-10")

    result = run(tmp_path, site, {"episodes": [episode]}, name="second")

    assert [str(e) for e in result.errors] == [
        "episodes.csv:2:removal_date: placement 'pl-1', already in the site, starts before this "
        "removal date"
    ]
    assert m.Episode.objects.get(pk="ep-1").removal_date == dt.date(2026, 1, 4)


def test_moving_an_episode_with_its_placements_is_fine(site, tmp_path):
    assert run(tmp_path, site, valid(), name="first").ok
    tables = {
        "episodes": [dict(VALID["episodes"][0], removal_date="2026-01-03")],
        "placements": [dict(VALID["placements"][0], start_date="2026-01-03")],
    }

    result = run(tmp_path, site, tables, name="second")

    assert result.ok, result.errors
    assert m.Placement.objects.get(pk="pl-1").start_date == dt.date(2026, 1, 3)


def test_a_database_refusal_is_an_error_and_nothing_is_written(site, tmp_path, monkeypatch):
    # Should a rule slip past validation, the database's constraint still refuses the row.
    monkeypatch.setitem(importer._ROW_RULES, "episodes", importer._no_rules)
    tables = valid()
    tables["episodes"][0]["discharge_reason"] = "reunification"

    result = run(tmp_path, site, tables)

    assert [(e.file, e.line) for e in result.errors] == [("episodes.csv", None)]
    assert "the database refused the rows" in result.errors[0].message
    assert set(rows_in_database().values()) == {0}


# --- audit -----------------------------------------------------------------------------------


def test_an_import_writes_one_audit_event_with_counts_and_no_personal_data(site, tmp_path):
    assert run(tmp_path, site, valid()).ok

    event = AuditEvent.objects.get(action="import")
    assert (event.record_type, event.site_id, event.actor_id) == ("data_package", site.pk, None)
    assert event.detail["tables"]["children"] == {
        "rows": 1,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
    }
    assert "Ana" not in json.dumps(event.detail)


def test_the_audit_event_names_the_actor(site, site_admin, tmp_path):
    path = write_package(tmp_path / "pkg", valid())

    assert import_package(path, site=site, dry_run=False, actor=site_admin).ok

    assert AuditEvent.objects.get(action="import").actor == site_admin


# --- the command -----------------------------------------------------------------------------


def _command(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_package", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_imports_and_prints_counts(site, tmp_path):
    archive = zip_folder(write_package(tmp_path / "pkg", valid()), tmp_path / "package.zip")

    out, err = _command(str(archive), "--site", "north")

    assert err == ""
    assert "Imported package.zip into site north." in out
    assert "  placements: 2 rows, 2 created, 0 updated, 0 unchanged" in out
    assert m.Placement.objects.count() == 2


def test_the_command_exits_1_listing_every_error(site, tmp_path):
    tables = valid()
    tables["children"][0]["sex"] = "boy"
    tables["family_time"][0]["duration_minutes"] = "-5"
    path = write_package(tmp_path / "pkg", tables)
    err = io.StringIO()

    with pytest.raises(CommandError) as raised:
        call_command("import_package", str(path), "--site", "north", stderr=err)

    assert raised.value.returncode == 1
    assert "2 error(s)" in str(raised.value)
    assert err.getvalue().splitlines() == [
        "children.csv:2:sex: 'boy' is not a code of sex (male, female, unknown)",
        "family_time.csv:2:duration_minutes: the duration cannot be negative",
    ]
    assert set(rows_in_database().values()) == {0}


def test_the_command_refuses_an_unknown_site(db, tmp_path):
    path = write_package(tmp_path / "pkg", valid())

    with pytest.raises(CommandError, match="there is no site 'nowhere'") as raised:
        _command(str(path), "--site", "nowhere")

    assert raised.value.returncode == 1


def test_the_command_dry_run_writes_nothing(site, tmp_path):
    path = write_package(tmp_path / "pkg", valid())

    out, _ = _command(str(path), "--site", "north", "--dry-run")

    assert "Dry run: pkg is valid for site north; nothing was written." in out
    assert "  cases: 1 rows, 1 would be created, 0 would be updated, 0 unchanged" in out
    assert m.Case.objects.count() == 0


def test_the_command_run_twice_reports_unchanged_rows(site, tmp_path):
    path = write_package(tmp_path / "pkg", valid())
    _command(str(path), "--site", "north")

    out, _ = _command(str(path), "--site", "north")

    assert "  family_time: 2 rows, 0 created, 0 updated, 2 unchanged" in out


# --- scale -----------------------------------------------------------------------------------


def _large_package(folder: Path, children: int, prefix: str = "") -> Path:
    """A case per child, each child removed once into one placement; a third discharged."""
    folder.mkdir()
    files = {
        "cases": ["case_id", "opened_on"],
        "children": ["child_id", "case_id", "birth_date", "race", "enrolled_on"],
        "episodes": [
            "episode_id",
            "child_id",
            "removal_date",
            "reasons",
            "discharge_date",
            "discharge_reason",
        ],
        "placements": ["placement_id", "episode_id", "setting", "start_date", "end_date"],
    }
    handles = {name: (folder / f"{name}.csv").open("w", newline="") for name in files}
    writers = {name: csv.writer(handle, lineterminator="\n") for name, handle in handles.items()}
    for name, header in files.items():
        writers[name].writerow(header)
    for i in range(children):
        day = dt.date(2024, 1, 1) + dt.timedelta(days=i % 400)
        opened, later = day.isoformat(), (day + dt.timedelta(days=30)).isoformat()
        case, child, episode = f"{prefix}c{i}", f"{prefix}k{i}", f"{prefix}e{i}"
        discharged = i % 3 == 0
        writers["cases"].writerow([case, opened])
        writers["children"].writerow([child, case, "2023-06-01", "white", opened])
        writers["episodes"].writerow(
            [
                episode,
                child,
                opened,
                "neglect",
                later if discharged else "",
                "reunification" if discharged else "",
            ]
        )
        writers["placements"].writerow(
            [f"{prefix}p{i}", episode, "relative_foster", opened, later if discharged else ""]
        )
    for handle in handles.values():
        handle.close()
    return folder


def test_a_large_package_imports_in_as_many_queries_as_a_small_one(site, tmp_path):
    small = _large_package(tmp_path / "small", 20, prefix="s")
    large = _large_package(tmp_path / "large", 5000)
    with CaptureQueriesContext(connection) as queries:
        assert import_package(small, site=site, dry_run=False).ok
    with CaptureQueriesContext(connection) as large_queries:
        result = import_package(large, site=site, dry_run=False)

    assert result.ok, result.errors[:5]
    assert len(large_queries) == len(queries) < 100  # its time is `make bench`'s to measure
    assert {name: c.created for name, c in result.counts.items()} == dict.fromkeys(
        ["cases", "children", "episodes", "placements"], 5000
    )
    assert m.Placement.objects.filter(episode__child__case__site=site).count() == 5020

    with CaptureQueriesContext(connection) as again_queries:
        again = import_package(large, site=site, dry_run=False)

    assert len(again_queries) == len(queries)
    assert {name: c.unchanged for name, c in again.counts.items()} == dict.fromkeys(
        ["cases", "children", "episodes", "placements"], 5000
    )


def _family_time_package(folder: Path, visits: int, prefix: str) -> Path:
    """One case and one child with `visits` rows of family time, a third of them cancelled."""
    folder.mkdir()
    (folder / "cases.csv").write_text(f"case_id,opened_on\n{prefix}c,2024-01-02\n")
    (folder / "children.csv").write_text(
        f"child_id,case_id,birth_date,enrolled_on\n{prefix}k,{prefix}c,2023-06-01,2024-01-02\n"
    )
    with (folder / "family_time.csv").open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(
            ["visit_id", "child_id", "scheduled_on", "status", "cancelled_by", "duration_minutes"]
        )
        start = dt.date(2024, 1, 8)
        for i in range(visits):
            day = (start + dt.timedelta(days=i % 700)).isoformat()
            if i % 3 == 0:
                writer.writerow([f"{prefix}v{i}", f"{prefix}k", day, "cancelled", "parent", ""])
            else:
                writer.writerow([f"{prefix}v{i}", f"{prefix}k", day, "held", "", "60"])
    return folder


def _peak_memory(path: Path, site) -> int:
    """Python's peak allocation while the package at `path` is imported."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        result = import_package(path, site=site, dry_run=False)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.ok, result.errors[:5]
    return peak


def test_import_memory_does_not_grow_with_the_package(site, tmp_path):
    assert import_package(_family_time_package(tmp_path / "warm", 50, "w"), site=site).ok
    small = _family_time_package(tmp_path / "small", 4_000, "s")
    large = _family_time_package(tmp_path / "large", 40_000, "l")

    small_peak = _peak_memory(small, site)
    large_peak = _peak_memory(large, site)

    assert Visit.objects.filter(child_id="lk").count() == 40_000
    # Keeping anything per row (at ~100 bytes a row) would add 3.6 MB for the 36,000 more rows.
    assert large_peak < 1.5 * small_peak + 512 * 1024, (small_peak, large_peak)


def _append(folder: Path, name: str, *rows: list[str]) -> list[int]:
    """Appends rows to a CSV of the package; returns their line numbers."""
    path = folder / f"{name}.csv"
    lines = path.read_text().count("\n")
    with path.open("a", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return [lines + 1 + i for i in range(len(rows))]


def test_the_rules_across_rows_are_found_in_a_large_package(site, other_site, tmp_path):
    folder = _large_package(tmp_path / "large", 3000)
    f.CaseFactory(site=other_site, id="c-south")
    # Child k10's episode e10 (line 12) is open; e0 (line 2) was discharged on 2024-01-31.
    [open_again, overlapping] = _append(
        folder,
        "episodes",
        ["e-again", "k10", "2024-03-01", "neglect", "", ""],
        ["e-over", "k0", "2024-01-20", "neglect", "2024-02-10", "reunification"],
    )
    [after_discharge, repeated, repeated_and_broken, dangling] = _append(
        folder,
        "placements",
        ["p-late", "e0", "relative_foster", "2024-02-05", ""],
        ["p5", "e5", "relative_foster", "2024-01-06", ""],
        ["p7", "e7", "relative_foster", "2024-03-01", "2024-02-01"],
        ["p-lost", "e-missing", "relative_foster", "2024-01-06", ""],
    )
    [lost_case, south_case] = _append(
        folder,
        "children",
        ["k-lost", "c-missing", "2023-06-01", "white", "2024-01-02"],
        ["k-south", "c-south", "2023-06-01", "white", "2024-01-02"],
    )

    result = import_package(folder, site=site, dry_run=False)

    assert [str(e) for e in result.errors] == [
        f"children.csv:{lost_case}:case_id: 'c-missing' is neither in cases.csv nor already in "
        "site 'north'",
        f"children.csv:{south_case}:case_id: 'c-south' belongs to another site",
        f"episodes.csv:{open_again}:discharge_date: child 'k10' has another open episode "
        "'e10' (line 12)",
        f"episodes.csv:{overlapping}:removal_date: the episode overlaps episode 'e0' of the "
        "same child (line 2)",
        f"placements.csv:{after_discharge}:start_date: the placement starts after its "
        "episode's discharge date (2024-01-31)",
        f"placements.csv:{repeated}:placement_id: the id 'p5' is already used on line 7",
        f"placements.csv:{repeated_and_broken}:placement_id: the id 'p7' is already used on line 9",
        f"placements.csv:{dangling}:episode_id: 'e-missing' is neither in episodes.csv nor "
        "already in site 'north'",
    ]
    assert set(rows_in_database().values()) == {0, 1}  # the other site's case only


def test_row_rules_read_the_sites_value_of_a_column_the_file_lacks(site, tmp_path):
    tables = valid()
    DISCHARGED(tables)
    assert run(tmp_path, site, tables, name="first").ok
    episode = dict(VALID["episodes"][0], discharge_date="")
    episode.pop("discharge_reason")  # the site's stays: "reunification"

    result = run(tmp_path, site, {"episodes": [episode]}, name="second")

    assert [str(e) for e in result.errors] == [
        "episodes.csv:2:discharge_date: a discharge reason needs a discharge date"
    ]
    assert m.Episode.objects.get(pk="ep-1").discharge_date == dt.date(2026, 3, 1)


@pytest.mark.django_db(transaction=True)
def test_an_import_in_its_own_transaction_sets_work_mem_for_that_transaction_only(site, tmp_path):
    with connection.cursor() as cursor:
        cursor.execute("SHOW work_mem")
        before = cursor.fetchone()[0]
    assert not connection.in_atomic_block

    result = run(tmp_path, site, VALID)

    assert result.ok, result.errors
    assert m.Case.objects.filter(pk="case-1", site=site).exists()
    with connection.cursor() as cursor:
        cursor.execute("SHOW work_mem")
        assert cursor.fetchone()[0] == before != schema.WORK_MEM
