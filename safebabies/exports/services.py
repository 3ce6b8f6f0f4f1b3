"""The nightly export: scheduling per site time zone, running, retention, alerting on failure.

Claims are conditional updates (`UPDATE ... WHERE status = 'pending'`) checked by row count, and
one `ExportRun` per site, day and kind (a unique constraint), so the frequent beat entry and two
workers at once never export a site twice for the same day.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from functools import partial
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone

from cases.package.exporter import export_package, package_name
from safebabies.exports.models import ExportRun
from safebabies.identity.models import Site

log = logging.getLogger(__name__)

# Errors worth trying again after a pause: a full or unavailable disk, a lost database link.
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (OSError, OperationalError)


def export_folder(site: Site) -> Path:
    return Path(settings.EXPORT_DIR) / site.slug


def export_file(run: ExportRun) -> Path:
    return export_folder(run.site) / run.file_name


def _export_time() -> dt.time:
    hours, minutes = settings.EXPORT_LOCAL_TIME.split(":")
    return dt.time(int(hours), int(minutes))


def export_runs_schedule_due(*, now: dt.datetime | None = None) -> list[ExportRun]:
    """Create (and queue) the de-identified export of every site whose local time has passed
    EXPORT_LOCAL_TIME today and that has no export for today yet. Safe to call every few
    minutes, from several processes at once."""
    from safebabies.exports import tasks

    now = now or timezone.now()
    created = []
    for site in Site.objects.order_by("pk"):
        local = now.astimezone(site.tz)
        if local.time() < _export_time():
            continue
        try:
            with transaction.atomic():
                run, is_new = ExportRun.objects.get_or_create(
                    site=site, as_of=local.date(), deidentified=True
                )
        except IntegrityError:  # another process created it between the get and the create
            continue
        if is_new:
            created.append(run)
            transaction.on_commit(partial(tasks.run_export.delay, run.pk))
    _requeue_lost_runs(now)
    return created


# A run still waiting this long after it was created lost its task message (a broker restart);
# one still running this long lost its worker. Either is queued again; the claim keeps it single.
LOST_WAITING = dt.timedelta(hours=1)
LOST_RUNNING = dt.timedelta(hours=6)


def _requeue_lost_runs(now: dt.datetime) -> list[int]:
    from safebabies.exports import tasks

    recent = (now - dt.timedelta(days=2)).date()
    ExportRun.objects.filter(
        status=ExportRun.Status.RUNNING, as_of__gte=recent, created_at__lt=now - LOST_RUNNING
    ).update(status=ExportRun.Status.PENDING)
    lost = list(
        ExportRun.objects.filter(
            status=ExportRun.Status.PENDING, as_of__gte=recent, created_at__lt=now - LOST_WAITING
        ).values_list("pk", flat=True)
    )
    for pk in lost:
        transaction.on_commit(partial(tasks.run_export.delay, pk))
    return lost


def export_run_execute(*, run_id: int) -> ExportRun | None:
    """Claim a waiting run and write its package; None when someone else holds it.

    A transient error puts the run back to waiting and is raised again (the task retries)."""
    claimed = ExportRun.objects.filter(pk=run_id, status=ExportRun.Status.PENDING).update(
        status=ExportRun.Status.RUNNING, attempts=F("attempts") + 1
    )
    if not claimed:
        return None
    run = ExportRun.objects.select_related("site").get(pk=run_id)
    try:
        result = export_package(
            site=run.site,
            out_dir=export_folder(run.site),
            as_of=run.as_of,
            deidentified=run.deidentified,
        )
    except TRANSIENT_ERRORS as exc:
        ExportRun.objects.filter(pk=run_id).update(
            status=ExportRun.Status.PENDING, error=type(exc).__name__
        )
        raise
    run.status = ExportRun.Status.DONE
    run.file_name = result.path.name
    run.rows = result.rows
    run.size_bytes = result.path.stat().st_size
    run.sha256 = _sha256(result.path)
    run.error = ""
    run.finished_at = timezone.now()
    run.save()
    return run


def export_run_fail(*, run_id: int, error: BaseException) -> ExportRun:
    """Give up on a run after its retries and tell the site admins."""
    from safebabies.notify.services import notify_site_admins

    run = ExportRun.objects.select_related("site").get(pk=run_id)
    run.status = ExportRun.Status.FAILED
    run.error = type(error).__name__
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "error", "finished_at"])
    log.error("export of site %s for %s failed: %r", run.site.slug, run.as_of, error)
    notify_site_admins(
        site=run.site,
        kind="export_failed",
        occasion=f"{run.as_of.isoformat()}:{run.pk}",
        context={"as_of": run.as_of, "error": run.error, "site_name": run.site.name},
        link="/exports/",
    )
    return run


def exports_purge(*, today: dt.date | None = None) -> int:
    """Delete exports (files and rows) older than EXPORT_RETENTION_DAYS; returns how many."""
    today = today or timezone.now().date()
    cutoff = today - dt.timedelta(days=settings.EXPORT_RETENTION_DAYS)
    old = list(ExportRun.objects.filter(as_of__lt=cutoff).select_related("site"))
    for run in old:
        if run.file_name:
            export_file(run).unlink(missing_ok=True)
    ExportRun.objects.filter(pk__in=[r.pk for r in old]).delete()
    return len(old)


def expected_file_name(run: ExportRun) -> str:
    return package_name(run.site, run.as_of)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
