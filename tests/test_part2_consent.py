"""Releases of substance-use treatment records (42 CFR Part 2), as the regulation means them
(issue 18 item 3):

- a release is signed by the person whose records they are, and opens that person's records
  only (a release "signed" by the resource parent opens nothing of the parent's);
- it is recorded by a Community Coordinator or a site admin, never by another case writer;
- a release that would open a role its recorder holds waits for a second coordinator or site
  admin to confirm it, and the recorder cannot confirm it;
- the site's coordinators and site admins are told when one is recorded;
- the redisclosure notice (42 CFR 2.32) goes with every Part 2 row shown, on pages and in the
  API.
"""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from assessments.models import Screening, Service
from cases.access import PART2_REDISCLOSURE_NOTICE, access_case
from cases.models import Consent
from safebabies import codes
from safebabies.notify.models import Notification
from tests import factories as f

pytestmark = pytest.mark.django_db

PROVIDER = "New Roads Recovery Center"


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(f.CASE_PLAN_NOW, tick=False):
        yield


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def record_release(client, family, person, role, category="substance_use_treatment"):
    return client.post(
        reverse("consent-create", args=[family.pk]),
        {
            "person": person.pk,
            "category": category,
            "recipient_role": role,
            "granted_on": "2026-11-01",
            "expires_on": "2027-05-01",
        },
    )


def sees_service(client, family, service) -> bool:
    plan = client.get(reverse("case-plan", args=[family.pk])).content.decode()
    listed = client.get("/api/v1/services/", {"case": family.pk}).json()["results"]
    detail = client.get(f"/api/v1/services/{service.pk}/").status_code
    on_page = PROVIDER in plan
    in_api = service.pk in {row["id"] for row in listed}
    assert on_page == in_api == (detail == 200), (on_page, in_api, detail)
    return on_page


# --- Who records -----------------------------------------------------------------------------


def test_a_caseworker_cannot_grant_themselves_the_parents_substance_use_records(
    client_for, family, caseworker
):
    """The self-grant of the review: a case writer names their own role in a release "signed"
    by someone on the case, and reads the parent's treatment at once."""
    service, _ = f.part2_records(family)
    resource_parent = f.PersonFactory(case=family, kind="resource_parent", given_name="Dorothy")
    client = client_for(caseworker)
    form = client.get(reverse("consent-create", args=[family.pk])).context["form"]
    assert "substance_use_treatment" not in dict(form.fields["category"].choices)
    for signer in (resource_parent, family.test_parent):
        response = record_release(client, family, signer, "caseworker")
        assert response.status_code == 200
        assert "Community Coordinator or a site admin" in str(
            response.context["form"].errors["category"]
        )
    assert not Consent.objects.exists()
    assert not sees_service(client, family, service)


def test_a_release_opens_only_the_records_of_the_person_who_signed_it(
    client_for, family, coordinator, caseworker
):
    service, screening = f.part2_records(family)
    other_parent = f.PersonFactory(case=family, kind="parent", given_name="Andre")
    other_service = f.ServiceFactory(
        case=family,
        person=other_parent,
        service_type=codes.ServiceType.SUBSTANCE_USE_TREATMENT,
        provider="Harbor Light Recovery",
    )
    resource_parent = f.PersonFactory(case=family, kind="resource_parent", given_name="Dorothy")
    cc = client_for(coordinator)
    assert record_release(cc, family, resource_parent, "caseworker").status_code == 302
    client = client_for(caseworker)
    assert not sees_service(client, family, service)  # the resource parent's release: not theirs

    assert (
        record_release(
            client_for(coordinator), family, family.test_parent, "caseworker"
        ).status_code
        == 302
    )
    client = client_for(caseworker)
    assert sees_service(client, family, service)
    screenings = client.get("/api/v1/screenings/", {"case": family.pk}).json()["results"]
    assert screening.pk in {row["id"] for row in screenings}
    # the other parent's treatment stays closed: their own release is what opens it
    assert (
        "Harbor Light Recovery"
        not in client.get(reverse("case-plan", args=[family.pk])).content.decode()
    )
    assert client.get(f"/api/v1/services/{other_service.pk}/").status_code == 404
    access = access_case(caseworker, family.pk)
    assert family.test_parent.pk in access.part2_people()
    assert other_parent.pk not in access.part2_people()


def test_a_release_naming_the_recorders_own_role_waits_for_a_second_person(
    client_for, family, coordinator, site_admin
):
    service, _ = f.part2_records(family)
    client = client_for(coordinator)
    assert (
        record_release(client, family, family.test_parent, "community_coordinator").status_code
        == 302
    )
    consent = Consent.objects.get()
    assert consent.recorded_by == coordinator and consent.confirmed_at is None
    assert not access_case(coordinator, family.pk).can_see_part2()
    assert not sees_service(client, family, service)
    listing = client.get(reverse("consent-list", args=[family.pk])).content.decode()
    assert "Waits for a second person" in listing and 'text-bg-success">In force' not in listing

    # the recorder cannot confirm it themselves
    confirm = reverse("consent-confirm", args=[family.pk, consent.pk])
    response = client.post(confirm)
    assert response.status_code == 200 and "You recorded this release" in text(response)
    consent.refresh_from_db()
    assert consent.confirmed_at is None

    # a second person (the site admin) confirms it: in force from now on
    assert client_for(site_admin).post(confirm).status_code == 302
    consent.refresh_from_db()
    assert consent.confirmed_by == site_admin and consent.confirmed_at is not None
    client = client_for(coordinator)
    assert sees_service(client, family, service)
    assert "Recorded by" in text(client.get(reverse("consent-list", args=[family.pk])))


def test_a_site_admin_who_is_also_a_caseworker_cannot_open_the_caseworker_role_alone(
    client_for, family, site
):
    """Two roles at the site: the release names one the recorder holds, so it waits."""
    person = f.site_member(site, "site_admin", "caseworker", email="two-hats@north.example.org")
    f.TeamMemberFactory(case=family, user=person, role="caseworker")
    service, _ = f.part2_records(family)
    client = client_for(person)
    assert record_release(client, family, family.test_parent, "caseworker").status_code == 302
    consent = Consent.objects.get()
    assert consent.confirmed_at is None
    assert not sees_service(client, family, service)
    # and a release for a role they do not hold is in force at once
    assert record_release(client, family, family.test_parent, "clinician").status_code == 302
    assert Consent.objects.filter(recipient_role="clinician", confirmed_at__isnull=False).exists()


def test_only_a_coordinator_or_site_admin_opens_the_confirmation(
    client_for, family, coordinator, caseworker
):
    f.part2_records(family)
    record_release(client_for(coordinator), family, family.test_parent, "community_coordinator")
    consent = Consent.objects.get()
    confirm = reverse("consent-confirm", args=[family.pk, consent.pk])
    client = client_for(caseworker)
    assert client.get(confirm).status_code == 403
    assert client.post(confirm).status_code == 403
    consent.refresh_from_db()
    assert consent.confirmed_at is None


def test_a_revoked_release_is_never_confirmed(client_for, family, coordinator, site_admin):
    record_release(client_for(coordinator), family, family.test_parent, "community_coordinator")
    consent = Consent.objects.get()
    client_for(coordinator).post(
        reverse("consent-revoke", args=[family.pk, consent.pk]), {"revoked_on": "2026-11-20"}
    )
    response = client_for(site_admin).post(reverse("consent-confirm", args=[family.pk, consent.pk]))
    assert response.status_code == 200 and "This release was revoked" in text(response)
    consent.refresh_from_db()
    assert consent.confirmed_at is None


# --- Who is told -----------------------------------------------------------------------------


def test_coordinators_and_site_admins_are_told_of_a_part2_release(
    client_for,
    family,
    site,
    coordinator,
    site_admin,
    caseworker,
    django_capture_on_commit_callbacks,
):
    second_cc = f.site_member(site, "community_coordinator", email="cc2@north.example.org")
    with django_capture_on_commit_callbacks(execute=True):
        record_release(client_for(coordinator), family, family.test_parent, "caseworker")
    told = Notification.objects.filter(kind="part2_release_recorded")
    assert {n.user for n in told} == {site_admin, second_cc}  # not the recorder, not the team
    note = told.first()
    assert "Rivera" not in note.subject + note.body  # the family is behind the sign-in link
    assert "Case worker" in note.body or "Caseworker" in note.body
    assert note.link.startswith(reverse("consent-list", args=[family.pk]))
    # a general release tells nobody
    with django_capture_on_commit_callbacks(execute=True):
        record_release(client_for(caseworker), family, family.test_parent, "clinician", "health")
    assert Notification.objects.count() == 2


def test_a_confirmation_is_told_too(
    client_for, family, coordinator, site_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        record_release(client_for(coordinator), family, family.test_parent, "community_coordinator")
    waiting = Notification.objects.get(user=site_admin)
    assert "second coordinator or site admin confirms" in waiting.body
    consent = Consent.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(site_admin).post(reverse("consent-confirm", args=[family.pk, consent.pk]))
    assert Notification.objects.filter(user=coordinator, kind="part2_release_confirmed").exists()


# --- Whose record ----------------------------------------------------------------------------


def test_a_part2_record_is_the_only_parents_unless_another_is_named(api, family, caseworker):
    api.force_authenticate(caseworker)
    body = {
        "case_id": family.pk,
        "recipient": "parent",
        "service_type": "substance_use_treatment",
        "referred_on": "2026-11-02",
    }
    response = api.post("/api/v1/services/", body, format="json")
    assert response.status_code == 201, response.content
    assert Service.objects.get(pk=response.json()["id"]).person == family.test_parent
    # with two parents nobody is guessed: the record is opened by no release until named
    f.PersonFactory(case=family, kind="parent", given_name="Andre")
    response = api.post("/api/v1/services/", body, format="json")
    unnamed = Service.objects.get(pk=response.json()["id"])
    assert unnamed.person is None
    f.ConsentFactory(case=family, person=family.test_parent, recipient_role="caseworker")
    assert api.get(f"/api/v1/services/{unnamed.pk}/").status_code == 404


def test_the_person_of_a_record_is_one_of_the_familys_people(api, family, caseworker, site):
    stranger = f.PersonFactory(case=f.CaseFactory(site=site), kind="parent")
    api.force_authenticate(caseworker)
    response = api.post(
        "/api/v1/screenings/",
        {
            "case_id": family.pk,
            "subject": "parent",
            "instrument": "substance_use",
            "screened_on": "2026-11-02",
            "person_id": stranger.pk,
        },
        format="json",
    )
    assert response.status_code == 400 and "person_id" in response.json()
    assert not Screening.objects.exists()


# --- The redisclosure notice -------------------------------------------------------------------


def test_the_redisclosure_notice_goes_with_every_part2_row_shown(
    client_for, family, caseworker, clinician
):
    service, screening = f.part2_records(family)
    f.ConsentFactory(case=family, person=family.test_parent, recipient_role="caseworker")
    notice = PART2_REDISCLOSURE_NOTICE[:60]
    client = client_for(caseworker)
    for url in (reverse("case-plan", args=[family.pk]), reverse("case-detail", args=[family.pk])):
        assert notice in text(client.get(url)), url
    assert notice in text(client.get(reverse("service-edit", args=[family.pk, service.pk])))
    rows = client.get("/api/v1/services/", {"case": family.pk}).json()["results"]
    by_id = {row["id"]: row for row in rows}
    assert by_id[service.pk]["redisclosure_notice"] == PART2_REDISCLOSURE_NOTICE
    screening_row = client.get(f"/api/v1/screenings/{screening.pk}/").json()
    assert screening_row["redisclosure_notice"] == PART2_REDISCLOSURE_NOTICE
    assert screening_row["person_id"] == family.test_parent.pk
    other = f.ServiceFactory(case=family)
    assert client.get(f"/api/v1/services/{other.pk}/").json()["redisclosure_notice"] is None

    # the clinician, whom no release covers, sees no Part 2 row and so no notice
    client = client_for(clinician)
    assert notice not in text(client.get(reverse("case-plan", args=[family.pk])))


def test_releases_on_record_before_confirmation_existed_stay_in_force():
    """cases migration 0007 sets `confirmed_at` of every release already recorded."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("cases.migrations.0007_consent_recorder_confirmation")
    consent = f.ConsentFactory(confirmed_at=None)
    migration.releases_on_record_are_in_force(apps, None)
    consent.refresh_from_db()
    assert consent.confirmed_at == consent.created_at
    assert consent.is_in_force(dt.date(2026, 6, 1))


# --- The re-review's findings ------------------------------------------------------------------


def test_a_screenings_referral_does_not_name_a_part2_service_the_viewer_may_not_open(
    client_for, api, family, coordinator, clinician, caseworker
):
    service, _ = f.part2_records(family)
    f.ConsentFactory(case=family, person=family.test_parent, recipient_role="caseworker")
    screening = f.ScreeningFactory(
        case=family,
        subject="parent",
        person=family.test_parent,
        instrument="phq9",
        result="refer",
        referral_made=True,
        referral=service,
    )
    plan = text(client_for(clinician).get(reverse("case-plan", args=[family.pk])))
    assert "led to Substance use treatment" not in plan and "referral made" in plan
    api.force_authenticate(clinician)
    assert api.get(f"/api/v1/screenings/{screening.pk}/").json()["referral_id"] is None
    assert api.get(f"/api/v1/services/{service.pk}/").status_code == 404
    # the caseworker, whom the parent's release covers, sees where it led
    plan = text(client_for(caseworker).get(reverse("case-plan", args=[family.pk])))
    assert "led to Substance use treatment" in plan
    api.force_authenticate(caseworker)
    assert api.get(f"/api/v1/screenings/{screening.pk}/").json()["referral_id"] == service.pk


def test_a_release_recorded_alone_never_opens_anything_to_its_recorder(
    client_for, family, site, coordinator
):
    """A site admin records a release for a role they do not hold (so in force at once), then
    takes that role: it still opens nothing to them."""
    admin = f.site_member(site, "site_admin", email="sa-alone@north.example.org")
    service, _ = f.part2_records(family)
    client = client_for(admin)
    assert (
        record_release(client, family, family.test_parent, "community_coordinator").status_code
        == 302
    )
    consent = Consent.objects.get()
    assert consent.confirmed_at is not None and consent.confirmed_by is None
    f.MembershipFactory(user=admin, site=site, role="community_coordinator")
    admin.refresh_from_db()
    assert not access_case(admin, family.pk).can_see_part2()
    assert not sees_service(client_for(admin), family, service)
    # the coordinator, whom the release names, is opened to it
    assert sees_service(client_for(coordinator), family, service)


def test_part2_releases_are_listed_to_the_coordinator_and_the_roles_they_name_only(
    client_for, family, coordinator, caseworker, clinician
):
    consent = f.ConsentFactory(case=family, person=family.test_parent, recipient_role="caseworker")
    general = f.ConsentFactory(
        case=family, person=family.test_parent, category="health", recipient_role="clinician"
    )
    url = reverse("consent-list", args=[family.pk])
    for user, sees in ((coordinator, True), (caseworker, True), (clinician, False)):
        page = client_for(user).get(url).content.decode()
        assert (f"consent-{consent.pk}" in page) is sees, user
        assert (PART2_REDISCLOSURE_NOTICE[:60] in text(client_for(user).get(url))) is sees
        assert f"consent-{general.pk}" in page
    revoke = reverse("consent-revoke", args=[family.pk, consent.pk])
    for user in (clinician, caseworker):
        assert client_for(user).post(revoke, {"revoked_on": "2026-11-20"}).status_code == 404
    consent.refresh_from_db()
    assert consent.revoked_on is None
    assert client_for(coordinator).post(revoke, {"revoked_on": "2026-11-20"}).status_code == 302


def test_the_national_export_holds_no_part2_record(family, tmp_path):
    import zipfile

    from cases.package.exporter import export_package

    service, _screening = f.part2_records(family)
    other = f.ServiceFactory(case=family)
    result = export_package(site=family.site, out_dir=tmp_path, deidentified=True)
    with zipfile.ZipFile(result.path) as archive:
        services = archive.read("services.csv").decode()
        screenings = archive.read("screenings.csv").decode()
    assert "substance_use" not in services + screenings
    assert "housing" in services  # the other services are there
    identified = export_package(site=family.site, out_dir=tmp_path / "id", deidentified=False)
    with zipfile.ZipFile(identified.path) as archive:
        assert service.pk in archive.read("services.csv").decode()
    assert other.pk


def test_the_services_drill_down_leaves_out_part2_services_the_viewer_may_not_open(
    client_for, family, site_admin, coordinator
):
    from cqi.selectors import access_metrics, drill_down_cases

    service, _ = f.part2_records(family)
    Service.objects.filter(pk=service.pk).update(referred_on=dt.date(2026, 10, 1))
    f.ServiceFactory(case=family, referred_on=dt.date(2026, 10, 2))
    start, end = dt.date(2026, 10, 1), dt.date(2026, 10, 31)
    metric = "services_started_within_60_days"

    def total_for(user):
        scope = access_metrics(user, family.site.slug)
        rows = drill_down_cases(user, scope, metric, start, end)
        return {case.pk: total for case, _, total in rows}.get(family.pk)

    assert total_for(site_admin) == 1  # the housing referral only
    f.ConsentFactory(case=family, person=family.test_parent, recipient_role="site_admin")
    assert total_for(site_admin) == 2
    page = client_for(coordinator).get(
        reverse("cqi-drill", args=[family.site.slug, metric]),
        {"start": "2026-10-01", "end": "2026-10-31"},
    )
    assert "42 CFR Part 2" in text(page)


def test_probing_a_family_through_a_list_filter_is_seen_by_its_site(api, family, outsider):
    from safebabies.audit.models import AuditEvent

    api.force_authenticate(outsider)
    response = api.get("/api/v1/children/", {"case": family.pk})
    assert response.status_code == 200 and response.json()["results"] == []
    event = AuditEvent.objects.get(action="denied", actor=outsider)
    assert event.site_id == family.site_id and event.case_id == family.pk
    api.get("/api/v1/services/", {"child": family.test_child.pk})
    assert AuditEvent.objects.filter(action="denied", actor=outsider).count() == 2
