from django.contrib import admin

from cqi.models import ReferenceValue


@admin.register(ReferenceValue)
class ReferenceValueAdmin(admin.ModelAdmin):
    list_display = ["indicator", "value", "effective_date", "source"]
    list_filter = ["indicator"]
    search_fields = ["indicator", "source"]
    ordering = ["indicator", "-effective_date"]
