"""The registry of the CQI metrics: each metric's id, label, unit, direction and kind (METRICS.md),
the query that gives its state part by part and the finish that makes its Result; and the
figures of several metrics at once (`compute_parts`, `finish_all`, `compute_all`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, cast

from cqi.metrics.caseloads import coordinator_caseload
from cqi.metrics.engine import Parts, Result, State, finish_median, finish_share, merge, sites_of
from cqi.metrics.family_time import (
    family_time_parts,
    finish_family_time_2plus,
    finish_family_time_3plus,
    finish_family_time_per_week,
    median_days_to_first_family_time_parts,
)
from cqi.metrics.ftms import ftm_action_item_completion_parts, ftm_monthly_rate_parts
from cqi.metrics.hearings import hearing_monthly_rate_parts
from cqi.metrics.permanency import (
    exits_by_reason_parts,
    finish_exits,
    finish_survival,
    median_days_to_permanency_parts,
    median_days_to_permanency_survival_parts,
    permanency_12m_entries_parts,
    permanency_12m_in_care_12_23_parts,
    permanency_12m_in_care_24_plus_parts,
)
from cqi.metrics.reentry import maltreatment_recurrence_12m_parts, reentry_12m_parts
from cqi.metrics.screenings_services import (
    developmental_screening_within_30_days_parts,
    early_intervention_referral_within_7_days_parts,
    services_started_within_60_days_parts,
)
from cqi.metrics.stability import (
    average_placements_closed_parts,
    finish_moves,
    placement_moves_per_1000_days_parts,
)
from safebabies import codes
from safebabies.identity.models import Site


@dataclass(frozen=True)
class Metric:
    id: str
    label: str
    unit: str  # share | per_1000_days | per_week | days | placements | reasons | caseload
    lower_is_better: bool | None  # None: no direction (a breakdown or a list)
    kind: str  # outcome | process
    # A part-wise figure: its parts over the sites (all parts, or those named) and its Result
    # from their merged state.
    parts: Callable[..., Parts] | None
    finish: Callable[[State], Result] | None
    # For a breakdown, the key of `value` the reference value applies to (its share).
    reference_key: str | None = None
    target: float | None = None
    # A figure of today, not part-wise (the caseloads): its selector.
    today: Callable[[Any, dt.date, dt.date], Result] | None = None

    def selector(self, sites: Any, start: dt.date, end: dt.date) -> Result:
        """The figure over the sites and the period."""
        if self.today is not None:
            return self.today(sites, start, end)
        assert self.parts is not None and self.finish is not None
        return self.finish(merge(self.parts(sites, start, end).values()))


REGISTRY: tuple[Metric, ...] = (
    Metric(
        "permanency_12m_entries",
        "Permanency in 12 months (entries)",
        "share",
        False,
        "outcome",
        permanency_12m_entries_parts,
        finish_share,
    ),
    Metric(
        "permanency_12m_in_care_12_23",
        "Permanency in 12 months (in care 12-23 months)",
        "share",
        False,
        "outcome",
        permanency_12m_in_care_12_23_parts,
        finish_share,
    ),
    Metric(
        "permanency_12m_in_care_24_plus",
        "Permanency in 12 months (in care 24+ months)",
        "share",
        False,
        "outcome",
        permanency_12m_in_care_24_plus_parts,
        finish_share,
    ),
    Metric(
        "reentry_12m",
        "Re-entry to care within 12 months",
        "share",
        True,
        "outcome",
        reentry_12m_parts,
        finish_share,
    ),
    Metric(
        "placement_moves_per_1000_days",
        "Placement moves per 1,000 days in care",
        "per_1000_days",
        True,
        "outcome",
        placement_moves_per_1000_days_parts,
        finish_moves,
    ),
    Metric(
        "maltreatment_recurrence_12m",
        "Recurrence of maltreatment within 12 months",
        "share",
        True,
        "outcome",
        maltreatment_recurrence_12m_parts,
        finish_share,
    ),
    Metric(
        "median_days_to_permanency",
        "Median days to permanency",
        "days",
        True,
        "outcome",
        median_days_to_permanency_parts,
        finish_median,
    ),
    Metric(
        "median_days_to_permanency_survival",
        "Median days to permanency (Kaplan-Meier, counting children still in care)",
        "days",
        True,
        "outcome",
        median_days_to_permanency_survival_parts,
        finish_survival,
    ),
    Metric(
        "exits_by_reason",
        "Exits from care by reason",
        "reasons",
        None,
        "outcome",
        exits_by_reason_parts,
        finish_exits,
        reference_key=str(codes.DischargeReason.REUNIFICATION),
    ),
    Metric(
        "average_placements_closed",
        "Average placements per child (closed episodes)",
        "placements",
        True,
        "outcome",
        average_placements_closed_parts,
        finish_share,
    ),
    Metric(
        "ftm_monthly_rate",
        "Family Team Meeting held each month",
        "share",
        False,
        "process",
        ftm_monthly_rate_parts,
        finish_share,
        target=1.0,
    ),
    Metric(
        "ftm_action_item_completion",
        "FTM action items done on time",
        "share",
        False,
        "process",
        ftm_action_item_completion_parts,
        finish_share,
    ),
    Metric(
        "hearing_monthly_rate",
        "Court hearing held each month",
        "share",
        False,
        "process",
        hearing_monthly_rate_parts,
        finish_share,
    ),
    Metric(
        "median_days_to_first_family_time",
        "Median days from removal to first family time",
        "days",
        True,
        "process",
        median_days_to_first_family_time_parts,
        finish_median,
    ),
    Metric(
        "family_time_held_per_week",
        "Family time held per week in care",
        "per_week",
        False,
        "process",
        family_time_parts,
        finish_family_time_per_week,
    ),
    Metric(
        "family_time_share_2plus_per_week",
        "Children with family time 2+ times a week",
        "share",
        False,
        "process",
        family_time_parts,
        finish_family_time_2plus,
    ),
    Metric(
        "family_time_share_3plus_per_week",
        "Children with family time 3+ times a week",
        "share",
        False,
        "process",
        family_time_parts,
        finish_family_time_3plus,
    ),
    Metric(
        "developmental_screening_within_30_days",
        "Developmental screening within 30 days",
        "share",
        False,
        "process",
        developmental_screening_within_30_days_parts,
        finish_share,
    ),
    Metric(
        "early_intervention_referral_within_7_days",
        "Early intervention referral within 7 days",
        "share",
        False,
        "process",
        early_intervention_referral_within_7_days_parts,
        finish_share,
    ),
    Metric(
        "services_started_within_60_days",
        "Services started within 60 days of referral",
        "share",
        False,
        "process",
        services_started_within_60_days_parts,
        finish_share,
    ),
    Metric(
        "coordinator_caseload",
        "Community Coordinator caseloads",
        "caseload",
        None,
        "process",
        None,
        None,
        today=coordinator_caseload,
    ),
)

METRICS: dict[str, Metric] = {m.id: m for m in REGISTRY}
METRIC_IDS: tuple[str, ...] = tuple(METRICS)
PART_WISE: tuple[str, ...] = tuple(m.id for m in REGISTRY if m.parts is not None)

# Each metric as a function of (sites, start, end) -> Result, by its id.
permanency_12m_entries = METRICS["permanency_12m_entries"].selector
permanency_12m_in_care_12_23 = METRICS["permanency_12m_in_care_12_23"].selector
permanency_12m_in_care_24_plus = METRICS["permanency_12m_in_care_24_plus"].selector
reentry_12m = METRICS["reentry_12m"].selector
placement_moves_per_1000_days = METRICS["placement_moves_per_1000_days"].selector
maltreatment_recurrence_12m = METRICS["maltreatment_recurrence_12m"].selector
median_days_to_permanency = METRICS["median_days_to_permanency"].selector
median_days_to_permanency_survival = METRICS["median_days_to_permanency_survival"].selector
exits_by_reason = METRICS["exits_by_reason"].selector
average_placements_closed = METRICS["average_placements_closed"].selector
ftm_monthly_rate = METRICS["ftm_monthly_rate"].selector
ftm_action_item_completion = METRICS["ftm_action_item_completion"].selector
hearing_monthly_rate = METRICS["hearing_monthly_rate"].selector
median_days_to_first_family_time = METRICS["median_days_to_first_family_time"].selector
family_time_held_per_week = METRICS["family_time_held_per_week"].selector
family_time_share_2plus_per_week = METRICS["family_time_share_2plus_per_week"].selector
family_time_share_3plus_per_week = METRICS["family_time_share_3plus_per_week"].selector
developmental_screening_within_30_days = METRICS["developmental_screening_within_30_days"].selector
early_intervention_referral_within_7_days = METRICS[
    "early_intervention_referral_within_7_days"
].selector
services_started_within_60_days = METRICS["services_started_within_60_days"].selector


def compute_parts(
    sites: Site | Iterable[Site],
    start: dt.date,
    end: dt.date,
    metric_ids: Iterable[str] = PART_WISE,
    parts: Iterable[int] | None = None,
) -> Parts:
    """{(site id, part): {(metric id, key): counts}}: the states of the part-wise metrics named,
    over the cases of the parts named (every part when None). One query per metric (the three
    family-time metrics share one; the FTM and hearing rates share theirs with the trends)."""
    scope = sites_of(sites)
    out: Parts = {}
    for metric_id in metric_ids:
        metric = METRICS[metric_id]
        assert metric.parts is not None, metric_id
        for where, state in metric.parts(scope, start, end, parts).items():
            into = out.setdefault(where, {})
            for key, counts in state.items():
                into[(metric_id, key)] = counts
    return out


def finish_all(state: State, metric_ids: Iterable[str] = PART_WISE) -> dict[str, Result]:
    """The Results of the part-wise metrics from their merged state (`compute_parts`)."""
    wanted = list(metric_ids)
    by_metric: dict[str, State] = {metric_id: {} for metric_id in wanted}
    for (metric_id, key), counts in state.items():
        if metric_id in by_metric:
            by_metric[metric_id][key] = counts
    return {m: cast(Callable, METRICS[m].finish)(by_metric[m]) for m in wanted}


def compute_all(
    sites: Site | Iterable[Site],
    start: dt.date,
    end: dt.date,
    metric_ids: Iterable[str] | None = None,
) -> dict[str, Result]:
    """Every metric of the registry (or those named) for the sites over [start, end]."""
    scope = sites_of(sites)
    wanted = [m.id for m in REGISTRY] if metric_ids is None else list(metric_ids)
    part_wise = [m for m in wanted if METRICS[m].parts is not None]
    results = finish_all(merge(compute_parts(scope, start, end, part_wise).values()), part_wise)
    for metric_id in wanted:
        if metric_id not in results:
            results[metric_id] = METRICS[metric_id].selector(scope, start, end)
    return {metric_id: results[metric_id] for metric_id in wanted}
