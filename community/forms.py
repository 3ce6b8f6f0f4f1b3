"""Forms of the Active Community Team's pages, the provider directory and providers' feedback.
Each form's `cleaned_data` is the keyword arguments of its `community.services` function."""

from typing import Any

from crispy_forms.layout import Column, Row
from django import forms
from django.utils.translation import gettext_lazy as _

from community import measures, services
from community.models import ActMember, CycleStage, FeedbackStatus, Sector
from safebabies import codes
from safebabies.kit.forms import DateInput, form_helper


def _blank(label: str, choices) -> list[tuple[str, str]]:
    return [("", label), *choices]


class MemberForm(forms.Form):
    user_id = forms.ChoiceField(label=_("A person of the site"), required=False)
    name = forms.CharField(
        label=_("Or a name"),
        max_length=200,
        required=False,
        help_text=_("For a member without an account (a community partner)."),
    )
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    sector = forms.ChoiceField(label=_("Sector"), choices=_blank("Choose a sector", Sector.choices))
    joined_on = forms.DateField(label=_("Joined on"), widget=DateInput())
    left_on = forms.DateField(label=_("Left on"), widget=DateInput(), required=False)

    def __init__(self, *args: Any, people: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user_id"].choices = [("", "Nobody: a name below"), *people]  # type: ignore[attr-defined]
        self.helper = form_helper(
            Row(Column("user_id", css_class="col-md-6"), Column("name", css_class="col-md-6")),
            Row(
                Column("organisation", css_class="col-md-6"),
                Column("sector", css_class="col-md-6"),
            ),
            Row(Column("joined_on", css_class="col-6"), Column("left_on", css_class="col-6")),
        )


class MeetingForm(forms.Form):
    held_on = forms.DateField(label=_("Day"), widget=DateInput())
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    attendee_ids = forms.MultipleChoiceField(
        label=_("Who came"), required=False, widget=forms.CheckboxSelectMultiple
    )
    agenda = forms.CharField(
        label=_("Agenda"),
        max_length=services.TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    notes = forms.CharField(
        label=_("Notes"),
        max_length=services.TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Figures and trends only: never a family's name or story."),
    )

    def __init__(self, *args: Any, members: list[ActMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attendee_ids"].choices = [(m.pk, str(m)) for m in members]  # type: ignore[attr-defined]
        self.helper = form_helper(
            Row(Column("held_on", css_class="col-md-4"), Column("title", css_class="col-md-8")),
            "attendee_ids",
            "agenda",
            "notes",
        )


class DecisionForm(forms.Form):
    text = forms.CharField(label=_("Decision"), max_length=services.SHORT_MAX)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper("text")


class ActionItemForm(forms.Form):
    description = forms.CharField(label=_("Action item"), max_length=services.SHORT_MAX)
    owner_id = forms.ChoiceField(label=_("Who"), required=False)
    due_on = forms.DateField(label=_("Due on"), widget=DateInput(), required=False)

    def __init__(self, *args: Any, members: list[ActMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_id"].choices = [("", "Nobody yet"), *((m.pk, str(m)) for m in members)]  # type: ignore[attr-defined]
        self.helper = form_helper(
            "description",
            Row(Column("owner_id", css_class="col-md-6"), Column("due_on", css_class="col-md-6")),
        )


class CycleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    metric = forms.ChoiceField(
        label=_("The CQI measure it aims to move"),
        choices=_blank("Choose a measure", measures.MEASURE_CHOICES),
    )
    started_on = forms.DateField(label=_("Started on"), widget=DateInput())
    stage = forms.ChoiceField(label=_("Stage"), choices=CycleStage.choices)
    plan = forms.CharField(
        label=_("The plan"),
        max_length=services.TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What will change, who does it, what you expect to see in the measure."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            "title",
            "metric",
            Row(Column("started_on", css_class="col-6"), Column("stage", css_class="col-6")),
            "plan",
        )


class ProviderForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    service_types = forms.MultipleChoiceField(
        label=_("Services it offers"),
        choices=codes.ServiceType.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.CharField(
        label=_("Languages"), max_length=200, required=False, help_text=_("e.g. English, Spanish")
    )
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    website = forms.URLField(
        label=_("Website"), max_length=300, required=False, assume_scheme="https"
    )
    accepting_referrals = forms.TypedChoiceField(
        label=_("Accepting referrals"),
        choices=[("true", "Yes"), ("false", "No")],
        coerce=lambda v: v == "true",
    )
    waitlist_weeks = forms.IntegerField(
        label=_("Waitlist in weeks"),
        min_value=0,
        max_value=104,
        initial=0,
        help_text=_("0: no wait."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            "name",
            "service_types",
            Row(Column("languages", css_class="col-md-6"), Column("phone", css_class="col-md-6")),
            "address",
            "website",
            Row(
                Column("accepting_referrals", css_class="col-6"),
                Column("waitlist_weeks", css_class="col-6"),
            ),
        )


class FeedbackForm(forms.Form):
    received_on = forms.DateField(label=_("Day"), widget=DateInput())
    status = forms.ChoiceField(
        label=_("What the provider said"), choices=_blank("Choose", FeedbackStatus.choices)
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=services.NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Row(
                Column("received_on", css_class="col-md-4"), Column("status", css_class="col-md-8")
            ),
            "note",
        )
