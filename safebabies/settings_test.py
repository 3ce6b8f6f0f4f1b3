"""Settings for the test suite: the ordinary settings with test-only defaults.

DATABASE_URL and REDIS_URL come from the environment (`make test` sets them).
"""

import os

os.environ.setdefault("DJANGO_ENV", "test")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-secret-key-that-is-long-enough-for-the-checks")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("REQUIRE_2FA", "false")

from safebabies.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; tests only
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
CELERY_TASK_ALWAYS_EAGER = False

# `make test` runs on several workers (pytest-xdist), each with its own test database: the
# cache gets a prefix per worker too, so one worker's cached figures never answer another's.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker:
    CACHES["default"]["KEY_PREFIX"] = f"safebabies-test-{_worker}"  # noqa: F405

# Documents go to a scratch folder of their own, never the repository's .data/
import tempfile  # noqa: E402

STORAGES["documents"] = {  # noqa: F405
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": tempfile.mkdtemp(prefix="safebabies-documents-"), "base_url": None},
}

# No JIT compilation in the tests: on a test database the planner's estimates can be far off
# (tables filled and emptied inside transactions), and PostgreSQL then JIT-compiles the CQI
# figures' large queries at seconds each. One exactness test took 7 minutes so in a full run
# on PostgreSQL 18, and 1.5 s on its own. Production keeps the server's own setting.
DATABASES["default"]["OPTIONS"] = {  # noqa: F405
    **DATABASES["default"].get("OPTIONS", {}),  # noqa: F405
    "options": "-c jit=off",
}

# The CQI read replica's tests (tests/test_cqi_replica.py): a second connection to the test
# database, read-only as a hot standby is. Nothing reads from it unless a test routes the CQI
# reads there (CQI_READ_DATABASE and DATABASE_ROUTERS stay as without a replica).
DATABASES["replica"] = {  # noqa: F405
    **DATABASES["default"],  # noqa: F405
    "OPTIONS": {
        **DATABASES["default"].get("OPTIONS", {}),  # noqa: F405
        "options": "-c jit=off -c default_transaction_read_only=on",
    },
    "TEST": {"MIRROR": "default"},
}
