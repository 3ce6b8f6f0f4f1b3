"""Issue 19 "Done means": a site built only through the API, row by row in the data package's
vocabulary, is the same site as one imported from the package: the same `export_package`
files and the same CQI figures."""

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.db import transaction
from rest_framework.test import APIClient

from cases.package import schema
from cases.package.exporter import export_package
from cases.package.importer import import_package
from cqi.metrics import compute_all
from tests import factories as f
from tests.packages.build import VALID, write_package

pytestmark = pytest.mark.django_db(transaction=False)

NOW = dt.datetime(2026, 3, 1, 18, 0, tzinfo=dt.UTC)  # noon at the site
AS_OF = dt.date(2026, 3, 1)
PERIOD = (dt.date(2025, 3, 1), dt.date(2026, 2, 28))

# Each table of the package and the resource that writes its rows, in dependency order.
RESOURCES = {
    "cases": "cases",
    "children": "children",
    "episodes": "episodes",
    "placements": "placements",
    "permanency_plans": "permanency-plans",
    "hearings": "hearings",
    "ftms": "ftms",
    "ftm_action_items": "ftm-action-items",
    "family_time": "family-time",
    "screenings": "screenings",
    "services": "services",
    "maltreatment_reports": "maltreatment-reports",
}


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def body_of(table: schema.Table, row: dict[str, str]) -> dict[str, Any]:
    """A package row as a JSON body: the row's own id as `id`, an empty cell left out, lists,
    booleans and numbers as JSON has them."""
    body: dict[str, Any] = {}
    for column in table.columns:
        raw = row.get(column.name, "")
        if raw == "":
            continue
        value = column.from_cell(raw)
        if isinstance(value, dt.date):
            value = value.isoformat()
        body["id" if column.kind is schema.Kind.ID else column.name] = value
    return body


def build_through_the_api(client: APIClient, site_slug: str) -> None:
    assert list(RESOURCES) == [t.name for t in schema.TABLES]  # the package's order
    for table in schema.TABLES:
        for row in VALID[table.name]:
            body = body_of(table, row)
            if table.name == "cases":
                body["site"] = site_slug
            response = client.post(f"/api/v1/{RESOURCES[table.name]}/", body, format="json")
            assert response.status_code == 201, (table.name, body, response.json())
            assert response.json()["id"] == body["id"]


def exported(site, folder: Path) -> dict[str, bytes]:
    """Every CSV of the site's package, identified and de-identified."""
    files: dict[str, bytes] = {}
    for deidentified in (False, True):
        result = export_package(
            site=site, out_dir=folder / str(deidentified), as_of=AS_OF, deidentified=deidentified
        )
        with zipfile.ZipFile(result.path) as archive:
            for name in archive.namelist():
                if name.endswith(".csv"):
                    files[f"{'deidentified/' if deidentified else ''}{name}"] = archive.read(name)
    return files


def test_a_site_built_through_the_api_is_the_site_imported_from_the_package(tmp_path):
    site = f.SiteFactory(slug="north", name="North County Safe Babies")
    coordinator = f.site_member(site, "community_coordinator", email="cc@north.example.org")
    f.site_member(site, "site_admin", email="admin@north.example.org")

    with transaction.atomic():  # imported, read, then rolled back: the ids are free again
        result = import_package(write_package(tmp_path / "package", VALID), site=site)
        assert result.ok, result.errors
        imported_files = exported(site, tmp_path / "imported")
        imported_metrics = compute_all(site, *PERIOD)
        transaction.set_rollback(True)

    client = APIClient()
    client.force_authenticate(coordinator)
    build_through_the_api(client, site.slug)
    built_files = exported(site, tmp_path / "built")
    built_metrics = compute_all(site, *PERIOD)

    assert sorted(built_files) == sorted(imported_files)
    for name, content in imported_files.items():
        assert built_files[name] == content, name
    assert built_metrics == imported_metrics
    # figures, not empty ones: the family is counted in most of them
    assert sum(r["value"] is not None for r in built_metrics.values()) >= 10
