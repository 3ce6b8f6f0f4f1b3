"""Family-time pages: a family's family time (plans, the weekly chart, this week's visits to
log) and the forms that change it. Reads go through `access_case`; writes through
`familytime.services`."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.access import (
    VISIT_LOG_MESSAGE,
    CaseAccess,
    access_case,
    access_visit,
    case_records,
    may_log_visit,
)
from cases.models import Case, Child, Person
from familytime import services
from familytime.charts import weekly_chart
from familytime.forms import FamilyTimePlanForm, VisitLogForm
from familytime.selectors import case_family_time, visits_between, week_of
from safebabies import codes
from safebabies.audit.models import AuditEvent
from safebabies.audit.services import audit_log
from safebabies.identity.http import AuthenticatedRequest
from safebabies.kit.forms import add_service_errors


def family_time_context(
    access: CaseAccess, today: dt.date, children: list[Child] | None = None
) -> list[dict[str, Any]]:
    """The "at a glance" part for each child of the case (the case page uses it too, with the
    children it has already loaded)."""
    case = access.case
    if children is None:
        children = list(case.children.order_by("birth_date", "id"))
    for child in children:
        child.case = case
    return [{"ft": ft, "chart": weekly_chart(ft.weeks)} for ft in case_family_time(children, today)]


def _week(request: AuthenticatedRequest, today: dt.date) -> dt.date:
    try:
        day = dt.date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        day = today
    return week_of(day)[0]


def _page_url(case: Case, monday: dt.date | None = None, anchor: str = "") -> str:
    url = reverse("family-time", args=[case.pk])
    if monday is not None:
        url += f"?week={monday:%Y-%m-%d}"
    return url + (f"#{anchor}" if anchor else "")


@require_GET
def family_time(request: AuthenticatedRequest, case_id: str) -> HttpResponse:
    access = access_case(request.user, case_id)
    case = access.case
    audit_log(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        record_type="familytime.visit",
        case_id=case.pk,
        site_id=case.site_id,
        detail={"page": "family-time"},
        request=request,
    )
    today = case.site.today()
    monday = _week(request, today)
    visits = list(visits_between(case, monday, monday + dt.timedelta(days=6)))
    for visit in visits:
        # a writer logs every visit; a GAL / CASA volunteer the family time they supervise
        visit.loggable = may_log_visit(access, visit, ["status"])  # type: ignore[attr-defined]
    context = {
        "case": case,
        "access": access,
        "today": today,
        "glance": family_time_context(access, today),
        "monday": monday,
        "sunday": monday + dt.timedelta(days=6),
        "previous_week": monday - dt.timedelta(days=7),
        "next_week": monday + dt.timedelta(days=7),
        "this_week": week_of(today)[0],
        "visits": visits,
        "cancelled_by": codes.CancelledBy.choices,
    }
    return render(request, "familytime/page.html", context)


@require_POST
def visit_log(request: AuthenticatedRequest, case_id: str, visit_id: str) -> HttpResponse:
    """One tap from the week's list: held, cancelled (by whom) or no-show, with an optional
    duration and observations."""
    access, visit = access_visit(
        request.user, visit_id, in_case=case_id, need=["can_log_supervised_family_time"]
    )
    case = access.case
    if not may_log_visit(access, visit, ["status"]):
        raise PermissionDenied(VISIT_LOG_MESSAGE)
    form = VisitLogForm(request.POST)
    back = _page_url(case, week_of(visit.scheduled_on)[0], f"visit-{visit.pk}")
    if not form.is_valid():
        for field, field_errors in form.errors.items():
            text = " ".join(str(error) for error in field_errors)
            messages.error(request, f"{form.fields[field].label or field}: {text}")
        return redirect(back)
    before = visit.get_status_display().lower()
    was_logged = visit.status != codes.VisitStatus.SCHEDULED
    try:
        services.visit_log(
            actor=request.user,
            visit=visit,
            case=case,
            request=request,
            supervisor=None if access.can_write else request.user,
            **form.service_kwargs(with_observations=access.can_see_visit_observations),
        )
    except ValidationError as exc:
        for field, messages_of_field in exc.message_dict.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label or 'Visit'}: {' '.join(messages_of_field)}")
        return redirect(back)
    day = f"{visit.scheduled_on:%A %-d %b}"
    now = visit.get_status_display().lower()
    outcome = f"changed from {before} to {now}" if was_logged and before != now else now
    messages.success(
        request, f"{visit.child.given_name or 'The child'}'s family time on {day}: {outcome}."
    )
    return redirect(back)


@require_http_methods(["GET", "POST"])
def plan_set(request: AuthenticatedRequest, case_id: str, child_id: str) -> HttpResponse:
    access = access_case(request.user, case_id, write=True)
    case = access.case
    child: Child = get_object_or_404(case.children.all(), pk=child_id)
    child.case = case
    parents = (
        case_records(access, "person").filter(kind=Person.Kind.PARENT).order_by("given_name", "id")
    )
    current = child.family_time_plans.order_by("-effective_from", "-created_at").first()
    today = case.site.today()
    initial: dict[str, Any] = {
        "effective_from": today,
        "visits_per_week": case.site.family_time_target_per_week,
        "supervision": codes.Supervision.SUPERVISED,
    }
    if current is not None:
        initial.update(
            {
                name: getattr(current, name)
                for name in (
                    "visits_per_week",
                    "supervision",
                    "location",
                    "weekdays",
                    "starts_at",
                    "ends_at",
                    "supervised_by",
                    "transported_by",
                    "parent",
                )
            }
        )
    form = FamilyTimePlanForm(
        request.POST if request.method == "POST" else None, initial=initial, parents=parents
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.family_time_plan_set(
                actor=request.user, child=child, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, f"{child.given_name or 'The child'}'s family-time plan is saved."
            )
            return redirect(_page_url(case))
    return render(
        request,
        "cases/form.html",
        {
            "form": form,
            "title": f"Family-time plan for {child}",
            "intro": "Frequent family time in natural settings, with supervision that steps "
            "down as the parent progresses. A change adds a new plan from the date you give; "
            "the visits already on the calendar from today on follow it.",
            "submit": "Save the plan",
            "case": case,
            "cancel_url": _page_url(case),
        },
    )
