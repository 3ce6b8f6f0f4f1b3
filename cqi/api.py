"""`GET /api/v1/cqi/metrics/?site=<slug>&start=YYYY-MM-DD&end=YYYY-MM-DD` (INTERFACES.md).

`cqi.api.urlpatterns` is included under /api/v1/ by safebabies.api_urls.
"""

import datetime as dt

from django.urls import path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from cqi import selectors
from cqi.aggregate_periods import aggregate_default, aggregate_period_errors
from cqi.periods import MAX_DAYS, OUT_OF_RANGE, out_of_range
from safebabies.audit.services import audit_log
from safebabies.lib.dates import add_months


class MetricsQuery(serializers.Serializer):
    site = serializers.CharField(max_length=50, help_text='A site slug, or "all" (national only).')
    start = serializers.DateField(required=False, input_formats=["%Y-%m-%d"])
    end = serializers.DateField(required=False, input_formats=["%Y-%m-%d"])

    def validate(self, attrs):
        start, end = attrs.get("start"), attrs.get("end")
        errors = {
            name: [OUT_OF_RANGE]
            for name in ("start", "end")
            if name in attrs and out_of_range(attrs[name])
        }
        if errors:
            raise serializers.ValidationError(errors)
        if start and end and start > end:
            raise serializers.ValidationError({"end": ["The end must be on or after the start."]})
        if start and end and (end - start).days >= MAX_DAYS:
            raise serializers.ValidationError(
                {"end": ["Choose a period of at most five years (1,830 days)."]}
            )
        return attrs


def _period(scope: selectors.MetricsScope, start: dt.date | None, end: dt.date | None):
    """Missing dates: the 12 months up to today, or 12 months from/to the date given."""
    if start is not None and end is not None:
        return start, end
    if end is not None:
        return add_months(end, -12) + dt.timedelta(days=1), end
    if start is not None:
        return start, add_months(start, 12) - dt.timedelta(days=1)
    return selectors.default_period(scope)


def _aggregate_period(scope, asked_start, asked_end, start: dt.date, end: dt.date):
    """An aggregate-only viewer's period: whole months that have ended, at least 3
    (`cqi.aggregate_periods`). Without dates, the 12 whole months up to the last full month;
    other dates are a 400 naming the field (the one given, when only one was and the other
    follows from it)."""
    today = scope.site.today() if scope.site else timezone.now().date()
    if asked_start is None and asked_end is None:
        return aggregate_default(today)
    errors = aggregate_period_errors(start, end, today)
    if errors:
        given = "start" if asked_end is None else "end" if asked_start is None else None
        if given:
            errors = {given: " ".join(errors.values())}
        raise serializers.ValidationError({key: [message] for key, message in errors.items()})
    return start, end


class MetricsView(APIView):
    """Every CQI metric of METRICS.md for one site (or `site=all`, national staff only)."""

    @extend_schema(
        parameters=[MetricsQuery],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        query = MetricsQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        scope = selectors.access_metrics(request.user, query.validated_data["site"])
        asked_start, asked_end = query.validated_data.get("start"), query.validated_data.get("end")
        start, end = _period(scope, asked_start, asked_end)
        if scope.aggregate_only:
            start, end = _aggregate_period(scope, asked_start, asked_end, start, end)
        metrics = selectors.metrics_for(scope, start, end)
        audit_log(
            actor=request.user,
            action="view",
            record_type="cqi_metrics",
            record_id=scope.slug,
            site_id=scope.site.id if scope.site else None,
            detail={"start": start.isoformat(), "end": end.isoformat()},
            request=request,
        )
        return Response(
            {
                "site": scope.slug,
                "start": start.isoformat(),
                "end": end.isoformat(),
                "metrics": metrics,
            }
        )


urlpatterns = [
    path("cqi/metrics/", MetricsView.as_view(), name="api-cqi-metrics"),
]
