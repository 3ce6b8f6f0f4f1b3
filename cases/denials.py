"""Denied lookups go to the audit trail, so a site's admins see someone probing its records.

`access_case` and `access_record` (cases/access.py) are wrapped by `audited_denial`: when
either answers 404 to a signed-in person, one `denied` event is written with the person, the
kind and the id they asked for and, when the record exists, its case and site. The person gets
the same 404 whether or not it exists; only the site's admins, reading the trail, see more. A
lookup made inside another (a record's case) is recorded once, by the outermost one, with the
id that was asked for."""

import contextvars
import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import Http404

from safebabies.audit.models import AuditEvent
from safebabies.audit.services import audit_log

F = TypeVar("F", bound=Callable[..., Any])

_inside_lookup: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "inside_access_lookup", default=False
)


def audited_denial(kind: str | None = None) -> Callable[[F], F]:
    """Decorates an access function `f(user, [kind,] record_id, ...)`: `kind` fixed (the
    case), or None to read it from the second argument (`access_record`)."""

    def decorate(function: F) -> F:
        signature = inspect.signature(function)
        id_name = list(signature.parameters)[1 if kind else 2]  # case_id / record_id

        @functools.wraps(function)
        def wrapper(user, *args, **kwargs):
            if _inside_lookup.get():
                return function(user, *args, **kwargs)
            token = _inside_lookup.set(True)
            try:
                return function(user, *args, **kwargs)
            except Http404:
                asked = signature.bind(user, *args, **kwargs).arguments
                record_denial(user, kind or asked["kind"], asked[id_name])
                raise
            finally:
                _inside_lookup.reset(token)

        return wrapper  # type: ignore[return-value]

    return decorate


def record_denial_of_model(user: Any, model: type[Model], record_id: Any) -> None:
    """The same event for an API detail URL answering 404 (the record is not among those the
    caller may see): the kind is the one of RECORD_TYPES with this model."""
    from cases.access import RECORD_TYPES  # this module sits under the access module

    label = model._meta.label_lower
    kind = next((k for k, spec in RECORD_TYPES.items() if spec.model.lower() == label), None)
    if kind is not None:
        record_denial(user, kind, record_id)


def record_denial(user: Any, kind: str, record_id: Any) -> None:
    """One `denied` event: who asked for which id and, if the record exists, its case and site
    (for the site's admins; the asker is told nothing)."""
    if not getattr(user, "is_authenticated", False):
        return
    from cases.access import RECORD_TYPES  # this module sits under the access module

    spec = RECORD_TYPES[kind]
    case_id, site_id = "", None
    site_lookup = f"{spec.case_path}__site_id" if spec.case_path else "site_id"
    try:
        found = (
            spec.model_class()
            ._default_manager.filter(pk=record_id)
            .values_list(spec.case_lookup(), site_lookup)
            .first()
        )
    except (ValueError, TypeError, ValidationError):
        found = None  # an id of the wrong shape: nothing to look up
    if found is not None:
        case_id, site_id = str(found[0]), found[1]
    audit_log(
        actor=user,
        action=AuditEvent.Action.DENIED,
        record_type=spec.model.lower(),
        record_id=str(record_id)[:64],
        case_id=case_id,
        site_id=site_id,
        detail={"kind": kind, "exists": found is not None},
    )
