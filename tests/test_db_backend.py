"""The project's PostgreSQL backend (safebabies/db): no `varchar_pattern_ops` twin indexes."""

import pytest
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.django_db


def test_the_database_uses_the_projects_backend():
    assert settings.DATABASES["default"]["ENGINE"] == "safebabies.db"
    assert connection.vendor == "postgresql"


def test_no_pattern_ops_twin_index_after_the_migrations():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() "
            "AND indexdef ~ '(varchar|text)_pattern_ops'"
        )
        twins = [row[0] for row in cursor.fetchall()]
    assert twins == []


def test_the_ids_keep_their_plain_indexes():
    """The primary key and each foreign key of a case table still have their own index."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'familytime_visit' "
            "AND schemaname = current_schema()"
        )
        indexes = " ".join(row[0] for row in cursor.fetchall())
    assert "(id)" in indexes and "(child_id)" in indexes and "(plan_id)" in indexes


def test_the_tests_run_without_jit_compilation():
    """settings_test turns JIT off (a test database's estimates made the CQI queries compile
    for seconds each)."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
