"""Which exports a user may list and download: those of the sites where they are site admin."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from safebabies.exports.models import ExportRun
from safebabies.identity.models import User
from safebabies.identity.selectors import admin_site_ids, roles_of


def exports_visible_to(user: User) -> QuerySet[ExportRun]:
    """The exports of the user's site-admin sites; PermissionDenied for anyone else."""
    sites = admin_site_ids(user)
    if not sites:
        raise PermissionDenied("Only site admins see the exports.")
    return ExportRun.objects.filter(site_id__in=sites).select_related("site")


def export_for_download(user: User, run_id: int) -> ExportRun:
    """A finished export of a site the user administers: 404 for a site they are not part of
    (never confirming it exists), 403 for a member of the site who is not its admin."""
    run = ExportRun.objects.select_related("site").filter(pk=run_id).first()
    if run is None or run.site_id not in roles_of(user):
        raise Http404
    if run.site_id not in admin_site_ids(user):
        raise PermissionDenied("Only site admins download the exports.")
    if run.status != ExportRun.Status.DONE:
        raise Http404
    return run
