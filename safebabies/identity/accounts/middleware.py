"""With REQUIRE_2FA on, a password alone opens nothing: the signed-in user must pass the
second step (or enrol) before any other page or any session-authenticated API call."""

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from safebabies.identity.accounts.twofactor import has_second_factor, two_factor_required

# Reachable between the password and the second step.
OPEN_URL_NAMES = frozenset(
    {
        "login",
        "logout",
        "two-factor-verify",
        "two-factor-setup",
        "session-keepalive",
        "healthz",
        "api-token",
    }
)
SECOND_FACTOR_NEEDED = (
    "This account signs in with two factors: finish the second step in the browser, "
    "or use a bearer token."
)


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        if match is not None and match.url_name in OPEN_URL_NAMES:
            return None
        if not two_factor_required(user):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": SECOND_FACTOR_NEEDED}, status=403)
        step = "two-factor-verify" if has_second_factor(user) else "two-factor-setup"
        return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")
