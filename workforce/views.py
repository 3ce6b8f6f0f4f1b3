"""Pages of the people who do the work (issue 22 items 7 and 8): reflective supervision, the
private well-being check-ins, IECMH consultations and trainings.

Every row is reached through `cases.access` (SITE_RECORD_TYPES): lists with
`site_records_visible_to`, one row with `access_site_record` (404 if not theirs to read, 403 on
a write they may not make), the sites one adds at with `sites_adding`. Writes go through
`workforce.services`. Reads are audited (a list: how many rows; a row: its id), except the
content of a well-being check-in, which is nobody's but its person's.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cases.access import (
    access_site_record,
    may_read_site_kind,
    site_records_visible_to,
    site_records_writable_by,
    sites_adding,
)
from safebabies.audit.models import AuditEvent
from safebabies.audit.services import audit_log
from safebabies.identity.http import AuthenticatedRequest
from safebabies.identity.models import Site
from safebabies.kit.forms import add_service_errors
from workforce import services
from workforce.forms import ConsultationForm, SupervisionForm, TrainingForm, WellbeingForm
from workforce.models import Consultation, SupervisionSession, Training, WellbeingCheckIn
from workforce.selectors import clinicians_of, members_of

LIST_LIMIT = 200

TITLES = {
    "supervision_session": "Reflective supervision",
    "wellbeing_check_in": "My well-being check-ins",
    "consultation": "IECMH consultations",
    "training": "Trainings",
}
LIST_URLS = {
    "supervision_session": "supervision-list",
    "wellbeing_check_in": "wellbeing-list",
    "consultation": "consultation-list",
    "training": "training-list",
}


def _audit_read(
    request: AuthenticatedRequest, kind: str, *, record: Any = None, count: int | None = None
) -> None:
    model = {
        "supervision_session": SupervisionSession,
        "wellbeing_check_in": WellbeingCheckIn,
        "consultation": Consultation,
        "training": Training,
    }[kind]
    audit_log(
        actor=request.user,
        action=AuditEvent.Action.VIEW if record is not None else AuditEvent.Action.LIST,
        record=record,
        record_type=model._meta.label_lower,
        site_id=record.site_id if record is not None else None,
        # a person's own check-ins: not even how many
        detail={"count": count} if count is not None and kind != "wellbeing_check_in" else None,
        request=request,
    )


def _list(request: AuthenticatedRequest, kind: str, template: str, **extra) -> HttpResponse:
    if not may_read_site_kind(request.user, kind):
        raise Http404("Not found")
    rows = list(site_records_visible_to(request.user, kind).select_related("site")[:LIST_LIMIT])
    writable = set(
        site_records_writable_by(request.user, kind)
        .filter(pk__in=[row.pk for row in rows])
        .values_list("pk", flat=True)
    )
    for row in rows:
        row.writable = row.pk in writable
    _audit_read(request, kind, count=len(rows))
    context = {
        "rows": rows,
        "title": _(TITLES[kind]),
        "can_add": bool(sites_adding(request.user, kind)),
        "many_sites": len({row.site_id for row in rows}) > 1,
        **extra,
    }
    return render(request, template, context)


def _adding_site(request: AuthenticatedRequest, kind: str) -> Site:
    """The site a new row is for: `?site=<slug>` among those the user adds at (their first
    one when not given); 404 for a user who reads nothing of the kind, 403 for one who reads
    but may not add."""
    sites = list(Site.objects.filter(pk__in=sites_adding(request.user, kind)).order_by("name"))
    if not sites:
        if may_read_site_kind(request.user, kind):
            raise PermissionDenied(_("Your role reads these records; it does not add them."))
        raise Http404("Not found")
    slug = request.GET.get("site") or request.POST.get("site")
    if slug:
        for site in sites:
            if site.slug == slug:
                return site
        raise Http404("Not found")
    return sites[0]


def _form_page(request, *, kind: str, form, site: Site, record=None, status: int = 200, **extra):
    return render(
        request,
        "workforce/form.html",
        {
            "form": form,
            "kind": kind,
            "title": _(TITLES[kind]),
            "list_url": LIST_URLS[kind],
            "site": site,
            "record": record,
            "sites": Site.objects.filter(pk__in=sites_adding(request.user, kind)).order_by("name")
            if record is None
            else [],
            **extra,
        },
        status=status,
    )


def _save_or_show(
    request: AuthenticatedRequest,
    *,
    kind: str,
    form,
    site: Site,
    record,
    save,
    done: str,
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            save()
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(LIST_URLS[kind])
    status = 400 if request.method == "POST" else 200
    return _form_page(request, kind=kind, form=form, site=site, record=record, status=status)


def _posted(request: AuthenticatedRequest):
    return request.POST if request.method == "POST" else None


# --- Reflective supervision ---------------------------------------------------------------


@require_GET
def supervision_list(request: AuthenticatedRequest) -> HttpResponse:
    return _list(request, "supervision_session", "workforce/supervision_list.html")


@require_http_methods(["GET", "POST"])
def supervision_edit(request: AuthenticatedRequest, pk: str | None = None) -> HttpResponse:
    kind = "supervision_session"
    if pk is None:
        record, site = None, _adding_site(request, kind)
        initial: dict[str, Any] = {"held_on": site.today(), "staff_email": request.user.email}
    else:
        record = access_site_record(request.user, kind, pk, write=request.method == "POST")
        site = record.site
        initial = {
            "staff_email": record.staff.email,
            "supervisor_email": record.supervisor.email if record.supervisor else "",
            "supervisor_name": record.supervisor_name,
            "held_on": record.held_on,
            "minutes": record.minutes,
            "kind": record.kind,
        }
        if request.method == "GET":
            _audit_read(request, kind, record=record)
    form = SupervisionForm(_posted(request), initial=initial, people=list(members_of(site)))

    def save():
        services.supervision_session_save(
            actor=request.user, site=site, session=record, request=request, **form.cleaned_data
        )

    return _save_or_show(
        request,
        kind=kind,
        form=form,
        site=site,
        record=record,
        save=save,
        done=_("The supervision session is saved."),
    )


# --- Private well-being check-ins --------------------------------------------------------------


@require_GET
def wellbeing_list(request: AuthenticatedRequest) -> HttpResponse:
    return _list(request, "wellbeing_check_in", "workforce/wellbeing_list.html")


@require_http_methods(["GET", "POST"])
def wellbeing_edit(request: AuthenticatedRequest, pk: str | None = None) -> HttpResponse:
    kind = "wellbeing_check_in"
    if pk is None:
        record, site = None, _adding_site(request, kind)
        initial: dict[str, Any] = {"checked_on": site.today()}
    else:
        record = access_site_record(request.user, kind, pk, write=request.method == "POST")
        site = record.site
        initial = {
            "checked_on": record.checked_on,
            "stress": str(record.stress),
            "supported": str(record.supported),
            "sleep": str(record.sleep),
            "private_note": record.private_note,
        }
        if request.method == "GET":
            _audit_read(request, kind, record=record)
    form = WellbeingForm(_posted(request), initial=initial)

    def save():
        services.wellbeing_check_in_save(
            actor=request.user, site=site, check_in=record, request=request, **form.cleaned_data
        )

    return _save_or_show(
        request,
        kind=kind,
        form=form,
        site=site,
        record=record,
        save=save,
        done=_("Your check-in is saved. Nobody else reads it."),
    )


# --- IECMH consultations ------------------------------------------------------------------------


@require_GET
def consultation_list(request: AuthenticatedRequest) -> HttpResponse:
    return _list(request, "consultation", "workforce/consultation_list.html")


@require_http_methods(["GET", "POST"])
def consultation_edit(request: AuthenticatedRequest, pk: str | None = None) -> HttpResponse:
    kind = "consultation"
    if pk is None:
        record, site = None, _adding_site(request, kind)
        initial: dict[str, Any] = {"held_on": site.today()}
        people = list(clinicians_of(site))
        if any(person.pk == request.user.pk for person in people):
            initial["consultant_email"] = request.user.email
    else:
        record = access_site_record(request.user, kind, pk, write=request.method == "POST")
        site = record.site
        people = list(clinicians_of(site))
        initial = {
            "consultant_email": record.consultant.email if record.consultant else "",
            "consultant_name": record.consultant_name,
            "held_on": record.held_on,
            "consultee": record.consultee,
            "need": record.need,
            "mode": record.mode,
            "minutes": record.minutes,
        }
        if request.method == "GET":
            _audit_read(request, kind, record=record)
    form = ConsultationForm(_posted(request), initial=initial, people=people)

    def save():
        services.consultation_save(
            actor=request.user,
            site=site,
            consultation=record,
            request=request,
            **form.cleaned_data,
        )

    return _save_or_show(
        request,
        kind=kind,
        form=form,
        site=site,
        record=record,
        save=save,
        done=_("The consultation is saved."),
    )


# --- Trainings ----------------------------------------------------------------------------------


@require_GET
def training_list(request: AuthenticatedRequest) -> HttpResponse:
    return _list(request, "training", "workforce/training_list.html")


@require_http_methods(["GET", "POST"])
def training_edit(request: AuthenticatedRequest, pk: str | None = None) -> HttpResponse:
    """A training: its page (its attendees) for every professional of the site; the form for
    the Community Coordinator and site admins."""
    kind = "training"
    if pk is None:
        record, site = None, _adding_site(request, kind)
        initial: dict[str, Any] = {"held_on": site.today()}
    else:
        record = access_site_record(request.user, kind, pk, write=request.method == "POST")
        site = record.site
        attendance = list(record.attendance.select_related("user"))
        initial = {
            "title": record.title,
            "held_on": record.held_on,
            "hours": record.hours,
            "topics": record.topics,
            "staff": [a.user.email for a in attendance if a.user],
            "others": "\n".join(
                f"{a.name}, {a.organisation}" if a.organisation else a.name
                for a in attendance
                if not a.user
            ),
        }
        if request.method == "GET":
            _audit_read(request, kind, record=record)
            if not site_records_writable_by(request.user, kind).filter(pk=record.pk).exists():
                return render(
                    request,
                    "workforce/training_detail.html",
                    {"training": record, "attendance": attendance, "title": _(TITLES[kind])},
                )
    form = TrainingForm(_posted(request), initial=initial, people=list(members_of(site)))

    def save():
        data = dict(form.cleaned_data)
        data.pop("staff")
        data.pop("others")
        services.training_save(
            actor=request.user,
            site=site,
            training=record,
            attendees=form.attendees(),
            request=request,
            **data,
        )

    return _save_or_show(
        request,
        kind=kind,
        form=form,
        site=site,
        record=record,
        save=save,
        done=_("The training is saved."),
    )
