"""A caseworker reads a reminder in the app, chooses in-app only and gets a calendar address;
a site admin downloads the nightly export. Every page passes axe-core and reports no CSP
violation."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from playwright.sync_api import expect

from safebabies.exports import tasks
from safebabies.exports.models import ExportRun
from safebabies.notify.models import NotificationPreference
from teams.models import Ftm
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(p, base, user):
    p.goto(base + "/accounts/login/")
    p.get_by_label("E-mail").fill(user.email)
    p.get_by_label("Password").fill(PASSWORD)
    p.get_by_role("button", name="Sign in").click()


def test_caseworker_reads_a_reminder_and_chooses_in_app_only(
    live_server, page, family, caseworker, site
):
    tomorrow = site.today() + dt.timedelta(days=1)
    Ftm.objects.create(case=family, scheduled_on=tomorrow, starts_at=dt.time(10))
    moment = dt.datetime.combine(site.today(), dt.time(9, 30), tzinfo=site.tz)
    call_command("send_reminders", "--now", moment.isoformat(), stdout=io.StringIO())
    p = page.page

    sign_in(p, live_server.url, caseworker)
    p.get_by_role("link", name="Notifications").click()
    expect(p.get_by_role("heading", name="Notifications", level=1)).to_be_visible()
    expect(p.get_by_text("Reminder: Family Team Meeting tomorrow")).to_be_visible()
    assert page.axe_violations() == []

    p.get_by_role("button", name="Mark all as read").click()
    expect(p.get_by_text("New", exact=True)).to_have_count(0)

    p.get_by_role("link", name="How we reach you, and your calendar").click()
    p.get_by_label("In the app only").check()
    p.get_by_role("button", name="Save").click()
    expect(p.get_by_text("Saved: we will reach you that way.")).to_be_visible()
    assert NotificationPreference.objects.get(user=caseworker).channel == "in_app"

    p.get_by_role("button", name="Get my calendar address").click()
    address = p.get_by_label("Your calendar address (shown once)")
    expect(address).to_be_visible()
    assert address.input_value().startswith(f"{live_server.url}/calendar/")
    assert page.axe_violations() == []
    feed = p.request.get(address.input_value())
    assert feed.status == 200
    assert b"BEGIN:VEVENT" in feed.body()
    assert page.csp_violations == []


def test_site_admin_downloads_the_nightly_export(
    live_server, page, family, site_admin, site, settings, tmp_path
):
    settings.EXPORT_DIR = tmp_path
    with time_machine.travel(dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC), tick=False):
        run = ExportRun.objects.create(site=site, as_of=dt.date(2026, 11, 23))
        tasks.run_export.apply(args=[run.pk])
    p = page.page

    sign_in(p, live_server.url, site_admin)
    p.get_by_role("link", name="Nightly data exports").click()
    expect(p.get_by_role("heading", name="Data package exports")).to_be_visible()
    assert page.axe_violations() == []
    with p.expect_download() as download:
        p.get_by_role("link", name="Download safebabies-north-2026-11-23.zip").click()
    assert download.value.suggested_filename == "safebabies-north-2026-11-23.zip"
    assert page.csp_violations == []
