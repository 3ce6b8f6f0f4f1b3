""" "I can't come": a parent tells their Community Coordinator they cannot come to an FTM, a
court hearing or a family-time visit, from the link in a reminder (no account needed) or from
their own page.

The link names the event and the person of the case, signed with the app's secret; it works
until the event's day is over (`MAX_DAYS` at most). Saying "I can't come" sends the family's
coordinators one notification per person and event (`deliver` claims it once): in the app it
names the parent; the e-mail copy does not (subjects and e-mails never carry a name).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.urls import reverse

from cases.models import Hearing, Person
from familytime.models import Visit
from teams.models import Ftm

SALT = "safebabies.notify.cant-come"
MAX_DAYS = 60
KINDS: dict[str, Any] = {"ftm": Ftm, "hearing": Hearing, "visit": Visit}
EVENT_WORDS = {
    "en": {"ftm": "Family Team Meeting", "hearing": "court hearing", "visit": "family time"},
    "es": {
        "ftm": "reunión del equipo familiar",
        "hearing": "audiencia en la corte",
        "visit": "tiempo en familia",
    },
}


@dataclass(frozen=True)
class CantCome:
    kind: str  # a key of KINDS
    event: Any  # the Ftm, Hearing or Visit
    person: Person

    @property
    def case_id(self) -> str:
        return self.event.child.case_id if self.kind == "visit" else self.event.case_id

    @property
    def day(self) -> dt.date:
        return self.event.scheduled_on


def token_for(kind: str, event_id: str, person_id: str) -> str:
    return signing.dumps({"k": kind, "e": event_id, "p": person_id}, salt=SALT)


def link_for(kind: str, event_id: str, person_id: str) -> str:
    path = reverse("family-cant-come", args=[token_for(kind, event_id, person_id)])
    return f"{settings.SITE_URL}{path}"


def read(token: str, today: dt.date) -> CantCome | None:
    """What a link is about, or None when it is forged, too old, or its event has passed or is
    no longer the person's family's."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_DAYS * 86400)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("k") not in KINDS:
        return None
    if not isinstance(data.get("e"), str) or not isinstance(data.get("p"), str):
        return None
    kind = data["k"]
    event = KINDS[kind].objects.filter(pk=data["e"]).first()
    person = Person.objects.filter(pk=data["p"], kind=Person.Kind.PARENT).first()
    if event is None or person is None or event.scheduled_on < today:
        return None
    found = CantCome(kind, event, person)
    if person.case_id != found.case_id or person.case.closed_on is not None:
        return None
    return found
