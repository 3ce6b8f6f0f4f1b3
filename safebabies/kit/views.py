"""The form page every "record something" page is: GET shows the form, a valid POST calls the
service and goes back; a service's refusal is shown on the form, next to its field."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from safebabies.identity.http import AuthenticatedRequest
from safebabies.kit import forms


def form_page(
    request: HttpRequest,
    *,
    form: Any,
    save: Callable[[], Any],
    done: Callable[[Any], str],
    title: str,
    submit: str,
    case=None,
    intro: str = "",
    success: str = "Saved.",
    cancel: str | None = None,
) -> HttpResponse:
    """GET shows the form; a valid POST calls the service and goes back to the case page."""
    if request.method == "POST" and form.is_valid():
        try:
            result = save()
        except ValidationError as exc:
            forms.add_service_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect(done(result))
    cancel = cancel or (
        reverse("case-detail", args=[case.pk]) if case is not None else reverse("case-list")
    )
    context = {
        "form": form,
        "title": title,
        "submit": submit,
        "case": case,
        "intro": intro,
        "cancel_url": cancel,
    }
    return render(request, "cases/form.html", context)


def form_data(request: AuthenticatedRequest) -> Any:
    return request.POST if request.method == "POST" else None
