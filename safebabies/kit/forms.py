"""Form pieces every page uses: a date input, the crispy helper and section of a page's form,
and a service's ValidationError put on its form."""

from typing import TYPE_CHECKING

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.core.exceptions import ValidationError

if TYPE_CHECKING:  # django-stubs-ext comes with the type stubs, a development dependency
    from django_stubs_ext import StrPromise


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def form_helper(*layout) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False  # the page template holds the <form>, the CSRF token and buttons
    helper.layout = Layout(*layout)
    return helper


def form_section(legend: "str | StrPromise", *fields) -> Fieldset:
    return Fieldset(legend, *fields, css_class="form-section")


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Puts a service's ValidationError on the form: a field's message next to that field,
    anything else at the top of the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
