"""The published figures METRICS.md gives, loaded as data (METRICS.md "Reference values").

A new CFSR round or a newer published figure is a new row with a later effective date (a new
data migration or the admin), never an edit of these rows.

Effective dates: CFSR Round 4 national performance is in force from the start of Round 4
(2022-01-01); JBA's evaluation from 2009-01-01 (its year); the NJ Safe Babies figure covers cases
closed July–December 2024, so it is in force from 2025-01-01; the Safe Babies "9–10 months"
median carries no date in METRICS.md and is in force from 2020-01-01 (the year of the national
Safe Babies evaluations it summarises).
"""

import datetime as dt
from decimal import Decimal

from django.db import migrations

CFSR_R4 = dt.date(2022, 1, 1)

REFERENCES = [
    # (indicator, value, source, effective_date)
    (
        "permanency_12m_entries",
        "0.352",
        "CFSR Round 4 national performance, permanency in 12 months for children entering care (P1): 35.2%",
        CFSR_R4,
    ),
    (
        "permanency_12m_in_care_12_23",
        "0.438",
        "CFSR Round 4 national performance, permanency in 12 months for children in care 12-23 months (P2): 43.8%",
        CFSR_R4,
    ),
    (
        "permanency_12m_in_care_24_plus",
        "0.373",
        "CFSR Round 4 national performance, permanency in 12 months for children in care 24 months or more (P3): 37.3%",
        CFSR_R4,
    ),
    (
        "reentry_12m",
        "0.056",
        "CFSR Round 4 national performance, re-entry to foster care in 12 months (P4): 5.6%",
        CFSR_R4,
    ),
    (
        "placement_moves_per_1000_days",
        "4.48",
        "CFSR Round 4 national performance, placement stability: 4.48 moves per 1,000 days in care",
        CFSR_R4,
    ),
    (
        "maltreatment_recurrence_12m",
        "0.097",
        "CFSR Round 4 national performance, recurrence of maltreatment within 12 months: 9.7%",
        CFSR_R4,
    ),
    (
        "median_days_to_permanency",
        "289",
        "Safe Babies (ZERO TO THREE): median 9-10 months to reunification; stored as 289 days = 9.5 months",
        dt.date(2020, 1, 1),
    ),
    (
        "average_placements_closed",
        "1.3",
        "NJ Safe Babies Court Team: average 1.3 placements per child in cases closed July-December 2024",
        dt.date(2025, 1, 1),
    ),
    (
        "exits_by_reason",
        "0.465",
        "JBA 2009 Safe Babies Court Teams evaluation: reunification share 46.5% of 88 closed cases",
        dt.date(2009, 1, 1),
    ),
]


def load(apps, schema_editor):
    ReferenceValue = apps.get_model("cqi", "ReferenceValue")
    for indicator, value, source, effective_date in REFERENCES:
        ReferenceValue.objects.update_or_create(
            indicator=indicator,
            source=source,
            effective_date=effective_date,
            defaults={"value": Decimal(value)},
        )


def unload(apps, schema_editor):
    ReferenceValue = apps.get_model("cqi", "ReferenceValue")
    for indicator, _value, source, effective_date in REFERENCES:
        ReferenceValue.objects.filter(
            indicator=indicator, source=source, effective_date=effective_date
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("cqi", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
