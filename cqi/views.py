"""CQI pages: the dashboard, its CSV downloads, the drill-down to families, the printable data
story, the collaborative practice progress matrix and the Active Community Team's barriers.

Every page reaches its site through `cqi.selectors.access_metrics` (outsiders and roles without
CQI figures get a 404), families only through `drill_down_cases` (which uses
`cases.access.cases_visible_to`), and every change goes through `cqi.services`.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from cqi import dashboard, selectors, services
from cqi.aggregate_periods import aggregate_period
from cqi.breakdowns import DRILL_UNITS, DRILLABLE
from cqi.funnel import service_funnel
from cqi.metrics.registry import METRICS
from cqi.periods import PRESETS, Period, period_from
from cqi.practice_matrix import ELEMENTS, LEVEL_SUMMARY, Level
from cqi.suppression import SUPPRESSED_KEY, Hidden
from safebabies.audit.services import audit_log
from safebabies.identity.http import AuthenticatedRequest
from safebabies.identity.models import Site
from safebabies.identity.selectors import is_national, roles_of
from safebabies.lib import csvsafe
from workforce.selectors import period_counts, program_figures

STORY_METRICS = (
    "permanency_12m_entries",
    "median_days_to_permanency",
    "reentry_12m",
    "ftm_monthly_rate",
    "family_time_held_per_week",
    "developmental_screening_within_30_days",
    "early_intervention_referral_within_7_days",
    "services_started_within_60_days",
)


def _today(scope: selectors.MetricsScope) -> dt.date:
    return scope.site.today() if scope.site else timezone.now().date()


def _period(request, scope: selectors.MetricsScope) -> Period:
    return _period_and_note(request, scope)[0]


def _period_and_note(request, scope: selectors.MetricsScope) -> tuple[Period, str]:
    """The period asked for; for an aggregate-only viewer, widened to whole months (at least
    3), with the sentence that says so (`cqi.aggregate_periods`)."""
    period = period_from(request.GET, _today(scope))
    if scope.aggregate_only:
        return aggregate_period(period, _today(scope))
    return period, ""


def _audit(request, scope, record_type: str, period: Period, action: str = "view", **detail):
    audit_log(
        actor=request.user,
        action=action,
        record_type=record_type,
        record_id=scope.slug,
        site_id=scope.site.id if scope.site else None,
        detail={"start": period.start.isoformat(), "end": period.end.isoformat(), **detail},
        request=request,
    )


def _period_query(period: Period) -> str:
    return f"start={period.start.isoformat()}&end={period.end.isoformat()}"


def _csv(filename: str, header: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csvsafe.writer(response)  # a family named "=HYPERLINK(...)" stays text
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell.csv if isinstance(cell, Hidden) else cell for cell in row])
    return response


def _blank(value) -> object:
    return "" if value is None else value


@require_GET
def cqi_index(request: AuthenticatedRequest) -> HttpResponse:
    """The sites whose program figures the user may read (and all sites, for national staff)."""
    user = request.user
    if is_national(user):
        sites = list(Site.objects.order_by("name"))
    else:
        held = roles_of(user)
        ids = [site_id for site_id, roles in held.items() if roles & selectors.METRICS_ROLES]
        sites = list(Site.objects.filter(id__in=ids).order_by("name"))
    if not sites:
        raise Http404("No program figures for your role")
    return render(
        request,
        "cqi/index.html",
        {"sites": sites, "national": is_national(user), "all_sites": selectors.ALL_SITES},
    )


@require_GET
def dashboard_page(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    scope = selectors.access_metrics(request.user, slug)
    period, period_note = _period_and_note(request, scope)
    rows, breakdowns, trends = dashboard.page_figures(scope, period)  # one snapshot
    _audit(request, scope, "cqi_dashboard", period)
    context = {
        "scope": scope,
        "period": period,
        "period_note": period_note,
        "previous": period.previous,
        "presets": PRESETS,
        "period_query": _period_query(period),
        "outcome_rows": [r for r in rows if r.metric.kind == "outcome"],
        "process_rows": [r for r in rows if r.metric.kind == "process"],
        "breakdowns": breakdowns,
        "trends": trends,
        "can_drill": selectors.can_drill_down(request.user, scope),
        "drillable": DRILLABLE,
    }
    return render(request, "cqi/dashboard.html", context)


@require_GET
def dashboard_csv(request: AuthenticatedRequest, slug: str, table: str) -> HttpResponse:
    """Each dashboard table as CSV, with the same figures and suppression as the page."""
    scope = selectors.access_metrics(request.user, slug)
    period = _period(request, scope)
    name = f"{scope.slug}-{table}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.csv"
    if table == "metrics":
        prev_start, prev_end = period.previous
        header = [
            "metric",
            "label",
            "unit",
            "start",
            "end",
            "value",
            "numerator",
            "denominator",
            "n",
            "previous_start",
            "previous_end",
            "previous_value",
            "previous_numerator",
            "previous_denominator",
            "previous_n",
            "reference_value",
            "reference_source",
            "reference_effective_date",
        ]
        rows = [
            [
                r.metric.id,
                r.metric.label,
                r.metric.unit,
                period.start,
                period.end,
                _blank(r.current_value),
                _blank(r.current["numerator"]),
                _blank(r.current["denominator"]),
                _blank(r.current["n"]),
                prev_start,
                prev_end,
                _blank(r.previous_value),
                _blank(r.previous["numerator"]),
                _blank(r.previous["denominator"]),
                _blank(r.previous["n"]),
                _blank(r.reference_value),
                r.reference.source if r.reference else "",
                r.reference.effective_date if r.reference else "",
            ]
            for r in dashboard.metric_rows(scope, period)
        ]
    elif table == "exits":
        result = selectors.metrics_for(
            scope, period.start, period.end, dashboard.window_of(period)
        )["exits_by_reason"]
        header = ["discharge_reason", "count", "share"]
        rows = [
            [reason, cell["count"], _blank(cell["share"])]
            for reason, cell in (result["value"] or {}).items()
        ]
    elif table == "caseloads":
        result = selectors.metrics_for(
            scope, period.start, period.end, dashboard.window_of(period)
        )["coordinator_caseload"]
        header = ["coordinator", "site", "open_cases", "cap", "over_cap"]
        rows = [
            [c["coordinator"], c["site"], c["open_cases"], c["cap"], c["over_cap"]]
            for c in result["value"] or []
        ]
    elif table == "trends":
        header = ["metric", "month", "value", "numerator", "denominator"]
        rows = [
            [
                metric.id,
                f"{p.month:%Y-%m}",
                _blank(p.value),
                _blank(p.numerator),
                _blank(p.denominator),
            ]
            for metric, points in dashboard.trend_series(
                scope, period.end, dashboard.window_of(period)
            )
            for p in points
        ]
    elif table in {f"breakdown-{d}" for d in ("race_ethnicity", "age_band", "placement_type")}:
        dimension = table.removeprefix("breakdown-")
        found = next(
            t for t in dashboard.breakdown_tables(scope, period) if t.dimension == dimension
        )
        header = [dimension, "children_in_care", "left_care_to_permanency", "share"]
        rows = [[r.label, r.children, r.permanency, _blank(r.share)] for r in found.rows]
        rows.append(["Total", found.total_children, found.total_permanency, ""])
    elif table in {"barriers-by-month", "barriers-by-service"}:
        by_month, by_service = dashboard.barrier_tables(scope, period)
        found_table = by_month if table == "barriers-by-month" else by_service
        header = ["barrier", *found_table.columns, "total"]
        rows = [[label, *cells, total] for label, cells, total in found_table.rows]
        rows.append(["Total", *found_table.column_totals, found_table.total])
    else:
        raise Http404("No such table")
    _audit(request, scope, "cqi_dashboard", period, action="export", table=table)
    return _csv(name, header, rows)


@require_GET
def drill_down(request: AuthenticatedRequest, slug: str, metric_id: str) -> HttpResponse:
    """The families behind a process metric, for a site's coordinators and site admins only."""
    scope = selectors.access_metrics(request.user, slug)
    period = _period(request, scope)
    rows = selectors.drill_down_cases(request.user, scope, metric_id, period.start, period.end)
    _audit(request, scope, "cqi_drill_down", period, action="list", metric=metric_id)
    metric = METRICS[metric_id]
    if request.GET.get("format") == "csv":
        return _csv(
            f"{scope.slug}-{metric_id}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.csv",
            ["case_id", "family", "met", "total"],
            [[case.pk, case.name, met, total] for case, met, total in rows],
        )
    return render(
        request,
        "cqi/drill.html",
        {
            "scope": scope,
            "period": period,
            "period_query": _period_query(period),
            "metric": metric,
            "unit": DRILL_UNITS[metric_id],
            "rows": rows,
            "met": sum(met for _, met, _ in rows),
            "total": sum(total for _, _, total in rows),
            "part2_note": metric_id in selectors.PART2_DRILLS,
        },
    )


@require_GET
def data_story(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """One printable page for the Active Community Team and funders."""
    scope = selectors.access_metrics(request.user, slug)
    period, period_note = _period_and_note(request, scope)
    rows = {r.metric.id: r for r in dashboard.metric_rows(scope, period)}
    _audit(request, scope, "cqi_data_story", period)
    exits = rows["exits_by_reason"].current
    return render(
        request,
        "cqi/story.html",
        {
            "scope": scope,
            "period": period,
            "previous": period.previous,
            "rows": [rows[m] for m in STORY_METRICS],
            "exits": exits,
            "period_note": period_note,
            "suppressed_key": SUPPRESSED_KEY,
            "generated": _today(scope),
            # the people who do the work (issue 22 item 8: the data story counts them)
            "work": period_counts(scope.sites, period.start, period.end),
        },
    )


@require_http_methods(["GET", "POST"])
def practice_matrix(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """The collaborative practice progress matrix: the seed's descriptors, the site's scores
    over time side by side, and (for site admins, coordinators and the Site Implementation
    Team) a form to score it again."""
    scope = selectors.access_metrics(request.user, slug)
    if scope.site is None:
        raise Http404("The matrix belongs to one site")
    can_score = selectors.can_score_matrix(request.user, scope)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not can_score:
            raise PermissionDenied("Your role reads the matrix; it does not score it.")
        scored_on = None
        try:
            scored_on = dt.date.fromisoformat(request.POST.get("scored_on", ""))
        except ValueError:
            errors["scored_on"] = "Enter the date of the scoring (YYYY-MM-DD)."
        scores = {
            code: (request.POST.get(f"{code}-level", ""), request.POST.get(f"{code}-notes", ""))
            for code, _, _ in ELEMENTS
            if request.POST.get(f"{code}-level")
        }
        if not scores and not errors:
            errors["scores"] = "Choose a level for at least one element."
        if not errors and scored_on is not None:
            try:
                services.practice_matrix_score(
                    site=scope.site,
                    scored_on=scored_on,
                    scores=scores,
                    actor=request.user,
                    request=request,
                )
            except ValidationError as error:
                errors = {key: " ".join(msgs) for key, msgs in error.message_dict.items()}
            else:
                messages.success(request, gettext_lazy("The site's scores are saved."))
                return redirect(reverse("cqi-matrix", args=[scope.slug]))
    history = selectors.practice_history(scope.site)
    context = {
        "scope": scope,
        "can_score": can_score,
        "errors": errors,
        "levels": Level.choices,
        "level_summary": [(Level(code).label, text) for code, text in LEVEL_SUMMARY.items()],
        "dates": history.dates,
        "elements": [
            {
                "code": code,
                "name": name,
                "descriptors": list(zip(Level.labels, descriptors, strict=True)),
                "scores": history.by_element[code],
                "latest": history.latest.get(code),
            }
            for code, name, descriptors in ELEMENTS
        ],
        "today": _today(scope),
        "posted": request.POST if request.method == "POST" else {},
    }
    return render(request, "cqi/matrix.html", context, status=400 if errors else 200)


@require_GET
def barriers_page(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """The Active Community Team's view: barriers to services by month and by service type."""
    scope = selectors.access_metrics(request.user, slug)
    period, period_note = _period_and_note(request, scope)
    by_month, by_service = dashboard.barrier_tables(scope, period)
    _audit(request, scope, "cqi_barriers", period)
    return render(
        request,
        "cqi/barriers.html",
        {
            "scope": scope,
            "period": period,
            "period_note": period_note,
            "presets": PRESETS,
            "period_query": _period_query(period),
            "by_month": by_month,
            "by_service": by_service,
        },
    )


@require_GET
def funnel_page(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """Referred -> started -> completed per service type, with the drop-off between the steps
    (issue 22): where families drop off. Counts only; small cells hidden from aggregate-only
    viewers (`cqi.funnel`)."""
    scope = selectors.access_metrics(request.user, slug)
    period, period_note = _period_and_note(request, scope)
    funnel = service_funnel(
        scope.sites, period.start, period.end, aggregate_only=scope.aggregate_only
    )
    _audit(request, scope, "cqi_funnel", period)
    return render(
        request,
        "cqi/funnel.html",
        {
            "scope": scope,
            "period": period,
            "period_note": period_note,
            "presets": PRESETS,
            "period_query": _period_query(period),
            "funnel": funnel,
        },
    )


def workforce_page(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """The people who do the work, counted (issue 22 items 7 and 8): per month of the last 12,
    consultations (direct / indirect, by need), trainings and attendees, reflective
    supervision, and the private well-being check-ins' averages only for a month when at least
    5 people checked in. Counts only, no names: the aggregate roles read it too."""
    scope = selectors.access_metrics(request.user, slug)
    if scope.site is None:
        raise Http404("The workforce figures belong to one site")
    today = _today(scope)
    figures = program_figures(scope.site, today)
    audit_log(
        actor=request.user,
        action="view",
        record_type="cqi_workforce",
        record_id=scope.slug,
        site_id=scope.site.id,
        request=request,
    )
    return render(request, "cqi/workforce.html", {"scope": scope, "figures": figures})
