"""The pre-hearing summary as a PDF (WeasyPrint): the same context as the page, laid out for
print by static/css/summary.css (case name, docket numbers and hearing date on every page)."""

import functools
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

STYLESHEET = Path(settings.BASE_DIR) / "static" / "css" / "summary.css"


@functools.cache
def _styles() -> tuple[Any, Any]:
    """The parsed stylesheet and font configuration, once per process (parsing them costs
    more than laying out a summary)."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    return CSS(filename=str(STYLESHEET), font_config=fonts), fonts


def summary_pdf(summary: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # heavy import: only when a PDF is asked for

    stylesheet, fonts = _styles()
    html = render_to_string("hearings/summary_pdf.html", {"s": summary})
    pdf = HTML(string=html).write_pdf(stylesheets=[stylesheet], font_config=fonts)
    assert pdf is not None  # write_pdf without a target returns the bytes
    return pdf


def pdf_filename(summary: dict[str, Any]) -> str:
    hearing = summary["hearing"]
    return f"pre-hearing-summary-{hearing['scheduled_on']:%Y-%m-%d}-{hearing['id']}.pdf"
