"""The settings refuse unsafe or malformed configuration at start-up (INTERFACES.md
"Configuration"), and production values pass Django's deployment checks with no warning.

Each case loads `safebabies.settings` in a fresh interpreter with a controlled environment, the
way a server process would start.
"""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LOAD_SETTINGS = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.DEBUG, settings.ALLOWED_HOSTS)"
)


def _service_urls() -> dict[str, str]:
    return {
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/x"),
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
    }


def production_env(**overrides: str | None) -> dict[str, str]:
    """A complete, valid production environment; an override of None removes the variable."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(ROOT)),
        "DJANGO_SETTINGS_MODULE": "safebabies.settings",
        "DJANGO_ENV": "production",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "example.org",
        **_service_urls(),
    }
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (this interpreter, fixed arguments)
        [sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def load(**overrides: str | None) -> subprocess.CompletedProcess[str]:
    return run(["-c", LOAD_SETTINGS], production_env(**overrides))


def assert_refused(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    for word in words:
        assert word in result.stderr


def test_valid_production_environment_loads():
    result = load()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False ['example.org']"


def test_production_refuses_debug_on():
    assert_refused(load(DEBUG="true"), "DEBUG must be off in production")


def test_debug_off_refuses_missing_secret_key():
    assert_refused(load(SECRET_KEY=None), "SECRET_KEY")


def test_debug_off_refuses_the_development_secret_key():
    from safebabies.settings import DEV_SECRET_KEY

    assert_refused(load(SECRET_KEY=DEV_SECRET_KEY), "SECRET_KEY")


def test_debug_off_refuses_a_short_secret_key():
    assert_refused(load(SECRET_KEY="x" * 31), "SECRET_KEY", "32 characters")


def test_debug_off_accepts_a_key_of_exactly_32_characters():
    assert load(SECRET_KEY=secrets.token_hex(16)).returncode == 0


@pytest.mark.parametrize("hosts", [None, "", " , "])
def test_debug_off_refuses_empty_allowed_hosts(hosts):
    assert_refused(load(ALLOWED_HOSTS=hosts), "ALLOWED_HOSTS")


def test_malformed_boolean_is_refused_naming_the_variable():
    assert_refused(load(DJANGO_ENV="development", DEBUG="maybe"), "DEBUG", "'maybe'")


def test_unknown_django_env_is_refused():
    assert_refused(load(DJANGO_ENV="staging"), "DJANGO_ENV")


def test_missing_database_url_is_refused_with_a_helpful_message():
    assert_refused(load(DATABASE_URL=None), "DATABASE_URL is not set", "make run")


def test_missing_redis_url_is_refused_with_a_helpful_message():
    assert_refused(load(REDIS_URL=None), "REDIS_URL is not set")


def test_development_defaults_need_no_secret_key_or_hosts():
    result = load(DJANGO_ENV="development", DEBUG="true", SECRET_KEY=None, ALLOWED_HOSTS=None)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True ['127.0.0.1', 'localhost']"


MAILER = (
    "import django; django.setup(); from django.core import mail; m = mail.mailers.default; "
    "print(type(m).__name__, m.host, m.port, m.username, m.password, m.use_ssl, m.use_tls)"
)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example.org", "EmailBackend mail.example.org 25   False False"),
        (
            "smtps://u%40x:p%2Fw@mail.example.org",
            "EmailBackend mail.example.org 465 u@x p/w True False",
        ),
        (
            "submission://u:p@mail.example.org:2525",
            "EmailBackend mail.example.org 2525 u p False True",
        ),
    ],
)
def test_email_url_configures_the_default_mailer(url, expected):
    result = run(["-W", "error", "-c", MAILER], production_env(EMAIL_URL=url))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_email_url_defaults_to_the_console_in_development():
    env = production_env(DJANGO_ENV="development", DEBUG="true", EMAIL_URL=None)
    code = "import django; django.setup(); from django.core import mail; "
    code += "print(type(mail.mailers.default).__module__)"
    result = run(["-W", "error", "-c", code], env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.core.mail.backends.console"


def test_unknown_email_url_scheme_is_refused():
    assert_refused(load(EMAIL_URL="sendmail://localhost"), "EMAIL_URL")


def test_deploy_checks_pass_with_production_values_and_no_warnings():
    result = run(
        [
            "-W",
            "error::DeprecationWarning",
            "-W",
            "error::PendingDeprecationWarning",
            "manage.py",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
        ],
        production_env(),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr
    assert "Warning" not in result.stderr


def test_env_example_lists_every_variable_the_settings_read():
    read = set()
    for path in ("safebabies/settings.py", "safebabies/gunicorn.conf.py"):
        source = (ROOT / path).read_text()
        read |= set(re.findall(r'env_(?:str|bool|int|list)\(\s*"([A-Z0-9_]+)"', source))
        read |= set(re.findall(r'os\.environ\.get\(\s*"([A-Z0-9_]+)"', source))
    listed = set(re.findall(r"^#? ?([A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert {"DATABASE_URL", "SECRET_KEY", "EMAIL_URL", "WEB_CONCURRENCY"} <= read
    assert read - listed == set()


def test_manage_py_migrate_alone_connects_with_database_migrate_url():
    """DATABASE_MIGRATE_URL (the tables' owner) is used by `manage.py migrate` only; every
    other command and the application use DATABASE_URL (SECURITY.md, the two roles)."""
    real = _service_urls()["DATABASE_URL"]
    nowhere = real.rsplit("/", 1)[0] + "/no_such_database_for_this_test"
    env = production_env(DATABASE_URL=nowhere, DATABASE_MIGRATE_URL=real)

    migrate = run(["manage.py", "migrate", "--plan"], env)
    assert migrate.returncode == 0, migrate.stderr
    other = run(["manage.py", "showmigrations", "audit"], env)
    assert other.returncode != 0
    assert "no_such_database_for_this_test" in other.stderr
    without = run(["manage.py", "migrate", "--plan"], production_env(DATABASE_URL=nowhere))
    assert without.returncode != 0


def test_use_migrate_database_url_switches_only_for_migrate():
    from safebabies.lib.env import use_migrate_database_url

    env = {"DATABASE_URL": "postgres://app@db/x", "DATABASE_MIGRATE_URL": "postgres://owner@db/x"}
    assert not use_migrate_database_url(["manage.py", "shell"], env)
    assert env["DATABASE_URL"] == "postgres://app@db/x"
    assert use_migrate_database_url(["manage.py", "migrate", "--noinput"], env)
    assert env["DATABASE_URL"] == "postgres://owner@db/x"
    assert not use_migrate_database_url(["manage.py", "migrate"], {"DATABASE_URL": "a"})
