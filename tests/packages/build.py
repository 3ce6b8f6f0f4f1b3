"""Writing tiny data packages for tests: a dict of table name -> rows (dicts of cells)."""

import copy
import csv
import hashlib
import json
import zipfile
from pathlib import Path

from cases.package import schema

# One family with a row in every table. Dates sit in 2026; ids are readable on purpose.
VALID: dict[str, list[dict[str, str]]] = {
    "cases": [
        {
            "case_id": "case-1",
            "opened_on": "2026-01-05",
            "closed_on": "",
            "enrollment": "out_of_home",
        },
    ],
    "children": [
        {
            "child_id": "child-1",
            "case_id": "case-1",
            "birth_date": "2025-06-10",
            "sex": "female",
            "race": "black;white",
            "hispanic": "no",
            "icwa": "does_not_apply",
            "enrolled_on": "2026-01-05",
            "exited_on": "",
            "given_name": "Ana",
            "family_name": "Lopez",
        },
    ],
    "episodes": [
        {
            "episode_id": "ep-1",
            "child_id": "child-1",
            "removal_date": "2026-01-04",
            "manner": "court_ordered",
            "reasons": "neglect;parent_drugs",
            "discharge_date": "",
            "discharge_reason": "",
        },
    ],
    "placements": [
        {
            "placement_id": "pl-1",
            "episode_id": "ep-1",
            "setting": "nonrelative_foster",
            "start_date": "2026-01-04",
            "end_date": "2026-02-01",
            "end_reason": "moved to kin",
        },
        {
            "placement_id": "pl-2",
            "episode_id": "ep-1",
            "setting": "relative_foster",
            "start_date": "2026-02-01",
            "end_date": "",
            "end_reason": "",
        },
    ],
    "permanency_plans": [
        {
            "plan_id": "plan-1",
            "child_id": "child-1",
            "effective_date": "2026-02-10",
            "primary_goal": "reunification",
            "concurrent_goal": "relative",
        },
    ],
    "hearings": [
        {
            "hearing_id": "hr-1",
            "case_id": "case-1",
            "hearing_type": "preliminary_protective",
            "scheduled_on": "2026-01-06",
            "status": "held",
        },
    ],
    "ftms": [
        {
            "ftm_id": "ftm-1",
            "case_id": "case-1",
            "scheduled_on": "2026-01-20",
            "status": "held",
            "parent_attended": "true",
            "parent_mentor_attended": "false",
            "attendee_roles": "caseworker;parent_mentor",
        },
    ],
    "ftm_action_items": [
        {
            "action_item_id": "ai-1",
            "ftm_id": "ftm-1",
            "owner_role": "caseworker",
            "due_on": "2026-02-01",
            "completed_on": "2026-01-30",
            "status": "done",
        },
        {
            "action_item_id": "ai-2",
            "ftm_id": "ftm-1",
            "owner_role": "",
            "due_on": "2026-02-15",
            "completed_on": "",
            "status": "open",
        },
    ],
    "family_time": [
        {
            "visit_id": "ft-1",
            "child_id": "child-1",
            "scheduled_on": "2026-01-12",
            "status": "held",
            "cancelled_by": "",
            "duration_minutes": "90",
            "supervision": "supervised",
            "location": "agency",
        },
        {
            "visit_id": "ft-2",
            "child_id": "child-1",
            "scheduled_on": "2026-01-14",
            "status": "cancelled",
            "cancelled_by": "agency",
            "duration_minutes": "",
            "supervision": "",
            "location": "",
        },
    ],
    "screenings": [
        {
            "screening_id": "scr-1",
            "child_id": "child-1",
            "subject": "child",
            "instrument": "asqse2",
            "screened_on": "2026-01-25",
            "result": "monitor",
            "referral_made": "false",
        },
    ],
    "services": [
        {
            "service_id": "svc-1",
            "case_id": "case-1",
            "child_id": "child-1",
            "recipient": "dyad",
            "service_type": "child_parent_psychotherapy",
            "evidence_based": "true",
            "referred_on": "2026-01-20",
            "started_on": "2026-02-03",
            "ended_on": "",
            "status": "active",
        },
    ],
    "maltreatment_reports": [
        {
            "report_id": "mr-1",
            "child_id": "child-1",
            "reported_on": "2026-01-03",
            "disposition": "substantiated",
        },
    ],
}


def valid(**replace: list[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    """A deep copy of VALID, with whole tables replaced (or dropped, with `None`)."""
    tables = copy.deepcopy(VALID)
    for name, rows in replace.items():
        if rows is None:
            tables.pop(name)
        else:
            tables[name] = rows
    return tables


def write_package(
    folder: Path,
    tables: dict[str, list[dict[str, str]]],
    *,
    manifest: bool | dict = False,
    site: str = "north",
) -> Path:
    """Writes one CSV per table (header: the keys of the rows, in order) into `folder`, and a
    manifest.json when asked (True: a correct one; a dict: merged over a correct one)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, rows in tables.items():
        header = list(dict.fromkeys(key for row in rows for key in row)) or list(
            schema.TABLES_BY_NAME[name].column_names
        )
        path = folder / f"{name}.csv"
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(header)
            for row in rows:
                writer.writerow([row.get(column, "") for column in header])
        files[path.name] = {
            "rows": len(rows),
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        }
    if manifest:
        content = {
            "format": schema.FORMAT,
            "version": schema.VERSION,
            "site": site,
            "as_of": "2026-03-01",
            "generated_at": "2026-03-01T02:00:00+00:00",
            "deidentified": False,
            "files": files,
        }
        if isinstance(manifest, dict):
            content.update(manifest)
        (folder / schema.MANIFEST).write_text(json.dumps(content, indent=2), encoding="utf-8")
    return folder


def zip_folder(folder: Path, zip_path: Path) -> Path:
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, path.name)
    return zip_path
