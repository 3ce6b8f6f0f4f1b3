"""A reminder through the real stack: a Celery worker on the real Redis (db 9) runs the task,
which sends the FTM reminder to a real SMTP server (aiosmtpd on loopback) with its `.ics`."""

import datetime as dt
import email
import email.policy
import os
import socket
import time

import pytest
from aiosmtpd.controller import Controller
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.db import connections

from safebabies.celery import app
from safebabies.notify.tasks import send_reminders_task
from teams.models import Ftm

BROKER = os.environ.get("CELERY_TEST_BROKER_URL", "redis://127.0.0.1:6379/9")
MONDAY_10AM = dt.datetime(2026, 11, 23, 16, 0, tzinfo=dt.UTC)  # 10:00 in Chicago


class Inbox:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
        }
    }
    yield inbox
    controller.stop()


def _use_broker(url: str) -> None:
    """Point the app at `url`, dropping connections pooled for another broker."""
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None


def _close_connections(**kwargs):
    connections.close_all()  # in the worker's thread: leave no session on the test database


@pytest.fixture
def worker():
    previous = app.conf.broker_url
    _use_broker(BROKER)
    task_postrun.connect(_close_connections, weak=False)
    with app.connection_for_write() as conn:
        conn.default_channel.client.flushdb()  # only db 9: this test's own broker database
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        yield
    task_postrun.disconnect(_close_connections)
    _use_broker(previous)


@pytest.mark.django_db(transaction=True)
def test_an_ftm_reminder_goes_through_the_broker_to_a_real_smtp_server(family, smtp, worker):
    ftm = Ftm.objects.create(case=family, scheduled_on=dt.date(2026, 11, 24), starts_at=dt.time(10))
    parent = family.test_parent
    parent.email = "dorothy@example.net"
    parent.save()
    expected = sorted([*(m.user.email for m in family.team_members.all()), parent.email])

    send_reminders_task.delay(MONDAY_10AM.isoformat())

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        reminders = [
            e for e in smtp.envelopes if b"Family Team Meeting tomorrow" in e.original_content
        ]
        if len(reminders) >= len(expected):
            break
        time.sleep(0.2)
    assert sorted(r for e in reminders for r in e.rcpt_tos) == expected
    message = email.message_from_bytes(reminders[0].original_content, policy=email.policy.default)
    (invite,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert f"UID:ftm-{ftm.pk}@safebabies" in invite.get_content()
