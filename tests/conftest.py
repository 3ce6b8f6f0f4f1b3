"""Personas (STYLE.md) and a family to test against.

Site "north" has one family (the `family` fixture) whose team holds the caseworker, the
clinician, the parent's attorney and the parent mentor. `other_caseworker` is a caseworker at
the same site who is not on that team; `outsider` is a Community Coordinator of another site.
"""

import pytest
from rest_framework.test import APIClient

from tests import factories as f

PASSWORD = "correct horse battery staple"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """Before the last test's teardown drops the test database: end any other session still
    open on it, so the drop does not fail ("being accessed by other users"). A connection
    Django opened in another context of this process (asgiref keeps connections per context;
    the browser tests' greenlets have their own) is not closed by `connections.close_all()` in
    this one, and would otherwise outlive the run."""
    if nextitem is None:
        _end_other_sessions_on_the_test_database()
    return (yield)


def _end_other_sessions_on_the_test_database() -> None:
    import psycopg
    from django.db import connection

    name = connection.settings_dict["NAME"]
    if not name.startswith("test_") or connection.vendor != "postgresql":
        return
    own = connection.connection.info.backend_pid if connection.connection else None
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.update(dbname="postgres", autocommit=True)
    with psycopg.connect(**params) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid() AND pid IS DISTINCT FROM %s",
            [name, own],
        )


def _member(site, role, email):
    user = f.UserFactory(email=email)
    f.MembershipFactory(user=user, site=site, role=role)
    return user


@pytest.fixture
def site(db):
    return f.SiteFactory(slug="north", name="North County Safe Babies")


@pytest.fixture
def other_site(db):
    return f.SiteFactory(slug="south", name="South County Safe Babies")


@pytest.fixture
def coordinator(site):
    return _member(site, "community_coordinator", "cc@north.example.org")


@pytest.fixture
def site_admin(site):
    return _member(site, "site_admin", "admin@north.example.org")


@pytest.fixture
def caseworker(site):
    return _member(site, "caseworker", "caseworker@north.example.org")


@pytest.fixture
def other_caseworker(site):
    return _member(site, "caseworker", "other.caseworker@north.example.org")


@pytest.fixture
def judge(site):
    return _member(site, "judge", "judge@north.example.org")


@pytest.fixture
def clinician(site):
    return _member(site, "clinician", "clinician@north.example.org")


@pytest.fixture
def parent_attorney(site):
    return _member(site, "parent_attorney", "parent.attorney@north.example.org")


@pytest.fixture
def parent_mentor(site):
    return _member(site, "parent_mentor", "mentor@north.example.org")


@pytest.fixture
def sit_member(site):
    return _member(site, "site_implementation", "sit@north.example.org")


@pytest.fixture
def outsider(other_site):
    return _member(other_site, "community_coordinator", "cc@south.example.org")


@pytest.fixture
def family(site, coordinator, caseworker, clinician, parent_attorney, parent_mentor):
    """One case at `site`: a child in care with a placement and a permanency plan, a parent,
    and a family team."""
    case = f.CaseFactory(site=site, name="Rivera family")
    child = f.ChildFactory(case=case, given_name="Jaime", family_name="Rivera")
    parent = f.PersonFactory(case=case, given_name="Dorothy", family_name="Rivera")
    episode = f.EpisodeFactory(child=child)
    f.PlacementFactory(episode=episode, address="12 Elm Street")
    f.PermanencyPlanFactory(child=child)
    for user, role in [
        (coordinator, "community_coordinator"),
        (caseworker, "caseworker"),
        (clinician, "clinician"),
        (parent_attorney, "parent_attorney"),
        (parent_mentor, "parent_mentor"),
    ]:
        f.TeamMemberFactory(case=case, user=user, role=role)
    case.test_child = child
    case.test_parent = parent
    case.test_episode = episode
    return case


@pytest.fixture
def api():
    """An API client; `api.force_authenticate(user)` or a bearer token."""
    return APIClient()


@pytest.fixture
def client_for(client):
    """`client_for(user)` signs the test client in as that user."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in
