"""Court hearings: the share of case-months with a held hearing (`cqi.metrics.case_months`)."""

from __future__ import annotations

import datetime as dt

from cqi.metrics.case_months import case_month_rate_parts
from cqi.metrics.engine import Parts
from safebabies import codes

# The events of the hearing case-month rate: (table, the status that counts). Continued and
# cancelled hearings do not count.
HELD_HEARINGS = ("cases_hearing", str(codes.HearingStatus.HELD))


def hearing_monthly_rate_parts(sites, start: dt.date, end: dt.date, parts=None) -> Parts:
    """Case-months with at least one held court hearing ÷ all case-months (continued and
    cancelled hearings do not count)."""
    return case_month_rate_parts(sites, start, end, parts, *HELD_HEARINGS)
