"""The permission matrix of DOMAIN.md "Confidentiality rules", at the selector level."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from cases.access import access_case, cases_visible_to
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "persona",
    [
        "coordinator",
        "site_admin",
        "caseworker",
        "clinician",
        "parent_attorney",
        "parent_mentor",
        "judge",
    ],
)
def test_team_and_site_wide_roles_see_the_family(request, family, persona):
    user = request.getfixturevalue(persona)
    assert access_case(user, family.id).case == family
    assert list(cases_visible_to(user)) == [family]


@pytest.mark.parametrize("persona", ["other_caseworker", "sit_member", "outsider"])
def test_others_get_404(request, family, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(Http404):
        access_case(user, family.id)
    assert not cases_visible_to(user).exists()


@pytest.mark.parametrize("persona", ["judge", "parent_attorney", "parent_mentor"])
def test_read_only_roles_get_403_on_write(request, family, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        access_case(user, family.id, write=True)


@pytest.mark.parametrize("persona", ["coordinator", "site_admin", "caseworker", "clinician"])
def test_writing_roles_may_change_the_case(request, family, persona):
    user = request.getfixturevalue(persona)
    assert access_case(user, family.id, write=True).can_write


def test_removed_team_member_loses_access_at_once(family, caseworker):
    from django.utils import timezone

    family.team_members.filter(user=caseworker).update(removed_at=timezone.now())
    caseworker = type(caseworker).objects.get(pk=caseworker.pk)  # fresh: no cached roles
    with pytest.raises(Http404):
        access_case(caseworker, family.id)


def test_deactivated_membership_loses_site_wide_access(family, coordinator):
    coordinator.memberships.update(is_active=False)
    coordinator = type(coordinator).objects.get(pk=coordinator.pk)
    with pytest.raises(Http404):
        access_case(coordinator, family.id)


def test_coordinator_of_other_site_never_sees_this_site(family, outsider, other_site):
    f.CaseFactory(site=other_site)
    assert family not in cases_visible_to(outsider)


def test_judge_gets_the_court_view(family, judge):
    access = access_case(judge, family.id)
    assert access.is_court_view
    assert not access.can_see_ftm_notes


def test_parent_mentor_gets_the_mentor_view(family, parent_mentor):
    access = access_case(parent_mentor, family.id)
    assert access.is_mentor_view
    assert not access.can_see_ftm_notes
    assert not access.can_see_placement_address


def test_part2_detail_needs_a_consent_in_force_for_the_viewers_role(family, caseworker, judge):
    import datetime as dt

    from cases.models import Consent

    access = access_case(caseworker, family.id)
    today = dt.date(2026, 11, 23)
    assert not access.can_see_part2(today)
    consent = Consent.objects.create(
        confirmed_at=f.CONFIRMED,
        case=family,
        person=family.test_parent,
        category="substance_use_treatment",
        recipient_role="caseworker",
        granted_on=dt.date(2026, 10, 1),
        expires_on=dt.date(2027, 4, 1),
    )
    assert access.can_see_part2(today)
    assert not access_case(judge, family.id).can_see_part2(today)
    assert not access.can_see_part2(dt.date(2027, 4, 2))  # expired
    Consent.objects.filter(pk=consent.pk).update(revoked_on=dt.date(2026, 11, 1))
    assert not access.can_see_part2(today)


def test_judge_who_also_sits_on_the_implementation_team_keeps_the_court_view(family, judge, site):
    from cases.access import ftm_cases_visible_to

    f.MembershipFactory(user=judge, site=site, role="site_implementation")
    judge = type(judge).objects.get(pk=judge.pk)
    assert access_case(judge, family.id).is_court_view
    assert not ftm_cases_visible_to(judge).exists()


# --- Rights are per case: roles held at the site add nothing off the team ----------------------


def test_a_judge_who_is_also_a_caseworker_of_the_site_is_the_court_on_a_family_not_theirs(
    family, site
):
    from cases.access import ftm_cases_visible_to, part2_cases_visible_to

    user = f.site_member(site, "judge", "caseworker", email="judge.cw@north.example.org")
    access = access_case(user, family.id)
    assert access.roles == {"judge"}
    assert access.is_court_view and not access.can_see_ftms and not access.can_write
    with pytest.raises(PermissionDenied):
        access_case(user, family.id, write=True)
    assert list(cases_visible_to(user)) == [family]
    assert not ftm_cases_visible_to(user).exists()
    f.TeamMemberFactory(case=family, user=user, role="caseworker")  # now the team names them
    user = type(user).objects.get(pk=user.pk)
    assert access_case(user, family.id, write=True).roles == {"judge", "caseworker"}
    assert list(ftm_cases_visible_to(user)) == [family]
    assert not part2_cases_visible_to(user).exists()


def test_a_caseworker_who_is_the_parent_mentor_on_the_team_is_a_parent_mentor_there(family, site):
    user = f.site_member(site, "caseworker", "parent_mentor", email="cw.pm@north.example.org")
    f.TeamMemberFactory(case=family, user=user, role="parent_mentor")
    access = access_case(user, family.id)
    assert access.roles == {"parent_mentor"}
    assert access.is_mentor_view
    assert not access.can_see_placement_address and not access.can_see_ftm_notes
    with pytest.raises(PermissionDenied):
        access_case(user, family.id, write=True)


def test_a_team_place_stops_working_when_its_role_is_no_longer_held(family, site):
    from cases.access import case_access_map

    user = f.site_member(site, "caseworker", "parent_mentor", email="former.cw@north.example.org")
    f.TeamMemberFactory(case=family, user=user, role="caseworker")
    assert access_case(user, family.id).can_write
    user.memberships.filter(role="caseworker").update(is_active=False)
    user = type(user).objects.get(pk=user.pk)  # fresh: no cached roles
    with pytest.raises(Http404):
        access_case(user, family.id)
    assert not cases_visible_to(user).exists()
    assert case_access_map(user, [family.id]) == {}


def test_an_aggregate_only_member_listed_on_a_team_never_opens_the_case(family, sit_member):
    f.TeamMemberFactory(case=family, user=sit_member, role="caseworker")
    with pytest.raises(Http404):
        access_case(sit_member, family.id)
    assert not cases_visible_to(sit_member).exists()


@pytest.mark.parametrize(
    ("roles", "team"),
    [
        (("judge", "caseworker"), None),
        (("caseworker", "parent_mentor"), "parent_mentor"),
        (("clinician", "parent_mentor", "caseworker"), "clinician"),
        (("judge", "parent_mentor"), "parent_mentor"),
        (("parent_attorney", "caseworker"), "parent_attorney"),
        (("parent_mentor",), "caseworker"),  # a place in a role not held
    ],
)
def test_the_bulk_selectors_agree_with_access_case_for_several_roles(family, site, roles, team):
    import datetime as dt

    from cases.access import case_access_map, ftm_cases_visible_to, part2_cases_visible_to
    from cases.models import Consent

    for role in ("caseworker", "clinician", "parent_mentor"):
        Consent.objects.create(
            confirmed_at=f.CONFIRMED,
            case=family,
            person=family.test_parent,
            category="substance_use_treatment",
            recipient_role=role,
            granted_on=dt.date(2026, 1, 1),
            expires_on=dt.date(2099, 1, 1),
        )
    user = f.site_member(site, *roles, email="several.roles@north.example.org")
    if team:
        f.TeamMemberFactory(case=family, user=user, role=team)
    user = type(user).objects.get(pk=user.pk)
    try:
        access = access_case(user, family.id)
    except Http404:
        assert not cases_visible_to(user).exists()
        assert case_access_map(user, [family.id]) == {}
        return
    assert case_access_map(user, [family.id])[family.id].roles == access.roles
    assert ftm_cases_visible_to(user).filter(pk=family.id).exists() == access.can_see_ftms
    assert part2_cases_visible_to(user).filter(pk=family.id).exists() == access.can_see_part2()
