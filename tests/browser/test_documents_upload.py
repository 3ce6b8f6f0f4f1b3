"""A caseworker attaches a signed order to a hearing from the case page and downloads it."""

import pytest
from playwright.sync_api import expect

from cases.models import Document
from safebabies.audit.models import AuditEvent
from tests import factories as f
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_attach_an_order_to_a_hearing_and_download_it(live_server, page, family, caseworker):
    hearing = f.HearingFactory(case=family, status="held")
    p = page.page
    p.goto(live_server.url + "/accounts/login/")
    p.get_by_label("E-mail").fill(caseworker.email)
    p.get_by_label("Password").fill(PASSWORD)
    p.get_by_role("button", name="Sign in").click()
    p.goto(f"{live_server.url}/cases/{family.pk}/")
    p.locator(f"#hearing-{hearing.pk}").get_by_role("link", name="Attach a document").click()
    expect(p.get_by_label("Attach it to")).to_have_value(f"hearing:{hearing.pk}")
    p.get_by_label("File").set_input_files(
        files=[{"name": "Order 3 Dec.pdf", "mimeType": "application/pdf", "buffer": f.PDF_BYTES}]
    )
    p.get_by_label("What it is").select_option("order")
    assert page.axe_violations() == []
    p.get_by_role("button", name="Attach the document").click()
    expect(p.get_by_text("The document is attached.")).to_be_visible()
    documents = p.locator("#documents")
    expect(documents.get_by_role("link", name="Order 3 Dec.pdf", exact=True)).to_be_visible()
    expect(p.locator(f"#hearing-{hearing.pk} .attached-documents")).to_contain_text(
        "Order 3 Dec.pdf"
    )
    page.screenshot("documents-case-page.png")
    with p.expect_download() as download:
        documents.get_by_role("link", name="Order 3 Dec.pdf", exact=True).click()
    assert download.value.suggested_filename == "Order 3 Dec.pdf"
    document = Document.objects.get()
    assert AuditEvent.objects.filter(
        action="view", record_id=document.pk, detail={"download": True}
    ).exists()
    assert page.csp_violations == [] and page.errors == []
