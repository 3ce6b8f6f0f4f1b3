"""The judge's pre-hearing summary: ONE selector for the page, the JSON and the PDF.

What it counts (INTERFACES.md): since the case's previous held hearing (or the case's
`opened_on`) up to the day before this hearing. A visit, FTM or action item dated on the day
of the previous hearing is counted; one dated on the day of this hearing is not.

Figures are as of `as_of`: the site's today, or the hearing day for a hearing in the past.
Family time a week divides the visits held by the weeks of the window that have passed
(from the later of `since` and the child's removal).

It is for the courtroom: no FTM discussion notes, no family-time observations, no clinical
narrative, and nothing from 42 CFR Part 2 (substance-use treatment services and substance-use
screenings are left out for every reader).
"""

import datetime as dt
import itertools
import re
from collections import Counter
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q

from assessments.due import screenings_due
from assessments.models import Goal, MarkerRating, MarkerScore, Screening, Service
from cases.access import (
    CaseAccess,
    case_records,
    court_releases_in_force,
    ipv_screening_q,
    part2_screening_q,
    part2_service_q,
)
from cases.hearings.selectors import (
    federal_clocks_of,
    held_permanency_hearing,
    review_overdue,
)
from cases.icwa.selectors import icwa_section
from cases.models import (
    Child,
    Episode,
    Hearing,
    HearingOrder,
    PermanencyPlan,
    Person,
    Placement,
)
from familytime.models import Visit
from familytime.selectors import plan_on, target_per_week
from safebabies import codes
from safebabies.identity.roles import Role
from safebabies.lib.dates import age_in_months
from teams.models import Ftm, FtmActionItem

RELATIONSHIP_SERVICES = {
    codes.ServiceType.CHILD_PARENT_PSYCHOTHERAPY,
    codes.ServiceType.ABC,
    codes.ServiceType.CIRCLE_OF_SECURITY,
    codes.ServiceType.MINDING_THE_BABY,
    codes.ServiceType.PROMOTING_FIRST_RELATIONSHIPS,
}
EARLY_CARE_SERVICES = {codes.ServiceType.CHILD_CARE, codes.ServiceType.EARLY_INTERVENTION}
HEALTH_INSTRUMENTS = {codes.Instrument.HEALTH_INITIAL, codes.Instrument.HEALTH_COMPREHENSIVE}
DEVELOPMENTAL_INSTRUMENTS = {codes.Instrument.ASQ3, codes.Instrument.ASQSE2}
WAITING = {codes.ServiceStatus.REFERRED, codes.ServiceStatus.WAITLISTED}
WAITING_FLAG_DAYS = 30  # a referral waiting longer than this is flagged
TREND_RATINGS = 4  # a marker's trend: its last ratings, oldest first
STRENGTH_SCORE = MarkerScore.OFTEN  # a marker rated this or higher is a strength
CLOCK_FLAG_DAYS = 60  # a federal clock date this close to the hearing is flagged
# On the page and on every PDF: a dependency case's records are confidential by law.
CONFIDENTIALITY_NOTICE = (
    "This summary is about a child in a dependency case and holds information that state and "
    "federal law keep confidential. It is for the court and the parties to this case: do not "
    "copy it or share it with anyone else."
)


def number(value: float | Decimal) -> str:
    """1.3 -> "1.3", 3.0 -> "3"."""
    text = f"{float(value):.1f}"
    return text[:-2] if text.endswith(".0") else text


def in_sentence(label: str) -> str:
    """A code's label inside a sentence: capitalised words in lower case, acronyms kept
    ("Early Intervention (IDEA Part C)" -> "early intervention (IDEA part C)")."""
    return re.sub(r"\b[A-Z][a-z]+\b", lambda word: word.group(0).lower(), label)


def _date(day: dt.date) -> str:
    return f"{day:%-d %b %Y}"


def _per_week(held: int, start: dt.date, end: dt.date) -> float:
    days = max((end - start).days, 1)
    return round(held * 7 / days, 1)


def hearing_summary(access: CaseAccess, hearing: Hearing) -> dict[str, Any]:
    """The pre-hearing summary of `hearing` (a hearing of `access.case`), JSON-ready except
    for dates (the API's encoder writes them as ISO dates)."""
    case = access.case
    site = case.site
    as_of = min(site.today(), hearing.scheduled_on)
    hearings = list(
        Hearing.objects.filter(case=case).only(
            "id",
            "case_id",
            "hearing_type",
            "status",
            "scheduled_on",
            "starts_at",
            "reasonable_efforts",
            "reasonable_efforts_reason",
            "permanency_goal",
            "permanency_goal_approved",
            "attendance",
        )
    )
    previous = max(
        (
            h
            for h in hearings
            if h.status == codes.HearingStatus.HELD and h.scheduled_on < hearing.scheduled_on
        ),
        key=lambda h: (h.scheduled_on, h.starts_at or dt.time.min, h.pk),
        default=None,
    )
    since = previous.scheduled_on if previous else case.opened_on
    until = hearing.scheduled_on  # exclusive: the window ends the day before the hearing
    elapsed_end = min(until, as_of + dt.timedelta(days=1))

    children = list(
        Child.objects.filter(case=case)
        .order_by("birth_date", "id")
        .prefetch_related(
            Prefetch(
                "episodes",
                queryset=Episode.objects.order_by("removal_date", "id").prefetch_related(
                    Prefetch("placements", queryset=Placement.objects.order_by("start_date", "id"))
                ),
            ),
            Prefetch(
                "permanency_plans",
                queryset=PermanencyPlan.objects.filter(effective_date__lte=as_of).order_by(
                    "effective_date", "created_at"
                ),
            ),
        )
    )
    visit_counts: dict[str, Counter[str]] = {}
    for row in (
        Visit.objects.filter(child__case=case, scheduled_on__gte=since, scheduled_on__lt=until)
        .values("child_id", "status")
        .annotate(n=Count("id"))
    ):
        visit_counts.setdefault(row["child_id"], Counter())[row["status"]] = row["n"]
    # supervision of each child's latest held visit, for a child with no family-time plan
    last_supervision = dict(
        Visit.objects.filter(
            child__case=case, status=codes.VisitStatus.HELD, scheduled_on__lt=until
        )
        .exclude(supervision="")
        .order_by("child_id", "-scheduled_on", "-starts_at")
        .distinct("child_id")
        .values_list("child_id", "supervision")
    )
    screenings = list(
        Screening.objects.filter(case=case, child__isnull=False)
        .exclude(part2_screening_q())
        .exclude(ipv_screening_q())
        .order_by("screened_on", "id")
    )
    every_service = list(
        Service.objects.filter(case=case).exclude(part2_service_q()).order_by("referred_on", "id")
    )
    services = [
        s
        for s in every_service
        if s.referred_on < until and (s.ended_on is None or s.ended_on >= since)
    ]
    all_services = [
        (s.child_id, s.service_type, s.referred_on) for s in every_service if s.child_id
    ]
    clocks = {clock["child"].pk: clock for clock in federal_clocks_of(children)}
    # ICWA notice to tribes and relatives' notice of the removal (flagged at the end)
    icwa = icwa_section(case, as_of, children)
    tribes = {child.pk: notices for child, notices in icwa.concerned}

    flags: list[str] = []
    questions: list[dict[str, str]] = []
    child_rows = []
    for child in children:
        child.case = case  # the site's family-time target: no query per child
        name = child.given_name or "The child"
        episodes = list(child.episodes.all())
        episode = next((e for e in episodes if e.discharge_date is None), None)
        plans = list(child.permanency_plans.all())
        plan = plans[-1] if plans else None
        placements = list(episode.placements.all()) if episode else []
        current = next((p for p in reversed(placements) if p.end_date is None), None)
        moves = [
            p
            for previous_p, p in itertools.pairwise(placements)
            if p.setting not in codes.NON_MOVE_SETTINGS
            and previous_p.setting not in codes.NON_MOVE_SETTINGS
        ]
        moves_in_window = [p for p in moves if since <= p.start_date < until]
        counts = visit_counts.get(child.pk, Counter())
        held = counts[codes.VisitStatus.HELD]
        start = max(since, episode.removal_date) if episode else since
        per_week = _per_week(held, start, elapsed_end)
        target = target_per_week(child, as_of)
        family_plan = plan_on(child, as_of)
        supervision = family_plan.supervision if family_plan else last_supervision.get(child.pk)
        mine = [s for s in screenings if s.child_id == child.pk]
        due = screenings_due(
            birth_date=child.birth_date,
            removal_date=episode.removal_date if episode else None,
            removal_reasons=episode.reasons if episode else [],
            screenings=[(s.instrument, s.screened_on) for s in mine],
            early_intervention_referrals=[
                referred
                for child_id, kind, referred in all_services
                if child_id == child.pk and kind == codes.ServiceType.EARLY_INTERVENTION
            ],
            today=as_of,
        )
        child_services = {kind for child_id, kind, _ in all_services if child_id == child.pk}
        clock = clocks.get(child.pk)
        child_rows.append(
            {
                "id": child.pk,
                "name": str(child),
                "docket_number": child.docket_number or None,
                "birth_date": child.birth_date,
                "age_months": age_in_months(child.birth_date, as_of),
                "in_care": episode is not None,
                "removal_date": episode.removal_date if episode else None,
                "days_in_care": episode.days_in_care(as_of) if episode else 0,
                "share_of_life_in_care": (
                    round(
                        episode.days_in_care(as_of) / max((as_of - child.birth_date).days, 1) * 100
                    )
                    if episode
                    else 0
                ),
                "placement": (
                    {
                        "setting": current.setting,
                        "setting_label": current.get_setting_display(),
                        "since": current.start_date,
                    }
                    if current
                    else None
                ),
                "placement_moves": len(moves),
                "placement_moves_since": len(moves_in_window),
                "permanency_goal": plan.primary_goal if plan else None,
                "permanency_goal_label": plan.get_primary_goal_display() if plan else None,
                "concurrent_goal": (plan.concurrent_goal or None) if plan else None,
                "concurrent_goal_label": (
                    plan.get_concurrent_goal_display() if plan and plan.concurrent_goal else None
                ),
                "icwa": child.icwa,
                "icwa_label": child.get_icwa_display(),
                "tribes": [
                    {
                        "tribe": notice.tribe,
                        "notice_sent_on": notice.notice_sent_on,
                        "response_on": notice.response_on,
                    }
                    for notice in tribes.get(child.pk, [])
                ],
                "screenings": {
                    "done": [
                        {
                            "instrument": s.instrument,
                            "instrument_label": s.get_instrument_display(),
                            "screened_on": s.screened_on,
                            "result": s.result or None,
                            "result_label": s.get_result_display() if s.result else None,
                        }
                        for s in mine
                        if since <= s.screened_on < until
                    ],
                    "due": [
                        {"what": d.what, "due_on": d.due_on, "rule": d.rule, "overdue": d.overdue}
                        for d in due
                    ],
                },
                "family_time": {
                    "held": held,
                    "cancelled": counts[codes.VisitStatus.CANCELLED],
                    "no_show": counts[codes.VisitStatus.NO_SHOW],
                    "per_week": per_week,
                    "target_per_week": float(target),
                    "supervision_now": supervision or None,
                    "supervision_now_label": (
                        codes.Supervision(supervision).label if supervision else None
                    ),
                },
                "clocks": (
                    {
                        "permanency_hearing_by": clock["permanency_hearing_by"],
                        "fifteen_of_22_on": clock["fifteen_of_22_on"],
                    }
                    if clock
                    else None
                ),
            }
        )

        # --- flags: what needs the court's attention ---
        for item in due:
            if not item.overdue:
                continue
            if item.what.startswith("Developmental") and episode and "removal" in item.rule:
                flags.append(
                    f"{name}: no developmental screening in the "
                    f"{episode.days_in_care(as_of)} days since removal."
                )
            else:
                flags.append(
                    f"{name}: {in_sentence(item.what)} overdue since {_date(item.due_on)}."
                )
        if episode and per_week < float(target):
            flags.append(
                f"{name}: family time {number(per_week)} a week against a target of "
                f"{number(target)}."
            )
        if moves_in_window:
            n = len(moves_in_window)
            flags.append(
                f"{name} moved to a new placement {n} time{'s' if n != 1 else ''} "
                f"since {_date(since)}."
            )
        if episode and plan is None:
            flags.append(f"{name}: no permanency goal recorded.")
        elif episode and plan and not plan.concurrent_goal:
            flags.append(f"{name}: no concurrent goal recorded.")
        if clock:
            horizon = hearing.scheduled_on + dt.timedelta(days=CLOCK_FLAG_DAYS)
            due_by = clock["permanency_hearing_by"]
            if due_by <= horizon and not held_permanency_hearing(hearings, clock["removal_date"]):
                flags.append(
                    f"{name}: no permanency hearing held yet; it was due by {_date(due_by)} "
                    "(12 months in care)."
                    if due_by < hearing.scheduled_on
                    else f"{name}: the permanency hearing is due by {_date(due_by)} "
                    "(12 months in care)."
                )
            fifteen = clock["fifteen_of_22_on"]
            if fifteen and fifteen <= horizon:
                flags.append(
                    f"{name} has been in care 15 of the most recent 22 months since "
                    f"{_date(fifteen)}."
                    if fifteen < hearing.scheduled_on
                    else f"{name} reaches 15 of the most recent 22 months in care on "
                    f"{_date(fifteen)}."
                )

        # --- questions the record cannot answer yet (NCJFCJ bench card topics) ---
        def ask(topic: str, text: str, child_id: str = child.pk) -> None:
            questions.append({"child_id": child_id, "topic": topic, "question": text})

        instruments = {s.instrument for s in mine}
        if not instruments & HEALTH_INSTRUMENTS:
            ask(
                "health",
                f"Has {name} had a health screening and a comprehensive health assessment, "
                "and are well-child visits and immunisations up to date?",
            )
        if not instruments & DEVELOPMENTAL_INSTRUMENTS:
            ask(
                "development",
                f"Has {name}'s development been screened, and does {name} need a referral to "
                "Early Intervention (IDEA Part C)?",
            )
        if not child_services & RELATIONSHIP_SERVICES:
            ask(
                "mental health and relationships",
                f"What is helping {name} keep a close, secure relationship with their parents "
                "and caregivers, and is a relationship-based service such as child-parent "
                "psychotherapy needed?",
            )
        if episode and family_plan is None:
            ask(
                "family time",
                f"What is {name}'s family-time plan: how often, where, and how will "
                "supervision step down as the parents make progress?",
            )
        elif episode and held == 0:
            ask(
                "family time",
                f"{name} has had no family time recorded since {_date(since)}: what stands in "
                "the way, and how soon can it start again?",
            )
        if episode and current is None:
            ask("placement", f"Where is {name} living now, and with whom?")
        if not child_services & EARLY_CARE_SERVICES:
            ask(
                "early care and education",
                f"Is {name} in quality early care and education (for example Early Head "
                "Start), or does the family need help finding it?",
            )
        if child.icwa == codes.Icwa.UNKNOWN:
            ask(
                "placement",
                f"Has the agency asked whether {name} is or may be an Indian child, as ICWA "
                "requires?",
            )

    # --- FTMs over the window: attendance by role and action items, never notes ---
    ftms = list(
        Ftm.objects.filter(
            case=case,
            status=codes.FtmStatus.HELD,
            scheduled_on__gte=since,
            scheduled_on__lt=until,
        ).only("id", "case_id", "scheduled_on", "attendee_roles", "parent_attended")
    )
    attendance: Counter[str] = Counter()
    for ftm in ftms:
        attendance.update(set(ftm.attendee_roles))
    items = (
        FtmActionItem.objects.filter(ftm__case=case, due_on__gte=since, due_on__lt=until)
        .exclude(status=codes.ActionItemStatus.DROPPED)
        .aggregate(due=Count("id"), done=Count("id", filter=Q(status=codes.ActionItemStatus.DONE)))
    )
    ftm_section = {
        "held": len(ftms),
        "action_items_due": items["due"],
        "action_items_done": items["done"],
        "parent_attended": sum(1 for ftm in ftms if ftm.parent_attended),
        "attendance_by_role": {
            role.value: attendance[role.value] for role in Role if attendance[role.value]
        },
        "attendance_by_role_label": [
            (role.label, attendance[role.value]) for role in Role if attendance[role.value]
        ],
    }
    if not ftms:
        flags.append(f"No Family Team Meeting held since {_date(since)}.")
    elif items["done"] < items["due"]:
        flags.append(
            f"{items['done']} of {items['due']} FTM action items due since {_date(since)} are done."
        )

    # --- services: referred / waiting (how long) / active / completed ---
    service_rows = []
    by_child = {child.pk: child for child in children}
    for service in services:
        waiting = service.status in WAITING
        waiting_days = (as_of - service.referred_on).days if waiting else None
        for_child = by_child.get(service.child_id) if service.child_id else None
        service_rows.append(
            {
                "id": service.pk,
                "service_type": service.service_type,
                "service_type_label": service.get_service_type_display(),
                "recipient": service.recipient,
                "recipient_label": service.get_recipient_display(),
                "child_id": service.child_id,
                "child_name": for_child.given_name if for_child else None,
                "provider": service.provider or None,
                "status": service.status,
                "status_label": service.get_status_display(),
                "referred_on": service.referred_on,
                "started_on": service.started_on,
                "ended_on": service.ended_on,
                "waiting_days": waiting_days,
            }
        )
        if waiting_days is not None and waiting_days > WAITING_FLAG_DAYS:
            flags.append(
                f"Referral to {in_sentence(service.get_service_type_display())} waiting "
                f"{waiting_days} days."
            )

    # --- orders of earlier hearings: open ones, and those done since the last hearing ---
    orders = []
    for order in (
        HearingOrder.objects.filter(
            hearing__case=case, hearing__scheduled_on__lt=hearing.scheduled_on
        )
        .filter(~Q(status=HearingOrder.Status.DONE) | Q(done_on__gte=since))
        .select_related("hearing")
        .order_by("hearing__scheduled_on", "created_at", "id")
    ):
        orders.append(
            {
                "id": order.pk,
                "hearing_id": order.hearing_id,
                "ordered_on": order.hearing.scheduled_on,
                "text": order.text,
                "due_on": order.due_on,
                "status": order.status,
                "status_label": order.get_status_display(),
                "done_on": order.done_on,
            }
        )
        if order.status != HearingOrder.Status.DONE and order.due_on and order.due_on < until:
            flags.append(
                f"Order of {_date(order.hearing.scheduled_on)} not done by its date "
                f"({_date(order.due_on)}): {order.text}"
            )

    flags.extend(icwa.flags)
    # --- frequent reviews: no hearing held for more than a month ---
    last_held_on = max(
        (
            h.scheduled_on
            for h in hearings
            if h.status == codes.HearingStatus.HELD and h.scheduled_on <= as_of
        ),
        default=None,
    )
    if case.closed_on is None and review_overdue(last_held_on, case.opened_on, as_of):
        base = last_held_on or case.opened_on
        flags.append(
            f"No court hearing held since {_date(base)} ({(as_of - base).days} days"
            f"{'' if last_held_on else ', since the family was enrolled'}): the court reviews "
            "each family at least monthly."
        )

    progress = _progress(access, case, children, since, until, as_of, hearing)
    strengths = _strengths(
        child_rows, progress["markers"], progress["goals"], ftm_section, service_rows, since
    )

    return {
        "hearing": {
            "id": hearing.pk,
            "case_id": case.pk,
            "case_name": str(case),
            "hearing_type": hearing.hearing_type,
            "hearing_type_label": hearing.get_hearing_type_display(),
            "scheduled_on": hearing.scheduled_on,
            "starts_at": hearing.starts_at.strftime("%H:%M") if hearing.starts_at else None,
            "courtroom": hearing.courtroom or None,
            "judge": str(hearing.judge) if hearing.judge else None,
            "status": hearing.status,
            "docket_numbers": [c.docket_number for c in children if c.docket_number],
        },
        "as_of": as_of,
        "since": since,
        "until": until - dt.timedelta(days=1),
        "previous_hearing_id": previous.pk if previous else None,
        "children": child_rows,
        "ftms": ftm_section,
        "services": service_rows,
        "orders": orders,
        "flags": flags,
        "questions": questions,
        "goals": progress["goals"],
        "markers": progress["markers"],
        "strengths": strengths,
        "last_hearing": _findings_of(previous),
        "last_hearing_on": last_held_on,
        "court_release_in_force": progress["released"],
        "court_recommendation": progress["recommendation"],
        "confidentiality_notice": CONFIDENTIALITY_NOTICE,
    }


def _findings_of(hearing: Hearing | None) -> dict[str, Any] | None:
    """The court's structured findings at the last hearing held (no free-text findings)."""
    if hearing is None:
        return None
    return {
        "id": hearing.pk,
        "scheduled_on": hearing.scheduled_on,
        "hearing_type_label": hearing.get_hearing_type_display(),
        "reasonable_efforts": hearing.reasonable_efforts,
        "reasonable_efforts_reason": hearing.reasonable_efforts_reason or None,
        "permanency_goal": hearing.permanency_goal or None,
        "permanency_goal_label": hearing.get_permanency_goal_display()
        if hearing.permanency_goal
        else None,
        "permanency_goal_approved": hearing.permanency_goal_approved,
        "attendance": list(hearing.attendance),
        "attendance_labels": [codes.HearingAttendee(role).label for role in hearing.attendance],
    }


def _trend(history: list[int]) -> str | None:
    if len(history) < 2:
        return None
    last, previous = history[-1], history[-2]
    return "up" if last > previous else "down" if last < previous else "same"


def _progress(
    access: CaseAccess,
    case: Any,
    children: list[Child],
    since: dt.date,
    until: dt.date,
    as_of: dt.date,
    hearing: Hearing,
) -> dict[str, Any]:
    """Case-plan goals with their status, the markers of progress as trends (ratings only,
    never the notes) and, under a release naming the court, the clinician's recommendation
    (4 queries, 5 with a release)."""
    names = {child.pk: child.given_name or str(child) for child in children}
    goals = [
        {
            "id": goal.pk,
            "goal": goal.description,
            "child_id": goal.child_id,
            "child_name": names.get(goal.child_id) if goal.child_id else None,
            "status": goal.status,
            "status_label": goal.get_status_display(),
            "target_date": goal.target_on,
            "steps_done": goal.steps_done,  # type: ignore[attr-defined]  # annotated
            "steps": goal.steps_total,  # type: ignore[attr-defined]
        }
        for goal in Goal.objects.filter(case=case)
        .annotate(
            steps_total=Count("step_rows"),
            steps_done=Count("step_rows", filter=Q(step_rows__done_on__isnull=False)),
        )
        .order_by("created_at", "id")
    ]
    caregivers = dict(
        (pk, f"{given} {family}".strip())
        for pk, given, family in Person.objects.filter(case=case).values_list(
            "pk", "given_name", "family_name"
        )
    )
    ratings: dict[tuple[str, str, str], list[MarkerRating]] = {}
    for rating in (
        MarkerRating.objects.filter(case=case, rated_on__lt=until)
        .only("id", "child_id", "caregiver_id", "marker", "rated_on", "score", "created_at")
        .order_by("rated_on", "created_at", "id")
    ):
        subject = (
            ("child", rating.child_id) if rating.child_id else ("caregiver", rating.caregiver_id)
        )
        ratings.setdefault((*subject, rating.marker), []).append(rating)  # type: ignore[arg-type]
    markers = []
    for (kind, subject_id, marker), rows in ratings.items():
        history = [r.score for r in rows][-TREND_RATINGS:]
        last = rows[-1]
        markers.append(
            {
                "marker": marker,
                "marker_label": last.get_marker_display(),
                "subject": kind,
                "child_id": subject_id if kind == "child" else None,
                "caregiver_id": subject_id if kind == "caregiver" else None,
                "subject_name": (names if kind == "child" else caregivers).get(subject_id) or "—",
                "rating": last.score,
                "rated_on": last.rated_on,
                "previous_rating": rows[-2].score if len(rows) > 1 else None,
                "trend": _trend(history),
                "history": history,
                "ratings_since": sum(1 for r in rows if r.rated_on >= since),
            }
        )
    markers.sort(key=lambda m: (m["subject"] != "child", m["subject_name"], m["marker_label"]))
    released = court_releases_in_force(as_of).filter(case=case).exists()
    recommendation = None
    if released:
        latest = (
            case_records(access, "court_recommendation")
            .filter(written_on__lte=hearing.scheduled_on)
            .select_related("clinician")
            .order_by("-written_on", "-created_at", "-id")
            .first()
        )
        if latest is not None:
            recommendation = {
                "id": latest.pk,
                "text": latest.text,
                "written_on": latest.written_on,
                "child_name": names.get(latest.child_id) if latest.child_id else None,
                "clinician": str(latest.clinician) if latest.clinician else None,
            }
    return {
        "goals": goals,
        "markers": markers,
        "released": released,
        "recommendation": recommendation,
    }


def _strengths(
    child_rows: list[dict[str, Any]],
    markers: list[dict[str, Any]],
    goals: list[dict[str, Any]],
    ftms: dict[str, Any],
    services: list[dict[str, Any]],
    since: dt.date,
) -> list[str]:
    """The family's strengths the record shows, in plain sentences (no narrative): markers
    rated often or consistently, goals achieved, family time at its target, a parent at every
    FTM, services under way or completed, a child who stayed in one placement."""
    strengths = []
    for m in markers:
        if m["rating"] >= STRENGTH_SCORE:
            strengths.append(
                f"{m['subject_name']}: {m['marker_label'].lower()} — "
                f"{MarkerScore(m['rating']).label.split(' - ', 1)[-1].lower()}."
            )
    achieved = [g for g in goals if g["status"] == codes.GoalStatus.ACHIEVED]
    if achieved:
        strengths.append(f"{len(achieved)} of {len(goals)} case-plan goals achieved.")
    for c in child_rows:
        name = c["name"].split(" ")[0]
        ft = c["family_time"]
        if c["in_care"] and ft["held"] and ft["per_week"] >= ft["target_per_week"]:
            strengths.append(f"{name}: family time at or above its target since {_date(since)}.")
        if c["in_care"] and c["placement"] and c["placement_moves"] == 0:
            strengths.append(f"{name} has stayed in one placement since removal.")
    if ftms["held"] and ftms["parent_attended"] == ftms["held"]:
        strengths.append(f"A parent took part in every FTM since {_date(since)}.")
    engaged = [
        sv
        for sv in services
        if sv["status"] in (codes.ServiceStatus.ACTIVE, codes.ServiceStatus.COMPLETED)
    ]
    if engaged:
        strengths.append(
            "Taking part in services: "
            + ", ".join(
                f"{in_sentence(sv['service_type_label'])} ({sv['status_label'].lower()})"
                for sv in engaged
            )
            + "."
        )
    return strengths
