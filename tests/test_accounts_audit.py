"""The audit viewer of a site admin: filters, CSV export (itself audited), and no way to
change the trail through the API."""

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse

from safebabies.audit.models import AuditEvent
from tests import factories as f

pytestmark = pytest.mark.django_db


def audit_url(site, name="account-audit"):
    return reverse(name, kwargs={"site_slug": site.slug})


@pytest.fixture
def events(site, other_site, family, caseworker, clinician):
    made = []
    with time_machine.travel(dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC), tick=False):
        made.append(
            AuditEvent.objects.create(
                actor=caseworker,
                action="view",
                site=site,
                record_type="cases.case",
                record_id=family.pk,
                case_id=family.pk,
            )
        )
    with time_machine.travel(dt.datetime(2026, 11, 10, 10, 0, tzinfo=dt.UTC), tick=False):
        made.append(
            AuditEvent.objects.create(
                actor=clinician,
                action="update",
                site=site,
                record_type="cases.child",
                record_id="x1",
                case_id=family.pk,
            )
        )
        made.append(
            AuditEvent.objects.create(
                actor=clinician,
                action="view",
                site=site,
                record_type="cases.case",
                record_id="other",
                case_id="other-case",
            )
        )
        made.append(
            AuditEvent.objects.create(
                action="view",
                site=other_site,
                record_type="cases.case",
                record_id="south-case",
                case_id="south-case",
            )
        )
    return made


def shown_ids(response):
    return [event.pk for event in response.context["page"]]


def test_the_site_admin_filters_by_person_family_action_and_date(
    client_for, site, site_admin, events, family, clinician
):
    client = client_for(site_admin)
    view, update, other, _south = events
    everything = shown_ids(client.get(audit_url(site)))
    assert set(everything) >= {view.pk, update.pk, other.pk}
    assert _south.pk not in everything
    by_person = client.get(audit_url(site), {"person": clinician.email.upper()})
    assert set(shown_ids(by_person)) == {update.pk, other.pk}
    assert set(shown_ids(client.get(audit_url(site), {"family": family.pk}))) == {
        view.pk,
        update.pk,
    }
    assert shown_ids(client.get(audit_url(site), {"action": "update"})) == [update.pk]
    dated = client.get(audit_url(site), {"date_from": "2026-11-01", "date_to": "2026-11-05"})
    assert shown_ids(dated) == [view.pk]


def test_a_reversed_date_range_names_the_field(client_for, site, site_admin, events):
    response = client_for(site_admin).get(
        audit_url(site), {"date_from": "2026-11-10", "date_to": "2026-11-01"}
    )
    assert response.context["form"].errors["date_to"]


def test_viewing_the_trail_is_itself_audited(client_for, site, site_admin, events):
    client_for(site_admin).get(audit_url(site), {"action": "update"})
    event = AuditEvent.objects.get(actor=site_admin, action="list")
    assert event.detail == {"filter": {"action": "update"}}


def test_the_csv_export_holds_the_filtered_events_and_is_audited(
    client_for, site, site_admin, events, family
):
    response = client_for(site_admin).get(
        audit_url(site, "account-audit-csv"), {"family": family.pk}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert sorted(row["record_id"] for row in rows) == sorted([family.pk, "x1"])
    export = AuditEvent.objects.get(actor=site_admin, action="export")
    assert export.detail["filter"] == {"family": family.pk}
    assert export.site_id == site.pk


def test_the_csv_export_defuses_spreadsheet_formulas(client_for, site, site_admin):
    AuditEvent.objects.create(
        action="view", site=site, record_type="cases.case", record_id="=HYPERLINK(1)"
    )
    response = client_for(site_admin).get(audit_url(site, "account-audit-csv"))
    body = b"".join(response.streaming_content).decode()
    assert "'=HYPERLINK(1)" in body


@pytest.mark.parametrize(
    "persona", ["coordinator", "caseworker", "judge", "sit_member", "outsider"]
)
def test_only_a_site_admin_of_the_site_reads_its_trail(request, client_for, site, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(audit_url(site)).status_code == 404
    assert client.get(audit_url(site, "account-audit-csv")).status_code == 404
    assert not AuditEvent.objects.filter(action="export").exists()


def test_the_audit_pages_take_only_get(client_for, site, site_admin):
    client = client_for(site_admin)
    assert client.post(audit_url(site)).status_code == 405
    assert client.delete(audit_url(site, "account-audit-csv")).status_code == 405


def test_the_audit_list_page_needs_a_fixed_number_of_queries(
    client_for, site, site_admin, django_assert_num_queries
):
    client = client_for(site_admin)

    def add(count):
        for n in range(count):
            actor = f.UserFactory(email=f"p{n}-{count}@north.example.org")
            AuditEvent.objects.create(actor=actor, action="view", site=site, record_type="x")

    add(2)
    client.get(audit_url(site))  # warm the session
    with django_assert_num_queries(10) as few:
        client.get(audit_url(site))
    add(20)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(audit_url(site))


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_audit_api_has_no_write_method(api, site_admin, events, method):
    api.force_authenticate(site_admin)
    event = events[0]
    for url in ("/api/v1/audit-events/", f"/api/v1/audit-events/{event.pk}/"):
        assert getattr(api, method)(url, {"action": "delete"}, format="json").status_code == 405
    event.refresh_from_db()
    assert event.action == "view"
