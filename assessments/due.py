"""What screening or referral is due for a child, and the rule that made it due.

Pure functions over records already loaded: the case page, the pre-hearing summary and the
coordinator's alerts all call `screenings_due` with the child's rows, so the rules live in one
place and cost no query of their own.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from safebabies import codes
from safebabies.lib.dates import add_months

DEVELOPMENTAL = {codes.Instrument.ASQ3, codes.Instrument.ASQSE2}
# Removal reasons that make a child under 3 "maltreated" for CAPTA / IDEA Part C (METRICS.md).
MALTREATMENT_REASONS = {
    codes.RemovalReason.PHYSICAL_ABUSE,
    codes.RemovalReason.SEXUAL_ABUSE,
    codes.RemovalReason.NEGLECT,
    codes.RemovalReason.ABANDONMENT,
    codes.RemovalReason.PRENATAL_SUBSTANCE_EXPOSURE,
}
# Ages (months) at which a developmental screening is due (AAP periodicity: 9, 18, 30 months),
# and at which autism screening (M-CHAT) is due (18 and 24 months).
DEVELOPMENTAL_AGES = (9, 18, 30)
MCHAT_AGES = (18, 24)
RESCREEN_MONTHS = 6  # while in care, re-screen development at least every six months
DEVELOPMENTAL_MAX_MONTHS = 60  # ASQ-3 / ASQ:SE-2 cover children up to five
# An age screening missed stays on the list (overdue) this many months after the age.
AGE_GRACE_MONTHS = 6
DEVELOPMENTAL_WHAT = "Developmental screening (ASQ-3 or ASQ:SE-2)"


@dataclass(frozen=True)
class Due:
    """One screening or referral that is due: what, by when, and why."""

    what: str
    due_on: dt.date
    rule: str
    overdue: bool


def _done_between(dates: Iterable[dt.date], start: dt.date, end: dt.date | None = None) -> bool:
    return any(start <= day and (end is None or day <= end) for day in dates)


def screenings_due(
    *,
    birth_date: dt.date,
    removal_date: dt.date | None,
    removal_reasons: Iterable[str],
    screenings: Iterable[tuple[str, dt.date]],
    early_intervention_referrals: Iterable[dt.date],
    today: dt.date,
) -> list[Due]:
    """Due and overdue items for one child, soonest first.

    `removal_date` is the start of the child's current episode in care (None when the child is
    not in care); `screenings` are `(instrument, screened_on)` of the child's screenings;
    `early_intervention_referrals` the referral dates of the child's early-intervention services.
    """
    by_instrument: dict[str, list[dt.date]] = {}
    for instrument, day in screenings:
        by_instrument.setdefault(instrument, []).append(day)
    developmental = sorted(
        day for instrument in DEVELOPMENTAL for day in by_instrument.get(instrument, [])
    )
    due: list[Due] = []

    def add(what: str, due_on: dt.date, rule: str) -> None:
        due.append(Due(what=what, due_on=due_on, rule=rule, overdue=today > due_on))

    developmental_candidates: list[Due] = []

    def developmental_due(due_on: dt.date, rule: str) -> None:
        developmental_candidates.append(
            Due(what=DEVELOPMENTAL_WHAT, due_on=due_on, rule=rule, overdue=today > due_on)
        )

    under_five = add_months(birth_date, DEVELOPMENTAL_MAX_MONTHS) > today
    if removal_date is not None:
        if not _done_between(by_instrument.get(codes.Instrument.HEALTH_INITIAL, []), removal_date):
            add(
                "Initial health screening",
                removal_date + dt.timedelta(days=3),
                "Within 72 hours of removal",
            )
        if not _done_between(
            by_instrument.get(codes.Instrument.HEALTH_COMPREHENSIVE, []), removal_date
        ):
            add(
                "Comprehensive health assessment",
                removal_date + dt.timedelta(days=30),
                "Within 30 days of removal",
            )
        if under_five and not _done_between(developmental, removal_date):
            developmental_due(removal_date + dt.timedelta(days=30), "Within 30 days of removal")
        elif under_five:
            developmental_due(
                add_months(developmental[-1], RESCREEN_MONTHS),
                f"Every {RESCREEN_MONTHS} months while in care",
            )
        if (
            set(removal_reasons) & MALTREATMENT_REASONS
            and add_months(birth_date, 36) > removal_date
            and not _done_between(early_intervention_referrals, removal_date)
        ):
            add(
                "Early intervention referral (IDEA Part C)",
                removal_date + dt.timedelta(days=7),
                "Within 7 days of removal for a maltreated child under 3 (CAPTA)",
            )

    for months in DEVELOPMENTAL_AGES:
        on = add_months(birth_date, months)
        # Due from the month before the age; satisfied by a screening from then on.
        window = add_months(birth_date, months - 1)
        if window <= today < add_months(on, AGE_GRACE_MONTHS) and not _done_between(
            developmental, window
        ):
            developmental_due(on, f"At {months} months of age")
    if developmental_candidates:
        # One developmental item: the rule that makes it due soonest.
        due.append(min(developmental_candidates, key=lambda d: d.due_on))
    for months in MCHAT_AGES:
        on = add_months(birth_date, months)
        window = add_months(birth_date, months - 1)
        mchat = by_instrument.get(codes.Instrument.MCHAT, [])
        if window <= today < add_months(on, AGE_GRACE_MONTHS) and not _done_between(mchat, window):
            add("Autism screening (M-CHAT)", on, f"At {months} months of age")
    return sorted(due, key=lambda d: (d.due_on, d.what))
