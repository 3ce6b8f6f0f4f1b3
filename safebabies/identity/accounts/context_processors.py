"""The idle timeout, for static/js/session.js (read from data attributes: no inline script)."""

from django.conf import settings


def session_timeout(request):
    return {
        "session_seconds": settings.SESSION_COOKIE_AGE,
        "session_warning_seconds": settings.SESSION_WARNING_SECONDS,
    }
