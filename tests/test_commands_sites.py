"""`create_site` and `add_member` (INTERFACES.md "Management commands")."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from safebabies.audit.models import AuditEvent
from safebabies.identity.models import Site, SiteMembership, User
from tests import factories as f

pytestmark = pytest.mark.django_db

STRONG = "plum orchard lantern 1987"


def run(*args, stdin: str | None = None) -> str:
    out = StringIO()
    options = {"stdout": out, "stderr": StringIO()}
    if stdin is not None:
        options["stdin"] = StringIO(stdin)
    call_command(*args, **options)
    return out.getvalue()


# --- create_site ------------------------------------------------------------------------------


def test_create_site_creates_a_site_with_its_time_zone():
    output = run(
        "create_site", "north", "--name", "North County Safe Babies", "--timezone", "America/Denver"
    )
    site = Site.objects.get(slug="north")
    assert (site.name, site.timezone) == ("North County Safe Babies", "America/Denver")
    assert "Created north" in output
    assert AuditEvent.objects.filter(action="create", record_type="teams.site").count() == 1


def test_create_site_without_a_time_zone_uses_the_default():
    run("create_site", "north", "--name", "North")
    assert Site.objects.get(slug="north").timezone == "America/New_York"


def test_create_site_twice_changes_nothing():
    run("create_site", "north", "--name", "North", "--timezone", "America/Chicago")
    output = run("create_site", "north", "--name", "North", "--timezone", "America/Chicago")
    assert Site.objects.filter(slug="north").count() == 1
    assert "already exists" in output
    assert AuditEvent.objects.filter(record_type="teams.site").count() == 1


def test_create_site_again_updates_the_name_and_keeps_the_time_zone():
    run("create_site", "north", "--name", "North", "--timezone", "America/Chicago")
    run("create_site", "north", "--name", "North County")
    site = Site.objects.get(slug="north")
    assert (site.name, site.timezone) == ("North County", "America/Chicago")
    assert AuditEvent.objects.get(action="update", record_type="teams.site").detail == {
        "fields": ["name"]
    }


def test_create_site_refuses_an_unknown_time_zone():
    with pytest.raises(CommandError, match="--timezone"):
        run("create_site", "north", "--name", "North", "--timezone", "Mars/Olympus_Mons")
    assert not Site.objects.exists()


def test_create_site_refuses_a_bad_slug():
    with pytest.raises(CommandError, match="slug"):
        run("create_site", "north county!", "--name", "North")


# --- add_member -------------------------------------------------------------------------------


@pytest.fixture
def north(db):
    return f.SiteFactory(slug="north", name="North County Safe Babies")


def test_add_member_creates_the_user_without_a_usable_password(north):
    output = run(
        "add_member", "New.Caseworker@North.example.org", "--site", "north", "--role", "caseworker"
    )
    user = User.objects.get(email="new.caseworker@north.example.org")
    assert not user.has_usable_password()
    assert user.is_active
    membership = SiteMembership.objects.get(user=user)
    assert (membership.site, membership.role, membership.is_active) == (north, "caseworker", True)
    assert "created the user" in output


def test_add_member_twice_changes_nothing(north):
    run("add_member", "cw@north.example.org", "--site", "north", "--role", "caseworker")
    events = AuditEvent.objects.count()
    output = run("add_member", "CW@north.example.org", "--site", "north", "--role", "caseworker")
    assert User.objects.count() == 1 and SiteMembership.objects.count() == 1
    assert AuditEvent.objects.count() == events
    assert "already holds" in output


def test_add_member_gives_an_existing_user_another_role(north):
    run("add_member", "cw@north.example.org", "--site", "north", "--role", "caseworker")
    run("add_member", "cw@north.example.org", "--site", "north", "--role", "parent_mentor")
    assert set(SiteMembership.objects.values_list("role", flat=True)) == {
        "caseworker",
        "parent_mentor",
    }


def test_add_member_reactivates_a_deactivated_membership(north):
    run("add_member", "cw@north.example.org", "--site", "north", "--role", "caseworker")
    SiteMembership.objects.update(is_active=False)
    output = run("add_member", "cw@north.example.org", "--site", "north", "--role", "caseworker")
    assert SiteMembership.objects.get().is_active
    assert "re-activated" in output


def test_add_member_reads_the_password_from_stdin_and_the_user_can_sign_in(north):
    run(
        "add_member",
        "cc@north.example.org",
        "--site",
        "north",
        "--role",
        "community_coordinator",
        "--password-stdin",
        stdin=f"{STRONG}\n",
    )
    user = User.objects.get(email="cc@north.example.org")
    assert user.check_password(STRONG)
    response = APIClient().post(
        "/api/v1/auth/token/",
        {"email": "cc@north.example.org", "password": STRONG},
        format="json",
    )
    assert response.status_code == 201


def test_add_member_keeps_an_existing_password_without_password_stdin(north):
    run(
        "add_member",
        "cc@north.example.org",
        "--site",
        "north",
        "--role",
        "community_coordinator",
        "--password-stdin",
        stdin=STRONG,
    )
    run("add_member", "cc@north.example.org", "--site", "north", "--role", "site_admin")
    assert User.objects.get().check_password(STRONG)


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short", "too short"),
        ("password1234", "too common"),
        ("123456789012345", "entirely numeric"),
    ],
)
def test_add_member_refuses_a_weak_password_and_says_why(north, password, reason):
    with pytest.raises(CommandError, match=reason):
        run(
            "add_member",
            "cc@north.example.org",
            "--site",
            "north",
            "--role",
            "community_coordinator",
            "--password-stdin",
            stdin=password + "\n",
        )
    assert not User.objects.exists()


def test_add_member_refuses_an_empty_password(north):
    with pytest.raises(CommandError, match="empty password"):
        run(
            "add_member",
            "cc@north.example.org",
            "--site",
            "north",
            "--role",
            "community_coordinator",
            "--password-stdin",
            stdin="\n",
        )


def test_add_member_refuses_an_unknown_role(north):
    with pytest.raises(CommandError, match=r"--role: .*'wizard'"):
        run("add_member", "cw@north.example.org", "--site", "north", "--role", "wizard")
    assert not User.objects.exists()


def test_add_member_refuses_an_unknown_site(north):
    with pytest.raises(CommandError, match=r"--site: .*'south'"):
        run("add_member", "cw@north.example.org", "--site", "south", "--role", "caseworker")
    assert not User.objects.exists()


def test_add_member_refuses_a_bad_email(north):
    with pytest.raises(CommandError, match="<email>"):
        run("add_member", "not-an-email", "--site", "north", "--role", "caseworker")
    assert not User.objects.exists()


def test_add_member_writes_the_audit_trail(north):
    run("add_member", "cw@north.example.org", "--site", "north", "--role", "caseworker")
    events = AuditEvent.objects.filter(action="create")
    assert set(events.values_list("record_type", flat=True)) == {
        "teams.user",
        "teams.sitemembership",
    }
    assert set(events.values_list("site_id", flat=True)) == {north.id}
