"""The server-rendered pages: sign-in, home, case list, case page and the case forms.

Every view: anonymous users go to the sign-in page, outsiders and off-team caseworkers get a
404 on case URLs, read-only roles a 403 on the forms, the wrong method a 405.
"""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from assessments.models import Service, ServiceSession
from cases.models import Case, Child, PermanencyPlan, Person, Placement
from safebabies.audit.models import AuditEvent
from safebabies.identity.forms import SIGN_IN_REFUSED
from teams.models import Ftm
from tests import factories as f
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)  # a Friday; 9 a.m. at the Chicago sites
TODAY = dt.date(2026, 11, 20)
# Queries of the pages that every issue adds a section to (other test files use these too).
# + time in care (4), the closing section (2), the documents (1), ICWA and relatives (3), the
# latest recommendation for the court (1), the services' latest sessions (1: falling attendance)
CASE_PAGE_QUERIES = 41
# + the transfers waiting, the families without a hearing lately, the services' latest sessions
# and the Part 2 releases that open some of them (2: falling attendance, outreach due), the
# caseload intensity (1)
COORDINATOR_HOME_QUERIES = 20


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


def _placement(family) -> Placement:
    return family.test_episode.placements.get()


def write_urls(family) -> dict[str, str]:
    child = family.test_child
    return {
        "case-edit": reverse("case-edit", args=[family.pk]),
        "child-create": reverse("child-create", args=[family.pk]),
        "child-edit": reverse("child-edit", args=[family.pk, child.pk]),
        "placement-add": reverse("placement-add", args=[family.pk, child.pk]),
        "placement-end": reverse("placement-end", args=[family.pk, _placement(family).pk]),
        "permanency-plan-change": reverse("permanency-plan-change", args=[family.pk, child.pk]),
        "person-create": reverse("person-create", args=[family.pk]),
        "person-edit": reverse("person-edit", args=[family.pk, family.test_parent.pk]),
    }


def case_urls(family) -> dict[str, str]:
    return {"case-detail": reverse("case-detail", args=[family.pk]), **write_urls(family)}


WRITE_VIEWS = [
    "case-edit",
    "child-create",
    "child-edit",
    "placement-add",
    "placement-end",
    "permanency-plan-change",
    "person-create",
    "person-edit",
]
CASE_VIEWS = ["case-detail", *WRITE_VIEWS]


# --- Who may open what ---------------------------------------------------------------------


@pytest.mark.parametrize("view", CASE_VIEWS)
def test_anonymous_user_is_sent_to_sign_in_from_case_pages(client, family, view):
    url = case_urls(family)[view]
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


@pytest.mark.parametrize("url", ["/", "/cases/", "/cases/new/"])
def test_anonymous_user_is_sent_to_sign_in_from_home_and_lists(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("persona", ["outsider", "other_caseworker", "sit_member"])
@pytest.mark.parametrize("view", CASE_VIEWS)
def test_people_off_the_family_get_404_on_case_pages(request, client_for, family, persona, view):
    client = client_for(request.getfixturevalue(persona))
    url = case_urls(family)[view]
    assert client.get(url).status_code == 404
    if view != "case-detail":
        assert client.post(url, {}).status_code == 404


@pytest.mark.parametrize("persona", ["judge", "parent_attorney", "parent_mentor"])
@pytest.mark.parametrize("view", WRITE_VIEWS)
def test_read_only_roles_get_403_on_every_form(request, client_for, family, persona, view):
    client = client_for(request.getfixturevalue(persona))
    url = write_urls(family)[view]
    assert client.get(url).status_code == 403
    assert client.post(url, {}).status_code == 403


@pytest.mark.parametrize("persona", ["judge", "parent_attorney", "parent_mentor", "sit_member"])
def test_read_only_roles_cannot_open_a_case(request, client_for, site, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("case-create")).status_code == 403
    assert client.post(reverse("case-create"), {}).status_code == 403


def test_forbidden_page_explains_in_plain_words(client_for, family, judge):
    response = client_for(judge).get(write_urls(family)["case-edit"])
    assert b"can read but not change" in response.content


@pytest.mark.parametrize("view", WRITE_VIEWS)
def test_forms_refuse_other_methods(client_for, family, coordinator, view):
    client = client_for(coordinator)
    url = write_urls(family)[view]
    assert client.put(url).status_code == 405
    assert client.delete(url).status_code == 405


def test_pages_that_only_read_refuse_post(client_for, family, coordinator):
    client = client_for(coordinator)
    for url in ["/", "/cases/", reverse("case-detail", args=[family.pk])]:
        assert client.post(url).status_code == 405


def test_sign_out_is_post_only(client_for, coordinator):
    assert client_for(coordinator).get("/accounts/logout/").status_code == 405


def test_child_of_another_family_is_404_even_for_the_coordinator(
    client_for, family, coordinator, site
):
    other_child = f.ChildFactory(case=f.CaseFactory(site=site))
    url = reverse("child-edit", args=[family.pk, other_child.pk])
    assert client_for(coordinator).get(url).status_code == 404


# --- Sign-in and sign-out ------------------------------------------------------------------


def test_sign_in_page_asks_for_email_and_password(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'<label\s+for="id_username"[^>]*>\s*E-mail', html)
    assert 'type="email"' in html
    assert re.search(r'<label\s+for="id_password"[^>]*>\s*Password', html)


def test_sign_in_with_email_and_password_goes_home_and_is_audited(client, coordinator):
    response = client.post(
        "/accounts/login/", {"username": "CC@north.example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
    event = AuditEvent.objects.get(action="sign_in")
    assert event.actor == coordinator
    assert event.record_id == str(coordinator.pk)


def test_failed_sign_in_gives_the_same_message_for_unknown_email_and_wrong_password(
    client, coordinator
):
    wrong_password = client.post(
        "/accounts/login/", {"username": coordinator.email, "password": "nope"}
    )
    unknown_email = client.post(
        "/accounts/login/", {"username": "nobody@north.example.org", "password": PASSWORD}
    )
    assert wrong_password.status_code == unknown_email.status_code == 200
    assert str(SIGN_IN_REFUSED) in wrong_password.content.decode()
    assert str(SIGN_IN_REFUSED) in unknown_email.content.decode()
    assert wrong_password.context["form"].errors == unknown_email.context["form"].errors
    events = list(AuditEvent.objects.filter(action="sign_in_failed").order_by("id"))
    assert [e.record_id for e in events] == [str(coordinator.pk), ""]
    assert all(e.actor is None and "nope" not in str(e.detail) for e in events)


def test_deactivated_account_gets_the_same_message(client, coordinator):
    coordinator.is_active = False
    coordinator.save()
    response = client.post(
        "/accounts/login/", {"username": coordinator.email, "password": PASSWORD}
    )
    assert str(SIGN_IN_REFUSED) in response.content.decode()


def test_sign_out_ends_the_session_and_is_audited(client_for, coordinator):
    client = client_for(coordinator)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert client.get("/").status_code == 302
    assert AuditEvent.objects.filter(action="sign_out", actor=coordinator).count() == 1


def test_signed_in_user_visiting_sign_in_goes_home(client_for, coordinator):
    response = client_for(coordinator).get("/accounts/login/")
    assert response.status_code == 302
    assert response["Location"] == "/"


# --- Home ----------------------------------------------------------------------------------


def _ftm(case, day, **kwargs):
    return Ftm.objects.create(case=case, scheduled_on=day, **kwargs)


def test_coordinator_home_shows_their_families_with_next_ftm_and_hearing(
    client_for, family, coordinator
):
    _ftm(family, dt.date(2026, 11, 19), location="Family resource centre")
    _ftm(family, dt.date(2026, 12, 17))
    f.HearingFactory(case=family, scheduled_on=dt.date(2026, 12, 3))
    response = client_for(coordinator).get("/")
    html = response.content.decode()
    assert "Rivera family" in html
    assert "17 Dec 2026" in html  # next FTM (the 19 Nov one is past)
    assert "3 Dec 2026" in html  # next hearing
    assert "Jaime (17 mo)" in html
    assert [ftm.scheduled_on for ftm in response.context["week_ftms"]] == [dt.date(2026, 11, 19)]


def test_coordinator_sees_only_the_families_they_coordinate_when_they_have_some(
    client_for, family, coordinator, site
):
    f.CaseFactory(site=site, name="Okafor family")
    families = client_for(coordinator).get("/").context["families"]
    assert [case.name for case in families] == ["Rivera family"]


def test_coordinator_on_no_team_sees_every_open_family_of_the_site(client_for, site):
    cc = f.UserFactory(email="new.cc@north.example.org")
    f.MembershipFactory(user=cc, site=site, role="community_coordinator")
    f.CaseFactory(site=site, name="Okafor family")
    f.CaseFactory(site=site, name="Closed family", closed_on=dt.date(2026, 10, 1))
    f.CaseFactory(site=f.SiteFactory(slug="elsewhere"), name="Elsewhere family")
    families = client_for(cc).get("/").context["families"]
    assert [case.name for case in families] == ["Okafor family"]


def test_this_weeks_ftms_use_the_sites_week(client_for, family, coordinator):
    _ftm(family, dt.date(2026, 11, 16))  # Monday of this week
    _ftm(family, dt.date(2026, 11, 22))  # Sunday
    _ftm(family, dt.date(2026, 11, 23))  # next Monday
    _ftm(family, dt.date(2026, 11, 15))  # last Sunday
    week = client_for(coordinator).get("/").context["week_ftms"]
    assert [ftm.scheduled_on for ftm in week] == [dt.date(2026, 11, 16), dt.date(2026, 11, 22)]


def test_caseworker_home_shows_the_families_whose_team_they_are_on(
    client_for, family, caseworker, site
):
    f.CaseFactory(site=site, name="Okafor family")
    response = client_for(caseworker).get("/")
    assert [case.name for case in response.context["families"]] == ["Rivera family"]
    assert "week_ftms" not in response.context


def test_judge_home_lists_the_next_two_weeks_of_hearings(client_for, family, judge):
    f.HearingFactory(case=family, scheduled_on=dt.date(2026, 11, 25), courtroom="Courtroom 3")
    f.HearingFactory(case=family, scheduled_on=dt.date(2026, 12, 20))  # too far
    f.HearingFactory(case=family, scheduled_on=dt.date(2026, 11, 19))  # past
    response = client_for(judge).get("/")
    assert [h.scheduled_on for h in response.context["hearings"]] == [dt.date(2026, 11, 25)]
    assert "Courtroom 3" in response.content.decode()


def test_judge_home_never_lists_another_sites_hearings(client_for, judge, other_site):
    f.HearingFactory(case=f.CaseFactory(site=other_site), scheduled_on=dt.date(2026, 11, 25))
    assert client_for(judge).get("/").context["hearings"] == []


def test_site_implementation_member_home_shows_no_child_data(client_for, family, sit_member):
    response = client_for(sit_member).get("/")
    html = response.content.decode()
    assert "CQI" in html
    assert "Rivera" not in html and "Jaime" not in html
    assert "families" not in response.context


def test_site_admin_home_links_to_members_and_settings(client_for, site, site_admin):
    site_admin.is_staff = True
    site_admin.save()
    html = client_for(site_admin).get("/").content.decode()
    assert f"/admin/teams/sitemembership/?site__id__exact={site.pk}" in html
    assert f"/admin/teams/site/{site.pk}/change/" in html


def test_coordinator_home_takes_a_constant_number_of_queries(
    client_for, family, coordinator, site, django_assert_num_queries
):
    client = client_for(coordinator)

    def add_families(n):
        for _ in range(n):
            case = f.CaseFactory(site=site)
            f.ChildFactory(case=case)
            f.TeamMemberFactory(case=case, user=coordinator, role="community_coordinator")
            _ftm(case, dt.date(2026, 11, 21))
            f.HearingFactory(case=case, scheduled_on=dt.date(2026, 12, 1))
            _sessions(case, "AAAAAAMM")  # attendance falling, outreach due

    add_families(1)
    # + two for the FTM sections, two for family time
    with django_assert_num_queries(COORDINATOR_HOME_QUERIES):
        client.get("/")
    add_families(6)
    with django_assert_num_queries(COORDINATOR_HOME_QUERIES):
        response = client.get("/")
    assert len(response.context["families"]) == 8


def test_coordinator_home_lists_families_needing_attention_first_and_caps_every_list(
    client_for, family, coordinator, site, monkeypatch
):
    """However many families a coordinator is on, the home page stays light: at most
    HOME_LIST_MAX rows a list, the families with no FTM or no court hearing in the last month
    first, and a link to all of them on the case list."""
    monkeypatch.setattr("safebabies.home.HOME_LIST_MAX", 2)
    calm = f.CaseFactory(site=site, name="Aaron family")  # first by name, soonest FTM
    f.ChildFactory(case=calm)
    f.TeamMemberFactory(case=calm, user=coordinator, role="community_coordinator")
    _ftm(calm, dt.date(2026, 11, 10), status="held")
    _ftm(calm, dt.date(2026, 11, 21))
    f.HearingFactory(case=calm, scheduled_on=dt.date(2026, 11, 10), status="held")
    for name in ("Okafor family", "Nguyen family"):  # no FTM held since enrolment in March
        case = f.CaseFactory(site=site, name=name)
        f.TeamMemberFactory(case=case, user=coordinator, role="community_coordinator")
        _ftm(case, dt.date(2026, 11, 18))  # this week
    response = client_for(coordinator).get("/")
    families = response.context["families"]
    assert len(families) == 2 and calm not in families
    assert all(case.needs_attention for case in families)
    assert response.context["families_capped"]
    assert len(response.context["ftm_overdue"]) == 2 and response.context["ftm_overdue_more"]
    assert len(response.context["week_ftms"]) == 2 and response.context["week_ftms_more"]
    html = response.content.decode()
    assert "These are 2 of your 4 open families" in html
    assert 'href="/cases/?mine=1">See all 4 on the case list</a>' in html
    assert html.count("Only the first 2 are listed.") == 3  # this week, no FTM, no hearing
    assert "Aaron family" not in html.split("families-heading")[1]


def test_coordinator_home_lists_everything_when_the_caseload_is_under_the_cap(
    client_for, family, coordinator
):
    response = client_for(coordinator).get("/")
    assert not response.context["families_capped"]
    assert not response.context["ftm_overdue_more"]
    html = response.content.decode()
    assert "families-capped" not in html and "list-capped" not in html


def test_judge_and_caseworker_homes_take_a_constant_number_of_queries(
    family, judge, caseworker, site, django_assert_num_queries
):
    def add_families(n):
        for _ in range(n):
            case = f.CaseFactory(site=site)
            f.ChildFactory(case=case)
            f.ChildFactory(case=case)
            f.TeamMemberFactory(case=case, user=caseworker, role="caseworker")
            f.HearingFactory(case=case, scheduled_on=dt.date(2026, 11, 24))

    from django.test import Client

    clients = {}
    for user in (judge, caseworker):
        clients[user] = Client()
        clients[user].force_login(user)
    queries = {judge: 9, caseworker: 10}  # the caseworker's action items: one more
    add_families(1)
    for user in (judge, caseworker):
        with django_assert_num_queries(queries[user]):
            clients[user].get("/")
    add_families(6)
    for user in (judge, caseworker):
        with django_assert_num_queries(queries[user]):
            response = clients[user].get("/")
    assert len(response.context["families"]) == 8


# --- Case list -----------------------------------------------------------------------------


def test_case_list_shows_the_family_row(client_for, family, coordinator):
    f.HearingFactory(case=family, scheduled_on=dt.date(2026, 12, 3))
    html = client_for(coordinator).get("/cases/").content.decode()
    assert "Rivera family" in html
    assert "Jaime (17 mo)" in html
    assert family.test_child.docket_number in html
    assert "2 Mar 2026" in html  # opened
    assert "3 Dec 2026" in html  # next hearing


def test_search_finds_a_family_by_part_of_a_childs_name(client_for, family, coordinator, site):
    f.ChildFactory(case=f.CaseFactory(site=site, name="Okafor family"), given_name="Ada")
    response = client_for(coordinator).get("/cases/", {"q": "jai"})
    assert [case.name for case in response.context["page_obj"]] == ["Rivera family"]


def test_search_finds_a_family_by_docket_number(client_for, family, coordinator, site):
    f.ChildFactory(
        case=f.CaseFactory(site=site, name="Okafor family"), docket_number="JD-2026-9999"
    )
    family.test_child.docket_number = "JD-2026-4242"
    family.test_child.save()
    response = client_for(coordinator).get("/cases/", {"q": "4242"})
    assert [case.name for case in response.context["page_obj"]] == ["Rivera family"]


def test_search_finds_a_family_by_a_parents_name(client_for, family, coordinator):
    response = client_for(coordinator).get("/cases/", {"q": "doro"})
    assert [case.name for case in response.context["page_obj"]] == ["Rivera family"]


def test_search_lists_a_family_once_when_several_children_match(client_for, family, coordinator):
    f.ChildFactory(case=family, given_name="Jaimie", family_name="Rivera")
    response = client_for(coordinator).get("/cases/", {"q": "rivera"})
    assert [case.name for case in response.context["page_obj"]] == ["Rivera family"]


def test_search_never_reaches_another_sites_families(client_for, family, outsider):
    response = client_for(outsider).get("/cases/", {"q": "jaime"})
    assert list(response.context["page_obj"]) == []
    assert "Rivera" not in response.content.decode()


def test_off_team_caseworker_does_not_see_the_family_in_the_list(
    client_for, family, other_caseworker
):
    response = client_for(other_caseworker).get("/cases/")
    assert list(response.context["page_obj"]) == []


def test_case_list_filters_open_closed_and_my_families(client_for, family, coordinator, site):
    f.CaseFactory(site=site, name="Closed family", closed_on=dt.date(2026, 10, 1))
    f.CaseFactory(site=site, name="Okafor family")
    client = client_for(coordinator)

    def names(**params):
        return [case.name for case in client.get("/cases/", params).context["page_obj"]]

    assert names() == ["Okafor family", "Rivera family"]
    assert names(status="closed") == ["Closed family"]
    assert names(status="all") == ["Closed family", "Okafor family", "Rivera family"]
    assert names(mine="1") == ["Rivera family"]


def test_case_list_site_filter_appears_for_people_at_several_sites(
    client_for, family, coordinator, other_site
):
    f.MembershipFactory(user=coordinator, site=other_site, role="community_coordinator")
    f.CaseFactory(site=other_site, name="Southern family")
    client = client_for(coordinator)
    response = client.get("/cases/")
    assert 'id="site"' in response.content.decode()
    assert [c.name for c in client.get("/cases/", {"site": other_site.pk}).context["page_obj"]] == [
        "Southern family"
    ]


def test_case_list_live_search_returns_only_the_results(client_for, family, coordinator):
    response = client_for(coordinator).get(
        "/cases/", {"q": "jai"}, headers={"X-Requested-With": "fetch"}
    )
    html = response.content.decode()
    assert "Rivera family" in html
    assert "<form" not in html and "<html" not in html


def _bulk_cases(site, n):
    cases = Case.objects.bulk_create(
        [
            Case(site=site, name=f"Bulk family {i:04d}", opened_on=dt.date(2026, 1, 5))
            for i in range(n)
        ]
    )
    Child.objects.bulk_create(
        [
            Child(
                case=case,
                given_name="Sam",
                family_name="Bulk",
                birth_date=dt.date(2025, 9, 1),
                enrolled_on=dt.date(2026, 1, 5),
                docket_number=f"JD-B-{i:04d}",
            )
            for i, case in enumerate(cases)
        ]
    )


def test_case_list_takes_a_constant_number_of_queries_from_10_to_1000_cases(
    client_for, site, coordinator, django_assert_num_queries
):
    client = client_for(coordinator)
    _bulk_cases(site, 10)
    with django_assert_num_queries(10):
        response = client.get("/cases/")
    assert response.context["page_obj"].paginator.count == 10
    _bulk_cases(site, 990)
    with django_assert_num_queries(10):
        response = client.get("/cases/", {"page": 3})
    assert response.context["page_obj"].paginator.count == 1000
    assert len(response.context["rows"]) == 25
    with django_assert_num_queries(11):  # the same 10 and the search's audit INSERT
        client.get("/cases/", {"q": "sam bulk"})


def test_case_list_pages_keep_the_search(client_for, site, coordinator):
    _bulk_cases(site, 30)
    html = client_for(coordinator).get("/cases/", {"q": "bulk"}).content.decode()
    assert 'href="?q=bulk&amp;page=2"' in html


# --- Case page -----------------------------------------------------------------------------


def test_case_page_shows_the_family_at_a_glance(client_for, family, coordinator):
    _ftm(family, dt.date(2026, 12, 17), location="Family resource centre")
    f.HearingFactory(case=family, scheduled_on=dt.date(2026, 12, 3))
    html = client_for(coordinator).get(reverse("case-detail", args=[family.pk])).content.decode()
    assert "Jaime Rivera" in html
    assert "17 months" in html
    assert "264 days, since 1 Mar 2026" in html  # removal day counts, today excluded
    assert family.test_child.docket_number in html
    assert "Not yet known" in html  # ICWA
    assert "Relative / kin resource home" in html and "since 1 Mar 2026" in html
    assert "12 Elm Street" in html
    assert "Reunification" in html and "Placement with a relative" in html
    assert "Dorothy Rivera" in html
    assert "Thursday 17 Dec 2026" in html
    assert "Thursday 3 Dec 2026" in html
    assert "Edit case" in html


def test_case_page_shows_the_latest_plan_and_its_history(client_for, family, coordinator):
    child = family.test_child
    PermanencyPlan.objects.create(
        child=child,
        effective_date=dt.date(2026, 9, 1),
        primary_goal="guardianship",
        concurrent_goal="adoption",
        reason="Permanency hearing",
    )
    response = client_for(coordinator).get(reverse("case-detail", args=[family.pk]))
    cv = response.context["page"].children[0]
    assert cv.plan.primary_goal == "guardianship"
    assert [p.effective_date for p in cv.plan_history] == [dt.date(2026, 9, 1), dt.date(2026, 3, 3)]
    assert "Permanency hearing" in response.content.decode()


def test_parent_mentor_does_not_see_the_placement_address_or_contact_details(
    client_for, family, parent_mentor
):
    family.test_parent.phone = "555-0100"
    family.test_parent.save()
    html = client_for(parent_mentor).get(reverse("case-detail", args=[family.pk])).content.decode()
    assert "Relative / kin resource home" in html
    assert "12 Elm Street" not in html
    assert "555-0100" not in html
    assert "Dorothy Rivera" in html


def test_judge_does_not_see_the_next_ftm_but_sees_the_next_hearing(client_for, family, judge):
    _ftm(family, dt.date(2026, 12, 17))
    f.HearingFactory(case=family, scheduled_on=dt.date(2026, 12, 3))
    family.test_parent.phone = "555-0100"
    family.test_parent.save()
    response = client_for(judge).get(reverse("case-detail", args=[family.pk]))
    html = response.content.decode()
    assert response.context["page"].next_ftm is None
    assert "Family Team Meeting" not in html and "17 Dec 2026" not in html
    assert "3 Dec 2026" in html
    assert "555-0100" not in html
    assert "12 Elm Street" in html  # judges may see where the child lives
    assert "Edit case" not in html and "Record a move" not in html


def test_caseworker_sees_contact_details_and_the_next_ftm(client_for, family, caseworker):
    _ftm(family, dt.date(2026, 12, 17))
    family.test_parent.phone = "555-0100"
    family.test_parent.save()
    html = client_for(caseworker).get(reverse("case-detail", args=[family.pk])).content.decode()
    assert "555-0100" in html
    assert "17 Dec 2026" in html


def test_viewing_a_case_writes_an_audit_event(client_for, family, judge):
    client_for(judge).get(reverse("case-detail", args=[family.pk]))
    event = AuditEvent.objects.get(action="view")
    assert (event.actor, event.record_type, event.record_id, event.case_id) == (
        judge,
        "cases.case",
        family.pk,
        family.pk,
    )
    assert event.site_id == family.site_id


def test_refused_case_page_writes_no_view_event(client_for, family, outsider):
    client_for(outsider).get(reverse("case-detail", args=[family.pk]))
    assert not AuditEvent.objects.filter(action="view").exists()


def _grow_family(case, n_children):
    parent = case.test_parent
    for i in range(n_children):
        child = f.ChildFactory(case=case, given_name=f"Sibling{i}")
        episode = f.EpisodeFactory(child=child)
        f.PlacementFactory(episode=episode, end_date=dt.date(2026, 4, 1), end_reason="Moved to kin")
        f.PlacementFactory(episode=episode, start_date=dt.date(2026, 4, 1), address="3 Oak Road")
        f.PermanencyPlanFactory(child=child)
        f.PermanencyPlanFactory(
            child=child, effective_date=dt.date(2026, 8, 1), primary_goal="guardianship"
        )
        person = f.PersonFactory(case=case, kind=Person.Kind.RELATIVE)
        for c in case.children.all():
            person.relationships.create(child=c, kind="aunt_uncle")
        parent.relationships.create(child=child, kind="mother")


def _sessions(case, pattern: str) -> None:
    """An active service of the case with weekly sessions (A attended, M missed) (issue 22)."""
    service = Service.objects.create(
        case=case,
        recipient="dyad",
        service_type="child_parent_psychotherapy",
        referred_on=dt.date(2026, 6, 1),
        started_on=dt.date(2026, 6, 8),
        status="active",
    )
    for n, mark in enumerate(pattern):
        ServiceSession.objects.create(
            service=service,
            held_on=dt.date(2026, 7, 1) + dt.timedelta(weeks=n),
            attendance="attended" if mark == "A" else "missed",
        )


def test_case_page_takes_a_constant_number_of_queries_from_1_to_5_children(
    client_for, family, coordinator, django_assert_num_queries
):
    client = client_for(coordinator)
    url = reverse("case-detail", args=[family.pk])
    _ftm(family, dt.date(2026, 12, 17))
    f.HearingFactory(case=family, scheduled_on=dt.date(2026, 12, 3))
    # 18 for the page, 6 for the case plan section (consent check, caregivers, screenings,
    # services, goals, marker ratings: tests/test_assessments_pages.py grows those rows), 3 for
    # family time (figures, plans, the 4 weeks' visits), 4 for the court section (clocks 2,
    # hearings and orders 2), 4 for time in care (episodes, placements, maltreatment reports,
    # recurrence)
    with django_assert_num_queries(CASE_PAGE_QUERIES):
        client.get(url)
    _grow_family(family, 4)
    for _ in range(3):
        _sessions(family, "AAAAAAMM")
    with django_assert_num_queries(CASE_PAGE_QUERIES):
        response = client.get(url)
    assert len(response.context["page"].children) == 5
    assert len(response.context["page"].people) == 5


# --- Forms ---------------------------------------------------------------------------------


def test_form_fields_all_have_labels(client_for, family, coordinator):
    client = client_for(coordinator)
    for url in [reverse("case-create"), *write_urls(family).values()]:
        html = client.get(url).content.decode()
        ids = re.findall(r'<(?:input|select|textarea)[^>]*\bid="(id_[^"]+)"', html)
        hidden = set(re.findall(r'<input type="hidden"[^>]*\bid="(id_[^"]+)"', html))
        for field_id in set(ids) - hidden:
            if re.search(rf'id="{field_id}_\d+"', html) or re.match(r"id_race_\d+", field_id):
                continue
            assert f'for="{field_id}"' in html, (url, field_id)


def test_caseworker_opens_a_case_with_its_first_child(client_for, site, caseworker):
    client = client_for(caseworker)
    assert client.get(reverse("case-create")).status_code == 200
    response = client.post(
        reverse("case-create"),
        {
            "site": site.pk,
            "name": "Nguyen family",
            "opened_on": "2026-11-18",
            "enrollment": "out_of_home",
            "given_name": "Linh",
            "family_name": "Nguyen",
            "birth_date": "2026-02-14",
            "docket_number": "JD-77",
            "removal_date": "2026-11-16",
            "primary_goal": "reunification",
            "concurrent_goal": "relative",
        },
    )
    case = Case.objects.get(name="Nguyen family")
    assert response.status_code == 302
    assert response["Location"] == reverse("case-detail", args=[case.pk])
    child = case.children.get()
    assert child.episodes.get().removal_date == dt.date(2026, 11, 16)
    assert child.permanency_plans.get().concurrent_goal == "relative"
    assert case.team_members.get().user == caseworker
    assert client.get(response["Location"]).status_code == 200  # they keep seeing the family


def test_refused_case_shows_the_message_next_to_the_field_and_writes_nothing(
    client_for, site, coordinator
):
    response = client_for(coordinator).post(
        reverse("case-create"),
        {
            "site": site.pk,
            "name": "Nguyen family",
            "opened_on": "2026-11-18",
            "enrollment": "out_of_home",
            "given_name": "Linh",
            "birth_date": "2022-02-14",
            "removal_date": "2026-11-16",
            "primary_goal": "reunification",
            "concurrent_goal": "reunification",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "under 3" in form.errors["birth_date"][0]
    assert "different goal" in form.errors["concurrent_goal"][0]
    html = response.content.decode()
    assert 'id="id_birth_date"' in html and "is-invalid" in html
    assert not Case.objects.filter(name="Nguyen family").exists()


def test_case_create_offers_only_sites_where_the_user_may_write(
    client_for, site, other_site, coordinator
):
    f.MembershipFactory(user=coordinator, site=other_site, role="judge")
    response = client_for(coordinator).post(
        reverse("case-create"),
        {
            "site": other_site.pk,
            "name": "X",
            "opened_on": "2026-11-18",
            "enrollment": "in_home",
            "given_name": "A",
            "birth_date": "2026-01-01",
            "primary_goal": "reunification",
            "concurrent_goal": "relative",
        },
    )
    assert "site" in response.context["form"].errors
    assert not Case.objects.filter(site=other_site).exists()


def test_coordinator_edits_the_case(client_for, family, coordinator):
    response = client_for(coordinator).post(
        reverse("case-edit", args=[family.pk]),
        {
            "name": "Rivera-Lopez family",
            "opened_on": "2026-03-02",
            "enrollment": "out_of_home",
            "closed_on": "",
        },
    )
    assert response.status_code == 302
    family.refresh_from_db()
    assert family.name == "Rivera-Lopez family"


def test_case_cannot_close_before_it_opens(client_for, family, coordinator):
    """The edit form no longer closes a case (a closed_on sent to it is ignored); the close
    page refuses a date before the opening, on its field."""
    edit = client_for(coordinator).post(
        reverse("case-edit", args=[family.pk]),
        {
            "name": "Rivera family",
            "opened_on": "2026-03-02",
            "enrollment": "out_of_home",
            "closed_on": "2026-11-01",
        },
    )
    assert edit.status_code == 302
    family.refresh_from_db()
    assert family.closed_on is None
    response = client_for(coordinator).post(
        reverse("case-close", args=[family.pk]),
        {"closed_on": "2026-01-01", "reason": "dismissed"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["closed_on"]
    family.refresh_from_db()
    assert family.closed_on is None


def test_clinician_adds_a_sibling(client_for, family, clinician):
    response = client_for(clinician).post(
        reverse("child-create", args=[family.pk]),
        {
            "given_name": "Rosa",
            "family_name": "Rivera",
            "birth_date": "2026-07-01",
            "icwa": "unknown",
            "enrolled_on": "2026-11-20",
            "removal_date": "2026-11-19",
            "primary_goal": "reunification",
            "concurrent_goal": "guardianship",
        },
    )
    assert response.status_code == 302
    rosa = family.children.get(given_name="Rosa")
    assert response["Location"].endswith(f"#child-{rosa.pk}")
    assert rosa.episodes.get().removal_date == dt.date(2026, 11, 19)


def test_caseworker_corrects_a_childs_details(client_for, family, caseworker):
    child = family.test_child
    response = client_for(caseworker).post(
        reverse("child-edit", args=[family.pk, child.pk]),
        {
            "given_name": "Jaime",
            "family_name": "Rivera",
            "birth_date": "2025-06-10",
            "icwa": "does_not_apply",
            "docket_number": "JD-1",
            "enrolled_on": "2026-03-02",
            "race": ["white", "black"],
            "hispanic": "yes",
        },
    )
    assert response.status_code == 302
    child.refresh_from_db()
    assert (child.icwa, child.docket_number, sorted(child.race)) == (
        "does_not_apply",
        "JD-1",
        ["black", "white"],
    )


def test_coordinator_adds_a_resource_parent_related_to_the_child(client_for, family, coordinator):
    child = family.test_child
    response = client_for(coordinator).post(
        reverse("person-create", args=[family.pk]),
        {
            "kind": "resource_parent",
            "given_name": "Maria",
            "family_name": "Lopez",
            "phone": "555-0101",
            "preferred_language": "Spanish",
            f"rel_{child.pk}": "resource_parent",
        },
    )
    assert response.status_code == 302
    maria = family.people.get(given_name="Maria")
    assert maria.relationships.get().child == child


def test_coordinator_edits_a_person_and_their_relationships(client_for, family, coordinator):
    parent, child = family.test_parent, family.test_child
    response = client_for(coordinator).post(
        reverse("person-edit", args=[family.pk, parent.pk]),
        {
            "kind": "parent",
            "given_name": "Dorothy",
            "family_name": "Rivera",
            "email": "d@example.org",
            f"rel_{child.pk}": "mother",
        },
    )
    assert response.status_code == 302
    parent.refresh_from_db()
    assert parent.email == "d@example.org"
    assert parent.relationships.get().kind == "mother"


def test_placement_form_records_a_move_and_ends_the_current_placement(
    client_for, family, caseworker
):
    child = family.test_child
    old = _placement(family)
    response = client_for(caseworker).post(
        reverse("placement-add", args=[family.pk, child.pk]),
        {
            "setting": "nonrelative_foster",
            "start_date": "2026-11-10",
            "address": "4 Pine Lane",
            "end_reason": "Grandmother's health",
        },
    )
    assert response.status_code == 302
    old.refresh_from_db()
    assert (old.end_date, old.end_reason) == (dt.date(2026, 11, 10), "Grandmother's health")
    assert family.test_episode.placements.get(end_date__isnull=True).address == "4 Pine Lane"


def test_placement_before_the_removal_is_shown_on_the_date_field(client_for, family, caseworker):
    child = family.test_child
    response = client_for(caseworker).post(
        reverse("placement-add", args=[family.pk, child.pk]),
        {"setting": "nonrelative_foster", "start_date": "2026-01-10", "end_reason": "Moved"},
    )
    assert response.status_code == 200
    assert "on or after the removal" in response.context["form"].errors["start_date"][0]
    assert family.test_episode.placements.count() == 1
    assert _placement(family).end_date is None


def test_placement_end_form_ends_the_placement(client_for, family, caseworker):
    placement = _placement(family)
    response = client_for(caseworker).post(
        reverse("placement-end", args=[family.pk, placement.pk]),
        {"end_date": "2026-11-15", "end_reason": "Went home on a trial home visit"},
    )
    assert response.status_code == 302
    placement.refresh_from_db()
    assert placement.end_date == dt.date(2026, 11, 15)


def test_placement_of_another_family_is_404(client_for, family, coordinator, site):
    other = f.PlacementFactory(
        episode=f.EpisodeFactory(child=f.ChildFactory(case=f.CaseFactory(site=site)))
    )
    url = reverse("placement-end", args=[family.pk, other.pk])
    assert client_for(coordinator).get(url).status_code == 404


def test_plan_change_adds_a_new_plan_and_keeps_the_old_one(client_for, family, caseworker):
    child = family.test_child
    response = client_for(caseworker).post(
        reverse("permanency-plan-change", args=[family.pk, child.pk]),
        {
            "primary_goal": "guardianship",
            "concurrent_goal": "adoption",
            "effective_date": "2026-11-19",
            "reason": "Permanency hearing order",
        },
    )
    assert response.status_code == 302
    plans = list(child.permanency_plans.order_by("effective_date"))
    assert [p.primary_goal for p in plans] == ["reunification", "guardianship"]


def test_plan_change_without_a_reason_is_refused_on_the_reason_field(
    client_for, family, caseworker
):
    child = family.test_child
    response = client_for(caseworker).post(
        reverse("permanency-plan-change", args=[family.pk, child.pk]),
        {
            "primary_goal": "guardianship",
            "concurrent_goal": "adoption",
            "effective_date": "2026-11-19",
            "reason": "",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert child.permanency_plans.count() == 1


def test_forms_carry_a_csrf_token(family, coordinator):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    url = write_urls(family)["case-edit"]
    assert 'name="csrfmiddlewaretoken"' in client.get(url).content.decode()
    refused = client.post(
        url, {"name": "X", "opened_on": "2026-03-02", "enrollment": "out_of_home"}
    )
    assert refused.status_code == 403
    family.refresh_from_db()
    assert family.name == "Rivera family"


# --- Content Security Policy -----------------------------------------------------------------


def test_pages_send_an_enforced_csp_and_use_no_inline_styles(client_for, family, coordinator):
    client = client_for(coordinator)
    for url in [
        "/",
        "/cases/",
        reverse("case-detail", args=[family.pk]),
        write_urls(family)["placement-add"],
    ]:
        response = client.get(url)
        assert "Content-Security-Policy" in response.headers
        html = response.content.decode()
        assert " style=" not in html and "<style" not in html
        for tag in html.split("<script")[1:]:
            assert 'nonce="' in tag.split(">")[0]


# --- Django admin --------------------------------------------------------------------------


@pytest.fixture
def staff_site_admin(site_admin):
    site_admin.is_staff = True
    site_admin.save()
    return site_admin


def test_site_admin_sees_only_their_sites_cases_in_the_admin(
    client_for, family, staff_site_admin, other_site
):
    other = f.CaseFactory(site=other_site, name="Southern family")
    client = client_for(staff_site_admin)
    html = client.get("/admin/cases/case/").content.decode()
    assert "Rivera family" in html and "Southern family" not in html
    assert client.get(f"/admin/cases/case/{family.pk}/change/").status_code == 200
    assert (
        client.get(f"/admin/cases/case/{other.pk}/change/").status_code == 302
    )  # refused: back to the index


def test_admin_refuses_to_delete_case_records(client_for, family, staff_site_admin):
    client = client_for(staff_site_admin)
    assert client.get(f"/admin/cases/case/{family.pk}/delete/").status_code == 403
    assert client.get(f"/admin/cases/child/{family.test_child.pk}/delete/").status_code == 403
    assert Case.objects.filter(pk=family.pk).exists()


def test_admin_change_is_audited(client_for, family, staff_site_admin):
    # Only a superuser changes case records in the admin (a site admin reads: issue 18).
    superuser = f.UserFactory(email="root@national.example.org", is_staff=True, is_superuser=True)
    client = client_for(superuser)
    response = client.post(
        f"/admin/cases/case/{family.pk}/change/",
        {
            "site": family.site_id,
            "name": "Rivera family (renamed)",
            "opened_on": "2026-03-02",
            "enrollment": "out_of_home",
        },
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="update", record_id=family.pk)
    assert event.detail == {"fields": ["name"], "via": "admin"}


def test_members_without_staff_status_cannot_open_the_admin(client_for, family, coordinator):
    response = client_for(coordinator).get("/admin/cases/case/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_staff_user_who_is_not_a_site_admin_sees_no_case_records(client_for, family, coordinator):
    coordinator.is_staff = True
    coordinator.save()
    assert client_for(coordinator).get("/admin/cases/case/").status_code == 403


def test_site_admin_cannot_edit_accounts_in_the_admin(client_for, staff_site_admin):
    assert client_for(staff_site_admin).get("/admin/teams/user/").status_code == 403


# --- Menus and links that lead somewhere ---------------------------------------------------------


def test_aggregate_only_roles_get_no_families_menu_and_the_list_points_to_the_dashboards(
    client_for, family, sit_member, coordinator
):
    client = client_for(sit_member)
    home = client.get("/").content.decode()
    assert f'href="{reverse("case-list")}"' not in home
    assert reverse("cqi-index") in home
    page = client.get(reverse("case-list")).content.decode()  # typed in: it says why
    assert "0 families" not in page and "no family to find here" in page
    assert f'href="{reverse("cqi-index")}"' in page
    coordinator_home = client_for(coordinator).get("/").content.decode()
    assert f'href="{reverse("case-list")}">Families</a>' in coordinator_home


def test_judges_home_links_to_the_program_dashboards(client_for, family, judge):
    html = client_for(judge).get("/").content.decode()
    assert f'<a href="{reverse("cqi-index")}">Program dashboards</a>' in html
    dashboards = client_for(judge).get(reverse("cqi-index"))
    assert dashboards.status_code == 200
