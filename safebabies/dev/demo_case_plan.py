"""The demo's case plan for the Rivera family (seed 000): the clinician's relationship-based
assessments, the case-plan goals with their steps, the team's markers of progress and the
clinician's recommendation for the court (the judge reads it under Jaime's release to the
court, `safebabies.dev.demo`), dated from the demo site's today like the rest
of `safebabies.dev.demo`, with fixed ids so that a second run changes nothing."""

import datetime as dt

from django.db import models

from assessments.models import Assessment, Goal, GoalStep, MarkerRating
from cases.models import CourtRecommendation
from safebabies.identity.models import User

CASE = "demo-case-rivera"
DERRICK = "demo-child-rivera-derrick"
JAIME = "demo-person-rivera-jaime"
DOROTHY = "demo-person-rivera-dorothy"

# (days ago, lens, child, caregiver, narrative)
ASSESSMENTS = (
    (
        60,
        "child",
        DERRICK,
        None,
        {
            "strengths": "Derrick is curious and lights up when Jaime arrives; he settles with "
            "Dorothy's bedtime song.",
            "symptoms": "Tantrums up to an hour, biting and hitting; trouble falling asleep and "
            "night waking; cries for about 15 minutes at child-care drop-off.",
            "history": "Removed at 23 months after being found with his mother in her car.",
            "functioning": "ASQ-3 in the monitor zone for communication; ASQ:SE-2 refer.",
        },
    ),
    (
        55,
        "relationship",
        DERRICK,
        JAIME,
        {
            "strengths": "Jaime brings the crackers Derrick likes and sings the bath song "
            "from home.",
            "caregiver_beliefs": "Jaime believes Derrick is upset only because they are apart.",
            "child_expectations": "Derrick looks for Jaime at the door and checks her face.",
            "observed_interaction": "Commands are sometimes harsh and Derrick escalates; "
            "when Jaime puts her phone away they build towers together and he calms.",
            "culture_and_community": "Biracial family; Jaime grew up in care herself.",
        },
    ),
)
# (marker, caregiver or None, child or None, [(days ago, score)], note of the latest)
MARKERS = (
    ("reflective_capacity", JAIME, None, [(60, 1), (30, 2), (5, 2)], "Wonders aloud why he bites"),
    (
        "takes_responsibility",
        JAIME,
        None,
        [(60, 1), (30, 2), (5, 1)],
        "Setback after the missed intake",
    ),
    ("takes_steps", JAIME, None, [(60, 1), (30, 2), (5, 3)], "Went to the housing navigator"),
    ("uses_supports", JAIME, None, [(60, 2), (30, 2), (5, 3)], "Calls her parent mentor weekly"),
    ("parenting_skills", DOROTHY, None, [(60, 3), (30, 3), (5, 4)], "Calm bedtime routine"),
    ("regulates_emotions", None, DERRICK, [(60, 1), (30, 2), (5, 2)], "Shorter tantrums"),
    ("seeks_caregiver", None, DERRICK, [(60, 2), (30, 3), (5, 3)], "Goes to Dorothy when hurt"),
)


# (key, child, description, target in days from today, status, [(step, who, due in days, done
# days ago or None)])
GOALS = (
    (
        "housing",
        None,
        "Jaime has a safe, stable place to live where Derrick can come home.",
        60,
        "in_progress",
        [
            ("Meet the housing navigator", "Jaime", -20, 18),
            ("Apply for the family housing voucher", "Jaime and the caseworker", 10, None),
        ],
    ),
    (
        "relationship",
        DERRICK,
        "Derrick and Jaime take part in child-parent psychotherapy together every week.",
        45,
        "in_progress",
        [
            ("Jaime joins a session with Derrick and Dorothy", "Jaime", -10, 6),
            ("Weekly sessions for a month", "The clinician", 30, None),
        ],
    ),
    (
        "parenting",
        None,
        "Jaime uses calm, simple words to guide Derrick during family time.",
        30,
        "not_started",
        [("Practise two-choice offers with the CASA at family time", "Jaime", 7, None)],
    ),
    (
        "bedtime",
        DERRICK,
        "Derrick falls asleep with a calm bedtime routine at Dorothy's.",
        -5,
        "achieved",
        [("Same routine every night for two weeks", "Dorothy", -20, 20)],
    ),
)
# (days ago, text): the clinician's short recommendation for the court
COURT_RECOMMENDATION = (
    4,
    "Derrick is making steady progress in child-parent psychotherapy and turns to Dorothy for "
    "comfort. Jaime joined her first session this month. I recommend family time increase to "
    "three times a week, with Jaime at the weekly sessions, and that supervision step down to "
    "monitored once she has attended four sessions in a row.",
)


def rows(today: dt.date, clinician: User | None) -> dict[type[models.Model], list[dict]]:
    def ago(days: int) -> dt.date:
        return today - dt.timedelta(days=days)

    assessments = [
        {
            "id": f"demo-assessment-rivera-{number}",
            "case_id": CASE,
            "lens": lens,
            "child_id": child,
            "caregiver_id": caregiver,
            "assessed_on": ago(days),
            "clinician_id": clinician.pk if clinician else None,
            **narrative,
        }
        for number, (days, lens, child, caregiver, narrative) in enumerate(ASSESSMENTS, start=1)
    ]
    ratings = []
    for marker, caregiver, child, scores, note in MARKERS:
        for number, (days, score) in enumerate(scores, start=1):
            ratings.append(
                {
                    "id": f"demo-marker-rivera-{marker}-{'c' if child else 'p'}-{number}",
                    "case_id": CASE,
                    "caregiver_id": caregiver,
                    "child_id": child,
                    "marker": marker,
                    "rated_on": ago(days),
                    "score": score,
                    "note": note if number == len(scores) else "",
                }
            )
    goals, steps = [], []
    for key, child, description, target, status, goal_steps in GOALS:
        goal_id = f"demo-goal-rivera-{key}"
        goals.append(
            {
                "id": goal_id,
                "case_id": CASE,
                "child_id": child,
                "description": description,
                "target_on": today + dt.timedelta(days=target),
                "status": status,
                "steps": "\n".join(text for text, *_ in goal_steps),
                "responsible": goal_steps[0][1],
            }
        )
        for position, (text, who, due, done) in enumerate(goal_steps):
            steps.append(
                {
                    "id": f"{goal_id}-step-{position + 1}",
                    "goal_id": goal_id,
                    "text": text,
                    "responsible": who,
                    "due_on": today + dt.timedelta(days=due),
                    "done_on": ago(done) if done is not None else None,
                    "position": position,
                }
            )
    days, text = COURT_RECOMMENDATION
    recommendation = {
        "id": "demo-court-recommendation-rivera-1",
        "case_id": CASE,
        "child_id": DERRICK,
        "written_on": ago(days),
        "text": text,
        "clinician_id": clinician.pk if clinician else None,
    }
    return {
        Assessment: assessments,
        MarkerRating: ratings,
        Goal: goals,
        GoalStep: steps,
        CourtRecommendation: [recommendation],
    }
