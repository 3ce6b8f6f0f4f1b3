"""The pre-hearing summary as a PDF (WeasyPrint): the same context as the page, laid out for
print by static/css/summary.css (case name, docket numbers, hearing date, "page 1 of 2" and the
confidentiality notice on every page).

A summary a little longer than a page is not left with a few lines alone on its last page:
when the summary runs over a page, it is laid out again a little tighter
(static/css/summary-compact.css), and the tighter layout is kept when it needs fewer pages."""

import functools
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

STYLESHEET = Path(settings.BASE_DIR) / "static" / "css" / "summary.css"
COMPACT = Path(settings.BASE_DIR) / "static" / "css" / "summary-compact.css"


@functools.cache
def _styles() -> tuple[Any, Any, Any]:
    """The parsed stylesheets and font configuration, once per process (parsing them costs
    more than laying out a summary)."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    return (
        CSS(filename=str(STYLESHEET), font_config=fonts),
        CSS(filename=str(COMPACT), font_config=fonts),
        fonts,
    )


def summary_pdf(summary: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # heavy import: only when a PDF is asked for

    stylesheet, compact, fonts = _styles()
    html = HTML(string=render_to_string("hearings/summary_pdf.html", {"s": summary}))
    document = html.render(stylesheets=[stylesheet], font_config=fonts)
    if len(document.pages) > 1:
        tighter = html.render(stylesheets=[stylesheet, compact], font_config=fonts)
        if len(tighter.pages) < len(document.pages):
            document = tighter
    pdf = document.write_pdf()
    assert pdf is not None  # write_pdf without a target returns the bytes
    return pdf


def pdf_filename(summary: dict[str, Any]) -> str:
    hearing = summary["hearing"]
    return f"pre-hearing-summary-{hearing['scheduled_on']:%Y-%m-%d}-{hearing['id']}.pdf"
