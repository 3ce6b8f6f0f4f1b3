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

The hash itself runs on a thread of its own at the lowest CPU priority (`SIGN_IN_NICENESS`,
Linux's per-thread niceness; PBKDF2 and scrypt release Python's lock while they compute): the
slot bounds how many cores sign-ins may take, the priority gives those cores back to any page
that wants them meanwhile. A sign-in under load takes longer; the pages around it do not.

The hashers keep Django's algorithm names, so every stored hash still verifies.
"""

import os
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext, suppress
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


def _nice_thread() -> None:
    """The hashing thread's own CPU priority (a thread's niceness is its own on Linux; raising it
    needs no privilege). Elsewhere, or if refused, the hash runs at the usual priority."""
    with suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), settings.SIGN_IN_NICENESS)


# (the process it belongs to, its size, the pool)
_pool: tuple[int, int, ThreadPoolExecutor] | None = None
_pool_lock = threading.Lock()
UNLIMITED_THREADS = 32  # hashing threads of a process when SIGN_IN_CONCURRENCY is 0 (no limit)


def _hashing_pool() -> ThreadPoolExecutor:
    """This process's low-priority hashing threads, as many as the slots (made again after a
    fork, since threads do not survive one, or when the setting changed)."""
    global _pool
    size = settings.SIGN_IN_CONCURRENCY or UNLIMITED_THREADS
    with _pool_lock:
        if _pool is None or _pool[:2] != (os.getpid(), size):
            if _pool is not None and _pool[0] == os.getpid():
                _pool[2].shutdown(wait=False)  # the setting changed: its idle threads go
            pool = ThreadPoolExecutor(size, "password-hash", initializer=_nice_thread)
            _pool = (os.getpid(), size, pool)
        return _pool[2]


def at_low_priority(compute, *args, **kwargs):
    """`compute(*args, **kwargs)` on a hashing thread at `SIGN_IN_NICENESS` (on the calling
    thread when it is 0)."""
    if settings.SIGN_IN_NICENESS <= 0:
        return compute(*args, **kwargs)
    return _hashing_pool().submit(compute, *args, **kwargs).result()


class LimitedHashing:
    """Any Django hasher, each `encode` (every hash and every check) holding a slot, and
    computed at a low CPU priority."""

    def encode(self, password, salt, *args, **kwargs):
        encode = super().encode  # type: ignore[misc]
        try:
            with hashing_slot():
                return at_low_priority(encode, password, salt, *args, **kwargs)
        except NoSlot:
            raise SignInBusy(retry_after=max(1, round(settings.SIGN_IN_WAIT_SECONDS))) from None


class LimitedPBKDF2PasswordHasher(LimitedHashing, PBKDF2PasswordHasher):
    """Django's PBKDF2 (algorithm `pbkdf2_sha256`), one slot per hash."""


class LimitedScryptPasswordHasher(LimitedHashing, ScryptPasswordHasher):
    """Django's scrypt (algorithm `scrypt`), one slot per hash."""
