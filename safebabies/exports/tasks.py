"""Celery tasks of the nightly export: they take ids, re-read state and call the services."""

from celery import shared_task

from safebabies.exports import services

MAX_RETRIES = 3


def backoff(retries: int) -> int:
    """Seconds before the next try: 60, 120, 240, ... capped at 30 minutes."""
    return min(60 * 2**retries, 1800)


@shared_task
def schedule_nightly_exports() -> int:
    """The frequent beat entry: exports each site past 02:00 local time, then purges old ones."""
    created = services.export_runs_schedule_due()
    services.exports_purge()
    return len(created)


@shared_task(bind=True, max_retries=MAX_RETRIES)
def run_export(self, run_id: int) -> None:
    try:
        services.export_run_execute(run_id=run_id)
    except services.TRANSIENT_ERRORS as exc:
        if self.request.retries >= self.max_retries:
            services.export_run_fail(run_id=run_id, error=exc)
            return
        raise self.retry(exc=exc, countdown=backoff(self.request.retries)) from exc
