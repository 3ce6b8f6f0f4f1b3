"""Forms of closing, reopening, transferring, sealing and purging a case (crispy, Bootstrap 5).
The rules are the services' (`cases.closing.services`)."""

from typing import TYPE_CHECKING, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.closing.services import in_care_field
from cases.models import ClosureReason
from safebabies.identity.models import Site
from safebabies.kit.forms import DateInput, form_helper, form_section

if TYPE_CHECKING:  # django-stubs-ext comes with the type stubs, a development dependency
    from django_stubs_ext import StrPromise


class CloseForm(forms.Form):
    closed_on = forms.DateField(label=_("Case closed on"), widget=DateInput())
    reason = forms.ChoiceField(
        label=_("Why the case closes"), choices=[("", "Choose a reason"), *ClosureReason.choices]
    )
    note = forms.CharField(
        label=_("In a few words"),
        max_length=500,
        required=False,
        help_text=_("Needed when the reason is 'Other'."),
    )

    def __init__(self, *args, children_in_care, **kwargs):
        super().__init__(*args, **kwargs)
        self.children_in_care = children_in_care
        names = []
        for child in children_in_care:
            name = in_care_field(child.pk)
            self.fields[name] = forms.CharField(
                label=f"Why the case closes while {child} is still in care",
                max_length=300,
                required=False,
                help_text=_(
                    "No discharge date is recorded for this child. Record the discharge "
                    "on the child's timeline, or say why the case closes anyway."
                ),
            )
            names.append(name)
        layout = [form_section(_("The closing"), "closed_on", "reason", "note")]
        if names:
            layout.append(form_section(_("Children still in care"), *names))
        self.helper = form_helper(*layout)

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "closed_on": data["closed_on"],
            "reason": data["reason"],
            "note": data["note"],
            "in_care": {c.pk: data.get(in_care_field(c.pk), "") for c in self.children_in_care},
        }


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Why"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, label: "str | StrPromise | None" = None, **kwargs):
        super().__init__(*args, **kwargs)
        if label is not None:
            self.fields["reason"].label = label
        self.helper = form_helper("reason")


class TransferForm(forms.Form):
    to_site = forms.ModelChoiceField(
        label=_("The site that takes the family's case"),
        queryset=Site.objects.none(),
        empty_label=_("Choose a site"),
    )
    note = forms.CharField(
        label=_("A note for the receiving site"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "They read it, with the family's name and how many children, before they "
            "accept. Keep details of the case for after they accept."
        ),
    )

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["to_site"]).queryset = sites
        self.helper = form_helper("to_site", "note")


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Your answer"),
        choices=[("accept", "Accept the case"), ("decline", "Decline")],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("A note for the sending site"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper("decision", "note")


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(label=_("I have checked: seal this case"), required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper("confirm")


class RetentionForm(forms.Form):
    retention_years = forms.IntegerField(
        label=_("Years a closed case is kept"),
        min_value=1,
        max_value=99,
        help_text=_(
            "After this many years from closing, the site's admins are asked to seal or "
            "purge the case."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper("retention_years")
