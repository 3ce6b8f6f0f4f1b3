"""The screening and referral rules of `assessments.due.screenings_due` (issue 4), edge days
included. Pure function: `today` is an argument, so time is fixed by construction."""

import datetime as dt

from assessments.due import screenings_due
from safebabies import codes

I = codes.Instrument  # noqa: E741
BORN = dt.date(2024, 11, 2)
REMOVED = dt.date(2026, 3, 2)  # at 16 months: the 9-month screening is long past


def due(
    *,
    today,
    birth_date=BORN,
    removal_date=REMOVED,
    reasons=(codes.RemovalReason.NEGLECT,),
    screenings=(),
    referrals=(),
):
    return screenings_due(
        birth_date=birth_date,
        removal_date=removal_date,
        removal_reasons=reasons,
        screenings=screenings,
        early_intervention_referrals=referrals,
        today=today,
    )


def by_what(items):
    return {item.what.split(" (")[0]: item for item in items}


def test_a_child_just_removed_has_health_development_and_early_intervention_due():
    items = by_what(due(today=REMOVED))
    assert items["Initial health screening"].due_on == REMOVED + dt.timedelta(days=3)
    assert items["Initial health screening"].rule == "Within 72 hours of removal"
    assert items["Comprehensive health assessment"].due_on == REMOVED + dt.timedelta(days=30)
    assert items["Developmental screening"].due_on == REMOVED + dt.timedelta(days=30)
    assert items["Developmental screening"].rule == "Within 30 days of removal"
    assert items["Early intervention referral"].due_on == REMOVED + dt.timedelta(days=7)
    assert "CAPTA" in items["Early intervention referral"].rule
    assert not any(item.overdue for item in items.values())


def test_items_come_soonest_first():
    items = due(today=REMOVED)
    assert [i.due_on for i in items] == sorted(i.due_on for i in items)


def test_initial_health_screening_is_overdue_the_day_after_72_hours():
    on_time = by_what(due(today=REMOVED + dt.timedelta(days=3)))
    late = by_what(due(today=REMOVED + dt.timedelta(days=4)))
    assert not on_time["Initial health screening"].overdue
    assert late["Initial health screening"].overdue


def test_developmental_screening_is_overdue_from_day_31_after_removal():
    day_30 = by_what(due(today=REMOVED + dt.timedelta(days=30)))
    day_31 = by_what(due(today=REMOVED + dt.timedelta(days=31)))
    assert not day_30["Developmental screening"].overdue
    assert day_31["Developmental screening"].overdue


def test_early_intervention_referral_is_overdue_from_day_8():
    day_7 = by_what(due(today=REMOVED + dt.timedelta(days=7)))
    day_8 = by_what(due(today=REMOVED + dt.timedelta(days=8)))
    assert not day_7["Early intervention referral"].overdue
    assert day_8["Early intervention referral"].overdue


def test_a_referral_on_removal_day_satisfies_early_intervention_but_one_before_does_not():
    assert "Early intervention referral" not in by_what(
        due(today=REMOVED + dt.timedelta(days=10), referrals=[REMOVED])
    )
    assert "Early intervention referral" in by_what(
        due(today=REMOVED + dt.timedelta(days=10), referrals=[REMOVED - dt.timedelta(days=1)])
    )


def test_early_intervention_needs_a_maltreatment_reason():
    items = by_what(due(today=REMOVED, reasons=[codes.RemovalReason.PARENT_DRUGS]))
    assert "Early intervention referral" not in items
    items = by_what(due(today=REMOVED, reasons=[codes.RemovalReason.PRENATAL_SUBSTANCE_EXPOSURE]))
    assert "Early intervention referral" in items


def test_early_intervention_is_for_a_child_under_three_at_removal():
    born = dt.date(2023, 3, 2)
    on_third_birthday = by_what(due(today=REMOVED, birth_date=born, removal_date=REMOVED))
    day_before = by_what(
        due(
            today=REMOVED,
            birth_date=born,
            removal_date=REMOVED - dt.timedelta(days=1),
        )
    )
    assert "Early intervention referral" not in on_third_birthday
    assert "Early intervention referral" in day_before


def test_screenings_after_removal_clear_their_items():
    screened = [
        (I.HEALTH_INITIAL, REMOVED + dt.timedelta(days=1)),
        (I.HEALTH_COMPREHENSIVE, REMOVED + dt.timedelta(days=20)),
        (I.ASQSE2, REMOVED + dt.timedelta(days=10)),
    ]
    items = by_what(
        due(today=REMOVED + dt.timedelta(days=25), screenings=screened, referrals=[REMOVED])
    )
    assert "Initial health screening" not in items
    assert "Comprehensive health assessment" not in items
    # the developmental screening is now due again six months after the last one
    assert items["Developmental screening"].due_on == dt.date(2026, 9, 12)
    assert items["Developmental screening"].rule == "Every 6 months while in care"


def test_a_screening_before_removal_does_not_count_for_the_30_day_rule():
    items = by_what(
        due(
            today=REMOVED + dt.timedelta(days=5),
            screenings=[(I.ASQ3, REMOVED - dt.timedelta(days=1))],
        )
    )
    assert items["Developmental screening"].rule == "Within 30 days of removal"


def test_an_age_screening_that_comes_before_the_six_month_rescreen_wins():
    # Removed at 16 months, screened the next week; the 18-month screening comes first.
    born = dt.date(2024, 11, 10)
    removed = dt.date(2026, 3, 10)
    items = by_what(
        due(
            today=dt.date(2026, 4, 20),
            birth_date=born,
            removal_date=removed,
            screenings=[(I.ASQ3, dt.date(2026, 3, 17))],
        )
    )
    assert items["Developmental screening"].due_on == dt.date(2026, 5, 10)
    assert items["Developmental screening"].rule == "At 18 months of age"


def test_a_child_at_home_is_due_developmental_screening_by_age_only():
    born = dt.date(2025, 6, 1)
    before_window = due(today=dt.date(2026, 1, 31), birth_date=born, removal_date=None)
    in_window = by_what(due(today=dt.date(2026, 2, 1), birth_date=born, removal_date=None))
    assert before_window == []
    assert in_window["Developmental screening"].due_on == dt.date(2026, 3, 1)
    assert in_window["Developmental screening"].rule == "At 9 months of age"
    assert not in_window["Developmental screening"].overdue
    assert set(in_window) == {"Developmental screening"}


def test_an_age_screening_missed_stays_overdue_for_six_months_then_gives_way():
    born = dt.date(2025, 6, 1)
    late = by_what(due(today=dt.date(2026, 8, 31), birth_date=born, removal_date=None))
    assert late["Developmental screening"].overdue
    assert due(today=dt.date(2026, 9, 1), birth_date=born, removal_date=None) == []


def test_a_screening_in_the_month_before_the_age_counts():
    born = dt.date(2025, 6, 1)
    items = due(
        today=dt.date(2026, 3, 15),
        birth_date=born,
        removal_date=None,
        screenings=[(I.ASQ3, dt.date(2026, 2, 1))],
    )
    assert items == []


def test_mchat_is_due_at_18_and_24_months():
    born = dt.date(2024, 1, 15)
    at_18 = by_what(due(today=dt.date(2025, 7, 1), birth_date=born, removal_date=None))
    assert at_18["Autism screening"].due_on == dt.date(2025, 7, 15)
    assert at_18["Autism screening"].rule == "At 18 months of age"
    done = due(
        today=dt.date(2025, 7, 20),
        birth_date=born,
        removal_date=None,
        screenings=[(I.MCHAT, dt.date(2025, 7, 16)), (I.ASQ3, dt.date(2025, 7, 16))],
    )
    assert done == []
    at_24 = by_what(due(today=dt.date(2026, 2, 1), birth_date=born, removal_date=None))
    assert at_24["Autism screening"].due_on == dt.date(2026, 1, 15)
    assert at_24["Autism screening"].overdue


def test_no_developmental_screening_is_due_past_five():
    born = dt.date(2020, 1, 1)
    items = by_what(
        due(today=dt.date(2025, 2, 1), birth_date=born, removal_date=dt.date(2025, 1, 20))
    )
    assert "Developmental screening" not in items
    assert "Initial health screening" in items
    assert "Early intervention referral" not in items


def test_the_derrick_case_shows_what_the_team_still_owes():
    """Derrick, 26 months, removed three months ago for neglect; initial health and both
    developmental screenings done, referred to early intervention on day 5."""
    today = dt.date(2026, 11, 23)
    born = dt.date(2024, 8, 19)
    removed = dt.date(2026, 8, 23)
    items = by_what(
        due(
            today=today,
            birth_date=born,
            removal_date=removed,
            screenings=[
                (I.HEALTH_INITIAL, dt.date(2026, 8, 26)),
                (I.ASQ3, dt.date(2026, 9, 6)),
                (I.ASQSE2, dt.date(2026, 9, 6)),
            ],
            referrals=[dt.date(2026, 8, 28)],
        )
    )
    assert set(items) == {
        "Comprehensive health assessment",
        "Developmental screening",
        "Autism screening",
    }
    assert items["Comprehensive health assessment"].overdue
    assert items["Autism screening"].overdue
    assert items["Developmental screening"].due_on == dt.date(2027, 3, 6)
    assert not items["Developmental screening"].overdue
