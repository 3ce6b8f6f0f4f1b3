"""Forms of the account pages. Rules live in teams.accounts.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from safebabies.identity.roles import Role


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_(
            "The 6-digit code your authenticator app shows, or one of your recovery codes."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class EnrolForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


ROLE_CHOICES = [(value, label) for value, label in Role.choices if value != Role.NATIONAL]


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    full_name = forms.CharField(label=_("Full name"), max_length=200, required=False)
    roles = forms.MultipleChoiceField(
        label=_("Roles at this site"), choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple
    )


PHONE_HELP = (
    "Families you work with see it on their page and their family copies, to call or text you."
)


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Your work phone"), max_length=40, required=False, help_text=PHONE_HELP
    )


class RolesForm(forms.Form):
    phone = forms.CharField(
        label=_("Work phone"), max_length=40, required=False, help_text=PHONE_HELP
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles at this site"),
        choices=ROLE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Untick every role to take the person off this site."),
    )


class LinkRequestForm(forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autocapitalize": "none"}),
    )
