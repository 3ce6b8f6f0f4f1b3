"""Case pages: the list, the case page and the forms that change a family's record.

Every view reaches the case through `access_case` / `cases_visible_to` (outsiders get a 404,
read-only roles a 403 on the forms) and every change goes through `cases.services`.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from assessments.selectors import case_plan
from cases import forms, services
from cases import selectors as pages
from cases.access import CaseAccess, access_case
from cases.care.forms import PlacementChangeForm
from cases.care.selectors import care_context
from cases.closing.selectors import closing_context
from cases.documents.views import documents_context
from cases.hearings.selectors import case_page_context as hearings_context
from cases.icwa.selectors import icwa_context
from cases.models import Child, Placement
from familytime.views import family_time_context
from safebabies.audit.models import AuditEvent
from safebabies.audit.services import audit_log
from safebabies.identity.http import AuthenticatedRequest
from safebabies.identity.models import Site
from safebabies.identity.roles import CASE_WRITE_ROLES
from safebabies.identity.selectors import is_aggregate_only, roles_of
from safebabies.kit.views import form_data, form_page

PAGE_SIZE = 25
STATUS_CHOICES = [("open", "Open"), ("closed", "Closed"), ("all", "All")]


@require_GET
def case_list(request: AuthenticatedRequest) -> HttpResponse:
    """Find a family: search by family, child or person name, or docket number; filter by
    open/closed, site and "my families"."""
    user = request.user
    if is_aggregate_only(user):
        # no family to find for the Site Implementation Team or national staff: the page says
        # so and leads to their pages, the program dashboards (not a list of "0 families")
        return render(request, "cases/aggregate_only.html")
    sites = pages.sites_with_cases(user)
    today = pages.earliest_today(sites)
    q = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "open")
    if status not in dict(STATUS_CHOICES):
        status = "open"
    site_id = None
    site_param = request.GET.get("site", "")
    if len(sites) > 1 and site_param.isdigit() and int(site_param) in {s.pk for s in sites}:
        site_id = int(site_param)
    mine = request.GET.get("mine") == "1"
    cases = pages.case_list(user, today=today, q=q, status=status, site_id=site_id, mine=mine)
    if q:
        services.audit_case_search(
            user, q, [site_id] if site_id else [s.pk for s in sites], request
        )
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "rows": [(case, pages.child_summaries(case, today)) for case in page.object_list],
        "q": q,
        "status": status,
        "status_choices": STATUS_CHOICES,
        "sites": sites,
        "site_id": site_id,
        "mine": mine,
        "can_create": bool(_writing_site_ids(user)),
        "filtered": bool(q or mine or site_id or status != "open"),
    }
    template = "cases/list.html"
    if request.headers.get("X-Requested-With") == "fetch":
        template = "cases/list.html#results"  # the live search replaces the results only
    return render(request, template, context)


@require_GET
def case_detail(request: AuthenticatedRequest, case_id: str) -> HttpResponse:
    """The family at a glance: children, placements, plans, people, team, what comes next."""
    access = access_case(request.user, case_id)
    audit_log(
        actor=request.user, action=AuditEvent.Action.VIEW, record=access.case, request=request
    )
    page = pages.case_page(access, access.case.site.today())
    plan = case_plan(  # issue 4: screenings due, services, goals, markers
        access,
        page.today,
        children=[cv.child for cv in page.children],
        removals={cv.child.pk: cv.episode for cv in page.children if cv.episode},
        with_assessments=False,
    )
    context = {"page": page, "case": access.case, "access": access, "plan": plan}
    context["family_time"] = family_time_context(
        access, page.today, [view.child for view in page.children]
    )
    context.update(hearings_context(access, [view.child for view in page.children]))
    context.update(care_context(access, [view.child for view in page.children]))
    in_care = sum(1 for view in page.children if view.episode is not None)
    context.update(closing_context(access, in_care))
    context.update(documents_context(access))
    context.update(icwa_context(access, page.today, [view.child for view in page.children]))
    return render(request, "cases/detail.html", context)


# --- Forms ---------------------------------------------------------------------------------


def _writing_site_ids(user) -> list[int]:
    return [site for site, held in roles_of(user).items() if held & CASE_WRITE_ROLES]


def _case_url(case_id: str, anchor: str = "") -> str:
    return reverse("case-detail", args=[case_id]) + (f"#{anchor}" if anchor else "")


@require_http_methods(["GET", "POST"])
def case_create(request: AuthenticatedRequest) -> HttpResponse:
    site_ids = _writing_site_ids(request.user)
    if not site_ids:
        raise PermissionDenied("Your role can read families' records but not open a case.")
    sites = Site.objects.filter(id__in=site_ids).order_by("name")
    form = forms.CaseCreateForm(form_data(request), sites=sites)
    return form_page(
        request,
        form=form,
        save=lambda: services.case_create(
            actor=request.user, request=request, **form.service_kwargs()
        ),
        done=lambda case: _case_url(case.pk),
        title="Welcome a new family",
        intro="A family's case starts with their first child. You can add brothers and sisters, "
        "parents, resource parents and relatives on the next page.",
        submit="Open the case",
        success="The family's case is open.",
    )


@require_http_methods(["GET", "POST"])
def case_edit(request: AuthenticatedRequest, case_id: str) -> HttpResponse:
    access = access_case(request.user, case_id, write=True)
    case = access.case
    form = forms.CaseForm(form_data(request), case=case)
    return form_page(
        request,
        form=form,
        save=lambda: services.case_update(
            actor=request.user, case=case, request=request, **form.cleaned_data
        ),
        done=lambda case: _case_url(case.pk),
        title=f"Edit {case}",
        submit="Save",
        case=case,
        success="The case is saved.",
    )


def _child(access: CaseAccess, child_id: str) -> Child:
    return get_object_or_404(access.case.children.all(), pk=child_id)


@require_http_methods(["GET", "POST"])
def child_create(request: AuthenticatedRequest, case_id: str) -> HttpResponse:
    access = access_case(request.user, case_id, write=True)
    case = access.case
    form = forms.ChildCreateForm(
        form_data(request),
        initial={"enrolled_on": case.site.today()},
        people=case.people.order_by("kind", "given_name", "id"),
    )
    return form_page(
        request,
        form=form,
        save=lambda: services.child_create(
            actor=request.user, case=case, request=request, **form.cleaned_data
        ),
        done=lambda child: _case_url(case.pk, f"child-{child.pk}"),
        title=f"Add a child to {case}",
        submit="Add the child",
        case=case,
        success="The child is added to the family's case.",
    )


@require_http_methods(["GET", "POST"])
def child_edit(request: AuthenticatedRequest, case_id: str, child_id: str) -> HttpResponse:
    access = access_case(request.user, case_id, write=True)
    child = _child(access, child_id)
    form = forms.ChildEditForm(form_data(request), child=child)
    return form_page(
        request,
        form=form,
        save=lambda: services.child_update(
            actor=request.user, child=child, request=request, **form.cleaned_data
        ),
        done=lambda child: _case_url(access.case.pk, f"child-{child.pk}"),
        title=f"Edit {child}",
        submit="Save",
        case=access.case,
        success=f"{child.given_name or 'The child'}'s details are saved.",
    )


@require_http_methods(["GET", "POST"])
def person_create(request: AuthenticatedRequest, case_id: str) -> HttpResponse:
    access = access_case(request.user, case_id, write=True)
    case = access.case
    form = forms.PersonForm(form_data(request), children=case.children.order_by("birth_date", "id"))
    return form_page(
        request,
        form=form,
        save=lambda: services.person_create(
            actor=request.user, case=case, request=request, **form.service_kwargs()
        ),
        done=lambda person: _case_url(case.pk, f"person-{person.pk}"),
        title=f"Add a person in {case}'s life",
        intro="A parent, a resource parent, a relative or another support.",
        submit="Add the person",
        case=case,
        success="The person is added.",
    )


@require_http_methods(["GET", "POST"])
def person_edit(request: AuthenticatedRequest, case_id: str, person_id: str) -> HttpResponse:
    access = access_case(request.user, case_id, write=True)
    case = access.case
    person = get_object_or_404(case.people.prefetch_related("relationships"), pk=person_id)
    form = forms.PersonForm(
        form_data(request), children=case.children.order_by("birth_date", "id"), person=person
    )
    return form_page(
        request,
        form=form,
        save=lambda: services.person_update(
            actor=request.user, person=person, request=request, **form.service_kwargs()
        ),
        done=lambda person: _case_url(case.pk, f"person-{person.pk}"),
        title=f"Edit {person}",
        submit="Save",
        case=case,
        success=f"{person.given_name}'s details are saved.",
    )


def _current_placement(child: Child) -> Placement | None:
    episode = child.episodes.filter(discharge_date__isnull=True).first()
    if episode is None:
        return None
    return episode.placements.filter(end_date__isnull=True).order_by("-start_date", "-id").first()


@require_http_methods(["GET", "POST"])
def placement_add(request: AuthenticatedRequest, case_id: str, child_id: str) -> HttpResponse:
    access = access_case(request.user, case_id, write=True)
    case = access.case
    child = _child(access, child_id)
    current = _current_placement(child)
    people: QuerySet = case.people.order_by("kind", "given_name", "id")
    form = PlacementChangeForm(form_data(request), people=people, current=current)
    return form_page(
        request,
        form=form,
        save=lambda: services.placement_add(
            actor=request.user, child=child, request=request, **form.service_kwargs()
        ),
        done=lambda placement: _case_url(case.pk, f"child-{child.pk}"),
        title=f"Where {child} lives now",
        intro="Placement stability matters: the first placement should be the last. "
        "Record each move here, and respite, a trial home visit or a runaway too: those are "
        "not counted as moves.",
        submit="Save the placement",
        case=case,
        success="The placement is saved.",
    )


@require_http_methods(["GET", "POST"])
def placement_end(request: AuthenticatedRequest, case_id: str, placement_id: str) -> HttpResponse:
    access = access_case(request.user, case_id, write=True)
    case = access.case
    placement = get_object_or_404(
        Placement.objects.select_related("episode__child"),  # lint-ok: limited to this case below
        pk=placement_id,
        episode__child__case=case,
    )
    placement.episode.child.case = case
    form = forms.PlacementEndForm(form_data(request))
    return form_page(
        request,
        form=form,
        save=lambda: services.placement_end(
            actor=request.user, placement=placement, request=request, **form.cleaned_data
        ),
        done=lambda placement: _case_url(case.pk, f"child-{placement.episode.child_id}"),
        title=f"End the placement of {placement.episode.child}",
        intro=f"{forms.placement_label(placement)}. For example, the day the child goes home.",
        submit="End the placement",
        case=case,
        success="The placement has ended.",
    )


@require_http_methods(["GET", "POST"])
def permanency_plan_change(
    request: AuthenticatedRequest, case_id: str, child_id: str
) -> HttpResponse:
    access = access_case(request.user, case_id, write=True)
    child = _child(access, child_id)
    current = child.permanency_plans.order_by("-effective_date", "-created_at").first()
    initial: dict[str, Any] = {"effective_date": access.case.site.today()}
    if current is not None:
        initial.update(primary_goal=current.primary_goal, concurrent_goal=current.concurrent_goal)
    form = forms.PermanencyPlanForm(form_data(request), initial=initial)
    return form_page(
        request,
        form=form,
        save=lambda: services.permanency_plan_change(
            actor=request.user, child=child, request=request, **form.cleaned_data
        ),
        done=lambda plan: _case_url(access.case.pk, f"child-{child.pk}"),
        title=f"Change {child}'s permanency plan",
        intro="The plan history is kept: this adds a new plan from the date you give.",
        submit="Save the new plan",
        case=access.case,
        success="The new permanency plan is saved.",
    )
