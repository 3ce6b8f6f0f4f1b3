"""The permission matrix of the records of a site's program (issue 22): persona x kind x action
-> the answer, one test a cell. The records of a family's case are in `test_permission_matrix`.

These records belong to a site, not to a case (`cases.access.SITE_RECORD_TYPES`): the roles a
person holds at the site decide, a family-team place gives nothing. Columns are the personas of
PERSONAS, each holding the roles it names at the site `north` (OTHER: a Community Coordinator of
the site `south`; CW+PM and CLIN+CW hold two roles; PARENT is Luis, a parent of a north family).

Answers: an HTTP status (`200`, `201`, `302`, `400`, `403`, `404`), or `in` / `out`: the row is
(not) in the list (the page's list, or the API list). A kind's rows are built by its KINDS entry
(`build`), one row of the site `north` owned, where a kind has owners, by the persona `CW`.

Actions: `page` (the kind's list page: `in`/`out`, or a status when the page itself is closed),
`detail` (the row's page), `api_list`, `api_detail`, `api_write` (PATCH with a valid body),
`api_create` (POST with a valid body, for the site `north`).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from safebabies.identity.models import User
from tests import factories as f

CC, CW, CLIN, PATT, CATT, GAL, PM = (
    "community_coordinator",
    "caseworker",
    "clinician",
    "parent_attorney",
    "child_attorney",
    "gal_casa",
    "parent_mentor",
)
JUDGE, ADMIN, SIT, NATIONAL = "judge", "site_admin", "site_implementation", "national"
PARENT, PLEADER = "parent", "parent_leader"

# column -> (roles held at `north`, or at `south` for OTHER)
PERSONAS: dict[str, tuple[str, ...]] = {
    "CC": (CC,),
    "ADMIN": (ADMIN,),
    "CW": (CW,),
    "CLIN": (CLIN,),
    "PATT": (PATT,),
    "CATT": (CATT,),
    "GAL": (GAL,),
    "PM": (PM,),
    "JUDGE": (JUDGE,),
    "SIT": (SIT,),
    "NATIONAL": (NATIONAL,),
    "PLEADER": (PLEADER,),
    "PARENT": (PARENT,),
    "CW+PM": (CW, PM),
    "CLIN+CW": (CLIN, CW),
    "OTHER": (CC,),
}
COLUMNS = list(PERSONAS)


@dataclass(frozen=True)
class Kind:
    """How the matrix reaches one kind: `build(world)` makes its row at `north` (owned by the
    persona CW where the kind has owners); `page(world, row)` / `detail(world, row)` the URLs
    of its list page and of the row's page (None: no such page); `api` its API list path;
    `create(world)` and `patch(world, row)` valid bodies; `text(row)` a text of the row that
    the list page shows."""

    build: Callable[[SimpleNamespace], Any]
    api: str | None = None
    page: Callable[[SimpleNamespace, Any], str] | None = None
    detail: Callable[[SimpleNamespace, Any], str] | None = None
    create: Callable[[SimpleNamespace], dict] | None = None
    patch: Callable[[SimpleNamespace, Any], dict] | None = None
    text: Callable[[Any], str] = field(default=lambda row: str(row.pk))


# Each kind of site record adds its entry here and its rows to MATRIX_TEXT.
KINDS: dict[str, Kind] = {}

MATRIX_TEXT = """
kind action  CC ADMIN CW CLIN PATT CATT GAL PM JUDGE SIT NATIONAL PLEADER PARENT CW+PM CLIN+CW OTHER
"""


def _parse(text: str) -> dict[tuple[str, str], dict[str, str]]:
    lines = [line.split() for line in text.strip().splitlines() if line.strip()]
    header, rows = lines[0], lines[1:]
    assert header[2:] == COLUMNS, header
    table = {}
    for row in rows:
        assert len(row) == len(header), row
        table[(row[0], row[1])] = dict(zip(COLUMNS, row[2:], strict=True))
    return table


MATRIX = _parse(MATRIX_TEXT)
CELLS = [(kind, action, column) for (kind, action), answers in MATRIX.items() for column in answers]


def build_world() -> SimpleNamespace:
    north = f.SiteFactory(slug="north", name="North County")
    south = f.SiteFactory(slug="south", name="South County")
    users = {}
    for column, roles in PERSONAS.items():
        site = south if column == "OTHER" else north
        email = re.sub(r"\W", "-", column.lower()) + "@site.example"
        users[column] = f.site_member(site, *roles, email=email).pk
    world = SimpleNamespace(north=north, south=south, users=users, rows={})
    for kind, spec in KINDS.items():
        world.rows[kind] = spec.build(world)
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        built = build_world()
        yield built
        transaction.set_rollback(True)


def _client(world: SimpleNamespace, column: str) -> APIClient:
    client = APIClient()
    client.force_login(User.objects.get(pk=world.users[column]))
    return client


def answer(world: SimpleNamespace, column: str, kind: str, action: str) -> str:
    spec, row = KINDS[kind], world.rows[kind]
    client = _client(world, column)
    if action == "page":
        response = client.get(spec.page(world, row))
        if response.status_code != 200:
            return str(response.status_code)
        return "in" if spec.text(row) in response.content.decode() else "out"
    if action == "detail":
        return str(client.get(spec.detail(world, row)).status_code)
    if action == "api_list":
        response = client.get(spec.api)
        if response.status_code != 200:
            return str(response.status_code)
        ids = {str(item["id"]) for item in response.json()["results"]}
        return "in" if str(row.pk) in ids else "out"
    if action == "api_detail":
        return str(client.get(f"{spec.api}{row.pk}/").status_code)
    if action == "api_write":
        body = spec.patch(world, row)
        return str(client.patch(f"{spec.api}{row.pk}/", body, format="json").status_code)
    if action == "api_create":
        return str(client.post(spec.api, spec.create(world), format="json").status_code)
    raise AssertionError(f"unknown action {action}")


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "action", "column"), CELLS)
def test_site_matrix(world, kind, action, column):
    with transaction.atomic():
        got = answer(world, column, kind, action)
        transaction.set_rollback(True)
    assert got == MATRIX[(kind, action)][column], f"{column} {action} {kind}"


def test_every_site_record_type_has_rows():
    """A kind added to `cases.access.SITE_RECORD_TYPES` needs its rows here."""
    from cases.access import SITE_RECORD_TYPES

    assert set(SITE_RECORD_TYPES) <= set(KINDS), sorted(set(SITE_RECORD_TYPES) - set(KINDS))
    assert {kind for kind, _ in MATRIX} == set(KINDS)


def site_api_paths() -> set[str]:
    """The API list resources this matrix asks (`test_permission_matrix` counts them)."""
    return {spec.api.removeprefix("/api/v1/").strip("/") for spec in KINDS.values() if spec.api}
