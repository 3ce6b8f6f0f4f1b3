"""django-axes hooks: one account name per person, one answer when locked out."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

LOCKED_OUT = (
    "Too many sign-in attempts. For your safety, sign-in from here is paused for a while: "
    "try again later, or ask your site admin for help."
)


def username_of(request: HttpRequest, credentials: dict | None) -> str:
    """The e-mail tried, lower-cased, so that `A@x.org` and `a@x.org` share one counter."""
    value = ""
    if credentials:
        value = credentials.get("username") or credentials.get("email") or ""
    if not value:
        data = getattr(request, "data", None) or request.POST
        value = data.get("username") or data.get("email") or ""
    return str(value).strip().lower()


def locked_out(request: HttpRequest, credentials: dict | None = None) -> HttpResponse:
    """The same answer whether or not the e-mail belongs to an account."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": LOCKED_OUT}, status=429)
    return render(request, "accounts/locked_out.html", {"message": LOCKED_OUT}, status=429)
