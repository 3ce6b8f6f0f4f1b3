"""The Celery app. Tasks take ids (JSON only), re-read state and call a service."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safebabies.settings")

app = Celery("safebabies")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
