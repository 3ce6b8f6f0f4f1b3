"""The pages of ICWA and relatives' notice, reached from the case page's "ICWA and relatives"
section: a tribe's notice (new, edited), a relative's notice of the removal, and the court's
active-efforts finding at a held hearing.

Each reaches the case through `access_case(..., write=True)` or its record through
`access_record(..., write=True, in_case=...)`: outsiders get a 404, read-only roles a 403,
parents (whose pages these are not) a 403. Every change goes through a service, audited.
"""

from typing import Any

from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from cases import services as case_services
from cases.access import access_case, access_record
from cases.hearings import services as hearing_services
from cases.icwa import forms, services
from cases.icwa.selectors import ICWA_CONCERNED, RELATIVE_NOTICE_DAYS
from cases.models import Person
from safebabies.identity.http import AuthenticatedRequest
from safebabies.kit.views import form_data, form_page


def _icwa_url(case_id: str) -> str:
    return reverse("case-detail", args=[case_id]) + "#icwa"


@require_http_methods(["GET", "POST"])
def tribe_notice_add(request: AuthenticatedRequest, case_id: str) -> HttpResponse:
    access = access_case(request.user, case_id, write=True)
    case = access.case
    children = case.children.exclude(icwa="does_not_apply").order_by("birth_date", "id")
    initial: dict[str, Any] = {}
    concerned = [c for c in children if c.icwa in ICWA_CONCERNED]
    if concerned:
        initial["child"] = concerned[0]
    form = forms.TribeNoticeForm(form_data(request), children=children, initial=initial)
    return form_page(
        request,
        form=form,
        save=lambda: services.tribe_notice_record(
            actor=request.user, request=request, **form.service_kwargs()
        ),
        done=lambda notice: _icwa_url(case.pk),
        title=f"Add a tribe to notify: {case}",
        intro="ICWA: a tribe the child is or may be a member of, or eligible for membership "
        "of. Record the day the notice was sent, and the tribe's answer when it comes.",
        submit="Add the tribe",
        case=case,
        success="The tribe is recorded.",
    )


@require_http_methods(["GET", "POST"])
def tribe_notice_edit(request: AuthenticatedRequest, case_id: str, notice_id: str) -> HttpResponse:
    access, notice = access_record(
        request.user, "tribe_notice", notice_id, write=True, in_case=case_id
    )
    notice.child.case = access.case
    form = forms.TribeNoticeForm(form_data(request), children=None, notice=notice)
    return form_page(
        request,
        form=form,
        save=lambda: services.tribe_notice_update(
            actor=request.user, notice=notice, request=request, **form.service_kwargs()
        ),
        done=lambda notice: _icwa_url(case_id),
        title=f"Notice to {notice.tribe} for {notice.child}",
        submit="Save",
        case=access.case,
        success="The notice is saved.",
    )


@require_http_methods(["GET", "POST"])
def relative_notified(request: AuthenticatedRequest, case_id: str, person_id: str) -> HttpResponse:
    access, person = access_record(request.user, "person", person_id, write=True, in_case=case_id)
    person.case = access.case
    form = forms.RelativeNoticeForm(
        form_data(request),
        initial={"notified_on": person.notified_on or access.case.site.today()},
    )
    intro = (
        f"A relative is told of a child's removal within {RELATIVE_NOTICE_DAYS} days of it."
        if person.kind == Person.Kind.RELATIVE
        else "The notice of a removal is recorded for a relative only."
    )
    return form_page(
        request,
        form=form,
        save=lambda: case_services.person_update(
            actor=request.user,
            person=person,
            request=request,
            notified_on=form.cleaned_data["notified_on"],
        ),
        done=lambda person: _icwa_url(case_id),
        title=f"Notice of the removal to {person}",
        intro=intro,
        submit="Save the notice",
        case=access.case,
        success=f"{person.given_name}'s notice is recorded.",
    )


@require_http_methods(["GET", "POST"])
def hearing_active_efforts(
    request: AuthenticatedRequest, case_id: str, hearing_id: str
) -> HttpResponse:
    access, hearing = access_record(
        request.user, "hearing", hearing_id, write=True, in_case=case_id
    )
    form = forms.ActiveEffortsForm(
        form_data(request), initial={"active_efforts": hearing.active_efforts}
    )
    return form_page(
        request,
        form=form,
        save=lambda: hearing_services.hearing_active_efforts_record(
            actor=request.user,
            hearing=hearing,
            request=request,
            active_efforts=form.cleaned_data["active_efforts"],
        ),
        done=lambda hearing: _icwa_url(case_id),
        title=f"ICWA active-efforts finding: {hearing}",
        intro="Where ICWA applies or there is reason to know, the court finds at each hearing "
        "whether active efforts were made to keep the Indian family together.",
        submit="Save the finding",
        case=access.case,
        success="The finding is recorded.",
    )
