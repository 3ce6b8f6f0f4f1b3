"""Hearing pages: the pre-hearing summary, scheduling, outcomes and orders.

Reads go through `cases.hearings.selectors` (outsiders 404, read-only roles 403 on writes);
writes through `cases.hearings.services`.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.access import (
    CaseAccess,
    access_case,
    access_hearing,
    access_hearing_order,
    access_summary,
    require,
)
from cases.hearings import forms, services
from cases.hearings.summary import hearing_summary
from cases.models import Hearing
from safebabies.audit.models import AuditEvent
from safebabies.audit.services import audit_log
from safebabies.identity.http import AuthenticatedRequest
from safebabies.identity.models import User
from safebabies.identity.roles import Role
from safebabies.kit.views import form_data, form_page


def _hearings_url(case_id: str) -> str:
    return reverse("case-detail", args=[case_id]) + "#hearings"


def _hearing_of(
    request: AuthenticatedRequest, case_id: str, hearing_id: str, *, write: bool = False
) -> tuple[CaseAccess, Hearing]:
    access, hearing = access_hearing(request.user, hearing_id, write=write, in_case=case_id)
    return access, hearing


@require_GET
def hearing_summary_page(request: AuthenticatedRequest, case_id: str, hearing_id: str):
    """The judge's pre-hearing summary, on screen; the PDF is the API's `?format=pdf`."""
    access, hearing = access_summary(request.user, hearing_id, in_case=case_id)
    summary = hearing_summary(access, hearing)
    audit_log(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        record=hearing,
        case_id=access.case.pk,
        site_id=access.case.site_id,
        detail={"summary": True, "format": "html"},
        request=request,
    )
    return render(
        request,
        "hearings/summary.html",
        {"s": summary, "case": access.case, "access": access, "hearing": hearing},
    )


def _judges(access: CaseAccess):
    return User.objects.filter(
        memberships__site_id=access.case.site_id, memberships__role=Role.JUDGE, is_active=True
    ).order_by("full_name", "email")


@require_http_methods(["GET", "POST"])
def hearing_schedule(request: AuthenticatedRequest, case_id: str) -> HttpResponse:
    access = access_case(request.user, case_id, write=True)
    case = access.case
    form = forms.HearingScheduleForm(form_data(request), judges=_judges(access))
    return form_page(
        request,
        form=form,
        save=lambda: services.hearing_schedule(
            actor=request.user, case=case, request=request, **form.cleaned_data
        ),
        done=lambda hearing: _hearings_url(case.pk),
        title="Schedule a hearing",
        submit="Schedule the hearing",
        case=case,
        success="The hearing is scheduled.",
    )


@require_http_methods(["GET", "POST"])
def hearing_outcome(request: AuthenticatedRequest, case_id: str, hearing_id: str) -> HttpResponse:
    access, hearing = _hearing_of(request, case_id, hearing_id, write=True)
    initial = {
        "status": hearing.status if hearing.status != "scheduled" else "",
        "continuance_reason": hearing.continuance_reason,
        "findings": hearing.findings,
        "reasonable_efforts": hearing.reasonable_efforts,
        "reasonable_efforts_reason": hearing.reasonable_efforts_reason,
        "permanency_goal": hearing.permanency_goal,
        "permanency_goal_approved": hearing.permanency_goal_approved,
        "attendance": hearing.attendance,
    }
    form = forms.HearingOutcomeForm(form_data(request), initial=initial)
    return form_page(
        request,
        form=form,
        save=lambda: services.hearing_record_outcome(
            actor=request.user, hearing=hearing, request=request, **form.cleaned_data
        ),
        done=lambda hearing: _hearings_url(case_id),
        title=f"Outcome of the {hearing.get_hearing_type_display().lower()} hearing",
        intro=f"Scheduled for {hearing.scheduled_on:%-d %b %Y}.",
        submit="Save the outcome",
        case=access.case,
        success="The outcome is recorded.",
    )


@require_http_methods(["GET", "POST"])
def hearing_order_add(request: AuthenticatedRequest, case_id: str, hearing_id: str) -> HttpResponse:
    access, hearing = _hearing_of(request, case_id, hearing_id, write=True)
    form = forms.HearingOrderForm(form_data(request))
    return form_page(
        request,
        form=form,
        save=lambda: services.hearing_order_add(
            actor=request.user, hearing=hearing, request=request, **form.cleaned_data
        ),
        done=lambda order: _hearings_url(case_id),
        title="Record an order",
        intro=f"{hearing.get_hearing_type_display()} hearing of {hearing.scheduled_on:%-d %b %Y}.",
        submit="Record the order",
        case=access.case,
        success="The order is recorded.",
    )


@require_http_methods(["GET", "POST"])
def court_recommendation_write(request: AuthenticatedRequest, case_id: str) -> HttpResponse:
    """The family's clinician writes a short recommendation for the court (a new one keeps
    the earlier ones)."""
    access = require(access_case(request.user, case_id), "can_write_court_recommendation")
    case = access.case
    form = forms.CourtRecommendationForm(
        form_data(request), children=case.children.order_by("birth_date", "id")
    )
    return form_page(
        request,
        form=form,
        save=lambda: services.court_recommendation_write(
            actor=request.user, case=case, request=request, **form.cleaned_data
        ),
        done=lambda recommendation: _hearings_url(case.pk),
        title="Recommendation for the court",
        intro="The judge reads it in the pre-hearing summary only while a release of "
        "information naming the court is in force. Plain words, no clinical detail the "
        "family has not agreed to share.",
        submit="Save the recommendation",
        case=case,
        success="The recommendation for the court is saved.",
    )


@require_POST
def hearing_order_status(request: AuthenticatedRequest, case_id: str, order_id: str):
    """The team updates an order's implementation status from the case page."""
    order = access_hearing_order(request.user, order_id, write=True, in_case=case_id).record
    form = forms.HearingOrderStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose not started, in progress or done."))
        return redirect(_hearings_url(case_id))
    try:
        services.hearing_order_set_status(
            actor=request.user, order=order, status=form.cleaned_data["status"], request=request
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The order's status is saved."))
    return redirect(_hearings_url(case_id))
