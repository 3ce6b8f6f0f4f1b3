"""Writes of the cqi app: the site's scores on the collaborative practice progress matrix."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from cqi.models import PracticeScore
from cqi.practice_matrix import ELEMENT_NAMES, Level
from safebabies.audit.services import audit_log
from safebabies.identity.models import Site, User


@transaction.atomic
def practice_matrix_score(
    *,
    site: Site,
    scored_on: dt.date,
    scores: dict[str, tuple[str, str]],
    actor: User,
    request=None,
) -> list[PracticeScore]:
    """Record the site's level on each element scored (`{element: (level, notes)}`) on
    `scored_on`. Elements left out are not scored this time. Scoring the same element again on
    the same date corrects that day's score; earlier dates are kept as history. All or nothing:
    a bad element or level names the field and nothing is written."""
    if not scores:
        raise ValidationError({"scores": ["Score at least one element."]})
    saved = []
    for element, (level, notes) in scores.items():
        if element not in ELEMENT_NAMES:
            raise ValidationError({"element": [f"Unknown element {element!r}."]})
        if level not in Level.values:
            raise ValidationError({f"{element}-level": [f"Unknown level {level!r}."]})
        score = PracticeScore.objects.filter(
            site=site, element=element, scored_on=scored_on
        ).first() or PracticeScore(site=site, element=element, scored_on=scored_on)
        score.level, score.notes, score.scored_by = level, notes.strip(), actor
        score.full_clean()
        score.save()
        saved.append(score)
    audit_log(
        actor=actor,
        action="update",
        record_type="cqi_practice_score",
        record_id=site.slug,
        site_id=site.id,
        detail={
            "scored_on": scored_on.isoformat(),
            "scores": {element: level for element, (level, _) in scores.items()},
        },
        request=request,
    )
    return saved
