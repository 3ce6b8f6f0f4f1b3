"""The filters of the audit trail page."""

from django import forms

from safebabies.audit.models import AuditEvent


class AuditFilterForm(forms.Form):
    person = forms.CharField(
        label="Person",
        required=False,
        max_length=254,
        help_text="Part of a name or an e-mail address.",
    )
    family = forms.CharField(
        label="Family",
        required=False,
        max_length=200,
        help_text="Part of the family's name.",
    )
    action = forms.ChoiceField(
        label="Action", required=False, choices=[("", "Any"), *AuditEvent.Action.choices]
    )
    date_from = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The end date is before the start date.")
        return data
