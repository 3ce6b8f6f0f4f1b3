"""The pre-hearing summary as a PDF (WeasyPrint): the same context as the page, laid out for
print by static/summary.css (case name, docket numbers and date on every page)."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

STYLESHEET = Path(settings.BASE_DIR) / "static" / "css" / "summary.css"


def summary_pdf(summary: dict[str, Any]) -> bytes:
    from weasyprint import CSS, HTML  # heavy import: only when a PDF is asked for

    html = render_to_string("hearings/summary_pdf.html", {"s": summary})
    return HTML(string=html).write_pdf(stylesheets=[CSS(filename=str(STYLESHEET))])


def pdf_filename(summary: dict[str, Any]) -> str:
    hearing = summary["hearing"]
    return f"pre-hearing-summary-{hearing['scheduled_on']:%Y-%m-%d}-{hearing['id']}.pdf"
