"""`manage.py seed_demo`: the demo site with synthetic families and a login for every role.

Idempotent: a second run changes nothing; a run on a later day moves the demo's dates forward
so it always looks current. The families are described in `safebabies.dev.demo`.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from safebabies.dev import demo
from safebabies.identity.roles import Role


class Command(BaseCommand):
    help = "Create or refresh the demo site (slug 'demo') and its demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Run even with DJANGO_ENV=production (a public demo server only: the demo "
            "logins share a published password).",
        )

    def handle(self, *args, allow_production: bool = False, **options):
        if settings.DJANGO_ENV == "production" and not allow_production:
            raise CommandError(
                "seed_demo creates logins with a published password; it does not run with "
                "DJANGO_ENV=production unless given --allow-production."
            )
        result = demo.build()
        self.stdout.write(
            f"Demo site '{result.site.slug}' ({result.site.name}): {result.families} families, "
            f"{result.children} children; {result.created} records created, "
            f"{result.changed} updated."
        )
        self.stdout.write(f"Demo logins (password: {demo.PASSWORD}):")
        width = max(len(user.email) for user in result.users.values())
        for key, role, _ in demo.USERS:
            label = Role(role).label + (" (on other families)" if key == "caseworker2" else "")
            self.stdout.write(f"  {result.users[key].email:<{width}}  {label}")
        for key, role, _ in demo.EAST_USERS:
            label = f"{Role(role).label} at {demo.EAST_NAME} (decides the Walker transfer)"
            self.stdout.write(f"  {result.users[key].email:<{width}}  {label}")
