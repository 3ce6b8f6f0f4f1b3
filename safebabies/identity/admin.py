"""Django admin for site admins, scoped to their own sites.

Every model admin here and in `cases.admin` uses `SiteScopedAdmin`: a staff user sees and
changes only the records of the sites where they hold an active site_admin membership
(superusers see all), foreign-key choices are limited the same way, nothing that is a court or
clinical record can be deleted (records are closed, not deleted), and every save goes to the
audit trail.
"""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from safebabies.audit.models import AuditEvent
from safebabies.audit.services import audit_log
from safebabies.identity.models import Site, SiteMembership, User
from safebabies.identity.selectors import admin_site_ids

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


class SiteScopedAdmin(admin.ModelAdmin):
    """A ModelAdmin limited to the records of the user's own sites (superusers: all)."""

    site_path = "site"  # lookup from this model to its Site
    deletable = False  # court and clinical records are closed, not deleted

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
        return self._allowed(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

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
    site_path = "id"
    list_display = ["name", "slug", "timezone"]
    search_fields = ["name", "slug"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._is_superuser(request)  # sites are created with `create_site`


@admin.register(SiteMembership)
class SiteMembershipAdmin(SiteScopedAdmin):
    """Who holds which role. Roles are deactivated (is_active off), never deleted."""

    list_display = ["user", "site", "role", "is_active"]
    list_filter = ["site", "role", "is_active"]
    search_fields = ["user__email", "user__full_name"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Accounts: superusers only (a site admin adds people with `add_member` and manages their
    roles under Site memberships)."""

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
