"""The home page: what each role needs first when they sign in."""

import datetime as dt

from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from assessments.selectors import home_attendance
from cases import selectors as pages
from cases.access import transfers_waiting_for
from cases.hearings.selectors import families_without_recent_review, review_overdue
from familytime.selectors import family_time_home
from safebabies.family import audit_family_page, family_pages
from safebabies.identity.http import AuthenticatedRequest
from safebabies.identity.roles import (
    AGGREGATE_ROLES,
    FAMILY_ROLES,
    TEAM_MANAGER_ROLES,
    TEAM_ROLES,
    Role,
)
from safebabies.identity.selectors import admin_site_ids, is_family_only, roles_of
from teams import selectors as ftm_selectors

JUDGE_HEARING_DAYS = 14
HOME_LIST_MAX = 50  # rows of each list on a coordinator's home (a caseload is about 20)


@require_GET
def home(request: AuthenticatedRequest) -> HttpResponse:
    """Community Coordinator: their families and this week's FTMs; other team roles: the
    families whose team they are on; judge: the coming two weeks of hearings; Site
    Implementation Team and national staff: no child data; site admin: links to manage the
    site; a parent of a case: their family's page (safebabies/family.py)."""
    user = request.user
    held = set().union(*roles_of(user).values())
    context: dict = {"no_role": not held, "aggregate_only": bool(held) and held <= AGGREGATE_ROLES}
    if held & FAMILY_ROLES:
        context["family_pages"] = family_pages(user)
        for page in context["family_pages"]:
            audit_family_page(request, page)
    if is_family_only(user):
        # a parent's own page, in their language (every string in the translation catalogue)
        return render(request, "family/home.html", context)
    if context["no_role"] or context["aggregate_only"]:
        return render(request, "home.html", context)

    sites = pages.sites_with_cases(user)
    today = pages.earliest_today(sites)
    context["today"] = today
    if Role.COMMUNITY_COORDINATOR in held:
        scope = pages.coordinator_scope(user)
        cases = pages.coordinator_cases(user, scope)
        ftm_overdue = ftm_selectors.families_without_recent_ftm(cases, today)
        no_review = families_without_recent_review(cases, today)
        # the families needing attention first; at most HOME_LIST_MAX rows in any list, so the
        # page stays light whatever the caseload (the case list has every family)
        attention = Q(pk__in=ftm_overdue.values("pk")) | Q(pk__in=no_review.values("pk"))
        families = list(
            pages.coordinator_families(cases, today, attention=attention)[:HOME_LIST_MAX]
        )
        week_start, week_end = pages.week_of(today)
        caseload = pages.caseload_intensity(cases, today)
        context.update(
            coordinator=True,
            families=families,
            families_capped=caseload.open_cases > len(families),
            # "see them all": their own families, or the site's when they are on no team yet
            case_list_mine=not scope[1],
            list_max=HOME_LIST_MAX,
            week_start=week_start,
            week_end=week_end,
            caseload=caseload,
        )
        for name, rows in (
            ("week_ftms", pages.ftms_between(cases, week_start, week_end)),
            ("ftm_overdue", ftm_overdue),
            ("review_overdue", no_review),
        ):
            context[name], context[f"{name}_more"] = _first(rows)
        # family time and services: for the families listed (all of them up to HOME_LIST_MAX)
        context["family_time"] = family_time_home(families, today)
        context["attendance"] = home_attendance(user, pages.listed_families(families))
    elif held & TEAM_ROLES:
        context.update(team_member=True, families=list(pages.team_families(user, today)))
    if held & TEAM_ROLES:
        context["my_action_items"] = list(ftm_selectors.open_action_items_of(user))
    if "families" in context:
        context["family_rows"] = [
            (case, pages.child_summaries(case, today)) for case in context["families"]
        ]
    if Role.JUDGE in held:
        hearings = list(
            pages.judge_hearings(user, today, today + dt.timedelta(days=JUDGE_HEARING_DAYS))
        )
        for hearing in hearings:  # no review hearing for more than a month: flagged
            hearing.review_overdue = hearing.case.closed_on is None and review_overdue(  # type: ignore[attr-defined]
                hearing.last_hearing_on,  # type: ignore[attr-defined]  # judge_hearings annotates it
                hearing.case.opened_on,
                today,
            )
        context.update(judge=True, hearing_days=JUDGE_HEARING_DAYS, hearings=hearings)
    # reflective supervision, consultations, trainings, one's own well-being (workforce/)
    context["workforce"] = bool(held & (TEAM_ROLES | {Role.SITE_ADMIN, Role.JUDGE}))
    if held & TEAM_MANAGER_ROLES:  # cases other sites send to theirs (cases.closing)
        context["transfers_waiting"] = transfers_waiting_for(user)
    if Role.SITE_ADMIN in held:
        context["site_admin"] = True
        admin_sites = set(admin_site_ids(user))
        context["admin_sites"] = [site for site in sites if site.pk in admin_sites]
    return render(request, "home.html", context)


def _first(rows: QuerySet) -> tuple[list, bool]:
    """The first HOME_LIST_MAX rows, and whether there are more (one query: one row more)."""
    first = list(rows[: HOME_LIST_MAX + 1])
    return first[:HOME_LIST_MAX], len(first) > HOME_LIST_MAX
