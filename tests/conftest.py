"""Personas (STYLE.md) and a family to test against.

Site "north" has one family (the `family` fixture) whose team holds the caseworker, the
clinician, the parent's attorney and the parent mentor. `other_caseworker` is a caseworker at
the same site who is not on that team; `outsider` is a Community Coordinator of another site.
"""

import pytest
from django.conf import settings
from django.utils import translation
from rest_framework.test import APIClient

from tests import factories as f

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session", autouse=True)
def _flush_past_the_audit_trails_truncate_trigger():
    """The audit trail refuses TRUNCATE (audit migration 0005), and Django empties the database
    after each `transaction=True` test with one TRUNCATE of every table. The test runner, a
    superuser, does it in replica mode, where ordinary triggers do not fire (a role that is not
    a superuser cannot set it). Tests only."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        return original(self, ["SET LOCAL session_replication_role = replica", *sql_list])

    DatabaseOperations.execute_sql_flush = execute_sql_flush
    yield
    DatabaseOperations.execute_sql_flush = original


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's, and before it drops the test database: no session is left on it, so
    the drop does not fail ("being accessed by other users"). asgiref keeps Django's
    connections per context, and in a full run the teardown's context is not the tests' last
    one: `connections.close_all()` there closes its own connection, and the one the tests last
    used (or any opened in yet another context) would outlive the run."""
    yield
    with django_db_blocker.unblock():
        _end_every_session_on_the_test_database()


def _end_every_session_on_the_test_database() -> None:
    import psycopg
    from django.db import connection

    name = connection.settings_dict["NAME"]
    if connection.vendor != "postgresql" or not name.startswith("test_"):
        return
    params = connection.get_connection_params()
    connection.close()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.update(dbname="postgres", autocommit=True)
    with psycopg.connect(**params) as admin:
        # waiting up to 5 s for each to end: the drop follows at once
        admin.execute(
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )


@pytest.fixture(autouse=True)
def _english_between_tests():
    """Each test starts and ends in the default language: a request through LocaleMiddleware
    (a parent reading Spanish) leaves its language active in the thread, and the next test
    rendering a date would read it in Spanish."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def site(db):
    return f.SiteFactory(slug="north", name="North County Safe Babies")


@pytest.fixture
def other_site(db):
    return f.SiteFactory(slug="south", name="South County Safe Babies")


@pytest.fixture
def coordinator(site):
    return f.site_member(site, "community_coordinator", email="cc@north.example.org")


@pytest.fixture
def site_admin(site):
    return f.site_member(site, "site_admin", email="admin@north.example.org")


@pytest.fixture
def caseworker(site):
    return f.site_member(site, "caseworker", email="caseworker@north.example.org")


@pytest.fixture
def other_caseworker(site):
    return f.site_member(site, "caseworker", email="other.caseworker@north.example.org")


@pytest.fixture
def judge(site):
    return f.site_member(site, "judge", email="judge@north.example.org")


@pytest.fixture
def clinician(site):
    return f.site_member(site, "clinician", email="clinician@north.example.org")


@pytest.fixture
def parent_attorney(site):
    return f.site_member(site, "parent_attorney", email="parent.attorney@north.example.org")


@pytest.fixture
def parent_mentor(site):
    return f.site_member(site, "parent_mentor", email="mentor@north.example.org")


@pytest.fixture
def sit_member(site):
    return f.site_member(site, "site_implementation", email="sit@north.example.org")


@pytest.fixture
def outsider(other_site):
    return f.site_member(other_site, "community_coordinator", email="cc@south.example.org")


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
