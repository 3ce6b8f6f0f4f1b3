"""Every CQI metric of METRICS.md, computed in PostgreSQL.

One selector per metric id: `selector(sites, start, end) -> Result`. `sites` is one Site, or
several (national figures are computed over the union of their records, never averaged); the
period is `[start, end]`, both inclusive.

Every result is `{"value", "numerator", "denominator", "n"}`:

- shares: `value = numerator / denominator` as a fraction 0..1; `n` is null;
- `placement_moves_per_1000_days`: numerator = moves, denominator = days in care,
  `value = 1000 * moves / days`;
- `family_time_held_per_week`: numerator = held visits, denominator = days in care,
  `value = 7 * visits / days` (visits per week);
- `average_placements_closed`: numerator = counted placements, denominator = closed episodes;
- medians (in days): `n` = the episodes the median is taken over, `denominator` = every episode
  of the cohort (the difference has not reached the event yet), `numerator` is null;
- `exits_by_reason`: value `{"<reason>": {"count", "share"}}`, denominator = all discharges,
  numerator null;
- `coordinator_caseload`: value `[{"coordinator", "site", "open_cases", "cap", "over_cap"}]`,
  numerator = coordinators over the cap, denominator = coordinators.

`value` is null whenever the denominator (or `n`, for a median) is 0.

Conventions shared by the definitions (METRICS.md "Conventions"), in SQL:

- An episode counts only if the child was under 18 on the removal date.
- LOS = discharge - removal, or `end` (the period end) - removal while the episode is open: an
  episode still open at the period end and removed fewer than 8 days before it is a short stay.
  A recorded discharge is a fact whatever its date (it may fall after the period end, which is
  what "within 12 months of removal" needs).
- "Within 12 months of D" is `D + interval '12 months'`, which clamps like
  `safebabies.lib.dates.add_months` (2024-02-29 + 12 months = 2025-02-28).
- Days in care inside the period: `[max(removal, start), min(discharge, end + 1))`.

The package, one module per concern:

- `engine`: states and parts (`merge`, the part-wise rows), running a query, the `shared()`
  block whose queries read the sites' episodes from one temporary table, the Results;
- `sql`: the SQL fragments the definitions share (episodes, first entries, LOS, days in care,
  case-months, months, median histograms, latest placement) and the code sets;
- one module per family of metrics: `permanency` (P1-P3, the medians to permanency, exits),
  `stability` (placement moves, average placements), `reentry` (re-entry, maltreatment
  recurrence), `case_months` (the case-month rates' series), `ftms`, `hearings`,
  `family_time`, `screenings_services` (screening, early intervention, services), `caseloads`;
- `registry`: each metric's id, label, unit and direction, and `compute_all`.

Each definition is written once: the trends and the drill-downs (`cqi.breakdowns`) and the
family-time page (`familytime.selectors`) read the same builders and fragments.
"""

from cqi.metrics.caseloads import coordinator_caseload, coordinator_loads_parts, finish_caseload
from cqi.metrics.engine import Parts, Result, State, merge, shared
from cqi.metrics.registry import (
    METRIC_IDS,
    METRICS,
    PART_WISE,
    REGISTRY,
    Metric,
    average_placements_closed,
    compute_all,
    compute_parts,
    developmental_screening_within_30_days,
    early_intervention_referral_within_7_days,
    exits_by_reason,
    family_time_held_per_week,
    family_time_share_2plus_per_week,
    family_time_share_3plus_per_week,
    finish_all,
    ftm_action_item_completion,
    ftm_monthly_rate,
    hearing_monthly_rate,
    maltreatment_recurrence_12m,
    median_days_to_first_family_time,
    median_days_to_permanency,
    median_days_to_permanency_survival,
    permanency_12m_entries,
    permanency_12m_in_care_12_23,
    permanency_12m_in_care_24_plus,
    placement_moves_per_1000_days,
    reentry_12m,
    services_started_within_60_days,
)
from cqi.metrics.sql import EPISODES_SELECT

__all__ = [
    "EPISODES_SELECT",
    "METRICS",
    "METRIC_IDS",
    "PART_WISE",
    "REGISTRY",
    "Metric",
    "Parts",
    "Result",
    "State",
    "average_placements_closed",
    "compute_all",
    "compute_parts",
    "coordinator_caseload",
    "coordinator_loads_parts",
    "developmental_screening_within_30_days",
    "early_intervention_referral_within_7_days",
    "exits_by_reason",
    "family_time_held_per_week",
    "family_time_share_2plus_per_week",
    "family_time_share_3plus_per_week",
    "finish_all",
    "finish_caseload",
    "ftm_action_item_completion",
    "ftm_monthly_rate",
    "hearing_monthly_rate",
    "maltreatment_recurrence_12m",
    "median_days_to_first_family_time",
    "median_days_to_permanency",
    "median_days_to_permanency_survival",
    "merge",
    "permanency_12m_entries",
    "permanency_12m_in_care_12_23",
    "permanency_12m_in_care_24_plus",
    "placement_moves_per_1000_days",
    "reentry_12m",
    "services_started_within_60_days",
    "shared",
]
