"""Slots shared by every process and thread of one machine: at most `count` holders at once.

Each slot is a lock file in `directory`, held with `flock` while the work runs. The kernel drops
the lock when its holder closes the file or dies, so a killed process never keeps a slot. Used
to keep password hashing from taking every core of a web server (safebabies/identity/hashers.py).
"""

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class NoSlot(Exception):
    """No slot came free within the wait."""


def _take(directory: Path, count: int) -> int | None:
    """A free slot's open, locked file descriptor, or None when all are held."""
    for number in range(count):
        fd = os.open(directory / f"slot-{number}", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        return fd
    return None


@contextmanager
def slot(directory: Path, count: int, *, wait: float, poll: float = 0.01) -> Iterator[None]:
    """Holds one of `count` slots while the block runs, waiting up to `wait` seconds for one to
    come free; raises NoSlot when none did."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    fd = _take(directory, count)
    while fd is None:
        if time.monotonic() >= deadline:
            raise NoSlot(f"all {count} slots were held for {wait:g} s")
        time.sleep(poll)
        fd = _take(directory, count)
    try:
        yield
    finally:
        os.close(fd)  # releases the lock
