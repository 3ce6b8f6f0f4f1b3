"""The nightly export: at 02:00 in each site's time zone, once per day, retried, kept N days,
listed for site admins with an audited download."""

import datetime as dt
import hashlib
import json
import zipfile

import pytest
import time_machine
from django.core import mail

from safebabies.audit.models import AuditEvent
from safebabies.exports import services, tasks
from safebabies.exports.models import ExportRun
from safebabies.notify.models import Notification

# The test sites are in America/Chicago: 02:00 there is 08:00 UTC in November.
BEFORE_TWO = dt.datetime(2026, 11, 23, 7, 55, tzinfo=dt.UTC)
AFTER_TWO = dt.datetime(2026, 11, 23, 8, 5, tzinfo=dt.UTC)


@pytest.fixture
def export_dir(settings, tmp_path):
    settings.EXPORT_DIR = tmp_path / "exports"
    return settings.EXPORT_DIR


@pytest.fixture
def with_family(family):
    return family


def test_no_export_is_scheduled_before_two_in_the_morning_local_time(site):
    assert services.export_runs_schedule_due(now=BEFORE_TWO) == []
    assert not ExportRun.objects.exists()


def test_after_two_each_site_gets_one_export_for_its_local_date(
    site, other_site, django_capture_on_commit_callbacks
):
    other_site.timezone = "America/Los_Angeles"  # 02:00 there is 10:00 UTC
    other_site.save()

    with django_capture_on_commit_callbacks() as queued:
        created = services.export_runs_schedule_due(now=AFTER_TWO)

    assert [(r.site, r.as_of, r.deidentified) for r in created] == [
        (site, dt.date(2026, 11, 23), True)
    ]
    assert len(queued) == 1


def test_scheduling_again_the_same_night_creates_nothing(site, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        services.export_runs_schedule_due(now=AFTER_TWO)
    with django_capture_on_commit_callbacks() as queued:
        again = services.export_runs_schedule_due(now=AFTER_TWO + dt.timedelta(hours=3))

    assert again == []
    assert queued == []
    assert ExportRun.objects.count() == 1


def _run(site, as_of=dt.date(2026, 11, 23)):
    return ExportRun.objects.create(site=site, as_of=as_of, deidentified=True)


@time_machine.travel(AFTER_TWO, tick=False)
def test_the_export_task_writes_the_deidentified_package_into_the_export_dir(
    with_family, site, export_dir
):
    run = _run(site)

    tasks.run_export.apply(args=[run.pk])

    run.refresh_from_db()
    assert run.status == ExportRun.Status.DONE
    path = export_dir / "north" / "safebabies-north-2026-11-23.zip"
    assert run.file_name == path.name
    assert run.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        children = archive.read("children.csv").decode()
    assert manifest["deidentified"] is True
    assert run.rows == sum(e["rows"] for e in manifest["files"].values())
    assert "Jaime" not in children


@time_machine.travel(AFTER_TWO, tick=False)
def test_a_run_already_done_is_not_exported_again(site, export_dir):
    run = _run(site)
    tasks.run_export.apply(args=[run.pk])
    path = export_dir / "north" / "safebabies-north-2026-11-23.zip"
    written = path.stat().st_mtime_ns

    tasks.run_export.apply(args=[run.pk])

    run.refresh_from_db()
    assert run.attempts == 1
    assert path.stat().st_mtime_ns == written


@time_machine.travel(AFTER_TWO, tick=False)
def test_a_failing_export_is_retried_then_the_site_admin_is_alerted(
    site, site_admin, coordinator, settings, tmp_path
):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the export folder should be")
    settings.EXPORT_DIR = blocked  # every try fails with an OSError
    run = _run(site)

    tasks.run_export.apply(args=[run.pk])

    run.refresh_from_db()
    assert run.status == ExportRun.Status.FAILED
    assert run.attempts == tasks.MAX_RETRIES + 1
    assert run.error in {"NotADirectoryError", "FileExistsError"}
    (alert,) = Notification.objects.filter(kind="export_failed")
    assert alert.user == site_admin
    assert [m.to for m in mail.outbox] == [[site_admin.email]]
    assert "failed" in mail.outbox[0].subject


def test_retries_back_off_and_are_capped():
    waits = [tasks.backoff(n) for n in range(8)]

    assert waits[:3] == [60, 120, 240]
    assert waits == sorted(waits)
    assert max(waits) == 1800


def test_exports_older_than_the_retention_are_deleted_with_their_files(site, export_dir, settings):
    settings.EXPORT_RETENTION_DAYS = 7
    folder = export_dir / "north"
    folder.mkdir(parents=True)
    kept, old = _run(site, dt.date(2026, 11, 20)), _run(site, dt.date(2026, 11, 10))
    for run in (kept, old):
        run.file_name = f"safebabies-north-{run.as_of}.zip"
        run.status = ExportRun.Status.DONE
        run.save()
        (folder / run.file_name).write_bytes(b"zip")

    assert services.exports_purge(today=dt.date(2026, 11, 23)) == 1

    assert list(ExportRun.objects.all()) == [kept]
    assert sorted(p.name for p in folder.iterdir()) == [kept.file_name]


# --- the exports page and the download -----------------------------------------------------


@pytest.fixture
def done_run(site, export_dir):
    with time_machine.travel(AFTER_TWO, tick=False):
        run = _run(site)
        tasks.run_export.apply(args=[run.pk])
    run.refresh_from_db()
    return run


def test_site_admin_sees_the_exports_with_a_download_link(client_for, site_admin, done_run):
    response = client_for(site_admin).get("/exports/")

    assert response.status_code == 200
    assert f"/exports/{done_run.pk}/download/".encode() in response.content


def test_the_exports_page_makes_the_same_queries_whatever_the_number_of_exports(
    client_for, site_admin, site, django_assert_num_queries
):
    client = client_for(site_admin)
    _run(site, dt.date(2026, 11, 1))
    client.get("/exports/")
    with django_assert_num_queries(7):
        client.get("/exports/")
    for day in range(2, 6):
        _run(site, dt.date(2026, 11, day))
    with django_assert_num_queries(7):
        response = client.get("/exports/")
    assert response.content.count(b"<tr>") == 1 + 5


@pytest.mark.parametrize("persona", ["coordinator", "caseworker", "judge", "outsider"])
def test_only_site_admins_see_the_exports_page(client_for, request, persona):
    response = client_for(request.getfixturevalue(persona)).get("/exports/")

    assert response.status_code == 403


def test_the_download_is_the_zip_and_is_audited(client_for, site_admin, done_run):
    response = client_for(site_admin).get(f"/exports/{done_run.pk}/download/")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == done_run.sha256
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, record_id=str(done_run.pk))
    assert event.actor == site_admin
    assert event.site_id == done_run.site_id


def test_a_member_of_the_site_who_is_not_its_admin_cannot_download(
    client_for, coordinator, done_run
):
    assert client_for(coordinator).get(f"/exports/{done_run.pk}/download/").status_code == 403


def test_someone_from_another_site_gets_not_found(client_for, outsider, done_run):
    assert client_for(outsider).get(f"/exports/{done_run.pk}/download/").status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_the_exports_pages_answer_only_get(client_for, site_admin, done_run):
    client = client_for(site_admin)

    assert client.post("/exports/").status_code == 405
    assert client.post(f"/exports/{done_run.pk}/download/").status_code == 405


def test_the_beat_schedule_has_a_frequent_nightly_export_entry_that_expires(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["nightly-exports"]

    assert entry["task"] == tasks.schedule_nightly_exports.name
    assert entry["options"]["expires"] < entry["schedule"]


def test_a_run_whose_task_was_lost_is_queued_again_after_an_hour(
    site, django_capture_on_commit_callbacks
):
    with time_machine.travel(AFTER_TWO, tick=False), django_capture_on_commit_callbacks():
        assert len(services.export_runs_schedule_due(now=AFTER_TWO)) == 1
    with django_capture_on_commit_callbacks() as soon:
        services.export_runs_schedule_due(now=AFTER_TWO + dt.timedelta(minutes=30))
    with django_capture_on_commit_callbacks() as later:
        services.export_runs_schedule_due(now=AFTER_TWO + dt.timedelta(hours=2))

    assert soon == []
    assert len(later) == 1
    assert ExportRun.objects.get().status == ExportRun.Status.PENDING
