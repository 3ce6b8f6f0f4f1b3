"""Shared API plumbing: pagination, the JSON parser and the error shape."""

import codecs

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import pagination, parsers
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.settings import api_settings
from rest_framework.utils.json import strict_constant
from rest_framework.views import exception_handler as drf_exception_handler

from safebabies.lib import jsonin
from safebabies.lib.ids import ID_SCHEMA


class Pagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


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


def exception_handler(exc, context):
    """Django model validation errors become 400s naming the field, like DRF's own."""
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(
            detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    return drf_exception_handler(exc, context)


def id_path_parameters(result, generator, request, public):
    """drf-spectacular postprocessing hook: every record id in a URL's path (`{id}`,
    `{case_id}`, `{hearing_id}`) is stated as what it is, an opaque id (ID_PATTERN, at most
    64 characters), so a generated request names an id and not any string."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                name, schema = parameter.get("name", ""), parameter.get("schema", {})
                if (
                    parameter.get("in") == "path"
                    and (name == "id" or name.endswith("_id"))
                    and schema.get("type") == "string"
                ):
                    parameter["schema"] = {**schema, **ID_SCHEMA}
    return result
