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
    return [event.pk for event in response.context["events"]]


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


def test_the_trail_names_people_families_and_records_in_words(
    client_for, site, site_admin, family, caseworker, judge
):
    judge.full_name = "Ana Ruiz"
    judge.save(update_fields=["full_name"])
    role = judge.memberships.get(site=site)
    for record_type, record_id, case_id in [
        ("teams.user", str(judge.pk), ""),
        ("teams.sitemembership", str(role.pk), ""),
        ("cases.case", family.pk, family.pk),
        ("ftms.ftm", "m1", family.pk),
    ]:
        AuditEvent.objects.create(
            actor=caseworker,
            action="update",
            site=site,
            record_type=record_type,
            record_id=record_id,
            case_id=case_id,
        )
    html = client_for(site_admin).get(audit_url(site)).content.decode()
    assert "Ana Ruiz&#x27;s account" in html
    assert "The role of Ana Ruiz (Judge)" in html
    assert "A Family Team Meeting" in html
    assert "Rivera family" in html
    assert caseworker.full_name in html and caseworker.email in html
    for code in ("teams.user", "teams.sitemembership", "cases.case", "ftms.ftm", family.pk):
        assert code not in html


def test_the_trail_shows_times_in_the_sites_time_zone(client_for, site, site_admin):
    with time_machine.travel(dt.datetime(2026, 11, 2, 19, 5, tzinfo=dt.UTC), tick=False):
        AuditEvent.objects.create(action="view", site=site, record_type="cases.case")
    html = client_for(site_admin).get(audit_url(site)).content.decode()
    assert "2 Nov 2026, 1:05 PM" in html  # Chicago, the site's zone: UTC-6 in November
    assert "19:05" not in html and "UTC" not in html


def test_the_person_and_family_filters_match_part_of_a_name_within_the_site(
    client_for, site, other_site, site_admin, family, judge, events
):
    judge.full_name = "Ana Ruiz"
    judge.save(update_fields=["full_name"])
    by_judge = AuditEvent.objects.create(
        actor=judge, action="view", site=site, record_type="cases.case", case_id=family.pk
    )
    listed = AuditEvent.objects.create(
        actor=judge,
        action="list",
        site=site,
        record_type="cases.case",
        detail={"case_ids": [family.pk]},
    )
    elsewhere = f.CaseFactory(site=other_site, name="Rivera family")
    AuditEvent.objects.create(action="view", site=site, record_type="x", case_id=elsewhere.pk)
    client = client_for(site_admin)
    view, update, _other, _south = events
    assert set(shown_ids(client.get(audit_url(site), {"person": "ruiz"}))) == {
        by_judge.pk,
        listed.pk,
    }
    assert set(shown_ids(client.get(audit_url(site), {"person": "JUDGE@"}))) == {
        by_judge.pk,
        listed.pk,
    }
    assert set(shown_ids(client.get(audit_url(site), {"family": "rivera"}))) == {
        view.pk,
        update.pk,
        by_judge.pk,
        listed.pk,
    }
    assert shown_ids(client.get(audit_url(site), {"family": "Nobody"})) == []


def test_the_person_filter_finds_nobody_of_another_site_by_part_of_a_name(
    client_for, site, other_site, site_admin, outsider
):
    AuditEvent.objects.create(actor=outsider, action="view", site=site, record_type="x")
    client = client_for(site_admin)
    assert shown_ids(client.get(audit_url(site), {"person": "south"})) == []
    assert len(shown_ids(client.get(audit_url(site), {"person": outsider.email}))) == 1


def test_the_trail_sorts_by_a_column(client_for, site, site_admin, events):
    client = client_for(site_admin)
    view, update, other, _south = events
    oldest_first = shown_ids(client.get(audit_url(site), {"sort": "at"}))
    assert oldest_first[:3] == [view.pk, update.pk, other.pk]
    html = client.get(audit_url(site)).content.decode()
    assert "sort=actor" in html  # the column headers sort
