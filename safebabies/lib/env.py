"""Strict parsing of configuration from the environment (12-factor).

Every helper raises ImproperlyConfigured naming the variable when a value cannot be parsed,
so a typo in production stops the process at start-up instead of silently using a default.
"""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of true/false/1/0/yes/no/on/off, not {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def use_migrate_database_url(argv: list[str], environ: dict[str, str] | os._Environ) -> bool:
    """`manage.py migrate` (and `grant_app_role`) connect with DATABASE_MIGRATE_URL when it is
    set (the role owning the tables); every other command, and the application, with
    DATABASE_URL (a role that may only INSERT and SELECT the audit trail: SECURITY.md).
    Returns whether it switched."""
    migrate_url = environ.get("DATABASE_MIGRATE_URL", "").strip()
    if len(argv) > 1 and argv[1] in OWNER_COMMANDS and migrate_url:
        # grant_app_role reads the application's role from DATABASE_APP_URL
        environ.setdefault("DATABASE_APP_URL", environ.get("DATABASE_URL", ""))
        environ["DATABASE_URL"] = migrate_url
        return True
    return False


# The commands run as the tables' owner: migrations, and the grants to the application's role
OWNER_COMMANDS = frozenset({"migrate", "grant_app_role"})
