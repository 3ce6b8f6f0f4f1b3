"""The family team page (`/cases/<case_id>/team/`, linked from the case page): who is on the
family's team and how to reach them, the places that ended, and the people of the case.

Everyone who may see the case as a professional reads it (`access_case`: outsiders 404, a
parent 403: their own page names their coordinator and parent mentor). The Community
Coordinator and site admins change the team (`can_manage_team`: add a site member in a role
they hold at the site, end a place; `cases.services.team_member_add` holds the rule, the API
uses the same); those who write the case add the parent's own people (`can_write`). Each
change is audited by its service; each view of the page is audited.
"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import services
from cases.access import access_case, case_records, require
from cases.team import forms
from cases.team.selectors import members_to_add, team_page, team_roles_of
from safebabies.audit.models import AuditEvent
from safebabies.audit.services import audit_log
from safebabies.identity.http import AuthenticatedRequest
from safebabies.kit.views import form_data, form_page


def _team_url(case_id: str, anchor: str = "") -> str:
    return reverse("case-team", args=[case_id]) + (f"#{anchor}" if anchor else "")


@require_GET
def case_team(request: AuthenticatedRequest, case_id: str) -> HttpResponse:
    access = access_case(request.user, case_id)
    audit_log(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        record=access.case,
        detail={"page": "team"},
        request=request,
    )
    return render(
        request,
        "cases/team.html",
        {"case": access.case, "access": access, "page": team_page(access)},
    )


@require_http_methods(["GET", "POST"])
def team_member_add(request: AuthenticatedRequest, case_id: str) -> HttpResponse:
    access = require(access_case(request.user, case_id), "can_manage_team")
    case = access.case
    members = list(members_to_add(access))
    form = forms.TeamMemberAddForm(
        form_data(request), members=members, roles_held=team_roles_of(members, case.site_id)
    )
    return form_page(
        request,
        form=form,
        save=lambda: services.team_member_add(
            actor=request.user, case=case, request=request, **form.cleaned_data
        ),
        done=lambda result: _team_url(case.pk, "team"),
        title=f"Add someone to {case}'s team",
        intro="A member of the site, in a role they hold at the site. A parent gets their "
        "own view from the case page (Invite to their own view).",
        submit="Add to the team",
        case=case,
        cancel=_team_url(case.pk),
        success="They are on the family's team.",
    )


@require_POST
def team_member_end(request: AuthenticatedRequest, case_id: str, member_id: int) -> HttpResponse:
    access = require(access_case(request.user, case_id), "can_manage_team")
    member = get_object_or_404(
        case_records(access, "team_member").select_related("user"), pk=member_id
    )
    if member.removed_at is None:
        services.team_member_remove(actor=request.user, member=member, request=request)
        messages.success(
            request, f"{member.user}'s place on the team as {member.get_role_display()} has ended."
        )
    return redirect(_team_url(case_id, "team"))


@require_http_methods(["GET", "POST"])
def team_person_add(request: AuthenticatedRequest, case_id: str) -> HttpResponse:
    access = access_case(request.user, case_id, write=True)
    case = access.case
    form = forms.FamilyPersonForm(
        form_data(request), children=case.children.order_by("birth_date", "id")
    )
    return form_page(
        request,
        form=form,
        save=lambda: services.person_create(
            actor=request.user, case=case, request=request, **form.service_kwargs()
        ),
        done=lambda person: _team_url(case.pk, f"person-{person.pk}"),
        title=f"Add one of the family's own people: {case}",
        intro="A relative, a family friend who is like family (fictive kin) or another support "
        "the parent names. They become people of the case; they do not sign in.",
        submit="Add the person",
        case=case,
        cancel=_team_url(case.pk),
        success="The person is added.",
    )
