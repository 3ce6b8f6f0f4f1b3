"""CSV that is safe to open in a spreadsheet (OWASP "CSV injection").

A spreadsheet reads a cell beginning with `=`, `+`, `-`, `@`, a tab or a carriage return as a
formula: a family named `=HYPERLINK("http://x")` would become a link (or worse) in the file a
coordinator downloads. Every CSV the app writes for people to open goes through `safe_cell` /
`writer`; a text cell beginning with one of those characters is prefixed with `'`.

Numbers, dates and None are written as they are (a negative number is data, not a formula).
NOT for the data package (`cases.package.exporter`): that is a machine format re-imported by
`import_package` and must round-trip byte for byte.
"""

import csv
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """`value`, with a leading `'` when it is text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


class SafeWriter:
    """`csv.writer` whose every text cell goes through `safe_cell`."""

    def __init__(self, target: Any, **kwargs: Any) -> None:
        self._writer = csv.writer(target, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([safe_cell(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(target: Any, **kwargs: Any) -> SafeWriter:
    """A CSV writer on `target` (anything with `write`) that escapes formula cells."""
    return SafeWriter(target, **kwargs)
