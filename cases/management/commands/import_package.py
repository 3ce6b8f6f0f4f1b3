"""`manage.py import_package <zip-or-folder> --site <slug> [--dry-run]` (INTERFACES.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cases.package.importer import import_package
from safebabies.identity.models import Site


class Command(BaseCommand):
    help = (
        "Import a Safe Babies data package (a zip or a folder) into a site. Every error is "
        "listed as <file>:<line>:<column>: <message> and nothing is written; exit status 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("package", type=Path, help="the package: a .zip file or a folder")
        parser.add_argument("--site", required=True, help="the slug of the site to import into")
        parser.add_argument(
            "--dry-run", action="store_true", help="validate only: nothing is written"
        )

    def handle(self, *args, package: Path, site: str, dry_run: bool, **options):
        target = Site.objects.filter(slug=site).first()
        if target is None:
            raise CommandError(f"there is no site {site!r}", returncode=1)
        result = import_package(package, site=target, dry_run=dry_run)
        for error in result.errors:
            self.stderr.write(str(error))
        if result.errors:
            raise CommandError(
                f"{len(result.errors)} error(s) in {package.name}; nothing was written",
                returncode=1,
            )
        if dry_run:
            self.stdout.write(
                f"Dry run: {package.name} is valid for site {site}; nothing was written."
            )
        else:
            self.stdout.write(f"Imported {package.name} into site {site}.")
        for name, counts in result.counts.items():
            verb = "would be " if dry_run else ""
            self.stdout.write(
                f"  {name}: {counts.rows} rows, {counts.created} {verb}created, "
                f"{counts.updated} {verb}updated, {counts.unchanged} unchanged"
            )
