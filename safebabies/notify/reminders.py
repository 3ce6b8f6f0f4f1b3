"""What is due at a moment: every reminder and alert, per site in its own time zone.

Each collector yields (Message, Recipient) pairs; `send_reminders` hands them to `deliver`,
which sends each at most once. Collectors are pure reads, so running them again is harmless.

Rules (site-local times):
- FTM: the day before from 09:00, the morning of from 07:00 (until noon, or until it starts);
  when a reminded FTM moves, an update; when it is cancelled, a cancellation (with `.ics`).
- hearing: two days before from 09:00, to the family team and the site's judges; to the
  case's parents (in their words and language) with an "I can't come" link.
- family time: the day before from 09:00, to the parents of the visit's child, with an "I
  can't come" link. (An FTM reminder to a person of the case carries that link too.)
- weekly digest: Mondays from 08:00, to each owner of open FTM action items.
- coordinator alerts from 08:00: a family with no FTM in over a month (weekly), a child whose
  family time is below target (weekly), an overdue screening or referral (once per item), a
  consent expiring within 14 days (once per expiry date), a caseload over the site's cap (weekly).

"What is due" is decided by the feature that owns it, with the selector its pages use, so an
alert and the coordinator's home never disagree: no FTM lately by
`teams.ftm_selectors.families_without_recent_ftm`, family time below target by
`familytime.selectors.family_time_against_target`, overdue screenings by
`assessments.selectors.overdue_screenings_in_care` (the case page's `assessments.due`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator

from django.db.models import Count, F, Value, Window
from django.db.models.functions import Coalesce, Lower, NullIf, RowNumber, Trim
from django.utils import translation

from assessments.selectors import overdue_screenings_in_care
from cases.access import team_places_in_force
from cases.models import Case, Child, Consent, Hearing, Person
from familytime.models import Visit
from familytime.selectors import family_time_against_target
from safebabies import codes
from safebabies.identity.models import Site, User
from safebabies.identity.roles import Role
from safebabies.notify import cant_come, ics
from safebabies.notify.delivery import Message, Recipient
from safebabies.notify.models import SentReminder
from safebabies.templatetags.when import when
from teams import selectors as ftm_selectors
from teams.models import Ftm, FtmActionItem

Due = Iterator[tuple[Message, Recipient]]

DAY_BEFORE_FROM = dt.time(9, 0)
MORNING_OF_FROM = dt.time(7, 0)
MORNING_OF_UNTIL = dt.time(12, 0)
HEARING_FROM = dt.time(9, 0)
DIGEST_FROM = dt.time(8, 0)
ALERTS_FROM = dt.time(8, 0)
CONSENT_WARNING_DAYS = 14
FTM_KINDS = ("ftm_day_before", "ftm_morning_of", "ftm_changed")


def due_at(now: dt.datetime) -> Due:
    for site in Site.objects.order_by("pk"):
        local = now.astimezone(site.tz)
        yield from ftm_reminders(site, local)
        yield from hearing_reminders(site, local)
        yield from family_reminders(site, local)
        yield from action_item_digests(site, local)
        yield from coordinator_alerts(site, local)


# --- helpers ---------------------------------------------------------------------------------


def _iso_week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def time_context(day: dt.date, starts: dt.time | None) -> dict[str, str]:
    """The day and time as every page writes them (the `when` filter), in the site's time."""
    with translation.override("es"):
        date_es = when(day, "day")
    return {
        "date": when(day, "day"),
        "date_es": date_es,
        "at_time": f" at {when(starts)}" if starts else "",
        "at_time_es": f" a las {when(starts, 'iso')}" if starts else "",
    }


def _team_users(case_ids: list[str]) -> dict[str, list[User]]:
    """Active family-team members (with their user) of each case, each user once: those whose
    place is in force (`team_places_in_force`: a place in a role no longer held at the site
    gets no reminder)."""
    teams: dict[str, list[User]] = defaultdict(list)
    members = (
        team_places_in_force()
        .filter(case_id__in=case_ids)
        .select_related("user")
        .order_by("case_id", "user_id")
    )
    for member in members:
        if all(u.pk != member.user_id for u in teams[member.case_id]):
            teams[member.case_id].append(member.user)
    return teams


def _people_reachable(case_ids: list[str]) -> dict[str, list[Person]]:
    """The case's people with an e-mail or a phone (parents, resource parents, relatives)."""
    people: dict[str, list[Person]] = defaultdict(list)
    for person in (
        Person.objects.filter(case_id__in=case_ids)
        .exclude(email="", phone="")
        .order_by("case_id", "pk")
    ):
        people[person.case_id].append(person)
    return people


def _parents_reachable(case_ids: list[str]) -> dict[str, list[Person]]:
    """The case's parents (people of kind parent) with an e-mail or a phone."""
    return {
        case_id: [p for p in people if p.kind == Person.Kind.PARENT]
        for case_id, people in _people_reachable(case_ids).items()
    }


def _with_cant_come(message: Message, kind: str, event_id: str, person_id: str) -> Message:
    """`message` with the "I can't come" line for a parent of the case (no one else)."""
    url = cant_come.link_for(kind, event_id, person_id)
    context = {
        **message.context,
        "cant_come_en": f"Can't come? Tell your Community Coordinator: {url}",
        "cant_come_es": f"¿No puede venir? Avísele a su Coordinador/a Comunitario/a: {url}",
    }
    return Message(
        message.kind,
        message.object_id,
        message.occasion,
        context,
        message.link,
        message.ics,
        message.ics_method,
    )


def coordinators_of(site: Site, case_ids: list[str]) -> dict[str, list[User]]:
    """Each case's coordinators on its team; the site's coordinators when it has none."""
    found: dict[str, list[User]] = defaultdict(list)
    members = (
        team_places_in_force()
        .filter(case_id__in=case_ids, role=Role.COMMUNITY_COORDINATOR)
        .select_related("user")
    )
    for member in members:
        found[member.case_id].append(member.user)
    site_wide = None
    for case_id in case_ids:
        if not found[case_id]:
            if site_wide is None:
                site_wide = list(
                    User.objects.filter(
                        memberships__site=site,
                        memberships__role=Role.COMMUNITY_COORDINATOR,
                        memberships__is_active=True,
                        is_active=True,
                    ).distinct()
                )
            found[case_id] = site_wide
    return found


# --- FTMs --------------------------------------------------------------------------------------


def ftm_reminders(site: Site, local: dt.datetime) -> Due:
    today, now_time = local.date(), local.time()
    phases: list[tuple[str, dt.date]] = []
    if now_time >= DAY_BEFORE_FROM:
        phases.append(("ftm_day_before", today + dt.timedelta(days=1)))
    if MORNING_OF_FROM <= now_time < MORNING_OF_UNTIL:
        phases.append(("ftm_morning_of", today))
    upcoming = list(
        Ftm.objects.filter(case__site=site, scheduled_on__gte=today, case__closed_on__isnull=True)
        .select_related("case__site")
        .order_by("scheduled_on", "pk")
    )
    if not upcoming:
        return
    case_ids = sorted({f.case_id for f in upcoming})
    teams, people = _team_users(case_ids), _people_reachable(case_ids)
    reminded: dict[str, set[str]] = defaultdict(set)  # ftm id -> recipients already reminded
    earlier = SentReminder.objects.filter(
        kind__in=FTM_KINDS, object_id__in=[f.pk for f in upcoming]
    ).values_list("object_id", "recipient", "occasion")
    stamps: dict[tuple[str, str], set[str]] = defaultdict(set)
    for object_id, recipient, occasion in earlier:
        reminded[object_id].add(recipient)
        stamps[(object_id, recipient)].add(occasion.split(":", 1)[1])
    for ftm in upcoming:
        recipients = [Recipient.for_user(u) for u in teams[ftm.case_id]] + [
            Recipient.for_person(p) for p in people[ftm.case_id]
        ]
        stamp = f"{ftm.scheduled_on.isoformat()}T{ftm.starts_at or ''}"
        context = {**time_context(ftm.scheduled_on, ftm.starts_at)}
        if ftm.location:
            context["where"] = f"Where: {ftm.location}. "
            context["where_es"] = f"Lugar: {ftm.location}. "
        link = f"/cases/{ftm.case_id}/"
        if ftm.status == codes.FtmStatus.CANCELLED:
            invitation = ics.ftm_invitation(ftm, cancelled=True)
            for r in recipients:
                if r.key in reminded[ftm.pk]:
                    yield (
                        Message(
                            "ftm_cancelled",
                            ftm.pk,
                            "cancelled",
                            context,
                            link,
                            invitation,
                            "CANCEL",
                        ),
                        r,
                    )
            continue
        if ftm.status != codes.FtmStatus.SCHEDULED:
            continue
        invitation = ics.ftm_invitation(ftm)
        for r in recipients:
            if r.key in reminded[ftm.pk] and stamp not in stamps[(ftm.pk, r.key)]:
                yield (
                    Message("ftm_changed", ftm.pk, f"changed:{stamp}", context, link, invitation),
                    r,
                )
        parents = {f"person:{p.pk}": p.pk for p in people[ftm.case_id] if p.kind == "parent"}
        for kind, day in phases:
            if ftm.scheduled_on != day:
                continue
            if kind == "ftm_morning_of" and ftm.starts_at and now_time >= ftm.starts_at:
                continue
            for r in recipients:
                message = Message(kind, ftm.pk, f"{kind}:{stamp}", context, link, invitation)
                if r.key in parents:
                    message = _with_cant_come(message, "ftm", ftm.pk, parents[r.key])
                yield message, r


# --- hearings ----------------------------------------------------------------------------------


def hearing_reminders(site: Site, local: dt.datetime) -> Due:
    if local.time() < HEARING_FROM:
        return
    day = local.date() + dt.timedelta(days=2)
    hearings = list(
        Hearing.objects.filter(
            case__site=site,
            case__closed_on__isnull=True,  # a closed case's reminders stop
            scheduled_on=day,
            status=codes.HearingStatus.SCHEDULED,
        )
        .select_related("judge")
        .order_by("pk")
    )
    if not hearings:
        return
    case_ids = sorted({h.case_id for h in hearings})
    teams = _team_users(case_ids)
    # Parent mentors may not open the pre-hearing summary: their link is the case page.
    mentors = set(
        team_places_in_force()
        .filter(case_id__in=case_ids, role=Role.PARENT_MENTOR)
        .values_list("case_id", "user_id")
    )
    judges = list(
        User.objects.filter(
            memberships__site=site,
            memberships__role=Role.JUDGE,
            memberships__is_active=True,
            is_active=True,
        )
        .distinct()
        .order_by("pk")
    )
    for hearing in hearings:
        # the hearing's own judge is among the site's judges while they hold the role there;
        # one who no longer does (or of the site a transferred case came from) is not told
        users = {u.pk: u for u in [*teams[hearing.case_id], *judges]}
        context = {
            **time_context(hearing.scheduled_on, hearing.starts_at),
            "hearing_type": hearing.get_hearing_type_display().lower(),
        }
        occasion = f"two_days:{hearing.scheduled_on.isoformat()}"
        summary = f"/cases/{hearing.case_id}/hearings/{hearing.pk}/summary/"
        for user in users.values():
            mentor_only = (hearing.case_id, user.pk) in mentors and user not in judges
            link = f"/cases/{hearing.case_id}/" if mentor_only else summary
            yield (
                Message("hearing_two_days", hearing.pk, occasion, context, link),
                (Recipient.for_user(user)),
            )


# --- the family's own reminders ----------------------------------------------------------------


FAMILY_FROM = dt.time(9, 0)
PARENT_KINDS = ("mother", "father", "parent")


def family_reminders(site: Site, local: dt.datetime) -> Due:
    """Parents' reminders, from 09:00 site time: their court hearing two days before, their
    family time the day before; in their language, by e-mail or else text message, each with
    its "I can't come" link. The words name no one (the link and the sign-in hold the rest)."""
    if local.time() < FAMILY_FROM:
        return
    today = local.date()
    hearings = list(
        Hearing.objects.filter(
            case__site=site,
            case__closed_on__isnull=True,
            scheduled_on=today + dt.timedelta(days=2),
            status=codes.HearingStatus.SCHEDULED,
        ).order_by("pk")
    )
    visits = list(
        Visit.objects.filter(
            child__case__site=site,
            child__case__closed_on__isnull=True,
            scheduled_on=today + dt.timedelta(days=1),
            status=codes.VisitStatus.SCHEDULED,
        )
        .select_related("child", "plan")
        .order_by("pk")
    )
    case_ids = sorted({h.case_id for h in hearings} | {v.child.case_id for v in visits})
    if not case_ids:
        return
    parents = _parents_reachable(case_ids)
    for hearing in hearings:
        context = {**time_context(hearing.scheduled_on, hearing.starts_at)}
        if hearing.courtroom:
            context["where"] = f"Where: {hearing.courtroom}. "
            context["where_es"] = f"Lugar: {hearing.courtroom}. "
        occasion = f"family:{hearing.scheduled_on.isoformat()}"
        for person in parents.get(hearing.case_id, []):
            r = Recipient.for_person(person)
            message = Message("hearing_family", hearing.pk, occasion, context, "/")
            yield _with_cant_come(message, "hearing", hearing.pk, person.pk), r
    of_child: dict[str, set[str]] = defaultdict(set)
    for person_id, child_id in Person.objects.filter(
        case_id__in=case_ids,
        kind=Person.Kind.PARENT,
        relationships__kind__in=PARENT_KINDS,
    ).values_list("pk", "relationships__child_id"):
        of_child[child_id].add(person_id)
    for visit in visits:
        context = {**time_context(visit.scheduled_on, visit.starts_at)}
        occasion = f"day_before:{visit.scheduled_on.isoformat()}T{visit.starts_at or ''}"
        for person in parents.get(visit.child.case_id, []):
            if person.pk not in of_child[visit.child_id]:
                continue
            if visit.plan is not None and visit.plan.parent_id not in (None, person.pk):
                continue  # another parent's family time (`RecordType.for_parent` of visits)
            r = Recipient.for_person(person)
            message = Message("visit_day_before", visit.pk, occasion, context, "/")
            yield _with_cant_come(message, "visit", visit.pk, person.pk), r


# --- weekly digest -----------------------------------------------------------------------------


def action_item_digests(site: Site, local: dt.datetime) -> Due:
    if local.weekday() != 0 or local.time() < DIGEST_FROM:
        return
    today = local.date()
    # An item agreed again at later meetings (the same words, for the same family) counts
    # once, as last agreed: as the owner's home page lists it (teams.selectors).
    words = Coalesce(NullIf(Lower(Trim("description")), Value("")), "id")
    latest = (
        FtmActionItem.objects.filter(
            ftm__case__site=site,
            ftm__case__closed_on__isnull=True,
            status=codes.ActionItemStatus.OPEN,
            owner__isnull=False,
            owner__is_active=True,
        )
        .annotate(
            agreed_again=Window(
                RowNumber(),
                partition_by=[F("owner_id"), F("ftm__case_id"), words],
                order_by=[F("ftm__scheduled_on").desc(), F("created_at").desc(), F("id").desc()],
            )
        )
        .filter(agreed_again=1)
        .values_list("owner_id", "due_on")
    )
    tally: dict[int, dict[str, int]] = {}
    for owner_id, due_on in latest:
        row = tally.setdefault(
            owner_id, {"owner_id": owner_id, "open_count": 0, "overdue_count": 0}
        )
        row["open_count"] += 1
        row["overdue_count"] += due_on < today
    counts = [tally[owner_id] for owner_id in sorted(tally)]
    owners = User.objects.in_bulk([c["owner_id"] for c in counts])
    for row in counts:
        user = owners[row["owner_id"]]
        context = {"open_count": row["open_count"], "overdue_count": row["overdue_count"]}
        message = Message("action_digest", f"{site.pk}:{user.pk}", _iso_week(today), context, "/")
        yield message, Recipient.for_user(user)


# --- coordinator alerts ------------------------------------------------------------------------


def coordinator_alerts(site: Site, local: dt.datetime) -> Due:
    if local.time() < ALERTS_FROM:
        return
    today = local.date()
    week = _iso_week(today)
    open_cases = Case.objects.filter(site=site, closed_on__isnull=True)

    quiet = list(ftm_selectors.families_without_recent_ftm(open_cases, today))
    expiring = list(
        Consent.objects.filter(
            case__in=open_cases,
            revoked_on__isnull=True,
            expires_on__gte=today,
            expires_on__lte=today + dt.timedelta(days=CONSENT_WARNING_DAYS),
        ).order_by("pk")
    )
    children = list(
        Child.objects.filter(case__in=open_cases).select_related("case__site").order_by("pk")
    )
    below = [row for row in family_time_against_target(children, today) if row.below_target]
    overdue = overdue_screenings_in_care(open_cases, today)
    case_ids = sorted(
        {c.pk for c in quiet}
        | {c.case_id for c in expiring}
        | {row.child.case_id for row in below}
        | {child.case_id for child, _ in overdue}
    )
    coordinators = coordinators_of(site, case_ids) if case_ids else {}
    for case in quiet:
        last_ftm_on = case.last_ftm_on  # type: ignore[attr-defined]  # the selector's annotation
        context: dict[str, object] = {"last_ftm": when(last_ftm_on or case.opened_on)}
        for user in coordinators[case.pk]:
            message = Message("alert_no_ftm", case.pk, week, context, f"/cases/{case.pk}/")
            yield message, Recipient.for_user(user)
    for consent in expiring:
        expires_on = consent.expires_on
        assert expires_on is not None  # filtered above
        context = {"expires_on": when(expires_on)}
        occasion = f"expires:{expires_on.isoformat()}"
        for user in coordinators[consent.case_id]:
            link = f"/cases/{consent.case_id}/"
            yield (
                Message("alert_consent_expiring", consent.pk, occasion, context, link),
                (Recipient.for_user(user)),
            )

    for row in below:
        context = {
            "held": row.held,
            "per_week": f"{row.per_week:.1f}",
            "target": f"{float(row.target):g}",
        }
        for user in coordinators[row.child.case_id]:
            link = f"/cases/{row.child.case_id}/"
            yield (
                Message("alert_family_time", row.child.pk, week, context, link),
                (Recipient.for_user(user)),
            )

    for late_child, item in overdue:
        context = {"what": item.what, "due_on": when(item.due_on), "rule": item.rule}
        occasion = f"{item.due_on.isoformat()}:{item.what}"
        for user in coordinators[late_child.case_id]:
            link = f"/cases/{late_child.case_id}/plan/"
            yield (
                Message("alert_screening_overdue", late_child.pk, occasion, context, link),
                (Recipient.for_user(user)),
            )

    caseloads = (
        team_places_in_force()
        .filter(case__in=open_cases, role=Role.COMMUNITY_COORDINATOR)
        .values("user_id")
        .annotate(caseload=Count("case_id", distinct=True))
        .filter(caseload__gt=site.coordinator_caseload_cap)
        .order_by("user_id")
    )
    over = {row["user_id"]: row["caseload"] for row in caseloads}
    for user in User.objects.filter(pk__in=over, is_active=True).order_by("pk"):
        context = {"caseload": over[user.pk], "cap": site.coordinator_caseload_cap}
        message = Message("alert_caseload", f"{site.pk}:{user.pk}", week, context, "/cases/")
        yield message, Recipient.for_user(user)
