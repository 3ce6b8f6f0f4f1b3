"""One family with two years of records, for timing the pre-hearing summary (`make bench`).

Two children removed two years ago; family time three times a week, monthly FTMs with four
action items each, monthly hearings with two orders each, ten services, screenings every six
months, three placements each. Written with bulk inserts; no real people.
"""

import datetime as dt

from cases.models import (
    Case,
    Child,
    Episode,
    Hearing,
    HearingOrder,
    PermanencyPlan,
    Placement,
)
from familytime.models import Visit
from safebabies import codes
from safebabies.identity.models import Site, SiteMembership, User
from teams.models import Ftm, FtmActionItem


def build_summary_family(*, site: Site, judge_email: str, today: dt.date) -> Hearing:
    """Creates the family and returns its next hearing (in three days)."""
    start = today - dt.timedelta(days=730)
    judge, _ = User.objects.get_or_create(email=judge_email, defaults={"full_name": "Bench Judge"})
    SiteMembership.objects.get_or_create(user=judge, site=site, role="judge")
    case = Case.objects.create(site=site, name="Bench summary family", opened_on=start)
    children = [
        Child.objects.create(
            case=case,
            given_name=name,
            family_name="Bench",
            birth_date=start - dt.timedelta(days=days_old),
            enrolled_on=start,
            docket_number=f"BENCH-{name.upper()}",
        )
        for name, days_old in (("Ana", 200), ("Ben", 20))
    ]
    visits, placements, plans = [], [], []
    for child in children:
        episode = Episode.objects.create(
            child=child, removal_date=start, reasons=[codes.RemovalReason.NEGLECT]
        )
        for i, setting in enumerate(
            [codes.PlacementSetting.NONRELATIVE_FOSTER, codes.PlacementSetting.RELATIVE_FOSTER]
        ):
            placements.append(
                Placement(
                    episode=episode,
                    setting=setting,
                    start_date=start + dt.timedelta(days=200 * i),
                    end_date=start + dt.timedelta(days=199) if i == 0 else None,
                )
            )
        plans.append(
            PermanencyPlan(
                child=child,
                effective_date=start,
                primary_goal=codes.PermanencyGoal.REUNIFICATION,
                concurrent_goal=codes.PermanencyGoal.RELATIVE,
            )
        )
        for day in range(0, 730):
            on = start + dt.timedelta(days=day)
            if on.weekday() in (0, 2, 4):
                status = codes.VisitStatus.HELD if day % 10 else codes.VisitStatus.NO_SHOW
                visits.append(
                    Visit(
                        child=child,
                        scheduled_on=on,
                        status=status,
                        supervision=codes.Supervision.SUPERVISED,
                        duration_minutes=90,
                        observations="Warm reunion; the parent followed the child's lead.",
                    )
                )
    Placement.objects.bulk_create(placements)
    PermanencyPlan.objects.bulk_create(plans)
    Visit.objects.bulk_create(visits)
    ftms = Ftm.objects.bulk_create(
        Ftm(
            case=case,
            scheduled_on=start + dt.timedelta(days=30 * m),
            status=codes.FtmStatus.HELD,
            attendee_roles=["community_coordinator", "caseworker", "parent_attorney"],
            parent_attended=True,
            notes="Discussion notes.",
        )
        for m in range(24)
    )
    FtmActionItem.objects.bulk_create(
        FtmActionItem(
            ftm=ftm,
            description="Follow up",
            due_on=ftm.scheduled_on + dt.timedelta(days=28),
            status=codes.ActionItemStatus.DONE if i % 2 else codes.ActionItemStatus.OPEN,
            completed_on=ftm.scheduled_on + dt.timedelta(days=20) if i % 2 else None,
        )
        for ftm in ftms
        for i in range(4)
    )
    hearings = Hearing.objects.bulk_create(
        Hearing(
            case=case,
            hearing_type=codes.HearingType.REVIEW,
            scheduled_on=start + dt.timedelta(days=30 * m + 3),
            status=codes.HearingStatus.HELD,
            judge=judge,
        )
        for m in range(24)
    )
    HearingOrder.objects.bulk_create(  # the orders of the last two hearings are still open
        HearingOrder(
            hearing=hearing,
            text=f"Order {i} of the hearing of {hearing.scheduled_on:%-d %b %Y}",
            status="done" if m < 22 else "in_progress",
            done_on=hearing.scheduled_on + dt.timedelta(days=20) if m < 22 else None,
        )
        for m, hearing in enumerate(hearings)
        for i in range(2)
    )
    from assessments.models import Screening, Service

    Service.objects.bulk_create(
        Service(
            case=case,
            child=children[i % 2],
            recipient="child",
            service_type=codes.ServiceType.EARLY_INTERVENTION
            if i % 2
            else codes.ServiceType.CHILD_PARENT_PSYCHOTHERAPY,
            referred_on=start + dt.timedelta(days=60 * i),
            status=codes.ServiceStatus.ACTIVE if i % 3 else codes.ServiceStatus.WAITLISTED,
            started_on=start + dt.timedelta(days=60 * i + 10) if i % 3 else None,
        )
        for i in range(10)
    )
    Screening.objects.bulk_create(
        Screening(
            case=case,
            child=child,
            subject="child",
            instrument=codes.Instrument.ASQ3,
            screened_on=start + dt.timedelta(days=180 * i + 20),
            result=codes.ScreeningResult.NO_CONCERN,
        )
        for child in children
        for i in range(4)
    )
    return Hearing.objects.create(
        case=case,
        hearing_type=codes.HearingType.REVIEW,
        scheduled_on=today + dt.timedelta(days=3),
        judge=judge,
    )
