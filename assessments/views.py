"""Pages of the case plan: screenings, services and referrals, goals, relationship-based
assessments, markers of progress, and releases of information (consents).

Every view reaches the case through `access_case` (outsiders 404, read-only roles 403 on the
forms) and every change goes through `assessments.services`.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessments import forms, services
from assessments import selectors as sel
from assessments.models import NARRATIVE_FIELDS
from cases.access import (
    PART2_REDISCLOSURE_NOTICE,
    PART2_SERVICE_TYPES,
    CaseAccess,
    access_case,
    access_record,
    access_service_session,
    can_see_assessment_narrative,
    case_record,
    case_records,
    has_right,
    require,
    team_places_in_force,
)
from cases.documents.views import documents_context
from cases.models import Person
from community.selectors import provider_choices
from safebabies.audit.models import AuditEvent
from safebabies.audit.services import audit_log
from safebabies.identity.http import AuthenticatedRequest
from safebabies.identity.selectors import site_roles
from safebabies.kit.forms import add_service_errors
from safebabies.kit.views import form_data, form_page


def plan_url(case_id: str, anchor: str = "") -> str:
    return reverse("case-plan", args=[case_id]) + (f"#{anchor}" if anchor else "")


def _children(access: CaseAccess):
    return access.case.children.order_by("birth_date", "id")


def _people(access: CaseAccess):
    """Whose record a screening or service is: the adults of the family."""
    return case_records(access, "person").order_by("kind", "given_name", "id")


def _team(access: CaseAccess):
    """The family team's places in force, by role (the goal's "who")."""
    return (
        case_records(access, "team_member")
        .filter(pk__in=team_places_in_force().values("pk"))
        .select_related("user")
        .order_by("role", "added_at")
    )


def _caregivers(access: CaseAccess):
    return access.case.people.filter(
        kind__in=[Person.Kind.PARENT, Person.Kind.RESOURCE_PARENT]
    ).order_by("kind", "given_name", "id")


@require_GET
def case_plan(request: AuthenticatedRequest, case_id: str) -> HttpResponse:
    """The plan at a glance: what is due, screenings, assessments, goals, services, markers."""
    access = access_case(request.user, case_id)
    audit_log(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        record=access.case,
        request=request,
        detail={"page": "case_plan"},
    )
    plan = sel.case_plan(access, access.case.site.today())
    return render(
        request,
        "assessments/plan.html",
        {
            "plan": plan,
            "case": access.case,
            "access": access,
            "can_assess": has_right(access, "can_write_assessment"),
        },
    )


# --- Screenings ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def screening_create(request: AuthenticatedRequest, case_id: str) -> HttpResponse:
    access = access_case(request.user, case_id, write=True)
    case = access.case
    form = forms.ScreeningForm(
        form_data(request),
        children=_children(access),
        services=sel.services_of(access),
        people=_people(access),
        initial={"screened_on": case.site.today()},
    )
    return form_page(
        request,
        form=form,
        save=lambda: services.screening_record(
            actor=request.user, case=case, request=request, **form.cleaned_data
        ),
        done=lambda s: plan_url(case.pk, "screenings"),
        title="Record a screening",
        intro="Screen early: what was found, and the referral it led to.",
        submit="Save the screening",
        case=case,
        cancel=plan_url(case.pk),
        success="The screening is saved.",
    )


# --- Services ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def service_create(request: AuthenticatedRequest, case_id: str) -> HttpResponse:
    access = access_case(request.user, case_id, write=True)
    case = access.case
    initial: dict[str, Any] = {"referred_on": case.site.today()}
    if request.GET.get("goal"):
        initial["goal"] = request.GET["goal"]
    form = forms.ServiceForm(
        form_data(request),
        children=_children(access),
        goals=sel.goals_of(access).order_by("created_at", "id"),
        people=_people(access),
        providers=provider_choices(request.user, case.site_id),
        initial=initial,
    )
    return form_page(
        request,
        form=form,
        save=lambda: services.service_refer(
            actor=request.user, case=case, request=request, **form.service_kwargs()
        ),
        done=lambda s: plan_url(case.pk, f"service-{s.pk}"),
        title="Refer to a service",
        intro="Link each service to the goal it serves. If something keeps the family from it "
        "(a waitlist, transport, cost, language), record the barrier.",
        submit="Save the referral",
        case=case,
        cancel=plan_url(case.pk),
        success="The referral is saved.",
    )


@require_http_methods(["GET", "POST"])
def service_edit(request: AuthenticatedRequest, case_id: str, service_id: str) -> HttpResponse:
    access = access_case(request.user, case_id, write=True)
    case = access.case
    service = get_object_or_404(sel.services_of(access), pk=service_id)
    service.case = case
    fields = [f for f in forms.ServiceForm.base_fields]
    initial = {name: getattr(service, name) for name in fields}
    form = forms.ServiceForm(
        form_data(request),
        children=_children(access),
        goals=sel.goals_of(access).order_by("created_at", "id"),
        people=_people(access),
        providers=provider_choices(request.user, case.site_id),
        initial=initial,
    )
    return form_page(
        request,
        form=form,
        save=lambda: services.service_update(
            actor=request.user, service=service, request=request, **form.service_kwargs()
        ),
        done=lambda s: plan_url(case.pk, f"service-{s.pk}"),
        title=f"Update {service.get_service_type_display()}",
        intro="When it starts, set the status to active and give the start date."
        + (f" {PART2_REDISCLOSURE_NOTICE}" if service.service_type in PART2_SERVICE_TYPES else ""),
        submit="Save",
        case=case,
        cancel=plan_url(case.pk),
        success="The service is updated.",
    )


# --- Sessions of a service, as it is delivered (issue 22 item 3) ---------------------------


def sessions_url(case_id: str, service_id: str, anchor: str = "") -> str:
    url = reverse("service-sessions", args=[case_id, service_id])
    return url + (f"#{anchor}" if anchor else "")


@require_http_methods(["GET", "POST"])
def service_sessions(request: AuthenticatedRequest, case_id: str, service_id: str) -> HttpResponse:
    """A service's sessions (whoever sees the service reads them) and, for the case's writers,
    the form to log one. A missed session waits for the team's outreach."""
    access = access_case(request.user, case_id)
    case = access.case
    service = case_record(access, "service", service_id)
    if service is None:
        raise Http404("Not found")
    service.case = case
    form = None
    if access.can_write:
        form = forms.SessionForm(form_data(request), initial={"held_on": case.site.today()})
    if request.method == "POST":
        require(access, "can_write")
        assert form is not None
        if form.is_valid():
            try:
                session = services.service_session_log(
                    actor=request.user, service=service, request=request, **form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if session.needs_outreach:
                    messages.warning(
                        request,
                        "The session is logged as missed: reach out to the family, then mark "
                        "the outreach done.",
                    )
                else:
                    messages.success(request, "The session is logged.")
                return redirect(sessions_url(case.pk, service.pk))
    audit_log(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        record=service,
        case_id=case.pk,
        site_id=case.site_id,
        request=request,
        detail={"page": "service_sessions"},
    )
    rows = list(sel.sessions_of(access).filter(service=service).order_by("-held_on", "-created_at"))
    attendance = sel.attendance_of(rows) if rows else None
    return render(
        request,
        "assessments/sessions.html",
        {
            "case": case,
            "access": access,
            "service": service,
            "sessions": rows,
            "attendance": attendance,
            "form": form,
            "part2": service.service_type in PART2_SERVICE_TYPES,
            "part2_notice": PART2_REDISCLOSURE_NOTICE,
        },
    )


@require_POST
def session_outreach_done(
    request: AuthenticatedRequest, case_id: str, session_id: str
) -> HttpResponse:
    """The team reached out to the family after a missed session (the case's writers)."""
    access, session = access_service_session(request.user, session_id, write=True, in_case=case_id)
    session.service.case = access.case
    try:
        services.service_session_outreach_done(actor=request.user, session=session, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "The outreach is marked done.")
    return redirect(sessions_url(access.case.pk, session.service_id, f"session-{session.pk}"))


# --- Goals ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def goal_create(request: AuthenticatedRequest, case_id: str) -> HttpResponse:
    access = access_case(request.user, case_id, write=True)
    case = access.case
    initial: dict[str, Any] = {}
    if request.GET.get("assessment"):
        initial["assessment"] = request.GET["assessment"]
    form = forms.GoalForm(
        form_data(request),
        children=_children(access),
        assessments=case_records(access, "assessment").select_related("child", "caregiver"),
        people=_people(access),
        team=_team(access),
        initial=initial,
    )
    return form_page(
        request,
        form=form,
        save=lambda: services.goal_create(
            actor=request.user, case=case, request=request, **form.goal_kwargs()
        ),
        done=lambda g: plan_url(case.pk, f"goal-{g.pk}"),
        title="Add a goal to the case plan",
        intro="Goals come from what the team learned in the assessment, in the family's words "
        "where possible: what needs to happen, in what order, and who does it.",
        submit="Add the goal",
        case=case,
        cancel=plan_url(case.pk),
        success="The goal is on the case plan.",
    )


@require_http_methods(["GET", "POST"])
def goal_edit(request: AuthenticatedRequest, case_id: str, goal_id: str) -> HttpResponse:
    access = access_case(request.user, case_id, write=True)
    case = access.case
    goal = get_object_or_404(sel.goals_of(access), pk=goal_id)
    goal.case = case
    initial = {
        name: getattr(goal, name)
        for name in forms.GoalForm.base_fields
        if name != "responsible_other"
    }
    form = forms.GoalForm(
        form_data(request),
        children=_children(access),
        assessments=case_records(access, "assessment").select_related("child", "caregiver"),
        people=_people(access),
        team=_team(access),
        initial=initial,
    )
    return form_page(
        request,
        form=form,
        save=lambda: services.goal_update(
            actor=request.user, goal=goal, request=request, **form.goal_kwargs()
        ),
        done=lambda g: plan_url(case.pk, f"goal-{g.pk}"),
        title="Update the goal",
        submit="Save",
        case=case,
        cancel=plan_url(case.pk),
        success="The goal is updated.",
    )


# --- Steps toward a goal ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def goal_step_add(request: AuthenticatedRequest, case_id: str, goal_id: str) -> HttpResponse:
    access = access_case(request.user, case_id, write=True)
    case = access.case
    goal = get_object_or_404(case_records(access, "goal"), pk=goal_id)
    goal.case = case
    form = forms.GoalStepForm(form_data(request), people=_people(access), team=_team(access))
    return form_page(
        request,
        form=form,
        save=lambda: services.goal_step_add(
            actor=request.user, goal=goal, request=request, **form.step_kwargs()
        ),
        done=lambda step: plan_url(case.pk, f"goal-{goal.pk}"),
        title="Add a step toward the goal",
        intro=goal.description,
        submit="Add the step",
        case=case,
        cancel=plan_url(case.pk, f"goal-{goal.pk}"),
        success="The step is on the case plan.",
    )


def _step(request: AuthenticatedRequest, case_id: str, step_id: str):
    found = access_record(request.user, "goal_step", step_id, write=True, in_case=case_id)
    step = found.record
    step.goal.case = found.access.case
    return step


@require_POST
def goal_step_done(request: AuthenticatedRequest, case_id: str, step_id: str) -> HttpResponse:
    """Tick a step done, or (`done=no`) untick it."""
    step = _step(request, case_id, step_id)
    done = request.POST.get("done", "yes") != "no"
    services.goal_step_set_done(actor=request.user, step=step, done=done, request=request)
    messages.success(request, "The step is done." if done else "The step is open again.")
    return redirect(plan_url(case_id, f"goal-{step.goal_id}"))


@require_POST
def goal_step_remove(request: AuthenticatedRequest, case_id: str, step_id: str) -> HttpResponse:
    step = _step(request, case_id, step_id)
    services.goal_step_remove(actor=request.user, step=step, request=request)
    messages.success(request, _("The step is removed from the goal."))
    return redirect(plan_url(case_id, f"goal-{step.goal_id}"))


# --- Assessments ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def assessment_create(request: AuthenticatedRequest, case_id: str) -> HttpResponse:
    access = require(access_case(request.user, case_id, write=True), "can_write_assessment")
    case = access.case
    form = forms.AssessmentForm(
        form_data(request),
        children=_children(access),
        caregivers=_caregivers(access),
        initial={"assessed_on": case.site.today()},
    )
    return form_page(
        request,
        form=form,
        save=lambda: services.assessment_record(
            actor=request.user, case=case, request=request, **form.service_kwargs()
        ),
        done=lambda a: reverse("assessment-detail", args=[case.pk, a.pk]),
        title="Relationship-based assessment",
        intro="One lens at a time: the child, a caregiver, or a child-caregiver "
        "relationship, within culture and community. Only the clinician, the Community "
        "Coordinator and the caseworker read what you write here.",
        submit="Save the assessment",
        case=case,
        cancel=plan_url(case.pk),
        success="The assessment is saved.",
    )


@require_GET
def assessment_detail(
    request: AuthenticatedRequest, case_id: str, assessment_id: str
) -> HttpResponse:
    access = access_case(request.user, case_id)
    assessment = get_object_or_404(
        case_records(access, "assessment").select_related("child", "caregiver", "clinician"),
        pk=assessment_id,
    )
    narrative = can_see_assessment_narrative(access)
    audit_log(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        record=assessment,
        case_id=access.case.pk,
        site_id=access.case.site_id,
        request=request,
    )
    sections = []
    if narrative:
        labels = {name: forms.AssessmentForm.base_fields[name].label for name in NARRATIVE_FIELDS}
        sections = [
            (labels[name], getattr(assessment, name))
            for name in NARRATIVE_FIELDS
            if getattr(assessment, name)
        ]
    return render(
        request,
        "assessments/assessment.html",
        {
            "case": access.case,
            "access": access,
            "assessment": assessment,
            "narrative": narrative,
            "sections": sections,
            "label": forms.assessment_label(assessment),
        },
    )


# --- Markers of progress -------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def markers_rate(
    request: AuthenticatedRequest, case_id: str, kind: str, subject_id: str
) -> HttpResponse:
    access = access_case(request.user, case_id, write=True)
    case = access.case
    subject: Any
    if kind == "child":
        subject = get_object_or_404(_children(access), pk=subject_id)
    elif kind == "caregiver":
        subject = get_object_or_404(_caregivers(access), pk=subject_id)
    else:
        raise Http404("No such person")
    form = forms.MarkersForm(
        form_data(request), for_child=kind == "child", initial={"rated_on": case.site.today()}
    )
    who = {"child": subject} if kind == "child" else {"caregiver": subject}
    return form_page(
        request,
        form=form,
        save=lambda: services.markers_rate(
            actor=request.user, case=case, request=request, **who, **form.service_kwargs()
        ),
        done=lambda ratings: plan_url(case.pk, "markers"),
        title=f"Markers of progress: {subject}",
        intro="The team's view today. Disclosure of needs and problems is a sign of progress.",
        submit="Save the ratings",
        case=case,
        cancel=plan_url(case.pk, "markers"),
        success="The ratings are saved.",
    )


# --- Consents ------------------------------------------------------------------------------


def _consent_reader(request: AuthenticatedRequest, case_id: str, *, write: bool) -> CaseAccess:
    access = require(access_case(request.user, case_id, write=write), "can_read_consents")
    return access


@require_GET
def consent_list(request: AuthenticatedRequest, case_id: str) -> HttpResponse:
    access = _consent_reader(request, case_id, write=False)
    today = access.case.site.today()
    consents = list(
        case_records(access, "consent")
        .select_related("person", "recorded_by", "confirmed_by")
        .order_by("-granted_on", "id")
    )
    # A release of Part 2 records is itself Part 2 detail (that the parent is in treatment):
    # it is listed to the coordinator and site admins, who record them, and to the roles it
    # names, with the redisclosure notice.
    recorder = _may_record_part2(request.user, access)
    consents = [
        c for c in consents if not c.is_part2 or recorder or c.recipient_role in access.roles
    ]
    audit_log(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        record=access.case,
        request=request,
        detail={"page": "consents"},
    )
    return render(
        request,
        "assessments/consents.html",
        {
            "case": access.case,
            "access": access,
            "rows": [(c, c.is_in_force(today)) for c in consents],
            "confirmer": recorder,
            "part2_notice": PART2_REDISCLOSURE_NOTICE if any(c.is_part2 for c in consents) else "",
            **documents_context(access),  # the signed releases, each under its release
        },
    )


def _may_record_part2(user, access: CaseAccess) -> bool:
    return bool(site_roles(user, access.case.site_id) & services.PART2_RECORDERS)


@require_http_methods(["GET", "POST"])
def consent_create(request: AuthenticatedRequest, case_id: str) -> HttpResponse:
    access = _consent_reader(request, case_id, write=True)
    case = access.case
    form = forms.ConsentForm(
        form_data(request),
        people=case.people.order_by("kind", "given_name", "id"),
        part2=_may_record_part2(request.user, access),
        initial={"granted_on": case.site.today()},
    )
    return form_page(
        request,
        form=form,
        save=lambda: services.consent_record(
            actor=request.user, case=case, request=request, **form.cleaned_data
        ),
        done=lambda c: reverse("consent-list", args=[case.pk]),
        title="Record a release of information",
        intro="Who agreed to share what, with whom, and until when. Substance-use treatment "
        "records (42 CFR Part 2) are shown only to the roles a release in force covers, and "
        "only the records of the person who signed it. The Community Coordinator and the site "
        "admins are told when one is recorded.",
        submit="Save the release",
        case=case,
        cancel=reverse("consent-list", args=[case.pk]),
        success="The release is saved.",
    )


@require_http_methods(["GET", "POST"])
def consent_revoke(request: AuthenticatedRequest, case_id: str, consent_id: str) -> HttpResponse:
    access = _consent_reader(request, case_id, write=True)
    case = access.case
    consent = get_object_or_404(
        case_records(access, "consent").select_related("person"), pk=consent_id
    )
    consent.case = case
    if consent.is_part2 and not _may_record_part2(request.user, access):
        raise Http404("No such release")  # not listed to them either
    form = forms.ConsentRevokeForm(form_data(request), initial={"revoked_on": case.site.today()})
    return form_page(
        request,
        form=form,
        save=lambda: services.consent_revoke(
            actor=request.user, consent=consent, request=request, **form.cleaned_data
        ),
        done=lambda c: reverse("consent-list", args=[case.pk]),
        title=f"Revoke {consent.person}'s release",
        intro=f"{consent.get_category_display()}, shared with "
        f"{consent.get_recipient_role_display()}. From this day on it no longer applies.",
        submit="Revoke the release",
        case=case,
        cancel=reverse("consent-list", args=[case.pk]),
        success="The release is revoked.",
    )


@require_http_methods(["GET", "POST"])
def consent_confirm(request: AuthenticatedRequest, case_id: str, consent_id: str) -> HttpResponse:
    """A second coordinator or site admin puts in force a release of Part 2 records that opens
    a role its recorder holds (`assessments.services.consent_confirm` keeps the rule)."""
    access = _consent_reader(request, case_id, write=True)
    if not _may_record_part2(request.user, access):
        raise PermissionDenied(
            "A Community Coordinator or a site admin confirms a release of substance-use "
            "treatment records."
        )
    case = access.case
    consent = get_object_or_404(
        case_records(access, "consent").select_related("person", "recorded_by"), pk=consent_id
    )
    consent.case = case
    recorder = str(consent.recorded_by) if consent.recorded_by else "Someone"
    until = f" until {consent.expires_on:%-d %b %Y}" if consent.expires_on else ""
    return form_page(
        request,
        form=forms.ConfirmForm(form_data(request)),
        save=lambda: services.consent_confirm(actor=request.user, consent=consent, request=request),
        done=lambda c: reverse("consent-list", args=[case.pk]),
        title=f"Confirm {consent.person}'s release",
        intro=f"{consent.get_category_display()}, shared with "
        f"{consent.get_recipient_role_display()} from {consent.granted_on:%-d %b %Y}{until}. "
        f"{recorder} recorded it and holds that role, so it "
        "is in force only once a second coordinator or site admin has seen the signed release "
        "and confirms it.",
        submit="Confirm the release",
        case=case,
        cancel=reverse("consent-list", args=[case.pk]),
        success="The release is confirmed and in force.",
    )
