"""CQI reads from a PostgreSQL read replica (issue 23, item 6; cqi/db.py), with the exact-cache
rules kept: inside a CQI snapshot, the data generations that key the cache and the figures are
both read from the replica, in one snapshot; writes, and a snapshot inside a caller's transaction,
stay on the primary; without DATABASE_REPLICA_URL nothing changes.

The replica here is `safebabies/settings_test.py`'s `replica` alias: a second connection to the
test database, read-only as a hot standby is (no temporary tables), so the data is committed
(`transaction=True`) for it to see."""

import datetime as dt

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from cqi import cache, db
from cqi.metrics import compute_all
from cqi.selectors import MetricsScope, metrics_for
from familytime.models import Visit
from safebabies import codes
from tests import factories as f
from tests.test_cqi_metrics import VisitFactory, episode, new_child
from tests.test_settings import production_env, run

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])

D = dt.date
START, END = D(2024, 1, 1), D(2024, 12, 31)
CQI_SQL = ("cqi_partstamp", "cqi_datastamp", "cases_", "familytime_", "ftms_", "teams_")


@pytest.fixture
def replica(settings):
    settings.CQI_READ_DATABASE = "replica"
    settings.DATABASE_ROUTERS = ["cqi.db.ReadReplicaRouter"]
    yield
    connections["replica"].close()


def _families(site, count=3):
    children = []
    for n in range(count):
        child = new_child(site)
        episode(
            child,
            D(2024, 2, 1 + n),
            placements=[(codes.PlacementSetting.RELATIVE_FOSTER, D(2024, 2, 1 + n))],
        )
        for month in (3, 4, 5):
            VisitFactory(child=child, scheduled_on=D(2024, month, 10))
        children.append(child)
    return children


def _fresh(site) -> dict:
    """Every metric computed afresh on the primary, no cache."""
    return compute_all([site], START, END)


def _cqi_queries(captured) -> list[str]:
    return [q["sql"] for q in captured if any(word in q["sql"] for word in CQI_SQL)]


def test_the_replica_alias_is_read_only_like_a_hot_standby():
    from django.db import InternalError, ProgrammingError

    with (
        pytest.raises((InternalError, ProgrammingError)),
        transaction.atomic(using="replica"),
        connections["replica"].cursor() as cursor,
    ):
        cursor.execute("CREATE TEMPORARY TABLE t AS SELECT 1")


def test_figures_and_their_generations_are_read_from_the_replica_and_are_the_fresh_ones(
    replica, site
):
    _families(site)
    scope = MetricsScope(site.slug, [site], aggregate_only=False)
    expected = _fresh(site)
    with (
        CaptureQueriesContext(connections["replica"]) as on_replica,
        CaptureQueriesContext(connection) as on_primary,
    ):
        got = metrics_for(scope, START, END)
    assert {m: got[m] for m in expected} == expected
    assert any(r["denominator"] for r in expected.values())
    replica_sql = _cqi_queries(on_replica.captured_queries)
    assert any("cqi_partstamp" in sql for sql in replica_sql)  # the generations: there
    assert len(replica_sql) > 10  # and the figures
    assert _cqi_queries(on_primary.captured_queries) == []  # nothing of it on the primary


def test_after_a_write_on_the_primary_the_replica_gives_the_new_figures_not_the_cached_ones(
    replica, site
):
    children = _families(site)
    scope = MetricsScope(site.slug, [site], aggregate_only=False)
    before = metrics_for(scope, START, END)  # computed on the replica, kept in the cache
    assert metrics_for(scope, START, END) == before  # read back
    Visit.objects.filter(child=children[0]).update(status=codes.VisitStatus.NO_SHOW)  # a write
    expected = _fresh(site)
    assert {m: before[m] for m in expected} != expected  # the write changed a figure
    after = metrics_for(scope, START, END)
    assert {m: after[m] for m in expected} == expected


def test_the_dashboard_computes_on_the_replica_side_by_side(replica, settings, client, site):
    settings.CQI_PARALLEL = 2
    _families(site)
    coordinator = f.site_member(site, "community_coordinator", email="cc@north.example.org")
    client.force_login(coordinator)
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        response = client.get(f"/cqi/{site.slug}/?start={START}&end={END}")
    assert response.status_code == 200
    assert any("pg_export_snapshot" in q["sql"] for q in on_replica.captured_queries)


def test_a_snapshot_inside_a_callers_transaction_stays_on_the_primary(replica, site):
    with transaction.atomic(), cache.snapshot():
        assert db.alias() == "default"
    with cache.snapshot():
        assert db.alias() == "replica"
    assert db.alias() == "default"


def test_writes_and_migrations_never_go_to_the_replica(replica):
    router = db.ReadReplicaRouter()
    with db.reading_from("replica"):
        assert router.db_for_read(None) == "replica"
        assert router.db_for_write(None) == "default"
    assert router.db_for_read(None) is None  # outside a CQI snapshot: the primary
    assert router.allow_migrate("replica", "cases") is False
    assert router.allow_migrate("default", "cases") is True


SHOW = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(sorted(s.DATABASES), s.DATABASE_ROUTERS, s.CQI_READ_DATABASE)"
)


@pytest.mark.django_db(transaction=False)
def test_without_a_replica_url_nothing_changes():
    done = run(["-c", SHOW], production_env())
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['default'] [] default"


@pytest.mark.django_db(transaction=False)
def test_a_replica_url_adds_the_alias_and_the_router():
    url = "postgres://reader:pw@replica.internal:5432/safebabies"
    done = run(["-c", SHOW], production_env(DATABASE_REPLICA_URL=url))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['default', 'replica'] ['cqi.db.ReadReplicaRouter'] replica"
    refused = run(["-c", SHOW], production_env(DATABASE_REPLICA_URL="mysql://x@y/z"))
    assert refused.returncode != 0 and "DATABASE_REPLICA_URL" in refused.stderr
