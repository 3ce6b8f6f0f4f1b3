from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """Liveness and readiness: the database and the broker answer. No data, no login."""
    from safebabies.celery import app as celery_app

    status = {"status": "ok", "database": "ok", "broker": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # any failure of the database is a 503, not a 500
        status["database"] = "unavailable"
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception:  # any failure of the broker is a 503, not a 500
        status["broker"] = "unavailable"
    ok = status["database"] == "ok" and status["broker"] == "ok"
    if not ok:
        status["status"] = "unavailable"
    return JsonResponse(status, status=200 if ok else 503)
