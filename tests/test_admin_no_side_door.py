"""The Django admin is no side door (issue 18, item 2).

For everyone but a superuser the admin is read-only for case records, memberships and team
places; a site admin can never grant `national` there; a superuser's saves keep the app's
rules (a team role is held at the site, a revocation is final, taking a role away ends the
team places in it); and every read in the admin is audited like any other read.
"""

import datetime as dt

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from cases.models import Case, Consent, TeamMember
from safebabies.audit.models import AuditEvent
from safebabies.identity.admin import SiteAdmin, SiteScopedAdmin
from safebabies.identity.models import SiteMembership, User
from tests import factories as f


@pytest.fixture
def staff_site_admin(site_admin):
    site_admin.is_staff = True
    site_admin.save()
    return site_admin


@pytest.fixture
def superuser(db):
    return f.UserFactory(email="root@national.example.org", is_staff=True, is_superuser=True)


def url(model, *parts) -> str:
    meta = model._meta
    return "/".join(["/admin", meta.app_label, meta.model_name, *map(str, parts)]) + "/"


# --- a site admin only reads -----------------------------------------------------------------


def test_every_record_admin_is_read_only_for_a_site_admin(staff_site_admin):
    request = RequestFactory().get("/admin/")
    request.user = staff_site_admin
    read_only = [
        model_admin
        for model_admin in admin.site._registry.values()
        if isinstance(model_admin, SiteScopedAdmin) and not isinstance(model_admin, SiteAdmin)
    ]
    labels = {a.model._meta.label_lower for a in read_only}
    assert {"cases.case", "cases.consent", "cases.teammember", "teams.sitemembership"} <= labels
    assert {"cases.tribenotice", "cases.hearing"} <= labels
    assert {"ftms.ftm", "ftms.ftmactionitem"} <= labels
    for model_admin in read_only:
        assert model_admin.has_view_permission(request), model_admin
        assert not model_admin.has_add_permission(request), model_admin
        assert not model_admin.has_change_permission(request), model_admin
        assert not model_admin.has_delete_permission(request), model_admin


def test_a_site_admin_cannot_change_a_case_record_in_the_admin(
    client_for, family, staff_site_admin
):
    client = client_for(staff_site_admin)
    response = client.post(
        url(Case, family.pk, "change"),
        {"site": family.site_id, "name": "Renamed", "opened_on": "2026-03-02"},
    )
    assert response.status_code == 403
    assert Case.objects.get(pk=family.pk).name == "Rivera family"
    assert client.get(url(Case, "add")).status_code == 403
    assert client.get(url(Case, family.pk, "change")).status_code == 200  # reads, read-only


def test_a_site_admin_cannot_put_a_parent_mentor_on_a_team_as_caseworker(
    client_for, family, staff_site_admin, parent_mentor
):
    place = TeamMember.objects.get(case=family, user=parent_mentor)
    client = client_for(staff_site_admin)
    change = {"case": family.pk, "user": parent_mentor.pk, "role": "caseworker"}
    assert client.post(url(TeamMember, place.pk, "change"), change).status_code == 403
    assert client.post(url(TeamMember, "add"), change).status_code == 403
    assert set(TeamMember.objects.filter(user=parent_mentor).values_list("role", flat=True)) == {
        "parent_mentor"
    }


def test_a_site_admin_cannot_deactivate_a_membership_in_the_admin(
    client_for, family, staff_site_admin, caseworker
):
    row = SiteMembership.objects.get(user=caseworker, role="caseworker")
    response = client_for(staff_site_admin).post(url(SiteMembership, row.pk, "change"), {})
    assert response.status_code == 403
    assert SiteMembership.objects.get(pk=row.pk).is_active


def test_a_site_admin_cannot_grant_national_through_any_admin_form(
    client_for, site, staff_site_admin, coordinator
):
    own = SiteMembership.objects.get(user=coordinator, site=site)
    dormant = f.MembershipFactory(user=coordinator, site=site, role="national", is_active=False)
    client = client_for(staff_site_admin)
    grant = {"user": coordinator.pk, "site": site.pk, "role": "national", "is_active": "on"}
    attempts = [
        (url(SiteMembership, "add"), grant),
        (url(SiteMembership, own.pk, "change"), grant),
        (url(SiteMembership, dormant.pk, "change"), grant),
        (url(User, "add"), {"email": "n@x.org", "password1": "x", "password2": "x"}),
        (url(User, coordinator.pk, "change"), {"email": coordinator.email, "is_superuser": "on"}),
        (url(User, staff_site_admin.pk, "change"), {"email": "a@b.c", "is_superuser": "on"}),
    ]
    for path, data in attempts:
        assert client.post(path, data).status_code == 403, path
    assert not SiteMembership.objects.filter(role="national", is_active=True).exists()
    assert not User.objects.filter(is_superuser=True).exists()


# --- a superuser's saves keep the rules ------------------------------------------------------


def test_superuser_team_place_must_be_a_role_held_at_the_site(
    client_for, family, superuser, parent_mentor
):
    client = client_for(superuser)
    refused = client.post(
        url(TeamMember, "add"), {"case": family.pk, "user": parent_mentor.pk, "role": "caseworker"}
    )
    assert refused.status_code == 200  # the form again, with the rule's error
    assert "does not hold the role" in refused.content.decode()
    assert not TeamMember.objects.filter(user=parent_mentor, role="caseworker").exists()
    TeamMember.objects.filter(user=parent_mentor).update(removed_at=dt.datetime.now(dt.UTC))
    added = client.post(
        url(TeamMember, "add"),
        {"case": family.pk, "user": parent_mentor.pk, "role": "parent_mentor"},
    )
    assert added.status_code == 302
    place = TeamMember.objects.get(user=parent_mentor, removed_at__isnull=True)
    assert AuditEvent.objects.filter(action="create", record_id=place.pk).exists()
    # and no one edits a place in the admin: it ends on the team page or with the role
    assert client.post(url(TeamMember, place.pk, "change"), {"role": "x"}).status_code == 403


def test_a_revoked_consent_stays_revoked(client_for, family, superuser, staff_site_admin):
    consent = f.ConsentFactory(
        case=family, person=family.test_parent, revoked_on=dt.date(2026, 4, 1)
    )
    path = url(Consent, consent.pk, "change")
    unrevoke = {
        "case": family.pk,
        "person": family.test_parent.pk,
        "category": consent.category,
        "recipient_role": consent.recipient_role,
        "granted_on": "2026-03-10",
        "expires_on": "2027-03-10",
        "revoked_on": "",
    }
    assert client_for(staff_site_admin).post(path, unrevoke).status_code == 403
    client_for(superuser).post(path, unrevoke)
    assert Consent.objects.get(pk=consent.pk).revoked_on == dt.date(2026, 4, 1)
    # the model itself refuses, whatever the form
    consent.revoked_on = None
    with pytest.raises(ValidationError, match="revocation is final"):
        consent.full_clean()


def test_superuser_deactivating_a_membership_ends_the_team_places_in_that_role(
    client_for, family, superuser, caseworker
):
    row = SiteMembership.objects.get(user=caseworker, role="caseworker")
    response = client_for(superuser).post(url(SiteMembership, row.pk, "change"), {})
    assert response.status_code == 302
    assert not SiteMembership.objects.get(pk=row.pk).is_active
    place = TeamMember.objects.get(case=family, user=caseworker)
    assert place.removed_at is not None
    assert AuditEvent.objects.filter(
        action="delete", record_id=place.pk, detail__reason="role removed"
    ).exists()


def test_superuser_may_grant_national_like_add_member(client_for, site, superuser, coordinator):
    response = client_for(superuser).post(
        url(SiteMembership, "add"), {"user": coordinator.pk, "site": site.pk, "role": "national"}
    )
    assert response.status_code == 302
    assert SiteMembership.objects.filter(user=coordinator, role="national", is_active=True)


# --- reads are audited -----------------------------------------------------------------------


def test_admin_change_pages_write_a_view_event_with_case_and_site(
    client_for, family, staff_site_admin
):
    client = client_for(staff_site_admin)
    placement = family.test_episode.placements.get()
    consent = f.ConsentFactory(case=family, person=family.test_parent)
    for record in [family, family.test_child, family.test_parent, placement, consent]:
        assert client.get(url(type(record), record.pk, "change")).status_code == 200
        event = AuditEvent.objects.get(action="view", record_id=record.pk)
        assert event.record_type == record._meta.label_lower
        assert (event.case_id, event.site_id) == (family.pk, family.site_id)
        assert event.actor == staff_site_admin
        assert event.detail["via"] == "admin"
    client.get(url(Case, family.pk, "history"))
    assert AuditEvent.objects.filter(action="view", record_id=family.pk).count() == 2


def test_admin_list_pages_write_a_list_event(client_for, family, site, staff_site_admin):
    client = client_for(staff_site_admin)
    assert client.get(url(Consent), {"q": "Rivera"}).status_code == 200
    event = AuditEvent.objects.get(action="list", record_type="cases.consent")
    assert event.site_id == site.pk
    assert event.detail == {"via": "admin", "count": 0, "query": ["q"]}  # never what was typed
    client.get(url(SiteMembership))
    assert AuditEvent.objects.filter(action="list", record_type="teams.sitemembership").exists()
