"""Session and response rules for signed-in people.

- With REQUIRE_2FA on, a password alone opens nothing: the signed-in user must pass the
  second step (or enrol) before any other page or any session-authenticated API call.
- A session ends SESSION_ABSOLUTE_HOURS after sign-in, whatever the activity.
- No answer to a signed-in person (or to the API) is kept by a browser or proxy cache.
- A signed-in person's pages show dates and times in their site's time zone.
- A signed-in person's pages are in the language they chose (`User.preferred_language`)."""

import time
import zoneinfo
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation

from safebabies.identity.accounts.twofactor import has_second_factor, two_factor_required
from safebabies.identity.selectors import home_time_zone

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
        "choose-language",
        "sign-in-link-request",
        "sign-in-link",
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


# The session key holding when the person signed in (seconds since the epoch); set by the
# `user_logged_in` receiver in identity/signals.py.
SIGNED_IN_AT = "signed_in_at"


class SessionLifetimeMiddleware:
    """Ends a session SESSION_ABSOLUTE_HOURS after its sign-in, however active it has been (the
    idle timeout, SESSION_COOKIE_AGE, is separate). A session older than this middleware (no
    sign-in time) gets its clock started on its next request. After the sign-out the request
    goes on anonymous: a page redirects to the sign-in, the API answers 401/403."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if user is not None and session is not None and user.is_authenticated:
            started = session.get(SIGNED_IN_AT)
            now = time.time()
            if not isinstance(started, int | float):
                session[SIGNED_IN_AT] = now
            elif now - started >= settings.SESSION_ABSOLUTE_HOURS * 3600:
                logout(request)
        return self.get_response(request)


NO_STORE = "private, no-store"


class NoStoreMiddleware:
    """`Cache-Control: private, no-store` on every answer to a signed-in person (pages, API
    JSON, PDFs, CSV downloads) and on every API answer, so no browser or shared cache keeps a
    family's record. Anonymous pages (the sign-in page) and static files (served by WhiteNoise
    before this) keep their own headers; the calendar feed sets the same header itself."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        before = _signed_in(request)
        response = self.get_response(request)
        if before or _signed_in(request) or request.path.startswith("/api/"):
            response["Cache-Control"] = NO_STORE
            if response.has_header("Expires"):
                del response["Expires"]
        return response


def _signed_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


# The session key holding the time zone pages are shown in (the person's site's); set at
# sign-in by the `user_logged_in` receiver in identity/signals.py.
SITE_TIME_ZONE = "site_time_zone"


class SiteTimeZoneMiddleware:
    """Dates and times on a signed-in person's pages are those of their site's time zone
    (`Site.timezone`): the `when` filter and every datetime a template prints convert to it.
    The zone is read once, at sign-in, into the session; a session older than this middleware
    gets it on its next request. Anonymous pages stay in UTC (settings.TIME_ZONE)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and _signed_in(request):
            name = session.get(SITE_TIME_ZONE)
            if not isinstance(name, str):
                name = session[SITE_TIME_ZONE] = home_time_zone(request.user)  # type: ignore[arg-type]
            try:
                zone = zoneinfo.ZoneInfo(name)
            except (ValueError, zoneinfo.ZoneInfoNotFoundError):
                zone = None
            if zone is not None:
                with timezone.override(zone):
                    return self.get_response(request)
        return self.get_response(request)


class PersonLanguageMiddleware:
    """A signed-in person's pages are in their own language (`User.preferred_language`, chosen
    on any page's language switch or by their Community Coordinator), whatever their browser
    says. Anonymous pages (the sign-in page) keep the language Django's `LocaleMiddleware` took
    from the language cookie or the browser. Runs after the authentication middleware;
    `LocaleMiddleware` then writes `Content-Language` for the language used."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _signed_in(request):
            language = getattr(request.user, "preferred_language", "") or ""
            if language in dict(settings.LANGUAGES):
                translation.activate(language)
                request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        return self.get_response(request)


class SignInBusyMiddleware:
    """Every password-hashing slot stayed busy (safebabies/identity/hashers.py): a 503 that says
    so, with `Retry-After`, instead of a sign-in that waits for the CPU with everyone else. The
    API gets JSON; a page gets a short page in the reader's language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        from django.shortcuts import render
        from django.utils.translation import gettext

        from safebabies.identity.hashers import SignInBusy

        if not isinstance(exception, SignInBusy):
            return None
        seconds = exception.retry_after
        message = gettext(
            "Many people are signing in at this moment. Please try again in %(seconds)s seconds."
        ) % {"seconds": seconds}
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse({"detail": message}, status=503)
        else:
            response = render(
                request, "registration/sign_in_busy.html", {"message": message}, status=503
            )
        response["Retry-After"] = str(seconds)
        response["Cache-Control"] = "no-store"
        return response
