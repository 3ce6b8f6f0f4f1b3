"""The data package's tables, declared once (DATA_PACKAGE.md "Tables and columns").

Import and export both read this declaration: which CSV file, which columns in which order, which
are required, what type each cell has, and which model field it maps to. Tables are listed parent
first, so importing them in this order never meets a row whose parent is still to come.

A column's `field` is the model attribute (`attname`) holding its value: `case_id` for a foreign
key, `id` for the record's own id. `to_cell` / `from_cell` turn a value into a CSV cell and back.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db import models

from safebabies import codes
from safebabies.identity.roles import Role
from safebabies.lib.ids import is_valid_id

if TYPE_CHECKING:
    from collections.abc import Iterable

FORMAT = "safebabies-data-package"
VERSION = 1
MANIFEST = "manifest.json"
LIST_SEPARATOR = ";"
# work_mem of the export's and the import's own transaction: their sorts and hashes of whole
# tables in memory rather than on disk
WORK_MEM = "64MB"

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INT = re.compile(r"^-?\d+$")


class Kind(enum.StrEnum):
    ID = "id"  # the row's own id
    REF = "ref"  # the id of a row of another table (`Column.ref`)
    DATE = "date"  # YYYY-MM-DD
    BOOL = "bool"  # true / false
    INT = "int"
    CODE = "code"  # one value of `Column.codes`
    LIST = "list"  # values of `Column.codes` joined by ";"
    TEXT = "text"


class CellError(ValueError):
    """A cell that cannot be read as its column's type; the message says why."""


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    field: str
    required: bool = False
    ref: str | None = None  # REF: the name of the table referred to
    codes: type[models.TextChoices] | None = None  # CODE and LIST
    identifying: bool = False  # names: left out of a de-identified package
    extension: bool = False  # not in DATA_PACKAGE.md version 1; optional on import

    def from_cell(self, raw: str) -> Any:
        """The value of a non-empty cell; raises CellError. (An empty cell is null.)"""
        return _READERS[self.kind](self, raw)

    def to_cell(self, value: Any) -> str:
        """The CSV cell for a value of this column (None and empty lists give an empty cell)."""
        if value is None:
            return ""
        if self.kind is Kind.DATE:
            return value.isoformat()
        if self.kind is Kind.BOOL:
            return "true" if value else "false"
        if self.kind is Kind.LIST:
            return LIST_SEPARATOR.join(value)
        return str(value)

    def _check_code(self, value: str) -> None:
        assert self.codes is not None
        if value not in _code_values(self.codes):
            allowed = ", ".join(self.codes.values)
            raise CellError(f"{value!r} is not a code of {self.name} ({allowed})")


def _read_id(column: Column, raw: str) -> str:
    if not is_valid_id(raw):
        raise CellError(
            f"{raw!r} is not a valid id (1-64 letters, digits, '.', '_', ':' or '-', "
            "starting with a letter or digit)"
        )
    return raw


def _read_date(column: Column, raw: str) -> dt.date:
    try:
        if not _DATE.match(raw):
            raise ValueError
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise CellError(f"{raw!r} is not a date (YYYY-MM-DD)") from None


def _read_bool(column: Column, raw: str) -> bool:
    if raw == "true":
        return True
    if raw == "false":
        return False
    raise CellError(f"{raw!r} is not a boolean (true or false)")


def _read_int(column: Column, raw: str) -> int:
    if not _INT.match(raw):
        raise CellError(f"{raw!r} is not a whole number")
    return int(raw)


def _read_code(column: Column, raw: str) -> str:
    column._check_code(raw)
    return raw


def _read_list(column: Column, raw: str) -> list[str]:
    values = raw.split(LIST_SEPARATOR)
    for value in values:
        column._check_code(value)
    return values


def _read_text(column: Column, raw: str) -> str:
    return raw


_READERS = {
    Kind.ID: _read_id,
    Kind.REF: _read_id,
    Kind.DATE: _read_date,
    Kind.BOOL: _read_bool,
    Kind.INT: _read_int,
    Kind.CODE: _read_code,
    Kind.LIST: _read_list,
    Kind.TEXT: _read_text,
}


@functools.cache
def _code_values(choices: type[models.TextChoices]) -> frozenset[str]:
    return frozenset(choices.values)


@dataclass(frozen=True)
class Table:
    name: str  # "children": the file is children.csv
    model_label: str  # "cases.Child"
    columns: tuple[Column, ...]
    site_path: str  # lookup from the model to its site's id, e.g. "case__site_id"

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.model_label)

    @property
    def id_column(self) -> Column:
        return next(c for c in self.columns if c.kind is Kind.ID)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)

    @property
    def ref_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.kind is Kind.REF)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def model_field(self, column: Column) -> models.Field:
        """The model field a column maps to (`get_field` knows `case_id` as well as `case`)."""
        return model_field(self.model, column.field)


def model_field(model: type[models.Model], name: str) -> models.Field:
    found = model._meta.get_field(name)
    assert isinstance(found, models.Field), f"{model.__name__}.{name} is not a field"
    return found


def _id(name: str) -> Column:
    return Column(name, Kind.ID, "id", required=True)


def _ref(name: str, table: str, *, required: bool = True, extension: bool = False) -> Column:
    return Column(name, Kind.REF, name, required=required, ref=table, extension=extension)


def _date(name: str, *, required: bool = False) -> Column:
    return Column(name, Kind.DATE, name, required=required)


def _bool(name: str) -> Column:
    return Column(name, Kind.BOOL, name)


def _int(name: str) -> Column:
    return Column(name, Kind.INT, name)


def _code(name: str, choices: type[models.TextChoices], *, required: bool = False) -> Column:
    return Column(name, Kind.CODE, name, required=required, codes=choices)


def _list(name: str, choices: type[models.TextChoices]) -> Column:
    return Column(name, Kind.LIST, name, codes=choices)


def _text(name: str, *, identifying: bool = False) -> Column:
    return Column(name, Kind.TEXT, name, identifying=identifying)


TABLES: tuple[Table, ...] = (
    Table(
        "cases",
        "cases.Case",
        (
            _id("case_id"),
            _date("opened_on", required=True),
            _date("closed_on"),
            _code("enrollment", codes.Enrollment),
        ),
        site_path="site_id",
    ),
    Table(
        "children",
        "cases.Child",
        (
            _id("child_id"),
            _ref("case_id", "cases"),
            _date("birth_date", required=True),
            _code("sex", codes.Sex),
            _list("race", codes.Race),
            _code("hispanic", codes.Hispanic),
            _code("icwa", codes.Icwa),
            _date("enrolled_on", required=True),
            _date("exited_on"),
            _text("given_name", identifying=True),
            _text("family_name", identifying=True),
        ),
        site_path="case__site_id",
    ),
    Table(
        "episodes",
        "cases.Episode",
        (
            _id("episode_id"),
            _ref("child_id", "children"),
            _date("removal_date", required=True),
            _code("manner", codes.RemovalManner),
            _list("reasons", codes.RemovalReason),
            _date("discharge_date"),
            _code("discharge_reason", codes.DischargeReason),
        ),
        site_path="child__case__site_id",
    ),
    Table(
        "placements",
        "cases.Placement",
        (
            _id("placement_id"),
            _ref("episode_id", "episodes"),
            _code("setting", codes.PlacementSetting, required=True),
            _date("start_date", required=True),
            _date("end_date"),
            _text("end_reason"),
        ),
        site_path="episode__child__case__site_id",
    ),
    Table(
        "permanency_plans",
        "cases.PermanencyPlan",
        (
            _id("plan_id"),
            _ref("child_id", "children"),
            _date("effective_date", required=True),
            _code("primary_goal", codes.PermanencyGoal, required=True),
            _code("concurrent_goal", codes.PermanencyGoal),
        ),
        site_path="child__case__site_id",
    ),
    Table(
        "hearings",
        "cases.Hearing",
        (
            _id("hearing_id"),
            _ref("case_id", "cases"),
            _code("hearing_type", codes.HearingType, required=True),
            _date("scheduled_on", required=True),
            _code("status", codes.HearingStatus, required=True),
        ),
        site_path="case__site_id",
    ),
    Table(
        "ftms",
        "ftms.Ftm",
        (
            _id("ftm_id"),
            _ref("case_id", "cases"),
            _date("scheduled_on", required=True),
            _code("status", codes.FtmStatus, required=True),
            _bool("parent_attended"),
            _bool("parent_mentor_attended"),
            _list("attendee_roles", Role),
        ),
        site_path="case__site_id",
    ),
    Table(
        "ftm_action_items",
        "ftms.FtmActionItem",
        (
            _id("action_item_id"),
            _ref("ftm_id", "ftms"),
            _code("owner_role", Role),
            _date("due_on", required=True),
            _date("completed_on"),
            _code("status", codes.ActionItemStatus, required=True),
        ),
        site_path="ftm__case__site_id",
    ),
    Table(
        "family_time",
        "familytime.Visit",
        (
            _id("visit_id"),
            _ref("child_id", "children"),
            _date("scheduled_on", required=True),
            _code("status", codes.VisitStatus, required=True),
            _code("cancelled_by", codes.CancelledBy),
            _int("duration_minutes"),
            _code("supervision", codes.Supervision),
            _code("location", codes.VisitLocation),
        ),
        site_path="child__case__site_id",
    ),
    Table(
        "screenings",
        "assessments.Screening",
        (
            _id("screening_id"),
            _ref("child_id", "children", required=False),
            _code("subject", codes.ScreeningSubject, required=True),
            _code("instrument", codes.Instrument, required=True),
            _date("screened_on", required=True),
            _code("result", codes.ScreeningResult),
            _bool("referral_made"),
            # Our screenings belong to a case; a row gives child_id or case_id (or both).
            _ref("case_id", "cases", required=False, extension=True),
        ),
        site_path="case__site_id",
    ),
    Table(
        "services",
        "assessments.Service",
        (
            _id("service_id"),
            _ref("case_id", "cases"),
            _ref("child_id", "children", required=False),
            _code("recipient", codes.ServiceRecipient, required=True),
            _code("service_type", codes.ServiceType, required=True),
            _bool("evidence_based"),
            _date("referred_on", required=True),
            _date("started_on"),
            _date("ended_on"),
            _code("status", codes.ServiceStatus, required=True),
        ),
        site_path="case__site_id",
    ),
    Table(
        "maltreatment_reports",
        "cases.MaltreatmentReport",
        (
            _id("report_id"),
            _ref("child_id", "children"),
            _date("reported_on", required=True),
            _code("disposition", codes.MaltreatmentDisposition, required=True),
        ),
        site_path="child__case__site_id",
    ),
)

TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}
TABLES_BY_FILE: dict[str, Table] = {t.file_name: t for t in TABLES}


def tables_in(names: Iterable[str]) -> list[Table]:
    """The known tables among file names, parent first."""
    present = set(names)
    return [t for t in TABLES if t.file_name in present]
