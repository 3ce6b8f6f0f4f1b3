"""Pages of the family team's own part (issue 22): the case's notes (each member writes
theirs) and the parent mentor's support contacts (the mentor logs them, the Community
Coordinator reads them and links the mentor to the parent they support).

Reads go through `cases.access` (`access_case_records`, `case_records`, `access_case_note`);
writes through `teams.work`. Every list read is in the audit trail.
"""

from typing import cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from cases.access import (
    NOTE_CHANGE_MESSAGE,
    CaseAccess,
    access_case_note,
    access_case_records,
    case_records,
    has_right,
    may_change_note,
    require,
)
from cases.models import Person, TeamMember
from safebabies.audit.models import AuditEvent
from safebabies.audit.services import audit_log
from safebabies.identity.http import AuthenticatedRequest
from safebabies.identity.roles import Role
from safebabies.kit.forms import DateInput, add_service_errors, form_helper
from teams import work
from teams.models import CaseNote, SupportContact, SupportKind


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Your note"),
        max_length=work.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Read by the family team's professionals; never by the parent or the court. "
            "You can correct it today."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper("text")


class SupportContactForm(forms.Form):
    person_id = forms.ChoiceField(label=_("Parent"))
    contacted_on = forms.DateField(label=_("Day"), widget=DateInput())
    kind = forms.ChoiceField(label=_("Kind of support"), choices=SupportKind.choices)
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=24 * 60)
    shared_note = forms.CharField(
        label=_("Note the parent agreed to share"),
        required=False,
        max_length=work.SUPPORT_NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    parent_agreed = forms.BooleanField(
        label=_("The parent agreed to share this note with the team"), required=False
    )

    def __init__(self, *args, people: list[Person], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["person_id"]).choices = [(p.pk, str(p)) for p in people]
        self.helper = form_helper(
            "person_id", "contacted_on", "kind", "minutes", "shared_note", "parent_agreed"
        )


class MentorLinkForm(forms.Form):
    place = forms.ChoiceField(label=_("Parent mentor"))
    person_id = forms.ChoiceField(label=_("The parent they support"), required=False)

    def __init__(self, *args, places: list[TeamMember], parents: list[Person], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["place"]).choices = [
            (str(p.pk), str(p.user)) for p in places
        ]
        cast(forms.ChoiceField, self.fields["person_id"]).choices = [("", "Nobody yet")] + [
            (p.pk, str(p)) for p in parents
        ]
        self.helper = form_helper("place", "person_id")


def _audit_list(request: AuthenticatedRequest, access: CaseAccess, model, count: int) -> None:
    audit_log(
        actor=request.user,
        action=AuditEvent.Action.LIST,
        record_type=model._meta.label_lower,
        case_id=access.case.pk,
        site_id=access.case.site_id,
        detail={"count": count},
        request=request,
    )


# --- Case notes -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def case_notes(request: AuthenticatedRequest, case_id: str) -> HttpResponse:
    """The family team's notes, newest first, and a note of one's own to add."""
    access = access_case_records(request.user, case_id, "case_note")
    form = NoteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        require(access, "can_write_own_notes")
        if form.is_valid():
            try:
                work.case_note_write(
                    actor=request.user,
                    case=access.case,
                    author_role=work.main_role(access.roles),
                    text=form.cleaned_data["text"],
                    request=request,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Your note is saved."))
                return redirect("case-notes", access.case.pk)
    notes = list(
        case_records(access, "case_note").select_related("author").order_by("-written_at", "id")
    )
    for note in notes:
        note.changeable = may_change_note(access, note)
    _audit_list(request, access, CaseNote, len(notes))
    return render(
        request,
        "ftms/notes.html",
        {
            "case": access.case,
            "access": access,
            "notes": notes,
            "form": form,
            "can_write": has_right(access, "can_write_own_notes"),
        },
    )


@require_POST
def case_note_edit(request: AuthenticatedRequest, case_id: str, note_id: str) -> HttpResponse:
    found = access_case_note(request.user, note_id, in_case=case_id)
    if not may_change_note(found.access, found.record):
        raise PermissionDenied(NOTE_CHANGE_MESSAGE)
    form = NoteForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, "Your note: " + " ".join(str(e) for e in form.errors.get("text", []))
        )
        return redirect("case-notes", case_id)
    try:
        work.case_note_change(
            actor=request.user,
            note=found.record,
            case=found.access.case,
            text=form.cleaned_data["text"],
            request=request,
        )
    except ValidationError as exc:
        messages.error(request, "Your note: " + " ".join(exc.messages))
        return redirect("case-notes", case_id)
    messages.success(request, _("Your note is corrected."))
    return redirect("case-notes", case_id)


# --- A parent mentor's support contacts -------------------------------------------------------


def _support_context(request: AuthenticatedRequest, access: CaseAccess, **forms_) -> dict:
    contacts = list(
        case_records(access, "support_contact")
        .select_related("mentor", "person")
        .order_by("-contacted_on", "-created_at", "id")
    )
    places = list(
        TeamMember.objects.filter(
            case=access.case, role=Role.PARENT_MENTOR, removed_at__isnull=True
        ).select_related("user", "person")
    )
    total = sum(c.minutes for c in contacts)
    _audit_list(request, access, SupportContact, len(contacts))
    return {
        "case": access.case,
        "access": access,
        "contacts": contacts,
        "minutes": total,
        "places": places,
        "can_log": has_right(access, "can_log_support_contacts"),
        "can_link": has_right(access, "can_link_mentor"),
        **forms_,
    }


def _parents(access: CaseAccess) -> list[Person]:
    return list(
        Person.objects.filter(case=access.case, kind=Person.Kind.PARENT).order_by(
            "given_name", "id"
        )
    )


@require_http_methods(["GET", "POST"])
def support_contacts(request: AuthenticatedRequest, case_id: str) -> HttpResponse:
    """The parent mentor's work with the family: their support contacts (the mentor logs one
    here), and for the Community Coordinator which parent each mentor supports."""
    access = access_case_records(request.user, case_id, "support_contact")
    supported = work.supported_people(access.case, request.user)
    form = None
    if has_right(access, "can_log_support_contacts"):
        form = SupportContactForm(
            request.POST if request.method == "POST" else None,
            people=supported,
            initial={"contacted_on": access.case.site.today()},
        )
    if request.method == "POST":
        require(access, "can_log_support_contacts")
        assert form is not None
        if form.is_valid():
            try:
                work.support_contact_log(
                    actor=request.user, case=access.case, request=request, **form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The support contact is logged."))
                return redirect("support-contacts", access.case.pk)
    link_form = None
    if has_right(access, "can_link_mentor"):
        places = list(
            TeamMember.objects.filter(
                case=access.case, role=Role.PARENT_MENTOR, removed_at__isnull=True
            ).select_related("user")
        )
        if places:
            link_form = MentorLinkForm(
                places=places,
                parents=_parents(access),
                # the first mentor's link as it is, so that "Link" as shown changes nothing
                initial={"place": str(places[0].pk), "person_id": places[0].person_id or ""},
            )
    context = _support_context(request, access, form=form, link_form=link_form, supported=supported)
    return render(request, "ftms/support.html", context)


@require_POST
def mentor_link(request: AuthenticatedRequest, case_id: str) -> HttpResponse:
    """The Community Coordinator links a parent mentor's place to the parent they support."""
    access = require(
        access_case_records(request.user, case_id, "support_contact"), "can_link_mentor"
    )
    given = str(request.POST.get("place", ""))
    place = TeamMember.objects.filter(
        pk=int(given) if given.isdigit() else 0,
        case=access.case,
        role=Role.PARENT_MENTOR,
        removed_at__isnull=True,
    ).first()
    if place is None:
        raise Http404("No such parent mentor on this family's team")
    try:
        work.mentor_link(
            actor=request.user,
            case=access.case,
            place=place,
            person_id=request.POST.get("person_id") or None,
            request=request,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The parent mentor's link is saved."))
    return redirect("support-contacts", access.case.pk)
