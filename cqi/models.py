"""CQI data that is not computed: the published reference values (METRICS.md "Reference values").

The metrics themselves are computed on demand from the case records (`cqi.metrics`); only the
national and published figures they are read beside are stored, as versioned rows, so that a new
CFSR round is a data change, not a code change.
"""

from django.db import models


class ReferenceValue(models.Model):
    """A published figure for one metric, in force from `effective_date` until a newer row.

    `value` is in the metric's own unit (a fraction 0..1 for shares, the rate for rates, days
    for medians; see `cqi.metrics.REGISTRY`).
    """

    indicator = models.CharField(max_length=64, help_text="The metric id (METRICS.md).")
    value = models.DecimalField(max_digits=12, decimal_places=4)
    source = models.CharField(max_length=300, help_text="Who published it, and what it covers.")
    effective_date = models.DateField(help_text="In force from this date until a newer row.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["indicator", "-effective_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "source", "effective_date"], name="reference_value_unique"
            ),
        ]
        indexes = [models.Index(fields=["indicator", "-effective_date"])]

    def __str__(self) -> str:
        return (
            f"{self.indicator} = {self.value} ({self.source}, from {self.effective_date:%Y-%m-%d})"
        )
