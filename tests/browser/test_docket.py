"""A judge signs in, opens the docket, opens a family's pre-hearing summary and downloads the
PDF; the PDF's text holds the child's age and the family-time figure. Every page passes
axe-core and reports no CSP violation."""

import datetime as dt
import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from familytime.models import Visit
from safebabies import codes
from safebabies.lib.dates import age_in_months
from tests import factories as f
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_judge_opens_the_docket_a_summary_and_its_pdf(live_server, page, family, judge, site):
    today = site.today()
    child = family.test_child
    child.birth_date = today - dt.timedelta(days=500)
    child.save()
    previous_day = today - dt.timedelta(days=28)
    f.HearingFactory(case=family, scheduled_on=previous_day, status="held")
    hearing = f.HearingFactory(
        case=family, scheduled_on=today + dt.timedelta(days=2), judge=judge, courtroom="Room 4"
    )
    for days_ago, status in [(28, "held"), (21, "held"), (14, "no_show"), (7, "held")]:
        Visit.objects.create(
            child=child,
            scheduled_on=today - dt.timedelta(days=days_ago),
            status=status,
            supervision=codes.Supervision.SUPERVISED,
        )
    judge.full_name = "Hon. Jane Doe"
    judge.save()
    # 3 held since the previous hearing, over the days from it up to today
    per_week = round(3 * 7 / ((today + dt.timedelta(days=1)) - previous_day).days, 1)
    months = age_in_months(child.birth_date, today)
    p = page.page

    p.goto(live_server.url + "/accounts/login/")
    p.get_by_label("E-mail").fill(judge.email)
    p.get_by_label("Password").fill(PASSWORD)
    p.get_by_role("button", name="Sign in").click()
    docket = p.locator("section[aria-labelledby='hearings-heading']")
    expect(docket.get_by_role("row", name="Rivera family")).to_be_visible()
    assert page.axe_violations() == []

    docket.get_by_role("link", name="Pre-hearing summary for Rivera family").click()
    expect(p.get_by_role("heading", name="Pre-hearing summary: Rivera family")).to_be_visible()
    section = p.locator(f"#summary-child-{child.pk}")
    expect(section.locator(".child-age")).to_have_text(f"{months} months")
    expect(section.locator(".per-week")).to_have_text(f"{per_week} a week")
    expect(p.get_by_text("For the court's attention")).to_be_visible()
    assert page.axe_violations() == []

    with p.expect_download() as download_info:
        p.get_by_role("link", name="Download the PDF").click()
    download = download_info.value
    assert download.suggested_filename.endswith(f"{hearing.pk}.pdf")
    reader = PdfReader(io.BytesIO(download.path().read_bytes()))
    text = "\n".join(pdf_page.extract_text() for pdf_page in reader.pages)
    assert f"Age {months} months" in text
    assert f"{per_week} a week" in text
    assert page.csp_violations == []
    assert page.errors == []
