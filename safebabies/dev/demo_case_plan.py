"""The demo's case plan for the Rivera family (seed 000): the clinician's relationship-based
assessments and the team's markers of progress, dated from the demo site's today like the rest
of `safebabies.dev.demo`, with fixed ids so that a second run changes nothing."""

import datetime as dt

from django.db import models

from assessments.models import Assessment, MarkerRating
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
    return {Assessment: assessments, MarkerRating: ratings}
