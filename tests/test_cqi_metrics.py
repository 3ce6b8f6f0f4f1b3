"""The CQI metrics of METRICS.md, proved on small hand-built cases.

Each test builds a few records, writes down the numerator and denominator computed by hand (the
comments show the arithmetic), and compares them with the SQL selector. The period is 2024
unless a test says otherwise.
"""

import datetime as dt

import factory
import pytest
import time_machine
from django.db import connection

from assessments.models import Screening, Service
from cases.models import MaltreatmentReport
from cqi import metrics
from cqi.metrics import METRIC_IDS, REGISTRY, compute_all
from cqi.models import ReferenceValue
from cqi.selectors import reference_value_in_force, reference_values_in_force
from familytime.models import Visit
from safebabies import codes
from safebabies.lib.dates import add_months
from teams.models import Ftm, FtmActionItem
from tests import factories as f

pytestmark = pytest.mark.django_db

D = dt.date
START, END = D(2024, 1, 1), D(2024, 12, 31)


# --- factories for the records tests/factories.py does not cover ----------------------------


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    child = factory.SubFactory(f.ChildFactory)
    scheduled_on = D(2024, 3, 1)
    status = codes.VisitStatus.HELD


class FtmFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ftm

    case = factory.SubFactory(f.CaseFactory)
    scheduled_on = D(2024, 3, 1)
    status = codes.FtmStatus.HELD


class ActionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FtmActionItem

    ftm = factory.SubFactory(FtmFactory)
    description = "Call the housing provider"
    due_on = D(2024, 3, 1)


class ScreeningFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Screening

    child = factory.SubFactory(f.ChildFactory)
    case = factory.LazyAttribute(lambda o: o.child.case)
    subject = codes.ScreeningSubject.CHILD
    instrument = codes.Instrument.ASQ3
    screened_on = D(2024, 3, 1)


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    child = factory.SubFactory(f.ChildFactory)
    case = factory.LazyAttribute(lambda o: o.child.case)
    recipient = codes.ServiceRecipient.CHILD
    service_type = codes.ServiceType.EARLY_INTERVENTION
    referred_on = D(2024, 3, 1)


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MaltreatmentReport

    child = factory.SubFactory(f.ChildFactory)
    reported_on = D(2024, 3, 1)
    disposition = codes.MaltreatmentDisposition.SUBSTANTIATED


# --- helpers -------------------------------------------------------------------------------


LONG_AGO, BORN = D(2020, 1, 1), D(2023, 6, 1)


def new_case(site, opened_on=LONG_AGO, closed_on=None):
    return f.CaseFactory(site=site, opened_on=opened_on, closed_on=closed_on)


def new_child(site, birth_date=BORN):
    return f.ChildFactory(case=new_case(site), birth_date=birth_date)


def episode(child, removal, discharge=None, reason="", placements=(), reasons=("neglect",)):
    """An episode with placements given as (setting, start) pairs, each ending when the next
    starts (the last at the discharge)."""
    ep = f.EpisodeFactory(
        child=child,
        removal_date=removal,
        discharge_date=discharge,
        discharge_reason=reason,
        reasons=list(reasons),
    )
    for i, (setting, start) in enumerate(placements):
        end = placements[i + 1][1] if i + 1 < len(placements) else discharge
        f.PlacementFactory(episode=ep, setting=setting, start_date=start, end_date=end)
    return ep


def stay(site, removal, discharge=None, reason="", placements=(), **kwargs):
    """One child with one episode at `site`."""
    child = new_child(site, **kwargs)
    episode(child, removal, discharge, reason, placements)
    return child


def share(numerator, denominator):
    return {
        "value": numerator / denominator,
        "numerator": numerator,
        "denominator": denominator,
        "n": None,
    }


NULL_SHARE = {"value": None, "numerator": 0, "denominator": 0, "n": None}
REUNIFICATION, RELATIVE, ADOPTION, GUARDIANSHIP, TRANSFER = (
    "reunification",
    "relative",
    "adoption",
    "guardianship",
    "transfer",
)
FOSTER, KIN, THV, RESPITE, RUNAWAY, GROUP, INSTITUTION = (
    "nonrelative_foster",
    "relative_foster",
    "trial_home_visit",
    "respite",
    "runaway",
    "group_home",
    "institution",
)


# --- "within 12 months" ----------------------------------------------------------------------


def test_postgres_12_months_clamps_like_add_months_for_every_day_of_two_years():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT d::date, (d + interval '12 months')::date"
            "  FROM generate_series('2023-01-01'::date, '2024-12-31'::date, interval '1 day') d"
        )
        rows = cursor.fetchall()
    assert len(rows) == 731
    assert all(later == add_months(day, 12) for day, later in rows)
    assert dict(rows)[D(2024, 2, 29)] == D(2025, 2, 28)
    assert dict(rows)[D(2024, 1, 31)] == D(2025, 1, 31)


# --- permanency_12m_entries (P1) -------------------------------------------------------------


def test_permanency_12m_entries_counts_permanency_within_12_months_of_removal(site):
    stay(site, D(2024, 1, 10), D(2024, 6, 1), REUNIFICATION)  # den, num
    stay(site, D(2024, 2, 1), D(2025, 3, 1), REUNIFICATION)  # den: after 2025-02-01
    stay(site, D(2024, 4, 1))  # den: still in care
    stay(site, D(2024, 5, 1), D(2024, 9, 1), TRANSFER)  # den: not permanency
    stay(site, D(2024, 6, 1), D(2025, 6, 1), ADOPTION)  # den, num (exactly 12 months)
    stay(site, D(2023, 12, 31), D(2024, 2, 1), REUNIFICATION)  # removed before the period
    stay(site, D(2025, 1, 1), D(2025, 2, 1), REUNIFICATION)  # removed after the period
    # denominator 5; numerator 2
    assert metrics.permanency_12m_entries(site, START, END) == share(2, 5)


def test_permanency_12m_entries_short_stay_is_under_8_days(site):
    stay(site, D(2024, 3, 1), D(2024, 3, 8), REUNIFICATION)  # LOS 7: excluded
    stay(site, D(2024, 3, 1), D(2024, 3, 9), REUNIFICATION)  # LOS 8: den, num
    stay(site, D(2024, 3, 1), D(2024, 3, 1), REUNIFICATION)  # LOS 0: excluded
    stay(site, D(2024, 12, 25))  # open, LOS to the period end = 6: excluded
    stay(site, D(2024, 12, 23))  # open, LOS to the period end = 8: den
    assert metrics.permanency_12m_entries(site, START, END) == share(1, 2)


def test_permanency_12m_entries_12_calendar_months_across_month_ends_and_29_february(site):
    stay(site, D(2024, 2, 29), D(2025, 2, 28), REUNIFICATION)  # 2024-02-29 + 12 m = 2025-02-28: num
    stay(site, D(2024, 2, 29), D(2025, 3, 1), REUNIFICATION)  # one day late
    stay(site, D(2024, 1, 31), D(2025, 1, 31), GUARDIANSHIP)  # 2025-01-31: num
    stay(site, D(2024, 1, 31), D(2025, 2, 1), GUARDIANSHIP)  # one day late
    stay(site, D(2024, 3, 31), D(2025, 3, 31), RELATIVE)  # num
    assert metrics.permanency_12m_entries(site, START, END) == share(3, 5)


def test_permanency_12m_entries_trial_home_visit_adjustment(site):
    # Removal 2024-01-10: within 12 months = on or before 2025-01-10. Every discharge below is
    # after that date, so only the trial home visit adjustment can bring one into the numerator.
    removal = D(2024, 1, 10)
    # THV began 62 days before discharge: exit = 2024-12-01 + 30 = 2024-12-31 -> num
    stay(site, removal, D(2025, 2, 1), REUNIFICATION, [(FOSTER, removal), (THV, D(2024, 12, 1))])
    # THV began 43 days before: exit = 2024-12-20 + 30 = 2025-01-19, still late -> not
    stay(site, removal, D(2025, 2, 1), REUNIFICATION, [(FOSTER, removal), (THV, D(2024, 12, 20))])
    # THV began 31 days before: exit = 2024-12-11 + 30 = 2025-01-10 -> num
    stay(site, removal, D(2025, 1, 11), REUNIFICATION, [(FOSTER, removal), (THV, D(2024, 12, 11))])
    # THV began exactly 30 days before: no adjustment, exit 2025-01-11 -> not
    stay(site, removal, D(2025, 1, 11), REUNIFICATION, [(FOSTER, removal), (THV, D(2024, 12, 12))])
    # THV is not the last placement: no adjustment -> not
    stay(
        site,
        removal,
        D(2025, 2, 1),
        REUNIFICATION,
        [(FOSTER, removal), (THV, D(2024, 12, 1)), (KIN, D(2024, 12, 20))],
    )
    # discharge to a relative, not reunification: no adjustment -> not
    stay(site, removal, D(2025, 2, 1), RELATIVE, [(FOSTER, removal), (THV, D(2024, 12, 1))])
    assert metrics.permanency_12m_entries(site, START, END) == share(2, 6)


def test_permanency_12m_entries_thv_adjustment_never_moves_an_exit_within_12_months(site):
    # THV began 31+ days before a discharge already inside 12 months: the adjusted exit is
    # earlier still, so it stays in the numerator.
    stay(
        site,
        D(2024, 1, 10),
        D(2024, 6, 1),
        REUNIFICATION,
        [(FOSTER, D(2024, 1, 10)), (THV, D(2024, 3, 1))],
    )
    assert metrics.permanency_12m_entries(site, START, END) == share(1, 1)


def test_permanency_12m_entries_counts_the_first_entry_only(site):
    child = new_child(site)
    episode(child, D(2024, 2, 1), D(2024, 3, 1), REUNIFICATION)  # first entry: den, num
    episode(child, D(2024, 5, 1))  # second removal in the period: ignored
    # A child whose first entry is a short stay is out, whatever the later entries.
    other = new_child(site)
    episode(other, D(2024, 2, 1), D(2024, 2, 5), REUNIFICATION)
    episode(other, D(2024, 6, 1), D(2024, 7, 1), REUNIFICATION)
    assert metrics.permanency_12m_entries(site, START, END) == share(1, 1)


def test_permanency_12m_entries_excludes_removals_at_18_or_older(site):
    stay(site, D(2024, 3, 1), D(2024, 5, 1), REUNIFICATION, birth_date=D(2006, 3, 1))  # 18 today
    stay(site, D(2024, 3, 1), D(2024, 5, 1), REUNIFICATION, birth_date=D(2006, 3, 2))  # 17
    assert metrics.permanency_12m_entries(site, START, END) == share(1, 1)


def test_permanency_12m_entries_zero_denominator_is_null(site):
    stay(site, D(2024, 3, 1), D(2024, 3, 3), REUNIFICATION)  # a short stay only
    assert metrics.permanency_12m_entries(site, START, END) == NULL_SHARE


# --- permanency in 12 months for children in care 12-23 / 24+ months (P2, P3) -------------


def test_permanency_12m_in_care_12_23_and_24_plus(site):
    start, end = D(2024, 7, 1), D(2025, 6, 30)  # start + 12 months = 2025-07-01
    # removal + 12 m = 2024-07-01 <= start < removal + 24 m: 12-23; permanency on 2025-07-01: num
    stay(site, D(2023, 7, 1), D(2025, 7, 1), REUNIFICATION)
    # removal + 12 m = 2024-07-02 > start: in care under 12 months, in neither
    stay(site, D(2023, 7, 2), D(2024, 8, 1), REUNIFICATION)
    # removal + 24 m = 2024-07-02 > start: 12-23, still in care -> den
    stay(site, D(2022, 7, 2))
    # 18 months, discharged by transfer -> 12-23 den
    stay(site, D(2023, 1, 1), D(2024, 12, 1), TRANSFER)
    # removal + 24 m = 2024-07-01 <= start: 24+; adoption within 12 months -> num
    stay(site, D(2022, 7, 1), D(2025, 6, 30), ADOPTION)
    # discharged on `start` itself: still in care on start (no discharge before it) -> 24+ num
    stay(site, D(2020, 1, 1), D(2024, 7, 1), GUARDIANSHIP)
    # 24+, permanency one day after start + 12 months -> den
    stay(site, D(2022, 1, 1), D(2025, 7, 2), REUNIFICATION)
    # discharged the day before start: not in care on start
    stay(site, D(2021, 1, 1), D(2024, 6, 30), REUNIFICATION)
    # 12-23: 3 children, 1 to permanency; 24+: 3 children, 2 to permanency
    assert metrics.permanency_12m_in_care_12_23(site, start, end) == share(1, 3)
    assert metrics.permanency_12m_in_care_24_plus(site, start, end) == share(2, 3)


def test_permanency_in_care_12_months_on_29_february(site):
    start, end = D(2025, 2, 28), D(2026, 2, 27)
    stay(site, D(2024, 2, 29))  # 2024-02-29 + 12 m = 2025-02-28 <= start: 12-23
    stay(site, D(2024, 3, 1))  # 11 months on start: neither
    assert metrics.permanency_12m_in_care_12_23(site, start, end) == share(0, 1)
    assert metrics.permanency_12m_in_care_24_plus(site, start, end) == NULL_SHARE


# --- reentry_12m (P4) ------------------------------------------------------------------------


def test_reentry_12m_just_inside_and_just_outside_12_months(site):
    a = new_child(site)  # discharged 2024-03-01; back on 2025-03-01 = discharge + 12 m -> num
    episode(a, D(2024, 1, 10), D(2024, 3, 1), REUNIFICATION)
    episode(a, D(2025, 3, 1))
    b = new_child(site)  # back on 2025-03-02, one day late -> den only
    episode(b, D(2024, 1, 10), D(2024, 3, 1), RELATIVE)
    episode(b, D(2025, 3, 2))
    c = new_child(site)  # guardianship, never back -> den
    episode(c, D(2024, 6, 1), D(2024, 8, 1), GUARDIANSHIP)
    d = new_child(site)  # adoption is not in the cohort
    episode(d, D(2024, 2, 1), D(2024, 4, 1), ADOPTION)
    episode(d, D(2024, 6, 1))
    e = new_child(site)  # ended after removal + 12 months: not in the cohort
    episode(e, D(2024, 2, 1), D(2025, 2, 2), REUNIFICATION)
    stay(site, D(2024, 5, 1))  # still in care: not in the cohort
    assert metrics.reentry_12m(site, START, END) == share(1, 3)


def test_reentry_12m_uses_the_first_entry_only_and_drops_short_stays(site):
    child = new_child(site)
    # The first entry is a short stay (7 days): the child is out of the cohort, and the second
    # removal in the period (which would qualify on its own) is ignored.
    episode(child, D(2024, 2, 1), D(2024, 2, 8), REUNIFICATION)
    episode(child, D(2024, 3, 1), D(2024, 5, 1), REUNIFICATION)
    episode(child, D(2024, 6, 1))
    assert metrics.reentry_12m(site, START, END) == NULL_SHARE


def test_reentry_12m_second_entry_in_the_period_is_the_reentry_not_a_new_cohort_member(site):
    child = new_child(site)
    episode(child, D(2024, 2, 1), D(2024, 4, 1), REUNIFICATION)  # first entry: den
    episode(child, D(2024, 6, 1), D(2024, 8, 1), REUNIFICATION)  # the re-entry: num
    assert metrics.reentry_12m(site, START, END) == share(1, 1)


# --- placement_moves_per_1000_days -----------------------------------------------------------


def test_placement_moves_per_1000_days(site):
    # A: in care all of 2024 (366 days). Moves: FOSTER -> GROUP on 06-01 and GROUP -> INSTITUTION
    # on 12-01. Not moves: to and from respite, to and from a trial home visit, to and from
    # runaway, and the first placement.
    stay(
        site,
        D(2024, 1, 1),
        placements=[
            (FOSTER, D(2024, 1, 1)),
            (RESPITE, D(2024, 3, 1)),
            (FOSTER, D(2024, 3, 3)),
            (GROUP, D(2024, 6, 1)),
            (THV, D(2024, 9, 1)),
            (KIN, D(2024, 10, 1)),
            (RUNAWAY, D(2024, 11, 1)),
            (GROUP, D(2024, 11, 5)),
            (INSTITUTION, D(2024, 12, 1)),
        ],
    )
    # B: removed 2024-12-01, 31 days in the period; one move in it (12-15), one after it.
    stay(
        site,
        D(2024, 12, 1),
        D(2025, 2, 1),
        REUNIFICATION,
        placements=[
            (FOSTER, D(2024, 12, 1)),
            (KIN, D(2024, 12, 15)),
            (GROUP, D(2025, 1, 10)),
        ],
    )
    # C: 2024-03-01 to 2024-03-11: 10 days (removal day counts, discharge day does not), no move.
    stay(site, D(2024, 3, 1), D(2024, 3, 11), REUNIFICATION, placements=[(FOSTER, D(2024, 3, 1))])
    # D: a short stay (7 days) with a move: not in the cohort.
    stay(
        site,
        D(2024, 6, 1),
        D(2024, 6, 8),
        REUNIFICATION,
        placements=[(FOSTER, D(2024, 6, 1)), (KIN, D(2024, 6, 5))],
    )
    # E: removed before the period, moves in it: not in the cohort.
    stay(site, D(2023, 6, 1), placements=[(FOSTER, D(2023, 6, 1)), (KIN, D(2024, 6, 5))])
    # moves = 2 + 1 = 3; days = 366 + 31 + 10 = 407
    assert metrics.placement_moves_per_1000_days(site, START, END) == {
        "value": 1000 * 3 / 407,
        "numerator": 3,
        "denominator": 407,
        "n": None,
    }


def test_placement_moves_zero_days_is_null(site):
    assert metrics.placement_moves_per_1000_days(site, START, END) == NULL_SHARE


# --- maltreatment_recurrence_12m --------------------------------------------------------------


def test_recurrence_within_14_days_is_not_counted_and_15_days_is(site):
    a = new_child(site)
    ReportFactory(child=a, reported_on=D(2024, 2, 1))  # index
    ReportFactory(child=a, reported_on=D(2024, 2, 15))  # 14 days: not counted
    b = new_child(site)
    ReportFactory(child=b, reported_on=D(2024, 2, 1))  # index
    ReportFactory(
        child=b, reported_on=D(2024, 2, 16), disposition=codes.MaltreatmentDisposition.INDICATED
    )  # 15 days: counted
    assert metrics.maltreatment_recurrence_12m(site, START, END) == share(1, 2)


def test_recurrence_just_past_12_months_is_not_counted(site):
    a = new_child(site)
    ReportFactory(child=a, reported_on=D(2024, 3, 1))
    ReportFactory(child=a, reported_on=D(2025, 3, 1))  # exactly 12 months: counted
    b = new_child(site)
    ReportFactory(child=b, reported_on=D(2024, 3, 1))
    ReportFactory(child=b, reported_on=D(2025, 3, 2))  # one day past: not counted
    c = new_child(site)
    ReportFactory(child=c, reported_on=D(2024, 2, 29))
    ReportFactory(child=c, reported_on=D(2025, 2, 28))  # 2024-02-29 + 12 m: counted
    assert metrics.maltreatment_recurrence_12m(site, START, END) == share(2, 3)


def test_recurrence_index_is_the_first_substantiated_report_in_the_period(site):
    a = new_child(site)
    ReportFactory(child=a, reported_on=D(2023, 12, 1))  # before the period: not the index
    ReportFactory(child=a, reported_on=D(2024, 1, 5))  # index
    ReportFactory(child=a, reported_on=D(2024, 1, 10))  # 5 days after the index: not counted
    b = new_child(site)
    ReportFactory(child=b, reported_on=D(2024, 4, 1))
    ReportFactory(
        child=b,
        reported_on=D(2024, 6, 1),
        disposition=codes.MaltreatmentDisposition.UNSUBSTANTIATED,
    )  # not counted
    c = new_child(site)  # an unsubstantiated report alone: not in the denominator
    ReportFactory(
        child=c,
        reported_on=D(2024, 5, 1),
        disposition=codes.MaltreatmentDisposition.UNSUBSTANTIATED,
    )
    ReportFactory(
        child=c,
        reported_on=D(2024, 7, 1),
        disposition=codes.MaltreatmentDisposition.UNSUBSTANTIATED,
    )
    assert metrics.maltreatment_recurrence_12m(site, START, END) == share(0, 2)


# --- median_days_to_permanency (and its survival twin) -------------------------------------


def test_median_days_to_permanency(site):
    stay(site, D(2024, 1, 1), D(2024, 4, 10), REUNIFICATION)  # 100 days
    stay(site, D(2024, 1, 1), D(2024, 7, 19), ADOPTION)  # 200 days
    stay(site, D(2024, 1, 1), D(2024, 10, 27), GUARDIANSHIP)  # 300 days
    stay(site, D(2024, 1, 1), D(2025, 2, 4), RELATIVE)  # 400 days (discharged after the period)
    stay(site, D(2024, 1, 1), D(2024, 2, 20), TRANSFER)  # not permanency
    stay(site, D(2024, 6, 1))  # still in care
    stay(site, D(2023, 6, 1), D(2024, 2, 1), REUNIFICATION)  # removed before the period
    # median of 100, 200, 300, 400 = 250; n = 4; denominator = 6 episodes removed in 2024
    assert metrics.median_days_to_permanency(site, START, END) == {
        "value": 250.0,
        "numerator": None,
        "denominator": 6,
        "n": 4,
    }


def test_median_days_to_permanency_with_none_is_null(site):
    stay(site, D(2024, 6, 1))
    assert metrics.median_days_to_permanency(site, START, END) == {
        "value": None,
        "numerator": None,
        "denominator": 1,
        "n": 0,
    }


def test_kaplan_meier_median_counts_open_episodes_as_censored(site):
    stay(site, D(2024, 12, 1), D(2024, 12, 11), REUNIFICATION)  # event at 10
    stay(site, D(2024, 12, 1), D(2024, 12, 21), TRANSFER)  # censored at 20
    stay(site, D(2024, 12, 1), D(2024, 12, 31), ADOPTION)  # event at 30
    stay(site, D(2024, 12, 1))  # open: censored at 2024-12-31 - 2024-12-01 = 30
    # t=10: 4 at risk, 1 event, S = 3/4; t=30: 2 at risk, 1 event, S = 3/8 <= 1/2 -> median 30
    assert metrics.median_days_to_permanency_survival(site, START, END) == {
        "value": 30.0,
        "numerator": None,
        "denominator": 4,
        "n": 2,
    }


def test_kaplan_meier_median_is_null_while_survival_stays_above_half(site):
    stay(site, D(2024, 12, 1), D(2024, 12, 11), REUNIFICATION)  # event at 10: S = 3/4
    stay(site, D(2024, 12, 1))
    stay(site, D(2024, 12, 1))
    stay(site, D(2024, 12, 1), D(2025, 1, 5), REUNIFICATION)  # after the period end: censored
    assert metrics.median_days_to_permanency_survival(site, START, END) == {
        "value": None,
        "numerator": None,
        "denominator": 4,
        "n": 1,
    }


# --- exits_by_reason, average_placements_closed ------------------------------------------


def test_exits_by_reason(site):
    for day in (D(2024, 2, 1), D(2024, 5, 1), D(2024, 12, 31)):
        stay(site, D(2023, 6, 1), day, REUNIFICATION)
    stay(site, D(2022, 6, 1), D(2024, 1, 1), ADOPTION)
    stay(site, D(2023, 6, 1), D(2025, 1, 1), REUNIFICATION)  # after the period
    stay(site, D(2023, 6, 1), D(2023, 12, 31), TRANSFER)  # before the period
    assert metrics.exits_by_reason(site, START, END) == {
        "value": {
            "reunification": {"count": 3, "share": 3 / 4},
            "adoption": {"count": 1, "share": 1 / 4},
        },
        "numerator": None,
        "denominator": 4,
        "n": None,
    }


def test_exits_by_reason_with_no_exits_is_null(site):
    stay(site, D(2024, 6, 1))
    assert metrics.exits_by_reason(site, START, END)["value"] is None


def test_average_placements_closed_does_not_count_thv_runaway_or_respite(site):
    # 2 counted (FOSTER, KIN); THV, respite and runaway are not placements here
    stay(
        site,
        D(2024, 1, 1),
        D(2024, 9, 1),
        REUNIFICATION,
        placements=[
            (FOSTER, D(2024, 1, 1)),
            (RESPITE, D(2024, 2, 1)),
            (KIN, D(2024, 2, 3)),
            (RUNAWAY, D(2024, 4, 1)),
            (THV, D(2024, 5, 1)),
        ],
    )
    # 2 counted
    stay(
        site,
        D(2024, 1, 1),
        D(2024, 9, 1),
        ADOPTION,
        placements=[(KIN, D(2024, 1, 1)), (GROUP, D(2024, 3, 1))],
    )
    # 0 counted (no placement recorded): still an episode
    stay(site, D(2024, 1, 1), D(2024, 3, 1), TRANSFER)
    # still in care: not closed
    stay(site, D(2024, 1, 1), placements=[(KIN, D(2024, 1, 1)), (GROUP, D(2024, 3, 1))])
    # 4 placements over 3 closed episodes
    assert metrics.average_placements_closed(site, START, END) == share(4, 3)


# --- case-months: ftm_monthly_rate, hearing_monthly_rate ---------------------------------


def _case_months(site):
    """Period 2024-01-15 to 2024-04-30: the months wholly inside are February, March, April."""
    a = new_case(site, opened_on=D(2024, 1, 1))  # Feb, Mar, Apr: 3 case-months
    b = new_case(site, opened_on=D(2024, 2, 2))  # opened on the 2nd: Mar, Apr: 2
    c = new_case(site, opened_on=D(2023, 1, 1), closed_on=D(2024, 3, 30))  # Feb only: 1
    d = new_case(site, opened_on=D(2023, 1, 1), closed_on=D(2024, 3, 31))  # Feb, Mar: 2
    return a, b, c, d  # 8 case-months


def test_ftm_monthly_rate(site, other_site):
    a, b, c, _d = _case_months(site)
    FtmFactory(case=a, scheduled_on=D(2024, 2, 10))  # Feb: hit
    FtmFactory(case=a, scheduled_on=D(2024, 3, 5), status=codes.FtmStatus.CANCELLED)
    FtmFactory(case=a, scheduled_on=D(2024, 4, 1), status=codes.FtmStatus.SCHEDULED)
    FtmFactory(case=a, scheduled_on=D(2024, 1, 20))  # January is not wholly inside
    FtmFactory(case=b, scheduled_on=D(2024, 3, 31))  # Mar: hit
    FtmFactory(case=b, scheduled_on=D(2024, 4, 1))  # Apr: hit
    FtmFactory(case=b, scheduled_on=D(2024, 4, 30))  # Apr again: same case-month
    FtmFactory(case=b, scheduled_on=D(2024, 2, 20))  # Feb is not a case-month of b
    FtmFactory(case=c, scheduled_on=D(2024, 3, 15))  # Mar is not a case-month of c
    FtmFactory(case=new_case(other_site), scheduled_on=D(2024, 3, 1))  # another site
    # 3 of 8 case-months
    assert metrics.ftm_monthly_rate(site, D(2024, 1, 15), D(2024, 4, 30)) == share(3, 8)


def test_hearing_monthly_rate_counts_held_hearings_only(site):
    a, b, _c, d = _case_months(site)
    f.HearingFactory(case=a, scheduled_on=D(2024, 2, 5), status=codes.HearingStatus.HELD)
    f.HearingFactory(case=a, scheduled_on=D(2024, 3, 5), status=codes.HearingStatus.CONTINUED)
    f.HearingFactory(case=a, scheduled_on=D(2024, 4, 5), status=codes.HearingStatus.CANCELLED)
    f.HearingFactory(case=b, scheduled_on=D(2024, 4, 10), status=codes.HearingStatus.HELD)
    f.HearingFactory(case=d, scheduled_on=D(2024, 3, 1), status=codes.HearingStatus.SCHEDULED)
    # a: Feb; b: Apr -> 2 of 8 case-months
    assert metrics.hearing_monthly_rate(site, D(2024, 1, 15), D(2024, 4, 30)) == share(2, 8)


def test_case_months_of_a_period_without_a_whole_month_is_null(site):
    new_case(site)
    assert metrics.ftm_monthly_rate(site, D(2024, 1, 2), D(2024, 2, 28)) == NULL_SHARE


# --- ftm_action_item_completion ----------------------------------------------------------------


def test_ftm_action_item_completion_excludes_dropped_items(site):
    ftm = FtmFactory(case=new_case(site), scheduled_on=D(2024, 2, 1))
    done, open_, dropped = (
        codes.ActionItemStatus.DONE,
        codes.ActionItemStatus.OPEN,
        codes.ActionItemStatus.DROPPED,
    )
    ActionItemFactory(ftm=ftm, due_on=D(2024, 3, 1), completed_on=D(2024, 3, 1), status=done)  # num
    ActionItemFactory(
        ftm=ftm, due_on=D(2024, 3, 1), completed_on=D(2024, 3, 2), status=done
    )  # late
    ActionItemFactory(ftm=ftm, due_on=D(2024, 4, 1), status=open_)  # not done
    ActionItemFactory(ftm=ftm, due_on=D(2024, 4, 1), status=dropped)  # excluded
    ActionItemFactory(
        ftm=ftm, due_on=D(2025, 1, 1), completed_on=D(2024, 5, 1), status=done
    )  # later
    assert metrics.ftm_action_item_completion(site, START, END) == share(1, 3)


# --- family time ---------------------------------------------------------------------------


def test_median_days_to_first_family_time(site):
    a = stay(site, D(2024, 3, 1))
    VisitFactory(child=a, scheduled_on=D(2024, 2, 25))  # before the removal
    VisitFactory(
        child=a,
        scheduled_on=D(2024, 3, 4),
        status=codes.VisitStatus.CANCELLED,
        cancelled_by=codes.CancelledBy.PARENT,
    )
    VisitFactory(child=a, scheduled_on=D(2024, 3, 6))  # 5 days
    VisitFactory(child=a, scheduled_on=D(2024, 3, 8))
    b = stay(site, D(2024, 4, 1))
    VisitFactory(child=b, scheduled_on=D(2024, 4, 2))  # 1 day
    c = stay(site, D(2024, 5, 1))
    VisitFactory(child=c, scheduled_on=D(2024, 5, 1))  # same day: 0 days
    stay(site, D(2024, 6, 1))  # no family time yet
    # median of 5, 1, 0 = 1; n = 3; denominator = 4 episodes
    assert metrics.median_days_to_first_family_time(site, START, END) == {
        "value": 1.0,
        "numerator": None,
        "denominator": 4,
        "n": 3,
    }


def test_family_time_per_week_and_shares(site):
    start, end = D(2024, 1, 1), D(2024, 1, 28)  # 28 days, 4 weeks
    # A: in care the whole period, 28 days; 5 held visits = 1.25 a week
    a = stay(site, D(2023, 12, 1))
    for day in (1, 8, 15, 22, 28):
        VisitFactory(child=a, scheduled_on=D(2024, 1, day))
    VisitFactory(child=a, scheduled_on=D(2023, 12, 31))  # before the period
    VisitFactory(child=a, scheduled_on=D(2024, 1, 29))  # after the period
    VisitFactory(child=a, scheduled_on=D(2024, 1, 10), status=codes.VisitStatus.NO_SHOW)
    # B: 2024-01-15 to 2024-01-22: 7 days (15..21); held on the removal day and the 18th = 2,
    # the visit on the discharge day does not count: exactly 2 a week
    b = stay(site, D(2024, 1, 15), D(2024, 1, 22), REUNIFICATION)
    for day in (15, 18, 22):
        VisitFactory(child=b, scheduled_on=D(2024, 1, day))
    # C: 2024-01-01 to 2024-01-15: 14 days, 6 held visits = 3 a week
    c = stay(site, D(2024, 1, 1), D(2024, 1, 15), REUNIFICATION)
    for day in (1, 3, 5, 8, 10, 12):
        VisitFactory(child=c, scheduled_on=D(2024, 1, day))
    # not in care in the period: discharged on its first day, removed after it
    d = stay(site, D(2023, 11, 1), D(2024, 1, 1), REUNIFICATION)
    VisitFactory(child=d, scheduled_on=D(2024, 1, 2))
    stay(site, D(2024, 1, 29))
    # held = 5 + 2 + 6 = 13; days = 28 + 7 + 14 = 49; per week = 13 / (49 / 7) = 91 / 49
    assert metrics.family_time_held_per_week(site, start, end) == {
        "value": 7 * 13 / 49,
        "numerator": 13,
        "denominator": 49,
        "n": None,
    }
    # 3 children in care: 2+ a week: B and C; 3+ a week: C
    assert metrics.family_time_share_2plus_per_week(site, start, end) == share(2, 3)
    assert metrics.family_time_share_3plus_per_week(site, start, end) == share(1, 3)


def test_family_time_share_adds_up_every_episode_of_the_child(site):
    start, end = D(2024, 1, 1), D(2024, 1, 28)
    child = new_child(site)
    episode(child, D(2024, 1, 1), D(2024, 1, 8), REUNIFICATION)  # 7 days, 3 visits
    episode(child, D(2024, 1, 15), D(2024, 1, 22), REUNIFICATION)  # 7 days, 1 visit
    for day in (1, 2, 3, 16):
        VisitFactory(child=child, scheduled_on=D(2024, 1, day))
    VisitFactory(child=child, scheduled_on=D(2024, 1, 10))  # at home between the episodes
    # 4 visits over 14 days = 2 a week: 2+ yes, 3+ no
    assert metrics.family_time_share_2plus_per_week(site, start, end) == share(1, 1)
    assert metrics.family_time_share_3plus_per_week(site, start, end) == share(0, 1)


# --- screenings and services ---------------------------------------------------------------


def test_developmental_screening_within_30_days(site):
    a = stay(site, D(2024, 3, 1))
    ScreeningFactory(child=a, screened_on=D(2024, 3, 31))  # day 30: counted
    b = stay(site, D(2024, 3, 1))
    ScreeningFactory(
        child=b, screened_on=D(2024, 4, 1), instrument=codes.Instrument.ASQSE2
    )  # day 31
    c = stay(site, D(2024, 4, 1))
    ScreeningFactory(
        child=c, screened_on=D(2024, 4, 5), instrument=codes.Instrument.MCHAT
    )  # not ASQ
    d = stay(site, D(2024, 5, 1))
    ScreeningFactory(child=d, screened_on=D(2024, 4, 30))  # before the removal
    e = stay(site, D(2024, 6, 1))
    ScreeningFactory(
        child=e, screened_on=D(2024, 6, 1), instrument=codes.Instrument.ASQSE2
    )  # day 0
    assert metrics.developmental_screening_within_30_days(site, START, END) == share(2, 5)


def test_early_intervention_referral_within_7_days_only_for_maltreatment(site):
    def removed(reasons):
        child = new_child(site)
        episode(child, D(2024, 3, 1), reasons=reasons)
        return child

    ServiceFactory(child=removed(["neglect"]), referred_on=D(2024, 3, 8))  # day 7: counted
    ServiceFactory(
        child=removed(["physical_abuse", "parent_drugs"]), referred_on=D(2024, 3, 9)
    )  # day 8
    ServiceFactory(child=removed(["parent_drugs"]), referred_on=D(2024, 3, 2))  # not maltreatment
    ServiceFactory(
        child=removed(["prenatal_substance_exposure"]),
        referred_on=D(2024, 3, 2),
        service_type=codes.ServiceType.MENTAL_HEALTH,
    )  # not early intervention
    # cohort: neglect, physical abuse, prenatal exposure = 3; referred in time: 1
    assert metrics.early_intervention_referral_within_7_days(site, START, END) == share(1, 3)


def test_services_started_within_60_days(site):
    child = new_child(site)
    kinds = {"service_type": codes.ServiceType.PARENTING}
    ServiceFactory(child=child, referred_on=D(2024, 3, 1), started_on=D(2024, 4, 30), **kinds)  # 60
    ServiceFactory(child=child, referred_on=D(2024, 3, 1), started_on=D(2024, 5, 1), **kinds)  # 61
    ServiceFactory(child=child, referred_on=D(2024, 6, 1), **kinds)  # not started
    ServiceFactory(
        child=child, referred_on=D(2023, 12, 31), started_on=D(2024, 1, 2), **kinds
    )  # before
    assert metrics.services_started_within_60_days(site, START, END) == share(1, 3)


# --- coordinator_caseload ----------------------------------------------------------------


@time_machine.travel(dt.datetime(2026, 5, 1, 3, 0, tzinfo=dt.UTC), tick=False)
def test_coordinator_caseload_flags_coordinators_over_the_site_cap(site, other_site, coordinator):
    # 03:00 UTC on 1 May is still 30 April in Chicago, the site's time zone: "today" is 30 April.
    site.coordinator_caseload_cap = 2
    site.save()
    cc2 = f.UserFactory(email="cc2@north.example.org")
    f.MembershipFactory(user=cc2, site=site, role="community_coordinator")
    cc3 = f.UserFactory(email="cc3@north.example.org")  # no families yet
    f.MembershipFactory(user=cc3, site=site, role="community_coordinator")

    def team(user, role="community_coordinator", **case):
        f.TeamMemberFactory(case=new_case(site, **case), user=user, role=role)

    for _ in range(3):
        team(coordinator)  # 3 open cases > cap 2
    team(cc2)
    team(cc2, closed_on=D(2026, 5, 1))  # closes tomorrow (site time): open today
    team(cc2, closed_on=D(2026, 4, 30))  # closed today: not open
    team(cc2, opened_on=D(2026, 5, 1))  # opens tomorrow: not open yet
    team(cc2, role="caseworker")  # on the team, not as coordinator
    from django.utils import timezone

    removed = f.TeamMemberFactory(case=new_case(site), user=cc2, role="community_coordinator")
    removed.removed_at = timezone.now()
    removed.save()
    outsider = f.UserFactory(email="cc@south.example.org")
    f.MembershipFactory(user=outsider, site=other_site, role="community_coordinator")
    f.TeamMemberFactory(case=new_case(other_site), user=outsider, role="community_coordinator")

    result = metrics.coordinator_caseload(site, START, END)
    assert result["value"] == [
        {
            "coordinator": "cc@north.example.org",
            "site": "north",
            "open_cases": 3,
            "cap": 2,
            "over_cap": True,
        },
        {
            "coordinator": "cc2@north.example.org",
            "site": "north",
            "open_cases": 2,
            "cap": 2,
            "over_cap": False,
        },
        {
            "coordinator": "cc3@north.example.org",
            "site": "north",
            "open_cases": 0,
            "cap": 2,
            "over_cap": False,
        },
    ]
    assert (result["numerator"], result["denominator"], result["n"]) == (1, 3, None)


def test_coordinator_caseload_without_coordinators_is_null(site):
    assert metrics.coordinator_caseload(site, START, END) == NULL_SHARE


# --- scope: other sites, national -----------------------------------------------------------


def a_little_of_everything(site):
    """One record set that touches every metric at `site`."""
    child = stay(
        site,
        D(2024, 2, 1),
        D(2024, 5, 1),
        REUNIFICATION,
        placements=[(FOSTER, D(2024, 2, 1)), (KIN, D(2024, 3, 1))],
    )
    episode(child, D(2024, 8, 1))
    stay(site, D(2023, 1, 1), D(2024, 6, 1), ADOPTION)
    stay(site, D(2021, 1, 1))
    VisitFactory(child=child, scheduled_on=D(2024, 2, 3))
    VisitFactory(child=child, scheduled_on=D(2024, 8, 2))
    ScreeningFactory(child=child, screened_on=D(2024, 2, 10))
    ServiceFactory(child=child, referred_on=D(2024, 2, 3), started_on=D(2024, 2, 10))
    ReportFactory(child=child, reported_on=D(2024, 1, 20))
    ReportFactory(child=child, reported_on=D(2024, 3, 20))
    ftm = FtmFactory(case=child.case, scheduled_on=D(2024, 3, 1))
    ActionItemFactory(
        ftm=ftm,
        due_on=D(2024, 4, 1),
        completed_on=D(2024, 3, 30),
        status=codes.ActionItemStatus.DONE,
    )
    f.HearingFactory(case=child.case, scheduled_on=D(2024, 3, 2), status=codes.HearingStatus.HELD)
    return child


def test_other_sites_records_are_never_counted(site, other_site):
    a_little_of_everything(site)
    alone = compute_all(site, START, END)
    a_little_of_everything(other_site)
    a_little_of_everything(other_site)
    assert compute_all(site, START, END) == alone
    assert alone["permanency_12m_entries"]["denominator"] == 1


def test_national_figures_sum_the_sites(site, other_site):
    a_little_of_everything(site)
    a_little_of_everything(other_site)
    a_little_of_everything(other_site)
    north, south = compute_all(site, START, END), compute_all(other_site, START, END)
    both = compute_all([site, other_site], START, END)
    for metric_id in METRIC_IDS:
        for part in ("numerator", "denominator", "n"):
            if north[metric_id][part] is not None:
                assert both[metric_id][part] == north[metric_id][part] + south[metric_id][part], (
                    metric_id,
                    part,
                )
    assert both["permanency_12m_entries"] == share(3, 3)
    assert both["exits_by_reason"]["value"] == {
        "reunification": {"count": 3, "share": 0.5},
        "adoption": {"count": 3, "share": 0.5},
    }


def test_every_metric_is_null_over_an_empty_site(site):
    results = compute_all(site, START, END)
    assert set(results) == set(METRIC_IDS)
    assert all(r["value"] is None for r in results.values()), results


# --- registry and query count ---------------------------------------------------------------


METRICS_MD_IDS = {
    "permanency_12m_entries",
    "permanency_12m_in_care_12_23",
    "permanency_12m_in_care_24_plus",
    "reentry_12m",
    "placement_moves_per_1000_days",
    "maltreatment_recurrence_12m",
    "median_days_to_permanency",
    "exits_by_reason",
    "average_placements_closed",
    "ftm_monthly_rate",
    "ftm_action_item_completion",
    "hearing_monthly_rate",
    "median_days_to_first_family_time",
    "family_time_held_per_week",
    "family_time_share_2plus_per_week",
    "family_time_share_3plus_per_week",
    "developmental_screening_within_30_days",
    "early_intervention_referral_within_7_days",
    "services_started_within_60_days",
    "coordinator_caseload",
}


def test_registry_lists_every_metric_of_metrics_md_with_label_direction_and_unit():
    assert set(METRIC_IDS) >= METRICS_MD_IDS
    assert set(METRIC_IDS) - METRICS_MD_IDS == {"median_days_to_permanency_survival"}
    for metric in REGISTRY:
        assert metric.label and metric.unit and metric.lower_is_better in (True, False, None)
    by_id = {m.id: m for m in REGISTRY}
    assert by_id["reentry_12m"].lower_is_better is True
    assert by_id["permanency_12m_entries"].lower_is_better is False


@pytest.mark.parametrize("cases", [3, 30])
def test_computing_every_metric_takes_a_constant_number_of_queries(
    site, cases, django_assert_max_num_queries
):
    for _ in range(cases):
        a_little_of_everything(site)
    f.MembershipFactory(site=site, role="community_coordinator")
    # one query per metric, and one each for the two medians and the Kaplan-Meier median, taken
    # over the merged histogram or life table of the parts, and for the caseloads' coordinators
    with django_assert_max_num_queries(len(REGISTRY) + 3 + 1):
        results = compute_all(site, START, END)
    assert results["permanency_12m_entries"]["denominator"] == cases


# --- reference values -------------------------------------------------------------------


def test_reference_values_of_metrics_md_are_loaded_as_data():
    in_force = reference_values_in_force(D(2026, 1, 1))
    assert {k: float(v.value) for k, v in in_force.items()} == {
        "permanency_12m_entries": 0.352,
        "permanency_12m_in_care_12_23": 0.438,
        "permanency_12m_in_care_24_plus": 0.373,
        "reentry_12m": 0.056,
        "placement_moves_per_1000_days": 4.48,
        "maltreatment_recurrence_12m": 0.097,
        "median_days_to_permanency": 289.0,
        "average_placements_closed": 1.3,
        "exits_by_reason": 0.465,
    }
    assert "9.5 months" in in_force["median_days_to_permanency"].source
    assert set(in_force) <= set(METRIC_IDS)


def test_a_newer_reference_row_takes_over_from_its_effective_date():
    ReferenceValue.objects.create(
        indicator="reentry_12m",
        value="0.051",
        source="CFSR Round 5 national performance",
        effective_date=D(2027, 1, 1),
    )
    assert float(reference_value_in_force("reentry_12m", D(2026, 12, 31)).value) == 0.056
    assert float(reference_value_in_force("reentry_12m", D(2027, 1, 1)).value) == 0.051
    assert float(reference_values_in_force(D(2027, 6, 1))["reentry_12m"].value) == 0.051
    assert reference_value_in_force("reentry_12m", D(2021, 12, 31)) is None
