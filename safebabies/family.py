"""The parent's own pages: a parent of a case who signs in (role `parent`, their place on the
family team linked to their person) sees their home page and their meetings' family copies,
and marks their own steps done. Nothing else of the app is theirs: every professional page of
their family's case answers 403 (`cases.access.access_case`), any other family's 404.

Everything shown is read through the access module (`case_records` with the parent's
`CaseAccess`: the rows `RecordType.for_parent` gives them), and every read is audited.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from cases.access import (
    PARENT_ITEM_MESSAGE,
    CaseAccess,
    access_action_item,
    access_case,
    case_records,
    may_change_action_item,
    parent_places_in_force,
)
from safebabies import codes
from safebabies.audit.models import AuditEvent
from safebabies.audit.services import audit_log
from safebabies.identity.http import AuthenticatedRequest
from safebabies.identity.models import User
from teams.services import action_item_update

UPCOMING_VISITS = 6  # the next family-time visits shown


@dataclass
class FamilyPage:
    """What one parent sees of their family's case on their home page."""

    access: CaseAccess
    today: dt.date
    next_ftm: Any = None
    past_ftms: list = field(default_factory=list)  # held meetings, each with its family copy
    next_hearing: Any = None
    visits: list = field(default_factory=list)
    items_to_do: list = field(default_factory=list)
    items_done: list = field(default_factory=list)
    contacts: list = field(default_factory=list)  # their Community Coordinator, parent mentor
    documents: list = field(default_factory=list)  # those the team shared with the family

    @property
    def case(self):
        return self.access.case

    def shown(self) -> dict[str, list[str]]:
        """The ids of every record on the page, for the audit trail."""
        ftms = [self.next_ftm, *self.past_ftms] if self.next_ftm else self.past_ftms
        return {
            "ftm": [str(f.pk) for f in ftms],
            "hearing": [str(self.next_hearing.pk)] if self.next_hearing else [],
            "visit": [str(v.pk) for v in self.visits],
            "action_item": [str(i.pk) for i in (*self.items_to_do, *self.items_done)],
            "team_member": [str(m.pk) for m in self.contacts],
            "document": [str(d.pk) for d in self.documents],
        }


def family_pages(user: User) -> list[FamilyPage]:
    """The family pages of a parent: one per case where a parent's place of theirs is in force
    and they act as that parent (not where they act in another role too)."""
    pages = []
    case_ids = parent_places_in_force().filter(user=user).values_list("case_id", flat=True)
    for case_id in sorted(set(case_ids)):
        access = access_case(user, case_id, family_view=True)
        if access.is_parent_view:
            pages.append(family_page(access))
    return pages


def family_page(access: CaseAccess) -> FamilyPage:
    today = access.case.site.today()
    page = FamilyPage(access=access, today=today)
    ftms = case_records(access, "ftm").exclude(status=codes.FtmStatus.CANCELLED)
    page.next_ftm = (
        ftms.filter(status=codes.FtmStatus.SCHEDULED, scheduled_on__gte=today)
        .order_by("scheduled_on", "starts_at", "id")
        .first()
    )
    page.past_ftms = list(
        ftms.filter(status=codes.FtmStatus.HELD).order_by("-scheduled_on", "-id")[:12]
    )
    page.next_hearing = (
        case_records(access, "hearing")
        .filter(status=codes.HearingStatus.SCHEDULED, scheduled_on__gte=today)
        .order_by("scheduled_on", "starts_at", "id")
        .first()
    )
    page.visits = list(
        case_records(access, "visit")
        .filter(status=codes.VisitStatus.SCHEDULED, scheduled_on__gte=today)
        .select_related("child")
        .order_by("scheduled_on", "starts_at", "id")[:UPCOMING_VISITS]
    )
    items = case_records(access, "action_item").order_by("due_on", "id")
    page.items_to_do = list(items.filter(status=codes.ActionItemStatus.OPEN))
    page.items_done = list(
        items.filter(status=codes.ActionItemStatus.DONE).order_by("-completed_on", "-id")[:10]
    )
    page.contacts = list(
        case_records(access, "team_member").select_related("user").order_by("role", "added_at")
    )
    page.documents = list(case_records(access, "document").order_by("-created_at", "id")[:20])
    return page


def audit_family_page(request: AuthenticatedRequest, page: FamilyPage) -> None:
    audit_log(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        record=page.case,
        detail={"page": "family home", "shown": page.shown()},
        request=request,
    )


@require_POST
def family_item_done(request: AuthenticatedRequest, item_id: str) -> HttpResponse:
    """A parent's "Done" on one of their own steps: the team sees it done at once."""
    found = access_action_item(request.user, item_id, family_view=True)
    if not may_change_action_item(found.access, ["status"], codes.ActionItemStatus.DONE):
        raise PermissionDenied(PARENT_ITEM_MESSAGE)
    action_item_update(
        item=found.record,
        actor=request.user,
        changes={"status": codes.ActionItemStatus.DONE},
        request=request,
    )
    messages.success(request, "Well done. Your team can see this step is done.")
    return redirect("home")
