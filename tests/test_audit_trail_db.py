"""The database itself keeps the audit trail: no UPDATE, DELETE or TRUNCATE, whoever asks
(short of the table's owner or a superuser dropping the trigger: SECURITY.md)."""

import pytest
from django.db import DatabaseError, connection, transaction

from safebabies.audit.models import AuditEvent
from safebabies.audit.services import audit_log

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(caseworker):
    return audit_log(actor=caseworker, action=AuditEvent.Action.VIEW, record=caseworker)


@pytest.mark.parametrize(
    "statement",
    [
        "TRUNCATE audit_auditevent",
        "TRUNCATE audit_auditevent RESTART IDENTITY",
        "TRUNCATE teams_site, teams_user CASCADE",  # reaches the trail through its keys
        "UPDATE audit_auditevent SET action = 'list'",
        "DELETE FROM audit_auditevent",
    ],
)
def test_the_database_refuses_to_change_or_empty_the_trail(event, statement):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred check left pending
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert AuditEvent.objects.filter(pk=event.pk, action="view").exists()


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_still_empties_the_database_afterwards(caseworker):
    """The test runner's flush (conftest) is the one way past the TRUNCATE trigger, as a
    superuser in replica mode; this test leaves an event for it to remove."""
    audit_log(actor=caseworker, action=AuditEvent.Action.VIEW, record=caseworker)
    assert AuditEvent.objects.exists()


def test_the_app_role_of_security_md_can_only_insert_and_select_the_trail(event):
    """The grants SECURITY.md gives the application's role, tried in this transaction (the
    role is rolled back with it): it adds and reads events, and cannot change, empty or
    unprotect the trail, even with the trigger set aside."""
    role = "sb_test_app_role"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
        cursor.execute(f"GRANT SELECT, INSERT ON audit_auditevent TO {role}")
        cursor.execute(f"GRANT USAGE ON SEQUENCE audit_auditevent_id_seq TO {role}")
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"SET LOCAL ROLE {role}")
        cursor.execute(
            "INSERT INTO audit_auditevent (at, action, record_type, record_id, case_id, detail)"
            " VALUES (now(), 'view', 'x', '', '', '{}')"
        )
        cursor.execute("SELECT count(*) FROM audit_auditevent")
        assert cursor.fetchone()[0] == 2
        for statement in (
            "UPDATE audit_auditevent SET action = 'list'",
            "DELETE FROM audit_auditevent",
            "TRUNCATE audit_auditevent",
            "DROP TRIGGER audit_no_truncate ON audit_auditevent",
            "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_append_only",
        ):
            with (
                pytest.raises(DatabaseError, match=r"permission denied|must be owner"),
                transaction.atomic(),
            ):
                cursor.execute(statement)
        cursor.execute("RESET ROLE")


def test_grant_app_role_sets_up_the_role_make_run_and_docker_compose_run_as(event, monkeypatch):
    """`manage.py grant_app_role` (run by `make run` and the compose stack's migrate service,
    as the owner) creates the application's role from DATABASE_URL and gives it exactly the
    rights above: every table read and written, the trail only added to and read. In this
    transaction: the role is rolled back with it."""
    from django.core.management import call_command

    role = "sb_test_granted_role"
    monkeypatch.setenv("DATABASE_APP_URL", f"postgres://{role}:a-password@db.invalid/x")
    call_command("grant_app_role", stdout=__import__("io").StringIO())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolcanlogin, rolsuper, rolcreaterole, rolcreatedb FROM pg_roles"
            " WHERE rolname = %s",
            [role],
        )
        assert cursor.fetchone() == (True, False, False, False)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"SET LOCAL ROLE {role}")
        cursor.execute(
            "INSERT INTO audit_auditevent (at, action, record_type, record_id, case_id, detail)"
            " VALUES (now(), 'view', 'x', '', '', '{}')"
        )
        cursor.execute("UPDATE teams_site SET name = name")  # an ordinary table: read and write
        for statement in (
            "UPDATE audit_auditevent SET action = 'list'",
            "DELETE FROM audit_auditevent",
            "TRUNCATE audit_auditevent",
            "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_append_only",
        ):
            with (
                pytest.raises(DatabaseError, match=r"permission denied|must be owner"),
                transaction.atomic(),
            ):
                cursor.execute(statement)
        cursor.execute("RESET ROLE")


def test_grant_app_role_refuses_to_run_the_application_as_the_owner(monkeypatch):
    from django.core.management import CommandError, call_command

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        (owner,) = cursor.fetchone()
    monkeypatch.setenv("DATABASE_APP_URL", f"postgres://{owner}@db.invalid/x")
    with pytest.raises(CommandError, match="the tables' owner"):
        call_command("grant_app_role")
