"""Gunicorn settings for the production container (Dockerfile, docker-compose.yml).

    gunicorn --config safebabies/gunicorn.conf.py safebabies.wsgi

Sized from the environment: WEB_CONCURRENCY worker processes (default 2 per CPU + 1, at most
8), GUNICORN_THREADS threads each. Logs go to stdout/stderr for the container runtime.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")  # all interfaces of the container
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8)))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = 60  # a PDF summary or an export download can take a few seconds; never a minute
graceful_timeout = 30
keepalive = 5
max_requests = 2000  # recycle workers now and then: bounds any slow leak
max_requests_jitter = 200
worker_tmp_dir = "/dev/shm"  # noqa: S108 (heartbeat files in memory, off the overlay fs)
accesslog = "-"
# The path without its query string, and no referrer: a search's words (`?q=`), a cursor's
# sort keys (names, birth dates) and filters name families, and logs outlive a purge.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").strip().lower()  # any case: "WARNING", "warning"
