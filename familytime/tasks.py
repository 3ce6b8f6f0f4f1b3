"""Family-time background work (thin: the work is in `familytime.services`)."""

from celery import shared_task

from familytime.services import family_time_schedules_extend


@shared_task(name="familytime.extend_schedules")
def extend_schedules() -> int:
    """Nightly: every open family's plan keeps its visits on the calendar weeks ahead."""
    return family_time_schedules_extend()
