"""The service funnel (issue 22 item 3, seed 004 "drop-off analysis"): per service type, the
services referred in a period, how many of them started and how many were completed, with the
drop-off between the steps.

A cohort: the services *referred* in the period (`referred_on` inside it), each followed to
what it is now: started (a start date recorded) and completed (status `completed`). Counts
only, never a family.

For aggregate-only viewers (Site Implementation Team, national staff, parent leaders) the
small-cell rule of `cqi.suppression` holds: a service type whose referred, started or completed
count, or either drop-off, is 1 to 4 shows none of its numbers (they are tied to one another by
subtraction: the small ones read "fewer than 5", the others "hidden"), and the totals are
hidden whenever a row is (a total minus the rows shown would give the hidden row back).
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q

from assessments.models import Service
from cqi.suppression import COMPLEMENT, PRIMARY, Hidden, is_small
from safebabies import codes
from safebabies.identity.models import Site

Cell = int | Hidden


@dataclass
class FunnelRow:
    label: str
    referred: Cell
    started: Cell
    completed: Cell
    not_started: Cell  # the drop-off between referral and start
    not_completed: Cell  # started, not completed (still under way, or ended otherwise)

    @property
    def started_percent(self) -> int | None:
        return _percent(self.started, self.referred)

    @property
    def completed_percent(self) -> int | None:
        return _percent(self.completed, self.started)


def _percent(part: Cell, whole: Cell) -> int | None:
    if isinstance(part, Hidden) or isinstance(whole, Hidden) or not whole:
        return None
    return round(100 * part / whole)


@dataclass
class Funnel:
    rows: list[FunnelRow]
    total: FunnelRow


def funnel_counts(
    sites: Iterable[Site], start: dt.date, end: dt.date
) -> list[tuple[str, int, int, int]]:
    """[(service_type, referred, started, completed)] of the services referred between `start`
    and `end` at `sites`, one query, every type with a referral."""
    rows = (
        Service.objects.filter(
            case__site__in=list(sites), referred_on__gte=start, referred_on__lte=end
        )
        .values("service_type")
        .annotate(
            referred=Count("id"),
            started=Count("id", filter=Q(started_on__isnull=False)),
            completed=Count("id", filter=Q(status=codes.ServiceStatus.COMPLETED)),
        )
        .order_by("service_type")
    )
    return [(r["service_type"], r["referred"], r["started"], r["completed"]) for r in rows]


def service_funnel(
    sites: Iterable[Site], start: dt.date, end: dt.date, *, aggregate_only: bool
) -> Funnel:
    labels = dict(codes.ServiceType.choices)
    counts = funnel_counts(sites, start, end)
    rows: list[FunnelRow] = []
    any_hidden = False
    for service_type, referred, started, completed in counts:
        numbers = [referred, started, completed, referred - started, started - completed]
        if aggregate_only and any(is_small(n) for n in numbers):
            any_hidden = True
            # a small count reads "fewer than 5"; the others of the row are hidden with it
            cells = [Hidden(PRIMARY if is_small(n) else COMPLEMENT) for n in numbers]
            rows.append(FunnelRow(str(labels.get(service_type, service_type)), *cells))
        else:
            rows.append(FunnelRow(str(labels.get(service_type, service_type)), *numbers))
    referred = sum(c[1] for c in counts)
    started = sum(c[2] for c in counts)
    completed = sum(c[3] for c in counts)
    totals = [referred, started, completed, referred - started, started - completed]
    if aggregate_only and (any_hidden or any(is_small(n) for n in totals)):
        reason = COMPLEMENT if any_hidden else PRIMARY
        total = FunnelRow("All services", *[Hidden(reason)] * 5)
    else:
        total = FunnelRow("All services", *totals)
    return Funnel(rows=rows, total=total)
