"""Shared set-up for the FTM tests: a family with a held meeting (two action items) and the
next meeting on the calendar, with time frozen on the day of the next meeting."""

import datetime as dt
from dataclasses import dataclass

from assessments.models import Goal
from safebabies import codes
from teams.models import Ftm, FtmActionItem

NOW = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)  # 09:00 in the site's America/Chicago
TODAY = dt.date(2026, 11, 23)


@dataclass
class Meeting:
    case: object
    previous: Ftm
    ftm: Ftm
    old_items: list[FtmActionItem]
    goal: Goal


def make_meeting(family, coordinator, caseworker) -> Meeting:
    previous = Ftm.objects.create(
        case=family,
        scheduled_on=TODAY - dt.timedelta(days=30),
        status=codes.FtmStatus.HELD,
        facilitator=coordinator,
        notes="Talked about the move back home.",
        parent_attended=True,
    )
    old_items = [
        FtmActionItem.objects.create(
            ftm=previous,
            description="Book the parenting class",
            owner=caseworker,
            owner_role="caseworker",
            due_on=TODAY,
        ),
        FtmActionItem.objects.create(
            ftm=previous, description="Visit the new apartment", owner_role="", due_on=TODAY
        ),
    ]
    ftm = Ftm.objects.create(
        case=family, scheduled_on=TODAY, facilitator=coordinator, location="Room B"
    )
    goal = Goal.objects.create(case=family, description="Jaime goes home to Dorothy")
    return Meeting(case=family, previous=previous, ftm=ftm, old_items=old_items, goal=goal)
