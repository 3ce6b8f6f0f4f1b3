"""Background work is split by kind into Celery queues (README "Scaling"), so that a long export
or a CQI warm-up never holds up a reminder: each task goes to its queue, a worker started
without -Q takes every queue, `make run`'s worker takes them all, and docker-compose.yml's
reminders worker takes neither exports nor CQI work."""

import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from safebabies.celery import app

ROOT = Path(__file__).resolve().parent.parent
QUEUES = {"reminders", "exports", "cqi", "default"}

EXPECTED = {
    "safebabies.notify.tasks.send_reminders_task": "reminders",
    "safebabies.exports.tasks.schedule_nightly_exports": "exports",
    "safebabies.exports.tasks.run_export": "exports",
    "cqi.tasks.warm_dashboards": "cqi",
    "familytime.extend_schedules": "default",
    "cases.compact_counts": "default",
    "safebabies.notify.tasks.retention_review_task": "default",
}


def our_tasks() -> set[str]:
    app.loader.import_default_modules()  # autodiscovery, as a worker does at start
    return {name for name in app.tasks if not name.startswith("celery.")}


def queue_of(name: str, **options) -> str:
    """The queue `apply_async` (and beat) would publish the task to."""
    return app.amqp.router.route(options, name, (), {})["queue"].name


@pytest.mark.parametrize(("task", "queue"), sorted(EXPECTED.items()))
def test_each_task_is_sent_to_the_queue_of_its_kind(task, queue):
    assert task in our_tasks()
    assert queue_of(task) == queue


def test_every_task_of_the_project_has_a_known_queue():
    assert our_tasks() == set(EXPECTED), "a new task: add it to EXPECTED with its queue"
    assert {queue_of(name) for name in our_tasks()} <= QUEUES


def test_the_routes_name_only_tasks_that_exist():
    assert set(settings.CELERY_TASK_ROUTES) <= our_tasks()


def test_the_beat_entries_go_to_their_queues():
    routed = {
        entry["task"]: queue_of(entry["task"], **entry.get("options", {}))
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    assert routed["safebabies.notify.tasks.send_reminders_task"] == "reminders"
    assert routed["safebabies.exports.tasks.schedule_nightly_exports"] == "exports"
    if "cqi.tasks.warm_dashboards" in routed:
        assert routed["cqi.tasks.warm_dashboards"] == "cqi"


def test_delay_publishes_a_reminder_and_an_export_to_their_queues(monkeypatch):
    """What `.delay()` hands to the broker (the message is captured, not sent)."""
    from safebabies.exports.tasks import run_export
    from safebabies.notify.tasks import send_reminders_task

    sent = []

    def capture(producer, name, message, **options):
        sent.append((name, options["queue"].name))

    monkeypatch.setattr(app.amqp, "send_task_message", capture)
    run_export.delay(1)
    send_reminders_task.delay()
    assert sent == [
        ("safebabies.exports.tasks.run_export", "exports"),
        ("safebabies.notify.tasks.send_reminders_task", "reminders"),
    ]


def test_a_worker_without_q_takes_every_queue():
    assert set(app.amqp.queues) == QUEUES
    assert app.conf.task_default_queue == "default"


def test_make_run_worker_takes_every_queue():
    makefile = (ROOT / "Makefile").read_text()
    queues = re.search(r"^CELERY_QUEUES := (.+)$", makefile, re.M)
    assert queues, "the Makefile names the queues of make run's worker"
    assert set(queues.group(1).strip().split(",")) == QUEUES
    assert "-Q $(CELERY_QUEUES)" in makefile


def _compose_workers() -> dict[str, set[str]]:
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    workers = {}
    for name, service in services.items():
        command = service.get("command") or []
        if command[:4] == ["celery", "-A", "safebabies", "worker"]:
            assert "-Q" in command, f"{name} names its queues"
            workers[name] = set(command[command.index("-Q") + 1].split(","))
    return workers


def test_compose_runs_a_worker_for_every_queue_and_reminders_wait_for_no_export():
    workers = _compose_workers()
    assert set().union(*workers.values()) == QUEUES
    for queues in workers.values():
        if "reminders" in queues:
            assert not queues & {"exports", "cqi"}


def test_compose_runs_two_web_containers_behind_one_port():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert services["web"]["deploy"]["replicas"] == 2
    assert "ports" not in services["web"]  # reached only through the proxy
    assert services["proxy"]["ports"] == ["8000:8000"]
