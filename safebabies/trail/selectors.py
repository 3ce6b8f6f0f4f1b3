"""Reads of the audit trail page: the events of a site, filtered by words people know (a
name, part of an e-mail, a family's name), and the names of what the events are about.

Only the site admin's own site: the events are the site's, a person is matched among those
who hold or held a role there (or by their exact e-mail), a family among the site's cases the
admin may open (`cases.access`), and a name is shown only for a record of the site."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import QuerySet

from cases.access import case_access_map, cases_visible_to
from safebabies.audit.models import AuditEvent
from safebabies.identity.accounts import selectors as people
from safebabies.identity.models import Site, User

# Families a filter may match at once (a name typed is a few letters: "Ri" matches many).
FAMILY_MATCH_LIMIT = 200

# What an event is about, in the words of the pages (the record types that are not a model,
# and the models whose own name would not say it).
RECORD_WORDS = {
    "audit.auditevent": "The audit trail",
    "cases.case": "The family's case",
    "cases.teammember": "A place on the family team",
    "cases.episode": "A time in care",
    "cases.permanencyplan": "A permanency plan",
    "cases.hearingorder": "A court order",
    "cases.consent": "A consent to share information",
    "ftms.ftmactionitem": "An FTM action item",
    "ftms.ftmattendance": "FTM attendance",
    "familytime.familytimeplan": "A family-time plan",
    "assessments.markerrating": "A marker of progress",
    "teams.user": "A person's account",
    "teams.site": "The site's settings",
    "teams.sitemembership": "A person's role",
    "teams.apitoken": "An API token",
    "notify.calendarfeed": "A calendar address",
    "notify.notificationpreference": "How a person is reached",
    "exports.exportrun": "A data export",
    "cqi_dashboard": "The program dashboard",
    "cqi_drill_down": "A dashboard figure's families",
    "cqi_metrics": "The program figures (API)",
    "cqi_practice_score": "The practice matrix",
    "data_package": "A data package",
}


def record_words(record_type: str) -> str:
    """The kind of record, in words ("A child", "A Family Team Meeting")."""
    if record_type in RECORD_WORDS:
        return RECORD_WORDS[record_type]
    try:
        model = apps.get_model(record_type)
    except (LookupError, ValueError):
        return "Another record"
    name = str(model._meta.verbose_name)
    article = "An" if name[:1].lower() in "aeiou" else "A"
    return f"{article} {name}"


def site_events(
    admin: User,
    site: Site,
    *,
    person: str = "",
    family: str = "",
    action: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    """The site's events, newest first, filtered: `person` is part of a name or an e-mail
    (case-insensitive), `family` part of a family's name (or a case id)."""
    case_ids = None
    if family.strip():
        case_ids = families_matching(admin, site, family)
    return people.site_audit_events(
        site,
        person=person,
        case_ids=case_ids,
        action=action,
        date_from=date_from,
        date_to=date_to,
    )


def families_matching(admin: User, site: Site, text: str) -> list[str]:
    """Ids of the site's cases the admin may open whose name holds `text` (any case), and
    `text` itself when it is the id of one."""
    text = text.strip()
    cases = cases_visible_to(admin).filter(site=site)
    by_name = list(
        cases.filter(name__icontains=text)
        .order_by("pk")
        .values_list("pk", flat=True)[:FAMILY_MATCH_LIMIT]
    )
    if text not in by_name and cases.filter(pk=text).exists():
        by_name.append(text)
    return by_name


@dataclass
class Names:
    """Names of what the events of one page are about (only what the admin may see)."""

    people: dict[str, User] = field(default_factory=dict)  # user id -> person of the site
    roles: dict[str, str] = field(default_factory=dict)  # membership id -> "Judge: Ana Ruiz"
    families: dict[str, str] = field(default_factory=dict)  # case id -> family's name

    def record(self, event: AuditEvent) -> str:
        words = record_words(event.record_type)
        if event.record_type == "teams.user":
            person = self.people.get(event.record_id)
            return f"{person}'s account" if person else words
        if event.record_type == "teams.sitemembership" and event.record_id in self.roles:
            return f"The role of {self.roles[event.record_id]}"
        if event.record_type == "cases.case":
            return "The family's case"
        return words

    def family(self, event: AuditEvent) -> str:
        if not event.case_id:
            listed = event.detail.get("case_ids") if isinstance(event.detail, dict) else None
            if isinstance(listed, list) and listed:
                return f"{len(listed)} famil{'y' if len(listed) == 1 else 'ies'} listed"
            return ""
        return self.families.get(event.case_id, "A family no longer on record")


def names_of(admin: User, site: Site, events: Iterable[AuditEvent]) -> Names:
    """The names a page of events needs, in a few queries whatever the page's length."""
    events = list(events)
    user_ids = {e.record_id for e in events if e.record_type == "teams.user"}
    membership_ids = {e.record_id for e in events if e.record_type == "teams.sitemembership"}
    case_ids = {e.case_id for e in events if e.case_id}
    names = Names()
    if user_ids:
        names.people = {str(u.pk): u for u in people.site_people_by_id(site, user_ids)}
    if membership_ids:
        names.roles = {
            str(m.pk): f"{m.user} ({m.get_role_display()})"
            for m in people.site_memberships_by_id(site, membership_ids)
        }
    if case_ids:
        names.families = {
            case_id: str(access.case)
            for case_id, access in case_access_map(admin, case_ids).items()
            if access.case.site_id == site.pk
        }
    return names
