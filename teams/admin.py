"""Django admin for FTMs and their action items, scoped to the site admin's sites."""

from django.contrib import admin

from safebabies.identity.admin import SiteScopedAdmin
from teams.models import Ftm, FtmActionItem


@admin.register(Ftm)
class FtmAdmin(SiteScopedAdmin):
    site_path = "case__site"
    list_display = ["case", "scheduled_on", "status"]
    list_filter = ["status"]
    exclude = ["notes"]  # the discussion stays in the family team's view


@admin.register(FtmActionItem)
class FtmActionItemAdmin(SiteScopedAdmin):
    site_path = "ftm__case__site"
    list_display = ["ftm", "due_on", "status"]
    list_filter = ["status"]
