"""`manage.py add_member <email> --site <slug> --role <role> [--password-stdin]` (INTERFACES.md)."""

import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from safebabies.identity.management import describe
from safebabies.identity.roles import Role
from safebabies.identity.services import membership_add

_OPTION_OF = {"email": "<email>", "site": "--site", "role": "--role", "password": "password"}


class Command(BaseCommand):
    help = (
        "Gives a user a role at a site, creating the user when needed (with no usable password "
        "unless --password-stdin). Idempotent; a deactivated membership is re-activated."
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--site", required=True, help="The site's slug.")
        parser.add_argument("--role", required=True, help=f"One of: {', '.join(Role.values)}.")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the password from the first line of standard input (and set it).",
        )

    def handle(self, *args, email, site, role, password_stdin=False, **options):
        password = None
        if password_stdin:
            stream = options.get("stdin") or sys.stdin
            password = stream.readline().rstrip("\r\n")
            if not password:
                raise CommandError("password: --password-stdin read an empty password.")
        try:
            result = membership_add(email=email, site_slug=site, role=role, password=password)
        except ValidationError as error:
            raise CommandError(describe(error, _OPTION_OF)) from None
        membership = result.membership
        user = membership.user
        done = []
        if result.user_created:
            done.append(f"created the user {user.email}")
        if result.password_set:
            done.append("set the password")
        if result.membership_created:
            done.append(f"gave the role {role} at {membership.site.slug}")
        elif result.reactivated:
            done.append(f"re-activated the role {role} at {membership.site.slug}")
        if done:
            self.stdout.write(f"{user.email}: " + "; ".join(done) + ".")
        else:
            self.stdout.write(
                f"{user.email} already holds the role {role} at {membership.site.slug}."
            )
        if not user.is_active:
            self.stderr.write(f"Note: the user {user.email} is deactivated and cannot sign in.")
