"""`manage.py send_reminders [--now <ISO-8601>]` (INTERFACES.md): sends every reminder due at
that moment; running it twice sends nothing twice."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from safebabies.notify.services import send_reminders


def _moment(value: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--now: {value!r} is not an ISO-8601 date and time") from None
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=dt.UTC)
    return moment


class Command(BaseCommand):
    help = "Send every reminder and alert due now (or at --now); never sends one twice."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="the moment, ISO-8601 (default: now); UTC if no offset")

    def handle(self, *args, now: str | None, **options):
        sent = send_reminders(now=_moment(now) if now else None)
        total = sum(sent.values())
        self.stdout.write(f"Sent {total} reminder(s).")
        for kind, count in sorted(sent.items()):
            self.stdout.write(f"  {kind}: {count}")
