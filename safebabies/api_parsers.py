"""The API's JSON parser (REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]).

Its own module, importing no DRF view: rest_framework.views loads the parser classes when it is
imported, so a parser module that imports it back would be a circular import.
"""

import codecs

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.settings import api_settings
from rest_framework.utils.json import strict_constant

from safebabies.lib import jsonin


class JSONParser(parsers.JSONParser):
    """DRF's, bounded: a body larger than DATA_UPLOAD_MAX_MEMORY_SIZE or nested deeper than
    `jsonin.MAX_DEPTH` is a 400, like any malformed JSON (DRF's own reads any size and turns
    deep nesting into a RecursionError, a 500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if stream is not None else b""
        if limit is not None and len(raw) > limit:
            raise ParseError(f"JSON parse error - the body is larger than {limit} bytes.")
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.decode(raw, encoding)
        except (LookupError, ValueError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        parse_constant = strict_constant if api_settings.STRICT_JSON else None
        try:
            return jsonin.loads(text, parse_constant=parse_constant)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
