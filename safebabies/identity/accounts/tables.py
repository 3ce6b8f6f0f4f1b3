"""The People page as a table (django-tables2): sorting by name, e-mail, roles or status."""

import django_tables2 as tables
from django.utils.html import format_html


class PeopleTable(tables.Table):
    name = tables.Column(verbose_name="Person", order_by=("sort_name",))
    roles = tables.Column(verbose_name="Roles")
    status = tables.Column(verbose_name="Status")
    actions = tables.TemplateColumn(
        template_name="accounts/_person_actions.html",
        verbose_name="Actions",
        orderable=False,
        attrs={"th": {"class": "visually-hidden"}, "td": {"class": "text-end"}},
    )

    class Meta:
        template_name = "django_tables2/bootstrap5.html"
        attrs = {
            "class": "table table-sm align-middle",
            "aria-label": "Everyone who holds or held a role at this site",
            "th": {"scope": "col"},
        }
        order_by = ("name",)
        empty_text = "Nobody holds a role here yet."

    def render_name(self, record) -> str:
        """The name, then the e-mail and the work phone (the one families see) below it."""
        below = " · ".join(x for x in (record.email if record.name else "", record.user.phone) if x)
        if below:
            return format_html(
                '{} <span class="d-block small text-body-secondary">{}</span>',
                record.name or record.email,
                below,
            )
        return record.email

    def render_roles(self, value) -> str:
        return value or "—"
