"""What every written case-record endpoint shares (INTERFACES.md: "Every resource above is
writable").

- `POST` names the record's parent as the data package does (`case_id`, `child_id`,
  `episode_id`), looked up through the access module with the right to write: a parent the
  caller may not see is a 400 naming the field (the same answer as one that does not exist),
  a read-only role a 403.
- `PATCH` changes the fields it sends. The record comes through `access_record(...,
  write=True)`: one the caller may not see is a 404, a read-only role a 403. A record stays
  with its parent and keeps its id.
- `id`: the client may give the package id of a new record (unique in the installation: one
  already used is a 400 naming `id`); otherwise the server makes one.
- Codes are the package's codes only; an empty code or text is null, as an empty cell is.
- The rules are the services' (which apply the import's checks, cases/package/checks.py); each
  refusal comes back as a 400 naming the field in the package's words (`caregiver_id`, not
  `caregiver`). No request gets a 5xx.
"""

from collections.abc import Callable
from typing import Any, ClassVar

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from cases.access import CaseAccess, access_case, access_record, case_record
from cases.api.base import CaseRecordViewSet
from safebabies.lib.ids import ID_MAX_LENGTH, ID_PATTERN

ID_HELP = (
    "The record's package id (1-64 letters, digits, '.', '_', ':' or '-'). Leave it out and "
    "the server makes one; an id already used in this installation is refused."
)


def id_field(**kwargs: Any) -> serializers.RegexField:
    return serializers.RegexField(
        ID_PATTERN.pattern,
        max_length=ID_MAX_LENGTH,
        error_messages={"invalid": "An id is 1-64 letters, digits, '.', '_', ':' or '-'."},
        **kwargs,
    )


def code(choices: Any, **kwargs: Any) -> serializers.ChoiceField:
    """A code of the package's list; optional codes take null (an empty cell)."""
    if not kwargs.get("required", True):
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("allow_blank", True)
    return serializers.ChoiceField(choices=choices, **kwargs)


def codes_list(choices: Any, **kwargs: Any) -> serializers.ListField:
    """A list of codes (the package's `;`-joined cell)."""
    return serializers.ListField(
        child=serializers.ChoiceField(choices=choices),
        required=False,
        allow_null=True,
        max_length=len(choices),
        **kwargs,
    )


def text(max_length: int | None = None, **kwargs: Any) -> serializers.CharField:
    kwargs.setdefault("required", False)
    return serializers.CharField(
        max_length=max_length, allow_blank=True, allow_null=True, trim_whitespace=True, **kwargs
    )


def ref_id(**kwargs: Any) -> serializers.CharField:
    return serializers.CharField(max_length=ID_MAX_LENGTH, **kwargs)


def empty_value(field: models.Field) -> Any:
    """What null means for a model field, as an empty cell does on import: null where the
    field takes it, [] for a list, the default where there is one (a child's icwa:
    "unknown"), else ""."""
    if isinstance(field, ArrayField):
        return []
    if field.null:
        return None
    if field.has_default():
        return field.get_default()
    return ""


class RecordWriteViewSet(CaseRecordViewSet):
    """Adds POST and PATCH to a case-record endpoint (see the module docstring).

    A subclass names its bodies (`create_serializer`, `update_serializer`), its kind of record
    (`kind`, of `cases.access.RECORD_TYPES`), its parent (`parent`: the body's field and the
    kind it names, or `case_id`/"case"), the other records a body may name (`refs`: body field
    -> (service argument, kind)), and the service calls (`create_record`, `update_record`).
    """

    http_method_names = ["get", "post", "patch", "head", "options"]
    kind: ClassVar[str]
    parent: ClassVar[tuple[str, str]]  # ("child_id", "child")
    refs: ClassVar[dict[str, tuple[str, str]]] = {}  # "caregiver_id" -> ("caregiver", "person")
    create_serializer: ClassVar[type[serializers.Serializer]]
    update_serializer: ClassVar[type[serializers.Serializer]]

    def get_serializer_class(self):
        if self.request is not None and self.request.method == "POST":
            return self.create_serializer
        if self.request is not None and self.request.method in ("PUT", "PATCH"):
            return self.update_serializer
        return self.serializer_class

    def record_serializer(self):
        return self.serializer_class

    # --- the body

    def model_field(self, name: str) -> models.Field | None:
        try:
            found = self.model()._meta.get_field(name)
        except Exception:
            return None
        return found if isinstance(found, models.Field) else None

    def service_kwargs(self, access: CaseAccess, data: dict[str, Any]) -> dict[str, Any]:
        """The body as the service's arguments: refs looked up in the case (a record the
        caller may not see there is a 400 naming the field), nulls as empty cells."""
        kwargs: dict[str, Any] = {}
        for key, value in data.items():
            if key in self.refs:
                argument, kind = self.refs[key]
                found = case_record(access, kind, value) if value else None
                if value and found is None:
                    raise ValidationError({key: [f"No {kind} with this id in this family."]})
                kwargs[argument] = found
                continue
            field = self.model_field(key)
            if value is None and field is not None:
                value = empty_value(field)
            kwargs[key] = value
        return kwargs

    def field_name(self, name: str) -> str:
        """A service's field name in the package's words."""
        for key, (argument, _kind) in self.refs.items():
            if argument == name:
                return key
        if name == self.parent[1]:
            return self.parent[0]
        return name

    def call(self, func: Callable[..., Any], **kwargs: Any) -> Any:
        try:
            return func(actor=self.user, request=self.request._request, **kwargs)
        except DjangoValidationError as exc:
            if hasattr(exc, "error_dict"):
                raise ValidationError(
                    {self.field_name(k): v for k, v in exc.message_dict.items()}
                ) from exc
            raise ValidationError({"non_field_errors": exc.messages}) from exc

    def written(self, record: Any, code: int) -> Response:
        fresh = self.get_queryset().get(pk=record.pk)
        return Response(self.serialize([fresh])[0], status=code)

    # --- the parent

    def parent_for_write(self, value: str) -> tuple[CaseAccess, Any]:
        """The parent named in a POST body, with the right to write its case."""
        name, kind = self.parent
        try:
            if kind == "case":
                access = access_case(self.user, value, write=True)
                return access, access.case
            found = access_record(self.user, kind, value, write=True)
        except Http404:
            raise ValidationError(
                {name: [f"No {kind} with this id in the families you see."]}
            ) from None
        return found.access, found.record

    # --- actions

    def create(self, request, *args, **kwargs):
        given = self.create_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        access, parent = self.parent_for_write(data.pop(self.parent[0]))
        record = self.create_record(access, parent, self.service_kwargs(access, data))
        return self.written(record, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        found = access_record(self.user, self.kind, kwargs[self.lookup_field], write=True)
        given = self.update_serializer(data=request.data, partial=True)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        record = found.record
        if data.pop("id", record.pk) != record.pk:
            raise ValidationError({"id": ["A record keeps its id."]})
        self.keep_parent(record, data)
        updated = self.update_record(found.access, record, self.service_kwargs(found.access, data))
        return self.written(updated, status.HTTP_200_OK)

    def keep_parent(self, record: Any, data: dict[str, Any]) -> None:
        """A record stays with its parent: naming another one is a 400."""
        name, kind = self.parent
        if name in data and data.pop(name) != getattr(record, f"{kind}_id"):
            raise ValidationError({name: [f"A record stays with its {kind}."]})

    def create_record(self, access: CaseAccess, parent: Any, kwargs: dict[str, Any]) -> Any:
        raise NotImplementedError

    def update_record(self, access: CaseAccess, record: Any, kwargs: dict[str, Any]) -> Any:
        raise NotImplementedError


def write_schema(viewset: type[RecordWriteViewSet]) -> type[RecordWriteViewSet]:
    """The OpenAPI schema of a written endpoint: its POST and PATCH bodies."""
    return extend_schema_view(
        create=extend_schema(
            request=viewset.create_serializer, responses={201: viewset.serializer_class}
        ),
        partial_update=extend_schema(
            request=viewset.update_serializer, responses={200: viewset.serializer_class}
        ),
    )(viewset)
