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
from typing import Any

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


# ---------------------------------------------------------------------------------------------
# A metric's Result for aggregate-only viewers (DOMAIN.md, confidentiality rules): every count,
# numerator, denominator and `n` from 1 to 4 is hidden, the value with it, complementary cells
# too, and a hidden category of a keyed value is not named.

SMALL_MARK = f"<{SMALL_CELL}"  # what a hidden count reads as in the API and the CSVs
COMPLEMENT_MARK = "suppressed"
# The one key under which the hidden categories of a keyed value (`exits_by_reason`) are merged:
# the categories themselves are not named.
SUPPRESSED_KEY = "other (suppressed)"
COUNT_FIELDS = ("numerator", "denominator", "n")


def mark(reason: str) -> str:
    return SMALL_MARK if reason == PRIMARY else COMPLEMENT_MARK


def is_marked(value) -> bool:
    """A count or value of a suppressed Result (`suppress_result`) that is hidden."""
    return value in (SMALL_MARK, COMPLEMENT_MARK)


def _count(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def suppress_result(result: Any, *, subset: bool) -> Any:
    """`result` ({value, numerator, denominator, n}) as an aggregate-only viewer may see it.
    Never changes `result` (it may be the exact cache's).

    - numerator, denominator, `n` of 1 to 4: shown as "<5";
    - `subset`: the numerator counts some of the denominator (a share), and a median's `n`
      always counts some of its cohort (the denominator): when the rest (denominator minus
      the part) is 1 to 4, the part is hidden too (complementary: otherwise denominator minus
      part gives the rest away);
    - the value goes with any hidden count it is computed from (a share, a rate, a mean over
      a hidden number, a median over fewer than 5);
    - a keyed value (`{"<category>": {"count", "share"}}`) is suppressed cell by cell against
      its total (`suppress_keyed`); a list of rows with `open_cases` hides those of 1 to 4."""
    out = dict(result)
    value = result.get("value")
    if isinstance(value, dict):
        return suppress_keyed(result)
    hidden: dict[str, str] = {}
    for key in COUNT_FIELDS:
        if _count(result.get(key)) and is_small(result[key]):
            hidden[key] = PRIMARY
    denominator = result.get("denominator")
    part = "n" if result.get("n") is not None else ("numerator" if subset else None)
    if (
        part
        and part not in hidden
        and "denominator" not in hidden  # else the rest cannot be worked out
        and _count(result.get(part))
        and _count(denominator)
        and is_small(denominator - result[part])
    ):
        hidden[part] = COMPLEMENT
    for key, reason in hidden.items():
        out[key] = mark(reason)
    if isinstance(value, list):
        out["value"] = [
            {**row, "open_cases": SMALL_MARK}
            if _count(row.get("open_cases")) and is_small(row["open_cases"])
            else row
            for row in value
        ]
    elif result.get("n") is not None:
        if hidden.get("n") == PRIMARY or "denominator" in hidden:
            out["value"] = None
    elif hidden:
        out["value"] = None
    return out


def suppress_keyed(result: dict) -> dict:
    """A breakdown `{"<category>": {"count", "share"}}` over its total (the denominator): small
    cells and their complements (`suppress`, with the total as the column's total) are taken
    out and merged into one `SUPPRESSED_KEY` entry, so no hidden category is named. That
    entry's count is the sum of the hidden cells (which the total minus the shown cells gives
    anyway), itself "<5" when 1 to 4; a total of 1 to 4 hides every cell."""
    cells = result.get("value") or {}
    total = result.get("denominator")
    categories = list(cells)
    counts = [cells[c]["count"] for c in categories]
    decision = suppress([[n] for n in counts], column_totals=True)
    shown, merged = {}, 0
    for i, category in enumerate(categories):
        if (i, 0) in decision.cells or (total is not None and _count(total) and is_small(total)):
            merged += counts[i]
        else:
            shown[category] = cells[category]
    out = dict(result)
    if merged:
        share = merged / total if _count(total) and total and not is_small(merged) else None
        count = SMALL_MARK if is_small(merged) else merged
        shown[SUPPRESSED_KEY] = {"count": count, "share": share}
    if cells:
        out["value"] = shown
    for key in COUNT_FIELDS:
        if _count(result.get(key)) and is_small(result[key]):
            out[key] = SMALL_MARK
    if 0 in decision.column_totals and _count(total):
        out["denominator"] = mark(decision.column_totals[0])
    return out


def complement_months(exact: list[dict], shown: list[dict], *, subset: bool) -> list[dict]:
    """Consecutive months of one metric (`shown`: each month's `suppress_result` of `exact`),
    whose sums a period's figure shows: numerators and denominators add up over the months
    (case-months, visits and days, children of the month), so a month whose numerator,
    denominator or (for a share) the rest is hidden would be the period's total minus the
    other months if it were the only one. While one quantity is unknown in exactly one month,
    it is hidden in a second month too (the one where it is the smallest non-zero), with that
    month's value."""
    shown = [dict(month) for month in shown]

    def quantity(month: dict, key: str):
        if key == "rest":
            return (month["denominator"] or 0) - (month["numerator"] or 0)
        return month[key] or 0

    def unknown(month: dict, key: str) -> bool:
        if key == "rest":
            return is_marked(month["numerator"]) or is_marked(month["denominator"])
        return is_marked(month[key])

    keys = ("numerator", "denominator", "rest") if subset else ("numerator", "denominator")
    changed = True
    while changed:
        changed = False
        for key in keys:
            hidden = [i for i, month in enumerate(shown) if unknown(month, key)]
            if len(hidden) != 1:
                continue
            candidates = [
                i
                for i in range(len(shown))
                if i not in hidden and quantity(exact[i], key) > 0 and not unknown(shown[i], key)
            ]
            if not candidates:
                continue
            i = min(candidates, key=lambda i: (quantity(exact[i], key), i))
            # the rest is hidden with the numerator (the denominator stays)
            shown[i]["denominator" if key == "denominator" else "numerator"] = COMPLEMENT_MARK
            shown[i]["value"] = None
            changed = True
    return shown
