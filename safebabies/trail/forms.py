"""The filters of the audit trail page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from safebabies.audit.models import AuditEvent


class AuditFilterForm(forms.Form):
    person = forms.CharField(
        label=_("Person"),
        required=False,
        max_length=254,
        help_text=_("Part of a name or an e-mail address."),
    )
    family = forms.CharField(
        label=_("Family"),
        required=False,
        max_length=200,
        help_text=_("Part of the family's name."),
    )
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", "Any"), *AuditEvent.Action.choices]
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The end date is before the start date.")
        return data
