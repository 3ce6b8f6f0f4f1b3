# The production image: one image for the web server (gunicorn), the Celery worker and beat.
# docker-compose.yml runs it with PostgreSQL and Redis; configuration comes from the environment
# (.env.example lists every variable).
FROM python:3.12-slim

# The code runs from /app (PYTHONPATH): templates, static files and manage.py live beside it.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=safebabies.settings \
    EXPORT_DIR=/data/exports

# WeasyPrint's libraries (the PDFs: pre-hearing summaries, family copies), as its documentation
# lists them for Debian: Pango, and HarfBuzz's subsetter, which writes a PDF's fonts faster than
# the fontTools fallback (README "Benchmarks"); and a font.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
       libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# A non-root user; /data/exports is where the data-package exports are written and
# /data/documents where documents are kept (volumes, shared by every container).
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin app \
    && mkdir -p /app /data/exports /data/documents \
    && chown -R app:app /data

WORKDIR /app
# .dockerignore leaves out the tests and the developer tooling of safebabies/dev/ but the demo.
COPY . /app
RUN pip install .

# Static files are collected into the image at build time (served by WhiteNoise). The settings
# refuse to load without these variables; these build-only values are never used at run time.
RUN DJANGO_ENV=production DEBUG=false \
    SECRET_KEY=build-only-dummy-key-used-for-collectstatic-and-nothing-else \
    ALLOWED_HOSTS=build.invalid \
    DATABASE_URL=postgres://build@build.invalid/build \
    REDIS_URL=redis://build.invalid:6379/0 \
    python manage.py collectstatic --noinput

USER app
EXPOSE 8000

# /healthz answers 200 when the database and the broker answer. The request carries the first
# ALLOWED_HOSTS entry as its Host header, or Django would refuse it.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD python -c "import os, urllib.request as r; host = os.environ.get('ALLOWED_HOSTS', '').split(',')[0].strip().lstrip('.') or 'localhost'; r.urlopen(r.Request('http://127.0.0.1:8000/healthz', headers={'Host': host}), timeout=8)"

CMD ["gunicorn", "--config", "safebabies/gunicorn.conf.py", "safebabies.wsgi"]
