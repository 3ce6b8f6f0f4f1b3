"""Documents attached to a case, a hearing or a release (README "Documents"): what is kept
(by content, not by name), where and under which name, who reads it, and the trail each
download leaves. Who may read each kind of document, role by role, is the permission matrix's
(tests/test_permission_matrix.py rows `document`, `family_document`, `part2_document`,
`removed_document`)."""

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from cases import access as acc
from cases.documents import files
from cases.documents.services import storage
from cases.models import Consent, Document
from safebabies.audit.models import AuditEvent
from tests import factories as f
from tests.test_settings import load

pytestmark = pytest.mark.django_db

HTML_AS_PDF = b"<html><script>fetch('/api/v1/cases/').then(r=>r.text())</script></html>"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
    b"<script>alert(document.cookie)</script></svg>"
)


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("order.pdf", f.PDF_BYTES)
    return out.getvalue()


def upload(api, case, content, name="order.pdf", content_type="application/pdf", **fields):
    data = {"case_id": case.pk, "kind": "order", **fields}
    data["file"] = SimpleUploadedFile(name, content, content_type)
    return api.post("/api/v1/documents/", data, format="multipart")


# --- What is kept: a PDF, a PNG or a JPEG, by its content ---------------------------------------


@pytest.mark.parametrize(
    ("content", "name", "claimed"),
    [
        (HTML_AS_PDF, "order.pdf", "application/pdf"),  # HTML with a script, named a PDF
        (SVG, "scan.png", "image/png"),  # an SVG (scripts run in it), named a PNG
        (SVG, "scan.svg", "image/svg+xml"),
        (_zip(), "order.pdf", "application/pdf"),  # a zip holding a PDF
        (b"GIF89a" + b"\x00" * 40, "photo.jpg", "image/jpeg"),  # another image type
        (b"\x89PNG\r\n\x1a\n" + b"not an image at all", "photo.png", "image/png"),  # damaged
        (b"%PDF-1.4\n<script>alert(1)</script>", "order.pdf", "application/pdf"),  # cut short
        (b"", "empty.pdf", "application/pdf"),
    ],
)
def test_a_file_that_is_not_what_it_claims_is_refused_naming_the_field(
    api, family, caseworker, content, name, claimed
):
    api.force_authenticate(caseworker)
    response = upload(api, family, content, name, claimed)
    assert response.status_code == 400, response.content
    assert "file" in response.json()
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    ("content", "kept_as", "extension"),
    [
        (f.PDF_BYTES, "application/pdf", "pdf"),
        (f.png_bytes(), "image/png", "png"),
        (f.jpeg_bytes(), "image/jpeg", "jpg"),
    ],
)
def test_the_type_is_read_from_the_content_not_the_name(
    api, family, caseworker, content, kept_as, extension
):
    api.force_authenticate(caseworker)
    # the browser's type and the name both say something else
    response = upload(api, family, content, "notes.txt", "text/html")
    assert response.status_code == 201, response.content
    assert response.json()["content_type"] == kept_as
    assert response.json()["original_name"] == f"notes.{extension}"


def test_a_file_over_the_limit_is_refused(api, family, caseworker, settings):
    settings.DOCUMENTS_MAX_BYTES = len(f.PDF_BYTES) - 1
    api.force_authenticate(caseworker)
    response = upload(api, family, f.PDF_BYTES)
    assert response.status_code == 400
    assert "larger than the limit" in response.json()["file"][0]
    settings.DOCUMENTS_MAX_BYTES = len(f.PDF_BYTES)
    assert upload(api, family, f.PDF_BYTES).status_code == 201


def test_a_body_larger_than_any_file_is_refused_before_it_is_read(
    api, client_for, family, caseworker, settings
):
    settings.DOCUMENTS_MAX_BYTES = 1024
    big = b"%PDF-1.4\n" + b"0" * (200 * 1024) + b"\n%%EOF\n"
    api.force_authenticate(caseworker)
    response = upload(api, family, big)
    assert response.status_code == 400
    assert response.json() == {"file": ["This file is larger than the limit of 1 KB."]}
    page = client_for(caseworker).post(
        f"/cases/{family.pk}/documents/new/",
        {"file": SimpleUploadedFile("big.pdf", big, "application/pdf"), "kind": "order"},
        follow=True,
    )
    assert "larger than the limit" in page.content.decode()
    assert not Document.objects.exists()


# --- Where and under which name ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\system32\\order.pdf", "order.pdf"),
        ("/absolute/path/order.pdf", "order.pdf"),
        ("order\x00.exe", "order.pdf"),
        ("court <order>;rm -rf.pdf", "court _order_rm -rf.pdf"),
        ("x" * 300 + ".pdf", "x" * 110 + ".pdf"),
    ],
)
def test_a_file_name_is_a_label_never_a_path(api, family, caseworker, given, kept):
    api.force_authenticate(caseworker)
    response = upload(api, family, f.PDF_BYTES, name=given)
    assert response.status_code == 201, response.content
    document = Document.objects.get()
    assert document.original_name == kept
    root = Path(storage().location).resolve()
    path = Path(storage().path(document.storage_name)).resolve()
    assert path.is_relative_to(root) and path.read_bytes() == f.PDF_BYTES
    assert kept.rsplit(".", 1)[0] not in document.storage_name  # a random name
    assert files.clean_name(given, "application/pdf") == kept


@pytest.mark.parametrize("given", ["..", "", ".", "/", "\x1b\x07", "../.."])
def test_a_name_of_nothing_is_called_document(given):
    assert files.clean_name(given, "image/png") == "document.png"


def test_documents_are_kept_outside_the_web_root_and_have_no_public_url(client_for, caseworker):
    root = Path(storage().location).resolve()
    for served in (Path(settings.STATIC_ROOT), *map(Path, settings.STATICFILES_DIRS)):
        assert not root.is_relative_to(served.resolve())
    assert not root.is_relative_to(Path(settings.BASE_DIR).resolve() / "static")
    name = storage().save(files.storage_name("application/pdf"), io.BytesIO(f.PDF_BYTES))
    client = client_for(caseworker)
    for url in (f"/{name}", f"/media/{name}", f"/static/{name}", f"/documents/{name}"):
        assert client.get(url).status_code == 404


def test_production_keeps_documents_in_s3_when_told():
    code = (
        "from django.conf import settings; s = settings.STORAGES['documents']; "
        "print(s['BACKEND'], s['OPTIONS']['bucket_name'], s['OPTIONS']['default_acl'])"
    )
    from tests.test_settings import production_env, run

    result = run(
        ["-c", f"import django; django.setup(); {code}"],
        production_env(DOCUMENTS_STORAGE="s3", DOCUMENTS_S3_BUCKET="sb-documents"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["storages.backends.s3.S3Storage", "sb-documents", "private"]
    assert "DOCUMENTS_S3_BUCKET" in load(DOCUMENTS_STORAGE="s3").stderr
    assert "DOCUMENTS_STORAGE" in load(DOCUMENTS_STORAGE="ftp").stderr


# --- Downloads: headers, the audit trail, removal ------------------------------------------------


def test_every_download_is_an_attachment_never_cached_never_sniffed_and_audited(
    api, client_for, family, caseworker
):
    document = f.document(family, name="court order.pdf")
    client = client_for(caseworker)
    api.force_authenticate(caseworker)
    for n, get in enumerate(
        [
            lambda: client.get(f"/cases/{family.pk}/documents/{document.pk}/"),
            lambda: api.get(f"/api/v1/documents/{document.pk}/download/"),
            lambda: client.get(f"/cases/{family.pk}/documents/{document.pk}/"),
        ],
        start=1,
    ):
        response = get()
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == f.PDF_BYTES
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert 'filename="court order.pdf"' in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response["Cache-Control"]
        events = AuditEvent.objects.filter(
            action="view", record_type="cases.document", record_id=document.pk
        )
        assert events.count() == n
        assert events.first().actor == caseworker and events.first().case_id == family.pk
        assert events.first().detail == {"download": True}


def test_an_outsider_gets_a_404_and_a_denied_event_for_a_document(
    api, client_for, family, outsider, other_caseworker
):
    document = f.document(family)
    for user in (outsider, other_caseworker):
        api.force_authenticate(user)
        assert api.get(f"/api/v1/documents/{document.pk}/download/").status_code == 404
        assert api.get(f"/api/v1/documents/{document.pk}/").status_code == 404
        assert client_for(user).get(f"/cases/{family.pk}/documents/{document.pk}/").status_code == (
            404
        )
        assert document.pk not in [r["id"] for r in api.get("/api/v1/documents/").json()["results"]]
    assert not AuditEvent.objects.filter(action="view", record_type="cases.document").exists()
    assert AuditEvent.objects.filter(action="denied", record_id=document.pk).exists()


def test_a_document_of_another_case_than_the_url_is_a_404(client_for, family, site, caseworker):
    other = f.CaseFactory(site=site)
    f.TeamMemberFactory(case=other, user=caseworker, role="caseworker")
    document = f.document(other)
    response = client_for(caseworker).get(f"/cases/{family.pk}/documents/{document.pk}/")
    assert response.status_code == 404


def test_a_removed_document_is_gone_for_everyone_and_its_file_erased(
    client_for, api, family, caseworker, coordinator, django_capture_on_commit_callbacks
):
    document = f.document(family, shared_with_family=True, uploaded_by=caseworker)
    path = Path(storage().path(document.storage_name))
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(caseworker).post(
            f"/cases/{family.pk}/documents/{document.pk}/remove/"
        )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.removed_at is not None and document.removed_by == caseworker
    assert not path.exists()
    assert AuditEvent.objects.filter(action="delete", record_id=document.pk).exists()
    for user in (caseworker, coordinator):
        api.force_authenticate(user)
        assert api.get(f"/api/v1/documents/{document.pk}/download/").status_code == 404
        assert api.get(f"/api/v1/documents/{document.pk}/").status_code == 404
        assert client_for(user).get(f"/cases/{family.pk}/documents/{document.pk}/").status_code == (
            404
        )


def test_a_read_only_role_cannot_remove_a_document(client_for, family, parent_attorney):
    document = f.document(family)
    url = f"/cases/{family.pk}/documents/{document.pk}/remove/"
    assert client_for(parent_attorney).post(url).status_code == 403
    document.refresh_from_db()
    assert document.removed_at is None


def test_a_writer_removes_only_what_they_added_the_coordinator_anything(
    client_for, family, caseworker, coordinator, clinician
):
    order = f.document(family, uploaded_by=caseworker)
    url = f"/cases/{family.pk}/documents/{order.pk}/remove/"
    page = client_for(clinician).get(f"/cases/{family.pk}/")
    assert url not in page.content.decode()
    assert client_for(clinician).post(url).status_code == 403
    order.refresh_from_db()
    assert order.removed_at is None
    assert client_for(coordinator).post(url).status_code == 302
    order.refresh_from_db()
    assert order.removed_by == coordinator


def test_sharing_with_the_family_is_the_coordinators_decision(
    api, client_for, family, caseworker, coordinator
):
    api.force_authenticate(caseworker)
    response = upload(api, family, f.PDF_BYTES, shared_with_family="true")
    assert response.status_code == 400 and "shared_with_family" in response.json()
    assert (
        "shared_with_family"
        not in client_for(caseworker).get(f"/cases/{family.pk}/documents/new/").content.decode()
    )
    document = Document.objects.get(pk=upload(api, family, f.PDF_BYTES).json()["id"])
    url = f"/cases/{family.pk}/documents/{document.pk}/share/"
    assert client_for(caseworker).post(url, {"shared": "yes"}).status_code == 403
    assert client_for(coordinator).post(url, {"shared": "yes"}).status_code == 302
    document.refresh_from_db()
    assert document.shared_with_family
    event = AuditEvent.objects.get(action="update", record_id=document.pk)
    assert event.actor == coordinator and event.detail == {"fields": ["shared_with_family"]}


# --- What it may be attached to ------------------------------------------------------------------


def test_a_hearing_or_release_of_another_family_is_refused_naming_the_field(
    api, family, site, caseworker, coordinator
):
    other = f.CaseFactory(site=site)
    hearing = f.HearingFactory(case=other)
    consent = Consent.objects.create(
        confirmed_at=f.CONFIRMED,
        case=other,
        person=f.PersonFactory(case=other),
        category="general",
        recipient_role="caseworker",
        granted_on=dt.date(2026, 1, 1),
    )
    api.force_authenticate(coordinator)  # sees both families: still not this family's
    assert "hearing_id" in upload(api, family, f.PDF_BYTES, hearing_id=hearing.pk).json()
    assert "consent_id" in upload(api, family, f.PDF_BYTES, consent_id=consent.pk).json()
    assert not Document.objects.exists()


def test_a_signed_part2_release_is_filed_by_the_coordinator_and_read_under_the_part2_rule(
    api, family, caseworker, coordinator, clinician
):
    release = Consent.objects.create(
        confirmed_at=f.CONFIRMED,
        case=family,
        person=family.test_parent,
        category=Consent.Category.SUBSTANCE_USE_TREATMENT,
        recipient_role="clinician",
        granted_on=dt.date(2026, 1, 1),
        expires_on=dt.date(2099, 1, 1),
    )
    api.force_authenticate(caseworker)  # a writer of the case the release does not name
    response = upload(api, family, f.PDF_BYTES, consent_id=release.pk, kind="signed_release")
    assert response.status_code == 400 and "consent_id" in response.json()
    api.force_authenticate(coordinator)
    response = upload(api, family, f.PDF_BYTES, consent_id=release.pk, kind="signed_release")
    assert response.status_code == 201, response.content
    document = Document.objects.get()
    assert document.part2 and document.person == family.test_parent
    for user, status in ((coordinator, 200), (clinician, 200), (caseworker, 404)):
        api.force_authenticate(user)
        assert api.get(f"/api/v1/documents/{document.pk}/download/").status_code == status
    release.revoked_on = dt.date(2026, 2, 1)
    release.save()
    api.force_authenticate(clinician)  # a revoked release opens nothing
    assert api.get(f"/api/v1/documents/{document.pk}/download/").status_code == 404


# --- The bulk rule (API lists) is the per-case rule ----------------------------------------------


def test_the_list_rule_is_the_per_case_rule_for_people_of_every_role(
    family, site, coordinator, caseworker, clinician, parent_attorney, parent_mentor, judge
):
    """`records_visible_to` groups the cases by the roles one acts in: for every person, on
    a family where they are on the team and one where they are not, it keeps exactly the
    documents `case_records` gives them case by case."""
    release = Consent.objects.create(
        confirmed_at=f.CONFIRMED,
        case=family,
        person=family.test_parent,
        category=Consent.Category.SUBSTANCE_USE_TREATMENT,
        recipient_role="caseworker",
        granted_on=dt.date(2026, 1, 1),
        expires_on=dt.date(2099, 1, 1),
    )
    general = Consent.objects.create(
        confirmed_at=f.CONFIRMED,
        case=family,
        person=family.test_parent,
        category="general",
        recipient_role="caseworker",
        granted_on=dt.date(2026, 1, 1),
    )
    hearing = f.HearingFactory(case=family)
    other = f.CaseFactory(site=site)
    f.TeamMemberFactory(case=other, user=parent_mentor, role="caseworker")  # not held: nothing
    two_roles = f.site_member(site, "caseworker", "parent_mentor", email="two@example.org")
    f.TeamMemberFactory(case=family, user=two_roles, role="parent_mentor")
    f.TeamMemberFactory(case=other, user=two_roles, role="caseworker")
    judge_mentor = f.site_member(site, "judge", "parent_mentor", email="jm@example.org")
    f.TeamMemberFactory(case=other, user=judge_mentor, role="parent_mentor")
    for case in (family, other):
        for kind in Document.Kind.values:
            f.document(case, kind=kind)
            f.document(case, kind=kind, hearing=f.HearingFactory(case=case))
        f.document(case, kind="order", removed_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    f.document(family, consent=release, kind="signed_release")
    f.document(family, consent=general, kind="signed_release")
    f.document(family, hearing=hearing, kind="evaluation")
    users = (coordinator, caseworker, clinician, parent_attorney, parent_mentor, judge)
    for user in (*users, two_roles, judge_mentor):
        listed = set(acc.records_visible_to(user, "document").values_list("pk", flat=True))
        expected: set[str] = set()
        for case in (family, other):
            try:
                access = acc.access_case(user, case.pk)
            except Http404:
                continue
            expected |= set(acc.case_records(access, "document").values_list("pk", flat=True))
        assert listed == expected, user.email
    # and the rule is not empty nor everything: each person's answers differ somewhere
    answers = {
        frozenset(acc.records_visible_to(u, "document").values_list("pk", flat=True)) for u in users
    }
    assert len(answers) >= 4


def test_a_parent_lists_and_downloads_only_what_was_shared_with_the_family(
    api, family, site, coordinator
):
    father = f.PersonFactory(case=family, kind="parent", given_name="Luis")
    luis = f.site_member(site, "parent", email="luis@example.org")
    f.TeamMemberFactory(case=family, user=luis, role="parent", person=father)
    shared = f.document(family, shared_with_family=True)
    kept = f.document(family, kind="evaluation")
    api.force_authenticate(luis)
    rows = api.get("/api/v1/documents/").json()["results"]
    assert [row["id"] for row in rows] == [shared.pk]
    assert "uploaded_by" not in rows[0]  # the team's e-mail addresses are not a parent's
    assert api.get(f"/api/v1/documents/{shared.pk}/download/").status_code == 200
    assert api.get(f"/api/v1/documents/{kept.pk}/download/").status_code == 404


# --- Pages ---------------------------------------------------------------------------------------


def test_the_case_page_lists_documents_and_the_upload_form_keeps_one(
    client_for, family, caseworker
):
    client = client_for(caseworker)
    hearing = f.HearingFactory(case=family)
    page = client.get(f"/cases/{family.pk}/documents/new/?hearing={hearing.pk}")
    assert page.status_code == 200 and b'enctype="multipart/form-data"' in page.content
    response = client.post(
        f"/cases/{family.pk}/documents/new/",
        {
            "file": SimpleUploadedFile("Order of 3 Dec.pdf", f.PDF_BYTES, "application/pdf"),
            "kind": "order",
            "attached_to": f"hearing:{hearing.pk}",
            "document_date": "2026-12-03",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    document = Document.objects.get()
    assert document.hearing == hearing and document.uploaded_by == caseworker
    assert AuditEvent.objects.filter(action="create", record_id=document.pk).exists()
    body = client.get(f"/cases/{family.pk}/").content.decode()
    assert 'id="documents"' in body and "Order of 3 Dec.pdf" in body
    assert f"/cases/{family.pk}/documents/{document.pk}/" in body
    assert document.storage_name not in body  # never a storage path
    spoofed = client.post(
        f"/cases/{family.pk}/documents/new/",
        {"file": SimpleUploadedFile("x.pdf", HTML_AS_PDF, "application/pdf"), "kind": "order"},
    )
    assert spoofed.status_code == 200
    assert "Attach a PDF, a PNG or a JPEG" in spoofed.content.decode()
    assert Document.objects.count() == 1
