"""Hearings (issue 6): scheduling, outcomes, findings, orders and their status, the federal
clocks on the case page, and the judge's docket linking to each summary."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from cases.hearings.selectors import fifteen_of_twenty_two, permanency_hearing_due
from cases.models import Hearing, HearingOrder
from safebabies.audit.models import AuditEvent
from tests import factories as f

NOW = dt.datetime(2026, 10, 28, 17, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 10, 28)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def held(family, judge):
    return f.HearingFactory(
        case=family,
        scheduled_on=dt.date(2026, 10, 1),
        status="held",
        judge=judge,
        courtroom="Courtroom 3",
    )


@pytest.fixture
def order(held):
    return HearingOrder.objects.create(hearing=held, text="Refer to child-parent psychotherapy")


def _urls(family, held, order) -> dict[str, str]:
    return {
        "hearing-schedule": reverse("hearing-schedule", args=[family.pk]),
        "hearing-outcome": reverse("hearing-outcome", args=[family.pk, held.pk]),
        "hearing-order-add": reverse("hearing-order-add", args=[family.pk, held.pk]),
        "hearing-order-status": reverse("hearing-order-status", args=[family.pk, order.pk]),
    }


WRITE_VIEWS = ["hearing-schedule", "hearing-outcome", "hearing-order-add", "hearing-order-status"]


# --- Who may do what -------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["outsider", "other_caseworker", "sit_member"])
@pytest.mark.parametrize("view", WRITE_VIEWS)
def test_people_off_the_family_get_404_on_hearing_pages(
    request, client_for, family, held, order, persona, view
):
    client = client_for(request.getfixturevalue(persona))
    assert client.post(_urls(family, held, order)[view], {"status": "done"}).status_code == 404


@pytest.mark.parametrize("persona", ["judge", "parent_attorney", "parent_mentor"])
@pytest.mark.parametrize("view", WRITE_VIEWS)
def test_read_only_roles_get_403_on_hearing_writes(
    request, client_for, family, held, order, persona, view
):
    client = client_for(request.getfixturevalue(persona))
    assert client.post(_urls(family, held, order)[view], {"status": "done"}).status_code == 403
    order.refresh_from_db()
    assert order.status == HearingOrder.Status.NOT_STARTED


@pytest.mark.parametrize("view", WRITE_VIEWS)
def test_hearing_pages_refuse_other_methods(client_for, family, held, order, coordinator, view):
    client = client_for(coordinator)
    assert client.put(_urls(family, held, order)[view]).status_code == 405
    if view == "hearing-order-status":
        assert client.get(_urls(family, held, order)[view]).status_code == 405


def test_a_hearing_under_another_case_is_404(client_for, site, held, coordinator):
    other = f.CaseFactory(site=site)
    url = reverse("hearing-outcome", args=[other.pk, held.pk])
    assert client_for(coordinator).get(url).status_code == 404


# --- Scheduling ------------------------------------------------------------------------------


def test_coordinator_schedules_a_hearing_before_a_judge_of_the_court(
    client_for, family, coordinator, judge
):
    response = client_for(coordinator).post(
        reverse("hearing-schedule", args=[family.pk]),
        {
            "hearing_type": "review",
            "scheduled_on": "2026-11-26",
            "starts_at": "09:30",
            "courtroom": "Courtroom 2B",
            "judge": judge.pk,
        },
    )
    assert response.status_code == 302
    hearing = family.hearings.get()
    assert (hearing.scheduled_on, hearing.starts_at, hearing.courtroom, hearing.judge) == (
        dt.date(2026, 11, 26),
        dt.time(9, 30),
        "Courtroom 2B",
        judge,
    )
    assert hearing.status == "scheduled"
    assert AuditEvent.objects.filter(record_id=hearing.pk, action="create").count() == 1


def test_scheduling_names_the_field_that_is_wrong(client_for, family, caseworker):
    response = client_for(caseworker).post(
        reverse("hearing-schedule", args=[family.pk]),
        {"hearing_type": "review", "scheduled_on": "2026-01-05"},
    )
    assert response.status_code == 200
    assert "scheduled_on" in response.context["form"].errors
    assert not family.hearings.exists()


def test_only_a_judge_of_this_court_can_be_chosen(family, coordinator, other_site):
    from django.core.exceptions import ValidationError

    from cases.hearings.services import hearing_schedule

    other_judge = f.site_member(other_site, "judge", email="judge@south.example.org")
    with pytest.raises(ValidationError) as error:
        hearing_schedule(
            actor=coordinator,
            case=family,
            hearing_type="review",
            scheduled_on=dt.date(2026, 11, 26),
            judge=other_judge,
        )
    assert "judge" in error.value.message_dict
    assert not family.hearings.exists()


# --- Outcomes, findings, next hearing -------------------------------------------------------


def test_continued_hearing_needs_a_reason(client_for, family, caseworker, judge):
    hearing = f.HearingFactory(case=family, scheduled_on=dt.date(2026, 10, 20))
    url = reverse("hearing-outcome", args=[family.pk, hearing.pk])
    response = client_for(caseworker).post(
        url, {"status": "continued", "next_hearing_type": "review"}
    )
    assert "continuance_reason" in response.context["form"].errors
    hearing.refresh_from_db()
    assert hearing.status == "scheduled"
    response = client_for(caseworker).post(
        url,
        {"status": "continued", "continuance_reason": "Parent ill", "next_hearing_type": "review"},
    )
    assert response.status_code == 302
    hearing.refresh_from_db()
    assert (hearing.status, hearing.continuance_reason) == ("continued", "Parent ill")


def test_held_hearing_records_findings_and_schedules_the_next(
    client_for, family, coordinator, judge
):
    hearing = f.HearingFactory(
        case=family, scheduled_on=dt.date(2026, 10, 27), judge=judge, courtroom="Courtroom 3"
    )
    response = client_for(coordinator).post(
        reverse("hearing-outcome", args=[family.pk, hearing.pk]),
        {
            "status": "held",
            "findings": "Reasonable efforts made.",
            "next_hearing_on": "2026-11-24",
            "next_hearing_type": "review",
        },
    )
    assert response.status_code == 302
    hearing.refresh_from_db()
    assert (hearing.status, hearing.findings) == ("held", "Reasonable efforts made.")
    following = family.hearings.get(scheduled_on=dt.date(2026, 11, 24))
    assert (following.status, following.judge, following.courtroom) == (
        "scheduled",
        judge,
        "Courtroom 3",
    )


def test_a_hearing_in_the_future_cannot_be_held_yet(client_for, family, coordinator):
    hearing = f.HearingFactory(case=family, scheduled_on=dt.date(2026, 11, 5))
    response = client_for(coordinator).post(
        reverse("hearing-outcome", args=[family.pk, hearing.pk]),
        {"status": "held", "next_hearing_on": "2026-11-01", "next_hearing_type": "review"},
    )
    errors = response.context["form"].errors
    assert "status" in errors and "next_hearing_on" in errors
    assert Hearing.objects.filter(case=family).count() == 1


# --- Orders -----------------------------------------------------------------------------------


def test_orders_are_recorded_for_held_hearings_only(client_for, family, held, caseworker):
    scheduled = f.HearingFactory(case=family, scheduled_on=dt.date(2026, 11, 5))
    client = client_for(caseworker)
    response = client.post(
        reverse("hearing-order-add", args=[family.pk, scheduled.pk]), {"text": "Start CPP"}
    )
    assert "text" in response.context["form"].errors
    response = client.post(
        reverse("hearing-order-add", args=[family.pk, held.pk]),
        {"text": "Start CPP", "due_on": "2026-11-01"},
    )
    assert response.status_code == 302
    order = HearingOrder.objects.get()
    assert (order.hearing, order.text, order.due_on, order.status) == (
        held,
        "Start CPP",
        dt.date(2026, 11, 1),
        "not_started",
    )


def test_team_updates_an_orders_status_from_the_case_page(client_for, family, order, caseworker):
    client = client_for(caseworker)
    url = reverse("hearing-order-status", args=[family.pk, order.pk])
    assert client.post(url, {"status": "in_progress"}).status_code == 302
    order.refresh_from_db()
    assert (order.status, order.done_on) == ("in_progress", None)
    client.post(url, {"status": "done"})
    order.refresh_from_db()
    assert (order.status, order.done_on) == ("done", TODAY)
    client.post(url, {"status": "not_started"})
    order.refresh_from_db()
    assert (order.status, order.done_on) == ("not_started", None)
    changes = AuditEvent.objects.filter(record_id=order.pk, action="update")
    assert changes.count() == 3


def test_an_unknown_order_status_changes_nothing(client_for, family, order, caseworker):
    url = reverse("hearing-order-status", args=[family.pk, order.pk])
    client_for(caseworker).post(url, {"status": "finished"})
    order.refresh_from_db()
    assert order.status == "not_started"


# --- The case page and the docket -------------------------------------------------------------


def test_case_page_shows_federal_clock_dates_hearings_and_orders(
    client_for, family, order, coordinator
):
    removal = family.test_episode.removal_date
    page = client_for(coordinator).get(reverse("case-detail", args=[family.pk])).content.decode()
    assert f"{permanency_hearing_due(removal):%-d %b %Y}" in page
    assert f"{removal + dt.timedelta(days=456):%-d %b %Y}" in page
    assert "Refer to child-parent psychotherapy" in page
    assert reverse("hearing-summary", args=[family.pk, order.hearing_id]) in page
    assert reverse("hearing-order-status", args=[family.pk, order.pk]) in page


def test_parent_mentor_sees_hearings_but_no_summary_link(client_for, family, held, parent_mentor):
    page = client_for(parent_mentor).get(reverse("case-detail", args=[family.pk])).content.decode()
    assert 'id="hearing-' + held.pk + '"' in page
    assert reverse("hearing-summary", args=[family.pk, held.pk]) not in page


def test_judge_reads_order_status_without_a_form(client_for, family, order, judge):
    page = client_for(judge).get(reverse("case-detail", args=[family.pk])).content.decode()
    assert "Not started" in page
    assert reverse("hearing-order-status", args=[family.pk, order.pk]) not in page


def test_judge_docket_links_each_hearing_to_its_summary(client_for, family, judge):
    soon = f.HearingFactory(case=family, scheduled_on=TODAY + dt.timedelta(days=3))
    later = f.HearingFactory(case=family, scheduled_on=TODAY + dt.timedelta(days=30))
    page = client_for(judge).get(reverse("home")).content.decode()
    assert reverse("hearing-summary", args=[family.pk, soon.pk]) in page
    assert reverse("hearing-summary", args=[family.pk, later.pk]) not in page


# --- Federal clocks -------------------------------------------------------------------------


def test_permanency_hearing_is_due_twelve_months_after_entering_care():
    assert permanency_hearing_due(dt.date(2026, 3, 1)) == dt.date(2027, 3, 1)


def test_fifteen_of_twenty_two_months_for_one_stay():
    removal = dt.date(2026, 3, 1)
    assert fifteen_of_twenty_two([(removal, None)]) == removal + dt.timedelta(days=456)


def test_fifteen_of_twenty_two_months_counts_an_earlier_stay_in_the_window():
    first = (dt.date(2025, 1, 1), dt.date(2025, 4, 11))  # 100 days in care
    current = dt.date(2025, 6, 1)
    on = fifteen_of_twenty_two([first, (current, None)])
    assert on == current + dt.timedelta(days=456 - 100)


def test_fifteen_of_twenty_two_months_ignores_a_stay_older_than_22_months():
    first = (dt.date(2022, 1, 1), dt.date(2022, 12, 1))
    current = dt.date(2026, 3, 1)
    assert fifteen_of_twenty_two([first, (current, None)]) == current + dt.timedelta(days=456)


def test_no_clock_for_a_child_not_in_care():
    assert fifteen_of_twenty_two([(dt.date(2025, 1, 1), dt.date(2025, 6, 1))]) is None
