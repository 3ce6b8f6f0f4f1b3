"""Pages of closing, reopening and transferring a case, and of retention (seal, purge).

Cases are reached through `access_case` with the right each page needs (`can_close_case`: the
site's Community Coordinators and admins; `can_seal_case`: its admins); transfers through
`access_transfer` (the receiving site reads a summary only until it accepts); the retention
page through `access_site` (the site's admins). Every change goes through
`cases.closing.services`.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.access import (
    access_case,
    access_transfer,
    case_record,
    require,
    transfer_summaries,
    transfers_visible_to,
)
from cases.closing import forms, services
from cases.closing import selectors as closing
from cases.models import CaseTransfer
from safebabies.audit.models import AuditEvent
from safebabies.audit.services import audit_log
from safebabies.identity.http import AuthenticatedRequest
from safebabies.identity.models import Site
from safebabies.identity.roles import Role
from safebabies.identity.selectors import access_site
from safebabies.kit.views import form_data, form_page


def _case_url(case_id: str) -> str:
    return reverse("case-detail", args=[case_id]) + "#closing"


@require_http_methods(["GET", "POST"])
def case_close(request: AuthenticatedRequest, case_id: str):
    access = require(access_case(request.user, case_id), "can_close_case")
    case = access.case
    form = forms.CloseForm(
        form_data(request),
        children_in_care=services.children_in_care(case),
        initial={"closed_on": case.site.today()},
    )
    return form_page(
        request,
        form=form,
        save=lambda: services.case_close(
            actor=request.user, case=case, request=request, **form.service_kwargs()
        ),
        done=lambda closure: _case_url(case.pk),
        title=f"Close {case}",
        intro="Closing stops the family's reminders. Every child should have left care "
        "(a discharge date on their timeline); for a child still in care, say why.",
        submit="Close the case",
        case=case,
        success="The case is closed.",
    )


@require_http_methods(["GET", "POST"])
def case_reopen(request: AuthenticatedRequest, case_id: str):
    access = require(access_case(request.user, case_id), "can_close_case")
    case = access.case
    form = forms.ReasonForm(form_data(request), label=_("Why the case reopens"))
    return form_page(
        request,
        form=form,
        save=lambda: services.case_reopen(
            actor=request.user, case=case, reason=form.cleaned_data["reason"], request=request
        ),
        done=lambda case: _case_url(case.pk),
        title=f"Reopen {case}",
        intro="The closing stays in the case's history, with your reason for reopening.",
        submit="Reopen the case",
        case=case,
        success="The case is open again.",
    )


@require_http_methods(["GET", "POST"])
def case_transfer(request: AuthenticatedRequest, case_id: str):
    access = require(access_case(request.user, case_id), "can_close_case")
    case = access.case
    sites = Site.objects.exclude(pk=case.site_id).order_by("name")
    form = forms.TransferForm(form_data(request), sites=sites)
    return form_page(
        request,
        form=form,
        save=lambda: services.transfer_request(
            actor=request.user,
            case=case,
            to_site=form.cleaned_data["to_site"],
            note=form.cleaned_data["note"],
            request=request,
        ),
        done=lambda transfer: _case_url(case.pk),
        title=f"Transfer {case} to another site",
        intro="The receiving site's Community Coordinator accepts or declines. Until then the "
        "case stays yours; once accepted it is theirs, and the family's team here ends.",
        submit="Ask the site to take the case",
        case=case,
        success="The transfer is asked: the receiving site will answer.",
    )


@require_POST
def transfer_withdraw(request: AuthenticatedRequest, case_id: str, transfer_id: str):
    access = require(access_case(request.user, case_id), "can_close_case")
    transfer = case_record(access, "case_transfer", transfer_id)
    if transfer is None or transfer.decision != CaseTransfer.Decision.PENDING:
        messages.error(request, _("This transfer is not waiting for an answer any more."))
    else:
        services.transfer_withdraw(actor=request.user, transfer=transfer, request=request)
        messages.success(request, _("The transfer is withdrawn."))
    return redirect(_case_url(access.case.pk))


@require_GET
def transfer_list(request: AuthenticatedRequest):
    """The transfers sent from and to the sites the user coordinates or administers."""
    rows = transfer_summaries(request.user, transfers_visible_to(request.user))
    # the list names families (sent and received): a read of the trail like any case list
    for site_id in sorted(
        {row.transfer.to_site_id for row in rows} | {row.transfer.from_site_id for row in rows}
    ):
        audit_log(
            actor=request.user,
            action=AuditEvent.Action.LIST,
            record_type="cases.casetransfer",
            site_id=site_id,
            detail={
                "case_ids": sorted(
                    {
                        row.transfer.case_id
                        for row in rows
                        if site_id in (row.transfer.to_site_id, row.transfer.from_site_id)
                    }
                )
            },
            request=request,
        )
    waiting = [row for row in rows if row.may_decide]
    others = [row for row in rows if not row.may_decide]
    return render(request, "cases/transfers.html", {"waiting": waiting, "others": others})


@require_http_methods(["GET", "POST"])
def transfer_decide(request: AuthenticatedRequest, transfer_id: str):
    summary = access_transfer(request.user, transfer_id, decide=request.method == "POST")
    form = forms.DecideForm(form_data(request))
    if summary.may_decide and request.method == "POST" and form.is_valid():
        accept = form.cleaned_data["decision"] == "accept"
        try:
            services.transfer_decide(
                actor=request.user,
                transfer=summary.transfer,
                accept=accept,
                note=form.cleaned_data["note"],
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            if accept:
                messages.success(request, _("The case is your site's now."))
                return redirect(reverse("case-detail", args=[summary.transfer.case_id]))
            messages.success(request, _("The transfer is declined: the sending site keeps it."))
            return redirect(reverse("transfer-list"))
    if request.method == "GET":
        audit_log(
            actor=request.user,
            action=AuditEvent.Action.VIEW,
            record_type="cases.casetransfer",
            record_id=str(summary.transfer.pk),
            case_id=summary.transfer.case_id,
            site_id=summary.transfer.to_site_id,
            request=request,
        )
    return render(request, "cases/transfer_decide.html", {"summary": summary, "form": form})


@require_http_methods(["GET", "POST"])
def case_seal(request: AuthenticatedRequest, case_id: str):
    access = require(access_case(request.user, case_id), "can_seal_case")
    case = access.case
    form = forms.ConfirmForm(form_data(request))
    return form_page(
        request,
        form=form,
        save=lambda: services.case_seal(actor=request.user, case=case, request=request),
        done=lambda case: reverse("retention", args=[case.site.slug]),
        title=f"Seal {case}",
        intro="A sealed case is hidden from everyone but the site's admins: from the case "
        "list, the search, the home pages, the calendars, the API and the CQI drill-downs. "
        "Its records stay, and it still counts in the CQI figures of the years it belongs to: "
        "sealing changes no figure.",
        submit="Seal the case",
        case=case,
        success="The case is sealed.",
    )


@require_http_methods(["GET", "POST"])
def case_purge(request: AuthenticatedRequest, case_id: str):
    access = require(access_case(request.user, case_id), "can_seal_case")
    case = access.case
    form = forms.ReasonForm(form_data(request), label=_("Why the case is purged"))
    return form_page(
        request,
        form=form,
        save=lambda: services.case_purge(
            actor=request.user, case=case, reason=form.cleaned_data["reason"], request=request
        ),
        done=lambda record: reverse("retention", args=[case.site.slug]),
        title=f"Purge {case}",
        intro="Purging deletes the case and every record of it, for good: its children, "
        "people, placements, hearings, meetings, family time, screenings and plans. A purge "
        "record keeps how many rows of each kind were deleted, by whom, when and why (no "
        "name). The audit trail is kept. The CQI figures change: the years this case "
        "belonged to no longer count its children, removals, meetings or family time.",
        submit="Purge the case for good",
        case=case,
        success="The case is purged. The purge record is on the retention page.",
    )


@require_http_methods(["GET", "POST"])
def retention(request: AuthenticatedRequest, site_slug: str):
    """The site's admins: closed cases past the retention period (to seal or purge), the
    purge records, and the retention period itself."""
    site = access_site(request.user, site_slug, roles={Role.SITE_ADMIN})
    form = forms.RetentionForm(
        form_data(request), initial={"retention_years": site.retention_years}
    )
    if request.method == "POST" and form.is_valid():
        services.site_retention_set(
            actor=request.user,
            site=site,
            years=form.cleaned_data["retention_years"],
            request=request,
        )
        messages.success(request, _("The retention period is saved."))
        return redirect(reverse("retention", args=[site.slug]))
    today = site.today()
    past = list(closing.cases_past_retention(site, today))
    audit_log(  # closed and sealed families by name: the site's admins' read is on the trail
        actor=request.user,
        action=AuditEvent.Action.LIST,
        record_type="cases.case",
        site_id=site.pk,
        detail={"retention": True, "case_ids": sorted(case.pk for case in past)},
        request=request,
    )
    context = {
        "site": site,
        "form": form,
        "past": past,
        "cutoff": services.retention_cutoff(site, today),
        "purges": list(closing.purge_records(site)),
    }
    return render(request, "cases/retention.html", context)
