"""cases.services: each write's happy path, the rule it enforces and its audit event."""

import datetime as dt
from unittest import mock

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from cases import services
from cases.models import Case, Episode, PermanencyPlan, Placement
from safebabies.audit.models import AuditEvent
from tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC), tick=False):
        yield


def first_child(**overrides):
    child = {
        "given_name": "Linh",
        "family_name": "Nguyen",
        "birth_date": dt.date(2026, 2, 14),
        "docket_number": "JD-77",
        "removal_date": dt.date(2026, 11, 16),
        "primary_goal": "reunification",
        "concurrent_goal": "relative",
    }
    return {**child, **overrides}


def events(action, record_type):
    return AuditEvent.objects.filter(action=action, record_type=record_type)


def error_fields(excinfo) -> set[str]:
    return set(excinfo.value.message_dict)


# --- case_create ---------------------------------------------------------------------------


def test_case_create_opens_the_case_with_child_removal_and_plan(site, caseworker):
    case = services.case_create(
        actor=caseworker,
        site=site,
        name="Nguyen family",
        opened_on=dt.date(2026, 11, 18),
        child=first_child(),
    )
    child = case.children.get()
    assert (child.given_name, child.enrolled_on, child.docket_number) == (
        "Linh",
        dt.date(2026, 11, 18),
        "JD-77",
    )
    episode = child.episodes.get()
    assert episode.removal_date == dt.date(2026, 11, 16)
    plan = child.permanency_plans.get()
    assert (plan.primary_goal, plan.concurrent_goal, plan.recorded_by) == (
        "reunification",
        "relative",
        caseworker,
    )
    assert plan.effective_date == dt.date(2026, 11, 16)  # from day 1 of the removal
    assert case.team_members.get().role == "caseworker"
    for record_type in [
        "cases.case",
        "cases.child",
        "cases.episode",
        "cases.permanencyplan",
        "cases.teammember",
    ]:
        event = events("create", record_type).get()
        assert (event.actor, event.case_id, event.site_id) == (caseworker, case.pk, site.pk)


def test_case_create_puts_a_coordinator_on_the_team_as_coordinator(site, coordinator):
    case = services.case_create(
        actor=coordinator,
        site=site,
        name="Nguyen family",
        opened_on=dt.date(2026, 11, 18),
        child=first_child(),
    )
    assert case.team_members.get().role == "community_coordinator"


def test_case_create_by_a_site_admin_adds_no_team_member(site, site_admin):
    case = services.case_create(
        actor=site_admin,
        site=site,
        name="Nguyen family",
        opened_on=dt.date(2026, 11, 18),
        child=first_child(),
    )
    assert not case.team_members.exists()


@pytest.mark.parametrize("persona", ["judge", "parent_attorney", "sit_member", "outsider"])
def test_case_create_needs_a_writing_role_at_the_site(request, site, persona):
    with pytest.raises(PermissionDenied):
        services.case_create(
            actor=request.getfixturevalue(persona),
            site=site,
            name="X",
            opened_on=dt.date(2026, 11, 18),
            child=first_child(),
        )
    assert not Case.objects.exists()


def test_case_create_enrols_only_children_under_three(site, coordinator):
    with pytest.raises(ValidationError) as excinfo:
        services.case_create(
            actor=coordinator,
            site=site,
            name="X",
            opened_on=dt.date(2026, 11, 18),
            child=first_child(birth_date=dt.date(2023, 11, 18)),
        )
    assert error_fields(excinfo) == {"birth_date"}
    assert not Case.objects.exists()  # nothing half-written
    assert not AuditEvent.objects.exists()


def test_case_create_accepts_a_child_one_day_short_of_three(site, coordinator):
    case = services.case_create(
        actor=coordinator,
        site=site,
        name="X",
        opened_on=dt.date(2026, 11, 18),
        child=first_child(birth_date=dt.date(2023, 11, 19), removal_date=dt.date(2026, 11, 1)),
    )
    assert case.children.count() == 1


def test_case_create_needs_a_concurrent_goal_that_differs_from_the_primary(site, coordinator):
    for concurrent in ["", "reunification"]:
        with pytest.raises(ValidationError) as excinfo:
            services.case_create(
                actor=coordinator,
                site=site,
                name="X",
                opened_on=dt.date(2026, 11, 18),
                child=first_child(concurrent_goal=concurrent),
            )
        assert error_fields(excinfo) == {"concurrent_goal"}
    assert not Case.objects.exists()


def test_case_create_out_of_home_needs_a_removal_date(site, coordinator):
    with pytest.raises(ValidationError) as excinfo:
        services.case_create(
            actor=coordinator,
            site=site,
            name="X",
            opened_on=dt.date(2026, 11, 18),
            child=first_child(removal_date=None),
        )
    assert error_fields(excinfo) == {"removal_date"}


def test_case_create_in_home_has_no_removal(site, coordinator):
    case = services.case_create(
        actor=coordinator,
        site=site,
        name="X",
        opened_on=dt.date(2026, 11, 18),
        enrollment="in_home",
        child=first_child(removal_date=None),
    )
    child = case.children.get()
    assert not child.episodes.exists()
    assert child.permanency_plans.get().effective_date == dt.date(2026, 11, 18)


def test_case_create_refuses_future_dates(site, coordinator):
    with pytest.raises(ValidationError) as excinfo:
        services.case_create(
            actor=coordinator,
            site=site,
            name="X",
            opened_on=dt.date(2026, 11, 21),
            child=first_child(),
        )
    assert error_fields(excinfo) == {"opened_on"}
    with pytest.raises(ValidationError) as excinfo:
        services.case_create(
            actor=coordinator,
            site=site,
            name="X",
            opened_on=dt.date(2026, 11, 18),
            child=first_child(removal_date=dt.date(2026, 11, 25), birth_date=dt.date(2026, 12, 1)),
        )
    assert error_fields(excinfo) == {"removal_date", "birth_date"}


# --- case_update ---------------------------------------------------------------------------


def test_case_update_changes_fields_and_audits_their_names(family, coordinator):
    services.case_update(
        actor=coordinator, case=family, name="Rivera-Lopez family", closed_on=dt.date(2026, 11, 19)
    )
    family.refresh_from_db()
    assert (family.name, family.closed_on) == ("Rivera-Lopez family", dt.date(2026, 11, 19))
    event = events("update", "cases.case").get()
    assert event.detail == {"fields": ["closed_on", "name"]}


def test_case_update_without_a_change_writes_no_event(family, coordinator):
    services.case_update(actor=coordinator, case=family, name=family.name)
    assert not events("update", "cases.case").exists()


def test_case_update_refuses_closing_before_opening(family, coordinator):
    with pytest.raises(ValidationError) as excinfo:
        services.case_update(actor=coordinator, case=family, closed_on=dt.date(2026, 1, 1))
    assert error_fields(excinfo) == {"closed_on"}
    family.refresh_from_db()
    assert family.closed_on is None


def test_case_update_refuses_opening_after_a_child_was_enrolled(family, coordinator):
    with pytest.raises(ValidationError) as excinfo:
        services.case_update(actor=coordinator, case=family, opened_on=dt.date(2026, 5, 1))
    assert error_fields(excinfo) == {"opened_on"}


def test_case_update_refuses_unknown_fields(family, coordinator):
    with pytest.raises(TypeError):
        services.case_update(actor=coordinator, case=family, site_id=99)


# --- child_create / child_update ----------------------------------------------------------


def test_child_create_adds_a_sibling_with_removal_and_plan(family, caseworker):
    child = services.child_create(
        actor=caseworker,
        case=family,
        given_name="Rosa",
        birth_date=dt.date(2026, 7, 1),
        removal_date=dt.date(2026, 11, 19),
        primary_goal="reunification",
        concurrent_goal="guardianship",
    )
    assert child.enrolled_on == TODAY
    assert child.episodes.get().removal_date == dt.date(2026, 11, 19)
    assert child.permanency_plans.get().concurrent_goal == "guardianship"
    assert events("create", "cases.child").get().record_id == child.pk


def test_child_create_refuses_enrolment_before_the_case_opened(family, caseworker):
    with pytest.raises(ValidationError) as excinfo:
        services.child_create(
            actor=caseworker,
            case=family,
            given_name="Rosa",
            birth_date=dt.date(2026, 1, 1),
            enrolled_on=dt.date(2026, 2, 1),
            removal_date=dt.date(2026, 2, 1),
            primary_goal="reunification",
            concurrent_goal="guardianship",
        )
    assert error_fields(excinfo) == {"enrolled_on"}


def test_child_create_refuses_a_removal_before_birth(family, caseworker):
    with pytest.raises(ValidationError) as excinfo:
        services.child_create(
            actor=caseworker,
            case=family,
            given_name="Rosa",
            birth_date=dt.date(2026, 7, 1),
            removal_date=dt.date(2026, 6, 1),
            primary_goal="reunification",
            concurrent_goal="guardianship",
        )
    assert error_fields(excinfo) == {"removal_date"}
    assert family.children.count() == 1


def test_child_update_corrects_details_and_audits_field_names(family, caseworker):
    child = family.test_child
    services.child_update(
        actor=caseworker, child=child, icwa="reason_to_know", docket_number="JD-9"
    )
    child.refresh_from_db()
    assert (child.icwa, child.docket_number) == ("reason_to_know", "JD-9")
    assert events("update", "cases.child").get().detail == {"fields": ["docket_number", "icwa"]}


def test_child_update_keeps_the_under_three_rule(family, caseworker):
    with pytest.raises(ValidationError) as excinfo:
        services.child_update(
            actor=caseworker, child=family.test_child, birth_date=dt.date(2022, 1, 1)
        )
    assert error_fields(excinfo) == {"birth_date"}
    family.test_child.refresh_from_db()
    assert family.test_child.birth_date == dt.date(2025, 6, 10)


def test_child_update_refuses_invalid_codes(family, caseworker):
    with pytest.raises(ValidationError) as excinfo:
        services.child_update(actor=caseworker, child=family.test_child, icwa="maybe")
    assert error_fields(excinfo) == {"icwa"}


# --- person_create / person_update --------------------------------------------------------


def test_person_create_links_the_person_to_each_child(family, coordinator):
    sibling = f.ChildFactory(case=family, given_name="Rosa")
    person = services.person_create(
        actor=coordinator,
        case=family,
        kind="relative",
        given_name="Ana",
        family_name="Rivera",
        phone="555-0102",
        relationships={family.test_child.pk: "grandparent", sibling.pk: "grandparent"},
    )
    assert {rel.child_id for rel in person.relationships.all()} == {
        family.test_child.pk,
        sibling.pk,
    }
    assert events("create", "cases.person").get().record_id == person.pk
    assert events("update", "cases.person").get().detail == {"fields": ["relationships"]}


def test_person_create_refuses_a_child_of_another_family(family, coordinator, site):
    stranger = f.ChildFactory(case=f.CaseFactory(site=site))
    with pytest.raises(ValidationError) as excinfo:
        services.person_create(
            actor=coordinator,
            case=family,
            kind="relative",
            given_name="Ana",
            relationships={stranger.pk: "grandparent"},
        )
    assert error_fields(excinfo) == {"relationships"}
    assert not family.people.filter(given_name="Ana").exists()


def test_person_create_checks_the_email(family, coordinator):
    with pytest.raises(ValidationError) as excinfo:
        services.person_create(
            actor=coordinator, case=family, kind="parent", given_name="Ana", email="not-an-email"
        )
    assert error_fields(excinfo) == {"email"}


def test_person_update_changes_details_and_relationships(family, coordinator):
    parent, child = family.test_parent, family.test_child
    services.person_update(
        actor=coordinator, person=parent, phone="555-0103", relationships={child.pk: "mother"}
    )
    assert parent.relationships.get().kind == "mother"
    services.person_update(actor=coordinator, person=parent, relationships={child.pk: "parent"})
    assert parent.relationships.get().kind == "parent"
    services.person_update(actor=coordinator, person=parent, relationships={child.pk: ""})
    assert not parent.relationships.exists()
    parent.refresh_from_db()
    assert parent.phone == "555-0103"
    assert events("update", "cases.person").count() == 4  # phone, then each relationship change


# --- placement_add / placement_end ---------------------------------------------------------


def test_placement_add_ends_the_current_placement_the_day_the_new_one_starts(family, caseworker):
    old = family.test_episode.placements.get()
    resource = f.PersonFactory(case=family, kind="resource_parent")
    new = services.placement_add(
        actor=caseworker,
        child=family.test_child,
        setting="nonrelative_foster",
        start_date=dt.date(2026, 10, 1),
        caregiver=resource,
        address="4 Pine Lane",
        end_reason="Grandmother's health",
    )
    old.refresh_from_db()
    assert (old.end_date, old.end_reason) == (dt.date(2026, 10, 1), "Grandmother's health")
    assert (new.start_date, new.end_date, new.caregiver) == (dt.date(2026, 10, 1), None, resource)
    assert events("update", "cases.placement").get().record_id == old.pk
    assert events("create", "cases.placement").get().record_id == new.pk


def test_placement_add_needs_a_reason_for_the_move(family, caseworker):
    with pytest.raises(ValidationError) as excinfo:
        services.placement_add(
            actor=caseworker,
            child=family.test_child,
            setting="nonrelative_foster",
            start_date=dt.date(2026, 10, 1),
        )
    assert error_fields(excinfo) == {"end_reason"}
    assert family.test_episode.placements.count() == 1


def test_placement_add_refuses_a_start_before_the_removal(family, caseworker):
    with pytest.raises(ValidationError) as excinfo:
        services.placement_add(
            actor=caseworker,
            child=family.test_child,
            setting="nonrelative_foster",
            start_date=dt.date(2026, 2, 1),
            end_reason="Moved",
        )
    assert "start_date" in error_fields(excinfo)
    assert family.test_episode.placements.get().end_date is None


def test_placement_add_refuses_a_start_before_the_current_placement(family, caseworker):
    Placement.objects.filter(episode=family.test_episode).update(start_date=dt.date(2026, 6, 1))
    with pytest.raises(ValidationError) as excinfo:
        services.placement_add(
            actor=caseworker,
            child=family.test_child,
            setting="nonrelative_foster",
            start_date=dt.date(2026, 5, 1),
            end_reason="Moved",
        )
    assert error_fields(excinfo) == {"start_date"}


def test_placement_add_refuses_a_caregiver_of_another_family(family, caseworker, site):
    stranger = f.PersonFactory(case=f.CaseFactory(site=site))
    with pytest.raises(ValidationError) as excinfo:
        services.placement_add(
            actor=caseworker,
            child=family.test_child,
            setting="nonrelative_foster",
            start_date=dt.date(2026, 10, 1),
            caregiver=stranger,
            end_reason="Moved",
        )
    assert error_fields(excinfo) == {"caregiver"}


def test_placement_add_needs_a_child_in_care(family, caseworker):
    child = f.ChildFactory(case=family)
    with pytest.raises(ValidationError) as excinfo:
        services.placement_add(
            actor=caseworker,
            child=child,
            setting="nonrelative_foster",
            start_date=dt.date(2026, 10, 1),
        )
    assert error_fields(excinfo) == {"start_date"}


def test_placement_add_first_placement_needs_no_reason(family, caseworker):
    child = f.ChildFactory(case=family)
    f.EpisodeFactory(child=child, removal_date=dt.date(2026, 11, 1))
    placement = services.placement_add(
        actor=caseworker, child=child, setting="relative_foster", start_date=dt.date(2026, 11, 1)
    )
    assert placement.episode.child == child


def test_database_refusal_becomes_a_field_error_and_nothing_is_written(family, caseworker):
    """The placement-inside-episode trigger guards what the service's own checks cannot see:
    here the child is discharged by someone else while the move is being saved."""
    real_open_episode = services._open_episode

    def discharged_meanwhile(child):
        episode = real_open_episode(child)
        Episode.objects.filter(pk=episode.pk).update(
            discharge_date=dt.date(2026, 9, 30), discharge_reason="reunification"
        )
        return episode

    with (
        mock.patch.object(services, "_open_episode", discharged_meanwhile),
        pytest.raises(ValidationError) as excinfo,
    ):
        services.placement_add(
            actor=caseworker,
            child=family.test_child,
            setting="nonrelative_foster",
            start_date=dt.date(2026, 10, 1),
            end_reason="Moved",
        )
    assert error_fields(excinfo) == {"start_date"}
    assert family.test_episode.placements.get().end_date is None
    assert Episode.objects.get(pk=family.test_episode.pk).discharge_date is None  # rolled back too
    assert not events("update", "cases.placement").exists()


def test_placement_end_ends_the_current_placement(family, caseworker):
    placement = family.test_episode.placements.get()
    services.placement_end(
        actor=caseworker, placement=placement, end_date=dt.date(2026, 11, 15), end_reason="Home"
    )
    placement.refresh_from_db()
    assert (placement.end_date, placement.end_reason) == (dt.date(2026, 11, 15), "Home")
    assert events("update", "cases.placement").get().detail == {
        "fields": ["end_date", "end_reason"]
    }


def test_placement_end_refuses_an_end_before_the_start_or_in_the_future(family, caseworker):
    placement = family.test_episode.placements.get()
    for day in [dt.date(2026, 2, 1), dt.date(2026, 12, 1)]:
        with pytest.raises(ValidationError) as excinfo:
            services.placement_end(
                actor=caseworker, placement=placement, end_date=day, end_reason="Home"
            )
        assert error_fields(excinfo) == {"end_date"}
    placement.refresh_from_db()
    assert placement.end_date is None


def test_placement_end_refuses_an_ended_placement_and_needs_a_reason(family, caseworker):
    placement = family.test_episode.placements.get()
    with pytest.raises(ValidationError) as excinfo:
        services.placement_end(
            actor=caseworker, placement=placement, end_date=dt.date(2026, 11, 1), end_reason=" "
        )
    assert error_fields(excinfo) == {"end_reason"}
    services.placement_end(
        actor=caseworker, placement=placement, end_date=dt.date(2026, 11, 1), end_reason="Home"
    )
    with pytest.raises(ValidationError):
        services.placement_end(
            actor=caseworker, placement=placement, end_date=dt.date(2026, 11, 2), end_reason="Home"
        )


# --- permanency_plan_change ---------------------------------------------------------------


def test_plan_change_adds_a_row_and_keeps_the_history(family, caseworker):
    child = family.test_child
    before = child.permanency_plans.get()
    plan = services.permanency_plan_change(
        actor=caseworker,
        child=child,
        effective_date=dt.date(2026, 11, 19),
        primary_goal="guardianship",
        concurrent_goal="adoption",
        reason="Permanency hearing order",
    )
    assert child.permanency_plans.count() == 2
    before.refresh_from_db()
    assert before.primary_goal == "reunification"  # never overwritten
    assert (plan.recorded_by, plan.reason) == (caseworker, "Permanency hearing order")
    assert events("create", "cases.permanencyplan").get().record_id == plan.pk


def test_plan_change_needs_a_reason_and_a_change(family, caseworker):
    child = family.test_child
    with pytest.raises(ValidationError) as excinfo:
        services.permanency_plan_change(
            actor=caseworker,
            child=child,
            effective_date=dt.date(2026, 11, 19),
            primary_goal="reunification",
            concurrent_goal="relative",
            reason="",
        )
    assert error_fields(excinfo) == {"primary_goal", "reason"}
    assert child.permanency_plans.count() == 1


def test_plan_change_cannot_predate_the_current_plan_or_be_in_the_future(family, caseworker):
    child = family.test_child
    for day in [dt.date(2026, 3, 1), dt.date(2026, 11, 21)]:
        with pytest.raises(ValidationError) as excinfo:
            services.permanency_plan_change(
                actor=caseworker,
                child=child,
                effective_date=day,
                primary_goal="guardianship",
                concurrent_goal="adoption",
                reason="Order",
            )
        assert error_fields(excinfo) == {"effective_date"}
    assert PermanencyPlan.objects.filter(child=child).count() == 1


def test_plan_change_keeps_a_concurrent_goal(family, caseworker):
    with pytest.raises(ValidationError) as excinfo:
        services.permanency_plan_change(
            actor=caseworker,
            child=family.test_child,
            effective_date=dt.date(2026, 11, 19),
            primary_goal="guardianship",
            concurrent_goal="guardianship",
            reason="Order",
        )
    assert error_fields(excinfo) == {"concurrent_goal"}
