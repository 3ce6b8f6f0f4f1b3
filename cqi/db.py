"""Where the CQI figures are read from: the primary database, or a PostgreSQL read replica when
`DATABASE_REPLICA_URL` is set (README "Scaling").

Everything a page computes inside `cqi.cache.snapshot()` (the sites' data generations that key
the exact cache, and the figures themselves) reads one REPEATABLE READ snapshot of one database.
With a replica, that database is the replica: its generations and its records are of the same
moment, so a figure kept under a key is still the figure of exactly the records that key names,
whatever the replica's lag (a lagging replica only gives an older generation's figures, exact for
it, until it catches up). A snapshot opened inside a caller's transaction stays on the primary,
which may hold that transaction's own writes. Writes never go to the replica.

`connection` is the one the CQI code runs its SQL on (`alias()`'s), `ReadReplicaRouter` sends the
ORM's reads inside such a snapshot to the same alias.
"""

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

_alias: contextvars.ContextVar[str] = contextvars.ContextVar("cqi_db", default=DEFAULT_DB_ALIAS)


def alias() -> str:
    """The database the CQI code reads from at this moment."""
    return _alias.get()


def on_replica() -> bool:
    return _alias.get() != DEFAULT_DB_ALIAS


@contextlib.contextmanager
def reading_from(name: str) -> Iterator[None]:
    """The CQI reads inside the block (SQL through `connection`, the ORM through the router)
    go to the database `name`."""
    token = _alias.set(name)
    try:
        yield
    finally:
        _alias.reset(token)


class _Connection:
    """`django.db.connection`, but of `alias()`'s database."""

    def __getattr__(self, name: str) -> Any:
        return getattr(connections[_alias.get()], name)


connection: Any = _Connection()


class ReadReplicaRouter:
    """Installed with DATABASE_REPLICA_URL: the ORM's reads inside a CQI snapshot on the
    replica go there; every other read, every write and every migration, to the primary."""

    def db_for_read(self, model, **hints):
        return _alias.get() if on_replica() else None

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database's rows, whichever copy they were read from

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
