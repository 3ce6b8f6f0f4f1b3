"""Forms for family time (crispy, Bootstrap 5). The rules live in `familytime.services`."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import Person
from familytime.models import Weekday
from safebabies import codes
from safebabies.kit.forms import DateInput


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


class FamilyTimePlanForm(forms.Form):
    visits_per_week = forms.DecimalField(
        label=_("Family time a week (target)"),
        min_value=0,
        max_value=14,
        max_digits=3,
        decimal_places=1,
        help_text=_("For babies and toddlers, several times a week (the site's default is 3)."),
    )
    supervision = forms.ChoiceField(
        label=_("Supervision level"),
        choices=codes.Supervision.choices,
        help_text=_(
            "It steps down as the parent progresses; the earlier levels stay in the history."
        ),
    )
    location = forms.ChoiceField(
        label=_("Usual place"),
        choices=[("", "Not set"), *codes.VisitLocation.choices],
        required=False,
        help_text=_(
            "The child's natural settings first: the family home, the resource home, the community."
        ),
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Days"),
        choices=Weekday.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    starts_at = forms.TimeField(label=_("Starts at"), required=False, widget=TimeInput())
    ends_at = forms.TimeField(label=_("Ends at"), required=False, widget=TimeInput())
    supervised_by = forms.CharField(label=_("Who supervises"), max_length=200, required=False)
    transported_by = forms.CharField(
        label=_("Who brings the child"), max_length=200, required=False
    )
    parent: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("With"),
        queryset=Person.objects.none(),
        required=False,
        empty_label=_("Both parents / not set"),
    )
    effective_from = forms.DateField(label=_("In effect from"), widget=DateInput())

    def __init__(self, *args, parents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(
                Column("visits_per_week", css_class="col-md-6"),
                Column("supervision", css_class="col-md-6"),
            ),
            Fieldset(
                "The recurring schedule",
                "weekdays",
                Row(Column("starts_at", css_class="col-6"), Column("ends_at", css_class="col-6")),
                css_class="form-section",
            ),
            Row(Column("location", css_class="col-md-6"), Column("parent", css_class="col-md-6")),
            Row(
                Column("supervised_by", css_class="col-md-6"),
                Column("transported_by", css_class="col-md-6"),
            ),
            "effective_from",
        )


class VisitLogForm(forms.Form):
    """One tap: the button pressed gives the status; the rest is optional."""

    status = forms.ChoiceField(
        choices=[
            (codes.VisitStatus.HELD, "Held"),
            (codes.VisitStatus.CANCELLED, "Cancelled"),
            (codes.VisitStatus.NO_SHOW, "No-show"),
            (codes.VisitStatus.SCHEDULED, "Scheduled"),
        ]
    )
    cancelled_by = forms.ChoiceField(
        label=_("Cancelled by"), choices=[("", "—"), *codes.CancelledBy.choices], required=False
    )
    duration_minutes = forms.IntegerField(label=_("Minutes"), required=False, min_value=0)
    observations = forms.CharField(label=_("Observations"), required=False, max_length=2000)

    def service_kwargs(self, *, with_observations: bool) -> dict:
        data = dict(self.cleaned_data)
        if data["status"] != codes.VisitStatus.CANCELLED:
            data["cancelled_by"] = ""  # a value left in the menu of a row logged otherwise
        if data["status"] != codes.VisitStatus.HELD or data["duration_minutes"] is None:
            data.pop("duration_minutes")
        if not with_observations or not data["observations"].strip():
            data.pop("observations")
        else:
            data["observations"] = data["observations"].strip()
        return data
