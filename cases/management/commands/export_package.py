"""`manage.py export_package --site <slug> [--as-of YYYY-MM-DD] [--deidentified] --out <folder>`
(INTERFACES.md): writes `safebabies-<site>-<as_of>.zip`; the nightly beat task calls the same code.
"""

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cases.package.exporter import export_package
from safebabies.audit.models import AuditEvent
from safebabies.audit.services import audit_log
from safebabies.identity.models import Site


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--as-of: {value!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = "Export a site as a Safe Babies data package (a zip file in the --out folder)."

    def add_arguments(self, parser):
        parser.add_argument("--site", required=True, help="the slug of the site to export")
        parser.add_argument("--as-of", help="the package's date (default: today at the site)")
        parser.add_argument(
            "--deidentified",
            action="store_true",
            help="pseudonymous ids, birth dates cut to the month, no names, no free text",
        )
        parser.add_argument("--out", required=True, type=Path, help="the folder to write into")

    def handle(self, *args, site: str, as_of: str | None, deidentified: bool, out: Path, **o):
        target = Site.objects.filter(slug=site).first()
        if target is None:
            raise CommandError(f"--site: there is no site {site!r}", returncode=1)
        if out.exists() and not out.is_dir():
            raise CommandError(f"--out: {out} is not a folder", returncode=1)
        result = export_package(
            site=target,
            out_dir=out,
            as_of=_date(as_of) if as_of else None,
            deidentified=deidentified,
        )
        audit_log(
            actor=None,
            action=AuditEvent.Action.EXPORT,
            record_type="teams.site",
            record_id=str(target.pk),
            site_id=target.pk,
            detail={"file": result.path.name, "deidentified": deidentified, "command": True},
        )
        self.stdout.write(f"Wrote {result.path} ({result.rows} rows).")
        for name, entry in result.files.items():
            self.stdout.write(f"  {name}: {entry['rows']} rows")
