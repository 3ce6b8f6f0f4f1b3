"""The FTM models moved from the identity app (label `teams`) to the FTM feature (`teams/`,
label `ftms`) with state-only migrations: a database of the earlier layout migrates forward
with every table and row as it was, and its content types (and so permissions) follow."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cases.models import CaseCount
from teams.models import Ftm
from tests.factories import make_meeting

BEFORE_THE_MOVE = [("teams", "0005_cqi_held_indexes"), ("ftms", None)]


def row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        tables = sorted(name for (name,) in cursor.fetchall() if name != "django_migrations")
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - names from pg_tables
            counts[table] = cursor.fetchone()[0]
    return counts


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    ContentType.objects.clear_cache()


def ftm_content_type_labels() -> set[str]:
    return set(
        ContentType.objects.filter(model__in=["ftm", "ftmactionitem", "ftmattendance"]).values_list(
            "app_label", flat=True
        )
    )


@pytest.mark.django_db(transaction=True)
def test_a_database_of_the_earlier_layout_migrates_forward_with_every_row(
    family, coordinator, caseworker
):
    make_meeting(family, coordinator, caseworker)
    ContentType.objects.get_for_model(Ftm)  # as in any database that has been used
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        migrate(BEFORE_THE_MOVE)
        assert ftm_content_type_labels() == {"teams"}
        before = row_counts()
        assert before["teams_ftm"] == 2
        assert before["teams_ftmactionitem"] >= 2

        migrate(leaves)

        after = row_counts()
        # tables of later migrations that depend on the move were rolled back with it (empty
        # then, as now), but for the case counts, which start from the cases (cases 0019);
        # every table of the earlier layout keeps every row
        assert {table: after[table] for table in before} == before
        derived = {"cases_casecount"}
        assert all(after[table] == 0 for table in set(after) - set(before) - derived)
        assert CaseCount.objects.get(site_id=family.site_id, closed=False, sealed=False).cases == 1
        assert ftm_content_type_labels() == {"ftms"}
        assert Ftm.objects.filter(case=family).count() == 2
    finally:
        migrate(leaves)
