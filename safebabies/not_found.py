"""The ordinary "page not found" page, with DEBUG on too.

With DEBUG on (`make run`), Django answers an unknown address with its debug 404 page, which
lists every URL pattern of the application (and a view's 404 with the view's name) to anyone
who reaches the port. This middleware answers both with the ordinary 404 page instead; the
rest of DEBUG's help for developers (the traceback page of a 500, static files, ...) stays.
With DEBUG off it does nothing: Django already answers with the ordinary page."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.views.defaults import page_not_found


class PlainNotFoundMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.DEBUG:
            try:
                resolve(request.path_info, getattr(request, "urlconf", None))
            except Resolver404 as unknown:
                # CommonMiddleware (outside this one) still redirects "/cases" to "/cases/".
                return page_not_found(request, unknown)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if settings.DEBUG and isinstance(exception, Http404):
            return page_not_found(request, exception)
        return None
