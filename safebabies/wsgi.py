"""The WSGI application gunicorn serves (safebabies/gunicorn.conf.py).

A worker loads, before it answers anyone, what its first request would otherwise wait for
(`warm_up`): a new or recycled worker (gunicorn's `max_requests`) then answers its first
sign-in page as fast as the rest, not 230 ms later (400 to 530 ms under the load test's load,
where it was the slowest request of the sign-in page; README "Load test", run H)."""

import os
from pathlib import Path

from django.core.wsgi import get_wsgi_application

from safebabies.lib.env import env_bool

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safebabies.settings")
application = get_wsgi_application()


def warm_up() -> None:
    """Import every view (the URLconf and everything it includes), compile every template of
    the project's `templates/` folder into the cached loader, and read each language's
    translations. Reads no database."""
    from django.conf import settings
    from django.conf.urls.i18n import is_language_prefix_patterns_used
    from django.template import TemplateDoesNotExist, TemplateSyntaxError
    from django.template.loader import get_template
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver().reverse_dict  # noqa: B018 (populates every included URLconf)
    is_language_prefix_patterns_used(settings.ROOT_URLCONF)  # the locale middleware's question
    folder = Path(settings.BASE_DIR) / "templates"
    for path in sorted(folder.rglob("*.html")):
        try:
            get_template(str(path.relative_to(folder)))
        except (TemplateDoesNotExist, TemplateSyntaxError):  # a fragment of another's blocks
            continue
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Sign in")


if env_bool("WSGI_WARM_UP", True):  # strict, as every setting: WSGI_WARM_UP=maybe stops here
    warm_up()
