"""Background work of the cases app."""

from celery import shared_task
from django.db import connection


@shared_task(name="cases.compact_counts")
def compact_counts() -> int:
    """Fold the case counts' log of changes (cases.models.CaseCount) into one row per site,
    closed and sealed; the number of rows it took away. The counts read the same before and
    after."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT cases_casecount_compact()")
        return int(cursor.fetchone()[0])
