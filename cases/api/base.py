"""What every read endpoint of a case record shares.

- Rows: every queryset starts from `cases_visible_to(user)` (or a narrower selector of
  `cases.access` for a row rule: FTMs, Part 2), as one SQL query; a row the caller may not
  see is absent from lists and a 404 on detail.
- Rows a parent reads: a viewset names its `kind` (cases.access RECORD_TYPES) and the rows
  `parent_rows` gives a parent of the case join the professional rows; a viewset without a
  kind shows a parent nothing.
- Fields: a field guarded by a `CaseAccess` rule (`notes`, `observations`, `address`, contact
  details) is left out for a viewer without it. The CaseAccess of every row of a page comes
  from `case_access_map`, in two queries for the whole page.
- Names: the data package's column names and codes (DATA_PACKAGE.md); `id` is the package id;
  an empty value is null, as an empty cell is.
- Lists filter by `?case=` and `?child=`, are paginated, load everything they show with
  select_related/prefetch_related and run in `FETCH_RAISE` mode, so a lazy load is an error,
  not an N+1.
- Audit: one "view" event per detail read, one "list" event per list page.
"""

from collections.abc import Callable, Iterable
from typing import Any, ClassVar, cast

from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404
from rest_framework import serializers, viewsets
from rest_framework.filters import BaseFilterBackend
from rest_framework.response import Response

from cases.access import (
    RECORD_TYPES,
    CaseAccess,
    case_access_map,
    cases_visible_to,
    parent_rows,
    records_visible_to,
)
from cases.denials import record_denial, record_denial_of_model
from cases.models import Case
from safebabies.audit.models import AuditEvent
from safebabies.audit.services import audit_log
from safebabies.identity.models import User
from safebabies.lib.ids import ID_SCHEMA

# Ids in URLs: the package's id alphabet (safebabies.lib.ids.ID_PATTERN), dots included.
ID_REGEX = r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}"


class CodeField(serializers.ChoiceField):
    """A code of the data package. An empty code is null, as an empty cell is."""

    def __init__(self, **kwargs: Any) -> None:
        if kwargs.pop("allow_blank", False):
            kwargs["allow_null"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> Any:
        if value in ("", None):
            return None
        return super().to_representation(value)


class TextField(serializers.CharField):
    """Text. Empty text is null, as an empty cell is."""

    def __init__(self, **kwargs: Any) -> None:
        if kwargs.pop("allow_blank", False):
            kwargs["allow_null"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> Any:
        if value in ("", None):
            return None
        return super().to_representation(value)


def ref(source: str | None = None, *, null: bool = False) -> serializers.CharField:
    """The id of another record (`case_id`, `child_id`...), read from `source` when given."""
    kwargs: dict[str, Any] = {"read_only": True, "allow_null": null}
    if source:
        kwargs["source"] = source
    return serializers.CharField(**kwargs)


class RecordSerializer(serializers.ModelSerializer):
    """A case record in the package's vocabulary, read-only.

    `guarded_fields` maps a field to the `CaseAccess` property (or a function of the
    CaseAccess) a viewer needs to get it; the view puts `access_of(record) -> CaseAccess | None`
    in the context.
    """

    serializer_choice_field = CodeField
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: TextField,
        models.TextField: TextField,
        models.EmailField: TextField,
    }
    guarded_fields: ClassVar[dict[str, str | Callable[[CaseAccess], bool]]] = {}
    # fields whose rule depends on the row too: `rule(access, record)` (a parent's own person)
    row_guarded_fields: ClassVar[dict[str, Callable[[CaseAccess, Any], bool]]] = {}

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for name, field in fields.items():
            if name in self.guarded_fields or name in self.row_guarded_fields:
                # present only for some viewers: an optional key in the schema
                field.read_only, field.required = False, False
            else:
                field.read_only = True
        return fields

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        if self.guarded_fields:
            access = self.context["access_of"](instance)
            for name, rule in self.guarded_fields.items():
                allowed = access is not None and (
                    rule(access) if callable(rule) else getattr(access, rule)
                )
                if not allowed:
                    data.pop(name, None)
        if self.row_guarded_fields:
            access = self.context["access_of"](instance)
            for name, row_rule in self.row_guarded_fields.items():
                if access is None or not row_rule(access, instance):
                    data.pop(name, None)
        return data


def page_count(view: Any) -> int:
    """How many rows the paginated list has in all (its page was just taken)."""
    return view.paginator.count


class CaseChildFilter(BaseFilterBackend):
    """`?case=<case_id>` and `?child=<child_id>` on every list of case records."""

    def filter_queryset(self, request, queryset, view):
        case_id = request.query_params.get("case")
        child_id = request.query_params.get("child")
        if case_id:
            queryset = view.filter_by_case(queryset, case_id)
        if child_id:
            queryset = view.filter_by_child(queryset, child_id)
        return queryset

    def get_schema_operation_parameters(self, view) -> list[dict[str, Any]]:
        return [
            {
                "name": "case",
                "in": "query",
                "required": False,
                "schema": dict(ID_SCHEMA),
                "description": "Only the records of this case (its id).",
            },
            {
                "name": "child",
                "in": "query",
                "required": False,
                "schema": dict(ID_SCHEMA),
                "description": "Only the records of this child (its id), or of the child's case "
                "for records that belong to the whole case.",
            },
        ]


class CaseRecordViewSet(viewsets.ReadOnlyModelViewSet):
    """Read-only list and detail of one kind of case record (see the module docstring).

    A subclass names its serializer and how its records reach their case (`case_path`, a
    lookup path, "" for the case itself) and their child (`child_path`: "" for the child
    itself, None when the record belongs to the whole case).
    """

    case_path: ClassVar[str] = "case"
    child_path: ClassVar[str | None] = None
    kind: ClassVar[str | None] = None  # of cases.access RECORD_TYPES: the rows a parent reads
    related: ClassVar[tuple[str, ...]] = ()  # select_related beyond the path to the case
    prefetch: ClassVar[tuple[str, ...]] = ()
    filter_backends = [CaseChildFilter]
    lookup_value_regex = ID_REGEX

    @property
    def user(self) -> User:
        return cast(User, self.request.user)

    def record_serializer(self) -> type[RecordSerializer]:
        return cast(type[RecordSerializer], self.get_serializer_class())

    # --- rows

    def visible_cases(self) -> QuerySet[Case]:
        """The cases whose records of this kind the caller may see; narrowed by a row rule."""
        return cases_visible_to(self.user)

    def model(self) -> type[models.Model]:
        return self.record_serializer().Meta.model

    def get_queryset(self) -> QuerySet:
        model = self.model()
        spec = RECORD_TYPES.get(self.kind) if self.kind else None
        as_parent = parent_rows(self.user, self.kind) if self.kind else None
        if self.kind and spec is not None and (spec.rows_for or spec.hidden_rows):
            # rows that depend on the caller's roles on each case (documents, notes, the
            # court's recommendation, IPV screens) or on the releases they read (Part 2 rows):
            # the access module's list of them, parents' rows included
            queryset = records_visible_to(self.user, self.kind)
        elif self.case_path:
            rows = Q(**{f"{self.case_path}__in": self.visible_cases()})
            queryset = model._default_manager.filter(
                rows if as_parent is None else rows | as_parent
            )
        else:  # the cases themselves: the access module's rows as they are, not joined to
            # themselves (its count reads an index alone for a site-wide role)
            queryset = cast(QuerySet, self.visible_cases())
            if as_parent is not None:
                queryset = queryset | model._default_manager.filter(as_parent)
        if self.case_path:
            queryset = queryset.select_related(self.case_path, *self.related)
        else:
            queryset = queryset.select_related(*self.related)
        queryset = queryset.prefetch_related(*self.prefetch)
        return queryset.fetch_mode(models.FETCH_RAISE)

    def case_of(self, record: Any) -> Case:
        for name in self.case_path.split("__") if self.case_path else []:
            record = getattr(record, name)
        return record

    def filter_by_case(self, queryset: QuerySet, case_id: str) -> QuerySet:
        return queryset.filter(**{f"{self.case_path}_id" if self.case_path else "pk": case_id})

    def filter_by_child(self, queryset: QuerySet, child_id: str) -> QuerySet:
        if self.child_path is not None:
            return queryset.filter(
                **{f"{self.child_path}_id" if self.child_path else "pk": child_id}
            )
        # a record of the whole case: the records of the child's case
        case_of_child = records_visible_to(self.user, "child").filter(pk=child_id).values("case_id")
        return queryset.filter(
            **{f"{self.case_path}_id__in" if self.case_path else "pk__in": case_of_child}
        )

    # --- fields

    def serialize(self, records: list[Any]) -> Any:
        serializer_class = self.record_serializer()
        access: dict[str, CaseAccess] = {}
        if serializer_class.guarded_fields or serializer_class.row_guarded_fields:
            access = case_access_map(self.user, {self.case_of(r).pk for r in records})
        access_of: Callable[[Any], CaseAccess | None] = lambda r: access.get(self.case_of(r).pk)  # noqa: E731
        context = {**self.get_serializer_context(), "access_of": access_of}
        return serializer_class(records, many=True, context=context).data

    def get_object(self) -> Any:
        """The record of the detail URL; a 404 (not there, or not the caller's to see) is a
        `denied` audit event, as from the access module (cases/denials.py)."""
        try:
            return super().get_object()
        except Http404:
            lookup = self.lookup_url_kwarg or self.lookup_field
            record_denial_of_model(self.user, self.model(), self.kwargs.get(lookup))
            raise

    # --- actions

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        records = list(self.paginate_queryset(queryset) or [])
        data = self.serialize(records)
        self.audit_list(records)
        return self.get_paginated_response(data)

    def retrieve(self, request, *args, **kwargs):
        record = self.get_object()
        data = self.serialize([record])[0]
        case = self.case_of(record)
        audit_log(
            actor=request.user,
            action=AuditEvent.Action.VIEW,
            record=record,
            case_id=case.pk,
            site_id=case.site_id,
            request=request._request,
        )
        return Response(data)

    def audit_list(self, records: Iterable[Any]) -> None:
        """One event for the page: which filter, which cases' records were shown (ids only).
        A `?case=` or `?child=` the caller may not open is probing, as a detail URL would be:
        a `denied` event with the family's site, for its admins."""
        params = self.request.query_params
        if (
            params.get("case")
            and not records_visible_to(self.user, "case").filter(pk=params["case"]).exists()
        ):
            record_denial(self.user, "case", params["case"])
        if (
            params.get("child")
            and not records_visible_to(self.user, "child").filter(pk=params["child"]).exists()
        ):
            record_denial(self.user, "child", params["child"])
        cases = {self.case_of(r).pk: self.case_of(r).site_id for r in records}
        sites = set(cases.values())
        audit_log(
            actor=self.user,
            action=AuditEvent.Action.LIST,
            record_type=self.model()._meta.label_lower,
            case_id=next(iter(cases)) if len(cases) == 1 else "",
            site_id=next(iter(sites)) if len(sites) == 1 else None,
            detail={
                "filter": {k: params[k] for k in ("case", "child", "page") if params.get(k)}
                # a cursor carries the sort keys of a row (a name, a birth date): the trail
                # says one was followed, not what it held (it outlives a purge)
                | ({"cursor": True} if params.get("cursor") else {}),
                "count": page_count(self),
                "case_ids": sorted(cases),
            },
            request=self.request._request,
        )
