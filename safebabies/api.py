"""Shared API plumbing: pagination, the error shape and the schema hook (the JSON parser is
in safebabies/api_parsers.py: rest_framework.views, imported here, loads the parsers)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.views import exception_handler as drf_exception_handler

from safebabies.lib.ids import ID_SCHEMA


class Pagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


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
