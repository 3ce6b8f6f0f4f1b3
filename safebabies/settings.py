"""Settings for the Safe Babies court-team application, read from the environment.

Every variable is listed, with a comment, in `.env.example`. With `DEBUG` off (the default) the
settings refuse to load without a real `SECRET_KEY` and `ALLOWED_HOSTS`; with
`DJANGO_ENV=production` they also refuse `DEBUG` on.
"""

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from kombu import Queue

from safebabies.lib.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DJANGO_ENV = env_str("DJANGO_ENV", "production")
if DJANGO_ENV not in {"production", "development", "test"}:
    raise ImproperlyConfigured("DJANGO_ENV must be production, development or test")

DEBUG = env_bool("DEBUG", False)
DEV_SECRET_KEY = "dev-insecure-only-for-make-run-never-in-production"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")

if DJANGO_ENV == "production" and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production (DJANGO_ENV=production)")
if not DEBUG:
    if not SECRET_KEY or SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 32:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a random value of at least 32 characters when DEBUG is off"
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must list the host names when DEBUG is off")
else:
    SECRET_KEY = SECRET_KEY or DEV_SECRET_KEY
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost"]

SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
EXPORT_DIR = Path(env_str("EXPORT_DIR") or BASE_DIR / ".data" / "exports")
# Two-factor sign-in for every role that can open case records (see SECURITY in README).
REQUIRE_2FA = env_bool("REQUIRE_2FA", not DEBUG)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_tables2",
    "safebabies.audit",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "safebabies.identity",
    "cases",
    "assessments",
    "teams",
    "familytime",
    "workforce",
    "community",
    "cqi",
    "safebabies",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # a control character in the path or a query parameter is a 400 (safebabies/inputs.py)
    "safebabies.inputs.RefuseControlCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # the language of anonymous pages: the language cookie, else the browser's
    "django.middleware.locale.LocaleMiddleware",
    # every password hash busy for SIGN_IN_WAIT_SECONDS: a 503 with Retry-After (hashers.py)
    "safebabies.identity.accounts.middleware.SignInBusyMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "safebabies.identity.accounts.middleware.SessionLifetimeMiddleware",
    "safebabies.identity.accounts.middleware.NoStoreMiddleware",
    # a signed-in person's pages in their own language (User.preferred_language)
    "safebabies.identity.accounts.middleware.PersonLanguageMiddleware",
    # dates and times on pages in the signed-in person's site's time zone (templatetags/when.py)
    "safebabies.identity.accounts.middleware.SiteTimeZoneMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "safebabies.identity.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # with DEBUG on (`make run`) too, an unknown address gets the ordinary 404 page, not
    # Django's debug page listing every URL (safebabies/not_found.py)
    "safebabies.not_found.PlainNotFoundMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out sign-in into its answer
]

# The debug page and error reports hide every URL, DSN and password (safebabies/debug_filter.py)
DEFAULT_EXCEPTION_REPORTER_FILTER = "safebabies.debug_filter.SecretsFilter"

ROOT_URLCONF = "safebabies.urls"
WSGI_APPLICATION = "safebabies.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "safebabies.identity.context_processors.memberships",
                "community.context_processors.act_menu",
                "safebabies.identity.accounts.context_processors.session_timeout",
            ],
            # `when`: the one filter every page writes dates and times with
            "builtins": ["safebabies.templatetags.when"],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if not DATABASE_URL:
    raise ImproperlyConfigured(
        "DATABASE_URL is not set. `make run` and `make test` start an embedded PostgreSQL "
        "under .data/ and set it for you; elsewhere set it to postgres://user:pass@host/db."
    )
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=0)
if _db["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL (postgres://...)")
# Django's PostgreSQL backend without the `_like` twin indexes no query uses (safebabies/db)
DB_ENGINE = "safebabies.db"
_db["ENGINE"] = DB_ENGINE
if env_bool("DATABASE_POOL", False):  # psycopg 3 pool; CONN_MAX_AGE must then be 0
    _db["OPTIONS"] = {**_db.get("OPTIONS", {}), "pool": {"min_size": 1, "max_size": 10}}
else:
    _db["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0)
DATABASES = {"default": _db}
# A PostgreSQL read replica (streaming replication of the primary) the CQI figures are read
# from (cqi/db.py); without it, everything reads the primary as before.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
CQI_READ_DATABASE = "default"
if DATABASE_REPLICA_URL:
    _replica = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=0)
    if _replica["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must point at PostgreSQL (postgres://...)")
    _replica["ENGINE"] = DB_ENGINE
    _replica["OPTIONS"] = _db.get("OPTIONS", {}) | _replica.get("OPTIONS", {})
    _replica["CONN_MAX_AGE"] = _db.get("CONN_MAX_AGE", 0)
    DATABASES["replica"] = _replica
    CQI_READ_DATABASE = "replica"
    DATABASE_ROUTERS = ["cqi.db.ReadReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery broker and cache ---------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if not REDIS_URL:
    raise ImproperlyConfigured(
        "REDIS_URL is not set. `make run` and `make test` start an embedded Redis under .data/ "
        "and set it for you; elsewhere set it to redis://host:6379/0."
    )
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "safebabies",
    }
}
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# One queue per kind of work (README "Scaling"), so a long export or a CQI warm-up never holds up
# a reminder: docker-compose.yml runs a worker per queue; `make run`'s one worker, and any
# worker started without -Q, listens to all four.
CELERY_TASK_QUEUES = [Queue(name) for name in ("reminders", "exports", "cqi", "default")]
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "safebabies.notify.tasks.send_reminders_task": {"queue": "reminders"},
    "safebabies.exports.tasks.schedule_nightly_exports": {"queue": "exports"},
    "safebabies.exports.tasks.run_export": {"queue": "exports"},
    "cqi.tasks.warm_dashboards": {"queue": "cqi"},
    # anything else (family-time calendars, the retention review) goes to "default"
}
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "family-time-schedules": {  # familytime: keep plans' visits on the calendar weeks ahead
        "task": "familytime.extend_schedules",
        "schedule": 6 * 60 * 60,  # every 6 hours: the calendar never runs out
        "options": {"expires": 6 * 60 * 60},
    },
    "send-reminders": {
        "task": "safebabies.notify.tasks.send_reminders_task",
        "schedule": 300.0,
        "options": {"expires": 240},
    },
    "nightly-exports": {
        "task": "safebabies.exports.tasks.schedule_nightly_exports",
        "schedule": 900.0,
        "options": {"expires": 800},
    },
    "case-counts": {  # cases: fold the case counts' log of changes (cases.models.CaseCount)
        "task": "cases.compact_counts",
        "schedule": 60 * 60,
        "options": {"expires": 50 * 60},
    },
    "retention-review": {  # closed cases past their site's retention period, to its admins
        "task": "safebabies.notify.tasks.retention_review_task",
        "schedule": 24 * 60 * 60,
        "options": {"expires": 12 * 60 * 60},
    },
}

# --- CQI figures -------------------------------------------------------------------------------
# Seconds an unused entry of the CQI figures cache is kept. Entries are exact (keyed by each
# site's data generation, cqi.cache), so this bounds memory only; 0 turns the cache off.
CQI_CACHE_SECONDS = env_int("CQI_CACHE_SECONDS", 7 * 24 * 60 * 60, minimum=0)
# work_mem for the CQI queries (hash aggregates over a site's records stay in memory).
CQI_WORK_MEM = env_str("CQI_WORK_MEM", "64MB")
# Database connections a dashboard computes its figures on side by side (one snapshot); 1: one.
CQI_PARALLEL = env_int("CQI_PARALLEL", 2, minimum=1)
# Minutes between runs of the task that computes the dashboards of sites whose records changed,
# so that the first person to open a dashboard gets it at once; 0 turns it off.
CQI_WARM_MINUTES = env_int("CQI_WARM_MINUTES", 10, minimum=0)
if CQI_WARM_MINUTES:
    CELERY_BEAT_SCHEDULE["cqi-warm-dashboards"] = {
        "task": "cqi.tasks.warm_dashboards",
        "schedule": 60.0 * CQI_WARM_MINUTES,
        "options": {"expires": 60.0 * CQI_WARM_MINUTES},
    }

# --- Background work: reminders, calendar feeds, nightly export (issue 7) -----------------------
INSTALLED_APPS += ["safebabies.exports", "safebabies.notify"]
# Exports older than this are deleted by the nightly task (files and their records).
EXPORT_RETENTION_DAYS = env_int("EXPORT_RETENTION_DAYS", 30)
# The secret the per-site pseudonym keys of the de-identified export are derived from. Changing it
# changes every pseudonym, so set it once and keep it (it defaults to SECRET_KEY).
EXPORT_PSEUDONYM_SECRET = env_str("EXPORT_PSEUDONYM_SECRET") or SECRET_KEY
# Local time (HH:MM, each site's own time zone) after which the nightly export runs.
EXPORT_LOCAL_TIME = env_str("EXPORT_LOCAL_TIME", "02:00")
_hour, _colon, _minute = EXPORT_LOCAL_TIME.partition(":")
if not (_colon and _hour.isdigit() and _minute.isdigit() and len(_minute) == 2) or (
    int(_hour) > 23 or int(_minute) > 59
):
    raise ImproperlyConfigured("EXPORT_LOCAL_TIME must be HH:MM (24-hour), e.g. 02:00")
# Text messages: a dotted path to a backend class (safebabies.notify.sms); console by default.
SMS_BACKEND = env_str("SMS_BACKEND", "safebabies.notify.sms.ConsoleSmsBackend")
# Frequent entries carry `expires`, so a backlog after downtime does not pile up.

# --- Accounts ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "teams.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Django's hashers (same algorithms, every stored hash verifies), each hash holding one of
# SIGN_IN_CONCURRENCY slots shared by every process of the machine (safebabies/identity/hashers.py)
PASSWORD_HASHERS = [
    "safebabies.identity.hashers.LimitedPBKDF2PasswordHasher",
    "safebabies.identity.hashers.LimitedScryptPasswordHasher",
]
# Password hashes (about 0.4 CPU-second each) running at once on this machine, all web workers
# together (default: half the cores, at least 1; 0: no limit); a sign-in that finds none free
# within SIGN_IN_WAIT_SECONDS gets a 503 with Retry-After, and the other pages keep their cores.
SIGN_IN_CONCURRENCY = env_int("SIGN_IN_CONCURRENCY", max(1, (os.cpu_count() or 2) // 2), minimum=0)
SIGN_IN_WAIT_SECONDS = env_int("SIGN_IN_WAIT_SECONDS", 10, minimum=1)
# The CPU niceness (0-19) of the threads that compute password hashes: 19, the lowest priority,
# lets every page take the core first; 0 hashes on the request's own thread.
SIGN_IN_NICENESS = env_int("SIGN_IN_NICENESS", 19, minimum=0)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "safebabies.identity.accounts.passwords.BreachedPasswordValidator"},
]
API_TOKEN_TTL_HOURS = env_int("API_TOKEN_TTL_HOURS", 12, minimum=1)
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30, minimum=5) * 60
SESSION_SAVE_EVERY_REQUEST = True  # idle timeout: the age restarts with each request
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Absolute lifetime: a session ends this long after sign-in, however active it is
# (SessionLifetimeMiddleware); the idle timeout above still applies within it.
SESSION_ABSOLUTE_HOURS = env_int("SESSION_ABSOLUTE_HOURS", 12, minimum=1)
# Parents who chose to sign in without a password (safebabies/identity/accounts/links.py): a
# link asked for on the sign-in page lasts this long, the one in an invitation that long.
SIGN_IN_LINK_MINUTES = env_int("SIGN_IN_LINK_MINUTES", 15, minimum=1)
INVITE_LINK_HOURS = env_int("INVITE_LINK_HOURS", 72, minimum=1)
# The idle-timeout warning (static/js/session.js) shows this many seconds before sign-out.
SESSION_WARNING_SECONDS = env_int("SESSION_WARNING_SECONDS", 120, minimum=30)
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_HOURS", 72, minimum=1) * 3600  # invites too

# --- Login defence (django-axes): lock-out per account and, separately, per address ---------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out sign-in
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own
AXES_USERNAME_CALLABLE = "safebabies.identity.accounts.lockout.username_of"
AXES_LOCKOUT_CALLABLE = "safebabies.identity.accounts.lockout.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
OTP_TOTP_ISSUER = "Safe Babies"

# --- Security headers -------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
_secure = not DEBUG and DJANGO_ENV == "production"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", _secure)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _secure)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if _secure else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

# --- E-mail -----------------------------------------------------------------------------------
# One variable, EMAIL_URL, becomes Django 6.1's MAILERS (the EMAIL_* settings are deprecated).
EMAIL_URL = env_str("EMAIL_URL", "console://" if DEBUG else "smtp://localhost:25")
if EMAIL_URL.startswith("console:"):
    MAILERS: dict[str, dict] = {
        "default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    }
elif EMAIL_URL.startswith(("smtp:", "smtps:", "submission:")):
    from urllib.parse import unquote, urlsplit

    _mail = urlsplit(EMAIL_URL)
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _mail.hostname or "localhost",
                "port": _mail.port,  # None: 465 for smtps, 587 for submission, else 25
                "username": unquote(_mail.username or ""),
                "password": unquote(_mail.password or ""),
                "use_ssl": _mail.scheme == "smtps",
                "use_tls": _mail.scheme == "submission",
                "timeout": 30,
            },
        }
    }
else:
    raise ImproperlyConfigured(
        "EMAIL_URL must start with console://, smtp://, smtps:// or submission://"
    )
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Safe Babies <no-reply@localhost>")

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
LANGUAGES = [("en", "English"), ("es", "Español")]
TIME_ZONE = "UTC"  # stored in UTC; shown in each site's own time zone
# One way of writing dates and times on every page (the `when` filter uses the same formats)
FORMAT_MODULE_PATH = "safebabies.formats"
USE_I18N = True
# The app's own translations (locale/es/LC_MESSAGES/django.po; `make messages` updates them)
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or DJANGO_ENV == "test"
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Documents attached to a case, a hearing or a consent (cases.documents) --------------------
# Kept outside the web root (never under STATIC_ROOT, no MEDIA_URL: nothing serves them but the
# access-checked download view). DOCUMENTS_STORAGE=s3 keeps them in S3-compatible object storage.
DOCUMENTS_MAX_BYTES = env_int("DOCUMENTS_MAX_MB", 15) * 1024 * 1024
DOCUMENTS_DIR = Path(env_str("DOCUMENTS_DIR") or BASE_DIR / ".data" / "documents")
DOCUMENTS_STORAGE = env_str("DOCUMENTS_STORAGE", "local").lower()
if DOCUMENTS_STORAGE == "s3":
    STORAGES["documents"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("DOCUMENTS_S3_BUCKET"),
            "endpoint_url": env_str("DOCUMENTS_S3_ENDPOINT_URL") or None,
            "region_name": env_str("DOCUMENTS_S3_REGION") or None,
            "access_key": env_str("DOCUMENTS_S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("DOCUMENTS_S3_SECRET_ACCESS_KEY") or None,
            "location": env_str("DOCUMENTS_S3_PREFIX", "documents"),
            "default_acl": "private",
            "querystring_auth": True,  # never a public URL; the app streams each download
            "file_overwrite": False,
            "object_parameters": {"ServerSideEncryption": "AES256"},
        },
    }
    if DJANGO_ENV == "production" and not env_str("DOCUMENTS_S3_BUCKET"):
        raise ImproperlyConfigured("DOCUMENTS_STORAGE=s3 needs DOCUMENTS_S3_BUCKET.")
elif DOCUMENTS_STORAGE == "local":
    STORAGES["documents"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        # no base_url: a stored document has no URL of its own
        "OPTIONS": {"location": str(DOCUMENTS_DIR), "base_url": None},
    }
else:
    raise ImproperlyConfigured("DOCUMENTS_STORAGE is `local` (the default) or `s3`.")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
# List pages (people, audit trail) are django-tables2 tables: sorting, paging, one place that
# writes a code or a date for people (safebabies/*/tables.py)
DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"

# --- API --------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "safebabies.identity.auth.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "safebabies.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # DRF's three, with a JSON parser bounded in size and depth (safebabies/api_parsers.py)
    "DEFAULT_PARSER_CLASSES": [
        "safebabies.api_parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "safebabies.api.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Safe Babies court-team API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",  # served from our static files: the CSP allows no CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "safebabies.identity.roles.Role",
        "PermanencyGoalEnum": "safebabies.codes.PermanencyGoal",
        "FtmStatusEnum": "safebabies.codes.FtmStatus",
        "ActionItemStatusEnum": "safebabies.codes.ActionItemStatus",
        "ServiceStatusEnum": "safebabies.codes.ServiceStatus",
        "GoalStatusEnum": "safebabies.codes.GoalStatus",
        "VisitStatusEnum": "safebabies.codes.VisitStatus",
        "HearingStatusEnum": "safebabies.codes.HearingStatus",
        "PersonKindEnum": "cases.models.Person.Kind",
        "RelationshipKindEnum": "cases.models.Relationship.Kind",
        "DocumentKindEnum": "cases.models.Document.Kind",
        "SupportKindEnum": "teams.models.SupportKind",
        "SessionAttendanceEnum": "assessments.models.SessionAttendance",
        "HearingAttendeeEnum": "safebabies.codes.HearingAttendee",
        "SupervisionKindEnum": "workforce.models.SupervisionKind",
        "ConsultationModeEnum": "workforce.models.Mode",
        "ServiceTypeEnum": "safebabies.codes.ServiceType",
        "FeedbackStatusEnum": "community.models.FeedbackStatus",
    },
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "safebabies.api.id_path_parameters",
    ],
}

# Any case: "warning" and "WARNING" alike (logging knows only the upper-case names).
LOG_LEVEL = env_str("LOG_LEVEL", "INFO").strip().upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # django-axes logs every sign-in at INFO; refusals and lock-outs stay (WARNING and up).
    # WeasyPrint (and fontTools, which it subsets fonts with) log each step of every PDF at INFO.
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Without collectstatic (make run, tests) WhiteNoise serves from the finders instead.
WHITENOISE_USE_FINDERS = DEBUG or DJANGO_ENV == "test"
WHITENOISE_AUTOREFRESH = WHITENOISE_USE_FINDERS
