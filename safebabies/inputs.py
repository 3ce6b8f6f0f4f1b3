"""Every input answered: a control character (NUL, a line break, ESC, DEL ...) in the URL's
path or in a query parameter is refused with a 400 naming the parameter, before any view
reads it. PostgreSQL refuses NUL in any text, so without this a NUL in an id, a `?case=`
filter or a search was a 500; no id, filter or search of ours holds any control character.

Bodies are not checked here: the forms and serializers refuse NUL in their text fields, and
the API's JSON parser is bounded (safebabies/api_parsers.py).
"""

import re

from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.html import escape

CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def bad_input(request) -> str | None:
    """The name of the first input holding a control character ("path" for the URL's path)."""
    if CONTROL.search(request.path_info):
        return "path"
    for name, values in request.GET.lists():
        if CONTROL.search(name):
            return CONTROL.sub("?", name)
        if any(CONTROL.search(value) for value in values):
            return name
    return None


class RefuseControlCharactersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        name = bad_input(request)
        if name is None:
            return self.get_response(request)
        message = f"{name}: control characters (such as NUL) are not allowed."
        if request.path_info.startswith("/api/"):
            return JsonResponse({name: [message.split(": ", 1)[1]]}, status=400)
        return HttpResponseBadRequest(
            f"<!doctype html><title>Bad request</title><h1>Bad request</h1><p>{escape(message)}</p>"
        )
