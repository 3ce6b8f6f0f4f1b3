"""`manage.py create_site <slug> --name "…" [--timezone Area/City]` (INTERFACES.md)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from safebabies.identity.management import describe
from safebabies.identity.services import site_create

# Model field -> the option that sets it, so an error names what the caller typed.
_OPTION_OF = {"slug": "<slug>", "name": "--name", "timezone": "--timezone"}


class Command(BaseCommand):
    help = "Creates a site (idempotent: an existing site gets the name and time zone given)."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="Short name used in URLs and exports, e.g. north-county.")
        parser.add_argument("--name", required=True, help="The site's full name.")
        parser.add_argument("--timezone", help="IANA time zone (Area/City), e.g. America/Chicago.")

    def handle(self, *args, slug, name, timezone=None, **options):
        try:
            site, created = site_create(slug=slug, name=name, timezone_name=timezone)
        except ValidationError as error:
            raise CommandError(describe(error, _OPTION_OF)) from None
        verb = "Created" if created else "Site already exists:"
        self.stdout.write(f"{verb} {site.slug} ({site.name}, {site.timezone})")
