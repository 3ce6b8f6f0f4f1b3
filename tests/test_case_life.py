"""A child's time in care from the case page: removal (a new child, a re-entry, brothers and
sisters together), placement changes, discharge and its undo, maltreatment reports and their
recurrence. As a user and as an attacker: outsiders get a 404, read-only roles a 403."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from assessments.selectors import case_plan
from cases.access import access_case
from cases.models import Case, Episode, MaltreatmentReport, Placement
from cqi import metrics
from safebabies.audit.models import AuditEvent
from tests import factories as f

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)  # 9 a.m. at the Chicago sites
TODAY = dt.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _sibling(family, name="Ana"):
    return f.ChildFactory(case=family, given_name=name, birth_date=dt.date(2026, 1, 5))


def _removal(client, family, children, **extra):
    data = {
        "children": [child.pk for child in children],
        "removal_date": "2026-11-02",
        "manner": "court_ordered",
        "reasons": ["neglect", "parent_drugs"],
        "setting": "relative_foster",
        "address": "7 Oak Road",
        **extra,
    }
    return client.post(reverse("removal-add", args=[family.pk]), data)


def _discharge_url(family, episode):
    return reverse("episode-discharge", args=[family.pk, episode.pk])


def _undo_url(family, episode):
    return reverse("episode-discharge-undo", args=[family.pk, episode.pk])


# --- Removal -------------------------------------------------------------------------------


def test_brothers_and_sisters_removed_together_each_get_their_removal_and_placement(
    client_for, family, caseworker
):
    ana, leo = _sibling(family, "Ana"), _sibling(family, "Leo")
    response = _removal(client_for(caseworker), family, [ana, leo])
    assert response.status_code == 302
    for child in (ana, leo):
        episode = child.episodes.get()
        assert episode.removal_date == dt.date(2026, 11, 2)
        assert episode.manner == "court_ordered"
        assert episode.reasons == ["neglect", "parent_drugs"]
        placement = episode.placements.get()
        assert (placement.setting, placement.start_date, placement.address) == (
            "relative_foster",
            dt.date(2026, 11, 2),
            "7 Oak Road",
        )
    created = AuditEvent.objects.filter(action="create", case_id=family.pk)
    assert created.filter(record_type="cases.episode").count() == 2
    assert created.filter(record_type="cases.placement").count() == 2


def test_a_sibling_group_is_all_or_nothing_and_names_the_child_already_in_care(
    client_for, family, caseworker
):
    ana = _sibling(family, "Ana")
    response = _removal(client_for(caseworker), family, [ana, family.test_child])
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert any(message.startswith("Jaime:") for message in errors["removal_date"])
    assert not ana.episodes.exists()
    assert family.test_child.episodes.count() == 1


def test_the_first_placement_may_start_after_the_removal(client_for, family, caseworker):
    ana = _sibling(family)
    _removal(client_for(caseworker), family, [ana], start_date="2026-11-03")
    assert ana.episodes.get().placements.get().start_date == dt.date(2026, 11, 3)


def test_a_removal_needs_a_child_a_date_and_a_first_placement(client_for, family, caseworker):
    response = client_for(caseworker).post(reverse("removal-add", args=[family.pk]), {})
    assert response.status_code == 200
    assert {"children", "removal_date", "setting"} <= set(response.context["form"].errors)


def test_a_removal_in_the_future_is_refused_on_its_date(client_for, family, caseworker):
    ana = _sibling(family)
    response = _removal(client_for(caseworker), family, [ana], removal_date="2026-11-21")
    assert "cannot be in the future" in response.context["form"].errors["removal_date"][0]
    assert not Episode.objects.filter(child=ana).exists()


def test_a_child_of_another_family_cannot_be_ticked(client_for, family, caseworker, site):
    stranger = f.ChildFactory(case=f.CaseFactory(site=site))
    response = _removal(client_for(caseworker), family, [stranger])
    assert "children" in response.context["form"].errors
    assert not stranger.episodes.exists()


def test_the_removal_page_ticks_the_child_it_was_opened_for(client_for, family, caseworker):
    ana = _sibling(family)
    url = reverse("removal-add", args=[family.pk]) + f"?child={ana.pk}"
    response = client_for(caseworker).get(url)
    assert response.status_code == 200
    assert [c.pk for c in response.context["form"].initial["children"]] == [ana.pk]


# --- Discharge, undo and re-entry -----------------------------------------------------------


def test_discharge_ends_the_open_placement_the_same_day(client_for, family, caseworker):
    episode = family.test_episode
    response = client_for(caseworker).post(
        _discharge_url(family, episode),
        {"discharge_date": "2026-11-18", "discharge_reason": "reunification"},
    )
    assert response.status_code == 302
    episode.refresh_from_db()
    assert (episode.discharge_date, episode.discharge_reason) == (
        dt.date(2026, 11, 18),
        "reunification",
    )
    placement = episode.placements.get()
    assert placement.end_date == dt.date(2026, 11, 18)
    assert placement.end_reason == "Discharged: Reunification"
    assert AuditEvent.objects.filter(
        action="update", record_type="cases.episode", record_id=episode.pk
    ).exists()


def test_discharge_before_the_removal_is_refused_naming_the_date(client_for, family, caseworker):
    response = client_for(caseworker).post(
        _discharge_url(family, family.test_episode),
        {"discharge_date": "2026-02-01", "discharge_reason": "reunification"},
    )
    assert response.status_code == 200
    assert "before the removal" in response.context["form"].errors["discharge_date"][0]
    family.test_episode.refresh_from_db()
    assert family.test_episode.discharge_date is None


def test_discharge_inside_a_placement_is_refused_naming_the_date(client_for, family, caseworker):
    client = client_for(caseworker)
    client.post(
        reverse("placement-add", args=[family.pk, family.test_child.pk]),
        {
            "kind": "move",
            "setting": "nonrelative_foster",
            "start_date": "2026-10-01",
            "end_reason": "Moved",
        },
    )
    response = client.post(
        _discharge_url(family, family.test_episode),
        {"discharge_date": "2026-09-15", "discharge_reason": "reunification"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["discharge_date"]
    assert any("placement" in message for message in errors)
    assert Placement.objects.filter(episode=family.test_episode, end_date__isnull=True).exists()


def test_discharge_needs_a_reason(client_for, family, caseworker):
    response = client_for(caseworker).post(
        _discharge_url(family, family.test_episode), {"discharge_date": "2026-11-18"}
    )
    assert "discharge_reason" in response.context["form"].errors


def test_a_discharge_is_undone_the_same_day_with_its_placement(client_for, family, caseworker):
    client = client_for(caseworker)
    episode = family.test_episode
    client.post(
        _discharge_url(family, episode),
        {"discharge_date": "2026-11-18", "discharge_reason": "reunification"},
    )
    page = client.get(reverse("case-detail", args=[family.pk]))
    assert "Undo this discharge" in page.content.decode()
    response = client.post(_undo_url(family, episode))
    assert response.status_code == 302
    episode.refresh_from_db()
    assert (episode.discharge_date, episode.discharge_reason) == (None, "")
    placement = episode.placements.get()
    assert (placement.end_date, placement.end_reason) == (None, "")
    updates = AuditEvent.objects.filter(
        action="update", record_type="cases.episode", record_id=episode.pk
    )
    assert updates.count() == 2  # the discharge and its undo
    assert (
        AuditEvent.objects.filter(
            action="update", record_type="cases.placement", record_id=placement.pk
        ).count()
        == 2
    )


@pytest.mark.parametrize(
    ("recorded_at", "undone"),
    [
        # 11:59 p.m. the day before at the site (America/Chicago), though the same UTC day
        (dt.datetime(2026, 11, 20, 5, 59, tzinfo=dt.UTC), False),
        (dt.datetime(2026, 11, 20, 6, 1, tzinfo=dt.UTC), True),  # 12:01 a.m. today at the site
    ],
)
def test_a_discharge_is_undone_on_the_site_day_it_was_recorded_only(
    client_for, family, caseworker, recorded_at, undone
):
    client = client_for(caseworker)
    episode = family.test_episode
    client.post(
        _discharge_url(family, episode),
        {"discharge_date": "2026-11-18", "discharge_reason": "reunification"},
    )
    Episode.objects.filter(pk=episode.pk).update(discharge_recorded_at=recorded_at)
    page = client.get(reverse("case-detail", args=[family.pk])).content.decode()
    assert ("Undo this discharge" in page) is undone
    response = client.post(_undo_url(family, episode), follow=True)
    episode.refresh_from_db()
    if undone:
        assert episode.discharge_date is None
    else:
        assert "on the day it was recorded only" in response.content.decode()
        assert episode.discharge_date == dt.date(2026, 11, 18)
        assert episode.placements.get().end_date == dt.date(2026, 11, 18)


def test_undo_is_a_post(client_for, family, caseworker):
    response = client_for(caseworker).get(_undo_url(family, family.test_episode))
    assert response.status_code == 405


def test_re_entry_is_a_new_removal_and_an_overlap_is_refused(client_for, family, caseworker):
    client = client_for(caseworker)
    jaime = family.test_child
    client.post(
        _discharge_url(family, family.test_episode),
        {"discharge_date": "2026-08-01", "discharge_reason": "reunification"},
    )
    overlapping = _removal(client, family, [jaime], removal_date="2026-07-01")
    assert "overlaps" in overlapping.context["form"].errors["removal_date"][0]
    assert jaime.episodes.count() == 1
    response = _removal(client, family, [jaime], removal_date="2026-11-02")
    assert response.status_code == 302
    assert jaime.episodes.count() == 2
    page = client.get(reverse("case-detail", args=[family.pk])).content.decode()
    assert "Came back into care (re-entry)" in page


def test_a_second_removal_of_a_child_in_care_is_refused(client_for, family, caseworker):
    response = _removal(client_for(caseworker), family, [family.test_child])
    assert "in care since" in response.context["form"].errors["removal_date"][0]


# --- Placement changes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "setting"),
    [("respite", "respite"), ("trial_home_visit", "trial_home_visit"), ("runaway", "runaway")],
)
def test_placement_changes_that_are_not_moves_are_marked_so(
    client_for, family, caseworker, kind, setting
):
    client = client_for(caseworker)
    response = client.post(
        reverse("placement-add", args=[family.pk, family.test_child.pk]),
        {"kind": kind, "start_date": "2026-11-13", "end_reason": "Respite"},
    )
    assert response.status_code == 302
    current = family.test_episode.placements.get(end_date__isnull=True)
    assert current.setting == setting
    page = client.get(reverse("case-detail", args=[family.pk])).content.decode()
    assert ": not a move</span>" in page


def test_a_move_needs_the_new_home(client_for, family, caseworker):
    response = client_for(caseworker).post(
        reverse("placement-add", args=[family.pk, family.test_child.pk]),
        {"kind": "move", "start_date": "2026-11-13", "end_reason": "Moved"},
    )
    assert "setting" in response.context["form"].errors


def test_parent_mentor_sees_the_timeline_without_addresses(client_for, family, parent_mentor):
    page = client_for(parent_mentor).get(reverse("case-detail", args=[family.pk]))
    html = page.content.decode()
    assert "Time in care" in html
    assert "12 Elm Street" not in html
    assert "Record a removal" not in html


def test_caseworker_sees_the_placement_address_in_the_timeline(client_for, family, caseworker):
    html = client_for(caseworker).get(reverse("case-detail", args=[family.pk])).content.decode()
    assert "12 Elm Street" in html


# --- Maltreatment reports and recurrence ----------------------------------------------------


def test_maltreatment_report_is_added_and_corrected(client_for, family, caseworker):
    client = client_for(caseworker)
    child = family.test_child
    response = client.post(
        reverse("maltreatment-report-add", args=[family.pk, child.pk]),
        {"reported_on": "2026-04-01", "disposition": "unsubstantiated"},
    )
    assert response.status_code == 302
    report = MaltreatmentReport.objects.get(child=child)
    response = client.post(
        reverse("maltreatment-report-edit", args=[family.pk, report.pk]),
        {"reported_on": "2026-04-01", "disposition": "substantiated"},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.disposition == "substantiated"
    assert AuditEvent.objects.filter(
        record_type="cases.maltreatmentreport", record_id=report.pk, action="update"
    ).exists()


def test_a_report_in_the_future_is_refused_on_its_date(client_for, family, caseworker):
    response = client_for(caseworker).post(
        reverse("maltreatment-report-add", args=[family.pk, family.test_child.pk]),
        {"reported_on": "2026-12-01", "disposition": "indicated"},
    )
    assert "reported_on" in response.context["form"].errors


@pytest.mark.parametrize(
    ("second", "recurred"),
    [
        ("2026-02-09", False),  # 14 days after: the same incident, not a recurrence
        ("2026-02-10", True),  # 15 days after
        ("2027-01-27", False),  # a day more than 12 months after
    ],
)
def test_recurrence_on_the_case_page_counts_as_the_metric(
    client_for, family, caseworker, site, second, recurred
):
    child = family.test_child
    MaltreatmentReport.objects.create(
        child=child, reported_on="2026-01-26", disposition="indicated"
    )
    with time_machine.travel(dt.datetime(2027, 3, 1, 15, tzinfo=dt.UTC), tick=False):
        MaltreatmentReport.objects.create(
            child=child, reported_on=second, disposition="substantiated"
        )
        html = client_for(caseworker).get(reverse("case-detail", args=[family.pk])).content
    figure = metrics.maltreatment_recurrence_12m(site, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert figure["denominator"] == 1
    assert figure["numerator"] == (1 if recurred else 0)
    text = html.decode()
    if recurred:
        assert "<strong>yes</strong>" in text
    else:
        assert "<strong>no</strong>" in text


def test_unsubstantiated_reports_make_no_recurrence(client_for, family, caseworker):
    MaltreatmentReport.objects.create(
        child=family.test_child, reported_on="2026-01-26", disposition="unsubstantiated"
    )
    html = client_for(caseworker).get(reverse("case-detail", args=[family.pk])).content.decode()
    assert "no substantiated or indicated report" in html


# --- The removal on the case and child forms (early intervention within 7 days) -------------


def test_a_case_opened_with_a_neglect_removal_makes_early_intervention_due(
    client_for, coordinator, site
):
    response = client_for(coordinator).post(
        reverse("case-create"),
        {
            "site": site.pk,
            "name": "Okafor family",
            "opened_on": "2026-11-18",
            "enrollment": "out_of_home",
            "given_name": "Ada",
            "birth_date": "2026-02-01",
            "removal_date": "2026-11-17",
            "manner": "court_ordered",
            "reasons": ["neglect"],
            "setting": "relative_foster",
            "primary_goal": "reunification",
            "concurrent_goal": "relative",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get(name="Okafor family")
    episode = Episode.objects.get(child__case=case)
    assert (episode.manner, episode.reasons) == ("court_ordered", ["neglect"])
    assert episode.placements.get().setting == "relative_foster"
    plan = case_plan(access_case(coordinator, case.pk), TODAY)
    due = [item for child in plan.due for item in child.due]
    early = [d for d in due if d.what.startswith("Early intervention")]
    assert early and early[0].due_on == dt.date(2026, 11, 24)


def test_a_case_opened_without_a_maltreatment_reason_has_no_early_intervention_due(
    client_for, coordinator, site
):
    client_for(coordinator).post(
        reverse("case-create"),
        {
            "site": site.pk,
            "name": "Okafor family",
            "opened_on": "2026-11-18",
            "enrollment": "out_of_home",
            "given_name": "Ada",
            "birth_date": "2026-02-01",
            "removal_date": "2026-11-17",
            "reasons": ["inadequate_housing"],
            "primary_goal": "reunification",
            "concurrent_goal": "relative",
        },
    )
    case = Case.objects.get(name="Okafor family")
    plan = case_plan(access_case(coordinator, case.pk), TODAY)
    assert not [d for c in plan.due for d in c.due if d.what.startswith("Early intervention")]


def test_a_new_child_comes_with_their_removal_and_first_placement(client_for, family, caseworker):
    resource = f.PersonFactory(case=family, kind="resource_parent", given_name="Marta")
    response = client_for(caseworker).post(
        reverse("child-create", args=[family.pk]),
        {
            "given_name": "Ana",
            "birth_date": "2026-05-01",
            "icwa": "unknown",
            "enrolled_on": "2026-11-20",
            "removal_date": "2026-11-19",
            "manner": "voluntary",
            "reasons": ["physical_abuse"],
            "setting": "nonrelative_foster",
            "caregiver": resource.pk,
            "address": "3 Birch Way",
            "primary_goal": "reunification",
            "concurrent_goal": "adoption",
        },
    )
    assert response.status_code == 302
    episode = Episode.objects.get(child__given_name="Ana", child__case=family)
    assert (episode.manner, episode.reasons) == ("voluntary", ["physical_abuse"])
    placement = episode.placements.get()
    assert (placement.caregiver, placement.address) == (resource, "3 Birch Way")


def test_a_removal_described_without_its_date_is_refused(client_for, family, caseworker):
    response = client_for(caseworker).post(
        reverse("child-create", args=[family.pk]),
        {
            "given_name": "Ana",
            "birth_date": "2026-05-01",
            "icwa": "unknown",
            "enrolled_on": "2026-11-20",
            "reasons": ["neglect"],
            "primary_goal": "reunification",
            "concurrent_goal": "adoption",
        },
    )
    assert "removal_date" in response.context["form"].errors


# --- Who may: outsiders 404, read-only roles 403, two roles at the site --------------------


def _pages(family):
    child, episode = family.test_child, family.test_episode
    report = MaltreatmentReport.objects.create(
        child=child, reported_on="2026-06-01", disposition="substantiated"
    )
    return {
        "removal": reverse("removal-add", args=[family.pk]),
        "discharge": _discharge_url(family, episode),
        "undo": _undo_url(family, episode),
        "report-add": reverse("maltreatment-report-add", args=[family.pk, child.pk]),
        "report-edit": reverse("maltreatment-report-edit", args=[family.pk, report.pk]),
    }


def _personas(site, family):
    judge_caseworker = f.site_member(site, "judge", "caseworker", email="jc@north.example.org")
    caseworker_mentor = f.site_member(site, "caseworker", "parent_mentor", email="cm@n.example")
    f.TeamMemberFactory(case=family, user=caseworker_mentor, role="parent_mentor")
    attorney_caseworker = f.site_member(
        site, "parent_attorney", "caseworker", email="ac@north.example.org"
    )
    f.TeamMemberFactory(case=family, user=attorney_caseworker, role="parent_attorney")
    return judge_caseworker, caseworker_mentor, attorney_caseworker


@pytest.mark.parametrize("page", ["removal", "discharge", "undo", "report-add", "report-edit"])
def test_outsiders_get_404(client_for, family, site, outsider, other_caseworker, page):
    url = _pages(family)[page]
    for user in (outsider, other_caseworker):
        client = client_for(user)
        assert client.get(url).status_code in (404, 405)
        assert client.post(url, {"discharge_date": "2026-11-18"}).status_code == 404
    family.test_episode.refresh_from_db()
    assert family.test_episode.discharge_date is None


@pytest.mark.parametrize("page", ["removal", "discharge", "undo", "report-add", "report-edit"])
def test_read_only_roles_and_two_role_people_get_403(
    client_for, family, site, judge, parent_attorney, parent_mentor, page
):
    url = _pages(family)[page]
    people = (judge, parent_attorney, parent_mentor, *_personas(site, family))
    for user in people:
        response = client_for(user).post(
            url, {"discharge_date": "2026-11-18", "discharge_reason": "reunification"}
        )
        assert response.status_code == 403, user.email
    family.test_episode.refresh_from_db()
    assert family.test_episode.discharge_date is None


def test_an_episode_of_another_family_is_404_through_this_family(
    client_for, family, coordinator, site
):
    other = f.EpisodeFactory(child=f.ChildFactory(case=f.CaseFactory(site=site)))
    response = client_for(coordinator).post(
        _discharge_url(family, other),
        {"discharge_date": "2026-11-18", "discharge_reason": "reunification"},
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.discharge_date is None


def test_a_report_of_another_family_is_404_through_this_family(
    client_for, family, coordinator, site
):
    other = MaltreatmentReport.objects.create(
        child=f.ChildFactory(case=f.CaseFactory(site=site)),
        reported_on="2026-06-01",
        disposition="indicated",
    )
    url = reverse("maltreatment-report-edit", args=[family.pk, other.pk])
    assert client_for(coordinator).get(url).status_code == 404


def test_a_discharge_the_child_came_back_into_care_after_is_not_undone(
    client_for, family, caseworker
):
    client = client_for(caseworker)
    jaime, episode = family.test_child, family.test_episode
    client.post(
        _discharge_url(family, episode),
        {"discharge_date": "2026-11-10", "discharge_reason": "reunification"},
    )
    _removal(client, family, [jaime], removal_date="2026-11-18")
    page = client.get(reverse("case-detail", args=[family.pk])).content.decode()
    assert "Undo this discharge" not in page
    response = client.post(_undo_url(family, episode), follow=True)
    assert "came back into care on 18 Nov 2026" in response.content.decode()
    episode.refresh_from_db()
    assert episode.discharge_date == dt.date(2026, 11, 10)
    assert jaime.episodes.count() == 2
