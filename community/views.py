"""Pages of the Active Community Team (members, meetings with their decisions and action items,
improvement cycles with their measure's trend), the provider directory, and providers' feedback
on a referral of the case plan (issue 22 item 9).

Every read goes through `cases.access` (SITE_RECORD_TYPES for the site's program, RECORD_TYPES
for the feedback, a case record); every write through `community.services`. A row the user may
not read is a 404, one they read but may not change a 403. Reads are in the audit trail.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.access import (
    access_case,
    access_site_record,
    case_records,
    has_right,
    site_records_visible_to,
    site_records_writable_by,
)
from community import forms, measures, services
from community import selectors as sel
from community.models import (
    ActActionItem,
    ActMeeting,
    ActMember,
    ImprovementCycle,
    Provider,
    ReferralFeedback,
)
from safebabies import codes
from safebabies.audit.models import AuditEvent
from safebabies.audit.services import audit_log
from safebabies.identity.http import AuthenticatedRequest
from safebabies.kit.forms import add_service_errors
from safebabies.kit.views import form_data, form_page


def _listed(request: AuthenticatedRequest, model: Any, site_id: int, count: int) -> None:
    audit_log(
        actor=request.user,
        action=AuditEvent.Action.LIST,
        record_type=model._meta.label_lower,
        site_id=site_id,
        detail={"count": count},
        request=request,
    )


def _viewed(request: AuthenticatedRequest, record: Any, site_id: int) -> None:
    audit_log(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        record=record,
        site_id=site_id,
        request=request,
    )


def _act_url(site_slug: str) -> str:
    return reverse("act-home") + f"?site={site_slug}"


# --- The Active Community Team's home ---------------------------------------------------------


@require_GET
def act_home(request: AuthenticatedRequest) -> HttpResponse:
    """Members, the next meeting, open action items, improvement cycles, past meetings."""
    user = request.user
    site = sel.site_for(user, "act_meeting", request.GET.get("site"))
    today = site.today()
    members = list(sel.members_of(user, site))
    current = [m for m in members if m.left_on is None or m.left_on >= today]
    meetings = list(sel.meetings_of(user, site).order_by("-held_on", "id"))
    coming = sorted((m for m in meetings if m.held_on >= today), key=lambda m: m.held_on)
    items = list(sel.open_items_of(user, site))
    cycles = list(site_records_visible_to(user, "improvement_cycle").filter(site=site))
    for cycle in cycles:
        cycle.metric_label = measures.label(cycle.metric)  # type: ignore[attr-defined]
    for model, count in (
        (ActMember, len(members)),
        (ActMeeting, len(meetings)),
        (ActActionItem, len(items)),
        (ImprovementCycle, len(cycles)),
    ):
        _listed(request, model, site.pk, count)
    return render(
        request,
        "community/act_home.html",
        {
            "site": site,
            "sites": sel.reading_sites(user, "act_meeting"),
            "today": today,
            "members": current,
            "former": [m for m in members if m not in current],
            "next_meeting": coming[0] if coming else None,
            "past_meetings": [m for m in meetings if m.held_on < today][:10],
            "items": items,
            "cycles": cycles,
            "can_keep": sel.may_add(user, "act_meeting", site),
        },
    )


# --- Members ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def act_member_new(request: AuthenticatedRequest) -> HttpResponse:
    site = sel.site_for(request.user, "act_member", request.GET.get("site"), adding=True)
    form = forms.MemberForm(
        form_data(request), people=sel.people_of_site(site), initial={"joined_on": site.today()}
    )
    return form_page(
        request,
        form=form,
        save=lambda: services.member_add(
            actor=request.user, site=site, request=request, **form.cleaned_data
        ),
        done=lambda _m: _act_url(site.slug),
        title="Add a member of the Active Community Team",
        submit="Add the member",
        cancel=_act_url(site.slug),
        success="The member is added.",
    )


@require_http_methods(["GET", "POST"])
def act_member_edit(request: AuthenticatedRequest, member_id: str) -> HttpResponse:
    member = access_site_record(request.user, "act_member", member_id, write=True)
    site = member.site
    initial = {
        "user_id": str(member.user_id or ""),
        "name": member.name,
        "organisation": member.organisation,
        "sector": member.sector,
        "joined_on": member.joined_on,
        "left_on": member.left_on,
    }
    form = forms.MemberForm(form_data(request), people=sel.people_of_site(site), initial=initial)
    return form_page(
        request,
        form=form,
        save=lambda: services.member_change(
            actor=request.user, member=member, request=request, **form.cleaned_data
        ),
        done=lambda _m: _act_url(site.slug),
        title=f"Change {member}",
        submit="Save",
        cancel=_act_url(site.slug),
        success="The member is saved.",
    )


# --- Meetings -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def act_meeting_new(request: AuthenticatedRequest) -> HttpResponse:
    site = sel.site_for(request.user, "act_meeting", request.GET.get("site"), adding=True)
    members = list(sel.members_of(request.user, site).filter(left_on__isnull=True))
    form = forms.MeetingForm(form_data(request), members=members, initial={"held_on": site.today()})
    return form_page(
        request,
        form=form,
        save=lambda: services.meeting_add(
            actor=request.user, site=site, request=request, **form.cleaned_data
        ),
        done=lambda m: reverse("act-meeting", args=[m.pk]),
        title="Record a meeting of the Active Community Team",
        intro="Decisions and action items are added on the meeting's page.",
        submit="Save the meeting",
        cancel=_act_url(site.slug),
        success="The meeting is saved.",
    )


def _meeting_context(request: AuthenticatedRequest, meeting: ActMeeting, **extra) -> dict:
    user = request.user
    writable = site_records_writable_by(user, "act_meeting").filter(pk=meeting.pk).exists()
    members = list(sel.members_of(user, meeting.site))
    return {
        "meeting": meeting,
        "site": meeting.site,
        "attendees": list(meeting.attendees.select_related("user").order_by("name", "id")),
        "decisions": list(meeting.decisions.order_by("created_at", "id")),
        "items": sel.items_of_meeting(user, meeting),
        "can_keep": writable,
        "decision_form": extra.pop("decision_form", None)
        or (forms.DecisionForm() if writable else None),
        "item_form": extra.pop("item_form", None)
        or (forms.ActionItemForm(members=members) if writable else None),
        "today": meeting.site.today(),
        **extra,
    }


@require_GET
def act_meeting(request: AuthenticatedRequest, meeting_id: str) -> HttpResponse:
    meeting = access_site_record(request.user, "act_meeting", meeting_id)
    _viewed(request, meeting, meeting.site_id)
    return render(request, "community/act_meeting.html", _meeting_context(request, meeting))


@require_http_methods(["GET", "POST"])
def act_meeting_edit(request: AuthenticatedRequest, meeting_id: str) -> HttpResponse:
    meeting = access_site_record(request.user, "act_meeting", meeting_id, write=True)
    members = list(sel.members_of(request.user, meeting.site))
    initial = {
        "held_on": meeting.held_on,
        "title": meeting.title,
        "agenda": meeting.agenda,
        "notes": meeting.notes,
        "attendee_ids": [str(pk) for pk in meeting.attendees.values_list("pk", flat=True)],
    }
    form = forms.MeetingForm(form_data(request), members=members, initial=initial)
    back = reverse("act-meeting", args=[meeting.pk])
    return form_page(
        request,
        form=form,
        save=lambda: services.meeting_change(
            actor=request.user, meeting=meeting, request=request, **form.cleaned_data
        ),
        done=lambda _m: back,
        title=f"Change {meeting}",
        submit="Save",
        cancel=back,
        success="The meeting is saved.",
    )


@require_POST
def act_decision_add(request: AuthenticatedRequest, meeting_id: str) -> HttpResponse:
    meeting = access_site_record(request.user, "act_meeting", meeting_id, write=True)
    form = forms.DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.decision_add(
                actor=request.user, meeting=meeting, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The decision is recorded.")
            return redirect("act-meeting", meeting.pk)
    context = _meeting_context(request, meeting, decision_form=form)
    return render(request, "community/act_meeting.html", context, status=400)


@require_POST
def act_item_add(request: AuthenticatedRequest, meeting_id: str) -> HttpResponse:
    meeting = access_site_record(request.user, "act_meeting", meeting_id, write=True)
    form = forms.ActionItemForm(
        request.POST, members=list(sel.members_of(request.user, meeting.site))
    )
    if form.is_valid():
        try:
            services.action_item_add(
                actor=request.user, meeting=meeting, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The action item is added.")
            return redirect("act-meeting", meeting.pk)
    context = _meeting_context(request, meeting, item_form=form)
    return render(request, "community/act_meeting.html", context, status=400)


@require_POST
def act_item_done(request: AuthenticatedRequest, item_id: str) -> HttpResponse:
    """Its owner (or a keeper) marks an action item done today, or open again (`undo`)."""
    item = access_site_record(request.user, "act_action_item", item_id, write=True)
    site = item.meeting.site
    done_on = None if request.POST.get("undo") else site.today()
    services.action_item_done(actor=request.user, item=item, done_on=done_on, request=request)
    messages.success(request, "The action item is open again." if done_on is None else "Done.")
    back = request.POST.get("back") == "home"
    return redirect(_act_url(site.slug) if back else reverse("act-meeting", args=[item.meeting_id]))


# --- Improvement cycles ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def cycle_new(request: AuthenticatedRequest) -> HttpResponse:
    site = sel.site_for(request.user, "improvement_cycle", request.GET.get("site"), adding=True)
    form = forms.CycleForm(form_data(request), initial={"started_on": site.today()})
    return form_page(
        request,
        form=form,
        save=lambda: services.cycle_add(
            actor=request.user, site=site, request=request, **form.cleaned_data
        ),
        done=lambda c: reverse("act-cycle", args=[c.pk]),
        title="Start an improvement cycle",
        intro="Plan, do, study, act: aim at one CQI measure, and watch its trend before and "
        "after the start.",
        submit="Start the cycle",
        cancel=_act_url(site.slug),
        success="The improvement cycle is saved.",
    )


@require_GET
def act_cycle(request: AuthenticatedRequest, cycle_id: str) -> HttpResponse:
    cycle = access_site_record(request.user, "improvement_cycle", cycle_id)
    site = cycle.site
    _viewed(request, cycle, site.pk)
    quarters = measures.trend(site, cycle.metric, cycle.started_on, request.user)
    return render(
        request,
        "community/act_cycle.html",
        {
            "cycle": cycle,
            "site": site,
            "metric_label": measures.label(cycle.metric),
            "unit": measures.unit(cycle.metric),
            "chart": measures.chart(quarters, measures.unit(cycle.metric)),
            "before": [q for q in quarters if not q.since],
            "since": [q for q in quarters if q.since],
            "can_keep": site_records_writable_by(request.user, "improvement_cycle")
            .filter(pk=cycle.pk)
            .exists(),
        },
    )


@require_http_methods(["GET", "POST"])
def cycle_edit(request: AuthenticatedRequest, cycle_id: str) -> HttpResponse:
    cycle = access_site_record(request.user, "improvement_cycle", cycle_id, write=True)
    initial = {
        name: getattr(cycle, name) for name in ("title", "metric", "started_on", "stage", "plan")
    }
    form = forms.CycleForm(form_data(request), initial=initial)
    back = reverse("act-cycle", args=[cycle.pk])
    return form_page(
        request,
        form=form,
        save=lambda: services.cycle_change(
            actor=request.user, cycle=cycle, request=request, **form.cleaned_data
        ),
        done=lambda _c: back,
        title=f"Change {cycle}",
        submit="Save",
        cancel=back,
        success="The improvement cycle is saved.",
    )


# --- The provider directory -----------------------------------------------------------------


@require_GET
def provider_list(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    site = sel.site_for(user, "provider", request.GET.get("site"))
    wanted = request.GET.get("service_type", "")
    if wanted not in codes.ServiceType.values:
        wanted = ""
    providers = list(sel.providers_of(user, site, wanted))
    _listed(request, Provider, site.pk, len(providers))
    return render(
        request,
        "community/providers.html",
        {
            "site": site,
            "sites": sel.reading_sites(user, "provider"),
            "providers": providers,
            "service_types": codes.ServiceType.choices,
            "wanted": wanted,
            "labels": dict(codes.ServiceType.choices),
            "can_keep": sel.may_add(user, "provider", site),
        },
    )


@require_GET
def provider_detail(request: AuthenticatedRequest, provider_id: str) -> HttpResponse:
    provider = access_site_record(request.user, "provider", provider_id)
    _viewed(request, provider, provider.site_id)
    labels = dict(codes.ServiceType.choices)
    return render(
        request,
        "community/provider.html",
        {
            "provider": provider,
            "site": provider.site,
            "services": [labels.get(code, code) for code in provider.service_types],
            "can_keep": site_records_writable_by(request.user, "provider")
            .filter(pk=provider.pk)
            .exists(),
        },
    )


def _provider_initial(provider: Provider) -> dict[str, Any]:
    return {
        "name": provider.name,
        "service_types": provider.service_types,
        "languages": provider.languages,
        "address": provider.address,
        "phone": provider.phone,
        "website": provider.website,
        "accepting_referrals": "true" if provider.accepting_referrals else "false",
        "waitlist_weeks": provider.waitlist_weeks,
    }


@require_http_methods(["GET", "POST"])
def provider_new(request: AuthenticatedRequest) -> HttpResponse:
    site = sel.site_for(request.user, "provider", request.GET.get("site"), adding=True)
    form = forms.ProviderForm(form_data(request), initial={"accepting_referrals": "true"})
    return form_page(
        request,
        form=form,
        save=lambda: services.provider_add(
            actor=request.user, site=site, request=request, **form.cleaned_data
        ),
        done=lambda p: reverse("provider-detail", args=[p.pk]),
        title="Add a provider to the directory",
        submit="Add the provider",
        cancel=reverse("provider-list") + f"?site={site.slug}",
        success="The provider is added.",
    )


@require_http_methods(["GET", "POST"])
def provider_edit(request: AuthenticatedRequest, provider_id: str) -> HttpResponse:
    provider = access_site_record(request.user, "provider", provider_id, write=True)
    form = forms.ProviderForm(form_data(request), initial=_provider_initial(provider))
    back = reverse("provider-detail", args=[provider.pk])
    return form_page(
        request,
        form=form,
        save=lambda: services.provider_change(
            actor=request.user, provider=provider, request=request, **form.cleaned_data
        ),
        done=lambda _p: back,
        title=f"Change {provider}",
        intro="Saving confirms its availability as of today.",
        submit="Save",
        cancel=back,
        success="The provider is saved.",
    )


# --- What a provider said about a referral (a case record) -------------------------------------


@require_http_methods(["GET", "POST"])
def referral_feedback(request: AuthenticatedRequest, case_id: str, service_id: str) -> HttpResponse:
    """The provider's feedback on one referral of the case plan: the team reads it with the
    service (a Part 2 service's only under its release); the case's writers record it."""
    access = access_case(request.user, case_id)
    service = case_records(access, "service").filter(pk=service_id).first()
    if service is None:
        raise Http404("Not found")
    service.case = access.case
    can_write = has_right(access, "can_write")
    form = forms.FeedbackForm(
        request.POST if request.method == "POST" else None,
        initial={"received_on": access.case.site.today()},
    )
    status = 200
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied("You may read this referral but not change it.")
        if form.is_valid():
            try:
                services.feedback_add(
                    actor=request.user,
                    service_=service,
                    case=access.case,
                    request=request,
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "The provider's feedback is recorded.")
                return redirect("referral-feedback", access.case.pk, service.pk)
        status = 400
    rows = list(
        case_records(access, "referral_feedback")
        .filter(service=service)
        .select_related("recorded_by")
        .order_by("-received_on", "-created_at", "id")
    )
    audit_log(
        actor=request.user,
        action=AuditEvent.Action.LIST,
        record_type=ReferralFeedback._meta.label_lower,
        case_id=access.case.pk,
        site_id=access.case.site_id,
        detail={"count": len(rows)},
        request=request,
    )
    return render(
        request,
        "community/feedback.html",
        {
            "case": access.case,
            "service": service,
            "rows": rows,
            "form": form if can_write else None,
            "show_notes": not (access.is_court_view or access.is_mentor_view),
        },
        status=status,
    )
