"""Reads of closing and retention: the closed cases of a site past its retention period, a
case's closings and transfers for its page."""

import datetime as dt

from django.db.models import QuerySet

from cases.access import CaseAccess, case_records, has_right
from cases.closing.services import closed_in_the_app_since, retention_cutoff
from cases.models import Case, CaseTransfer, PurgeRecord
from safebabies.identity.models import Site


def cases_past_retention(site: Site, today: dt.date) -> QuerySet[Case]:
    """The closed cases of `site` that closed on or before its retention cutoff, sealed or
    not. For the retention task and the site admins' page only (the caller is a task, or has
    checked the user is the site's admin)."""
    cutoff = retention_cutoff(site, today)
    return (
        Case.objects.filter(site=site, closed_on__isnull=False, closed_on__lte=cutoff)
        .exclude(pk__in=closed_in_the_app_since(cutoff))
        .order_by("closed_on", "id")
    )


def purge_records(site: Site) -> QuerySet[PurgeRecord]:
    return PurgeRecord.objects.filter(site=site).select_related("purged_by")


def closing_context(access: CaseAccess, in_care: int = 0) -> dict:
    """The case page's closing section (templates/cases/_closing.html): the case's closings
    and, for those who close it, its transfers (the pending one among them); `in_care`, how
    many of its children are in care (the case page knows). Two queries."""
    case = access.case
    may_close = has_right(access, "can_close_case")
    transfers = list(case_records(access, "case_transfer").select_related("from_site", "to_site"))
    pending = [t for t in transfers if t.decision == CaseTransfer.Decision.PENDING]
    return {
        "closing": {
            "closures": list(case_records(access, "case_closure")),
            "may_close": may_close,
            "may_seal": has_right(access, "can_seal_case"),
            "pending_transfer": pending[0] if pending else None,
            "transfers": transfers,
            "in_care": in_care if case.closed_on is None else 0,
        }
    }
