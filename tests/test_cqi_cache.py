"""The exact CQI cache (`cqi.cache`) and the data stamps it is keyed by (`cqi.stamps`).

A cached figure must be the number a fresh computation gives: every way of writing a record a
figure reads (ORM save, queryset update and delete, bulk insert, raw SQL, COPY) changes the
stamp of the record's site, inside the writing transaction, and only that site's.
"""

import datetime as dt
import importlib
import random

import pytest
from django.db import connection, transaction

from assessments.models import Screening, Service
from cases import models as m
from cqi import cache, metrics, stamps
from cqi.selectors import access_metrics, metrics_for, suppress_small_cells
from familytime.models import Visit
from safebabies import codes
from safebabies.identity.models import Site, SiteMembership, User
from teams.models import Ftm, FtmActionItem
from tests import factories as f
from tests.test_cqi_metrics import (
    ActionItemFactory,
    FtmFactory,
    ReportFactory,
    ScreeningFactory,
    ServiceFactory,
    VisitFactory,
    episode,
    new_case,
    new_child,
)

pytestmark = pytest.mark.django_db

D = dt.date
START, END = D(2024, 1, 1), D(2024, 12, 31)


@pytest.fixture
def national(other_site):
    user = f.UserFactory(email="national@example.org")
    f.MembershipFactory(user=user, site=other_site, role="national")
    return user


def _numbers_given() -> int:
    """The last generation the sequence gave (to any site)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_value FROM cqi_datastamp_generation")
        return cursor.fetchone()[0]


def generation(site) -> int:
    return stamps.generations([site.pk]).sites[site.pk]


def parts(site) -> tuple[int, ...]:
    """The generation of each part of the site."""
    return stamps.generations([site.pk]).parts[site.pk]


def changed_parts(before: tuple[int, ...], after: tuple[int, ...]) -> set[int]:
    return {part for part, (a, b) in enumerate(zip(before, after, strict=True)) if a != b}


def case_of(record):
    """The case a record lies under."""
    for path in ("case", "child__case", "episode__child__case", "ftm__case"):
        try:
            target = record
            for step in path.split("__"):
                target = getattr(target, step)
            return target
        except AttributeError:
            continue
    return record  # a case itself


# --- the stamps ------------------------------------------------------------------------------


def _records(site):
    """One record of every watched table at `site`: {model: instance}."""
    child = new_child(site)
    ep = episode(child, D(2024, 1, 10), placements=[("relative_foster", D(2024, 1, 10))])
    ftm = FtmFactory(case=child.case)
    return {
        m.Case: child.case,
        m.Child: child,
        m.Episode: ep,
        m.Placement: ep.placements.get(),
        m.Hearing: f.HearingFactory(case=child.case, scheduled_on=D(2024, 2, 1)),
        m.MaltreatmentReport: ReportFactory(child=child),
        Ftm: ftm,
        FtmActionItem: ActionItemFactory(ftm=ftm),
        Visit: VisitFactory(child=child),
        Screening: ScreeningFactory(child=child),
        Service: ServiceFactory(child=child),
    }


def test_every_table_a_cached_figure_reads_is_watched():
    models = [m.Case, m.Child, m.Episode, m.Placement, m.Hearing, m.MaltreatmentReport]
    models += [Ftm, FtmActionItem, Visit, Screening, Service]
    models += [m.TeamMember, SiteMembership, Site]  # the caseloads
    assert {model._meta.db_table for model in models} == set(stamps.WATCHED)


def test_what_a_caseload_reads_changes_the_stamp(site, other_site):
    coordinator = f.MembershipFactory(site=site, role="community_coordinator")
    case = new_case(site)
    here, there = generation(site), generation(other_site)
    member = f.TeamMemberFactory(case=case, user=coordinator.user, role="community_coordinator")
    assert generation(site) > here
    here = generation(site)
    m.TeamMember.objects.filter(pk=member.pk).delete()
    assert generation(site) > here
    here = generation(site)
    SiteMembership.objects.filter(pk=coordinator.pk).update(is_active=False)
    assert generation(site) > here
    here = generation(site)
    Site.objects.filter(pk=site.pk).update(coordinator_caseload_cap=3)
    assert generation(site) > here
    here = generation(site)
    User.objects.filter(pk=coordinator.user.pk).update(email="renamed@north.example.org")
    assert generation(site) > here
    assert generation(other_site) == there


def test_a_sign_in_does_not_change_the_stamp(site):
    coordinator = f.MembershipFactory(site=site, role="community_coordinator").user
    here = generation(site)
    coordinator.last_login = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    coordinator.save(update_fields=["last_login"])
    assert generation(site) == here


@pytest.mark.parametrize(
    "model",
    [
        m.Case,
        m.Child,
        m.Episode,
        m.Placement,
        m.Hearing,
        m.MaltreatmentReport,
        Ftm,
        FtmActionItem,
        Visit,
        Screening,
        Service,
    ],
    ids=lambda model: model.__name__,
)
def test_any_write_to_a_record_changes_its_sites_stamp_and_no_other(site, other_site, model):
    record = _records(site)[model]
    _records(other_site)
    part = stamps.part_of(case_of(record).pk)
    here, there = generation(site), generation(other_site)
    here_parts, there_parts = parts(site), parts(other_site)
    # a queryset update sends no signal and skips save(): the database still sees it
    model.objects.filter(pk=record.pk).update(updated_at=record.updated_at)
    assert generation(site) > here
    assert changed_parts(here_parts, parts(site)) == {part}  # its case's part, no other
    assert (generation(other_site), parts(other_site)) == (there, there_parts)
    here, here_parts = generation(site), parts(site)
    with connection.cursor() as cursor:  # raw SQL too
        cursor.execute(
            f"UPDATE {model._meta.db_table} SET updated_at = now() WHERE id = %s",  # noqa: S608
            [record.pk],
        )
    assert generation(site) > here
    assert changed_parts(here_parts, parts(site)) == {part}
    assert (generation(other_site), parts(other_site)) == (there, there_parts)


def test_a_cases_part_is_the_one_sql_computes(db):
    ids = ["C-1", "north-000017", "ñandú", "x" * 64, *(f"case-{i}" for i in range(2000))]
    with connection.cursor() as cursor:
        cursor.execute("SELECT cqi_part_of(x) FROM unnest(%s::text[]) AS x", [ids])
        in_sql = [row[0] for row in cursor.fetchall()]
    assert in_sql == [stamps.part_of(i) for i in ids]
    assert set(in_sql) == set(range(stamps.PARTS))  # 2,000 ids fall in every part


def test_the_database_keeps_each_cases_part_beside_it(site):
    case = new_case(site)
    with connection.cursor() as cursor:
        cursor.execute("SELECT cqi_part FROM cases_case WHERE id = %s", [case.pk])
        assert cursor.fetchone()[0] == stamps.part_of(case.pk)


def test_a_team_member_changes_its_cases_part_and_the_coordinators_and_cap_no_part(site):
    coordinator = f.MembershipFactory(site=site, role="community_coordinator")
    case = new_case(site)
    before = parts(site)
    member = f.TeamMemberFactory(case=case, user=coordinator.user, role="community_coordinator")
    assert changed_parts(before, parts(site)) == {stamps.part_of(case.pk)}
    before = parts(site)
    m.TeamMember.objects.filter(pk=member.pk).update(
        removed_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )
    assert changed_parts(before, parts(site)) == {stamps.part_of(case.pk)}
    before = parts(site)
    Site.objects.filter(pk=site.pk).update(coordinator_caseload_cap=3)
    f.MembershipFactory(site=site, role="community_coordinator")
    User.objects.filter(pk=coordinator.user.pk).update(email="renamed@north.example.org")
    assert parts(site) == before


def test_a_truncate_changes_every_part_of_every_site(site, other_site):
    new_child(site)
    before, there = parts(site), parts(other_site)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE familytime_visit")
    assert changed_parts(before, parts(site)) == set(range(stamps.PARTS))
    assert changed_parts(there, parts(other_site)) == set(range(stamps.PARTS))


def test_a_new_record_and_a_deleted_one_change_the_stamp(site):
    child = new_child(site)
    before = generation(site)
    visit = VisitFactory(child=child)
    after_insert = generation(site)
    assert after_insert > before
    visit.delete()
    assert generation(site) > after_insert


def test_bulk_inserts_and_copy_change_the_stamp_once_per_statement(site, other_site):
    children = [new_child(site) for _ in range(3)]
    touched = {stamps.part_of(c.case_id) for c in children}
    before, there = _numbers_given(), generation(other_site)
    Visit.objects.bulk_create(
        [
            Visit(child=c, scheduled_on=D(2024, 3, day), status="held")
            for c in children
            for day in (1, 2)
        ]
    )
    # one statement: one new number for the site and one for each part it wrote in
    after_bulk = _numbers_given()
    assert after_bulk == before + 1 + len(touched)
    assert before < generation(site) <= after_bulk
    columns = (
        "id, child_id, scheduled_on, status, cancelled_by, supervision, location, observations,"
        " created_at, updated_at"
    )
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY familytime_visit ({columns}) FROM STDIN") as copy,
    ):
        for i, c in enumerate(children):
            copy.write_row(
                (f"copied-{i}", c.pk, D(2024, 4, 1), "held", "", "", "", "", "now", "now")
            )
    assert _numbers_given() == after_bulk + 1 + len(touched)
    assert generation(site) > after_bulk
    assert generation(other_site) == there


def test_moving_a_child_to_another_sites_case_changes_both_stamps(site, other_site):
    child = new_child(site)
    elsewhere = new_case(other_site)
    here, there = generation(site), generation(other_site)
    m.Child.objects.filter(pk=child.pk).update(case=elsewhere)
    assert generation(site) > here
    assert generation(other_site) > there


def test_a_rolled_back_write_leaves_the_stamp_and_its_number_is_never_given_again(site):
    child = new_child(site)
    before = generation(site)
    with pytest.raises(RuntimeError), transaction.atomic():
        VisitFactory(child=child)
        inside = generation(site)
        assert inside > before
        raise RuntimeError("undo")
    assert generation(site) == before
    VisitFactory(child=child)
    assert generation(site) > inside  # a later write never reuses the rolled-back number


def test_a_deferred_bulk_write_stamps_its_site_once_at_the_end(site, django_assert_num_queries):
    child = new_child(site)
    before = generation(site)
    with transaction.atomic(), stamps.deferred([site.pk]):
        VisitFactory(child=child)
        VisitFactory(child=child)
        assert generation(site) == before  # the triggers wait
    assert generation(site) > before


@pytest.mark.django_db(transaction=True)
def test_deferred_needs_a_transaction(site):
    with pytest.raises(RuntimeError, match="transaction"), stamps.deferred([site.pk]):
        pass


def test_the_migrations_installed_the_triggers_and_functions_cqi_stamps_describes():
    triggers = importlib.import_module("cqi.migrations.0004_data_stamps")
    functions = importlib.import_module("cqi.migrations.0005_part_stamps")
    for block in stamps.trigger_blocks():
        assert block.strip() in triggers.INSTALL
    assert stamps.functions_sql().strip() in functions.INSTALL


# --- the cache -------------------------------------------------------------------------------


def _figures(site):
    return metrics_for(access_metrics_for(site), START, END)


def access_metrics_for(site):
    from cqi.selectors import MetricsScope

    return MetricsScope(site.slug, [site], aggregate_only=False)


def _family_time(site):
    child = new_child(site)
    episode(child, D(2024, 1, 1))
    for day in range(1, 8):
        VisitFactory(child=child, scheduled_on=D(2024, 3, day))
    return child


def test_a_cached_figure_is_served_until_a_record_changes_then_computed_afresh(site):
    child = _family_time(site)
    scope = access_metrics_for(site)
    first = _figures(site)
    assert cache.is_cached("metrics", scope.sites, (START, END))
    assert first["family_time_held_per_week"]["numerator"] == 7
    # a change that sends no signal: the figure is still right
    Visit.objects.filter(child=child, scheduled_on=D(2024, 3, 1)).update(
        status=codes.VisitStatus.NO_SHOW
    )
    assert not cache.is_cached("metrics", scope.sites, (START, END))
    assert _figures(site)["family_time_held_per_week"]["numerator"] == 6
    assert _figures(site) == metrics.compute_all(site, START, END)


def test_a_write_at_another_site_keeps_this_sites_figures_cached(site, other_site):
    _family_time(site)
    _figures(site)
    _family_time(other_site)
    assert cache.is_cached("metrics", [site], (START, END))


def test_the_national_figures_change_when_any_site_changes(site, other_site, national):
    _family_time(site)
    scope = access_metrics(national, "all")
    before = metrics_for(scope, START, END)["family_time_held_per_week"]["numerator"]
    _family_time(other_site)
    assert not cache.is_cached("metrics", scope.sites, (START, END))
    after = metrics_for(scope, START, END)["family_time_held_per_week"]["numerator"]
    assert (before, after) == (7, 14)


def test_each_period_is_its_own_entry(site):
    _family_time(site)
    _figures(site)
    assert cache.is_cached("metrics", [site], (START, END))
    assert not cache.is_cached("metrics", [site], (D(2023, 1, 1), D(2023, 12, 31)))


def _loads_cached(site, day) -> bool:
    return cache.is_cached("caseload_loads", [site], (day,))


def test_caseloads_are_cached_per_day_and_follow_the_teams(site):
    coordinator = f.MembershipFactory(site=site, role="community_coordinator").user
    case = new_case(site, opened_on=D(2024, 1, 1))
    assert [row["open_cases"] for row in _figures(site)["coordinator_caseload"]["value"]] == [0]
    assert _loads_cached(site, site.today())
    f.TeamMemberFactory(case=case, user=coordinator, role="community_coordinator")
    assert not _loads_cached(site, site.today())
    loads = _figures(site)["coordinator_caseload"]["value"]
    assert [row["open_cases"] for row in loads] == [1]
    assert _loads_cached(site, site.today())
    assert not _loads_cached(site, site.today() + dt.timedelta(days=1))


def test_cached_caseloads_show_new_coordinators_caps_and_emails_at_once(site):
    """The coordinators, their e-mails and the cap change no part: the open cases are read back
    and the rest is read afresh, so each change shows on the next request."""
    coordinator = f.MembershipFactory(site=site, role="community_coordinator").user
    for _ in range(2):
        f.TeamMemberFactory(
            case=new_case(site, opened_on=D(2024, 1, 1)),
            user=coordinator,
            role="community_coordinator",
        )
    assert _figures(site)["coordinator_caseload"]["numerator"] == 0  # under the cap of 20
    Site.objects.filter(pk=site.pk).update(coordinator_caseload_cap=1)
    newcomer = f.MembershipFactory(site=site, role="community_coordinator").user
    User.objects.filter(pk=coordinator.pk).update(email="renamed@north.example.org")
    assert _loads_cached(site, site.today())
    caseload = _figures(site)["coordinator_caseload"]
    assert caseload["value"] == [
        {
            "coordinator": "renamed@north.example.org",
            "site": site.slug,
            "open_cases": 2,
            "cap": 1,
            "over_cap": True,
        },
        {
            "coordinator": newcomer.email,
            "site": site.slug,
            "open_cases": 0,
            "cap": 1,
            "over_cap": False,
        },
    ]
    assert (caseload["numerator"], caseload["denominator"]) == (1, 2)
    assert caseload == metrics.coordinator_caseload([Site.objects.get(pk=site.pk)], START, END)


def test_with_the_cache_unreachable_the_figures_are_computed(site, monkeypatch):
    _family_time(site)

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache.cache, "get", down)
    monkeypatch.setattr(cache.cache, "set", down)
    assert _figures(site)["family_time_held_per_week"]["numerator"] == 7


def test_with_the_cache_off_nothing_is_kept(site, settings):
    settings.CQI_CACHE_SECONDS = 0
    _family_time(site)
    _figures(site)
    assert not cache.is_cached("metrics", [site], (START, END))


def test_another_definition_of_the_figures_is_another_namespace(site, monkeypatch):
    _family_time(site)
    _figures(site)
    monkeypatch.setattr(cache, "CODE_VERSION", "a-newer-definition")
    assert not cache.is_cached("metrics", [site], (START, END))


def test_the_dashboard_page_shows_a_change_made_after_it_was_cached(client_for, coordinator, site):
    child = _family_time(site)
    client = client_for(coordinator)
    period = {"start": START.isoformat(), "end": END.isoformat()}
    client.get("/cqi/north/", period)
    Visit.objects.filter(child=child).update(status=codes.VisitStatus.NO_SHOW)
    rows = client.get("/cqi/north/", period).context["process_rows"]
    held = next(r for r in rows if r.metric.id == "family_time_held_per_week")
    assert held.current["numerator"] == 0


# --- part by part ---------------------------------------------------------------------------


def _a_family(site, rng):
    """A case with a child whose records touch every part-wise figure, at random dates."""
    child = new_child(site, birth_date=D(2023, 1, 1) + dt.timedelta(days=rng.randint(0, 300)))
    removal = D(2023, 6, 1) + dt.timedelta(days=rng.randint(0, 540))
    discharge = removal + dt.timedelta(days=rng.randint(3, 500)) if rng.random() < 0.6 else None
    reason = rng.choice(["reunification", "adoption", "relative", "guardianship", "runaway"])
    moved = removal + dt.timedelta(days=20)
    episode(
        child,
        removal,
        discharge,
        reason if discharge else "",
        placements=[
            ("relative_foster", removal),
            # a move, unless the stay is too short for one
            *([("non_relative_foster", moved)] if discharge is None or moved < discharge else []),
        ],
    )
    for day in range(rng.randint(0, 5)):
        VisitFactory(child=child, scheduled_on=removal + dt.timedelta(days=3 * day + 1))
    FtmFactory(case=child.case, scheduled_on=removal + dt.timedelta(days=rng.randint(0, 90)))
    ScreeningFactory(child=child, screened_on=removal + dt.timedelta(days=rng.randint(0, 60)))
    ServiceFactory(child=child, referred_on=removal + dt.timedelta(days=rng.randint(0, 20)))
    return child


def _whole_page(scope):
    from cqi.selectors import breakdowns_for, trends_for

    return (
        metrics_for(scope, START, END),
        breakdowns_for(scope, START, END),
        trends_for(scope, END),
    )


def _fresh_page(sites):
    from cqi import breakdowns

    return (
        metrics.compute_all(sites, START, END),
        breakdowns.children_in_care_breakdowns(sites, START, END),
        breakdowns.monthly_trends(sites, END),
    )


def test_after_a_write_only_the_part_it_touched_is_computed_and_the_figures_are_exact(
    site, other_site, national, monkeypatch
):
    rng = random.Random(5)
    families = [_a_family(site, rng) for _ in range(40)] + [_a_family(other_site, rng)]
    coordinators = {
        s.pk: f.MembershipFactory(site=s, role="community_coordinator").user
        for s in (site, other_site)
    }

    def coordinate(case):
        user = coordinators[case.site_id]
        f.TeamMemberFactory(case=case, user=user, role="community_coordinator")

    for child in families:
        if rng.random() < 0.5:
            coordinate(child.case)
    here, everywhere = access_metrics_for(site), access_metrics(national, "all")
    assert _whole_page(here) == _fresh_page([site])
    both = metrics.compute_all([site, other_site], START, END)
    assert _whole_page(everywhere)[0] == suppress_small_cells(both)
    asked = []
    original = cache._compute_missing

    def spy(scope, missing, compute):
        asked.append(sorted(missing))
        return original(scope, missing, compute)

    monkeypatch.setattr(cache, "_compute_missing", spy)
    discharged = [c for c in families[:-1] if c.episodes.get().discharge_date]
    for round_ in range(6):
        if round_ % 2:
            child = rng.choice(families[:-1])
            VisitFactory(child=child, scheduled_on=D(2024, 5, 1 + round_))
            # and the family's team: a coordinator joins, or leaves (the caseloads)
            team = m.TeamMember.objects.filter(
                case=child.case, role="community_coordinator", removed_at__isnull=True
            )
            if team.exists():
                team.update(removed_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
            else:
                coordinate(child.case)
        else:
            # another discharge reason: the permanency figures, the medians, the exits
            child = rng.choice(discharged)
            m.Episode.objects.filter(child=child).update(
                discharge_reason=rng.choice(["adoption", "runaway"])
            )
        changed = [(site.pk, stamps.part_of(child.case_id))]
        asked.clear()
        if round_ % 3 == 0:
            # the national figures first: one part of one site computed, the others read back
            national_figures = metrics_for(everywhere, START, END)
            # the windowed figures, the period's own figures, the caseloads' open cases
            assert asked == [changed] * 3
            asked.clear()
            assert _whole_page(here) == _fresh_page([site])
            # breakdowns and the trends of their own (family time); the figures and the window
            # (the trends' months are the period's) are shared
            assert asked == [changed] * 2
        else:
            assert _whole_page(here) == _fresh_page([site])
            # the window (the period's months are the trends'), the period's own figures,
            # caseloads, breakdowns, the trends of their own
            assert asked == [changed] * 5
            asked.clear()
            national_figures = metrics_for(everywhere, START, END)
            assert asked == []  # the site page computed that part: every part is read back
        assert national_figures == suppress_small_cells(
            metrics.compute_all([site, other_site], START, END)
        )
    asked.clear()
    assert _whole_page(here) == _fresh_page([site])
    assert asked == []  # unchanged: every finished figure is read back whole


def test_a_part_wise_figure_is_rebuilt_from_what_is_kept_below_what_was_evicted(site):
    """Each level kept (the finished figure, each site's, each block's and each part's merged
    state) stands in for the one above when that one is gone: only a part whose own state is
    gone is computed again, and the figures stay exact."""
    from django.core.cache import cache as store

    rng = random.Random(3)
    for _ in range(30):
        _a_family(site, rng)
    scope = access_metrics_for(site)
    fresh = _fresh_page([site])
    assert _whole_page(scope) == fresh
    args = (START, END)
    now = stamps.generations([site.pk])
    whole = cache._whole_key("metrics", [site.pk], now, args)
    site_key = cache._site_keys("metrics", [site.pk], now, args)[site.pk]
    block_key = cache._block_keys("metrics", [site.pk], now, args)[site.pk, 2]
    part = (site.pk, 2 * cache.BLOCK)  # the first part of block 2
    part_key = cache._part_keys("metrics", [part], now, args)[part]
    asked = []
    original = cache._compute_missing

    def spy(scope, missing, compute):
        asked.append(sorted(missing))
        return original(scope, missing, compute)

    cache._compute_missing = spy
    try:
        for evicted, computed in [
            ([whole], []),  # each site's merged state read back
            # the site's blocks read back: the part's own state is not needed
            ([whole, site_key, part_key], []),
            # the block's parts read back, but for the one evicted before
            ([whole, site_key, block_key], [[(site.pk, 2 * cache.BLOCK)]]),
            ([whole, site_key, block_key], []),  # now kept again
        ]:
            store.delete_many(evicted)
            asked.clear()
            assert _whole_page(scope) == fresh
            assert asked == computed
    finally:
        cache._compute_missing = original


# --- case-months, checked against a count by hand over random cases -------------------------


def test_case_month_rates_equal_a_month_by_month_count(site):
    rng = random.Random(11)
    cases = []
    for _ in range(25):
        opened = D(2023, 1, 1) + dt.timedelta(days=rng.randint(0, 700))
        closed = opened + dt.timedelta(days=rng.randint(0, 400)) if rng.random() < 0.5 else None
        case = new_case(site, opened_on=opened, closed_on=closed)
        held = {opened + dt.timedelta(days=rng.randint(0, 500)) for _ in range(rng.randint(0, 6))}
        for day in held:
            FtmFactory(case=case, scheduled_on=day)
        cases.append((opened, closed, held))
    seen = [0, 0]
    for start, end in [
        (D(2024, 1, 1), D(2024, 12, 31)),
        (D(2023, 11, 15), D(2024, 2, 29)),
        (D(2024, 2, 1), D(2024, 2, 29)),
        (D(2023, 3, 2), D(2025, 1, 30)),
    ]:
        months, hits = 0, 0
        first = start if start.day == 1 else (start.replace(day=1) + dt.timedelta(days=32))
        month = first.replace(day=1)
        while True:
            last = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
            if last > end:
                break
            for opened, closed, held in cases:
                if opened <= month and (closed is None or closed >= last):
                    months += 1
                    hits += any(month <= day <= last for day in held)
            month = last + dt.timedelta(days=1)
        got = metrics.ftm_monthly_rate(site, start, end)
        assert (got["numerator"], got["denominator"]) == (hits, months), (start, end)
        seen = [seen[0] + hits, seen[1] + months]
    assert seen[0] >= 10 and seen[1] >= 100  # the count above was not of empty months


# --- warming ---------------------------------------------------------------------------------


def test_the_warm_task_computes_the_default_dashboards_so_the_first_visit_reads_the_cache(
    client_for, coordinator, site, other_site, django_assert_num_queries
):
    from django.utils import timezone

    from cqi.aggregate_periods import aggregate_period
    from cqi.periods import period_from
    from cqi.tasks import warm_dashboards

    _family_time(site)
    assert warm_dashboards() == 3  # north, south, and all sites together
    here = period_from({}, site.today())  # a site's last 12 months, in its time zone
    # all sites: UTC, as the page has it, in whole months (national staff see aggregates only)
    today = timezone.now().date()
    everywhere, _ = aggregate_period(period_from({}, today), today)
    assert cache.is_cached("metrics", [site], (here.start, here.end))
    assert cache.is_cached("metrics", [site, other_site], (everywhere.start, everywhere.end))
    client = client_for(coordinator)
    # the default page (no dates given) reads every figure from the cache: session + user +
    # roles + site; the planner settings; per period, the data stamps (read per question inside
    # the test's transaction) of the window's figures, of its own and of today's (the
    # caseloads' open cases): 2 x 3; the caseloads' coordinators and caps (read afresh, once);
    # reference values; the stamps of breakdowns and of the trends (the window's, their own:
    # 3); the audit event; the session's save (3)
    with django_assert_num_queries(4 + 1 + 2 * 3 + 1 + 1 + 3 + 1 + 3):
        assert client.get("/cqi/north/").status_code == 200


def test_the_warm_task_is_in_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["cqi-warm-dashboards"]
    assert entry["task"] == "cqi.tasks.warm_dashboards"
    from celery import current_app

    import cqi.tasks  # noqa: F401  (registers the task)

    assert entry["task"] in current_app.tasks


def test_an_error_inside_a_shared_computation_is_not_hidden(site):
    from django.db import DataError

    _family_time(site)
    # the division's own error, not "current transaction is aborted" from cleaning up
    with pytest.raises(DataError), transaction.atomic(), metrics.shared():
        metrics.compute_all(site, START, END)  # the shared episodes are written
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 / 0")


def test_a_shared_computation_gives_the_same_figures_as_one_query_each(site):
    _family_time(site)
    stay_child = new_child(site)
    episode(stay_child, D(2024, 2, 1), D(2024, 9, 1), "reunification")
    FtmFactory(case=stay_child.case, scheduled_on=D(2024, 5, 5))
    alone = metrics.compute_all(site, START, END)
    with transaction.atomic(), metrics.shared():
        together = metrics.compute_all(site, START, END)
    assert together == alone


def test_an_import_stamps_its_site_once_and_its_figures_are_computed_afresh(site, tmp_path):
    from cases.package.importer import import_package
    from tests.packages.build import VALID, write_package

    year = (D(2026, 1, 1), D(2026, 12, 31))  # the package's records are of 2026
    scope = access_metrics_for(site)
    assert metrics_for(scope, *year)["median_days_to_permanency"]["denominator"] == 0
    numbers_before = _numbers_given()
    result = import_package(write_package(tmp_path / "pkg", VALID), site=site)
    assert result.ok, result.errors
    # deferred: new numbers once for the whole package (not per table written): the site's,
    # then one for each of its parts
    assert _numbers_given() == numbers_before + 1 + stamps.PARTS
    assert generation(site) == numbers_before + 1
    after = metrics_for(scope, *year)
    assert after["median_days_to_permanency"]["denominator"] == 1  # the imported removal
    assert after == metrics.compute_all(site, *year)


# --- computing a page's figures side by side -------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_pages_figures_computed_side_by_side_are_those_computed_one_after_another(site, settings):
    """Committed records (other connections see them), the page's own transaction: the figures
    not cached yet are computed on two more connections reading the page's snapshot."""
    from cqi import dashboard
    from cqi.periods import Period

    _family_time(site)
    reunified = new_child(site)
    episode(reunified, D(2024, 2, 1), D(2024, 9, 1), "reunification")
    FtmFactory(case=reunified.case, scheduled_on=D(2024, 5, 5))
    scope = access_metrics_for(site)
    period = Period(START, END, "custom", {})
    settings.CQI_CACHE_SECONDS = 0
    one_by_one = dashboard.page_figures(scope, period)
    settings.CQI_CACHE_SECONDS = 60
    computed = []
    original = cache.compute_ahead

    def spy(questions):
        computed.append(original(questions))
        return computed[-1]

    cache.compute_ahead = spy
    try:
        side_by_side = dashboard.page_figures(scope, period)
        # the window (both periods' and the trends' windowed figures), each period's own
        # figures, the breakdowns, the trends of their own and today's caseloads' open cases,
        # each in two halves by part (the two periods share the window and the caseloads)
        assert computed == [12]
        assert side_by_side == one_by_one
        assert dashboard.page_figures(scope, period) == one_by_one  # now from the cache
        # one family's write leaves five parts to compute: on the page's own connection
        VisitFactory(child=reunified, scheduled_on=D(2024, 3, 1))
        after_write = dashboard.page_figures(scope, period)
        assert computed[-1] == 0
    finally:
        cache.compute_ahead = original
    settings.CQI_CACHE_SECONDS = 0
    assert after_write == dashboard.page_figures(scope, period)
    assert after_write != one_by_one


# --- reading: each entry once, the episodes through their index ----------------------------


class _CountingCache:
    """The cache, recording every key asked of it."""

    def __init__(self, store):
        self.store = store
        self.asked: list[str] = []

    def get_many(self, keys, *args, **kwargs):
        self.asked.extend(keys)
        return self.store.get_many(keys, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.store, name)


@pytest.mark.django_db(transaction=True)
def test_a_page_reads_each_cache_entry_once(site, monkeypatch):
    """In the page's own snapshot an entry's value cannot change: compute_ahead's look-up and
    the answers after it share what was read, and the two periods the caseloads' counts."""
    from cqi import dashboard
    from cqi.periods import Period

    child = _family_time(site)
    scope = access_metrics_for(site)
    period = Period(START, END, "custom", {})
    dashboard.page_figures(scope, period)
    VisitFactory(child=child, scheduled_on=D(2024, 3, 9))  # one part to compute again
    counting = _CountingCache(cache.cache)
    monkeypatch.setattr(cache, "cache", counting)
    dashboard.page_figures(scope, period)
    assert counting.asked
    assert len(counting.asked) == len(set(counting.asked))


def test_the_episodes_are_found_by_child_through_the_cqi_index(site):
    """`EPISODES_SELECT` joins on `child_id COLLATE "C"`, which only `episode_by_child_for_cqi`
    serves (with a plain join the planner probes the GiST index of `episode_no_overlap`)."""
    episode(new_child(site), D(2024, 1, 1))
    with connection.cursor() as cursor:
        # a probe per child, as for one part at scale (the test tables are too small for it)
        for setting in ("enable_seqscan", "enable_hashjoin", "enable_mergejoin"):
            cursor.execute("SELECT set_config(%s, 'off', true)", [setting])
        cursor.execute("EXPLAIN " + metrics.EPISODES_SELECT, {"sites": [site.pk], "parts": None})
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "episode_by_child_for_cqi" in plan
    assert "episode_no_overlap" not in plan
