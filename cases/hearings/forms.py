"""Forms for hearings and orders: they collect and type the input; the rules live in
`cases.hearings.services`."""

from crispy_forms.layout import Column, Row
from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import Child, CourtRecommendation, HearingOrder
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
        label=_("Type of hearing"), choices=[("", "Choose a type"), *codes.HearingType.choices]
    )
    scheduled_on = forms.DateField(label=_("Date"), widget=DateInput())
    starts_at = forms.TimeField(label=_("Time"), required=False, widget=TimeInput())
    courtroom = forms.CharField(label=_("Courtroom"), max_length=100, required=False)
    judge = JudgeChoiceField(
        label=_("Judge"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Not yet known"),
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


YES_NO = [("", "Not recorded"), ("yes", "Yes"), ("no", "No")]


class YesNoField(forms.TypedChoiceField):
    """Yes / no / not recorded, as True / False / None."""

    def __init__(self, **kwargs):
        super().__init__(
            choices=YES_NO,
            coerce=lambda value: value == "yes",
            empty_value=None,
            required=False,
            **kwargs,
        )

    def prepare_value(self, value):
        if value is True:
            return "yes"
        if value is False:
            return "no"
        return value


class HearingOutcomeForm(forms.Form):
    status = forms.ChoiceField(label=_("Outcome"), choices=OUTCOME_CHOICES)
    continuance_reason = forms.CharField(
        label=_("Why it was continued"), max_length=300, required=False
    )
    findings = forms.CharField(
        label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    reasonable_efforts = YesNoField(label=_("Reasonable efforts made"))
    reasonable_efforts_reason = forms.CharField(
        label=_("Why (reasonable efforts)"),
        max_length=500,
        required=False,
        help_text=_("In a sentence: what the agency did, or what was missing."),
    )
    permanency_goal = forms.ChoiceField(
        label=_("Permanency goal considered"),
        choices=[("", "Not recorded"), *codes.PermanencyGoal.choices],
        required=False,
    )
    permanency_goal_approved = YesNoField(label=_("Goal approved by the court"))
    attendance = forms.MultipleChoiceField(
        label=_("Who was at the hearing"),
        choices=codes.HearingAttendee.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    next_hearing_on = forms.DateField(
        label=_("Next hearing date"),
        required=False,
        widget=DateInput(),
        help_text=_("Schedules the next hearing in the same courtroom before the same judge."),
    )
    next_hearing_type = forms.ChoiceField(
        label=_("Type of the next hearing"),
        choices=codes.HearingType.choices,
        initial=codes.HearingType.REVIEW,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            "status",
            "continuance_reason",
            "findings",
            Row(Column("reasonable_efforts"), Column("reasonable_efforts_reason")),
            Row(Column("permanency_goal"), Column("permanency_goal_approved")),
            "attendance",
            Row(Column("next_hearing_on"), Column("next_hearing_type")),
        )


class HearingOrderForm(forms.Form):
    text = forms.CharField(label=_("What the court ordered"), max_length=500)
    due_on = forms.DateField(label=_("To be done by"), required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper("text", "due_on")


class HearingOrderStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=HearingOrder.Status.choices)


class CourtRecommendationForm(forms.Form):
    text = forms.CharField(
        label=_("Recommendation for the court"),
        max_length=CourtRecommendation.MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"Short and plain: at most {CourtRecommendation.MAX_LENGTH} characters. The "
        "judge reads it only while a release of information naming the court is in force.",
    )
    child = forms.ModelChoiceField(
        label=_("About"), queryset=Child.objects.none(), required=False, empty_label=_("The family")
    )
    written_on = forms.DateField(label=_("Written on"), required=False, widget=DateInput())

    def __init__(self, *args, children=None, **kwargs):
        super().__init__(*args, **kwargs)
        if children is not None:
            self.fields["child"].queryset = children  # type: ignore[attr-defined]
        self.helper = form_helper("text", Row(Column("child"), Column("written_on")))
