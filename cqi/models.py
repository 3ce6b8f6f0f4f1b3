"""CQI data that is not computed: the published reference values (METRICS.md "Reference values").

The metrics themselves are computed on demand from the case records (`cqi.metrics`); only the
national and published figures they are read beside are stored, as versioned rows, so that a new
CFSR round is a data change, not a code change.
"""

from django.db import models

from cqi.practice_matrix import ELEMENT_CHOICES, Level


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


class PracticeScore(models.Model):
    """A site's self-assessment on one element of the collaborative practice progress matrix
    (seed 004) on one date. Re-scoring adds rows; history is never overwritten."""

    site = models.ForeignKey("teams.Site", on_delete=models.PROTECT, related_name="practice_scores")
    element = models.CharField(max_length=40, choices=ELEMENT_CHOICES)
    level = models.CharField(max_length=16, choices=Level.choices)
    scored_on = models.DateField()
    notes = models.TextField(blank=True)
    scored_by = models.ForeignKey(
        "teams.User", on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["site", "-scored_on", "element"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "element", "scored_on"], name="practice_score_once_a_day"
            ),
        ]
        indexes = [models.Index(fields=["site", "-scored_on"])]

    def __str__(self) -> str:
        return f"{self.element}: {self.level} ({self.scored_on:%Y-%m-%d})"


class DataStamp(models.Model):
    """A site's data generation, changed by database triggers whenever any record a CQI figure
    reads is written (`cqi.stamps`). The CQI cache keys figures by it. Never written by the
    application itself except through `cqi.stamps`."""

    site_id = models.BigIntegerField(primary_key=True)
    generation = models.BigIntegerField()
    changed_at = models.DateTimeField()

    class Meta:
        db_table = "cqi_datastamp"

    def __str__(self) -> str:
        return f"site {self.site_id}: generation {self.generation}"


class PartStamp(models.Model):
    """The generation of one part of a site's records (the cases whose `cqi_part`, from the
    md5 of their id, is `part`: `cqi.stamps`), changed by the same triggers. Figures that add
    up over cases are cached part by part, keyed by it."""

    pk = models.CompositePrimaryKey("site_id", "part")
    site_id = models.BigIntegerField()
    part = models.IntegerField()
    generation = models.BigIntegerField()

    class Meta:
        db_table = "cqi_partstamp"

    def __str__(self) -> str:
        return f"site {self.site_id} part {self.part}: generation {self.generation}"
