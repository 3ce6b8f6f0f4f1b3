"""Small-cell suppression for tables shown to aggregate-only viewers (METRICS.md).

A count of 1 to 4 children is a *small cell*: it is hidden and shown as "fewer than 5". A table
that also shows totals could give a hidden cell away by subtraction (total minus the cells you
can see), so whenever a row or column with a shown total has exactly one hidden cell, a second
cell of that line is hidden too (the smallest non-zero one: *complementary suppression*); when
there is none, the line's total is hidden instead. This repeats until no line gives a hidden
cell away. A zero is shown: it names no child.

Pure functions, no database: the SQL selectors count, this module decides what may be shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SMALL_CELL = 5

PRIMARY = "small"  # fewer than 5
COMPLEMENT = "complement"  # hidden so that a small cell cannot be recovered from a total


@dataclass
class Suppressed:
    """What to hide in a `values[row][column]` table: cells and totals, each with its reason."""

    cells: dict[tuple[int, int], str] = field(default_factory=dict)
    row_totals: dict[int, str] = field(default_factory=dict)
    column_totals: dict[int, str] = field(default_factory=dict)
    grand_total: str | None = None


def is_small(count: int) -> bool:
    return 0 < count < SMALL_CELL


def suppress(
    values: list[list[int]],
    *,
    row_totals: bool = False,
    column_totals: bool = True,
    whole_rows_by_column: int | None = None,
) -> Suppressed:
    """Decide which cells and totals of `values` to hide.

    `row_totals` / `column_totals`: whether the table shows each row's / column's sum.
    `whole_rows_by_column`: a column that counts the children of the row (e.g. "children in
    care"); when that cell is hidden the whole row is hidden, since its other cells count some of
    the same few children.
    """
    out = Suppressed()
    n_rows = len(values)
    n_cols = len(values[0]) if values else 0
    for r in range(n_rows):
        for c in range(n_cols):
            if is_small(values[r][c]):
                out.cells[(r, c)] = PRIMARY
    if row_totals:
        for r in range(n_rows):
            if is_small(sum(values[r])):
                out.row_totals[r] = PRIMARY
    if column_totals:
        for c in range(n_cols):
            if is_small(sum(values[r][c] for r in range(n_rows))):
                out.column_totals[c] = PRIMARY

    lines: list[tuple[str, int, list[tuple[int, int]]]] = []
    if column_totals:
        lines += [("column", c, [(r, c) for r in range(n_rows)]) for c in range(n_cols)]
    if row_totals:
        lines += [("row", r, [(r, c) for c in range(n_cols)]) for r in range(n_rows)]

    changed = True
    while changed:
        changed = False
        if whole_rows_by_column is not None:
            for r in range(n_rows):
                if (r, whole_rows_by_column) in out.cells:
                    for c in range(n_cols):
                        if (r, c) not in out.cells and values[r][c] > 0:
                            out.cells[(r, c)] = COMPLEMENT
                            changed = True
        for kind, index, cells in lines:
            totals = out.column_totals if kind == "column" else out.row_totals
            if index in totals:
                continue
            hidden = [cell for cell in cells if cell in out.cells]
            if len(hidden) != 1:
                continue
            candidates = [
                cell for cell in cells if cell not in out.cells and values[cell[0]][cell[1]] > 0
            ]
            if candidates:
                smallest = min(candidates, key=lambda cell: (values[cell[0]][cell[1]], cell))
                out.cells[smallest] = COMPLEMENT
            else:
                totals[index] = COMPLEMENT
            changed = True
    # With both row and column totals the table shows a grand total, and each set of totals is
    # a line summing to it: one hidden total alone could be worked out, so a second one goes.
    if row_totals and column_totals:
        for totals, sums in (
            (out.column_totals, [sum(values[r][c] for r in range(n_rows)) for c in range(n_cols)]),
            (out.row_totals, [sum(row) for row in values]),
        ):
            if len(totals) == 1:
                others = [i for i, total in enumerate(sums) if i not in totals and total > 0]
                if others:
                    totals[min(others, key=lambda i: (sums[i], i))] = COMPLEMENT
    if is_small(sum(sum(row) for row in values)):
        out.grand_total = PRIMARY
    return out


def show(value, reason: str | None):
    """A cell for display: the number, or a `Hidden` marker that says why."""
    return value if reason is None else Hidden(reason)


@dataclass(frozen=True)
class Hidden:
    reason: str

    def __str__(self) -> str:
        return "fewer than 5" if self.reason == PRIMARY else "hidden"

    @property
    def csv(self) -> str:
        return "<5" if self.reason == PRIMARY else "suppressed"

    @property
    def explanation(self) -> str:
        if self.reason == PRIMARY:
            return "Fewer than 5 children: hidden to protect privacy."
        return "Hidden so that a number under 5 cannot be worked out from the total."
