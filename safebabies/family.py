"""The parent's own pages: a parent of a case who signs in (role `parent`, their place on the
family team linked to their person) sees their home page and their meetings' family copies,
and marks their own steps done. Nothing else of the app is theirs: every professional page of
their family's case answers 403 (`cases.access.access_case`), any other family's 404.

A Community Coordinator invites a parent of the case (`parent_invite`): the parent gets an
account linked to their person on the family team, and an e-mail (and, if asked, a text
message) with a link to sign in; a parent who chose "no password" signs in by such links only.

Everything shown is read through the access module (`case_records` with the parent's
`CaseAccess`: the rows `RecordType.for_parent` gives them), and every read is audited.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import services as case_services
from cases.access import (
    CaseAccess,
    access_action_item,
    access_case,
    access_ftm,
    access_record,
    case_record,
    case_records,
    may_change_action_item,
    parent_places_in_force,
    require,
)
from cases.forms import ParentInviteForm
from safebabies import codes
from safebabies.audit.models import AuditEvent
from safebabies.audit.services import audit_log
from safebabies.identity.accounts import links
from safebabies.identity.accounts.services import link_send, set_password_link
from safebabies.identity.http import AuthenticatedRequest
from safebabies.identity.models import User
from safebabies.kit.forms import add_service_errors
from safebabies.notify import cant_come, family_copy, ics
from safebabies.notify.delivery import Message, Recipient, deliver, language_code
from safebabies.notify.reminders import coordinators_of, time_context
from safebabies.notify.sms import get_sms_backend
from teams.models import AttendanceMode, FtmAttendance
from teams.services import action_item_update

UPCOMING_VISITS = 6  # the next family-time visits shown
MISSED_DAYS = 90  # how far back "what you missed" looks


@dataclass
class Missed:
    """A meeting, hearing or family-time visit the parent missed, in plain words on their page:
    `kind` ("ftm", "hearing", "visit"), the day and time, and why the record says so."""

    kind: str
    record: Any
    reason: str  # "absent" (the meeting's attendance), "no_show", "cancelled", "cant_come"

    @property
    def pk(self) -> str:
        return str(self.record.pk)


@dataclass
class FamilyPage:
    """What one parent sees of their family's case on their home page."""

    access: CaseAccess
    today: dt.date
    next_ftm: Any = None
    past_ftms: list = field(default_factory=list)  # held meetings, each with its family copy
    next_hearing: Any = None
    visits: list = field(default_factory=list)
    items_to_do: list = field(default_factory=list)
    items_done: list = field(default_factory=list)
    contacts: list = field(default_factory=list)  # their Community Coordinator, parent mentor
    documents: list = field(default_factory=list)  # those the team shared with the family
    missed: list = field(default_factory=list)  # recent meetings, hearings, visits they missed

    @property
    def case(self):
        return self.access.case

    def shown(self) -> dict[str, list[str]]:
        """The ids of every record on the page, for the audit trail."""
        ftms = [self.next_ftm, *self.past_ftms] if self.next_ftm else self.past_ftms
        return {
            "ftm": [str(f.pk) for f in ftms],
            "hearing": [str(self.next_hearing.pk)] if self.next_hearing else [],
            "visit": [str(v.pk) for v in self.visits],
            "action_item": [str(i.pk) for i in (*self.items_to_do, *self.items_done)],
            "team_member": [str(m.pk) for m in self.contacts],
            "document": [str(d.pk) for d in self.documents],
            "missed": [f"{m.kind}:{m.pk}" for m in self.missed],
        }


def family_pages(user: User) -> list[FamilyPage]:
    """The family pages of a parent: one per case where a parent's place of theirs is in force
    and they act as that parent (not where they act in another role too)."""
    pages = []
    case_ids = parent_places_in_force().filter(user=user).values_list("case_id", flat=True)
    for case_id in sorted(set(case_ids)):
        access = access_case(user, case_id, family_view=True)
        if access.is_parent_view:
            pages.append(family_page(access))
    return pages


def family_page(access: CaseAccess) -> FamilyPage:
    today = access.case.site.today()
    page = FamilyPage(access=access, today=today)
    ftms = case_records(access, "ftm").exclude(status=codes.FtmStatus.CANCELLED)
    page.next_ftm = (
        ftms.filter(status=codes.FtmStatus.SCHEDULED, scheduled_on__gte=today)
        .order_by("scheduled_on", "starts_at", "id")
        .first()
    )
    page.past_ftms = list(
        ftms.filter(status=codes.FtmStatus.HELD).order_by("-scheduled_on", "-id")[:12]
    )
    page.next_hearing = (
        case_records(access, "hearing")
        .filter(status=codes.HearingStatus.SCHEDULED, scheduled_on__gte=today)
        .order_by("scheduled_on", "starts_at", "id")
        .first()
    )
    page.visits = list(
        case_records(access, "visit")
        .filter(status=codes.VisitStatus.SCHEDULED, scheduled_on__gte=today)
        .select_related("child")
        .order_by("scheduled_on", "starts_at", "id")[:UPCOMING_VISITS]
    )
    items = case_records(access, "action_item").order_by("due_on", "id")
    page.items_to_do = list(items.filter(status=codes.ActionItemStatus.OPEN))
    page.items_done = list(
        items.filter(status=codes.ActionItemStatus.DONE).order_by("-completed_on", "-id")[:10]
    )
    person_id = min(access.people) if access.people else None
    for kind, events in (
        ("ftm", [page.next_ftm]),
        ("hearing", [page.next_hearing]),
        ("visit", page.visits),
    ):
        for event in events:
            if event is not None:
                event.calendar_url = reverse("family-calendar", args=[kind, event.pk])
                if person_id:
                    event.cant_come_url = reverse(
                        "family-cant-come", args=[cant_come.token_for(kind, event.pk, person_id)]
                    )
    page.contacts = list(
        case_records(access, "team_member").select_related("user").order_by("role", "added_at")
    )
    page.documents = list(case_records(access, "document").order_by("-created_at", "id")[:20])
    page.missed = missed_events(access, today)
    return page


def missed_events(access: CaseAccess, today: dt.date) -> list[Missed]:
    """What the parent missed in the last `MISSED_DAYS` days, newest first, as the record says
    it: a held meeting whose attendance has their person absent, a family-time visit that was a
    no-show or that the parent cancelled, and any meeting, hearing or visit they told their
    coordinator "I can't come" to that has since gone by (the record keeps no attendance of
    hearings: that is how a hearing counts as missed). Read through the access module."""
    since = today - dt.timedelta(days=MISSED_DAYS)
    people = sorted(access.people)
    said = set(
        AuditEvent.objects.filter(
            case_id=access.case.pk,
            action=AuditEvent.Action.UPDATE,
            detail__cant_come__in=people,
        ).values_list("record_type", "record_id")
    )
    said_ids = {
        kind: {pk for label, pk in said if label.endswith(model)}
        for kind, model in (
            ("ftm", ".ftm"),
            ("hearing", ".hearing"),
            ("visit", ".visit"),
        )
    }
    window = {"scheduled_on__gte": since, "scheduled_on__lt": today}
    missed: list[Missed] = []
    absent = set(
        FtmAttendance.objects.filter(
            person_id__in=people, mode=AttendanceMode.ABSENT, ftm__case_id=access.case.pk
        ).values_list("ftm_id", flat=True)
    )
    for ftm in (
        case_records(access, "ftm").filter(**window).exclude(status=codes.FtmStatus.CANCELLED)
    ):
        if ftm.pk in absent and ftm.status == codes.FtmStatus.HELD:
            missed.append(Missed("ftm", ftm, "absent"))
        elif ftm.pk in said_ids["ftm"]:
            missed.append(Missed("ftm", ftm, "cant_come"))
    for hearing in case_records(access, "hearing").filter(**window):
        if hearing.pk in said_ids["hearing"] and hearing.status != codes.HearingStatus.CANCELLED:
            missed.append(Missed("hearing", hearing, "cant_come"))
    for visit in case_records(access, "visit").filter(**window).select_related("child"):
        if visit.status == codes.VisitStatus.NO_SHOW:
            missed.append(Missed("visit", visit, "no_show"))
        elif (
            visit.status == codes.VisitStatus.CANCELLED
            and visit.cancelled_by == codes.CancelledBy.PARENT
        ):
            missed.append(Missed("visit", visit, "cancelled"))
        elif visit.pk in said_ids["visit"] and visit.status != codes.VisitStatus.HELD:
            missed.append(Missed("visit", visit, "cant_come"))
    missed.sort(key=lambda m: (m.record.scheduled_on, m.pk), reverse=True)
    return missed


def audit_family_page(request: AuthenticatedRequest, page: FamilyPage) -> None:
    audit_log(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        record=page.case,
        detail={"page": "family home", "shown": page.shown()},
        request=request,
    )


@require_POST
def family_item_done(request: AuthenticatedRequest, item_id: str) -> HttpResponse:
    """A parent's "Done" on one of their own steps: the team sees it done at once."""
    found = access_action_item(request.user, item_id, family_view=True)
    if not may_change_action_item(found.access, ["status"], codes.ActionItemStatus.DONE):
        # PARENT_ITEM_MESSAGE, in the parent's language
        raise PermissionDenied(
            gettext("You can mark your own steps done. The team changes the rest.")
        )
    action_item_update(
        item=found.record,
        actor=request.user,
        changes={"status": codes.ActionItemStatus.DONE},
        request=request,
    )
    messages.success(request, gettext("Well done. Your team can see this step is done."))
    return redirect("home")


# --- A Community Coordinator invites a parent -----------------------------------------------


@require_http_methods(["GET", "POST"])
def parent_invite(request: AuthenticatedRequest, case_id: str, person_id: str) -> HttpResponse:
    """ "Invite to their own view": the parent's e-mail, language and way of signing in; on
    saving, their account and team place (`cases.services.parent_invite`), then the invitation
    by e-mail, and by text message when asked (the link only, no detail of the family)."""
    access = require(access_case(request.user, case_id), "can_manage_team")
    person = case_record(access, "person", person_id)
    if person is None:
        raise Http404("No such person")
    language = language_code(person.preferred_language)
    form = ParentInviteForm(
        request.POST or None,
        initial={"email": person.email, "language": language, "sign_in_with": "link"},
        phone=person.phone,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            place, sign_in_with = case_services.parent_invite(
                actor=request.user,
                case=access.case,
                person=person,
                email=data["email"],
                language=data["language"],
                sign_in_with=data["sign_in_with"],
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            text_to = person.phone if data.get("by_text") and person.phone else ""
            _send_invitation(place.user, sign_in_with, request.user, text_to=text_to)
            messages.success(
                request,
                f"{person} is invited. The invitation went to {place.user.email}"
                + (f" and by text message to {text_to}" if text_to else "")
                + ".",
            )
            return redirect(f"/cases/{access.case.pk}/#person-{person.pk}")
    return render(
        request,
        "family/invite.html",
        {"form": form, "case": access.case, "person": person},
    )


def _send_invitation(user: User, sign_in_with: str, actor: User, *, text_to: str) -> None:
    """The invitation: a one-time sign-in link (no password), or a link to choose a password;
    by text message too when asked (the link alone). Sent after the commit."""
    if sign_in_with == User.SignIn.LINK:
        link = links.sign_in_link(user, links.INVITE)
        link_send(user=user, purpose=links.INVITE, invited_by=actor, link=link)
    else:
        link = set_password_link(user)
        link_send(user=user, purpose=links.CHOOSE_PASSWORD, invited_by=actor, link=link)
    if text_to:
        transaction.on_commit(lambda: get_sms_backend().send(text_to, f"Safe Babies: {link}"))


# --- "I can't come" and "add to my calendar" -------------------------------------------------


class CantComeForm(forms.Form):
    note = forms.CharField(
        label=_("Anything your coordinator should know? (You can leave this empty.)"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def family_cant_come(request: AuthenticatedRequest, token: str) -> HttpResponse:
    """ "I can't come" from a reminder's link or the parent's page: one button (and a short
    note, if they want) tells the family's Community Coordinators, in the app and by their
    channel. The page is in the reader's language: the signed-in person's, else the parent's."""
    found = cant_come.read(token, dt.date.today())
    language = (
        translation.get_language()
        if request.user.is_authenticated
        else language_code(found.person.preferred_language if found else "")
    )
    with translation.override(language):
        if found is None:
            return render(request, "family/cant_come_expired.html", status=400)
        form = CantComeForm(request.POST or None)
        context = {
            "form": form,
            "event_words": cant_come.EVENT_WORDS.get(language, cant_come.EVENT_WORDS["en"])[
                found.kind
            ],
            "event": found.event,
        }
        if request.method == "POST" and form.is_valid():
            _tell_coordinators(request, found, form.cleaned_data["note"])
            return render(request, "family/cant_come_sent.html", context)
        return render(request, "family/cant_come.html", context)


def _tell_coordinators(request, found: cant_come.CantCome, note: str) -> None:
    """One notification to each of the family's coordinators, once per person and event; the
    in-app copy names the parent and holds the note, the e-mail copy neither."""

    case = found.person.case
    context = {
        **time_context(found.event.scheduled_on, found.event.starts_at),
        "who": "A parent",
        "event": cant_come.EVENT_WORDS["en"][found.kind],
        "event_es": cant_come.EVENT_WORDS["es"][found.kind],
    }
    private = {"who": f"{found.person} (parent)"}
    if note.strip():
        private["note"] = f"Their note: {note.strip()} "
    link = f"/cases/{case.pk}/"
    occasion = f"{found.person.pk}:{found.event.scheduled_on.isoformat()}"
    for user in coordinators_of(case.site, [case.pk])[case.pk]:
        message = Message("cant_come", str(found.event.pk), occasion, context, link)
        message.private = private
        deliver(message, Recipient.for_user(user))
    audit_log(
        actor=request.user if request.user.is_authenticated else None,
        action=AuditEvent.Action.UPDATE,
        record=found.event,
        case_id=case.pk,
        site_id=case.site_id,
        detail={"cant_come": found.person.pk},
        request=request,
    )


@require_GET
def family_calendar(request: AuthenticatedRequest, kind: str, event_id: str) -> HttpResponse:
    """ "Add to my calendar": one FTM, hearing or family-time visit as an `.ics` file (a title,
    a time, a place; no names, no notes), read through the access module and audited."""
    if kind not in cant_come.KINDS:
        raise Http404("No such event")
    found = access_record(request.user, kind, event_id, family_view=True)
    event = found.record
    if kind == "ftm":
        item = ics.ftm_event(event)
    elif kind == "hearing":
        item = ics.hearing_event(event)
    else:
        item = ics.visit_event(event, found.access.case.site, found.access.case.pk)
    for field_name in ("url", "description"):
        item.pop(field_name, None)
    item.add("url", request.build_absolute_uri("/"))
    calendar = ics.new_calendar()
    calendar.add_component(item)
    audit_log(
        actor=request.user,
        action=AuditEvent.Action.EXPORT,
        record=event,
        case_id=found.access.case.pk,
        site_id=found.access.case.site_id,
        detail={"calendar": kind},
        request=request,
    )
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{kind}-{event.scheduled_on}.ics"'
    return response


# --- The family copy reaches the family: e-mail, text message, a PDF to hand over -----------


@require_http_methods(["GET", "POST"])
def family_copy_send_page(request: AuthenticatedRequest, ftm_id: str) -> HttpResponse:
    """ "Send to the family": the people of the case who agreed to receive family copies, each
    with the ways they agreed to (e-mail, text message, paper); a button sends the copy that way
    (a link behind sign-in, in their language) or downloads the PDF to hand over. Community
    Coordinators and site admins only."""
    found = access_ftm(request.user, ftm_id)
    access = require(found.access, "can_send_family_copy")
    ftm = found.record
    people = list(case_records(access, "person").order_by("kind", "given_name", "id"))
    status = 200
    error = ""
    if request.method == "POST":
        person = case_record(access, "person", request.POST.get("person_id", ""))
        try:
            if person is None:
                raise ValidationError({"person_id": "Choose a person of this family."})
            to = family_copy.family_copy_send(
                ftm=ftm,
                person=person,
                channel=request.POST.get("channel", ""),
                actor=request.user,
                request=request,
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
            status = 400
        else:
            messages.success(request, f"The family copy went to {person} ({to}).")
            return redirect("ftm-family-copy-send", ftm.pk)
    audit_log(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        record=ftm,
        detail={"page": "family copy send", "people": [p.pk for p in people]},
        request=request,
    )
    return render(
        request,
        "ftms/family_copy_send.html",
        {
            "ftm": ftm,
            "case": access.case,
            "rows": family_copy.recipients(people),
            "others": [p for p in people if not p.family_copies],
            "held": ftm.status == codes.FtmStatus.HELD,
            "error": error,
        },
        status=status,
    )


@require_GET
def family_copy_pdf_download(
    request: AuthenticatedRequest, ftm_id: str, person_id: str
) -> HttpResponse:
    """The family copy as a PDF in the person's language, to print and hand over in person;
    only for a person who agreed to receive copies on paper. Audited."""
    found = access_ftm(request.user, ftm_id)
    access = require(found.access, "can_send_family_copy")
    person = case_record(access, "person", person_id)
    if person is None:
        raise Http404("No such person")
    try:
        pdf = family_copy.family_copy_pdf(
            ftm=found.record, person=person, actor=request.user, request=request
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("ftm-family-copy-send", found.record.pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="family-copy-{found.record.scheduled_on:%Y-%m-%d}.pdf"'
    )
    return response
