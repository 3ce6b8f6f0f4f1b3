"""Figures of many periods from one window's states (`cqi.metrics.windows`, issue 23 item 3).

A windowed metric over any period the window covers, and over each calendar month of it, must
be the number its own selector gives for that period, whatever the records: random families with
removals, screenings, early intervention, services, FTMs with action items and hearings at
random dates, and random periods (whole months, a day, a period inside a month, periods that
begin and end mid-month, across years, the dashboard's period with its previous one).
"""

import datetime as dt
import random

import pytest

from cqi import breakdowns, cache, metrics
from cqi.metrics.windows import (
    BY_MONTH,
    BY_SEGMENT,
    WINDOWED,
    Window,
    finish_months,
    finish_period,
    window_parts,
)
from cqi.periods import Period
from cqi.selectors import WINDOWED_TRENDS, page_window, trend_span
from safebabies import codes
from tests import factories as f
from tests.test_cqi_metrics import (
    ActionItemFactory,
    FtmFactory,
    ScreeningFactory,
    ServiceFactory,
    episode,
    new_case,
)

pytestmark = pytest.mark.django_db
D = dt.date


def test_a_window_is_cut_at_each_month_and_each_periods_edges():
    window = Window.covering([(D(2024, 1, 15), D(2024, 4, 10)), (D(2024, 2, 1), D(2024, 2, 29))])
    assert window.cuts == (
        D(2024, 1, 15),
        D(2024, 2, 1),
        D(2024, 3, 1),
        D(2024, 4, 1),
        D(2024, 4, 11),
    )
    assert window.start == D(2024, 1, 15) and window.end == D(2024, 4, 10)
    assert window.segments()[0] == (1, D(2024, 1, 15), D(2024, 1, 31))
    assert window.segments()[-1] == (4, D(2024, 4, 1), D(2024, 4, 10))
    assert window.whole_months() == (D(2024, 2, 1), D(2024, 3, 1))
    assert window.covers(D(2024, 1, 15), D(2024, 4, 10))
    assert window.covers(D(2024, 3, 1), D(2024, 3, 31))
    assert not window.covers(D(2024, 3, 2), D(2024, 3, 31))
    with pytest.raises(ValueError, match="does not cover"):
        finish_period({}, window, D(2024, 3, 2), D(2024, 3, 31))


def test_a_window_of_one_day():
    window = Window.covering([(D(2024, 2, 29), D(2024, 2, 29))])
    assert window.cuts == (D(2024, 2, 29), D(2024, 3, 1))
    assert window.whole_months() is None


def test_the_dashboards_window_covers_its_period_the_previous_one_and_the_trends():
    period = Period(D(2025, 12, 8), D(2026, 12, 7), "last_12_months", {})
    window = page_window(period.start, period.end, period.previous)
    assert window.covers(period.start, period.end)
    assert window.covers(*period.previous)
    for first, last in breakdowns.trend_months(period.end):
        assert window.covers(first, last)
    assert trend_span(period.end) == (D(2025, 12, 1), D(2026, 11, 30))


def test_every_windowed_metric_is_a_registry_metric_and_the_trends_read_them():
    assert set(WINDOWED) == set(BY_SEGMENT) | set(BY_MONTH)
    assert set(WINDOWED) <= set(metrics.PART_WISE)
    assert set(WINDOWED_TRENDS) <= set(WINDOWED)


def _family(site, rng):
    """A case and a child with records every windowed metric reads, at random dates over
    2023-2025: one or two episodes (some for a maltreatment reason), screenings, early
    intervention and other services, FTMs with action items, hearings."""
    opened = D(2023, 1, 1) + dt.timedelta(days=rng.randint(0, 700))
    closed = opened + dt.timedelta(days=rng.randint(0, 400)) if rng.random() < 0.3 else None
    case = new_case(site, opened_on=opened, closed_on=closed)
    child = f.ChildFactory(case=case, birth_date=D(2022, 6, 1))
    removal = opened + dt.timedelta(days=rng.randint(0, 30))
    discharge = removal + dt.timedelta(days=rng.randint(1, 300)) if rng.random() < 0.6 else None
    reasons = [rng.choice(["neglect", "physical_abuse", "parent_drugs", "inadequate_housing"])]
    episode(child, removal, discharge, "reunification" if discharge else "", reasons=reasons)
    if discharge is not None and rng.random() < 0.4:
        again = discharge + dt.timedelta(days=rng.randint(1, 200))
        episode(child, again, None, reasons=("neglect",))
    for _ in range(rng.randint(0, 2)):
        ScreeningFactory(
            child=child,
            screened_on=removal + dt.timedelta(days=rng.randint(-5, 45)),
            instrument=rng.choice([codes.Instrument.ASQ3, codes.Instrument.ASQSE2]),
        )
    for _ in range(rng.randint(0, 2)):
        referred = removal + dt.timedelta(days=rng.randint(-3, 120))
        started = referred + dt.timedelta(days=rng.randint(0, 90)) if rng.random() < 0.7 else None
        ServiceFactory(
            child=child,
            referred_on=referred,
            started_on=started,
            service_type=rng.choice(
                [codes.ServiceType.EARLY_INTERVENTION, codes.ServiceType.CHILD_PARENT_PSYCHOTHERAPY]
            ),
        )
    for _ in range(rng.randint(0, 4)):
        day = opened + dt.timedelta(days=rng.randint(0, 500))
        ftm = FtmFactory(
            case=case,
            scheduled_on=day,
            status=rng.choice(
                [codes.FtmStatus.HELD, codes.FtmStatus.HELD, codes.FtmStatus.CANCELLED]
            ),
        )
        for _ in range(rng.randint(0, 2)):
            due = day + dt.timedelta(days=rng.randint(1, 40))
            done = due + dt.timedelta(days=rng.randint(-10, 10)) if rng.random() < 0.6 else None
            ActionItemFactory(
                ftm=ftm,
                due_on=due,
                completed_on=done,
                status=rng.choice(
                    [
                        codes.ActionItemStatus.DONE if done else codes.ActionItemStatus.OPEN,
                        codes.ActionItemStatus.DROPPED,
                    ]
                ),
            )
    for _ in range(rng.randint(0, 3)):
        f.HearingFactory(
            case=case,
            scheduled_on=opened + dt.timedelta(days=rng.randint(0, 500)),
            status=rng.choice([codes.HearingStatus.HELD, codes.HearingStatus.CONTINUED]),
        )
    return child


def _random_period(rng) -> tuple[dt.date, dt.date]:
    start = D(2023, 1, 1) + dt.timedelta(days=rng.randint(0, 1000))
    kind = rng.random()
    if kind < 0.3:  # whole months
        start = start.replace(day=1)
        months = rng.randint(1, 14)
        end = D(
            start.year + (start.month - 1 + months) // 12, (start.month - 1 + months) % 12 + 1, 1
        )
        return start, end - dt.timedelta(days=1)
    if kind < 0.4:  # one day
        return start, start
    return start, start + dt.timedelta(days=rng.randint(1, 400))


def _selector_figures(site, start, end) -> dict:
    return {m: metrics.METRICS[m].selector(site, start, end) for m in WINDOWED}


def test_each_period_of_a_window_is_the_sum_of_its_segments_and_equals_the_selectors(site):
    rng = random.Random(23)
    for _ in range(40):
        _family(site, rng)
    _family(f.SiteFactory(slug="south"), rng)  # another site's records count nowhere here
    for _ in range(12):
        periods = [_random_period(rng) for _ in range(rng.randint(1, 3))]
        window = Window.covering(periods)
        state = metrics.merge(window_parts([site], window).values())
        for start, end in periods:
            assert finish_period(state, window, start, end) == _selector_figures(
                site, start, end
            ), (
                start,
                end,
            )


def test_each_month_of_a_window_equals_the_trend_of_that_month(site):
    rng = random.Random(7)
    for _ in range(30):
        _family(site, rng)
    for end in (D(2024, 6, 30), D(2024, 11, 17), D(2025, 3, 2)):
        period = Period(D(2023, 12, 18), end, "custom", {})
        window = page_window(period.start, period.end, period.previous)
        state = metrics.merge(window_parts([site], window).values())
        months = [first for first, _ in breakdowns.trend_months(end)]
        assert finish_months(state, window, months, WINDOWED_TRENDS) == breakdowns.monthly_trends(
            [site], end, WINDOWED_TRENDS
        )


def test_a_window_part_by_part_adds_up_to_the_whole_site(site):
    rng = random.Random(3)
    for _ in range(25):
        _family(site, rng)
    window = Window.covering([(D(2023, 3, 14), D(2025, 2, 9))])
    whole = window_parts([site], window)
    by_part = {}
    for part in {part for _, part in whole}:
        by_part.update(window_parts([site], window, [part]))
    assert by_part == whole


def _computed_parts(monkeypatch) -> list[list[tuple[int, int]]]:
    """The (site, part) lists the cache computes from now on, one list per question."""
    computed: list[list[tuple[int, int]]] = []
    original = cache._compute_missing

    def spy(scope_sites, missing, compute):
        computed.append(sorted(missing))
        return original(scope_sites, missing, compute)

    monkeypatch.setattr(cache, "_compute_missing", spy)
    return computed


def test_a_custom_period_and_a_preset_ask_the_cache_the_same_number_of_questions(site, monkeypatch):
    """A custom period (here ending mid-month) costs what a preset does: one window over its
    own dates, computed once, then read back."""
    from cqi.selectors import access_metrics, metrics_for

    rng = random.Random(9)
    for _ in range(10):
        _family(site, rng)
    user = f.MembershipFactory(site=site, role="community_coordinator").user
    scope = access_metrics(user, site.slug)
    computed = _computed_parts(monkeypatch)
    periods = [(D(2024, 1, 1), D(2024, 12, 31)), (D(2024, 2, 9), D(2024, 11, 17))]
    for i, (start, end) in enumerate(periods):
        computed.clear()
        first = metrics_for(scope, start, end)
        # the window and the period's own figures, every part once (and, the first time, the
        # caseloads' open cases of today, which then are read back)
        assert [len(parts) for parts in computed] == [128] * (3 if i == 0 else 2)
        computed.clear()
        assert metrics_for(scope, start, end) == first
        assert computed == []
        fresh = metrics.compute_all([site], start, end)
        assert {m: first[m] for m in WINDOWED} == {m: fresh[m] for m in WINDOWED}


def test_a_write_in_one_family_recomputes_one_part_of_the_window(site, monkeypatch):
    from cqi import stamps
    from cqi.selectors import access_metrics, metrics_for

    rng = random.Random(4)
    children = [_family(site, rng) for _ in range(12)]
    user = f.MembershipFactory(site=site, role="community_coordinator").user
    scope = access_metrics(user, site.slug)
    start, end = D(2023, 6, 1), D(2024, 12, 31)
    metrics_for(scope, start, end)
    asked = _computed_parts(monkeypatch)
    child = children[5]
    ServiceFactory(child=child, referred_on=D(2024, 3, 3), started_on=D(2024, 3, 20))
    after = metrics_for(scope, start, end)
    changed = [(site.pk, stamps.part_of(child.case_id))]
    assert asked == [changed] * 3
    fresh = metrics.compute_all([site], start, end)
    assert after["services_started_within_60_days"] == fresh["services_started_within_60_days"]
    assert {m: after[m] for m in WINDOWED} == {m: fresh[m] for m in WINDOWED}


def test_no_child_no_figure(site):
    window = Window.covering([(D(2024, 1, 1), D(2024, 12, 31))])
    assert window_parts([site], window) == {}
    results = finish_period({}, window, D(2024, 1, 1), D(2024, 12, 31))
    assert all(r["value"] is None and r["denominator"] == 0 for r in results.values())
