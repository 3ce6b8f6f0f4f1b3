"""FTM pages: who may open them, the autosave endpoint, the summary, the family copy, home."""

import datetime as dt
import json

import pytest
import time_machine
from django.urls import reverse

from safebabies import codes
from teams.models import Ftm, FtmActionItem
from tests import factories as f
from tests.factories import FTM_NOW as NOW
from tests.factories import FTM_TODAY as TODAY
from tests.factories import make_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def meeting(family, coordinator, caseworker):
    return make_meeting(family, coordinator, caseworker)


def _save(client, ftm, body):
    return client.post(
        reverse("ftm-save", args=[ftm.pk]), json.dumps(body), content_type="application/json"
    )


# --- who may open what


@pytest.mark.parametrize("name", ["ftm-summary", "ftm-log", "ftm-family-copy"])
def test_outsider_gets_404_for_every_ftm_page(client_for, outsider, meeting, name):
    assert client_for(outsider).get(reverse(name, args=[meeting.ftm.pk])).status_code == 404


@pytest.mark.parametrize("name", ["ftm-summary", "ftm-log", "ftm-family-copy"])
def test_judge_gets_404_for_every_ftm_page(client_for, judge, meeting, name):
    assert client_for(judge).get(reverse(name, args=[meeting.ftm.pk])).status_code == 404


def test_judge_and_outsider_get_404_for_the_case_meetings(client_for, judge, outsider, meeting):
    url = reverse("case-ftms", args=[meeting.case.pk])
    assert client_for(judge).get(url).status_code == 404
    assert client_for(outsider).get(url).status_code == 404


def test_aggregate_only_member_gets_404(client_for, sit_member, meeting):
    assert (
        client_for(sit_member).get(reverse("ftm-summary", args=[meeting.ftm.pk])).status_code == 404
    )


def test_caseworker_not_on_the_team_gets_404(client_for, other_caseworker, meeting):
    response = client_for(other_caseworker).get(reverse("ftm-summary", args=[meeting.ftm.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("persona", ["parent_mentor", "parent_attorney"])
def test_read_only_team_roles_cannot_log_or_save(client_for, request, meeting, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("ftm-log", args=[meeting.ftm.pk])).status_code == 403
    assert _save(client, meeting.ftm, {"version": 1, "fields": {"notes": "x"}}).status_code == 403
    assert client.post(reverse("ftm-held", args=[meeting.ftm.pk])).status_code == 403
    assert client.post(reverse("ftm-new", args=[meeting.case.pk])).status_code == 403
    meeting.ftm.refresh_from_db()
    assert meeting.ftm.notes == "" and meeting.ftm.status == "scheduled"


def test_wrong_methods_get_405(client_for, coordinator, meeting):
    client = client_for(coordinator)
    assert client.get(reverse("ftm-save", args=[meeting.ftm.pk])).status_code == 405
    assert client.get(reverse("ftm-held", args=[meeting.ftm.pk])).status_code == 405
    assert client.post(reverse("ftm-summary", args=[meeting.ftm.pk])).status_code == 405
    assert client.post(reverse("ftm-log", args=[meeting.ftm.pk])).status_code == 405
    assert client.post(reverse("ftm-family-copy", args=[meeting.ftm.pk])).status_code == 405
    assert client.post(reverse("case-ftms", args=[meeting.case.pk])).status_code == 405


def test_parent_mentor_sees_attendance_and_action_items_but_not_the_discussion(
    client_for, parent_mentor, meeting
):
    previous = meeting.previous
    previous.going_well = "Dorothy found a job"
    previous.save()
    page = client_for(parent_mentor).get(reverse("ftm-summary", args=[previous.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Book the parenting class" in text
    assert "Parent took part: yes" in text
    assert previous.notes not in text
    assert "Dorothy found a job" not in text


def test_caseworker_on_the_team_sees_the_discussion(client_for, caseworker, meeting):
    page = client_for(caseworker).get(reverse("ftm-summary", args=[meeting.previous.pk]))
    assert meeting.previous.notes in page.content.decode()


# --- logging


def test_log_page_lists_invitees_and_last_meetings_items_first(client_for, coordinator, meeting):
    page = client_for(coordinator).get(reverse("ftm-log", args=[meeting.ftm.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert str(meeting.case.test_parent) in text
    assert text.index("Book the parenting class") < text.index("In the family's own words")


def test_autosave_saves_and_a_reload_shows_it(client_for, coordinator, caseworker, meeting):
    client = client_for(coordinator)
    response = _save(
        client,
        meeting.ftm,
        {
            "version": 1,
            "fields": {"hopes": "Jaime home by spring", "confidentiality_acknowledged": True},
            "attendance": [{"email": caseworker.email, "role": "caseworker", "mode": "remote"}],
            "reviewed": [{"id": meeting.old_items[0].pk, "status": "done"}],
            "action_items": [{"id": "ai-web-1", "description": "Call the pediatrician"}],
        },
    )
    assert response.status_code == 200
    assert response.json()["version"] == 2
    page = client.get(reverse("ftm-log", args=[meeting.ftm.pk])).content.decode()
    assert "Jaime home by spring" in page
    assert "Call the pediatrician" in page
    assert 'data-version="2"' in page
    assert f'id="review-{meeting.old_items[0].pk}-done" value="done" checked' in page


def test_autosave_from_a_stale_version_is_refused_with_409(client_for, coordinator, meeting):
    client = client_for(coordinator)
    assert _save(client, meeting.ftm, {"version": 1, "fields": {"worries": "a"}}).status_code == 200
    stale = _save(client, meeting.ftm, {"version": 1, "fields": {"worries": "b"}})
    assert stale.status_code == 409
    assert "reload" in stale.json()["conflict"].lower()
    meeting.ftm.refresh_from_db()
    assert meeting.ftm.worries == "a"


def test_autosave_with_bad_input_names_the_field(client_for, coordinator, meeting):
    response = _save(
        client_for(coordinator),
        meeting.ftm,
        {"version": 1, "fields": {"next_ftm_on": "soon"}},
    )
    assert response.status_code == 400
    assert "next_ftm_on" in response.json()["errors"]


def test_autosave_without_a_version_is_refused(client_for, coordinator, meeting):
    response = _save(client_for(coordinator), meeting.ftm, {"fields": {"notes": "x"}})
    assert response.status_code == 400
    assert "version" in response.json()["errors"]


def test_marking_held_goes_to_the_summary_and_schedules_the_next(client_for, coordinator, meeting):
    response = client_for(coordinator).post(reverse("ftm-held", args=[meeting.ftm.pk]))
    assert response.status_code == 302
    assert response.url == reverse("ftm-summary", args=[meeting.ftm.pk])
    meeting.ftm.refresh_from_db()
    assert meeting.ftm.status == codes.FtmStatus.HELD
    assert Ftm.objects.filter(case=meeting.case, scheduled_on__gt=TODAY).exists()


def test_coordinator_plans_the_next_meeting(client_for, coordinator, meeting):
    client = client_for(coordinator)
    form = client.get(reverse("ftm-new", args=[meeting.case.pk]))
    assert form.status_code == 200
    response = client.post(
        reverse("ftm-new", args=[meeting.case.pk]),
        {
            "scheduled_on": "2026-12-22",
            "starts_at": "13:00",
            "location": "Video call",
            "another_as_well": "on",  # today's meeting is still on the calendar
        },
    )
    ftm = Ftm.objects.get(case=meeting.case, scheduled_on=dt.date(2026, 12, 22))
    assert response.url == reverse("ftm-log", args=[ftm.pk])
    assert ftm.location == "Video call"


def test_plan_one_warns_that_a_meeting_is_already_on_the_calendar(client_for, coordinator, meeting):
    planned = Ftm.objects.create(
        case=meeting.case, scheduled_on=dt.date(2026, 12, 31), starts_at=dt.time(13, 0)
    )
    meeting.ftm.status = codes.FtmStatus.HELD
    meeting.ftm.save()
    client = client_for(coordinator)
    url = reverse("ftm-new", args=[meeting.case.pk])
    text = client.get(url).content.decode()
    assert "This family already has an FTM on the calendar: Thursday 31 Dec 2026" in text
    assert reverse("ftm-log", args=[planned.pk]) in text
    refused = client.post(url, {"scheduled_on": "2027-01-05"})
    assert refused.status_code == 200
    assert "An FTM is already on the calendar for this family on Thursday 31 December 2026" in (
        refused.content.decode()
    )
    assert not Ftm.objects.filter(case=meeting.case, scheduled_on=dt.date(2027, 1, 5)).exists()
    client.post(url, {"scheduled_on": "2027-01-05", "another_as_well": "on"})
    assert Ftm.objects.filter(case=meeting.case, scheduled_on=dt.date(2027, 1, 5)).exists()


def test_plan_one_preselects_the_coordinator_planning_it_as_facilitator(
    client_for, coordinator, meeting
):
    meeting.ftm.status = codes.FtmStatus.HELD
    meeting.ftm.save()
    page = client_for(coordinator).get(reverse("ftm-new", args=[meeting.case.pk]))
    assert page.context["form"]["facilitator"].value() == coordinator.pk
    assert f'<option value="{coordinator.pk}" selected>' in page.content.decode()


def test_the_next_date_is_one_date_on_every_page_and_on_the_calendar(
    client_for, coordinator, meeting
):
    """Issue 20: entering 5 Jan with a meeting already on the calendar for 31 Dec."""
    planned = Ftm.objects.create(case=meeting.case, scheduled_on=dt.date(2026, 12, 31))
    client = client_for(coordinator)
    log = client.get(reverse("ftm-log", args=[meeting.ftm.pk])).content.decode()
    assert (
        'name="next_ftm_on" data-field aria-describedby="next-calendar" value="2026-12-31"' in log
    )
    assert "On the calendar: Thursday 31 Dec 2026" in log
    saved = _save(client, meeting.ftm, {"version": 1, "fields": {"next_ftm_on": "2027-01-05"}})
    assert saved.status_code == 200
    held = client.post(reverse("ftm-held", args=[meeting.ftm.pk]), follow=True)
    assert "The next one is on Tuesday 5 January 2027." in held.content.decode()
    summary = client.get(reverse("ftm-summary", args=[meeting.ftm.pk])).content.decode()
    assert "Tuesday 5 Jan 2027" in summary and "31 Dec" not in summary
    copy = client.get(reverse("ftm-family-copy", args=[meeting.ftm.pk])).content.decode()
    assert "We will meet again on Tuesday 5 January 2027." in copy
    case_page = client.get(reverse("case-detail", args=[meeting.case.pk]))
    assert case_page.context["page"].next_ftm == planned
    planned.refresh_from_db()
    assert planned.scheduled_on == dt.date(2027, 1, 5)
    assert Ftm.objects.filter(case=meeting.case, scheduled_on__gt=TODAY).count() == 1


def test_an_item_not_done_yet_is_in_the_next_meetings_review(client_for, coordinator, meeting):
    book, visit = meeting.old_items
    client = client_for(coordinator)
    _save(
        client,
        meeting.ftm,
        {
            "version": 1,
            "fields": {"next_ftm_on": "2026-12-21"},
            "reviewed": [
                {"id": book.pk, "status": "open", "not_done_reason": "The class is full"},
                {"id": visit.pk, "status": "done"},
            ],
        },
    )
    page = client.get(reverse("ftm-log", args=[meeting.ftm.pk])).content.decode()
    assert f'id="review-{book.pk}-open" value="open" checked' in page
    client.post(reverse("ftm-held", args=[meeting.ftm.pk]))
    december = Ftm.objects.get(case=meeting.case, scheduled_on=dt.date(2026, 12, 21))
    page = client.get(reverse("ftm-log", args=[december.pk])).content.decode()
    assert "Book the parenting class" in page
    assert "Not done yet on 23 Nov: The class is full" in page
    assert "Visit the new apartment" not in page
    assert f'id="review-{book.pk}-open" value="open" checked' not in page  # not chosen here yet


def test_summary_says_roles_and_review_results_in_words(
    client_for, coordinator, caseworker, meeting
):
    lawyer = f.site_member(meeting.case.site, "child_attorney", email="ca@north.example.org")
    guardian = f.site_member(meeting.case.site, "gal_casa", email="casa@north.example.org")
    f.TeamMemberFactory(case=meeting.case, user=lawyer, role="child_attorney")
    f.TeamMemberFactory(case=meeting.case, user=guardian, role="gal_casa")
    book, _visit = meeting.old_items
    book.description = "Send Dorothy the childcare drop-off routine the team agreed on."
    book.save()
    client = client_for(coordinator)
    _save(
        client,
        meeting.ftm,
        {
            "version": 1,
            "attendance": [
                {"email": coordinator.email, "role": "community_coordinator", "mode": "in_person"},
                {"email": lawyer.email, "role": "child_attorney", "mode": "remote"},
                {"email": guardian.email, "role": "gal_casa", "mode": "in_person"},
                {"name": "Aunt Lucia", "role": "resource_parent", "mode": "in_person"},
            ],
            "reviewed": [{"id": book.pk, "status": "done"}],
        },
    )
    text = client.get(reverse("ftm-summary", args=[meeting.ftm.pk])).content.decode()
    for code in ("communitycoordinator", "childattorney", "galcasa", "resourceparent"):
        assert code not in text
    assert "(Community Coordinator)" in text and "(GAL / CASA)" in text
    assert "(Resource parent)" in text
    assert ".:" not in text
    assert "agreed on.</span>" in text and "<strong>Done</strong>" in text


def test_home_lists_an_item_agreed_again_at_later_meetings_once(client_for, caseworker, meeting):
    for days in (60, 90):
        earlier = Ftm.objects.create(
            case=meeting.case, scheduled_on=TODAY - dt.timedelta(days=days), status="held"
        )
        FtmActionItem.objects.create(
            ftm=earlier,
            description="Book the parenting class ",
            owner=caseworker,
            due_on=TODAY - dt.timedelta(days=days - 30),
        )
    FtmActionItem.objects.create(
        ftm=meeting.previous, description="", owner=caseworker, due_on=TODAY
    )
    home = client_for(caseworker).get("/")
    items = home.context["my_action_items"]
    assert sorted(item.description.strip() for item in items) == ["", "Book the parenting class"]
    (book,) = [item for item in items if item.description]
    assert book == meeting.old_items[0]  # as last agreed


# --- after the meeting


def test_family_copy_in_english_and_spanish(client_for, coordinator, caseworker, meeting):
    FtmActionItem.objects.create(
        ftm=meeting.ftm,
        description="Llamar al pediatra",
        owner=caseworker,
        owner_role="caseworker",
        due_on=dt.date(2026, 12, 21),
    )
    meeting.ftm.next_ftm_on = dt.date(2026, 12, 21)
    meeting.ftm.notes = "Private discussion"
    meeting.ftm.save()
    client = client_for(coordinator)
    english = client.get(reverse("ftm-family-copy", args=[meeting.ftm.pk])).content.decode()
    spanish = client.get(reverse("ftm-family-copy", args=[meeting.ftm.pk]) + "?lang=es")
    spanish_text = spanish.content.decode()
    assert "We will meet again on Monday 21 December 2026." in english
    assert "will do this by Monday 21 December 2026" in english
    assert "Nos volveremos a reunir el lunes 21 de diciembre de 2026." in spanish_text
    assert "trabajador/a social" in spanish_text
    assert "Private discussion" not in english and "Private discussion" not in spanish_text


def test_family_copy_names_the_community_coordinator_whoever_facilitated(
    client_for, coordinator, caseworker, meeting
):
    meeting.ftm.facilitator = caseworker
    meeting.ftm.save()
    copy = client_for(coordinator).get(reverse("ftm-family-copy", args=[meeting.ftm.pk]))
    questions = copy.context["copy"].questions
    assert questions == (
        f"Questions? Write to or call your Community Coordinator, {coordinator}: "
        f"{coordinator.email}."
    )
    assert questions in copy.content.decode()


# --- home and case page


def test_coordinator_home_lists_families_without_an_ftm_in_the_last_month_most_overdue_first(
    client_for, coordinator, site, family
):
    recent = f.CaseFactory(site=site, name="Recent family", opened_on=dt.date(2026, 1, 5))
    Ftm.objects.create(case=recent, scheduled_on=TODAY - dt.timedelta(days=10), status="held")
    late = f.CaseFactory(site=site, name="Late family", opened_on=dt.date(2026, 1, 5))
    Ftm.objects.create(case=late, scheduled_on=TODAY - dt.timedelta(days=40), status="held")
    later = f.CaseFactory(site=site, name="Later family", opened_on=dt.date(2026, 1, 5))
    Ftm.objects.create(case=later, scheduled_on=TODAY - dt.timedelta(days=90), status="held")
    for case in (recent, late, later):
        f.TeamMemberFactory(case=case, user=coordinator, role="community_coordinator")
    home = client_for(coordinator).get("/")
    overdue = [case.name for case in home.context["ftm_overdue"]]
    assert "Recent family" not in overdue
    assert overdue.index("Later family") < overdue.index("Late family")
    assert family.name in overdue  # never met yet


def test_team_member_home_shows_their_open_action_items(client_for, caseworker, meeting):
    home = client_for(caseworker).get("/")
    assert [item.description for item in home.context["my_action_items"]] == [
        "Book the parenting class"
    ]
    assert "Book the parenting class" in home.content.decode()


@pytest.mark.parametrize("families", [1, 4])
def test_home_takes_the_same_queries_whatever_the_number_of_overdue_families(
    client_for, coordinator, caseworker, site, families, django_assert_num_queries
):
    for number in range(families):
        case = f.CaseFactory(site=site, name=f"Family {number}")
        f.TeamMemberFactory(case=case, user=coordinator, role="community_coordinator")
        f.TeamMemberFactory(case=case, user=caseworker, role="caseworker")
        ftm = Ftm.objects.create(case=case, scheduled_on=TODAY - dt.timedelta(days=60))
        FtmActionItem.objects.create(ftm=ftm, owner=caseworker, due_on=TODAY, description="x")
    client = client_for(coordinator)
    client.get("/")  # warm the session
    with django_assert_num_queries(HOME_QUERIES):
        response = client.get("/")
    assert len(response.context["ftm_overdue"]) == families


# warm session, with the transfers waiting for the site and the families without a hearing
# lately, the services' latest sessions and the Part 2 releases that open some, the caseload
# intensity (issue 22); tests/test_pages.py counts a first visit
HOME_QUERIES = 18


def test_case_page_links_the_next_ftm_to_its_log(client_for, coordinator, meeting):
    page = client_for(coordinator).get(reverse("case-detail", args=[meeting.case.pk]))
    assert reverse("ftm-log", args=[meeting.ftm.pk]) in page.content.decode()


def test_the_action_items_warn_that_the_parent_mentor_and_the_court_read_them(
    client_for, coordinator, meeting
):
    text = client_for(coordinator).get(reverse("ftm-log", args=[meeting.ftm.pk])).content.decode()
    warning = (
        "The parent mentor can read these action items, and the judge's pre-hearing summary"
        " counts them."
    )
    assert warning in text
    assert 'data-item="description" aria-describedby="items-readers"' in text


def test_the_autosave_answers_the_fields_now_and_a_conflict_with_their_value(
    client_for, family, coordinator, caseworker
):
    import json

    from teams import services as ftm_services
    from teams.models import Ftm

    ftm = Ftm.objects.create(case=family, scheduled_on=family.site.today())
    ftm_services.ftm_log(ftm=ftm, actor=caseworker, version=1, changes={"hopes": "Home"})
    client = client_for(coordinator)
    url = f"/ftms/{ftm.pk}/save/"
    body = {"version": 1, "fields": {"worries": "Rent"}, "base": {"worries": [""]}}
    response = client.post(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["fields"]["hopes"] == "Home" and answer["fields"]["worries"] == "Rent"
    assert answer["saved_at_label"]
    body = {"version": 1, "fields": {"hopes": "Soon"}, "base": {"hopes": [""]}}
    response = client.post(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 409
    assert response.json()["fields"] == {"hopes": "Home"}
    for bad in ({"base": "x"}, {"removed_items": "x"}, {"fields": ["x"]}):
        response = client.post(
            url, json.dumps({"version": 1, **bad}), content_type="application/json"
        )
        assert response.status_code == 400, bad


@pytest.mark.parametrize(
    "body",
    [
        {"version": 1, "fields": {"notes": "a\u0000b"}},
        {"version": 1, "action_items": [{"id": "ai-\u0000", "description": "x"}]},
        {"version": 1, "attendance": [{"name": "Zoe\u0000", "role": "support", "mode": "absent"}]},
        {"version": 1e999},
        {"version": 1.5},
        {"version": True},
        {"version": 1, "fields": {"next_ftm_on": "9999-12-31"}},
    ],
)
def test_the_autosave_answers_bad_input_with_a_400(client_for, family, coordinator, body):
    import json

    from teams.models import Ftm

    ftm = Ftm.objects.create(case=family, scheduled_on=family.site.today())
    response = client_for(coordinator).post(
        f"/ftms/{ftm.pk}/save/",
        json.dumps(body).replace("Infinity", "1e999"),
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
