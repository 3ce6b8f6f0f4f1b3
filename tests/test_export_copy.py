"""The export written by PostgreSQL's COPY is byte for byte the export the Python csv writer gave.

`reference_csv` below is the exporter as it was before COPY (rows from the ORM, each cell by
`Column.to_cell`, Python's csv writer with CRLF line ends), kept here as the oracle. A varied
site (ids of every allowed character, names with commas, quotes, line breaks and formulas,
empty and missing values, lists, Part 2 rows, a second site) is exported both ways, identified
and de-identified, and with chunks so small that quoted cells straddle them.
"""

import csv
import hashlib
import io
import json
import random
import zipfile

import pytest
from django.db import ProgrammingError, connection, transaction

from cases.models import Child, Placement
from cases.package import exporter, schema
from cases.package.exporter import (
    PART2_ROWS,
    export_columns,
    export_package,
    pseudonym,
    site_pseudonym_key,
)
from cases.package.importer import import_package
from tests.packages.build import write_package

TEXTS = [
    "",
    "Ana",
    "Rivera, Jr.",
    'the "big" move',
    '"',
    '""',
    "two\nlines",
    "crlf\r\ninside",
    "a lone\rreturn",
    "\n",
    '=HYPERLINK("http://x")',
    "+1",
    "-2",
    "@sum",
    " leading and trailing ",
    "\\.",
    "semi;colon",
    "tab\there",
    "Zoë Müller",
    "李小龍",
    "emoji 🧸",
    "'quoted'",
    'end quote"',
    '"start quote',
    ",",
]

ID_STARTS = "AaZz09"
ID_MIDDLES = ["-", "_", ".", ":", "", "x", "Y"]


def _id(rnd: random.Random, prefix: str, n: int) -> str:
    return f"{rnd.choice(ID_STARTS)}{prefix}{rnd.choice(ID_MIDDLES)}{n}"


def varied_package(rnd: random.Random, families: int) -> dict[str, list[dict[str, str]]]:
    """A package of `families` cases with a row in every table, values drawn from every code
    list (empty where a value is optional)."""

    def code(choices, optional=True):
        values = list(choices.values)
        return rnd.choice([*values, ""] if optional else values)

    def codes_list(choices):
        return ";".join(rnd.sample(list(choices.values), rnd.randint(0, 3)))

    def day(year=2025):
        return f"{year}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"

    def flag():
        return rnd.choice(["true", "false", ""])

    from safebabies import codes
    from safebabies.identity.roles import Role

    tables: dict[str, list[dict[str, str]]] = {t.name: [] for t in schema.TABLES}
    for n in range(families):
        case_id = _id(rnd, "case", n)
        tables["cases"].append(
            {
                "case_id": case_id,
                "opened_on": "2024-01-02",
                "closed_on": rnd.choice(["", "2026-02-03"]),
                "enrollment": code(codes.Enrollment),
            }
        )
        for c in range(rnd.randint(1, 2)):
            child_id = _id(rnd, f"child{c}", n)
            tables["children"].append(
                {
                    "child_id": child_id,
                    "case_id": case_id,
                    "birth_date": day(2023),
                    "sex": code(codes.Sex),
                    "race": codes_list(codes.Race),
                    "hispanic": code(codes.Hispanic),
                    "icwa": code(codes.Icwa),
                    "enrolled_on": "2024-01-02",
                    "exited_on": rnd.choice(["", "2026-01-01"]),
                    "given_name": rnd.choice(TEXTS),
                    "family_name": rnd.choice(TEXTS),
                }
            )
            episode_id = _id(rnd, f"ep{c}", n)
            discharged = rnd.random() < 0.5
            tables["episodes"].append(
                {
                    "episode_id": episode_id,
                    "child_id": child_id,
                    "removal_date": "2024-01-01",
                    "manner": code(codes.RemovalManner),
                    "reasons": codes_list(codes.RemovalReason),
                    "discharge_date": "2025-12-31" if discharged else "",
                    "discharge_reason": code(codes.DischargeReason, False) if discharged else "",
                }
            )
            for p in range(rnd.randint(1, 3)):
                tables["placements"].append(
                    {
                        "placement_id": _id(rnd, f"pl{c}{p}", n),
                        "episode_id": episode_id,
                        "setting": code(codes.PlacementSetting, False),
                        "start_date": f"2024-0{p + 1}-01",
                        "end_date": rnd.choice(["", f"2024-0{p + 2}-01"]),
                        "end_reason": rnd.choice(TEXTS),
                    }
                )
            tables["permanency_plans"].append(
                {
                    "plan_id": _id(rnd, f"plan{c}", n),
                    "child_id": child_id,
                    "effective_date": day(),
                    "primary_goal": code(codes.PermanencyGoal, False),
                    "concurrent_goal": code(codes.PermanencyGoal),
                }
            )
            for v in range(2):
                status = code(codes.VisitStatus, False)
                tables["family_time"].append(
                    {
                        "visit_id": _id(rnd, f"ft{c}{v}", n),
                        "child_id": child_id,
                        "scheduled_on": day(),
                        "status": status,
                        "cancelled_by": code(codes.CancelledBy, False)
                        if status == "cancelled"
                        else "",
                        "duration_minutes": rnd.choice(["", "0", "45", "32767"]),
                        "supervision": code(codes.Supervision),
                        "location": code(codes.VisitLocation),
                    }
                )
            tables["maltreatment_reports"].append(
                {
                    "report_id": _id(rnd, f"mr{c}", n),
                    "child_id": child_id,
                    "reported_on": day(2023),
                    "disposition": code(codes.MaltreatmentDisposition, False),
                }
            )
            for s in range(2):  # one in three a substance-use screening (42 CFR Part 2)
                tables["screenings"].append(
                    {
                        "screening_id": _id(rnd, f"scr{c}{s}", n),
                        "child_id": child_id,
                        "subject": "child",
                        "instrument": code(codes.Instrument, False),
                        "screened_on": day(),
                        "result": code(codes.ScreeningResult),
                        "referral_made": flag(),
                        "case_id": rnd.choice(["", case_id]),
                    }
                )
            tables["services"].append(
                {
                    "service_id": _id(rnd, f"svc{c}", n),
                    "case_id": case_id,
                    "child_id": rnd.choice(["", child_id]),
                    "recipient": code(codes.ServiceRecipient, False),
                    "service_type": code(codes.ServiceType, False),
                    "evidence_based": flag(),
                    "referred_on": "2024-02-01",
                    "started_on": rnd.choice(["", "2024-03-01"]),
                    "ended_on": rnd.choice(["", "2024-04-01"]),
                    "status": code(codes.ServiceStatus, False),
                }
            )
        tables["screenings"].append(  # a parent's screening, given by case only
            {
                "screening_id": _id(rnd, "scrp", n),
                "child_id": "",
                "subject": "parent",
                "instrument": rnd.choice(["substance_use", "epds", "phq9"]),
                "screened_on": day(),
                "result": "",
                "referral_made": "",
                "case_id": case_id,
            }
        )
        hearing_statuses = list(codes.HearingStatus.values)
        tables["hearings"].append(
            {
                "hearing_id": _id(rnd, "hr", n),
                "case_id": case_id,
                "hearing_type": code(codes.HearingType, False),
                "scheduled_on": day(),
                "status": rnd.choice(hearing_statuses),
            }
        )
        ftm_id = _id(rnd, "ftm", n)
        roles = [r.value for r in Role]
        tables["ftms"].append(
            {
                "ftm_id": ftm_id,
                "case_id": case_id,
                "scheduled_on": day(),
                "status": code(codes.FtmStatus, False),
                "parent_attended": flag(),
                "parent_mentor_attended": flag(),
                "attendee_roles": ";".join(rnd.sample(roles, rnd.randint(0, 4))),
            }
        )
        for a in range(rnd.randint(0, 2)):
            done = rnd.random() < 0.5
            tables["ftm_action_items"].append(
                {
                    "action_item_id": _id(rnd, f"ai{a}", n),
                    "ftm_id": ftm_id,
                    "owner_role": rnd.choice(["", *roles]),
                    "due_on": day(),
                    "completed_on": day() if done else rnd.choice(["", day()]),
                    "status": "done" if done else rnd.choice(["open", "dropped"]),
                }
            )
    return tables


def reference_csv(table, site, *, deidentified: bool) -> bytes:
    """The exporter's CSV before COPY: ORM rows by id, `to_cell`, Python's csv writer."""
    key = site_pseudonym_key(site) if deidentified else b""
    columns = export_columns(table, deidentified=deidentified)

    def cell_function(column):
        if deidentified and column.kind in (schema.Kind.ID, schema.Kind.REF):
            return lambda v: "" if v is None else pseudonym(key, v)
        if deidentified and column.name == "birth_date":
            return lambda v: column.to_cell(None if v is None else v.replace(day=1))
        return column.to_cell

    cells = [cell_function(c) for c in columns]
    query = table.model._default_manager.filter(**{table.site_path: site.pk})
    if deidentified and table.name in PART2_ROWS:
        query = query.exclude(PART2_ROWS[table.name]())
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.name for c in columns])
    for values in query.order_by("pk").values_list(*[c.field for c in columns]):
        writer.writerow([cell(v) for cell, v in zip(cells, values, strict=True)])
    return out.getvalue().encode("utf-8")


@pytest.fixture
def varied_site(site, other_site, tmp_path):
    rnd = random.Random(23)
    package = varied_package(rnd, 40)
    result = import_package(write_package(tmp_path / "in", package), site=site)
    assert result.ok, result.errors[:5]
    other = varied_package(random.Random(5), 3)
    for rows in other.values():  # another installation's ids: distinct from this site's
        for row in rows:
            for name, value in row.items():
                if name.endswith("_id") and value:
                    row[name] = f"other-{value}"
    assert import_package(write_package(tmp_path / "other", other), site=other_site).ok
    # names and end reasons that no CSV importer would be asked for, set directly
    for n, pk in enumerate(Child.objects.filter(case__site=site).values_list("pk", flat=True)):
        Child.objects.filter(pk=pk).update(
            given_name=TEXTS[n % len(TEXTS)], family_name=TEXTS[(n * 7 + 3) % len(TEXTS)]
        )
    for n, pk in enumerate(
        Placement.objects.filter(episode__child__case__site=site).values_list("pk", flat=True)
    ):
        Placement.objects.filter(pk=pk).update(end_reason=TEXTS[(n * 3 + 1) % len(TEXTS)])
    return site


def exported_files(site, out, *, deidentified: bool) -> dict[str, bytes]:
    result = export_package(site=site, out_dir=out, deidentified=deidentified)
    with zipfile.ZipFile(result.path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(files.pop(schema.MANIFEST))
    for name, data in files.items():
        assert manifest["files"][name]["sha256"] == hashlib.sha256(data).hexdigest()
        assert manifest["files"][name]["rows"] == len(
            list(csv.reader(io.StringIO(data.decode(), newline="")))[1:]
        )
    return files


@pytest.mark.parametrize("deidentified", [False, True], ids=["identified", "deidentified"])
@pytest.mark.parametrize("chunk", [exporter.CHUNK, 7], ids=["chunks", "tiny-chunks"])
def test_the_copy_export_is_byte_identical_to_the_python_writer(
    varied_site, tmp_path, monkeypatch, deidentified, chunk
):
    monkeypatch.setattr(exporter, "CHUNK", chunk)
    files = exported_files(varied_site, tmp_path / "out", deidentified=deidentified)

    assert set(files) == {t.file_name for t in schema.TABLES}
    for table in schema.TABLES:
        expected = reference_csv(table, varied_site, deidentified=deidentified)
        assert len(expected.splitlines()) > 1, table.name  # the site has rows in every table
        assert files[table.file_name] == expected, table.name
    if not deidentified:  # the texts that need quoting are all there
        children = files["children.csv"].decode()
        for text in ('"the ""big"" move"', '"two\nlines"', '"crlf\r\ninside"', '"Rivera, Jr."'):
            assert text in children


def test_the_pseudonyms_computed_by_postgresql_are_those_of_python(site):
    key = site_pseudonym_key(site)
    ids = ["case-1", "A", "z:9.x_y-0", "0" * 64]
    with connection.cursor() as cursor, exporter._pseudonym_key(key):
        for record_id in ids:
            sql = exporter.PSEUDONYM_SQL.format("CAST(%s AS text)")
            cursor.execute(f"SELECT {sql}", [record_id])
            assert cursor.fetchone()[0] == pseudonym(key, record_id)
        cursor.execute(f"SELECT {exporter.PSEUDONYM_SQL.format('CAST(NULL AS text)')}")
        assert cursor.fetchone()[0] is None


def test_the_key_is_in_no_copy_statement_and_is_emptied_after_the_export(varied_site, tmp_path):
    key = site_pseudonym_key(varied_site)
    padded = key.ljust(exporter.HMAC_BLOCK, b"\0")
    secrets = [key.hex(), bytes(b ^ 0x5C for b in padded).hex(), padded.hex()]
    for table in schema.TABLES:
        columns = export_columns(table, deidentified=True)
        sql, params = exporter._select(table, varied_site, columns, deidentified=True)
        text = f"{sql} {params!r}"
        assert not any(s in text for s in secrets), table.name

    exported_files(varied_site, tmp_path / "out", deidentified=True)

    with connection.cursor() as cursor:
        for name in exporter.PSEUDONYM_SETTINGS:
            cursor.execute("SELECT current_setting(%s, true)", [name])
            assert not cursor.fetchone()[0]


@pytest.mark.parametrize(
    "chunks",
    [
        [b'a,"b\nc"\n', b"d,e\n"],
        [b'a,"b', b'\nc"\nd,e\n'],
        [b'a,"b""', b'\nc"\n', b"d,e\n"],
        [b'"', b"\n", b'"\n'],
    ],
)
def test_line_ends_outside_quotes_become_crlf_across_chunks(chunks):
    crlf = exporter._CrLf()
    whole = b"".join(crlf(c) for c in chunks)
    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode(), newline="")))
    again = io.StringIO(newline="")
    csv.writer(again, lineterminator="\r\n").writerows(rows)
    assert whole == again.getvalue().encode()


def test_a_failed_export_raises_its_own_error_and_leaves_no_key_behind(
    varied_site, tmp_path, monkeypatch
):
    def broken(*args, **kwargs):
        return "SELECT no_such_column FROM cases_case", ()

    monkeypatch.setattr(exporter, "_select", broken)
    with pytest.raises(ProgrammingError, match="no_such_column"), transaction.atomic():
        export_package(site=varied_site, out_dir=tmp_path / "out", deidentified=True)

    def failing_disk(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(exporter, "_write_table", failing_disk)
    with pytest.raises(OSError, match="disk full"):
        export_package(site=varied_site, out_dir=tmp_path / "out", deidentified=True)
    with connection.cursor() as cursor:
        for name in exporter.PSEUDONYM_SETTINGS:
            cursor.execute("SELECT current_setting(%s, true)", [name])
            assert not cursor.fetchone()[0]
    assert not list((tmp_path / "out").iterdir())  # no half-written package
