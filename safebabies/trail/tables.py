"""The audit trail as a table (django-tables2: sorting, paging, and one place that writes a
code or a date as people read it)."""

import django_tables2 as tables
from django.utils.html import format_html

from safebabies.audit.models import AuditEvent
from safebabies.templatetags.when import when
from safebabies.trail.selectors import Names


class AuditTable(tables.Table):
    at = tables.Column(verbose_name="When", order_by=("at", "id"))
    actor = tables.Column(
        verbose_name="Who", order_by=("actor__full_name", "actor__email"), empty_values=()
    )
    action = tables.Column(verbose_name="Action")
    record = tables.Column(verbose_name="Record", empty_values=(), orderable=False)
    family = tables.Column(verbose_name="Family", empty_values=(), orderable=False)

    class Meta:
        model = AuditEvent
        fields = ("at", "actor", "action")
        sequence = ("at", "actor", "action", "record", "family")
        order_by = ("-at",)
        template_name = "django_tables2/bootstrap5.html"
        attrs = {
            "class": "table table-sm",
            "aria-label": "Audit events",
            "th": {"scope": "col"},
        }
        empty_text = "No events match."

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.names = Names()  # filled for the page shown (`names_of`)

    def render_at(self, value) -> str:
        return when(value)

    def render_actor(self, record: AuditEvent) -> str:
        actor = record.actor
        if actor is None:
            return "Nobody signed in" if record.action.startswith("sign_in") else "The system"
        if actor.full_name:
            return format_html(
                '{} <span class="d-block small text-body-secondary">{}</span>',
                actor.full_name,
                actor.email,
            )
        return actor.email

    def render_record(self, record: AuditEvent) -> str:
        return self.names.record(record)

    def render_family(self, record: AuditEvent) -> str:
        return self.names.family(record) or "—"
