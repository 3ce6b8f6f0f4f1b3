"""Family Team Meeting pages: the case's meetings, scheduling, the live logging page (with its
autosave endpoint), marking held, the team's summary and the family copy (English, Spanish).

Reads go through the access module (`access_ftm`, `access_case_records`); writes through
`teams.services`. Judges (the court's view) get a 404 for everything here.
"""

from typing import cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.access import (
    TEAM_ITEM_MESSAGE,
    access_action_item,
    access_case_records,
    access_ftm,
    may_change_action_item,
)
from safebabies import codes
from safebabies.audit.models import AuditEvent
from safebabies.audit.services import audit_log
from safebabies.identity.http import AuthenticatedRequest
from safebabies.identity.models import User
from safebabies.identity.roles import TEAM_ROLES
from safebabies.kit.forms import DateInput, add_service_errors, form_helper
from safebabies.lib import jsonin
from teams import selectors, services
from teams.copy import family_copy_text
from teams.models import Ftm


class ScheduleForm(forms.Form):
    scheduled_on = forms.DateField(label=_("Date"), widget=DateInput())
    starts_at = forms.TimeField(
        label=_("Time"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    location = forms.CharField(label=_("Place or video link"), required=False, max_length=300)
    facilitator = forms.ModelChoiceField(
        label=_("Facilitator"), queryset=User.objects.none(), required=False
    )
    another_as_well = forms.BooleanField(label=_("Plan another meeting as well"), required=False)

    def __init__(self, *args, case, upcoming: Ftm | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        facilitator = cast(forms.ModelChoiceField, self.fields["facilitator"])
        facilitator.queryset = User.objects.filter(
            team_memberships__case=case,
            team_memberships__removed_at__isnull=True,
            team_memberships__role__in=list(TEAM_ROLES),  # not a parent's place
        ).distinct()
        names = ["scheduled_on", "starts_at", "location", "facilitator"]
        if upcoming is None:
            del self.fields["another_as_well"]
        else:
            self.fields["another_as_well"].help_text = (
                f"The meeting on {upcoming.scheduled_on:%A} {upcoming.scheduled_on.day} "
                f"{upcoming.scheduled_on:%B %Y} stays on the calendar."
            )
            names.append("another_as_well")
        self.helper = form_helper(*names)


def _audit_view(request: AuthenticatedRequest, ftm: Ftm) -> None:
    audit_log(actor=request.user, action=AuditEvent.Action.VIEW, record=ftm, request=request)


@require_GET
def case_ftms(request: AuthenticatedRequest, case_id: str) -> HttpResponse:
    """The family's meetings, newest first, with a way to plan the next one."""
    access = access_case_records(request.user, case_id, "ftm")
    ftms = list(selectors.case_ftms(access.case))
    audit_log(
        actor=request.user,
        action=AuditEvent.Action.LIST,
        record_type=Ftm._meta.label_lower,
        case_id=access.case.pk,
        site_id=access.case.site_id,
        detail={"count": len(ftms)},
        request=request,
    )
    return render(request, "ftms/list.html", {"case": access.case, "access": access, "ftms": ftms})


@require_http_methods(["GET", "POST"])
def ftm_new(request: AuthenticatedRequest, case_id: str) -> HttpResponse:
    access = access_case_records(request.user, case_id, "ftm", write=True)
    case = access.case
    initial: dict[str, object] = {
        "scheduled_on": services.ftm_next_date(case=case),
        "facilitator": selectors.default_facilitator(case, request.user),
    }
    last = selectors.last_ftm(case)
    if last is not None:
        initial.update(starts_at=last.starts_at, location=last.location)
    upcoming = selectors.upcoming_ftm(case)
    form = ScheduleForm(
        request.POST if request.method == "POST" else None,
        case=case,
        upcoming=upcoming,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            ftm = services.ftm_schedule(
                case=case, actor=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The meeting is on the calendar."))
            return redirect("ftm-log", ftm.pk)
    return render(
        request,
        "ftms/schedule.html",
        {
            "form": form,
            "case": case,
            "upcoming": upcoming,
            "invitees": selectors.invitees_of_case(case),
        },
    )


@require_GET
def ftm_log_page(request: AuthenticatedRequest, ftm_id: str) -> HttpResponse:
    """One page for the whole meeting; it saves itself as people type."""
    found = access_ftm(request.user, ftm_id, write=True)
    _audit_view(request, found.record)
    page = selectors.log_page(found.record)
    return render(
        request, "ftms/log.html", {"page": page, "ftm": found.record, "case": found.record.case}
    )


@require_POST
def ftm_save(request: AuthenticatedRequest, ftm_id: str) -> JsonResponse:
    """The logging page's autosave: JSON in, the new version out; 409 if someone else saved
    in between, 400 with the fields at fault."""
    found = access_ftm(request.user, ftm_id, write=True)
    try:
        data = jsonin.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({"errors": {"__all__": ["Send JSON."]}}, status=400)
    if not isinstance(data, dict):
        return JsonResponse({"errors": {"__all__": ["Send a JSON object."]}}, status=400)
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        return JsonResponse(
            {"errors": {"version": ["Send the version you started from (a whole number)."]}},
            status=400,
        )
    nul = jsonin.nul_at(data)
    if nul is not None:
        return JsonResponse(
            {"errors": {nul: ["Control characters (such as NUL) are not allowed."]}}, status=400
        )
    removed = data.get("removed_items")
    if removed is not None and not (
        isinstance(removed, list) and all(isinstance(i, str) for i in removed)
    ):
        return JsonResponse({"errors": {"removed_items": ["Send a list of ids."]}}, status=400)
    changes = data.get("fields") or {}
    if not isinstance(changes, dict):
        return JsonResponse({"errors": {"fields": ["Send the fields by name."]}}, status=400)
    try:
        ftm = services.ftm_log(
            ftm=found.record,
            actor=request.user,
            version=version,
            changes=changes,
            attendance=data.get("attendance"),
            reviewed=data.get("reviewed"),
            action_items=data.get("action_items"),
            base=data.get("base"),
            removed_items=removed,
            request=request,
        )
    except services.FtmConflict as conflict:
        return JsonResponse(
            {
                "conflict": conflict.message,
                "version": conflict.ftm.version,
                "by": str(conflict.ftm.edited_by or ""),
                "fields": conflict.fields,
            },
            status=409,
        )
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        return JsonResponse({"errors": errors}, status=400)
    return JsonResponse(
        {
            "version": ftm.version,
            "saved_at": ftm.updated_at.isoformat(timespec="seconds"),
            # in the site's time zone, as every time on the page
            "saved_at_label": date_format(
                ftm.updated_at.astimezone(found.record.case.site.tz), "TIME_FORMAT"
            ),
            # the meeting's fields now, for the page to show what others saved meanwhile
            "fields": services.log_field_values(ftm),
        }
    )


@require_POST
def ftm_held(request: AuthenticatedRequest, ftm_id: str) -> HttpResponse:
    found = access_ftm(request.user, ftm_id, write=True)
    try:
        upcoming = services.ftm_mark_held(ftm=found.record, actor=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("ftm-log", found.record.pk)
    text = "The meeting is marked held."
    if upcoming is not None:
        text += f" The next one is on {upcoming.scheduled_on:%A %-d %B %Y}."
    messages.success(request, text)
    return redirect("ftm-summary", found.record.pk)


@require_GET
def ftm_summary(request: AuthenticatedRequest, ftm_id: str) -> HttpResponse:
    """The team's summary (printable). Parent mentors see dates, attendance and action items,
    not the discussion."""
    found = access_ftm(request.user, ftm_id)
    _audit_view(request, found.record)
    items = selectors.summary_items(found.record)
    context = {
        "ftm": found.record,
        "case": found.record.case,
        "access": found.access,
        "show_discussion": found.access.can_see_ftm_notes,
        "attendance": selectors.attendance_of(found.record),
        "items": items,
        # the open items this reader may mark done: a writer any, anyone else their own
        "can_mark_done": {
            item.pk
            for item in items
            if item.status == codes.ActionItemStatus.OPEN
            and may_change_action_item(
                found.access, ["status"], codes.ActionItemStatus.DONE, item=item
            )
        },
        "next": selectors.next_meeting(found.record),
    }
    previous = selectors.previous_ftm(found.record)
    context.update(
        previous=previous, previous_items=selectors.items_to_review(found.record, previous)
    )
    return render(request, "ftms/summary.html", context)


@require_GET
def ftm_family_copy(request: AuthenticatedRequest, ftm_id: str) -> HttpResponse:
    """What was agreed, who does what by when, the next date: plain words, English or Spanish.
    The family's own page too: a parent of the case reads it (`family_view`)."""
    found = access_ftm(request.user, ftm_id, family_view=True)
    # the copy's language: the one asked for, else the reader's own
    lang = request.GET.get("lang", "")
    if lang not in ("en", "es"):
        lang = "es" if translation.get_language() == "es" else "en"
    _audit_view(request, found.record)
    items = selectors.family_copy_items(
        found.record, found.access.people if found.access.is_parent_view else None
    )
    copy = family_copy_text(
        ftm=found.record,
        items=items,
        next_on=selectors.next_meeting(found.record).on,
        coordinator=selectors.coordinator_of(found.record.case),
        lang=lang,
    )
    return render(
        request,
        "ftms/family_copy.html",
        {
            "ftm": found.record,
            "case": found.record.case,
            "family_view": found.access.is_parent_view,
            "copy": copy,
            "lang": lang,
            "other_lang_url": reverse("ftm-family-copy", args=[found.record.pk])
            + ("?lang=en" if lang == "es" else "?lang=es"),
        },
    )


@require_POST
def action_item_done(request: AuthenticatedRequest, item_id: str) -> HttpResponse:
    """ "Done" on an action item: a writer of the case on any item, any other member of the
    family team (an attorney, GAL / CASA, a parent mentor) on an item of their own
    (`cases.access.owns_action_item`). A parent marks theirs done from their own page."""
    found = access_action_item(request.user, item_id)
    item = found.record
    if not may_change_action_item(found.access, ["status"], codes.ActionItemStatus.DONE, item=item):
        raise PermissionDenied(TEAM_ITEM_MESSAGE)
    services.action_item_update(
        item=item,
        actor=request.user,
        changes={"status": codes.ActionItemStatus.DONE},
        request=request,
    )
    messages.success(request, f"Marked done: {item.description or 'the action item'}.")
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("ftm-summary", item.ftm_id)
