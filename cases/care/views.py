"""The pages of a child's time in care: a removal (one child, a re-entry, or brothers and
sisters together), a discharge and its undo, maltreatment reports.

Each reaches the case through `access_case(..., write=True)` or its record through
`access_record` (outsiders get a 404, read-only roles a 403): the rights the API writes these
records with. Every change goes through `cases.services`.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from cases import services
from cases.access import access_case, access_record
from cases.care import forms
from safebabies.identity.http import AuthenticatedRequest
from safebabies.kit.views import form_data, form_page


def _case_url(case_id: str, anchor: str = "") -> str:
    return reverse("case-detail", args=[case_id]) + (f"#{anchor}" if anchor else "")


@require_http_methods(["GET", "POST"])
def removal_add(request: AuthenticatedRequest, case_id: str) -> HttpResponse:
    """A removal: of a child who is not in care now (a first removal or a re-entry), or of
    brothers and sisters together (`?child=` ticks a child)."""
    access = access_case(request.user, case_id, write=True)
    case = access.case
    children = case.children.order_by("birth_date", "id")
    initial = {"removal_date": case.site.today()}
    chosen = request.GET.get("child")
    if chosen:
        initial["children"] = [get_object_or_404(children, pk=chosen)]
    form = forms.RemovalForm(
        form_data(request),
        children=children,
        people=case.people.order_by("kind", "given_name", "id"),
        initial=initial,
    )
    return form_page(
        request,
        form=form,
        save=lambda: services.removal_record(
            actor=request.user, request=request, **form.service_kwargs()
        ),
        done=lambda episodes: _case_url(case.pk, "time-in-care"),
        title=f"Record a removal in {case}",
        intro="A child who was in care before and comes back is recorded here too: it is a "
        "new removal (a re-entry).",
        submit="Record the removal",
        case=case,
        success="The removal is recorded.",
    )


@require_http_methods(["GET", "POST"])
def discharge(request: AuthenticatedRequest, case_id: str, episode_id: str) -> HttpResponse:
    access, episode = access_record(
        request.user, "episode", episode_id, write=True, in_case=case_id
    )
    episode.child.case = access.case
    form = forms.DischargeForm(
        form_data(request), initial={"discharge_date": access.case.site.today()}
    )
    child = episode.child
    return form_page(
        request,
        form=form,
        save=lambda: services.episode_discharge(
            actor=request.user, episode=episode, request=request, **form.cleaned_data
        ),
        done=lambda episode: _case_url(case_id, "time-in-care"),
        title=f"{child} leaves care",
        intro=f"In care since {episode.removal_date:%-d %b %Y}. The current placement ends "
        "the same day. A discharge recorded by mistake can be undone the same day.",
        submit="Record the discharge",
        case=access.case,
        success=f"{child.given_name or 'The child'}'s discharge is recorded.",
    )


@require_POST
def discharge_undo(request: AuthenticatedRequest, case_id: str, episode_id: str) -> HttpResponse:
    access, episode = access_record(
        request.user, "episode", episode_id, write=True, in_case=case_id
    )
    episode.child.case = access.case
    try:
        services.episode_discharge_undo(actor=request.user, episode=episode, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The discharge is undone: the child is in care again."))
    return redirect(_case_url(case_id, "time-in-care"))


@require_http_methods(["GET", "POST"])
def maltreatment_report_add(
    request: AuthenticatedRequest, case_id: str, child_id: str
) -> HttpResponse:
    access = access_case(request.user, case_id, write=True)
    child = get_object_or_404(access.case.children.all(), pk=child_id)
    form = forms.MaltreatmentReportForm(form_data(request))
    return form_page(
        request,
        form=form,
        save=lambda: services.maltreatment_report_record(
            actor=request.user, child=child, request=request, **form.cleaned_data
        ),
        done=lambda report: _case_url(case_id, "time-in-care"),
        title=f"A maltreatment report about {child}",
        intro="Recurrence within 12 months is counted from the substantiated and indicated "
        "reports.",
        submit="Save the report",
        case=access.case,
        success="The report is saved.",
    )


@require_http_methods(["GET", "POST"])
def maltreatment_report_edit(
    request: AuthenticatedRequest, case_id: str, report_id: str
) -> HttpResponse:
    access, report = access_record(
        request.user, "maltreatment_report", report_id, write=True, in_case=case_id
    )
    report.child.case = access.case
    form = forms.MaltreatmentReportForm(form_data(request), report=report)
    return form_page(
        request,
        form=form,
        save=lambda: services.maltreatment_report_update(
            actor=request.user, report=report, request=request, **form.cleaned_data
        ),
        done=lambda report: _case_url(case_id, "time-in-care"),
        title=f"Correct the maltreatment report about {report.child}",
        intro="For example, a report that is later substantiated.",
        submit="Save",
        case=access.case,
        success="The report is saved.",
    )
