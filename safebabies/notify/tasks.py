"""Celery tasks of reminders: they re-read state and call the services."""

import datetime as dt

from celery import shared_task

from safebabies.notify import services


@shared_task
def send_reminders_task(now: str | None = None) -> dict[str, int]:
    """The beat entry (every 5 minutes). `now` is an ISO-8601 moment (JSON), for tests."""
    moment = dt.datetime.fromisoformat(now) if now else None
    return dict(services.send_reminders(now=moment))


@shared_task
def retention_review_task(today: str | None = None) -> int:
    """The beat entry (daily): closed cases past their site's retention period, to the site's
    admins (once a week each). `today` is an ISO date (JSON), for tests."""
    return services.retention_review(today=dt.date.fromisoformat(today) if today else None)
