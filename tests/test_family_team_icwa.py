"""The family team page (cases/team) and ICWA and relatives (cases/icwa): issue 19, items 5
and 6. Who may open each page and API is tests/test_permission_matrix.py's; here, what they do."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from cases.icwa.selectors import icwa_flags
from cases.models import Hearing, Person, TeamMember, TribeNotice
from safebabies import codes
from safebabies.audit.models import AuditEvent
from tests import factories as f

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 20, 15, 0, tzinfo=dt.UTC)  # 9 a.m. at the site; removal on 1 March
TODAY = dt.date(2026, 3, 20)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _relative(family, **fields):
    return f.PersonFactory(
        case=family, kind=Person.Kind.RELATIVE, given_name="Rosa", family_name="Lopez", **fields
    )


# --- The family team page -------------------------------------------------------------------


def test_team_page_shows_each_member_with_e_mail_and_phone(client_for, family, caseworker):
    place = family.team_members.get(user=caseworker)
    place.phone = "555-0123"
    place.save(update_fields=["phone"])
    body = client_for(caseworker).get(reverse("case-team", args=[family.pk])).content.decode()
    assert "caseworker@north.example.org" in body
    assert "555-0123" in body
    assert "Add someone to the team" not in body  # a caseworker reads the team
    assert AuditEvent.objects.filter(
        action="view", record_id=family.pk, detail__page="team"
    ).exists()


def test_parent_mentor_reads_the_team_but_not_the_peoples_contact_details(
    client_for, family, parent_mentor
):
    family.test_parent.phone = "555-0999"
    family.test_parent.save(update_fields=["phone"])
    body = client_for(parent_mentor).get(reverse("case-team", args=[family.pk])).content.decode()
    assert "Dorothy" in body
    assert "555-0999" not in body


def test_coordinator_adds_a_site_member_in_a_role_they_hold(client_for, family, coordinator, site):
    newcomer = f.site_member(site, "gal_casa", email="casa@north.example.org")
    response = client_for(coordinator).post(
        reverse("team-member-add", args=[family.pk]),
        {"email": newcomer.email, "role": "gal_casa", "phone": "555-0144"},
    )
    assert response.status_code == 302
    place = TeamMember.objects.get(case=family, user=newcomer, removed_at__isnull=True)
    assert (place.role, place.phone) == ("gal_casa", "555-0144")
    assert AuditEvent.objects.filter(
        action="create", record_type="cases.teammember", record_id=str(place.pk)
    ).exists()


def test_a_role_the_member_does_not_hold_is_refused_on_the_role_field(
    client_for, family, coordinator, site
):
    newcomer = f.site_member(site, "gal_casa", email="casa@north.example.org")
    response = client_for(coordinator).post(
        reverse("team-member-add", args=[family.pk]),
        {"email": newcomer.email, "role": "caseworker"},
    )
    assert response.status_code == 200
    assert "does not hold the role" in str(response.context["form"].errors["role"])
    assert not TeamMember.objects.filter(case=family, user=newcomer).exists()


def test_coordinator_ends_a_place_dated_and_audited(client_for, family, coordinator, clinician):
    place = family.team_members.get(user=clinician)
    response = client_for(coordinator).post(reverse("team-member-end", args=[family.pk, place.pk]))
    assert response.status_code == 302
    place.refresh_from_db()
    assert place.removed_at is not None  # dated, not deleted
    assert AuditEvent.objects.filter(
        action="delete", record_type="cases.teammember", record_id=str(place.pk)
    ).exists()
    body = client_for(coordinator).get(reverse("case-team", args=[family.pk])).content.decode()
    assert "Places that ended (1)" in body


def test_caseworker_cannot_end_a_place(client_for, family, caseworker, clinician):
    place = family.team_members.get(user=clinician)
    response = client_for(caseworker).post(reverse("team-member-end", args=[family.pk, place.pk]))
    assert response.status_code == 403
    place.refresh_from_db()
    assert place.removed_at is None


def test_end_is_post_only(client_for, family, coordinator, clinician):
    place = family.team_members.get(user=clinician)
    url = reverse("team-member-end", args=[family.pk, place.pk])
    assert client_for(coordinator).get(url).status_code == 405


def test_api_ends_a_place_and_lists_the_phone(api, family, coordinator, clinician):
    place = family.team_members.get(user=clinician)
    place.phone = "555-0155"
    place.save(update_fields=["phone"])
    api.force_authenticate(coordinator)
    listed = api.get(f"/api/v1/cases/{family.pk}/team-members/").json()["results"]
    assert {"email": clinician.email, "phone": "555-0155"}.items() <= next(
        row for row in listed if row["id"] == place.pk
    ).items()
    url = f"/api/v1/cases/{family.pk}/team-members/{place.pk}/end/"
    response = api.post(url)
    assert response.status_code == 200
    assert response.json()["removed_at"]
    ended = response.json()["removed_at"]
    assert api.post(url).json()["removed_at"] == ended  # ending again changes nothing
    listed = api.get(f"/api/v1/cases/{family.pk}/team-members/").json()["results"]
    assert place.pk not in {row["id"] for row in listed}


def test_api_add_with_a_role_not_held_names_the_role(api, family, coordinator, site):
    newcomer = f.site_member(site, "gal_casa", email="casa@north.example.org")
    api.force_authenticate(coordinator)
    response = api.post(
        f"/api/v1/cases/{family.pk}/team-members/",
        {"email": newcomer.email, "role": "clinician", "phone": "555-0100"},
        format="json",
    )
    assert response.status_code == 400
    assert "role" in response.json()


def test_adding_one_of_the_familys_people_with_their_notice(client_for, family, caseworker):
    child = family.test_child
    response = client_for(caseworker).post(
        reverse("team-person-add", args=[family.pk]),
        {
            "kind": "relative",
            "given_name": "Rosa",
            "family_name": "Lopez",
            "preferred_language": "Spanish",
            f"rel_{child.pk}": "aunt_uncle",
            "notified_on": "2026-03-10",
        },
    )
    assert response.status_code == 302
    rosa = Person.objects.get(case=family, given_name="Rosa")
    assert (rosa.kind, rosa.notified_on) == ("relative", dt.date(2026, 3, 10))
    assert rosa.relationships.get().kind == "aunt_uncle"


def test_a_notice_on_a_day_to_come_is_refused_naming_the_field(client_for, family, caseworker):
    response = client_for(caseworker).post(
        reverse("team-person-add", args=[family.pk]),
        {"kind": "relative", "given_name": "Rosa", "notified_on": "2026-03-21"},
    )
    assert response.status_code == 200
    assert "notified_on" in response.context["form"].errors
    assert not Person.objects.filter(case=family, given_name="Rosa").exists()


def test_a_notice_is_for_a_relative_only(api, family, caseworker):
    api.force_authenticate(caseworker)
    response = api.patch(
        f"/api/v1/people/{family.test_parent.pk}/", {"notified_on": "2026-03-10"}, format="json"
    )
    assert response.status_code == 400
    assert "notified_on" in response.json()


# --- Relatives' notice: due 30 days after the removal ------------------------------------------


def test_relative_not_notified_is_due_then_overdue(family):
    _relative(family)
    flags = icwa_flags(family, TODAY)
    assert flags == [
        "Notice to relatives due (by 31 Mar 2026, 30 days after the removal on 1 Mar 2026): "
        "Rosa Lopez."
    ]
    assert "overdue" in icwa_flags(family, dt.date(2026, 4, 1))[0]


def test_relative_notified_after_the_removal_is_not_flagged(family):
    _relative(family, notified_on=dt.date(2026, 3, 5))
    assert icwa_flags(family, TODAY) == []


def test_a_notice_of_an_earlier_removal_does_not_count_for_a_re_entry(family):
    episode = family.test_episode
    episode.placements.update(end_date=dt.date(2026, 3, 5), end_reason="Home")
    episode.discharge_date = dt.date(2026, 3, 5)
    episode.discharge_reason = codes.DischargeReason.REUNIFICATION
    episode.save()
    f.EpisodeFactory(child=family.test_child, removal_date=dt.date(2026, 3, 15))
    _relative(family, notified_on=dt.date(2026, 3, 3))
    assert "after the removal on 15 Mar 2026" in icwa_flags(family, TODAY)[0]


def test_no_child_in_care_no_notice_due(family):
    episode = family.test_episode
    episode.placements.update(end_date=dt.date(2026, 3, 5), end_reason="Home")
    episode.discharge_date = dt.date(2026, 3, 5)
    episode.discharge_reason = codes.DischargeReason.REUNIFICATION
    episode.save()
    _relative(family)
    assert icwa_flags(family, TODAY) == []


# --- ICWA: notice to tribes, the active-efforts finding -------------------------------------


def _icwa(family, status=codes.Icwa.REASON_TO_KNOW):
    child = family.test_child
    child.icwa = status
    child.save(update_fields=["icwa"])
    return child


def test_icwa_applies_and_no_tribe_noticed_is_flagged(family):
    _icwa(family, codes.Icwa.APPLIES)
    assert icwa_flags(family, TODAY) == [
        "ICWA: Jaime (ICWA applies): no tribe has been sent notice yet."
    ]


def test_a_tribe_whose_notice_is_not_sent_is_flagged_until_it_is(family):
    child = _icwa(family)
    notice = TribeNotice.objects.create(child=child, tribe="Navajo Nation")
    assert icwa_flags(family, TODAY) == [
        "ICWA: Jaime (reason to know): notice to Navajo Nation not sent yet."
    ]
    notice.notice_sent_on = dt.date(2026, 3, 2)
    notice.save()
    assert icwa_flags(family, TODAY) == []


def test_icwa_unknown_raises_no_tribe_flag(family):
    assert icwa_flags(family, TODAY) == []


def test_case_page_shows_the_flags(client_for, family, caseworker):
    _icwa(family)
    _relative(family)
    body = client_for(caseworker).get(reverse("case-detail", args=[family.pk])).content.decode()
    assert "no tribe has been sent notice yet" in body
    assert "Notice to relatives due" in body


def test_api_records_a_tribe_notice_and_its_answer(api, family, caseworker):
    child = _icwa(family)
    api.force_authenticate(caseworker)
    created = api.post(
        "/api/v1/tribe-notices/",
        {"child_id": child.pk, "tribe": "Navajo Nation", "notice_sent_on": "2026-03-02"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    row = created.json()
    assert (row["case_id"], row["response_on"]) == (family.pk, None)
    early = api.patch(
        f"/api/v1/tribe-notices/{row['id']}/", {"response_on": "2026-03-01"}, format="json"
    )
    assert early.status_code == 400
    assert "response_on" in early.json()
    answered = api.patch(
        f"/api/v1/tribe-notices/{row['id']}/",
        {"response_on": "2026-03-12", "response": "Eligible for membership."},
        format="json",
    )
    assert answered.status_code == 200
    assert answered.json()["response_on"] == "2026-03-12"
    again = api.post(
        "/api/v1/tribe-notices/", {"child_id": child.pk, "tribe": "navajo nation"}, format="json"
    )
    assert again.status_code == 400
    assert "tribe" in again.json()
    assert AuditEvent.objects.filter(record_type="cases.tribenotice", action="update").exists()


def test_a_tribe_for_a_child_icwa_does_not_apply_to_is_refused(api, family, caseworker):
    child = _icwa(family, codes.Icwa.DOES_NOT_APPLY)
    api.force_authenticate(caseworker)
    response = api.post(
        "/api/v1/tribe-notices/", {"child_id": child.pk, "tribe": "Navajo Nation"}, format="json"
    )
    assert response.status_code == 400
    assert "child_id" in response.json()


def test_tribe_notice_pages_add_and_update(client_for, family, caseworker):
    child = _icwa(family)
    client = client_for(caseworker)
    response = client.post(
        reverse("tribe-notice-add", args=[family.pk]),
        {"child": child.pk, "tribe": "Navajo Nation", "notice_sent_on": ""},
    )
    assert response.status_code == 302
    notice = TribeNotice.objects.get(child=child)
    response = client.post(
        reverse("tribe-notice-edit", args=[family.pk, notice.pk]),
        {"tribe": "Navajo Nation", "notice_sent_on": "2026-03-04", "response_on": ""},
    )
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.notice_sent_on == dt.date(2026, 3, 4)


def test_active_efforts_finding_at_a_held_hearing_where_icwa_may_apply(
    client_for, api, family, caseworker
):
    hearing = f.HearingFactory(case=family, scheduled_on=dt.date(2026, 3, 10), status="held")
    api.force_authenticate(caseworker)
    url = f"/api/v1/hearings/{hearing.pk}/"
    refused = api.patch(url, {"active_efforts": "made"}, format="json")
    assert refused.status_code == 400  # ICWA not known to apply
    assert "active_efforts" in refused.json()
    _icwa(family)
    assert api.patch(url, {"active_efforts": "made"}, format="json").json()["active_efforts"] == (
        "made"
    )
    coming = f.HearingFactory(case=family, scheduled_on=dt.date(2026, 4, 10))
    response = client_for(caseworker).post(
        reverse("hearing-active-efforts", args=[family.pk, coming.pk]),
        {"active_efforts": "not_made"},
    )
    assert response.status_code == 200  # a hearing still to come has no finding yet
    assert "active_efforts" in response.context["form"].errors
    response = client_for(caseworker).post(
        reverse("hearing-active-efforts", args=[family.pk, hearing.pk]),
        {"active_efforts": "not_made"},
    )
    assert response.status_code == 302
    assert Hearing.objects.get(pk=hearing.pk).active_efforts == "not_made"


def test_parent_does_not_read_the_active_efforts_finding(api, family, site):
    _icwa(family)
    hearing = f.HearingFactory(
        case=family, scheduled_on=dt.date(2026, 3, 10), status="held", active_efforts="made"
    )
    parent = f.site_member(site, "parent", email="dorothy@example.org")
    f.TeamMemberFactory(case=family, user=parent, role="parent", person=family.test_parent)
    family.test_parent.relationships.create(child=family.test_child, kind="mother")
    api.force_authenticate(parent)
    row = api.get(f"/api/v1/hearings/{hearing.pk}/").json()
    assert "active_efforts" not in row


# --- The pre-hearing summary ----------------------------------------------------------------


def test_summary_flags_relatives_and_tribes_in_json(api, family, judge):
    child = _icwa(family, codes.Icwa.APPLIES)
    TribeNotice.objects.create(
        child=child, tribe="Navajo Nation", notice_sent_on=dt.date(2026, 3, 2)
    )
    TribeNotice.objects.create(child=child, tribe="Hopi Tribe")
    _relative(family)
    hearing = f.HearingFactory(case=family, scheduled_on=dt.date(2026, 3, 25))
    api.force_authenticate(judge)
    summary = api.get(f"/api/v1/hearings/{hearing.pk}/summary/").json()
    assert "ICWA: Jaime (ICWA applies): notice to Hopi Tribe not sent yet." in summary["flags"]
    assert any(flag.startswith("Notice to relatives due") for flag in summary["flags"])
    tribes = summary["children"][0]["tribes"]
    assert [t["tribe"] for t in tribes] == ["Hopi Tribe", "Navajo Nation"]
    assert tribes[1]["notice_sent_on"] == "2026-03-02"


@pytest.mark.parametrize(
    ("finding", "flag"),
    [
        ("", "ICWA: no active-efforts finding is recorded for the review hearing of 10 Mar 2026."),
        (
            "not_made",
            "ICWA: at the review hearing of 10 Mar 2026 the court found active efforts "
            "were not made.",
        ),
        (
            "no_finding",
            "ICWA: the court made no active-efforts finding at the review hearing of 10 Mar 2026.",
        ),
        ("made", None),
    ],
)
def test_the_last_held_hearings_active_efforts_finding_is_flagged(
    api, family, judge, finding, flag
):
    child = _icwa(family)
    TribeNotice.objects.create(child=child, tribe="Navajo Nation", notice_sent_on=TODAY)
    f.HearingFactory(  # an earlier hearing's finding does not count: the last one held does
        case=family, hearing_type="review", scheduled_on=dt.date(2026, 3, 3), status="held"
    )
    f.HearingFactory(
        case=family,
        hearing_type="review",
        scheduled_on=dt.date(2026, 3, 10),
        status="held",
        active_efforts=finding,
    )
    coming = f.HearingFactory(case=family, scheduled_on=dt.date(2026, 3, 25))
    expected = [flag] if flag else []
    assert icwa_flags(family, TODAY) == expected
    api.force_authenticate(judge)
    summary = api.get(f"/api/v1/hearings/{coming.pk}/summary/").json()
    assert [x for x in summary["flags"] if "active-efforts" in x or "active efforts" in x] == (
        expected
    )


def test_no_active_efforts_flag_without_a_child_icwa_may_concern(family):
    f.HearingFactory(case=family, scheduled_on=dt.date(2026, 3, 10), status="held")
    assert icwa_flags(family, TODAY) == []


def test_a_hearing_recorded_as_continued_loses_its_active_efforts_finding(
    client_for, family, caseworker
):
    _icwa(family)
    hearing = f.HearingFactory(
        case=family, scheduled_on=dt.date(2026, 3, 10), status="held", active_efforts="made"
    )
    response = client_for(caseworker).post(
        reverse("hearing-outcome", args=[family.pk, hearing.pk]),
        {
            "status": "continued",
            "continuance_reason": "The interpreter was ill.",
            "next_hearing_type": "review",
        },
    )
    assert response.status_code == 302
    hearing.refresh_from_db()
    assert (hearing.status, hearing.active_efforts) == ("continued", "")
    event = AuditEvent.objects.filter(
        action="update", record_type="cases.hearing", record_id=hearing.pk
    ).latest("pk")
    assert "active_efforts" in event.detail["fields"]


def test_a_finding_recorded_before_icwa_was_ruled_out_leaves_the_hearing_editable(
    api, family, caseworker
):
    child = _icwa(family)
    hearing = f.HearingFactory(
        case=family, scheduled_on=dt.date(2026, 3, 10), status="held", active_efforts="made"
    )
    child.icwa = codes.Icwa.DOES_NOT_APPLY
    child.save(update_fields=["icwa"])
    api.force_authenticate(caseworker)
    url = f"/api/v1/hearings/{hearing.pk}/"
    assert api.patch(url, {"courtroom": "4A"}, format="json").status_code == 200
    moved = api.patch(url, {"status": "continued", "continuance_reason": "Ill"}, format="json")
    assert moved.status_code == 400  # the finding stays with a held hearing: clear it first
    assert "active_efforts" in moved.json()
