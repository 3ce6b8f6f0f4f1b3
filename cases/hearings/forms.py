"""Forms for hearings and orders: they collect and type the input; the rules live in
`cases.hearings.services`."""

from crispy_forms.layout import Column, Row
from django import forms

from cases.models import HearingOrder
from safebabies import codes
from safebabies.identity.models import User
from safebabies.kit.forms import DateInput, form_helper


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


class JudgeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return str(obj)


class HearingScheduleForm(forms.Form):
    hearing_type = forms.ChoiceField(
        label="Type of hearing", choices=[("", "Choose a type"), *codes.HearingType.choices]
    )
    scheduled_on = forms.DateField(label="Date", widget=DateInput())
    starts_at = forms.TimeField(label="Time", required=False, widget=TimeInput())
    courtroom = forms.CharField(label="Courtroom", max_length=100, required=False)
    judge = JudgeChoiceField(
        label="Judge", queryset=User.objects.none(), required=False, empty_label="Not yet known"
    )

    def __init__(self, *args, judges=None, **kwargs):
        super().__init__(*args, **kwargs)
        if judges is not None:
            self.fields["judge"].queryset = judges  # type: ignore[attr-defined]
        self.helper = form_helper(
            "hearing_type",
            Row(Column("scheduled_on"), Column("starts_at")),
            Row(Column("courtroom"), Column("judge")),
        )


OUTCOME_CHOICES = [
    ("", "Choose the outcome"),
    (codes.HearingStatus.HELD, "Held"),
    (codes.HearingStatus.CONTINUED, "Continued"),
    (codes.HearingStatus.CANCELLED, "Cancelled"),
]


class HearingOutcomeForm(forms.Form):
    status = forms.ChoiceField(label="Outcome", choices=OUTCOME_CHOICES)
    continuance_reason = forms.CharField(
        label="Why it was continued", max_length=300, required=False
    )
    findings = forms.CharField(
        label="Findings", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    next_hearing_on = forms.DateField(
        label="Next hearing date",
        required=False,
        widget=DateInput(),
        help_text="Schedules the next hearing in the same courtroom before the same judge.",
    )
    next_hearing_type = forms.ChoiceField(
        label="Type of the next hearing",
        choices=codes.HearingType.choices,
        initial=codes.HearingType.REVIEW,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            "status",
            "continuance_reason",
            "findings",
            Row(Column("next_hearing_on"), Column("next_hearing_type")),
        )


class HearingOrderForm(forms.Form):
    text = forms.CharField(label="What the court ordered", max_length=500)
    due_on = forms.DateField(label="To be done by", required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper("text", "due_on")


class HearingOrderStatusForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=HearingOrder.Status.choices)
