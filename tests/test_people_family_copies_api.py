"""How a person of the case agreed to receive the family copies (`Person.family_copies`, issue
21 item 3) is read and written through the People API (`/api/v1/people/`): POST and PATCH take
it, a bad value is a 400 naming `family_copies` with nothing written, and who may write a
person is unchanged (the case's writers; a read-only role 403, a parent 403 on their own
person, another site 404)."""

import pytest
from rest_framework.test import APIClient

from cases.models import Person
from safebabies.audit.models import AuditEvent
from safebabies.identity.roles import Role
from tests import factories as f

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def url(person: Person) -> str:
    return f"/api/v1/people/{person.pk}/"


def test_a_coordinator_adds_a_person_with_the_ways_they_agreed_to(coordinator, family):
    response = api(coordinator).post(
        "/api/v1/people/",
        {
            "case_id": family.pk,
            "kind": "relative",
            "given_name": "Marta",
            "family_copies": ["email", "paper"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["family_copies"] == ["email", "paper"]
    assert Person.objects.get(pk=response.json()["id"]).family_copies == ["email", "paper"]


def test_a_person_added_without_it_receives_no_copy(coordinator, family):
    response = api(coordinator).post(
        "/api/v1/people/",
        {"case_id": family.pk, "kind": "support", "given_name": "Lena"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["family_copies"] == []


def test_a_caseworker_changes_it_with_patch_and_the_change_is_audited(caseworker, family):
    person = family.test_parent
    response = api(caseworker).patch(url(person), {"family_copies": ["text"]}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["family_copies"] == ["text"]
    person.refresh_from_db()
    assert person.family_copies == ["text"]
    event = AuditEvent.objects.filter(action="update", record_id=person.pk).latest("id")
    assert "family_copies" in event.detail["fields"]
    # an empty list, or null, takes every way away: no copy is sent
    for nothing in ([], None):
        person.family_copies = ["paper"]
        person.save(update_fields=["family_copies"])
        response = api(caseworker).patch(url(person), {"family_copies": nothing}, format="json")
        assert response.status_code == 200 and response.json()["family_copies"] == []
        person.refresh_from_db()
        assert person.family_copies == []


@pytest.mark.parametrize(
    "bad",
    [
        ["pigeon"],
        ["email", "email"],
        "email",
        ["email", "text", "paper", "fax"],
        [["email"]],
        {"email": True},
    ],
)
def test_a_bad_value_is_a_400_naming_the_field_and_nothing_is_written(coordinator, family, bad):
    person = family.test_parent
    person.family_copies = ["paper"]
    person.save(update_fields=["family_copies"])
    before = AuditEvent.objects.count()
    response = api(coordinator).patch(url(person), {"family_copies": bad}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["family_copies"]
    person.refresh_from_db()
    assert person.family_copies == ["paper"]
    response = api(coordinator).post(
        "/api/v1/people/",
        {"case_id": family.pk, "kind": "relative", "given_name": "Ana", "family_copies": bad},
        format="json",
    )
    assert response.status_code == 400 and list(response.json()) == ["family_copies"]
    assert not Person.objects.filter(given_name="Ana").exists()
    assert AuditEvent.objects.count() == before


def test_a_read_only_role_may_not_change_it(family, judge, parent_attorney, parent_mentor):
    person = family.test_parent
    for who in (judge, parent_attorney, parent_mentor):
        response = api(who).patch(url(person), {"family_copies": ["email"]}, format="json")
        assert response.status_code == 403
    person.refresh_from_db()
    assert person.family_copies == []


def test_a_parent_may_not_change_their_own_persons(site, coordinator, family):
    person = family.test_parent
    jaime = f.site_member(site, Role.PARENT, email="jaime@example.org")
    linked = api(coordinator).post(
        f"/api/v1/cases/{family.pk}/team-members/",
        {"email": jaime.email, "role": "parent", "person_id": person.pk},
        format="json",
    )
    assert linked.status_code == 201, linked.content
    assert api(jaime).get(url(person)).json()["family_copies"] == []
    response = api(jaime).patch(url(person), {"family_copies": ["email"]}, format="json")
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.family_copies == []


def test_another_sites_coordinator_gets_404(outsider, family):
    person = family.test_parent
    response = api(outsider).patch(url(person), {"family_copies": ["email"]}, format="json")
    assert response.status_code == 404
    response = api(outsider).post(
        "/api/v1/people/",
        {"case_id": family.pk, "kind": "relative", "given_name": "Ana", "family_copies": ["text"]},
        format="json",
    )
    assert response.status_code == 400 and list(response.json()) == ["case_id"]
    person.refresh_from_db()
    assert person.family_copies == []
