"""Password hashing behind a machine-wide limit (issue 23: sign-in under load must not starve the
rest).

A password check is about 0.4 CPU-second of PBKDF2 here (1.5 million iterations, as it should
be). Twelve people signing in at once would take every core for seconds, and the pages everyone
else asked for meanwhile would wait for CPU behind them. So every hash (a sign-in, an API token, a
password set or changed, the dummy hash for an unknown e-mail) first takes one of
`SIGN_IN_CONCURRENCY` slots shared by every gunicorn worker and thread of the machine
(`safebabies.lib.slots`): at most that many hashes run at once, and the other cores stay free for
pages. A hash that finds no slot free within `SIGN_IN_WAIT_SECONDS` raises SignInBusy, which
`SignInBusyMiddleware` answers with a 503 and `Retry-After`, before any password was checked (so
it is not a failed sign-in and django-axes does not count it).

The hashers keep Django's algorithm names, so every stored hash still verifies.
"""

import os
import tempfile
from contextlib import nullcontext
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, ScryptPasswordHasher

from safebabies.lib.slots import NoSlot, slot


class SignInBusy(Exception):
    """Every hashing slot stayed busy for SIGN_IN_WAIT_SECONDS."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"password hashing busy; retry after {retry_after} s")
        self.retry_after = retry_after


def slots_directory() -> Path:
    """Where the slots' lock files are: one folder per machine (container) and user."""
    configured = getattr(settings, "SIGN_IN_SLOTS_DIR", None)
    if configured:
        return Path(configured)
    return Path(tempfile.gettempdir()) / f"safebabies-sign-in-slots-{os.getuid()}"


def hashing_slot():
    """The context a hash runs in: one slot of SIGN_IN_CONCURRENCY (none with 0)."""
    count = settings.SIGN_IN_CONCURRENCY
    if count <= 0:
        return nullcontext()
    return slot(slots_directory(), count, wait=settings.SIGN_IN_WAIT_SECONDS)


class LimitedHashing:
    """Any Django hasher, each `encode` (every hash and every check) holding a slot."""

    def encode(self, password, salt, *args, **kwargs):
        try:
            with hashing_slot():
                return super().encode(password, salt, *args, **kwargs)  # type: ignore[misc]
        except NoSlot:
            raise SignInBusy(retry_after=max(1, round(settings.SIGN_IN_WAIT_SECONDS))) from None


class LimitedPBKDF2PasswordHasher(LimitedHashing, PBKDF2PasswordHasher):
    """Django's PBKDF2 (algorithm `pbkdf2_sha256`), one slot per hash."""


class LimitedScryptPasswordHasher(LimitedHashing, ScryptPasswordHasher):
    """Django's scrypt (algorithm `scrypt`), one slot per hash."""
