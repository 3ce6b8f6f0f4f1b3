"""FTM services: scheduling, logging (attendance, review, action items), conflicts, held."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from safebabies import codes
from safebabies.audit.models import AuditEvent
from teams import selectors as ftm_selectors
from teams import services as ftm_services
from teams.models import Ftm, FtmActionItem, FtmAttendance
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


def test_next_ftm_defaults_to_the_site_cadence_after_the_last_one(family, coordinator, site):
    site.ftm_cadence_days = 28
    site.save()
    Ftm.objects.create(case=family, scheduled_on=TODAY - dt.timedelta(days=7))
    ftm = ftm_services.ftm_schedule(case=family, actor=coordinator)
    assert ftm.scheduled_on == TODAY + dt.timedelta(days=21)
    assert ftm.facilitator == coordinator
    assert AuditEvent.objects.filter(record_id=ftm.pk, action="create").exists()


def test_first_ftm_of_a_family_defaults_to_today(family, coordinator):
    assert ftm_services.ftm_schedule(case=family, actor=coordinator).scheduled_on == TODAY


def test_facilitator_must_be_on_the_family_team(family, coordinator, other_caseworker):
    with pytest.raises(ValidationError) as exc:
        ftm_services.ftm_schedule(case=family, actor=coordinator, facilitator=other_caseworker)
    assert "facilitator" in exc.value.message_dict
    assert not Ftm.objects.filter(case=family).exists()


def test_invitees_are_the_family_team_and_the_family(meeting, caseworker, parent_mentor):
    keys = {row.key for row in ftm_selectors.invitees(meeting.ftm)}
    assert f"email:{caseworker.email}" in keys
    assert f"email:{parent_mentor.email}" in keys
    assert f"person:{meeting.case.test_parent.pk}" in keys


def test_logging_records_attendance_and_derives_parent_and_mentor_participation(
    meeting, coordinator, caseworker, parent_mentor
):
    ftm = ftm_services.ftm_log(
        ftm=meeting.ftm,
        actor=coordinator,
        version=meeting.ftm.version,
        changes={
            "going_well": "Jaime sleeps through the night",
            "confidentiality_acknowledged": True,
        },
        attendance=[
            {"email": caseworker.email, "role": "caseworker", "mode": "remote"},
            {"email": parent_mentor.email, "role": "parent_mentor", "mode": "absent"},
            {"person_id": meeting.case.test_parent.pk, "mode": "in_person"},
            {"name": "Aunt Lucia", "role": "relative", "mode": "in_person"},
        ],
    )
    ftm.refresh_from_db()
    assert ftm.parent_attended is True
    assert ftm.parent_mentor_attended is False
    assert ftm.attendee_roles == ["caseworker"]
    assert ftm.going_well == "Jaime sleeps through the night"
    assert ftm.confidentiality_acknowledged
    assert ftm.version == 2
    modes = {
        (a.user_id, a.person_id, a.name): a.mode for a in FtmAttendance.objects.filter(ftm=ftm)
    }
    assert modes[(None, None, "Aunt Lucia")] == "in_person"
    assert modes[(None, meeting.case.test_parent.pk, "")] == "in_person"
    assert modes[(caseworker.pk, None, "")] == "remote"


def test_attendance_with_a_bad_mode_names_the_field_and_writes_nothing(meeting, coordinator):
    with pytest.raises(ValidationError) as exc:
        ftm_services.ftm_log(
            ftm=meeting.ftm,
            actor=coordinator,
            version=1,
            changes={"notes": "half"},
            attendance=[{"name": "Someone", "mode": "sort-of"}],
        )
    assert "attendance" in exc.value.message_dict
    meeting.ftm.refresh_from_db()
    assert meeting.ftm.notes == "" and meeting.ftm.version == 1


def test_someone_from_another_site_cannot_be_listed_by_email(meeting, coordinator, outsider):
    with pytest.raises(ValidationError) as exc:
        ftm_services.ftm_log(
            ftm=meeting.ftm,
            actor=coordinator,
            version=1,
            attendance=[{"email": outsider.email, "mode": "in_person"}],
        )
    assert "attendance" in exc.value.message_dict


def test_review_marks_earlier_items_done_not_done_with_why_or_dropped(meeting, coordinator):
    done, not_done = meeting.old_items
    ftm_services.ftm_log(
        ftm=meeting.ftm,
        actor=coordinator,
        version=1,
        reviewed=[
            {"id": done.pk, "status": "done"},
            {"id": not_done.pk, "status": "open", "not_done_reason": "The lease starts in March"},
        ],
    )
    done.refresh_from_db()
    not_done.refresh_from_db()
    assert done.status == "done" and done.completed_on == TODAY
    assert not_done.status == "open" and not_done.not_done_reason == "The lease starts in March"


def test_review_with_an_unknown_status_names_status(meeting, coordinator):
    with pytest.raises(ValidationError) as exc:
        ftm_services.ftm_log(
            ftm=meeting.ftm,
            actor=coordinator,
            version=1,
            reviewed=[{"id": meeting.old_items[0].pk, "status": "sort-of"}],
        )
    assert "status" in exc.value.message_dict


def test_review_cannot_touch_another_familys_items(meeting, coordinator, site):
    other = f.CaseFactory(site=site)
    other_ftm = Ftm.objects.create(case=other, scheduled_on=TODAY)
    foreign = FtmActionItem.objects.create(ftm=other_ftm, due_on=TODAY, description="x")
    with pytest.raises(ValidationError):
        ftm_services.ftm_log(
            ftm=meeting.ftm,
            actor=coordinator,
            version=1,
            reviewed=[{"id": foreign.pk, "status": "done"}],
        )
    foreign.refresh_from_db()
    assert foreign.status == "open"


def test_new_action_items_default_to_the_next_ftm_and_link_a_goal(meeting, coordinator, caseworker):
    ftm_services.ftm_log(
        ftm=meeting.ftm,
        actor=coordinator,
        version=1,
        changes={"next_ftm_on": "2026-12-21"},
        action_items=[
            {
                "id": "ai-one",
                "description": "Ask about a speech therapist",
                "owner": f"email:{caseworker.email}",
                "goal_id": meeting.goal.pk,
            },
            {
                "id": "ai-two",
                "description": "Bring Jaime's shot record",
                "owner": f"person:{meeting.case.test_parent.pk}",
            },
        ],
    )
    one = FtmActionItem.objects.get(pk="ai-one")
    two = FtmActionItem.objects.get(pk="ai-two")
    assert one.due_on == dt.date(2026, 12, 21) and one.goal == meeting.goal
    assert one.owner == caseworker and one.owner_role == "caseworker"
    assert two.owner_person == meeting.case.test_parent and two.owner is None


def test_an_action_item_left_out_of_the_next_save_is_removed(meeting, coordinator):
    first = ftm_services.ftm_log(
        ftm=meeting.ftm,
        actor=coordinator,
        version=1,
        action_items=[{"id": "ai-keep", "description": "a"}, {"id": "ai-drop", "description": "b"}],
    )
    ftm_services.ftm_log(
        ftm=meeting.ftm,
        actor=coordinator,
        version=first.version,
        action_items=[{"id": "ai-keep", "description": "a, reworded"}],
    )
    assert list(FtmActionItem.objects.filter(ftm=meeting.ftm).values_list("pk", "description")) == [
        ("ai-keep", "a, reworded")
    ]


def test_an_action_item_cannot_take_the_id_of_an_earlier_meetings_item(meeting, coordinator):
    with pytest.raises(ValidationError) as exc:
        ftm_services.ftm_log(
            ftm=meeting.ftm,
            actor=coordinator,
            version=1,
            action_items=[{"id": meeting.old_items[0].pk, "description": "stolen"}],
        )
    assert "action_items" in exc.value.message_dict
    meeting.old_items[0].refresh_from_db()
    assert meeting.old_items[0].ftm == meeting.previous


def test_two_people_saving_from_the_same_version_conflict_instead_of_overwriting(
    meeting, coordinator, caseworker
):
    ftm_services.ftm_log(
        ftm=meeting.ftm, actor=caseworker, version=1, changes={"worries": "Housing"}
    )
    with pytest.raises(ftm_services.FtmConflict) as exc:
        ftm_services.ftm_log(
            ftm=meeting.ftm, actor=coordinator, version=1, changes={"worries": "Nothing"}
        )
    assert str(caseworker) in exc.value.message
    meeting.ftm.refresh_from_db()
    assert meeting.ftm.worries == "Housing"


def test_next_ftm_must_come_after_this_one(meeting, coordinator):
    with pytest.raises(ValidationError) as exc:
        ftm_services.ftm_log(
            ftm=meeting.ftm, actor=coordinator, version=1, changes={"next_ftm_on": "2026-11-01"}
        )
    assert "next_ftm_on" in exc.value.message_dict


def test_marking_held_puts_the_agreed_next_meeting_on_the_calendar(meeting, coordinator):
    ftm_services.ftm_log(
        ftm=meeting.ftm, actor=coordinator, version=1, changes={"next_ftm_on": "2026-12-21"}
    )
    upcoming = ftm_services.ftm_mark_held(ftm=meeting.ftm, actor=coordinator)
    meeting.ftm.refresh_from_db()
    assert meeting.ftm.status == codes.FtmStatus.HELD
    assert upcoming.scheduled_on == dt.date(2026, 12, 21)
    assert upcoming.status == codes.FtmStatus.SCHEDULED
    # marking it held again does not add another meeting
    ftm_services.ftm_mark_held(ftm=meeting.ftm, actor=coordinator)
    assert Ftm.objects.filter(case=meeting.case, scheduled_on__gt=TODAY).count() == 1


def test_a_future_meeting_cannot_be_marked_held(family, coordinator):
    ftm = Ftm.objects.create(case=family, scheduled_on=TODAY + dt.timedelta(days=3))
    with pytest.raises(ValidationError) as exc:
        ftm_services.ftm_mark_held(ftm=ftm, actor=coordinator)
    assert "status" in exc.value.message_dict


# --- The next date and the calendar are one thing


def _on_calendar(case) -> list[dt.date]:
    return list(
        Ftm.objects.filter(case=case, scheduled_on__gt=TODAY)
        .exclude(status=codes.FtmStatus.CANCELLED)
        .order_by("scheduled_on")
        .values_list("scheduled_on", flat=True)
    )


def test_next_date_moves_the_meeting_already_on_the_calendar(meeting, coordinator):
    planned = Ftm.objects.create(case=meeting.case, scheduled_on=dt.date(2026, 12, 31))
    ftm_services.ftm_log(
        ftm=meeting.ftm, actor=coordinator, version=1, changes={"next_ftm_on": "2027-01-05"}
    )
    planned.refresh_from_db()
    assert planned.scheduled_on == dt.date(2027, 1, 5)
    assert planned.version == 2 and planned.edited_by == coordinator
    assert _on_calendar(meeting.case) == [dt.date(2027, 1, 5)]
    assert ftm_selectors.next_meeting(meeting.ftm).ftm == planned
    moved = AuditEvent.objects.get(record_id=planned.pk, action="update")
    assert moved.detail == {"fields": ["scheduled_on"]}
    # marking the meeting held links to that meeting: no second one
    assert ftm_services.ftm_mark_held(ftm=meeting.ftm, actor=coordinator) == planned
    assert _on_calendar(meeting.case) == [dt.date(2027, 1, 5)]


def test_next_date_puts_the_next_meeting_on_the_calendar_once(meeting, coordinator):
    first = ftm_services.ftm_log(
        ftm=meeting.ftm, actor=coordinator, version=1, changes={"next_ftm_on": "2026-12-21"}
    )
    ftm_services.ftm_log(  # the logging page sends every field with every save
        ftm=meeting.ftm,
        actor=coordinator,
        version=first.version,
        changes={"next_ftm_on": "2026-12-21", "notes": "more"},
    )
    (upcoming,) = Ftm.objects.filter(case=meeting.case, scheduled_on__gt=TODAY)
    assert upcoming.scheduled_on == dt.date(2026, 12, 21)
    assert upcoming.status == codes.FtmStatus.SCHEDULED
    assert upcoming.location == "Room B" and upcoming.facilitator == coordinator


def test_next_date_sent_again_does_not_undo_a_move_made_on_the_next_meetings_page(
    meeting, coordinator, caseworker
):
    first = ftm_services.ftm_log(
        ftm=meeting.ftm, actor=coordinator, version=1, changes={"next_ftm_on": "2026-12-21"}
    )
    upcoming = Ftm.objects.get(case=meeting.case, scheduled_on=dt.date(2026, 12, 21))
    ftm_services.ftm_log(
        ftm=upcoming,
        actor=caseworker,
        version=upcoming.version,
        changes={"scheduled_on": "2026-12-28"},
    )
    # this meeting's page, opened before the move, saves its notes with the old date
    ftm_services.ftm_log(
        ftm=meeting.ftm,
        actor=coordinator,
        version=first.version,
        changes={"next_ftm_on": "2026-12-21", "notes": "typed later"},
    )
    assert _on_calendar(meeting.case) == [dt.date(2026, 12, 28)]
    assert ftm_selectors.next_meeting(meeting.ftm).on == dt.date(2026, 12, 28)


def test_next_date_past_a_later_meeting_is_refused_naming_both_dates(meeting, coordinator):
    Ftm.objects.create(case=meeting.case, scheduled_on=dt.date(2026, 12, 21))
    Ftm.objects.create(case=meeting.case, scheduled_on=dt.date(2027, 1, 18))
    with pytest.raises(ValidationError) as exc:
        ftm_services.ftm_log(
            ftm=meeting.ftm, actor=coordinator, version=1, changes={"next_ftm_on": "2027-01-25"}
        )
    (message,) = exc.value.message_dict["next_ftm_on"]
    assert "Monday 21 December 2026" in message and "Monday 18 January 2027" in message
    assert _on_calendar(meeting.case) == [dt.date(2026, 12, 21), dt.date(2027, 1, 18)]
    meeting.ftm.refresh_from_db()
    assert meeting.ftm.next_ftm_on is None and meeting.ftm.version == 1


def test_next_date_cannot_move_a_meeting_already_held(meeting, coordinator):
    meeting.ftm.status = codes.FtmStatus.HELD
    meeting.ftm.save()
    with pytest.raises(ValidationError) as exc:
        ftm_services.ftm_log(
            ftm=meeting.previous,
            actor=coordinator,
            version=meeting.previous.version,
            changes={"next_ftm_on": "2026-11-30"},
        )
    assert "held on Monday 23 November 2026" in exc.value.message_dict["next_ftm_on"][0]
    meeting.ftm.refresh_from_db()
    assert meeting.ftm.scheduled_on == TODAY


def test_planning_while_one_is_on_the_calendar_is_refused_naming_its_date(meeting, coordinator):
    with pytest.raises(ValidationError) as exc:
        ftm_services.ftm_schedule(
            case=meeting.case, actor=coordinator, scheduled_on=dt.date(2026, 12, 22)
        )
    assert "Monday 23 November 2026" in exc.value.message_dict["another_as_well"][0]
    assert _on_calendar(meeting.case) == []
    another = ftm_services.ftm_schedule(
        case=meeting.case,
        actor=coordinator,
        scheduled_on=dt.date(2026, 12, 22),
        another_as_well=True,
    )
    assert another.scheduled_on == dt.date(2026, 12, 22)


def test_two_meetings_of_a_family_on_one_day_are_refused(meeting, coordinator):
    with pytest.raises(ValidationError) as exc:
        ftm_services.ftm_schedule(
            case=meeting.case, actor=coordinator, scheduled_on=TODAY, another_as_well=True
        )
    assert (
        "already has an FTM on Monday 23 November 2026" in exc.value.message_dict["scheduled_on"][0]
    )
    assert Ftm.objects.filter(case=meeting.case, scheduled_on=TODAY).count() == 1


def test_a_new_items_default_due_date_is_the_next_meeting_on_the_calendar(
    meeting, coordinator, site
):
    site.ftm_cadence_days = 28
    site.save()
    Ftm.objects.create(case=meeting.case, scheduled_on=dt.date(2026, 12, 14))
    ftm_services.ftm_log(
        ftm=meeting.ftm,
        actor=coordinator,
        version=1,
        action_items=[{"id": "ai-due", "description": "Call the pediatrician"}],
    )
    assert FtmActionItem.objects.get(pk="ai-due").due_on == dt.date(2026, 12, 14)
    assert ftm_selectors.log_page(meeting.ftm).default_due == dt.date(2026, 12, 14)


def test_a_new_items_default_due_date_is_the_next_date_being_agreed(meeting, coordinator):
    Ftm.objects.create(case=meeting.case, scheduled_on=dt.date(2026, 12, 14))
    ftm_services.ftm_log(
        ftm=meeting.ftm,
        actor=coordinator,
        version=1,
        changes={"next_ftm_on": "2026-12-21"},
        action_items=[{"id": "ai-due", "description": "Call the pediatrician"}],
    )
    assert FtmActionItem.objects.get(pk="ai-due").due_on == dt.date(2026, 12, 21)


# --- Items not done yet come back until done or dropped


def test_an_item_not_done_yet_is_reviewed_at_every_next_meeting_until_done(meeting, coordinator):
    book, visit = meeting.old_items
    ftm_services.ftm_log(
        ftm=meeting.ftm,
        actor=coordinator,
        version=1,
        changes={"next_ftm_on": "2026-12-21"},
        reviewed=[
            {"id": book.pk, "status": "open", "not_done_reason": "The class is full"},
            {"id": visit.pk, "status": "done"},
        ],
    )
    ftm_services.ftm_mark_held(ftm=meeting.ftm, actor=coordinator)
    december = Ftm.objects.get(case=meeting.case, scheduled_on=dt.date(2026, 12, 21))
    with time_machine.travel(dt.datetime(2026, 12, 21, 15, tzinfo=dt.UTC), tick=False):
        page = ftm_selectors.log_page(december)
        assert [item.pk for item in page.previous_items] == [book.pk]
        assert page.previous_items[0].reviewed_at == meeting.ftm  # not yet reviewed here
        ftm_services.ftm_log(
            ftm=december,
            actor=coordinator,
            version=december.version,
            changes={"next_ftm_on": "2027-01-18"},
            reviewed=[{"id": book.pk, "status": "open", "not_done_reason": "Waitlist"}],
        )
        ftm_services.ftm_mark_held(ftm=december, actor=coordinator)
    january = Ftm.objects.get(case=meeting.case, scheduled_on=dt.date(2027, 1, 18))
    assert [item.pk for item in ftm_selectors.log_page(january).previous_items] == [book.pk]
    ftm_services.ftm_log(
        ftm=january,
        actor=coordinator,
        version=january.version,
        reviewed=[{"id": book.pk, "status": "done"}],
    )
    # still listed at the meeting that closed it, gone from the one after
    assert [item.pk for item in ftm_selectors.log_page(january).previous_items] == [book.pk]
    february = Ftm.objects.create(
        case=meeting.case, scheduled_on=dt.date(2027, 2, 15), status=codes.FtmStatus.SCHEDULED
    )
    january.status = codes.FtmStatus.HELD
    january.save()
    assert ftm_selectors.log_page(february).previous_items == []


def test_a_dropped_item_is_not_carried_forward(meeting, coordinator):
    book, visit = meeting.old_items
    ftm_services.ftm_log(
        ftm=meeting.ftm,
        actor=coordinator,
        version=1,
        reviewed=[{"id": book.pk, "status": "dropped"}, {"id": visit.pk, "status": "open"}],
    )
    meeting.ftm.status = codes.FtmStatus.HELD
    meeting.ftm.save()
    after = Ftm.objects.create(case=meeting.case, scheduled_on=dt.date(2026, 12, 21))
    assert [item.pk for item in ftm_selectors.log_page(after).previous_items] == [visit.pk]


def _big_save(meeting, coordinator, size, site):
    users = []
    for number in range(size):
        user = f.UserFactory(email=f"member{size}-{number}@north.example.org")
        f.MembershipFactory(user=user, site=site, role="caseworker")
        f.TeamMemberFactory(case=meeting.case, user=user, role="caseworker")
        users.append(user)
    attendance = [{"email": u.email, "role": "caseworker", "mode": "in_person"} for u in users]
    items = [
        {
            "id": f"ai-{size}-{n}",
            "description": f"Item {n}",
            "owner": f"email:{users[n].email}",
            "goal_id": meeting.goal.pk,
            "due_on": "2026-12-20",
        }
        for n in range(size)
    ]
    return attendance, items


@pytest.mark.parametrize("size", [3, 20])
def test_saving_a_meeting_takes_the_same_number_of_queries_whatever_its_size(
    meeting, coordinator, site, size, django_assert_num_queries
):
    attendance, items = _big_save(meeting, coordinator, size, site)
    reviewed = [{"id": item.pk, "status": "done"} for item in meeting.old_items]
    # first save creates every row; the second updates them all
    with django_assert_num_queries(QUERIES_FIRST_SAVE):
        ftm = ftm_services.ftm_log(
            ftm=meeting.ftm,
            actor=coordinator,
            version=1,
            changes={"notes": "n"},
            attendance=attendance,
            reviewed=reviewed,
            action_items=items,
        )
    for item in items:
        item["description"] += " (changed)"
    with django_assert_num_queries(QUERIES_NEXT_SAVE):
        ftm_services.ftm_log(
            ftm=meeting.ftm,
            actor=coordinator,
            version=ftm.version,
            attendance=attendance,
            reviewed=reviewed,
            action_items=items,
        )
    assert FtmAttendance.objects.filter(ftm=meeting.ftm).count() == size
    assert (
        FtmActionItem.objects.filter(ftm=meeting.ftm, description__endswith="(changed)").count()
        == size
    )


QUERIES_FIRST_SAVE = 22
QUERIES_NEXT_SAVE = 21


# --- The logging page's merge (`base`): nothing typed is lost, no false conflict -------------


def test_a_merge_keeps_both_peoples_work_on_different_fields(meeting, coordinator, caseworker):
    ftm_services.ftm_log(
        ftm=meeting.ftm, actor=caseworker, version=1, changes={"worries": "Housing"}, base={}
    )
    # the coordinator's page still started from version 1, and changed another field
    ftm_services.ftm_log(
        ftm=meeting.ftm,
        actor=coordinator,
        version=1,
        changes={"hopes": "Home by spring"},
        base={"hopes": [""]},
    )
    meeting.ftm.refresh_from_db()
    assert (meeting.ftm.worries, meeting.ftm.hopes) == ("Housing", "Home by spring")


def test_a_merge_refuses_only_a_field_someone_else_changed_and_names_its_value(
    meeting, coordinator, caseworker
):
    ftm_services.ftm_log(
        ftm=meeting.ftm, actor=caseworker, version=1, changes={"worries": "Housing"}, base={}
    )
    with pytest.raises(ftm_services.FtmConflict) as exc:
        ftm_services.ftm_log(
            ftm=meeting.ftm,
            actor=coordinator,
            version=1,
            changes={"worries": "Nothing", "hopes": "Home"},
            base={"worries": [""], "hopes": [""]},
        )
    assert exc.value.fields == {"worries": "Housing"}
    assert str(caseworker) in exc.value.message
    meeting.ftm.refresh_from_db()
    assert (meeting.ftm.worries, meeting.ftm.hopes) == ("Housing", "")  # nothing half-written


def test_ones_own_late_save_is_no_conflict(meeting, coordinator):
    """A reload: the save sent as the page closed lands after the new page was drawn. The
    new page's next save names that text among the values it may find."""
    ftm_services.ftm_log(
        ftm=meeting.ftm,
        actor=coordinator,
        version=1,
        changes={"worries": "Finding a place to li"},
        base={"worries": [""]},
    )
    ftm_services.ftm_log(
        ftm=meeting.ftm,
        actor=coordinator,
        version=1,
        changes={"worries": "Finding a place to live"},
        base={"worries": ["", "Finding a place to li"]},
    )
    meeting.ftm.refresh_from_db()
    assert meeting.ftm.worries == "Finding a place to live"


def test_a_merge_updates_only_the_attendance_and_items_it_names(meeting, coordinator, caseworker):
    cw = {"email": caseworker.email, "role": "caseworker", "mode": "in_person"}
    cc = {"email": coordinator.email, "role": "community_coordinator", "mode": "remote"}
    first = {"id": "ai-merge-first-item", "description": "Call the landlord"}
    ftm_services.ftm_log(
        ftm=meeting.ftm,
        actor=caseworker,
        version=1,
        attendance=[cw],
        action_items=[first],
        base={},
        removed_items=[],
    )
    second = {"id": "ai-merge-second-item", "description": "Book the bus pass"}
    ftm_services.ftm_log(
        ftm=meeting.ftm,
        actor=coordinator,
        version=1,
        attendance=[cc],
        action_items=[second],
        base={},
        removed_items=[],
    )
    modes = {a.user.email: a.mode for a in FtmAttendance.objects.filter(ftm=meeting.ftm)}
    assert modes == {caseworker.email: "in_person", coordinator.email: "remote"}
    items = set(FtmActionItem.objects.filter(ftm=meeting.ftm).values_list("id", flat=True))
    assert items == {first["id"], second["id"]}
    ftm_services.ftm_log(
        ftm=meeting.ftm, actor=coordinator, version=1, base={}, removed_items=[first["id"]]
    )
    items = set(FtmActionItem.objects.filter(ftm=meeting.ftm).values_list("id", flat=True))
    assert items == {second["id"]}
    meeting.ftm.refresh_from_db()
    assert set(meeting.ftm.attendee_roles) == {"caseworker", "community_coordinator"}


def test_a_merge_compares_dates_and_booleans_by_meaning(meeting, coordinator, caseworker):
    ftm_services.ftm_log(
        ftm=meeting.ftm,
        actor=caseworker,
        version=1,
        changes={"next_ftm_on": "2026-12-21", "confidentiality_acknowledged": True},
        base={},
    )
    ftm_services.ftm_log(
        ftm=meeting.ftm,
        actor=coordinator,
        version=1,
        changes={"next_ftm_on": dt.date(2026, 12, 21), "confidentiality_acknowledged": 1},
        base={"next_ftm_on": [""], "confidentiality_acknowledged": [False]},
    )
    meeting.ftm.refresh_from_db()
    assert meeting.ftm.next_ftm_on == dt.date(2026, 12, 21)
