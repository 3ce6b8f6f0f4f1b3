"""The case lists' `count` of a site-wide role is read from CaseCount (cases/counts.py), which
PostgreSQL keeps (cases migration 0019): it must be the number of cases, exactly, whatever
wrote them, and any list that is not "every case of these sites" must be counted as before."""

import datetime as dt
import random
import uuid
from collections import Counter

import pytest
from django.db import connection, transaction
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.access import cases_visible_to, records_visible_to
from cases.counts import counted
from cases.models import Case, CaseCount
from cases.selectors import case_list
from cases.tasks import compact_counts
from safebabies.identity.roles import Role
from tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 20)


def kept() -> dict[tuple[int, bool, bool], int]:
    rows = CaseCount.objects.values("site_id", "closed", "sealed").annotate(n=Sum("cases"))
    return {(r["site_id"], r["closed"], r["sealed"]): r["n"] for r in rows if r["n"]}


def real() -> dict[tuple[int, bool, bool], int]:
    rows = Case.objects.values_list("site_id", "closed_on", "sealed_at")
    return dict(
        Counter((site, closed is not None, sealed is not None) for site, closed, sealed in rows)
    )


def test_the_counts_follow_every_kind_of_write(site, other_site):
    random.seed(19)
    sites = [site, other_site]
    cases = [f.CaseFactory(site=random.choice(sites)) for _ in range(12)]
    assert kept() == real()
    for _round in range(40):
        case = random.choice(cases)
        match random.randrange(8):
            case 0:  # close and reopen through the ORM
                case.closed_on = None if case.closed_on else case.opened_on
                case.save(update_fields=["closed_on"])
            case 1:  # seal, unseal, in bulk
                Case.objects.filter(pk=case.pk).update(
                    sealed_at=None if random.random() < 0.5 else timezone.now()
                )
            case 2:  # move to the other site, by raw SQL
                other = next(s for s in sites if s.pk != case.site_id)
                with connection.cursor() as cursor:
                    cursor.execute(
                        "UPDATE cases_case SET site_id = %s WHERE id = %s", [other.pk, case.pk]
                    )
                case.site_id = other.pk
            case 3:  # a new case
                cases.append(f.CaseFactory(site=random.choice(sites)))
            case 4:  # many at once, then one of them gone
                new = Case.objects.bulk_create(
                    [Case(site=site, name=f"Bulk {i}", opened_on=TODAY) for i in range(3)]
                )
                Case.objects.filter(pk=new[0].pk).delete()
                cases += new[1:]
            case 5:  # a write rolled back leaves the counts as they were
                before = kept()
                with pytest.raises(RuntimeError), transaction.atomic():
                    f.CaseFactory(site=site)
                    Case.objects.filter(site=site).update(closed_on=None)
                    raise RuntimeError
                assert kept() == before
            case 6:  # a rename changes nothing counted, and logs no change
                logged = CaseCount.objects.count()
                Case.objects.filter(pk=case.pk).update(name="Renamed family")
                assert CaseCount.objects.count() == logged
            case 7:  # every case of a site closed in one statement
                Case.objects.filter(site=random.choice(sites), closed_on__isnull=True).update(
                    closed_on=TODAY
                )
        assert kept() == real(), _round
        if _round % 10 == 9:  # folding the log changes no count
            compact_counts()
            assert kept() == real(), _round
            assert CaseCount.objects.count() <= len(real()), _round


def test_a_truncate_empties_the_counts(site):
    f.CaseFactory(site=site)
    assert kept()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # a TRUNCATE waits for no check
        cursor.execute("TRUNCATE cases_case CASCADE")
    assert kept() == {} == real()


def _lists(user):
    return {
        "open cases (the case list page)": case_list(user, today=TODAY),
        "closed cases": case_list(user, today=TODAY, status="closed"),
        "every case": case_list(user, today=TODAY, status="all"),
        "the access module's cases": cases_visible_to(user),
    }


def test_a_site_wide_roles_lists_are_counted_from_the_counts_and_the_same(site, other_site):
    for i in range(7):
        f.CaseFactory(site=site, closed_on=TODAY if i % 3 == 0 else None)
    other = f.CaseFactory(site=other_site)
    sealed = f.CaseFactory(site=site, closed_on=TODAY)
    Case.objects.filter(pk=sealed.pk).update(sealed_at=timezone.now())
    people = {
        "coordinator": f.site_member(site, Role.COMMUNITY_COORDINATOR, email="cc@north.example"),
        "judge": f.site_member(site, Role.JUDGE, email="judge@north.example"),
        "judge and caseworker": f.site_member(
            site, Role.JUDGE, Role.CASEWORKER, email="two@north.example"
        ),
    }
    for who, user in people.items():
        for label, cases in _lists(user).items():
            assert counted(cases) is not None, (who, label)
            assert counted(cases) == len(list(cases)), (who, label)
            assert cases.count() == len(list(cases)), (who, label)
    # a coordinator here who is on a family's team at the other site: their lists join the
    # teams, and PostgreSQL counts them
    both = f.site_member(site, Role.COMMUNITY_COORDINATOR, email="both@north.example")
    f.MembershipFactory(user=both, site=other_site, role=Role.CASEWORKER)
    f.TeamMemberFactory(case=other, user=both, role=Role.CASEWORKER)
    for label, cases in _lists(both).items():
        assert counted(cases) is None, label
        assert cases.count() == len(list(cases)), label
    assert cases_visible_to(both).count() == 7 + 1  # not the sealed one
    # a site admin's lists hold the sealed cases too ("not sealed, or of my site"): PostgreSQL
    # counts those, the same way
    admin = f.site_member(site, Role.SITE_ADMIN, email="admin@north.example.org")
    for label, cases in _lists(admin).items():
        assert cases.count() == len(list(cases)), label
    assert sealed.pk in {case.pk for case in cases_visible_to(admin)}


def test_any_other_list_is_counted_by_postgresql(site, family, caseworker, coordinator):
    f.CaseFactory(site=site, name="Another family")
    others = {
        "a search": case_list(coordinator, today=TODAY, q="Another"),
        "my families": case_list(coordinator, today=TODAY, mine=True),
        "a team member's cases": case_list(caseworker, today=TODAY),
        "a name": Case.objects.filter(site=site, name="Another family"),
        "a site by another test": Case.objects.filter(site__slug=site.slug),
        "a join to the children": Case.objects.filter(site=site, children__isnull=False),
        "a slice": Case.objects.filter(site_id__in=[site.pk])[:1],
        "distinct": Case.objects.filter(site_id__in=[site.pk]).distinct(),
        "the API's list (the access module's rows)": records_visible_to(coordinator, "case"),
    }
    for label, cases in others.items():
        assert counted(cases) is None, label
        assert cases.count() == len(list(cases)), label


def test_the_case_list_and_the_api_count_every_open_case(site, coordinator, client, api):
    for i in range(5):
        f.CaseFactory(site=site, closed_on=TODAY if i == 0 else None)
    client.force_login(coordinator)
    api.force_authenticate(coordinator)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/cases/")
        listed = api.get("/api/v1/cases/").json()
    assert page.status_code == 200
    assert page.context["page_obj"].paginator.count == 4
    assert listed["count"] == 5
    # both read the kept counts, and neither counts the site's cases
    sql = [query["sql"] for query in queries.captured_queries]
    assert sum('FROM "cases_casecount"' in q for q in sql) == 2
    assert not [q for q in sql if q.startswith("SELECT COUNT(*)") and '"cases_case"' in q]


@pytest.mark.django_db(transaction=True)
def test_a_long_import_keeps_no_one_waiting_and_its_cases_count_when_it_commits(site):
    """A package import writes its cases in one long transaction (with the CQI stamp deferred,
    as `import_package` does). Meanwhile a coordinator opens a case at the same site, without
    waiting for it, and the hourly folding of the log runs; each count is exact at each step."""
    import psycopg

    f.CaseFactory(site=site)
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params) as importer:
        importer.execute("SET LOCAL safebabies.defer_cqi_stamp = 'on'")
        for _ in range(3):
            importer.execute(
                "INSERT INTO cases_case (id, created_at, updated_at, site_id, name, opened_on,"
                " enrollment) VALUES (%s, now(), now(), %s, 'Imported family', %s, %s)",
                [uuid.uuid4().hex[:24], site.pk, TODAY, "out_of_home"],
            )
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '3s'")  # waiting on the import would fail here
            f.CaseFactory(site=site)
            assert compact_counts() >= 1
            cursor.execute("SET lock_timeout = 0")
        assert kept() == real() == {(site.pk, False, False): 2}
        importer.commit()
    assert kept() == real() == {(site.pk, False, False): 5}
    compact_counts()
    assert kept() == real()
    assert CaseCount.objects.count() == 1
