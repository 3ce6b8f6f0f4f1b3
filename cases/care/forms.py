"""Forms of a child's time in care (crispy, Bootstrap 5). The rules live in `cases.services`;
a refusal comes back onto the field it names."""

from typing import cast

from crispy_forms.layout import HTML, Column, Row
from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from cases.forms import FIRST_SETTING_CHOICES, RemovalMixin, placement_label
from cases.models import Child, MaltreatmentReport, Person, Placement
from safebabies import codes
from safebabies.kit.forms import DateInput, form_helper, form_section


class RemovalForm(RemovalMixin):
    """One removal, of one child or of brothers and sisters together."""

    children = forms.ModelMultipleChoiceField(
        label=_("Children removed"),
        queryset=Child.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Brothers and sisters removed the same day are recorded together: each gets "
            "their removal and first placement."
        ),
    )
    removal_date = forms.DateField(label=_("Removal date"), widget=DateInput())
    start_date = forms.DateField(
        label=_("First placement from"),
        widget=DateInput(),
        required=False,
        help_text=_("The removal date if left empty."),
    )
    caregiver = forms.ModelChoiceField(
        label=_("Resource parent or caregiver"),
        queryset=Person.objects.none(),
        required=False,
        empty_label=_("Not in the family's record yet"),
    )

    def __init__(self, *args, children, people, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["children"]).queryset = children
        cast(forms.ModelChoiceField, self.fields["caregiver"]).queryset = people
        self.fields["setting"].required = True
        self.fields["setting"].label = "Setting"
        self.helper = form_helper(
            form_section(_("Who"), "children"),
            form_section(_("The removal"), *self.removal_layout[:-2]),
            form_section(
                _("The first placement"),
                Row(
                    Column("setting", css_class="col-md-6"),
                    Column("start_date", css_class="col-md-6"),
                ),
                "caregiver",
                "address",
            ),
        )

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["children"] = list(data["children"])
        return data


class PlacementChange:
    """The kinds of change the placement page offers, each a setting or a choice of homes."""

    MOVE = "move"
    RESPITE = codes.PlacementSetting.RESPITE.value
    TRIAL_HOME_VISIT = codes.PlacementSetting.TRIAL_HOME_VISIT.value
    RUNAWAY = codes.PlacementSetting.RUNAWAY.value
    CHOICES = [
        (MOVE, "A move to another home"),
        (RESPITE, "Respite: a short stay with other caregivers (not a move)"),
        (TRIAL_HOME_VISIT, "Trial home visit: back with the parents, still in care (not a move)"),
        (RUNAWAY, "Runaway: the child's whereabouts are not known"),
    ]


# Suggested reasons a placement ends (the field takes any words)
END_REASONS = (
    "Moved to a relative or kin",
    "Moved closer to the parents",
    "Moved with brothers and sisters",
    "Moved to a pre-adoptive home",
    "Resource parent asked for the move",
    "Respite",
    "Trial home visit",
    "Back from respite",
    "Back from a trial home visit",
    "Trial home visit ended",
    "Ran away",
    "Found after running away",
)
END_REASONS_LIST = format_html(
    '<datalist id="end-reasons">{}</datalist>',
    format_html_join("", '<option value="{}"></option>', ((r,) for r in END_REASONS)),
)


class PlacementChangeForm(forms.Form):
    """Where the child lives from a day: a move, respite, a trial home visit or a runaway."""

    kind = forms.ChoiceField(
        label=_("What changed"),
        choices=PlacementChange.CHOICES,
        widget=forms.RadioSelect,
        required=False,  # a move, unless another kind is chosen
        initial=PlacementChange.MOVE,
    )
    setting = forms.ChoiceField(
        label=_("The new home"),
        choices=FIRST_SETTING_CHOICES,
        required=False,
        help_text=_("For a move."),
    )
    start_date = forms.DateField(label=_("From"), widget=DateInput())
    caregiver = forms.ModelChoiceField(
        label=_("Resource parent or caregiver"),
        queryset=Person.objects.none(),
        required=False,
        empty_label=_("Not in the family's record yet"),
    )
    address = forms.CharField(
        label=_("Address"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept from parent mentors."),
    )
    end_reason = forms.CharField(
        label=_("Why the current placement ends"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"list": "end-reasons"}),
        help_text=_("It ends the day the new one starts. Type or choose a reason."),
    )

    def __init__(self, *args, people, current: Placement | None, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["caregiver"]).queryset = people
        layout: list = [
            "kind",
            Row(
                Column("setting", css_class="col-md-6"), Column("start_date", css_class="col-md-6")
            ),
            "caregiver",
            "address",
        ]
        if current is not None:
            self.fields["end_reason"].required = True
            layout.append(
                form_section(
                    f"The current placement: {placement_label(current)}",
                    "end_reason",
                    HTML(END_REASONS_LIST),
                )
            )
        else:
            del self.fields["end_reason"]
        self.helper = form_helper(*layout)

    def clean(self):
        data = super().clean()
        kind = data["kind"] = data.get("kind") or PlacementChange.MOVE
        if kind == PlacementChange.MOVE and not data.get("setting"):
            self.add_error("setting", "Choose the setting of the new home.")
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        kind = data["kind"]
        return {
            "setting": data["setting"] if kind == PlacementChange.MOVE else kind,
            "start_date": data["start_date"],
            "caregiver": data["caregiver"],
            "address": data["address"],
            "end_reason": data.get("end_reason", ""),
        }


class DischargeForm(forms.Form):
    discharge_date = forms.DateField(label=_("Left care on"), widget=DateInput())
    discharge_reason = forms.ChoiceField(
        label=_("Why"),
        choices=[("", "Choose why the child left care"), *codes.DischargeReason.choices],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Row(
                Column("discharge_date", css_class="col-md-6"),
                Column("discharge_reason", css_class="col-md-6"),
            )
        )


class MaltreatmentReportForm(forms.Form):
    reported_on = forms.DateField(label=_("Reported on"), widget=DateInput())
    disposition = forms.ChoiceField(
        label=_("Disposition"),
        choices=[("", "Choose the disposition"), *codes.MaltreatmentDisposition.choices],
    )

    def __init__(self, *args, report: MaltreatmentReport | None = None, **kwargs):
        if report is not None:
            kwargs.setdefault(
                "initial", {"reported_on": report.reported_on, "disposition": report.disposition}
            )
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Row(
                Column("reported_on", css_class="col-md-6"),
                Column("disposition", css_class="col-md-6"),
            )
        )
