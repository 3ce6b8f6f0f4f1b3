"""Celery tasks of the CQI dashboards."""

from celery import shared_task

from cqi import dashboard


@shared_task
def warm_dashboards() -> int:
    """Computes, for the exact cache, the dashboards people open first (`dashboard.warm_scopes`)
    whose records changed since they were last computed; unchanged ones cost one small query
    each. Returns how many dashboards were looked at."""
    scopes = dashboard.warm_scopes()
    for scope, period in scopes:
        dashboard.page_figures(scope, period)  # each in its own snapshot
    return len(scopes)
