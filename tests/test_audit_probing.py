"""Denied lookups and searches are audited with the site, so a site's admins see probing; the
prober gets the same 404 whether or not the record exists."""

import re

import pytest
from django.urls import reverse

from safebabies.audit.models import AuditEvent
from teams.models import Ftm

pytestmark = pytest.mark.django_db


def denied():
    return AuditEvent.objects.filter(action=AuditEvent.Action.DENIED)


def test_an_outsider_asking_for_a_familys_case_gets_404_and_the_site_sees_it(
    client_for, outsider, family, site
):
    response = client_for(outsider).get(reverse("case-detail", args=[family.pk]))

    assert response.status_code == 404
    event = denied().get()
    assert event.actor == outsider
    assert event.record_type == "cases.case"
    assert event.record_id == str(family.pk)
    assert event.case_id == str(family.pk)
    assert event.site_id == site.pk  # the record's site: its admins read it
    assert event.detail == {"kind": "case", "exists": True}


def test_a_made_up_id_gets_the_same_404_and_an_event_without_a_site(client_for, outsider, family):
    real = client_for(outsider).get(reverse("case-detail", args=[family.pk]))
    made_up = client_for(outsider).get(reverse("case-detail", args=["no-such-case"]))

    assert made_up.status_code == real.status_code == 404
    nonce = re.compile(rb'(nonce|value)="[^"]*"')  # the CSP nonce and the CSRF token
    assert nonce.sub(b"", made_up.content) == nonce.sub(b"", real.content)
    event = denied().get(record_id="no-such-case")
    assert event.site_id is None
    assert event.detail == {"kind": "case", "exists": False}


def test_a_record_probed_through_the_api_is_recorded_once_with_the_id_asked_for(
    api, outsider, family, site
):
    child = family.test_child
    ftm = Ftm.objects.create(case=family, scheduled_on="2026-12-01")
    api.force_authenticate(outsider)

    assert api.get(f"/api/v1/children/{child.pk}/").status_code == 404
    assert api.get(f"/api/v1/ftms/{ftm.pk}/").status_code == 404

    events = list(denied().order_by("id"))
    assert [(e.record_type, e.record_id, e.site_id) for e in events] == [
        ("cases.child", str(child.pk), site.pk),
        ("ftms.ftm", str(ftm.pk), site.pk),
    ]
    assert {e.actor for e in events} == {outsider}


def test_someone_on_the_team_leaves_no_denied_event(client_for, caseworker, family):
    assert client_for(caseworker).get(reverse("case-detail", args=[family.pk])).status_code == 200
    assert not denied().exists()


def test_an_anonymous_request_writes_no_denied_event(api, family):
    assert api.get(f"/api/v1/cases/{family.pk}/").status_code in (401, 403)
    assert not denied().exists()


def test_a_search_of_the_case_list_is_audited_with_the_words_and_the_site(
    client_for, coordinator, family, site
):
    client_for(coordinator).get("/cases/", {"q": "jaime rivera"})
    client_for(coordinator).get("/cases/")  # no search: no event

    event = AuditEvent.objects.get(action=AuditEvent.Action.SEARCH)
    assert event.actor == coordinator
    assert event.site_id == site.pk
    assert event.detail == {"q": "jaime rivera"}


def test_the_site_admin_filters_the_trail_by_the_new_actions(
    client_for, outsider, coordinator, site_admin, family, site
):
    client_for(outsider).get(reverse("case-detail", args=[family.pk]))
    client_for(coordinator).get("/cases/", {"q": "jaime"})
    client = client_for(site_admin)
    audit = reverse("account-audit", args=[site.slug])

    page = client.get(audit).content.decode()
    assert '<option value="denied"' in page
    assert '<option value="search"' in page
    shown = client.get(audit, {"action": "denied"}).context["events"]
    assert [(e.action, e.actor) for e in shown] == [("denied", outsider)]
    shown = client.get(audit, {"action": "search"}).context["events"]
    assert [(e.action, e.actor) for e in shown] == [("search", coordinator)]
