"""Celery tasks of reminders: they re-read state and call the services."""

import datetime as dt

from celery import shared_task

from safebabies.notify import services


@shared_task
def send_reminders_task(now: str | None = None) -> dict[str, int]:
    """The beat entry (every 5 minutes). `now` is an ISO-8601 moment (JSON), for tests."""
    moment = dt.datetime.fromisoformat(now) if now else None
    return dict(services.send_reminders(now=moment))
