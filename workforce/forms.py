"""Forms of the workforce pages. Choices of people are the site's (`workforce.selectors`)."""

from decimal import Decimal
from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from safebabies.identity.models import User
from safebabies.kit.forms import DateInput, form_helper
from workforce.models import MINUTES_MAX, Consultee, Mode, Need, SupervisionKind, Topic

SCALE_CHOICES = [(str(n), str(n)) for n in range(1, 6)]


def _people(users: list[User], blank: str | None = None) -> list[tuple[str, str]]:
    choices = [(u.email, f"{u.full_name or u.email} ({u.email})") for u in users]
    return [("", blank), *choices] if blank is not None else choices


class SupervisionForm(forms.Form):
    staff_email = forms.ChoiceField(label=_("Staff member"))
    supervisor_email = forms.ChoiceField(label=_("Supervisor"), required=False)
    supervisor_name = forms.CharField(
        label=_("Or the supervisor's name (no account)"), required=False, max_length=200
    )
    held_on = forms.DateField(label=_("Day"), widget=DateInput())
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=MINUTES_MAX)
    kind = forms.ChoiceField(label=_("Kind"), choices=SupervisionKind.choices)

    def __init__(self, *args, people: list[User], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["staff_email"]).choices = _people(people)
        cast(forms.ChoiceField, self.fields["supervisor_email"]).choices = _people(
            people, blank=str(_("Someone without an account (name below)"))
        )
        self.helper = form_helper(
            "staff_email", "supervisor_email", "supervisor_name", "held_on", "minutes", "kind"
        )


class WellbeingForm(forms.Form):
    checked_on = forms.DateField(label=_("Day"), widget=DateInput())
    stress = forms.TypedChoiceField(
        label=_("How stressed do you feel? (1 not at all, 5 very)"),
        choices=SCALE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    supported = forms.TypedChoiceField(
        label=_("How supported do you feel? (1 not at all, 5 very)"),
        choices=SCALE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    sleep = forms.TypedChoiceField(
        label=_("How well are you sleeping? (1 badly, 5 well)"),
        choices=SCALE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    private_note = forms.CharField(
        label=_("A note for yourself (optional, nobody else reads it)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper("checked_on", "stress", "supported", "sleep", "private_note")


class ConsultationForm(forms.Form):
    consultant_email = forms.ChoiceField(label=_("Consultant"), required=False)
    consultant_name = forms.CharField(
        label=_("Or the consultant's name (no account)"), required=False, max_length=200
    )
    held_on = forms.DateField(label=_("Day"), widget=DateInput())
    consultee = forms.ChoiceField(label=_("Consulted with"), choices=Consultee.choices)
    need = forms.ChoiceField(label=_("Kind of need"), choices=Need.choices)
    mode = forms.ChoiceField(label=_("Direct or indirect"), choices=Mode.choices)
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=MINUTES_MAX)

    def __init__(self, *args, people: list[User], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["consultant_email"]).choices = _people(
            people, blank=str(_("Someone without an account (name below)"))
        )
        self.helper = form_helper(
            "consultant_email", "consultant_name", "held_on", "consultee", "need", "mode", "minutes"
        )


class TrainingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    held_on = forms.DateField(label=_("Day"), widget=DateInput())
    hours = forms.DecimalField(
        label=_("Hours"),
        min_value=Decimal("0.5"),
        max_value=Decimal(40),
        decimal_places=1,
        max_digits=4,
    )
    topics = forms.MultipleChoiceField(
        label=_("Topics"), choices=Topic.choices, widget=forms.CheckboxSelectMultiple
    )
    staff = forms.MultipleChoiceField(
        label=_("People of the site who attended"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    others = forms.CharField(
        label=_("Providers who attended, one a line: name, organisation"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, people: list[User], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["staff"]).choices = _people(people)
        self.helper = form_helper("title", "held_on", "hours", "topics", "staff", "others")

    def attendees(self) -> list[dict]:
        data = self.cleaned_data
        people: list[dict] = [{"email": email} for email in data.get("staff", [])]
        for line in str(data.get("others", "")).splitlines():
            if line.strip():
                name, _comma, organisation = line.partition(",")
                people.append({"name": name.strip(), "organisation": organisation.strip()})
        return people
