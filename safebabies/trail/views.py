"""The audit trail of a site, for its site admins: the page and its CSV."""

from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django_tables2 import RequestConfig

from safebabies.audit.models import AuditEvent
from safebabies.audit.services import audit_log
from safebabies.identity.accounts.selectors import admin_site
from safebabies.identity.http import AuthenticatedRequest
from safebabies.identity.models import Site
from safebabies.lib import csvsafe
from safebabies.trail import selectors
from safebabies.trail.forms import AuditFilterForm
from safebabies.trail.tables import AuditTable

AUDIT_PAGE_SIZE = 50


def _filtered_events(request: AuthenticatedRequest, site: Site):
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    used = {k: v for k, v in filters.items() if v}
    events = selectors.site_events(request.user, site, **used)
    return form, {k: str(v) for k, v in used.items()}, events


@require_http_methods(["GET"])
def audit_events(request: AuthenticatedRequest, site_slug: str) -> HttpResponse:
    site = admin_site(request.user, site_slug)
    with timezone.override(site.tz):  # the site's days and times, whoever reads them
        form, used, events = _filtered_events(request, site)
        table = AuditTable(events)
        RequestConfig(request, paginate={"per_page": AUDIT_PAGE_SIZE}).configure(table)
        shown = [row.record for row in table.page.object_list]  # read before this is logged
        table.names = selectors.names_of(request.user, site, shown)
        audit_log(
            actor=request.user,
            action=AuditEvent.Action.LIST,
            record_type="audit.auditevent",
            site_id=site.pk,
            detail={"filter": used},
            request=request,
        )
        query = request.GET.copy()
        for key in ("page", "sort"):
            query.pop(key, None)
        return render(
            request,
            "accounts/audit.html",
            {
                "site": site,
                "form": form,
                "table": table,
                "events": shown,
                "query": query.urlencode(),
            },
        )


class _Echo:
    def write(self, value: str) -> str:
        return value


@require_http_methods(["GET"])
def audit_events_csv(request: AuthenticatedRequest, site_slug: str) -> StreamingHttpResponse:
    """The filtered audit trail as CSV (times in UTC, ISO 8601). The export is itself an
    audit event."""
    site = admin_site(request.user, site_slug)
    _form, used, events = _filtered_events(request, site)
    audit_log(
        actor=request.user,
        action=AuditEvent.Action.EXPORT,
        record_type="audit.auditevent",
        site_id=site.pk,
        detail={"filter": used, "format": "csv"},
        request=request,
    )
    writer = csvsafe.writer(_Echo())  # every text cell escaped against formulas

    def rows():
        yield writer.writerow(
            ["at", "actor", "action", "record_type", "record_id", "case_id", "ip"]
        )
        for event in events.iterator(chunk_size=500):
            yield writer.writerow(
                [
                    event.at.isoformat(),
                    event.actor.email if event.actor else "",
                    event.action,
                    event.record_type,
                    event.record_id,
                    event.case_id,
                    event.ip or "",
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{site.slug}.csv"'
    return response
