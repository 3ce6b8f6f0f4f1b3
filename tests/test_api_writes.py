"""Writing the data package's tables through the API (INTERFACES.md "Every resource above is
writable"; issue 19 item 9): cases, children, people, episodes (removals and discharges),
placements, hearings and maltreatment reports take POST and PATCH with the package's names and
codes, a client's own `id`, and the import's checks, each refusal a 400 naming the field.
Who may write: the case writers of the record's case; a case is opened by the site's
Community Coordinators and site admins. The site built through the API against the same
package imported: tests/test_api_package_writes.py."""

import datetime as dt
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from rest_framework.test import APIClient

from cases.models import Case, Episode, MaltreatmentReport, Placement
from safebabies.audit.models import AuditEvent
from tests import factories as f

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)  # 09:00 in the site's America/Chicago


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def as_(request):
    """`as_("judge")`: an API client signed in as that persona."""

    def client(persona: str) -> APIClient:
        api = APIClient()
        api.force_authenticate(request.getfixturevalue(persona))
        return api

    return client


@pytest.fixture
def world(family, other_site) -> SimpleNamespace:
    """The Rivera family (removed on 1 Mar 2026, placed since) with a hearing, a report and a
    family of another site."""
    child = family.test_child
    episode = family.test_episode
    south_case = f.CaseFactory(site=other_site)
    south_child = f.ChildFactory(case=south_case)
    return SimpleNamespace(
        case=family,
        child=child,
        parent=family.test_parent,
        episode=episode,
        placement=episode.placements.get(),
        hearing=f.HearingFactory(case=family, scheduled_on=dt.date(2026, 10, 1)),
        report=MaltreatmentReport.objects.create(
            child=child, reported_on=dt.date(2026, 2, 20), disposition="unsubstantiated"
        ),
        south_case=south_case,
        south_child=south_child,
        south_person=f.PersonFactory(case=south_case),
    )


@dataclass
class Resource:
    path: str
    record: str  # the world's record PATCHed
    post: dict[str, Any]  # values "{case}", "{child}"... are the world's ids
    patch: dict[str, Any]
    parent: str  # the body's field naming the parent
    # import checks: (what changes in the POST body, the field named in the 400)
    refused: list[tuple[dict[str, Any], str]] = field(default_factory=list)


RESOURCES = {
    "cases": Resource(
        "cases",
        "case",
        {"site": "north", "name": "Okafor family", "opened_on": "2026-05-01"},
        {"name": "Rivera-Lopez family", "enrollment": "in_home"},
        "site",
        [
            ({"closed_on": "2026-04-30"}, "closed_on"),
            ({"opened_on": "2026-11-24"}, "opened_on"),
            ({"enrollment": "foster"}, "enrollment"),
            ({"opened_on": "01/05/2026"}, "opened_on"),
        ],
    ),
    "children": Resource(
        "children",
        "child",
        {
            "case_id": "{case}",
            "birth_date": "2026-01-15",
            "enrolled_on": "2026-04-01",
            "sex": "female",
            "race": ["black", "white"],
            "hispanic": "no",
            "icwa": "reason_to_know",
            "given_name": "Mia",
            "family_name": "Rivera",
        },
        {"exited_on": "2026-11-01", "icwa": "applies"},
        "case_id",
        [
            ({"exited_on": "2026-03-31"}, "exited_on"),
            ({"enrolled_on": "2026-03-01"}, "enrolled_on"),
            ({"race": ["purple"]}, "race"),
            ({"sex": "f"}, "sex"),
            ({"birth_date": "2023-01-01"}, "birth_date"),
        ],
    ),
    "people": Resource(
        "people",
        "parent",
        {
            "case_id": "{case}",
            "kind": "relative",
            "given_name": "Rosa",
            "family_name": "Rivera",
            "phone": "555-0199",
            "relationships": [{"child_id": "{child}", "kind": "grandparent"}],
        },
        {"phone": "555-0177", "relationships": [{"child_id": "{child}", "kind": "mother"}]},
        "case_id",
        [
            ({"kind": "neighbour"}, "kind"),
            (
                {"relationships": [{"child_id": "{south_child}", "kind": "aunt_uncle"}]},
                "relationships",
            ),
            ({"email": "not an address"}, "email"),
        ],
    ),
    "episodes": Resource(
        "episodes",
        "episode",
        {
            "child_id": "{child}",
            "removal_date": "2025-08-01",
            "manner": "voluntary",
            "reasons": ["neglect", "inadequate_housing"],
            "discharge_date": "2025-10-01",
            "discharge_reason": "reunification",
        },
        {"reasons": ["neglect", "parent_drugs"], "manner": "court_ordered"},
        "child_id",
        [
            # overlaps the removal of 1 Mar 2026
            ({"removal_date": "2026-02-01", "discharge_date": "2026-04-01"}, "removal_date"),
            # a second open removal
            ({"discharge_date": None, "discharge_reason": None}, "discharge_date"),
            ({"discharge_date": "2025-07-31"}, "discharge_date"),
            ({"discharge_reason": None}, "discharge_reason"),
            ({"discharge_date": None}, "discharge_date"),
            ({"removal_date": "2026-11-24", "discharge_date": None}, "removal_date"),
            ({"removal_date": "2025-06-01"}, "removal_date"),  # before the birth
            ({"reasons": ["neglect", "poverty"]}, "reasons"),
            ({"discharge_reason": "home"}, "discharge_reason"),
        ],
    ),
    "placements": Resource(
        "placements",
        "placement",
        {
            "episode_id": "{episode}",
            "setting": "respite",
            "start_date": "2026-07-03",
            "end_date": "2026-07-05",
            "end_reason": "respite weekend",
            "caregiver_id": "{parent}",
            "address": "4 Pine Road",
        },
        {"end_date": "2026-06-01", "end_reason": "moved to kin"},
        "episode_id",
        [
            ({"start_date": "2026-02-28"}, "start_date"),  # before the removal
            ({"end_date": "2026-07-02"}, "end_date"),
            ({"start_date": "2026-11-24", "end_date": None}, "start_date"),
            ({"caregiver_id": "{south_person}"}, "caregiver_id"),
            ({"setting": "hotel"}, "setting"),
        ],
    ),
    "hearings": Resource(
        "hearings",
        "hearing",
        {"case_id": "{case}", "hearing_type": "review", "scheduled_on": "2026-12-10"},
        {"status": "held", "findings": "Reasonable efforts made."},
        "case_id",
        [
            ({"status": "held"}, "status"),  # a hearing still to come
            ({"findings": "Granted."}, "findings"),
            ({"hearing_type": "trial"}, "hearing_type"),
            ({"status": "adjourned"}, "status"),
        ],
    ),
    "maltreatment-reports": Resource(
        "maltreatment-reports",
        "report",
        {"child_id": "{child}", "reported_on": "2026-10-01", "disposition": "indicated"},
        {"disposition": "substantiated"},
        "child_id",
        [
            ({"reported_on": "2026-11-24"}, "reported_on"),
            ({"disposition": "founded"}, "disposition"),
        ],
    ),
}
PATHS = sorted(RESOURCES)


def fill(value: Any, world: SimpleNamespace) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return getattr(world, value[1:-1]).pk
    if isinstance(value, list):
        return [fill(v, world) for v in value]
    if isinstance(value, dict):
        return {k: fill(v, world) for k, v in value.items()}
    return value


def body(resource: Resource, world: SimpleNamespace, **changes: Any) -> dict[str, Any]:
    return fill({**resource.post, **changes}, world)


# --- Happy paths --------------------------------------------------------------------------


@pytest.mark.parametrize("path", PATHS)
def test_a_case_writer_adds_a_record_with_the_package_id(as_, world, path):
    resource = RESOURCES[path]
    sent = body(resource, world, id=f"north.{path}-0001")
    response = as_("coordinator").post(f"/api/v1/{path}/", sent, format="json")
    assert response.status_code == 201, response.json()
    row = response.json()
    assert row["id"] == f"north.{path}-0001"
    for name, value in sent.items():
        if name not in ("site", "relationships"):
            assert row[name] == value, name
    assert AuditEvent.objects.filter(action="create", record_id=row["id"]).exists()
    assert as_("coordinator").get(f"/api/v1/{path}/{row['id']}/").json() == row


@pytest.mark.parametrize("path", PATHS)
def test_without_an_id_the_server_makes_one(as_, world, path):
    response = as_("coordinator").post(
        f"/api/v1/{path}/", body(RESOURCES[path], world), format="json"
    )
    assert response.status_code == 201, response.json()
    assert len(response.json()["id"]) == 24  # opaque, not a sequence


@pytest.mark.parametrize("path", PATHS)
def test_a_case_writer_changes_a_record_with_patch(as_, world, path):
    resource = RESOURCES[path]
    record = getattr(world, resource.record)
    sent = fill(resource.patch, world)
    persona = "coordinator" if path == "cases" else "caseworker"
    response = as_(persona).patch(f"/api/v1/{path}/{record.pk}/", sent, format="json")
    assert response.status_code == 200, response.json()
    for name, value in sent.items():
        if name != "relationships":
            assert response.json()[name] == value, name
    event = AuditEvent.objects.filter(action="update", record_id=record.pk).latest("id")
    assert event.detail["fields"]


# --- The id ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PATHS)
def test_an_id_already_used_is_a_400_naming_id(as_, world, path):
    resource = RESOURCES[path]
    client = as_("coordinator")
    taken = getattr(world, resource.record).pk  # a record of this kind
    response = client.post(f"/api/v1/{path}/", body(resource, world, id=taken), format="json")
    assert response.status_code == 400
    assert "id" in response.json()


def test_an_id_used_at_another_site_is_refused_too(as_, world):
    response = as_("coordinator").post(
        "/api/v1/cases/", {"opened_on": "2026-05-01", "id": world.south_case.pk}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["id"]
    assert Case.objects.get(pk=world.south_case.pk).site.slug == "south"


@pytest.mark.parametrize("bad", ["has space", "-leading", "x" * 65, "ü"])
def test_an_id_outside_the_package_alphabet_is_refused(as_, world, bad):
    sent = body(RESOURCES["hearings"], world, id=bad)
    response = as_("coordinator").post("/api/v1/hearings/", sent, format="json")
    assert response.status_code == 400
    assert "id" in response.json()


@pytest.mark.parametrize("path", PATHS)
def test_a_record_keeps_its_id_and_its_parent(as_, world, path):
    resource = RESOURCES[path]
    record = getattr(world, resource.record)
    client = as_("coordinator")
    url = f"/api/v1/{path}/{record.pk}/"
    response = client.patch(url, {"id": "another-id"}, format="json")
    assert response.status_code == 400
    assert "id" in response.json()
    other = (
        "south"
        if path == "cases"
        else fill(
            {"case_id": "{south_case}", "child_id": "{south_child}", "episode_id": "{episode}"}[
                resource.parent
            ],
            world,
        )
    )
    if path == "placements":
        other = f.EpisodeFactory(
            child=world.child,
            removal_date=dt.date(2025, 8, 1),
            discharge_date=dt.date(2025, 9, 1),
            discharge_reason="reunification",
        ).pk
    response = client.patch(url, {resource.parent: other}, format="json")
    assert response.status_code == 400
    assert resource.parent in response.json()


# --- The import's checks --------------------------------------------------------------------


CHECKS = [
    pytest.param(path, changes, named, id=f"{path}-{named}-{n}")
    for path in PATHS
    for n, (changes, named) in enumerate(RESOURCES[path].refused)
]


@pytest.mark.parametrize(("path", "changes", "named"), CHECKS)
def test_each_check_of_the_import_is_a_400_naming_the_field(as_, world, path, changes, named):
    resource = RESOURCES[path]
    written = AuditEvent.objects.filter(action="create").count()
    response = as_("coordinator").post(
        f"/api/v1/{path}/", body(resource, world, **changes), format="json"
    )
    assert response.status_code == 400, response.json()
    assert named in response.json(), response.json()
    assert AuditEvent.objects.filter(action="create").count() == written  # nothing written


def test_an_unknown_site_is_a_400_naming_site(as_, world):
    response = as_("coordinator").post(
        "/api/v1/cases/", {"site": "nowhere", "opened_on": "2026-05-01"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["site"]


def test_the_site_may_be_left_out_by_who_opens_cases_at_one_site_only(as_, world, site, other_site):
    response = as_("site_admin").post("/api/v1/cases/", {"opened_on": "2026-05-01"}, format="json")
    assert response.status_code == 201
    assert response.json()["site"] == "north"
    two_sites = f.site_member(site, "community_coordinator", email="two@north.example.org")
    f.MembershipFactory(user=two_sites, site=other_site, role="site_admin")
    client = APIClient()
    client.force_authenticate(two_sites)
    response = client.post("/api/v1/cases/", {"opened_on": "2026-05-01"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["site"]
    response = client.post(
        "/api/v1/cases/", {"opened_on": "2026-05-01", "site": "south"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["site"] == "south"


def test_opening_a_case_puts_nobody_on_its_team(as_, world):
    response = as_("coordinator").post("/api/v1/cases/", {"opened_on": "2026-05-01"}, format="json")
    assert Case.objects.get(pk=response.json()["id"]).team_members.count() == 0


def test_a_case_closes_on_or_after_it_opens(as_, world):
    url = f"/api/v1/cases/{world.case.pk}/"
    response = as_("caseworker").patch(url, {"closed_on": "2026-03-01"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["closed_on"]
    response = as_("caseworker").patch(url, {"closed_on": "2026-11-20"}, format="json")
    assert response.status_code == 200
    assert response.json()["closed_on"] == "2026-11-20"


def test_a_discharge_ends_the_open_placement_the_same_day(as_, world):
    url = f"/api/v1/episodes/{world.episode.pk}/"
    sent = {"discharge_date": "2026-11-20", "discharge_reason": "reunification"}
    response = as_("caseworker").patch(url, sent, format="json")
    assert response.status_code == 200, response.json()
    placement = Placement.objects.get(pk=world.placement.pk)
    assert placement.end_date == dt.date(2026, 11, 20)
    assert placement.end_reason == "Discharged: Reunification"
    assert AuditEvent.objects.filter(action="update", record_id=placement.pk).exists()
    # undone: the episode is open again (the placement keeps its end)
    undo = {"discharge_date": None, "discharge_reason": None}
    response = as_("caseworker").patch(url, undo, format="json")
    assert response.status_code == 200
    assert Episode.objects.get(pk=world.episode.pk).discharge_date is None


def test_a_discharge_inside_a_placement_or_before_the_removal_is_refused(as_, world):
    placement = world.placement
    placement.end_date, placement.end_reason = dt.date(2026, 6, 1), "moved"
    placement.save()
    later = f.PlacementFactory(episode=world.episode, start_date=dt.date(2026, 6, 1))
    client = as_("caseworker")
    url = f"/api/v1/episodes/{world.episode.pk}/"
    for day in ("2026-05-01", "2026-02-27"):
        sent = {"discharge_date": day, "discharge_reason": "reunification"}
        response = client.patch(url, sent, format="json")
        assert response.status_code == 400, response.json()
        assert list(response.json()) == ["discharge_date"]
    assert Placement.objects.get(pk=later.pk).end_date is None
    assert Episode.objects.get(pk=world.episode.pk).discharge_date is None
    response = client.patch(
        url, {"discharge_date": None, "discharge_reason": "adoption"}, format="json"
    )
    assert list(response.json()) == ["discharge_date"]


def test_a_removal_date_that_leaves_a_placement_outside_is_refused(as_, world):
    url = f"/api/v1/episodes/{world.episode.pk}/"
    response = as_("caseworker").patch(url, {"removal_date": "2026-03-02"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["removal_date"]


def test_a_placement_of_a_discharged_episode_lies_inside_it(as_, world):
    old = f.EpisodeFactory(
        child=world.child,
        removal_date=dt.date(2025, 8, 1),
        discharge_date=dt.date(2025, 10, 1),
        discharge_reason="reunification",
    )
    client = as_("caseworker")
    sent = {"episode_id": old.pk, "setting": "relative_foster", "start_date": "2025-10-02"}
    response = client.post("/api/v1/placements/", sent, format="json")
    assert list(response.json()) == ["start_date"]
    sent |= {"start_date": "2025-08-01", "end_date": "2025-10-02"}
    response = client.post("/api/v1/placements/", sent, format="json")
    assert list(response.json()) == ["end_date"]
    sent |= {"end_date": "2025-10-01"}
    assert client.post("/api/v1/placements/", sent, format="json").status_code == 201


def test_a_child_comes_back_into_care_with_a_new_removal(as_, world):
    client = as_("caseworker")
    url = f"/api/v1/episodes/{world.episode.pk}/"
    sent = {"discharge_date": "2026-09-01", "discharge_reason": "reunification"}
    assert client.patch(url, sent, format="json").status_code == 200
    reentry = {"child_id": world.child.pk, "removal_date": "2026-11-02", "reasons": ["neglect"]}
    response = client.post("/api/v1/episodes/", reentry, format="json")
    assert response.status_code == 201, response.json()
    response = client.post(
        "/api/v1/placements/",
        {
            "episode_id": response.json()["id"],
            "setting": "relative_foster",
            "start_date": "2026-11-02",
        },
        format="json",
    )
    assert response.status_code == 201


def test_a_continued_hearing_held_later_loses_its_continuance_reason(as_, world):
    url = f"/api/v1/hearings/{world.hearing.pk}/"
    client = as_("caseworker")
    sent = {"status": "continued", "continuance_reason": "The parent was ill."}
    assert (
        client.patch(url, sent, format="json").json()["continuance_reason"]
        == sent["continuance_reason"]
    )
    response = client.patch(url, {"status": "held"}, format="json")
    assert response.status_code == 200
    assert response.json()["continuance_reason"] is None


def test_a_relationship_list_on_patch_is_the_whole_list(as_, world):
    sibling = f.ChildFactory(case=world.case)
    url = f"/api/v1/people/{world.parent.pk}/"
    both = [
        {"child_id": world.child.pk, "kind": "mother"},
        {"child_id": sibling.pk, "kind": "mother"},
    ]
    client = as_("caseworker")
    assert client.patch(url, {"relationships": both}, format="json").status_code == 200
    response = client.patch(url, {"relationships": both[1:]}, format="json")
    assert response.json()["relationships"] == [{"child_id": sibling.pk, "kind": "mother"}]


# --- Who may write ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("persona", ["judge", "parent_attorney", "parent_mentor"])
def test_a_read_only_role_gets_403(as_, world, path, persona):
    resource = RESOURCES[path]
    client = as_(persona)
    assert client.post(f"/api/v1/{path}/", body(resource, world), format="json").status_code == 403
    record = getattr(world, resource.record)
    sent = fill(resource.patch, world)
    assert client.patch(f"/api/v1/{path}/{record.pk}/", sent, format="json").status_code == 403


def test_a_caseworker_or_clinician_does_not_open_a_case(as_, world):
    for persona in ("caseworker", "clinician", "sit_member"):
        response = as_(persona).post("/api/v1/cases/", {"opened_on": "2026-05-01"}, format="json")
        assert response.status_code == 403


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("persona", ["outsider", "other_caseworker"])
def test_an_outsider_gets_404_and_a_400_on_the_parent_named(as_, world, path, persona):
    resource = RESOURCES[path]
    client = as_(persona)
    record = getattr(world, resource.record)
    sent = fill(resource.patch, world)
    assert client.patch(f"/api/v1/{path}/{record.pk}/", sent, format="json").status_code == 404
    response = client.post(f"/api/v1/{path}/", body(resource, world), format="json")
    if path == "cases":  # a site where they do not open cases
        assert response.status_code == 403
    else:
        assert response.status_code == 400
        assert list(response.json()) == [resource.parent]


@pytest.mark.parametrize("path", ["placements", "people"])
def test_a_ref_to_a_record_of_another_family_is_a_400_naming_it(as_, world, path):
    other = {"placements": {"caregiver_id": world.south_person.pk}}
    sent = body(RESOURCES[path], world, **other.get(path, {"case_id": world.south_case.pk}))
    response = as_("coordinator").post(f"/api/v1/{path}/", sent, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [next(iter(other.get(path, {"case_id": 0})))]


@pytest.mark.parametrize("path", PATHS)
def test_no_body_of_any_shape_gives_a_5xx(as_, world, path):
    client = as_("coordinator")
    record = getattr(world, RESOURCES[path].record)
    for sent in ([], "text", {"id": None}, {"opened_on": None}, {"race": "black"}, {"x": {}}):
        assert client.post(f"/api/v1/{path}/", sent, format="json").status_code == 400
        assert client.patch(f"/api/v1/{path}/{record.pk}/", sent, format="json").status_code < 500


# --- Screenings name their child; the case list's search ---------------------------------------


def test_a_screening_names_its_child_and_takes_the_childs_case(as_, world):
    sent = {
        "id": "scr-1",
        "child_id": world.child.pk,
        "subject": "child",
        "instrument": "asqse2",
        "screened_on": "2026-10-25",
    }
    response = as_("caseworker").post("/api/v1/screenings/", sent, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["case_id"] == world.case.pk
    response = as_("caseworker").post(
        "/api/v1/screenings/", {**sent, "id": "scr-2", "child_id": None}, format="json"
    )
    assert list(response.json()) == ["child_id"]
    response = as_("outsider").post("/api/v1/screenings/", {**sent, "id": "scr-3"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["child_id"]


def test_a_service_starts_on_or_after_its_referral(as_, world):
    sent = {
        "case_id": world.case.pk,
        "recipient": "dyad",
        "service_type": "child_parent_psychotherapy",
        "referred_on": "2026-10-01",
        "started_on": "2026-09-30",
        "status": "active",
    }
    response = as_("caseworker").post("/api/v1/services/", sent, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["started_on"]


@pytest.mark.parametrize(
    "q", ["Rivera", "rive", "Jaime", "JD-2026", "Dorothy", "{case}", "rivera jaime"]
)
def test_q_searches_what_the_case_list_searches(as_, world, q):
    other = f.CaseFactory(site=world.case.site, name="Okafor family")
    f.ChildFactory(case=other, given_name="Ada", family_name="Okafor", docket_number="JV-1")
    q = q.replace("{case}", world.case.pk)
    rows = as_("coordinator").get("/api/v1/cases/", {"q": q}).json()["results"]
    assert [row["id"] for row in rows] == [world.case.pk]


def test_q_finds_nothing_the_caller_may_not_see(as_, world):
    assert as_("outsider").get("/api/v1/cases/", {"q": "Rivera"}).json()["results"] == []
    assert as_("coordinator").get("/api/v1/cases/", {"q": "Nobody"}).json()["results"] == []
