"""The nightly data-package exports of each site (DATA_PACKAGE.md), one row per site and day."""

from django.db import models


class ExportRun(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        RUNNING = "running", "Running"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    site = models.ForeignKey("teams.Site", on_delete=models.PROTECT, related_name="export_runs")
    as_of = models.DateField()
    deidentified = models.BooleanField(default=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    file_name = models.CharField(max_length=200, blank=True)
    rows = models.PositiveIntegerField(null=True, blank=True)
    size_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True, help_text="Of the zip file.")
    error = models.CharField(max_length=300, blank=True, help_text="The kind of error, no data.")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-as_of", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "as_of", "deidentified"], name="export_run_one_per_site_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site_id} {self.as_of} {self.status}"
