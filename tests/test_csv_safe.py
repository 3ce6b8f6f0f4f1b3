"""Every CSV the app writes for people is safe to open in a spreadsheet (OWASP CSV injection);
the data package, a machine format re-imported by `import_package`, keeps every value as it is."""

import csv
import io
import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse

from cases.models import Case
from cqi.models import ReferenceValue
from safebabies.audit.models import AuditEvent
from safebabies.lib import csvsafe
from tests import factories as f
from tests.test_cqi_metrics import D, ScreeningFactory, stay

EVIL = '=HYPERLINK("http://x")'
PERIOD = {"start": "2024-01-01", "end": "2024-12-31"}


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode())))


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_text_cell_beginning_a_formula_is_prefixed(start):
    assert csvsafe.safe_cell(f"{start}1+1") == f"'{start}1+1"


def test_plain_text_numbers_and_blanks_are_left_alone():
    assert [csvsafe.safe_cell(v) for v in ["Rivera family", "", -3, 2.5, None]] == [
        "Rivera family",
        "",
        -3,
        2.5,
        None,
    ]


def test_drill_down_csv_escapes_a_family_named_as_a_formula(client_for, coordinator, site):
    child = stay(site, D(2024, 4, 1))
    Case.objects.filter(pk=child.case_id).update(name=EVIL)
    ScreeningFactory(child=stay(site, D(2024, 3, 1)), screened_on=D(2024, 3, 10))
    response = client_for(coordinator).get(
        reverse("cqi-drill", args=["north", "developmental_screening_within_30_days"]),
        {**PERIOD, "format": "csv"},
    )
    families = [row[1] for row in csv_rows(response)[1:]]
    assert f"'{EVIL}" in families
    assert EVIL not in families


def test_dashboard_table_csv_escapes_free_text(client_for, sit_member, site):
    ReferenceValue.objects.create(
        indicator="reentry_12m", value="0.05", source=EVIL, effective_date=D(2024, 12, 31)
    )
    response = client_for(sit_member).get(reverse("cqi-csv", args=["north", "metrics"]), PERIOD)
    rows = csv_rows(response)
    column = rows[0].index("reference_source")
    sources = {row[column] for row in rows[1:]}
    assert f"'{EVIL}" in sources and EVIL not in sources


def test_audit_trail_csv_escapes_every_text_cell(client_for, site, site_admin):
    AuditEvent.objects.create(
        action="view", site=site, record_type=EVIL, record_id=EVIL, case_id=EVIL
    )
    response = client_for(site_admin).get(reverse("account-audit-csv", args=[site.slug]))
    (row,) = [r for r in csv_rows(response)[1:] if r[3] != "audit.auditevent"]
    assert row[3:6] == [f"'{EVIL}"] * 3


def test_the_data_package_keeps_the_value_as_it_is(site, tmp_path):
    f.ChildFactory(case=f.CaseFactory(site=site), given_name=EVIL)
    call_command(
        "export_package", "--site", site.slug, "--out", str(tmp_path), stdout=io.StringIO()
    )
    (path,) = tmp_path.glob("*.zip")
    with zipfile.ZipFile(path) as archive:
        children = archive.read("children.csv").decode()
    rows = list(csv.DictReader(io.StringIO(children, newline="")))
    assert [r["given_name"] for r in rows] == [EVIL]
