"""The debug page (DEBUG on, `make run`) and the error e-mails never show a secret.

Django's filter hides settings and request.META entries whose names hold API, AUTH, TOKEN,
KEY, SECRET, PASS, SIGNATURE or HTTP_COOKIE. Ours also hides every URL and DSN (DATABASE_URL,
REDIS_URL, CELERY_BROKER_URL, EMAIL_URL, SENTRY_DSN, ...), a cache's LOCATION, and any value,
whatever its name, that is a URL with a user name or password in it (`scheme://user:pw@host`).
"""

import re

from django.views.debug import SafeExceptionReporterFilter

_CREDENTIALS_IN_URL = re.compile(r"[a-z][a-z0-9+.-]*://[^/\s@]*@", re.IGNORECASE)


class SecretsFilter(SafeExceptionReporterFilter):
    hidden_settings = re.compile(
        "API|AUTH|TOKEN|KEY|SECRET|PASS|PWD|SIGNATURE|HTTP_COOKIE|CREDENTIAL|URL|URI|DSN"
        "|LOCATION|BROKER|DATABASE",
        flags=re.IGNORECASE,
    )

    def cleanse_setting(self, key, value):
        if isinstance(value, str) and _CREDENTIALS_IN_URL.search(str(value)):
            return self.cleansed_substitute
        return super().cleanse_setting(key, value)
