"""Shared API plumbing: pagination, the error shape and the schema hook (the JSON parser is
in safebabies/api_parsers.py: rest_framework.views, imported here, loads the parsers)."""

import base64
import binascii
import datetime as dt
import json
from decimal import Decimal
from typing import Any, cast

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Field, OrderBy, Q, QuerySet
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import exception_handler as drf_exception_handler

from safebabies.lib.ids import ID_SCHEMA

# A page number past this is refused (404) before it reaches the database, whose OFFSET is a
# bigint: no list is a billion pages long.
MAX_PAGE_NUMBER = 10_000_000


class Pagination(pagination.PageNumberPagination):
    """`{"count", "next", "previous", "results"}` (INTERFACES.md), with keyset links.

    `?page=N` works as it always did; but `next` and `previous` are `?cursor=` links that
    carry the sort key of the page's last (first) row, so the next page is the rows after it
    in the list's order (`WHERE (key) > (last)`, read along an index where there is one) and
    a deep page costs what the first does; a row written meanwhile is neither skipped nor
    shown twice. The order is the list's own (the model's `ordering`) with the id last, so
    every row has its own place. A list ordered by something else than its fields (a
    search, by rank) keeps page-number links and refuses a cursor. `count` stays exact: one
    `count(*)` (index-only for a site-wide role's cases), then one query for the page, which
    reads one row more than it shows to know whether there is a next page: two queries, as
    before, whatever the page.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    cursor_query_param = "cursor"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.keys = keyset_of(queryset)
        cursor = request.query_params.get(self.cursor_query_param)
        if self.keys is None:
            if cursor:
                raise ValidationError({"cursor": ["This list is paged by `page`, not `cursor`."]})
            self.keyset = False
            records = super().paginate_queryset(queryset, request, view)
            self.count = self.page.paginator.count
            return records
        self.keyset = True
        size = self.get_page_size(request) or self.page_size
        self.count = queryset.count()
        if cursor:
            values, backward = decode_cursor(cursor, self.keys)
            after = keyset_after(self.keys, values, backward=backward)
            if backward:
                reverse = [(field, not desc) for field, desc in self.keys]
                rows = list(queryset.filter(after).order_by(*order_of(reverse))[: size + 1])
                more = len(rows) > size
                rows = rows[:size][::-1]
                self.has_previous, self.has_next = more, True
            else:
                rows = list(queryset.filter(after).order_by(*order_of(self.keys))[: size + 1])
                self.has_previous, self.has_next = True, len(rows) > size
                rows = rows[:size]
        else:
            # the page asked for (`?page=N`, the first by default), by offset this once
            number = self.page_number(request)
            start = (number - 1) * size
            rows = list(queryset.order_by(*order_of(self.keys))[start : start + size + 1])
            if not rows and number > 1:
                raise NotFound("Invalid page.")
            self.has_previous, self.has_next = number > 1, len(rows) > size
            rows = rows[:size]
        self.rows = rows
        return rows

    def page_number(self, request) -> int:
        raw = request.query_params.get(self.page_query_param, "1")
        if raw in self.last_page_strings:
            size = self.get_page_size(request) or self.page_size
            return max(1, -(-self.count // size))
        try:
            number = int(raw)
        except ValueError:
            raise NotFound("Invalid page.") from None
        if number < 1 or number > MAX_PAGE_NUMBER:
            raise NotFound("Invalid page.")
        return number

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def link(self, row, *, backward: bool) -> str:
        url = cast(Request, self.request).build_absolute_uri()
        url = remove_query_param(url, self.page_query_param)
        cursor = encode_cursor([key_value(row, field) for field, _desc in self.keys], backward)
        return replace_query_param(url, self.cursor_query_param, cursor)

    def get_next_link(self):
        if not self.keyset:
            return super().get_next_link()
        return self.link(self.rows[-1], backward=False) if self.has_next and self.rows else None

    def get_previous_link(self):
        if not self.keyset:
            return super().get_previous_link()
        if not self.has_previous:
            return None
        if not self.rows:  # a cursor past the end: the page before is the list's last
            url = cast(Request, self.request).build_absolute_uri()
            url = remove_query_param(url, self.cursor_query_param)
            return replace_query_param(url, self.page_query_param, "last")
        return self.link(self.rows[0], backward=True)

    def get_schema_operation_parameters(self, view):
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Where the page starts: the value in a `next` or `previous` link.",
                "schema": {"type": "string"},
            },
        ]


Keys = list[tuple[Field, bool]]  # (field, descending), the id last


def keyset_of(queryset: QuerySet) -> Keys | None:
    """The list's order as fields of its model, with the id appended if absent; None when it is
    ordered by anything else (an annotation, an expression, a related field)."""
    if not isinstance(queryset, QuerySet):
        return None
    meta = queryset.model._meta
    ordering = list(queryset.query.order_by) or (
        list(meta.ordering) if queryset.query.default_ordering else []
    )
    keys: Keys = []
    for item in ordering:
        if isinstance(item, OrderBy) and isinstance(item.expression, F):
            if item.nulls_first or item.nulls_last:
                return None
            name, desc = cast(Any, item.expression).name, item.descending
        elif isinstance(item, str) and item not in ("?",):
            name, desc = item.lstrip("-"), item.startswith("-")
        else:
            return None
        if name == "pk":
            name = meta.pk.name
        try:
            field = meta.get_field(name)
        except FieldDoesNotExist:
            return None
        if not field.concrete or field.is_relation:
            return None
        keys.append((field, desc))
    if not any(field.primary_key for field, _desc in keys):
        keys.append((meta.pk, False))
    return keys


def order_of(keys: Keys) -> list[OrderBy]:
    return [F(field.name).desc() if desc else F(field.name).asc() for field, desc in keys]


def key_value(row: Any, field: Field) -> Any:
    return getattr(row, field.attname)


def keyset_after(keys: Keys, values: list[Any], *, backward: bool = False) -> Q:
    """The rows after (before) the one with these key values, in the keys' order. PostgreSQL
    puts nulls last in ascending order and first in descending order."""
    condition = Q(pk__in=[])
    equal = Q()
    for (field, desc), value in zip(keys, values, strict=True):
        desc = desc != backward
        name = field.name
        if value is None:
            later = Q(**{f"{name}__isnull": False}) if desc else Q(pk__in=[])
            same = Q(**{f"{name}__isnull": True})
        else:
            later = Q(**{f"{name}__lt" if desc else f"{name}__gt": value})
            if field.null and not desc:
                later |= Q(**{f"{name}__isnull": True})
            same = Q(**{name: value})
        condition |= equal & later
        equal &= same
    first, first_desc = keys[0]
    if values[0] is not None and not first.null:
        # the leading key's bound alone, so an index on the order is read from the cursor on
        bound = "lte" if first_desc != backward else "gte"
        condition = Q(**{f"{first.name}__{bound}": values[0]}) & condition
    return condition


def _json_value(value: Any) -> Any:
    """Dates and times in full ISO form (DjangoJSONEncoder would cut microseconds off, and a
    key must come back exactly); decimals as text."""
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(type(value).__name__)


def encode_cursor(values: list[Any], backward: bool) -> str:
    raw = json.dumps({"k": values, "b": backward}, default=_json_value, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, keys: Keys) -> tuple[list[Any], bool]:
    """The key values and the direction of a cursor; a 400 naming `cursor` for anything that
    is not one of this list's cursors."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        given, backward = data["k"], data["b"]
        if not isinstance(given, list) or len(given) != len(keys) or not isinstance(backward, bool):
            raise ValueError
        values = [
            None if value is None else field.to_python(value)
            for (field, _desc), value in zip(keys, given, strict=True)
        ]
        for (field, _desc), value in zip(keys, values, strict=True):
            if value is None and not field.null:
                raise ValueError
            if isinstance(value, str):
                if "\x00" in value:  # PostgreSQL refuses NUL in text
                    raise ValueError
                field.run_validators(value)
    except (ValueError, TypeError, KeyError, DjangoValidationError, binascii.Error):
        raise ValidationError(
            {"cursor": ["Not a cursor of this list: follow a `next` or `previous` link."]}
        ) from None
    return values, backward


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
