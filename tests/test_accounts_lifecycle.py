"""A site admin invites, changes roles and deactivates; every change is audited and takes
effect at once, for sessions and API tokens alike."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from rest_framework.test import APIClient

from cases.models import TeamMember
from safebabies.audit.models import AuditEvent
from safebabies.identity.models import ApiToken, SiteMembership, User
from tests import factories as f

pytestmark = pytest.mark.django_db


def people_url(site, name="account-people", **kwargs):
    return reverse(name, kwargs={"site_slug": site.slug, **kwargs})


def bearer(user) -> APIClient:
    raw, key_hash = ApiToken.new_key()
    from django.utils import timezone

    ApiToken.objects.create(
        user=user, key_hash=key_hash, expires_at=timezone.now() + timezone.timedelta(hours=1)
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_a_site_admin_sees_the_people_of_their_site(client_for, site, site_admin, caseworker):
    page = client_for(site_admin).get(people_url(site))
    assert page.status_code == 200
    assert caseworker.email in page.content.decode()


@pytest.mark.parametrize("persona", ["coordinator", "caseworker", "judge", "sit_member"])
def test_only_site_admins_open_the_people_pages(request, client_for, site, caseworker, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(people_url(site)).status_code == 404
    assert client.get(people_url(site, "account-invite")).status_code == 404
    assert client.post(people_url(site, "account-invite"), {}).status_code == 404
    edit = people_url(site, "account-person", user_id=caseworker.pk)
    assert client.post(edit, {"roles": ["site_admin"]}).status_code == 404
    assert not SiteMembership.objects.filter(user=caseworker, role="site_admin").exists()


def test_a_site_admin_of_another_site_gets_a_404(client_for, site, other_site, caseworker):
    south_admin = f.UserFactory(email="admin@south.example.org")
    f.MembershipFactory(user=south_admin, site=other_site, role="site_admin")
    client = client_for(south_admin)
    assert client.get(people_url(site)).status_code == 404
    deactivate = people_url(site, "account-deactivate", user_id=caseworker.pk)
    assert client.post(deactivate).status_code == 404
    assert caseworker.memberships.get().is_active
    # their own site does not list the north caseworker either
    own = client.get(people_url(other_site, "account-person", user_id=caseworker.pk))
    assert own.status_code == 404


def test_the_people_pages_refuse_wrong_methods(client_for, site, site_admin, caseworker):
    client = client_for(site_admin)
    assert client.post(people_url(site)).status_code == 405
    assert (
        client.put(people_url(site, "account-deactivate", user_id=caseworker.pk)).status_code == 405
    )
    assert (
        client.get(people_url(site, "account-reactivate", user_id=caseworker.pk)).status_code == 405
    )
    assert client.delete(people_url(site, "account-invite")).status_code == 405


def test_an_invitation_creates_the_account_and_mails_a_set_password_link(
    client_for, client, site, site_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(site_admin).post(
            people_url(site, "account-invite"),
            {"email": "New.Clinician@north.example.org", "roles": ["clinician"]},
        )
    assert response.status_code == 302
    user = User.objects.get(email="new.clinician@north.example.org")
    assert not user.has_usable_password()
    assert set(user.memberships.values_list("role", flat=True)) == {"clinician"}
    assert AuditEvent.objects.filter(
        actor=site_admin, record_id=str(user.pk), detail__invited=True
    ).exists()
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/password-reset/\S+/", mail.outbox[0].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    client.logout()
    form = client.get("/" + path, follow=True)
    assert form.status_code == 200
    chosen = client.post(
        form.redirect_chain[-1][0],
        {
            "new_password1": "a fresh passphrase for court",
            "new_password2": "a fresh passphrase for court",
        },
    )
    assert chosen.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a fresh passphrase for court")


def test_an_invitation_without_a_role_names_the_field(client_for, site, site_admin):
    response = client_for(site_admin).post(
        people_url(site, "account-invite"), {"email": "x@north.example.org"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["roles"]
    assert not User.objects.filter(email="x@north.example.org").exists()


def test_changing_roles_is_audited_and_taking_one_away_ends_the_family_team_place(
    client_for, site, site_admin, family, caseworker
):
    url = people_url(site, "account-person", user_id=caseworker.pk)
    response = client_for(site_admin).post(url, {"roles": ["clinician"]})
    assert response.status_code == 302
    held = {m.role: m.is_active for m in caseworker.memberships.all()}
    assert held == {"caseworker": False, "clinician": True}
    assert TeamMember.objects.get(case=family, user=caseworker).removed_at is not None
    events = AuditEvent.objects.filter(actor=site_admin, site=site)
    assert events.filter(record_type="teams.sitemembership", action="create").exists()
    assert events.filter(record_type="teams.sitemembership", action="update").exists()
    assert events.filter(record_type="cases.teammember", action="delete").exists()


def test_a_site_admin_cannot_take_away_their_own_admin_role(client_for, site, site_admin):
    url = people_url(site, "account-person", user_id=site_admin.pk)
    response = client_for(site_admin).post(url, {"roles": ["caseworker"]})
    assert response.status_code == 200
    assert "your own site admin role" in response.content.decode()
    assert site_admin.memberships.get(role="site_admin").is_active


def test_deactivation_stops_the_persons_session_and_token_at_once(
    client_for, client, site, site_admin, family, caseworker
):
    from django.test import Client

    their_browser = Client()
    their_browser.force_login(caseworker)
    their_api = bearer(caseworker)
    case_url = reverse("case-detail", args=[family.pk])
    assert their_browser.get(case_url).status_code == 200
    assert their_api.get(f"/api/v1/cases/{family.pk}/").status_code == 200

    deactivate = people_url(site, "account-deactivate", user_id=caseworker.pk)
    assert client_for(site_admin).post(deactivate).status_code == 302

    assert their_browser.get(case_url).status_code == 404
    assert their_api.get(f"/api/v1/cases/{family.pk}/").status_code == 404
    assert their_api.get("/api/v1/cases/").json()["results"] == []
    assert AuditEvent.objects.filter(
        actor=site_admin, record_type="teams.sitemembership", detail__is_active=False
    ).exists()


def test_taking_someone_off_a_family_team_stops_their_token_for_that_family(
    family, caseworker, coordinator
):
    from cases.services import team_member_remove

    their_api = bearer(caseworker)
    assert their_api.get(f"/api/v1/cases/{family.pk}/").status_code == 200
    member = TeamMember.objects.get(case=family, user=caseworker)
    team_member_remove(actor=coordinator, member=member)
    assert their_api.get(f"/api/v1/cases/{family.pk}/").status_code == 404


def test_a_site_admin_cannot_make_someone_national_staff(site, site_admin, caseworker):
    from django.core.exceptions import ValidationError

    from safebabies.identity.accounts.services import account_invite, membership_set_roles

    with pytest.raises(ValidationError) as refused:
        membership_set_roles(actor=site_admin, site=site, user=caseworker, roles=["national"])
    assert "roles" in refused.value.message_dict
    with pytest.raises(ValidationError):
        account_invite(actor=site_admin, site=site, email="n@north.example.org", roles=["national"])
    assert not SiteMembership.objects.filter(role="national").exists()
    assert not User.objects.filter(email="n@north.example.org").exists()


def test_deactivating_asks_first_and_names_what_the_person_loses(
    client_for, site, site_admin, caseworker, family
):
    client = client_for(site_admin)
    people = client.get(people_url(site)).content.decode()
    deactivate = people_url(site, "account-deactivate", user_id=caseworker.pk)
    assert f'href="{deactivate}"' in people  # a link to the question, not a one-click form
    question = client.get(deactivate)
    assert question.status_code == 200
    assert "Caseworker" in question.content.decode()
    assert caseworker.memberships.get(site=site).is_active  # asking changed nothing
    assert client.post(deactivate).status_code == 302
    assert not caseworker.memberships.get(site=site).is_active


def test_a_deactivation_is_undone_with_the_roles_and_family_team_places(
    client_for, site, site_admin, family
):
    both = f.site_member(site, "caseworker", "clinician", email="both@north.example.org")
    f.TeamMemberFactory(case=family, user=both, role="caseworker")
    client = client_for(site_admin)
    deactivated = client.post(people_url(site, "account-deactivate", user_id=both.pk))
    page = client.get(deactivated.url).content.decode()
    assert "Undo: give back Caseworker, Clinician" in page
    assert not TeamMember.objects.filter(user=both, removed_at__isnull=True).exists()

    undo = client.post(people_url(site, "account-reactivate", user_id=both.pk), follow=True)
    assert "is active again" in undo.content.decode()
    assert set(
        SiteMembership.objects.filter(user=both, site=site, is_active=True).values_list(
            "role", flat=True
        )
    ) == {"caseworker", "clinician"}
    place = TeamMember.objects.get(user=both, removed_at__isnull=True)
    assert (place.case_id, place.role) == (family.pk, "caseworker")
    assert TeamMember.objects.filter(user=both).count() == 2  # the ended place stays, dated
    assert AuditEvent.objects.filter(
        actor=site_admin, record_type="cases.teammember", detail__reason="role given back"
    ).exists()
    # nothing left to undo
    again = client.post(people_url(site, "account-reactivate", user_id=both.pk), follow=True)
    assert "no deactivation to undo" in again.content.decode()


def test_reactivating_gives_back_only_the_roles_of_the_last_deactivation(
    site, site_admin, caseworker
):
    from safebabies.identity.accounts.services import (
        account_deactivate,
        account_reactivate,
        membership_set_roles,
    )

    membership_set_roles(
        actor=site_admin, site=site, user=caseworker, roles=["caseworker", "judge"]
    )
    membership_set_roles(actor=site_admin, site=site, user=caseworker, roles=["caseworker"])
    account_deactivate(actor=site_admin, site=site, user=caseworker)
    assert account_reactivate(actor=site_admin, site=site, user=caseworker) == ["caseworker"]
    assert not SiteMembership.objects.get(user=caseworker, site=site, role="judge").is_active


def test_an_invitee_is_invited_until_they_set_their_password(
    client_for, client, site, site_admin, django_capture_on_commit_callbacks
):
    admin = client_for(site_admin)
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(
            people_url(site, "account-invite"),
            {"email": "new@north.example.org", "full_name": "Nia New", "roles": ["clinician"]},
        )

    def status_of_nia():
        table = admin.get(people_url(site)).context["table"]
        return next(row.record.status for row in table.rows if row.record.name == "Nia New")

    assert status_of_nia() == "Invited"
    user = User.objects.get(email="new@north.example.org")
    user.set_password("a long new password 123")
    user.save()
    assert status_of_nia() == "Active"


def test_the_people_page_sorts_by_a_column(client_for, site, site_admin, caseworker, judge):
    client = client_for(site_admin)

    def names(**query):
        table = client.get(people_url(site), query).context["table"]
        return [row.record.email for row in table.rows]

    by_name = names()
    assert by_name == sorted(by_name, key=lambda e: User.objects.get(email=e).__str__().lower())
    assert names(sort="-name") == list(reversed(by_name))
    assert "sort=status" in client.get(people_url(site)).content.decode()
