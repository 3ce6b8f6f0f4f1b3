"""Django admin for the case records, scoped to the site admin's sites (`SiteScopedAdmin`)."""

from django.contrib import admin

from cases import models as m
from safebabies.identity.admin import SiteScopedAdmin


@admin.register(m.Case)
class CaseAdmin(SiteScopedAdmin):
    site_path = "site"
    list_display = ["name", "site", "opened_on", "closed_on", "enrollment"]
    list_filter = ["site", "enrollment"]
    search_fields = ["name", "id"]


@admin.register(m.Child)
class ChildAdmin(SiteScopedAdmin):
    site_path = "case__site"
    list_display = ["__str__", "case", "birth_date", "docket_number", "icwa"]
    search_fields = ["given_name", "family_name", "docket_number", "id"]
    list_select_related = ["case"]


@admin.register(m.Person)
class PersonAdmin(SiteScopedAdmin):
    site_path = "case__site"
    list_display = ["__str__", "kind", "case"]
    search_fields = ["given_name", "family_name", "id"]
    list_select_related = ["case"]


@admin.register(m.TeamMember)
class TeamMemberAdmin(SiteScopedAdmin):
    site_path = "case__site"
    list_display = ["user", "role", "case", "added_at", "removed_at"]
    list_select_related = ["user", "case"]


@admin.register(m.Episode)
class EpisodeAdmin(SiteScopedAdmin):
    site_path = "child__case__site"
    list_display = ["child", "removal_date", "discharge_date", "discharge_reason"]
    list_select_related = ["child"]


@admin.register(m.Placement)
class PlacementAdmin(SiteScopedAdmin):
    site_path = "episode__child__case__site"
    list_display = ["episode", "setting", "start_date", "end_date"]
    list_select_related = ["episode__child"]


@admin.register(m.PermanencyPlan)
class PermanencyPlanAdmin(SiteScopedAdmin):
    site_path = "child__case__site"
    list_display = ["child", "effective_date", "primary_goal", "concurrent_goal"]
    list_select_related = ["child"]

    def has_change_permission(self, request, obj=None):
        return False  # a plan change is a new row: history is never overwritten


@admin.register(m.Hearing)
class HearingAdmin(SiteScopedAdmin):
    site_path = "case__site"
    list_display = ["case", "hearing_type", "scheduled_on", "status"]
    list_filter = ["hearing_type", "status"]
    list_select_related = ["case"]


@admin.register(m.MaltreatmentReport)
class MaltreatmentReportAdmin(SiteScopedAdmin):
    site_path = "child__case__site"
    list_display = ["child", "reported_on", "disposition"]
    list_select_related = ["child"]


@admin.register(m.Consent)
class ConsentAdmin(SiteScopedAdmin):
    site_path = "case__site"
    list_display = [
        "person",
        "category",
        "recipient_role",
        "granted_on",
        "expires_on",
        "revoked_on",
    ]
    list_select_related = ["person"]
