"""The import's rules across rows and tables, as SQL over the staging tables (see `importer`).

Each table of a package is first COPYed into a temporary staging table (`Staged`): one row per
CSV record with its line (`_line`), the columns whose cell was bad (`_invalid`, package column
names; such a cell is null), whether the row repeats an id of an earlier line (`_dup`) and every
column of the table under its model column name. Each rule here is one query over those
tables and the site's own tables (the duplicate ids: one to mark them, one to list them), and
gives (line, column, message) in the table's own file; rows are read through a server-side
cursor, so that even millions of them never sit in one result. The queries do not depend on
the number of rows.

A row whose id repeats an earlier line is left out of every rule but the duplicate one; a bad
cell (null, listed in `_invalid`) is left out of the rules that read it, as on the Python side.
A kept column the file does not have reads as the site's value for a row already in the site
(whatever its site: that id is an error anyway) and as the empty value for a new row: the
`merged` view of a table.

Only identifiers are put into the SQL text (our own quoted table and column names); every value
is a parameter.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from django.contrib.postgres.fields import ArrayField
from django.db import connection, models

from cases.package import schema
from cases.package.schema import Column, Table

FETCH = 10_000  # rows per round trip of a server-side cursor

Problem = tuple[int, str | None, str]  # (line, column, message) in the table's own file


def qn(name: str) -> str:
    return connection.ops.quote_name(name)


def column_of(table: Table, column: Column) -> str:
    """The quoted model column a package column maps to (`visit_id` -> "id")."""
    return qn(cast(str, table.model_field(column).column))


def target_of(table: Table) -> str:
    return qn(table.model._meta.db_table)


def empty_value(f: models.Field) -> Any:
    """What an empty cell means for a model field: null; for a field that cannot be null, []
    for a list, the default if it has one (icwa: "unknown"), else "" for text and codes."""
    if isinstance(f, ArrayField):
        return []
    if f.null:
        return None
    if f.has_default():
        return f.get_default()
    if isinstance(f, models.CharField | models.TextField):
        return ""
    return None


def staging_type(f: models.Field) -> str:
    """The staging column's type: the model's, but any whole number fits (a duration that does
    not fit the model's column is an error reported by the row's rules, not a failed COPY)."""
    if isinstance(f, models.IntegerField):
        return "numeric"
    return cast(str, f.db_type(connection))


@dataclass
class Staged:
    """One table of the package, COPYed into its staging table."""

    table: Table
    present: list[Column] = field(default_factory=list)  # the columns the file has
    missing: list[str] = field(default_factory=list)  # required columns the header lacks
    rows: int = 0
    sha256: str | None = None  # of the file, when it was read to its end and asked for

    @property
    def name(self) -> str:
        return qn(f"_package_{self.table.name}")

    @property
    def has(self) -> set[str]:
        """Columns with a value on each row: those of the file and required ones (which, when
        the header lacks them, are bad on every row)."""
        return {c.name for c in self.present} | {c.name for c in self.table.required_columns}

    @property
    def absent(self) -> list[Column]:
        """The kept columns the file does not have: read from the site's row (`merged`)."""
        return [
            c
            for c in self.table.columns
            if c.name in KEPT[self.table.name] and c.name not in self.has
        ]

    def create_sql(self) -> str:
        columns = ", ".join(
            f"{column_of(self.table, c)} {staging_type(self.table.model_field(c))}"
            for c in self.table.columns
        )
        return (
            f"CREATE TEMPORARY TABLE {self.name} (_line integer NOT NULL, _invalid text[],"
            f" _dup boolean NOT NULL DEFAULT false, {columns}) ON COMMIT DROP"
        )

    def copy_sql(self) -> str:
        columns = ", ".join(column_of(self.table, c) for c in self.table.columns)
        return f"COPY {self.name} (_line, _invalid, {columns}) FROM STDIN"

    def merged(self) -> tuple[str, list[Any]]:
        """The rows other than repeated ids, as the rules read them: every column of the
        table, a kept column the file lacks taken from the site's row (or empty for a new one);
        `_line` and `_invalid` with them. A subquery and its parameters."""
        absent = self.absent
        if not absent:
            return f"(SELECT * FROM {self.name} WHERE NOT _dup)", []  # noqa: S608 - identifiers
        names = {c.name for c in absent}
        select, params = ["s._line", "s._invalid"], []
        for c in self.table.columns:
            col = column_of(self.table, c)
            if c.name in names:
                f = self.table.model_field(c)
                select.append(
                    f"CASE WHEN t.id IS NULL THEN CAST(%s AS {f.db_type(connection)})"
                    f" ELSE t.{col} END AS {col}"
                )
                params.append(f.get_db_prep_save(empty_value(f), connection))
            else:
                select.append(f"s.{col}")
        sql = (
            f"(SELECT {', '.join(select)} FROM {self.name} s"  # noqa: S608 - identifiers only
            f" LEFT JOIN {target_of(self.table)} t ON t.id = s.id WHERE NOT s._dup)"
        )
        return sql, params


# The values each table's rules read per row (its references among them). They are model
# fields of the same name.
KEPT: dict[str, tuple[str, ...]] = {
    "cases": ("opened_on", "closed_on"),
    "children": ("case_id", "enrolled_on", "exited_on"),
    "episodes": ("child_id", "removal_date", "discharge_date", "discharge_reason"),
    "placements": ("episode_id", "start_date", "end_date"),
    "permanency_plans": ("child_id",),
    "hearings": ("case_id",),
    "ftms": ("case_id",),
    "ftm_action_items": ("ftm_id", "status", "completed_on"),
    "family_time": ("child_id", "status", "cancelled_by", "duration_minutes"),
    "screenings": ("child_id", "case_id", "subject"),
    "services": ("case_id", "child_id", "referred_on", "started_on", "ended_on"),
    "maltreatment_reports": ("child_id",),
}


def in_site(table: Table) -> str:
    """The table's rows in the database with their site's id as `_site` (joined along
    `site_path`): a subquery."""
    model: type[models.Model] = table.model
    parts = table.site_path.split("__")
    joins, alias = [], "t0"
    for n, part in enumerate(parts[:-1], start=1):
        fk = cast(models.ForeignKey, model._meta.get_field(part))
        related = cast(type[models.Model], fk.related_model)
        joins.append(
            f" JOIN {qn(related._meta.db_table)} t{n}"
            f" ON t{n}.{qn(cast(str, fk.target_field.column))} = {alias}.{qn(fk.column)}"
        )
        model, alias = related, f"t{n}"
    site = qn(cast(str, schema.model_field(model, parts[-1]).column))
    return (
        f"(SELECT t0.*, {alias}.{site} AS _site"  # noqa: S608 - identifiers only
        f" FROM {target_of(table)} t0{''.join(joins)})"
    )


def valid(alias: str, column: str) -> str:
    """SQL: the row's cell of `column` (a package column name) was not bad. One parameter."""
    return f"({alias}._invalid IS NULL OR NOT (%s = ANY({alias}._invalid)))"


def select(sql: str, params: list[Any]) -> Iterator[tuple]:
    """The rows of a query, fetched from a server-side cursor a batch at a time."""
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(FETCH):
            yield from rows


class Checks:
    """The rules across rows and tables for the staged tables of one package and one site."""

    def __init__(self, staged: dict[str, Staged], site: Any) -> None:
        self.staged = staged
        self.site = site

    # -- within one table

    def duplicates(self, st: Staged) -> Iterator[Problem]:
        """A repeated id is an error on the later line, naming the first; the later rows are
        marked `_dup` and left out of every other rule."""
        id_col = st.table.id_column.name
        mark = (
            f"UPDATE {st.name} s SET _dup = true FROM ("  # noqa: S608 - identifiers only
            f" SELECT id, min(_line) AS first FROM {st.name} WHERE id IS NOT NULL"
            f" GROUP BY id HAVING count(*) > 1) f"
            f" WHERE s.id = f.id AND s._line > f.first"
        )
        with connection.cursor() as cursor:
            cursor.execute(mark)
            marked = cursor.rowcount
        if not marked:
            return
        query = (
            f"SELECT d._line, d.id, f._line FROM {st.name} d"  # noqa: S608 - identifiers only
            f" JOIN {st.name} f ON f.id = d.id AND NOT f._dup"
            f" WHERE d._dup ORDER BY d._line"
        )
        for line, row_id, first in select(query, []):
            yield line, id_col, f"the id {row_id!r} is already used on line {first}"

    def other_site(self, st: Staged) -> Iterator[Problem]:
        query = (
            f"SELECT s._line, s.id FROM {st.name} s"  # noqa: S608 - identifiers only
            f" JOIN {in_site(st.table)} t ON t.id = s.id"
            f" WHERE NOT s._dup AND t._site <> %s ORDER BY s._line"
        )
        for line, row_id in select(query, [self.site.pk]):
            yield (
                line,
                st.table.id_column.name,
                f"the id {row_id!r} already belongs to a record of another site",
            )

    def merged_rows(self, st: Staged, names: tuple[str, ...]) -> Iterator[tuple]:
        """(line, bad columns, id, *the named columns) of each row, in line order."""
        merged, params = st.merged()
        columns = ", ".join(column_of(st.table, st.table.column(n)) for n in names)
        query = f"SELECT _line, _invalid, id, {columns} FROM {merged} m ORDER BY _line"  # noqa: S608 - identifiers only
        yield from select(query, params)

    # -- references

    def _parent(self, parent: Table, value: str) -> tuple[str, str, str]:
        """Joins that find a referenced row in the package (`p`) or in the database (`d`,
        with its site): (joins, "found in the package", "found in the database")."""
        joins = ""
        in_package = "false"
        if parent.name in self.staged:
            pst = self.staged[parent.name]
            joins += f" LEFT JOIN {pst.name} p ON p.id = {value} AND NOT p._dup"
            in_package = "p.id IS NOT NULL"
        joins += f" LEFT JOIN {in_site(parent)} d ON d.id = {value}"
        return joins, in_package, "d.id IS NOT NULL"

    def references(self, st: Staged) -> Iterator[Problem]:
        """Each reference names a row of the package or one already in the site."""
        for column in st.table.ref_columns:
            parent = schema.TABLES_BY_NAME[cast(str, column.ref)]
            merged, params = st.merged()
            value = f"m.{column_of(st.table, column)}"
            joins, in_package, in_db = self._parent(parent, value)
            query = (
                f"SELECT m._line, {value}, {in_db} FROM {merged} m{joins}"  # noqa: S608 - identifiers only
                f" WHERE {value} IS NOT NULL AND NOT ({in_package})"
                f" AND (d.id IS NULL OR d._site <> %s) ORDER BY m._line"
            )
            for line, ref, elsewhere in select(query, [*params, self.site.pk]):
                if elsewhere:
                    message = f"{ref!r} belongs to another site"
                else:
                    message = (
                        f"{ref!r} is neither in {parent.file_name} nor already in site "
                        f"{self.site.slug!r}"
                    )
                yield line, column.name, message

    def _child_case(self, child: str, params: list[Any]) -> tuple[str, str]:
        """Joins giving the case of the child `child` (an SQL expression): the package's
        child row if there is one, else the site's child. (joins, case expression)"""
        joins, case = "", "dc.case_id"
        if "children" in self.staged:
            merged, merged_params = self.staged["children"].merged()
            params += merged_params
            joins += f" LEFT JOIN {merged} pc ON pc.id = {child}"
            case = "CASE WHEN pc.id IS NOT NULL THEN pc.case_id ELSE dc.case_id END"
        joins += f" LEFT JOIN {in_site(schema.TABLES_BY_NAME['children'])} dc"
        joins += f" ON dc.id = {child} AND dc._site = %s"
        params.append(self.site.pk)
        return joins, case

    def child_case_source(self, st: Staged) -> tuple[str, list[Any]]:
        """Screenings for the upsert: the merged rows with `_child_case`, their child's case."""
        merged, params = st.merged()
        joins, case = self._child_case("m.child_id", params)
        sql = f"(SELECT m.*, {case} AS _child_case FROM {merged} m{joins})"  # noqa: S608 - identifiers only
        return sql, params

    def child_in_case(self, st: Staged, column: str) -> Iterator[Problem]:
        """The row's child is in the row's case (screenings: reported on case_id; services: on
        child_id)."""
        merged, params = st.merged()
        joins, case = self._child_case("m.child_id", params)
        query = (
            f"SELECT _line, child_id, case_id, child_case FROM ("  # noqa: S608 - identifiers only
            f" SELECT m._line, m.child_id, m.case_id, {case} AS child_case FROM {merged} m{joins}"
            f" WHERE m.child_id IS NOT NULL AND m.case_id IS NOT NULL) r"
            f" WHERE child_case IS NOT NULL AND case_id <> child_case ORDER BY _line"
        )
        for line, child, case_id, child_case in select(query, params):
            yield line, column, f"child {child!r} is in case {child_case!r}, not {case_id!r}"

    # -- episodes and placements

    def placements_in_episodes(self, st: Staged) -> Iterator[Problem]:
        """A placement lies inside its episode (the package's or the site's)."""
        merged, params = st.merged()
        joins, removal, discharge = "", "d.removal_date", "d.discharge_date"
        found = "d.id IS NOT NULL"
        if "episodes" in self.staged:
            episodes, episode_params = self.staged["episodes"].merged()
            params += episode_params
            joins = f" LEFT JOIN {episodes} e ON e.id = m.episode_id"
            removal = "CASE WHEN e.id IS NOT NULL THEN e.removal_date ELSE d.removal_date END"
            discharge = "CASE WHEN e.id IS NOT NULL THEN e.discharge_date ELSE d.discharge_date END"
            found = "(e.id IS NOT NULL OR d.id IS NOT NULL)"
        joins += f" LEFT JOIN {in_site(schema.TABLES_BY_NAME['episodes'])} d"
        joins += " ON d.id = m.episode_id AND d._site = %s"
        params.append(self.site.pk)
        query = (
            f"SELECT _line, start_date, end_date, removal, discharge FROM ("  # noqa: S608 - identifiers only
            f" SELECT m._line, m.start_date, m.end_date, {removal} AS removal,"
            f" {discharge} AS discharge FROM {merged} m{joins}"
            f" WHERE m.episode_id IS NOT NULL AND {found}) r"
            f" WHERE start_date < removal OR start_date > discharge OR end_date > discharge"
            f" ORDER BY _line"
        )
        for line, start, end, removal_date, discharge_date in select(query, params):
            if start is not None and removal_date is not None and start < removal_date:
                yield (
                    line,
                    "start_date",
                    f"the placement starts before its episode's removal date ({removal_date})",
                )
            if discharge_date is not None:
                if start is not None and start > discharge_date:
                    yield (
                        line,
                        "start_date",
                        f"the placement starts after its episode's discharge date "
                        f"({discharge_date})",
                    )
                if end is not None and end > discharge_date:
                    yield (
                        line,
                        "end_date",
                        f"the placement ends after its episode's discharge date ({discharge_date})",
                    )

    def episode_overlaps(self, st: Staged) -> Iterator[Problem]:
        """No two episodes of a child overlap ([removal, discharge) ranges, as the database's
        exclusion constraint has them; an empty range overlaps nothing) and a child has at most
        one open episode; the package's episodes are checked against each other and against
        those already in the site (other than the package's own ids). Reported on the later
        episode's line (by removal date, then id), or on the package's one if the other is in
        the site."""
        merged, params = st.merged()
        episode = target_of(st.table)
        query = (
            f"WITH package AS ("  # noqa: S608 - identifiers only
            f" SELECT _line AS line, id, child_id, removal_date AS removal,"
            f" discharge_date AS discharge FROM {merged} m"
            f" WHERE id IS NOT NULL AND child_id IS NOT NULL AND removal_date IS NOT NULL"
            f" AND {valid('m', 'discharge_date')}"
            f" AND (discharge_date IS NULL OR discharge_date >= removal_date)"
            f"), spans AS ("
            f" SELECT * FROM package UNION ALL"
            f" SELECT NULL, e.id, e.child_id, e.removal_date, e.discharge_date FROM {episode} e"
            f" WHERE e.child_id IN (SELECT child_id FROM package) AND NOT EXISTS"
            f" (SELECT 1 FROM {st.name} s WHERE s.id = e.id AND NOT s._dup)"
            f") SELECT a.child_id, a.line, a.id, b.line, b.id,"
            f" a.discharge IS NULL AND b.discharge IS NULL"
            f" FROM spans a JOIN spans b ON b.child_id = a.child_id"
            f" AND (a.removal < b.removal OR (a.removal = b.removal"
            f' AND a.id COLLATE "C" < b.id COLLATE "C"))'
            f" WHERE (a.line IS NOT NULL OR b.line IS NOT NULL)"
            f" AND a.discharge IS DISTINCT FROM a.removal"
            f" AND b.discharge IS DISTINCT FROM b.removal"
            f" AND (b.discharge IS NULL OR a.removal < b.discharge)"
            f" AND (a.discharge IS NULL OR b.removal < a.discharge)"
            f' ORDER BY a.child_id COLLATE "C", a.removal, a.id COLLATE "C",'
            f' b.removal, b.id COLLATE "C"'
        )
        for child, first_line, first_id, second_line, second_id, both_open in select(
            query, [*params, "discharge_date"]
        ):
            if second_line is not None:
                here, other_line, other_id = second_line, first_line, first_id
            else:
                here, other_line, other_id = first_line, second_line, second_id
            where = f"line {other_line}" if other_line is not None else "already in the site"
            if both_open:
                message = f"child {child!r} has another open episode {other_id!r} ({where})"
                yield here, "discharge_date", message
            else:
                message = f"the episode overlaps episode {other_id!r} of the same child ({where})"
                yield here, "removal_date", message

    def placements_of_changed_episodes(self, st: Staged) -> Iterator[Problem]:
        """An episode already in the site whose dates change must still hold the placements
        it already has (those the package does not itself change)."""
        merged, params = st.merged()
        placement = target_of(schema.TABLES_BY_NAME["placements"])
        in_package = ""
        if "placements" in self.staged:
            in_package = (
                f" AND NOT EXISTS (SELECT 1 FROM {self.staged['placements'].name} sp"  # noqa: S608 - identifiers only
                f" WHERE sp.id = p.id AND NOT sp._dup)"
            )
        query = (
            f"SELECT m._line, p.id, p.start_date < m.removal_date"  # noqa: S608 - identifiers only
            f" FROM {merged} m JOIN {in_site(st.table)} d ON d.id = m.id AND d._site = %s"
            f" JOIN {placement} p ON p.episode_id = m.id"
            f" WHERE m.removal_date IS NOT NULL AND {valid('m', 'discharge_date')}"
            f" AND (m.removal_date, m.discharge_date)"
            f" IS DISTINCT FROM (d.removal_date, d.discharge_date){in_package}"
            f" AND (p.start_date < m.removal_date OR (m.discharge_date IS NOT NULL"
            f" AND (p.start_date > m.discharge_date OR p.end_date > m.discharge_date)))"
            f' ORDER BY m._line, p.id COLLATE "C"'
        )
        for line, placement_id, before in select(query, [*params, self.site.pk, "discharge_date"]):
            where = f"placement {placement_id!r}, already in the site,"
            if before:
                yield line, "removal_date", f"{where} starts before this removal date"
            else:
                yield line, "discharge_date", f"{where} lies after this discharge date"
