"""Django admin: a window onto the records, not a side door around the app's rules.

Every model admin here and in `cases.admin` / `teams.admin` uses `SiteScopedAdmin`:

- a staff user sees only the records of the sites where they hold an active site_admin
  membership (superusers see all), and foreign-key choices are limited the same way;
- for everyone but a superuser it is READ-ONLY (`site_admin_may_change` is off by default; only
  the site's own settings turn it on). Case records, memberships and family-team places change
  through the app's pages and API, which hold the rules (the People page never grants
  `national`; a team role must be held at the site; a revocation is final);
- a superuser's saves of memberships, team places and consents go through the same services
  and checks (`SiteMembershipAdmin`, `cases.admin.TeamMemberAdmin`, `Consent.clean`);
- nothing that is a court or clinical record can be deleted (records are closed, not deleted);
- every read is audited like any other read (a "view" event with the record's case and site
  for a change/view page or its history, a "list" event for a list page), and every save too.
"""

from typing import Any, cast

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import F, Model, QuerySet
from django.http import HttpRequest, HttpResponse

from safebabies.audit.models import AuditEvent
from safebabies.audit.services import audit_log
from safebabies.identity.accounts.services import membership_withdraw
from safebabies.identity.models import Site, SiteMembership, User
from safebabies.identity.selectors import admin_site_ids
from safebabies.identity.services import membership_add

# How to reach the site from each model that can appear as a foreign key in these admins.
SITE_PATHS: dict[str, str] = {
    "teams.site": "id",
    "teams.user": "memberships__site",
    "ftms.ftm": "case__site",
    "cases.case": "site",
    "cases.child": "case__site",
    "cases.person": "case__site",
    "cases.episode": "child__case__site",
}


def admin_sites_of(request: HttpRequest) -> list[int]:
    """The sites where the signed-in user is an active site admin."""
    user = request.user
    return admin_site_ids(user) if isinstance(user, User) else []


class AuditedReadsAdmin(admin.ModelAdmin):
    """Reads in the admin go to the audit trail like any other read: a change/view page (or
    its history) writes a "view" event with the record's case and site, a list page a "list"
    event. Only what was actually shown (a 200 answer to a GET) is logged."""

    site_path: str | None = None  # lookup from this model to its Site
    case_path: str | None = None  # lookup to its Case; derived from site_path when None

    def _case_lookup(self) -> str | None:
        if self.case_path is not None:
            return self.case_path
        if self.model._meta.label_lower == "cases.case":
            return "pk"
        if self.site_path and self.site_path.endswith("case__site"):
            return self.site_path.removesuffix("__site")
        return None

    def _scope_of(self, obj: Model) -> tuple[str, int | None]:
        """(case id, site id) of a record, from the database (one small query)."""
        lookups = {"case": self._case_lookup(), "site": self.site_path}
        wanted = {k: v for k, v in lookups.items() if v}
        if not wanted:
            return "", None
        row = (
            type(obj)
            ._default_manager.filter(pk=obj.pk)
            .values(**{f"_{k}": F(v) for k, v in wanted.items()})
            .first()
            or {}
        )
        case_id = row.get("_case")
        return (str(case_id) if case_id else ""), row.get("_site")

    def _audit_read(self, request: HttpRequest, obj: Model, view: str) -> None:
        case_id, site_id = self._scope_of(obj)
        audit_log(
            actor=request.user,
            action=AuditEvent.Action.VIEW,
            record=obj,
            case_id=case_id,
            site_id=site_id,
            detail={"via": "admin", "page": view},
            request=request,
        )

    def changeform_view(
        self, request: HttpRequest, object_id=None, form_url: str = "", extra_context=None
    ) -> HttpResponse:
        response = super().changeform_view(request, object_id, form_url, extra_context)
        if object_id and request.method == "GET" and response.status_code == 200:
            obj = (getattr(response, "context_data", None) or {}).get("original")
            if obj is not None:
                self._audit_read(request, obj, "change")
        return response

    def history_view(self, request: HttpRequest, object_id, extra_context=None) -> HttpResponse:
        response = super().history_view(request, object_id, extra_context)
        if response.status_code == 200:
            obj = (getattr(response, "context_data", None) or {}).get("object")
            if obj is not None:
                self._audit_read(request, obj, "history")
        return response

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if request.method == "GET" and response.status_code == 200 and changelist is not None:
            sites = None if request.user.is_superuser else admin_sites_of(request)
            audit_log(
                actor=request.user,
                action=AuditEvent.Action.LIST,
                record_type=self.model._meta.label_lower,
                site_id=sites[0] if sites and len(sites) == 1 else None,
                # The filter and search names only: never what was typed (it may be a name).
                detail={
                    "via": "admin",
                    "count": changelist.result_count,
                    "query": sorted(request.GET),
                },
                request=request,
            )
        return response


class SiteScopedAdmin(AuditedReadsAdmin):
    """A ModelAdmin limited to the records of the user's own sites (superusers: all), and
    read-only for everyone but a superuser unless `site_admin_may_change`."""

    site_path = "site"  # lookup from this model to its Site
    deletable = False  # court and clinical records are closed, not deleted
    # Off: a site admin only reads here, and changes things through the app's pages and API
    # (which hold the rules). On only for what has no rule beyond the form (site settings).
    site_admin_may_change = False

    def _may_write(self, request: HttpRequest) -> bool:
        return self._is_superuser(request) or self.site_admin_may_change

    def _is_superuser(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def _allowed(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if self._is_superuser(request):
            return True
        sites = admin_sites_of(request)
        if not sites or not request.user.is_staff:
            return False
        if obj is None:
            return True
        return (
            type(obj)
            ._default_manager.filter(pk=obj.pk, **{f"{self.site_path}__in": sites})
            .exists()
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = super().get_queryset(request)
        if self._is_superuser(request):
            return qs
        return qs.filter(**{f"{self.site_path}__in": admin_sites_of(request)})

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._may_write(request) and self._allowed(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._may_write(request) and self._allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.deletable and self._allowed(request, obj)

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs: Any):
        path = SITE_PATHS.get(db_field.related_model._meta.label_lower)
        if path is not None and not self._is_superuser(request):
            kwargs["queryset"] = db_field.related_model._default_manager.filter(
                **{f"{path}__in": admin_sites_of(request)}
            ).distinct()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_log(
            actor=request.user,
            action=AuditEvent.Action.UPDATE if change else AuditEvent.Action.CREATE,
            record=obj,
            detail={"fields": sorted(form.changed_data), "via": "admin"},
            request=request,
        )


@admin.register(Site)
class SiteAdmin(SiteScopedAdmin):
    """A site's own settings (name, time zone, cadences): a site admin may change them."""

    site_path = "id"
    site_admin_may_change = True
    list_display = ["name", "slug", "timezone"]
    search_fields = ["name", "slug"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._is_superuser(request)  # sites are created with `create_site`


@admin.register(SiteMembership)
class SiteMembershipAdmin(SiteScopedAdmin):
    """Who holds which role. Read-only for site admins: they give and take roles on the People
    page (`/accounts/sites/<site>/people/`), which never grants `national`.

    A superuser (the national team, like `manage.py add_member`) may add a role, or switch a
    role's "active" box; both go through the services: adding is `membership_add`, switching
    off is `membership_withdraw` (the person's family-team places in that role end, as on the
    People page). Who, where and which role never change on an existing row.
    """

    list_display = ["user", "site", "role", "is_active"]
    list_filter = ["site", "role", "is_active"]
    search_fields = ["user__email", "user__full_name"]

    def get_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        return ["user", "site", "role", "is_active"] if obj else ["user", "site", "role"]

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None):
        return ["user", "site", "role"] if obj else []

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        if not (isinstance(obj, SiteMembership) and self._is_superuser(request)):
            raise PermissionDenied("Only a superuser changes memberships here.")
        actor = cast(User, request.user)
        if not change or (obj.is_active and "is_active" in form.changed_data):
            result = membership_add(
                email=obj.user.email, site_slug=obj.site.slug, role=obj.role, actor=actor
            )
            obj.pk = result.membership.pk
            obj.is_active = True
        elif "is_active" in form.changed_data:
            membership_withdraw(actor=actor, membership=obj, request=request)


@admin.register(User)
class UserAdmin(AuditedReadsAdmin, BaseUserAdmin):
    """Accounts: superusers only (a site admin adds people with `add_member` and manages their
    roles under Site memberships)."""

    site_path = None  # an account belongs to no one site
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    list_filter = ["is_active", "is_staff", "is_superuser"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["full_name", "preferred_language"]}),
        (
            "Access",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # accounts are deactivated: the audit trail refers to them
