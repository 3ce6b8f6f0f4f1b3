"""Sign-in form: e-mail and password."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

SIGN_IN_REFUSED = _("That e-mail and password do not match an account. Check both and try again.")


class SignInForm(AuthenticationForm):
    """Django's AuthenticationForm with the username labelled E-mail.

    An unknown e-mail, a wrong password and a deactivated account all get the same message, so
    the form never tells whether an address has an account.
    """

    username = forms.CharField(
        label=_("E-mail"),
        max_length=254,
        widget=forms.EmailInput(
            attrs={"autofocus": True, "autocomplete": "email", "autocapitalize": "none"}
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": SIGN_IN_REFUSED,
        "inactive": SIGN_IN_REFUSED,
    }
