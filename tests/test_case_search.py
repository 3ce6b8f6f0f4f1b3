"""Finding a family at national scale (issue 23): the case list's search and the API's `?q=`
read each case's own `search_text` (kept by PostgreSQL from its children and people) through a
trigram index, rank what they find, and stay inside the access module's rows; the API's lists
page by keyset cursors with an exact count.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Case, Child, Hearing, Person
from tests import factories as f
from tests.test_api import bearer

pytestmark = pytest.mark.django_db


def page_names(client, q, **params):
    response = client.get("/cases/", {"q": q, **params})
    assert response.status_code == 200
    return [case.name for case in response.context["page_obj"]]


def api_names(client, q):
    response = client.get("/api/v1/cases/", {"q": q})
    assert response.status_code == 200
    return [row["name"] for row in response.json()["results"]]


# --- What the search reads, kept by PostgreSQL ------------------------------------------------


def test_search_text_follows_every_change_of_names_and_dockets(site):
    case = f.CaseFactory(site=site, name="Okafor family")
    child = f.ChildFactory(case=case, given_name="Ada", family_name="Okafor", docket_number="")

    def text() -> str:
        return Case.objects.values_list("search_text", flat=True).get(pk=case.pk)

    assert text() == " OKAFOR FAMILY ADA OKAFOR "
    child.docket_number = "jd-2026-7"
    child.save()
    assert "JD-2026-7" in text()
    assert Case.objects.get(pk=case.pk).search_dockets == ["JD-2026-7"]
    person = f.PersonFactory(case=case, given_name="Grace", family_name="Eze")
    assert "GRACE EZE" in text()
    Person.objects.filter(pk=person.pk).update(given_name="Gloria")  # a bulk write too
    assert "GLORIA EZE" in text() and "GRACE" not in text()
    case.name = "Eze-Okafor family"
    case.search_text = "stale"  # what the ORM writes back is replaced
    case.save()
    assert text().startswith(" EZE-OKAFOR FAMILY ADA OKAFOR JD-2026-7 ")
    Child.objects.filter(pk=child.pk).delete()
    assert "ADA" not in text()
    assert Case.objects.get(pk=case.pk).search_dockets is None


def test_a_child_moved_to_another_case_leaves_the_first_ones_search(site):
    first, second = f.CaseFactory(site=site), f.CaseFactory(site=site)
    child = f.ChildFactory(case=first, given_name="Zuri")
    Child.objects.filter(pk=child.pk).update(case=second)
    texts = dict(Case.objects.values_list("pk", "search_text"))
    assert "ZURI" not in texts[first.pk] and "ZURI" in texts[second.pk]


# --- Ranking ----------------------------------------------------------------------------------


@pytest.fixture
def ranked(site, coordinator):
    """Four families that all contain "ana", each matching it differently."""
    inside = f.CaseFactory(site=site, name="Adams family")
    f.ChildFactory(case=inside, given_name="Mariana", family_name="Adams")
    start = f.CaseFactory(site=site, name="Baker family")
    f.ChildFactory(case=start, given_name="Anaya", family_name="Baker")
    whole = f.CaseFactory(site=site, name="Cruz family")
    f.ChildFactory(case=whole, given_name="Ana", family_name="Cruz")
    docket = f.CaseFactory(site=site, name="Diaz family")
    f.ChildFactory(case=docket, given_name="Luis", family_name="Diaz", docket_number="ANA")
    return inside, start, whole, docket


def test_search_ranks_exact_docket_then_whole_word_then_word_start_then_inside(
    client_for, coordinator, ranked
):
    expected = ["Diaz family", "Cruz family", "Baker family", "Adams family"]
    assert page_names(client_for(coordinator), "ana") == expected
    assert api_names(bearer(coordinator), "ana") == expected


def test_search_by_a_whole_docket_number_puts_that_family_first(client_for, coordinator, site):
    for n in range(3):  # dockets that contain the one typed
        f.ChildFactory(
            case=f.CaseFactory(site=site, name=f"A{n} family"), docket_number=f"JD-42-{n}"
        )
    target = f.CaseFactory(site=site, name="Zeller family")
    f.ChildFactory(case=target, docket_number="JD-42")
    client = client_for(coordinator)
    assert page_names(client, "jd-42")[0] == "Zeller family"
    assert len(page_names(client, "jd-42")) == 4
    assert api_names(bearer(coordinator), "JD-42")[0] == "Zeller family"


def test_search_by_case_id_finds_that_case_first_and_only_by_the_whole_id(
    client_for, coordinator, site
):
    case = f.CaseFactory(site=site, name="Young family")
    f.CaseFactory(site=site, name="Other family")
    client = client_for(coordinator)
    assert page_names(client, case.pk) == ["Young family"]
    assert page_names(client, case.pk[:-1]) == []
    assert api_names(bearer(coordinator), case.pk) == ["Young family"]


def test_every_word_must_match(client_for, family, coordinator, site):
    f.ChildFactory(case=f.CaseFactory(site=site, name="Rivera family"), given_name="Lola")
    client = client_for(coordinator)
    assert sorted(page_names(client, "rivera")) == ["Rivera family", "Rivera family"]
    assert page_names(client, "rivera jaime") == ["Rivera family"]
    assert page_names(client, "rivera jaime nobody") == []
    assert page_names(client, "50%") == []  # LIKE's wildcards are only characters here
    assert page_names(client, "_") == []


# --- Bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["riv\x00", "riv\x01era", "\x1b[2J"])
def test_control_characters_in_a_search_are_a_400(client_for, api, family, coordinator, q):
    assert client_for(coordinator).get("/cases/", {"q": q}).status_code == 400
    response = bearer(coordinator).get("/api/v1/cases/", {"q": q})
    assert response.status_code == 400


# --- Access: a search finds only what the access module lets the person open ------------------


def test_a_person_with_two_roles_finds_only_the_families_whose_team_they_sit_on(
    client_for, family, site
):
    """A caseworker who is also a parent mentor at the site, on the Rivera team as caseworker
    only, finds the Riveras and never the other Rivera family of the site."""
    two_roles = f.site_member(site, "caseworker", "parent_mentor", email="two@north.example.org")
    f.TeamMemberFactory(case=family, user=two_roles, role="caseworker")
    other = f.CaseFactory(site=site, name="Rivera family")
    f.ChildFactory(case=other, given_name="Jaime", family_name="Rivera")
    assert page_names(client_for(two_roles), "jaime") == ["Rivera family"]
    assert [
        row["id"]
        for row in bearer(two_roles).get("/api/v1/cases/", {"q": "jaime"}).json()["results"]
    ] == [family.pk]
    assert bearer(two_roles).get("/api/v1/cases/", {"q": other.pk}).json()["count"] == 0


def test_a_coordinator_at_one_site_and_caseworker_at_another_finds_by_each_role(
    client_for, family, site, other_site
):
    person = f.site_member(site, "community_coordinator", email="both@north.example.org")
    f.MembershipFactory(user=person, site=other_site, role="caseworker")
    south_team = f.CaseFactory(site=other_site, name="Rivera family")
    f.TeamMemberFactory(case=south_team, user=person, role="caseworker")
    f.ChildFactory(case=f.CaseFactory(site=other_site, name="Rivera family"), given_name="Jaime")
    found = bearer(person).get("/api/v1/cases/", {"q": "rivera"}).json()
    assert found["count"] == 2
    assert {row["id"] for row in found["results"]} == {family.pk, south_team.pk}


def test_outsiders_and_the_aggregate_roles_find_nothing(client_for, family, outsider, sit_member):
    assert bearer(outsider).get("/api/v1/cases/", {"q": "rivera"}).json()["count"] == 0
    assert bearer(sit_member).get("/api/v1/cases/", {"q": "rivera"}).json()["count"] == 0


def test_a_search_is_still_audited(client_for, family, coordinator):
    from safebabies.audit.models import AuditEvent

    client_for(coordinator).get("/cases/", {"q": "jaime"})
    event = AuditEvent.objects.filter(action="search").latest("id")
    assert event.actor == coordinator and event.detail == {"q": "jaime"}


# --- Keyset pages -----------------------------------------------------------------------------


def _cases(site, n, start=dt.date(2026, 1, 1)):
    return [
        f.CaseFactory(
            site=site, name=f"Paged family {i:03d}", opened_on=start + dt.timedelta(days=i % 7)
        )
        for i in range(n)
    ]


def walk(client, url, params=None):
    """Every page of a list by its `next` links: (rows, pages)."""
    rows, pages = [], 0
    body = client.get(url, params or {}).json()
    while True:
        pages += 1
        rows += body["results"]
        if not body["next"]:
            return rows, pages
        body = client.get(body["next"]).json()


def test_next_links_are_cursors_and_walk_every_row_once_in_the_lists_order(site, coordinator):
    _cases(site, 23)
    client = bearer(coordinator)
    first = client.get("/api/v1/cases/", {"page_size": 5}).json()
    assert set(first) == {"count", "next", "previous", "results"}
    assert first["count"] == 23 and first["previous"] is None
    assert "cursor=" in first["next"] and "page=" not in first["next"]
    rows, pages = walk(client, "/api/v1/cases/", {"page_size": 5})
    assert pages == 5
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids)) == 23
    expected = list(Case.objects.order_by("-opened_on", "id").values_list("pk", flat=True))
    assert ids == expected


def test_cursor_pages_walk_every_row_exactly_once_while_rows_are_added(site, coordinator):
    """Families opened while someone pages through the list, before and after the page they
    are on: no family of the list is skipped or shown twice (page numbers would)."""
    original = {c.pk for c in _cases(site, 30)}
    client = bearer(coordinator)
    body = client.get("/api/v1/cases/", {"page_size": 4}).json()
    seen = [row["id"] for row in body["results"]]
    n = 0
    while body["next"]:
        for opened in (dt.date(2026, 1, 9), dt.date(2025, 12, 1), dt.date(2026, 1, 3)):
            f.CaseFactory(site=site, name=f"New family {n}", opened_on=opened)  # first, last, amid
            n += 1
        body = client.get(body["next"]).json()
        assert body["count"] == 30 + n
        seen += [row["id"] for row in body["results"]]
    assert len(seen) == len(set(seen))  # none twice
    assert original <= set(seen)  # none skipped


def test_previous_links_walk_back_to_the_first_page(site, coordinator):
    _cases(site, 11)
    client = bearer(coordinator)
    forward, body = [], client.get("/api/v1/cases/", {"page_size": 3}).json()
    forward.append([r["id"] for r in body["results"]])
    while body["next"]:
        body = client.get(body["next"]).json()
        forward.append([r["id"] for r in body["results"]])
    backward = [[r["id"] for r in body["results"]]]
    while body["previous"]:
        body = client.get(body["previous"]).json()
        backward.append([r["id"] for r in body["results"]])
    assert backward[::-1] == forward
    assert body["previous"] is None


def test_page_numbers_still_work_and_lead_on_by_cursor(site, coordinator):
    _cases(site, 12)
    client = bearer(coordinator)
    expected = list(Case.objects.order_by("-opened_on", "id").values_list("pk", flat=True))
    third = client.get("/api/v1/cases/", {"page_size": 4, "page": 3}).json()
    assert [r["id"] for r in third["results"]] == expected[8:]
    assert third["next"] is None and "cursor=" in third["previous"]
    second = client.get("/api/v1/cases/", {"page_size": 4, "page": 2}).json()
    assert [r["id"] for r in client.get(second["next"]).json()["results"]] == expected[8:]
    assert client.get("/api/v1/cases/", {"page": 9}).status_code == 404
    assert client.get("/api/v1/cases/", {"page": "x"}).status_code == 404


def test_a_search_pages_by_number(client_for, site, coordinator):
    for n in range(7):
        f.ChildFactory(case=f.CaseFactory(site=site, name=f"Bulk family {n}"), family_name="Bulk")
    body = bearer(coordinator).get("/api/v1/cases/", {"q": "bulk", "page_size": 5}).json()
    assert body["count"] == 7 and "page=2" in body["next"]
    second = bearer(coordinator).get(body["next"]).json()
    assert len(second["results"]) == 2


@pytest.mark.parametrize(
    "cursor",
    ["nonsense", "e30", "eyJrIjpbXSwiYiI6ZmFsc2V9", "eyJrIjpbIngiLCJ5Il0sImIiOjF9", "\u00e9"],
)
def test_a_cursor_that_is_not_one_is_a_400_naming_it(site, coordinator, cursor):
    _cases(site, 3)
    response = bearer(coordinator).get("/api/v1/cases/", {"cursor": cursor})
    assert response.status_code == 400
    assert "cursor" in response.json()


def test_a_forged_cursor_with_a_nul_or_a_wrong_date_is_a_400(site, coordinator):
    from safebabies.api import encode_cursor

    _cases(site, 3)
    client = bearer(coordinator)
    for values in (["2026-01-01", "ab\x00c"], ["not a date", "abc"], [None, "abc"], [1, 2, 3]):
        response = client.get("/api/v1/cases/", {"cursor": encode_cursor(values, False)})
        assert response.status_code == 400, values


def test_a_cursor_on_a_searched_list_is_a_400(site, coordinator):
    _cases(site, 3)
    client = bearer(coordinator)
    cursor = client.get("/api/v1/cases/", {"page_size": 1}).json()["next"].split("cursor=")[1]
    response = client.get("/api/v1/cases/", {"q": "paged", "cursor": cursor})
    assert response.status_code == 400 and "cursor" in response.json()


def test_a_deep_cursor_page_takes_the_queries_of_the_first(site, coordinator):
    _cases(site, 40)
    client = bearer(coordinator)
    with CaptureQueriesContext(connection) as first:
        body = client.get("/api/v1/cases/", {"page_size": 5}).json()
    for _ in range(5):
        body = client.get(body["next"]).json()
    with CaptureQueriesContext(connection) as deep:
        client.get(body["next"])
    assert len(deep.captured_queries) == len(first.captured_queries)


def test_cursor_pages_of_records_ordered_by_a_nullable_time(site, coordinator):
    """Hearings are ordered by day, then start time (which may be empty), then id."""
    case = f.CaseFactory(site=site)
    for day in range(4):
        for starts in (None, dt.time(9), dt.time(9), dt.time(14)):
            f.HearingFactory(case=case, scheduled_on=dt.date(2026, 5, 1 + day), starts_at=starts)
    client = bearer(coordinator)
    rows, _pages = walk(client, "/api/v1/hearings/", {"page_size": 3})
    expected = list(
        Hearing.objects.order_by("scheduled_on", "starts_at", "id").values_list("pk", flat=True)
    )
    assert [row["id"] for row in rows] == expected


def test_families_imported_from_a_data_package_are_found(site, coordinator, tmp_path):
    """The import writes through staging tables in SQL, not the ORM: the triggers fill the
    search all the same."""
    from cases.package.importer import import_package
    from tests.packages.build import valid, write_package

    assert import_package(write_package(tmp_path / "pkg", valid()), site=site, dry_run=False).ok
    assert "ANA LOPEZ" in Case.objects.get(pk="case-1").search_text
    found = bearer(coordinator).get("/api/v1/cases/", {"q": "lopez"}).json()
    assert "case-1" in [row["id"] for row in found["results"]]
