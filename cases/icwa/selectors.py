"""What the case page and the pre-hearing summary say about ICWA and relatives' notice.

- Relatives: every relative of the case (`Person.Kind.RELATIVE`) is to be told of a child's
  removal within `RELATIVE_NOTICE_DAYS` days of it. The removal that counts is the earliest
  removal date among the children in care now (their open episodes): a notice given before
  it (for an earlier removal) does not count for it. No child in care, nothing is due.
- Tribes: a child to whom ICWA applies, or about whom there is reason to know, needs notice
  sent to each tribe involved (`TribeNotice`): no tribe recorded, or a tribe's notice not yet
  sent, is flagged.
- Active efforts: for such a child the court finds at each hearing whether active efforts were
  made to keep the family together; the last hearing held is flagged when its finding is not
  recorded, or when the court found active efforts were not made.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from cases.access import CaseAccess
from cases.models import Case, Child, Episode, Hearing, Person, TribeNotice
from safebabies import codes

RELATIVE_NOTICE_DAYS = 30
ICWA_CONCERNED = (codes.Icwa.APPLIES, codes.Icwa.REASON_TO_KNOW)
ICWA_WORDS: dict[str, str] = {
    codes.Icwa.APPLIES: "ICWA applies",
    codes.Icwa.REASON_TO_KNOW: "reason to know",
}


@dataclass(frozen=True)
class RelativeNotice:
    person: Person
    removal_date: dt.date | None  # the removal the notice is for (None: no child in care)
    due_on: dt.date | None
    status: str  # "notified", "due", "overdue", or "none" (no child in care)

    @property
    def needs_notice(self) -> bool:
        return self.status in ("due", "overdue")


@dataclass(frozen=True)
class IcwaSection:
    # the children to whom ICWA applies or there is reason to know, each with the tribes of
    # their notice
    concerned: list[tuple[Child, list[TribeNotice]]]
    relatives: list[RelativeNotice]
    flags: list[str]
    # the held hearings and the court's active-efforts finding at each (where ICWA applies or
    # there is reason to know for a child; otherwise empty)
    hearings: list[Hearing]


def _day(day: dt.date) -> str:
    return f"{day:%-d %b %Y}"


def removal_for_notice(case: Case) -> dt.date | None:
    """The removal relatives are notified of: the earliest removal of a child in care now."""
    return (
        Episode.objects.filter(child__case=case, discharge_date__isnull=True)
        .order_by("removal_date")
        .values_list("removal_date", flat=True)
        .first()
    )


def relative_notices(people: list[Person], removal: dt.date | None, today: dt.date):
    """Each relative among `people` with where their notice stands."""
    rows = []
    for person in people:
        if person.kind != Person.Kind.RELATIVE:
            continue
        if removal is None:
            status = "notified" if person.notified_on else "none"
            rows.append(RelativeNotice(person, None, None, status))
            continue
        due = removal + dt.timedelta(days=RELATIVE_NOTICE_DAYS)
        if person.notified_on is not None and person.notified_on >= removal:
            status = "notified"
        else:
            status = "overdue" if today > due else "due"
        rows.append(RelativeNotice(person, removal, due, status))
    return rows


def relative_flags(rows: list[RelativeNotice]) -> list[str]:
    flags = []
    for status, words in (("overdue", "overdue"), ("due", "due")):
        waiting = [row for row in rows if row.status == status]
        if not waiting:
            continue
        first = waiting[0]
        assert first.removal_date is not None and first.due_on is not None
        names = ", ".join(str(row.person) for row in waiting)
        flags.append(
            f"Notice to relatives {words} (by {_day(first.due_on)}, {RELATIVE_NOTICE_DAYS} "
            f"days after the removal on {_day(first.removal_date)}): {names}."
        )
    return flags


def tribe_flags(children: list[Child], notices: dict[str, list[TribeNotice]]) -> list[str]:
    flags = []
    for child in children:
        if child.icwa not in ICWA_CONCERNED:
            continue
        name = child.given_name or "The child"
        status = ICWA_WORDS[child.icwa]
        sent_to = notices.get(child.pk, [])
        if not sent_to:
            flags.append(f"ICWA: {name} ({status}): no tribe has been sent notice yet.")
        for notice in sent_to:
            if notice.notice_sent_on is None:
                flags.append(f"ICWA: {name} ({status}): notice to {notice.tribe} not sent yet.")
    return flags


def active_efforts_flags(hearings: list[Hearing]) -> list[str]:
    """The finding at the last hearing held (`hearings`, the latest first)."""
    if not hearings:
        return []
    last = hearings[0]
    what = f"the {last.get_hearing_type_display().lower()} hearing of {_day(last.scheduled_on)}"
    if not last.active_efforts:
        return [f"ICWA: no active-efforts finding is recorded for {what}."]
    if last.active_efforts == Hearing.ActiveEfforts.NOT_MADE:
        return [f"ICWA: at {what} the court found active efforts were not made."]
    if last.active_efforts == Hearing.ActiveEfforts.NO_FINDING:
        return [f"ICWA: the court made no active-efforts finding at {what}."]
    return []


def icwa_section(case: Case, today: dt.date, children: list[Child] | None = None) -> IcwaSection:
    """The case's ICWA and relatives, with its flags, in five queries (four given the
    children; one fewer with no child to whom ICWA applies or there is reason to know)."""
    if children is None:
        children = list(case.children.order_by("birth_date", "id"))
    notices: dict[str, list[TribeNotice]] = {}
    for notice in TribeNotice.objects.filter(child__case=case).order_by("tribe", "id"):
        notices.setdefault(notice.child_id, []).append(notice)
    relatives = list(
        Person.objects.filter(case=case, kind=Person.Kind.RELATIVE).order_by("given_name", "id")
    )
    rows = relative_notices(relatives, removal_for_notice(case), today)
    concerned = [child for child in children if child.icwa in ICWA_CONCERNED]
    hearings = (
        list(
            Hearing.objects.filter(
                case=case, status=codes.HearingStatus.HELD, scheduled_on__lte=today
            ).order_by("-scheduled_on", "-id")
        )
        if concerned
        else []
    )
    return IcwaSection(
        hearings=hearings,
        concerned=[(child, notices.get(child.pk, [])) for child in concerned],
        relatives=rows,
        flags=relative_flags(rows)
        + tribe_flags(children, notices)
        + active_efforts_flags(hearings),
    )


def icwa_flags(case: Case, today: dt.date, children: list[Child] | None = None) -> list[str]:
    """The plain sentences the case page and the pre-hearing summary flag."""
    return icwa_section(case, today, children).flags


def icwa_context(access: CaseAccess, today: dt.date, children: list[Child]) -> dict[str, Any]:
    """The case page's "ICWA and relatives" section."""
    return {"icwa": icwa_section(access.case, today, children)}
