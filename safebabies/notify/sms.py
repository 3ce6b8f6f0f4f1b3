"""Text messages as a pluggable backend (settings.SMS_BACKEND, a dotted path to a class).

A provider's backend subclasses `BaseSmsBackend` and implements `send(to, text)`; it raises
`OSError` (or a subclass) on a failure worth retrying. The default writes to the log.
"""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


class BaseSmsBackend:
    def send(self, to: str, text: str) -> None:
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    """Writes each message to the log instead of sending it (the default)."""

    def send(self, to: str, text: str) -> None:
        log.info("SMS to %s: %s", to, text)


class LocmemSmsBackend(BaseSmsBackend):
    """Keeps messages in `LocmemSmsBackend.outbox` (for tests)."""

    outbox: list[tuple[str, str]] = []

    def send(self, to: str, text: str) -> None:
        self.outbox.append((to, text))


def get_sms_backend() -> BaseSmsBackend:
    return import_string(settings.SMS_BACKEND)()
