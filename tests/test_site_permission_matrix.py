"""The permission matrix of the records of a site's program (issue 22): persona x kind x action
-> the answer, one test a cell. The records of a family's case are in `test_permission_matrix`.

These records belong to a site, not to a case (`cases.access.SITE_RECORD_TYPES`): the roles a
person holds at the site decide, a family-team place gives nothing. Columns are the personas of
PERSONAS, each holding the roles it names at the site `north` (OTHER: a Community Coordinator of
the site `south`; CW+PM and CLIN+CW hold two roles; PARENT is Luis, a parent of a north family).

Answers: an HTTP status (`200`, `201`, `302`, `400`, `403`, `404`), or `in` / `out`: the row is
(not) in the list (the page's list, or the API list). A kind's rows are built by its KINDS entry
(`build`), one row of the site `north` owned, where a kind has owners, by the persona `CW` (a
consultation by its consultant, who must be a clinician: the persona `CLIN`).

Actions: `page` (the kind's list page: `in`/`out`, or a status when the page itself is closed),
`detail` (the row's page), `api_list`, `api_detail`, `api_write` (PATCH with a valid body),
`api_create` (POST with a valid body, for the site `north`), `edit` (the row's form page, GET),
`form` (a page's POST on the row: `302` when done).
"""

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from safebabies.identity.models import User
from tests import factories as f

CC, CW, CLIN, PATT, CATT, GAL, PM = (
    "community_coordinator",
    "caseworker",
    "clinician",
    "parent_attorney",
    "child_attorney",
    "gal_casa",
    "parent_mentor",
)
JUDGE, ADMIN, SIT, NATIONAL = "judge", "site_admin", "site_implementation", "national"
PARENT, PLEADER = "parent", "parent_leader"

# column -> (roles held at `north`, or at `south` for OTHER)
PERSONAS: dict[str, tuple[str, ...]] = {
    "CC": (CC,),
    "ADMIN": (ADMIN,),
    "CW": (CW,),
    "CLIN": (CLIN,),
    "PATT": (PATT,),
    "CATT": (CATT,),
    "GAL": (GAL,),
    "PM": (PM,),
    "JUDGE": (JUDGE,),
    "SIT": (SIT,),
    "NATIONAL": (NATIONAL,),
    "PLEADER": (PLEADER,),
    "PARENT": (PARENT,),
    "CW+PM": (CW, PM),
    "CLIN+CW": (CLIN, CW),
    "OTHER": (CC,),
}
COLUMNS = list(PERSONAS)


@dataclass(frozen=True)
class Kind:
    """How the matrix reaches one kind: `build(world)` makes its row at `north` (owned by the
    persona CW where the kind has owners); `page(world, row)` / `detail(world, row)` the URLs
    of its list page and of the row's page (None: no such page); `api` its API list path;
    `create(world)` and `patch(world, row)` valid bodies; `text(row)` a text of the row that
    the list page shows."""

    build: Callable[[SimpleNamespace], Any]
    api: str | None = None
    page: Callable[[SimpleNamespace, Any], str] | None = None
    detail: Callable[[SimpleNamespace, Any], str] | None = None
    create: Callable[[SimpleNamespace], dict] | None = None
    patch: Callable[[SimpleNamespace, Any], dict] | None = None
    text: Callable[[Any], str] = field(default=lambda row: str(row.pk))
    # `edit`: the URL of the row's form page (GET); `form`: a page's POST on the row, as
    # (url, body)
    edit: Callable[[SimpleNamespace, Any], str] | None = None
    form: Callable[[SimpleNamespace, Any], tuple[str, dict]] | None = None


def _user(world: SimpleNamespace, column: str) -> User:
    return User.objects.get(pk=world.users[column])


def _email(column: str) -> str:
    return re.sub(r"\W", "-", column.lower()) + "@site.example"


def _day(days_ago: int = 3) -> dt.date:
    return dt.date.today() - dt.timedelta(days=days_ago)


def _build_supervision(world: SimpleNamespace) -> Any:
    from workforce.models import SupervisionSession

    return SupervisionSession.objects.create(
        site=world.north,
        staff=_user(world, "CW"),
        supervisor_name="Dr. Reflective Supervisor",
        held_on=_day(),
        minutes=60,
        kind="individual",
        recorded_by=_user(world, "CW"),
    )


def _build_wellbeing(world: SimpleNamespace) -> Any:
    from workforce.models import WellbeingCheckIn

    return WellbeingCheckIn.objects.create(
        site=world.north,
        person=_user(world, "CW"),
        checked_on=_day(),
        stress=4,
        supported=2,
        sleep=3,
        private_note="Zebulon private words",
    )


def _build_consultation(world: SimpleNamespace) -> Any:
    from workforce.models import Consultation

    # a consultation's owner is its consultant, a clinician: the persona CLIN (not CW)
    return Consultation.objects.create(
        site=world.north,
        consultant=_user(world, "CLIN"),
        held_on=_day(),
        consultee="child_care_provider",
        need="behaviour",
        mode="indirect",
        minutes=45,
        recorded_by=_user(world, "CLIN"),
    )


def _build_training(world: SimpleNamespace) -> Any:
    from workforce.models import Training, TrainingAttendance

    training = Training.objects.create(
        site=world.north,
        title="Trauma-informed care for babies",
        held_on=_day(),
        hours="3.0",
        topics=["trauma_informed", "iecmh"],
        recorded_by=_user(world, "CC"),
    )
    TrainingAttendance.objects.create(training=training, user=_user(world, "CW"))
    TrainingAttendance.objects.create(
        training=training, name="Kim Provider", organisation="Early Head Start"
    )
    return training


# --- The Active Community Team and the provider directory (issue 22 item 9) -------------------

DAY = dt.date(2026, 11, 2)


def _act_member(world: SimpleNamespace) -> Any:
    from community.models import ActMember

    return ActMember.objects.create(
        site=world.north,
        name="Rosa Alvarez",
        organisation="Head Start",
        sector="early_childhood",
        joined_on=DAY,
    )


def _act_meeting(world: SimpleNamespace) -> Any:
    from community.models import ActMeeting

    return ActMeeting.objects.create(
        site=world.north, held_on=DAY, title="Quarterly ACT meeting", notes="Waitlists."
    )


def _act_item(world: SimpleNamespace) -> Any:
    """An action item owned by the persona CW (a member of the team who signs in)."""
    from community.models import ActActionItem, ActMeeting, ActMember

    owner = ActMember.objects.create(
        site=world.north, user_id=world.users["CW"], sector="child_welfare", joined_on=DAY
    )
    meeting = ActMeeting.objects.create(site=world.north, held_on=DAY, title="Transport")
    return ActActionItem.objects.create(
        meeting=meeting, description="Ask the transit authority for bus passes", owner=owner
    )


def _cycle(world: SimpleNamespace) -> Any:
    from community.models import ImprovementCycle

    return ImprovementCycle.objects.create(
        site=world.north,
        title="Family time within a week of removal",
        metric="median_days_to_first_family_time",
        started_on=dt.date(2026, 7, 1),
        stage="do",
    )


def _provider(world: SimpleNamespace) -> Any:
    from community.models import Provider

    return Provider.objects.create(
        site=world.north,
        name="Bright Beginnings Parenting",
        service_types=["parenting"],
        waitlist_weeks=3,
        updated_on=DAY,
    )


# Each kind of site record adds its entry here and its rows to MATRIX_TEXT.
KINDS: dict[str, Kind] = {
    "supervision_session": Kind(
        build=_build_supervision,
        api="/api/v1/supervision-sessions/",
        page=lambda world, row: "/workforce/supervision/",
        detail=lambda world, row: f"/workforce/supervision/{row.pk}/",
        create=lambda world: {
            "site": "north",
            "staff_email": _email("CW"),
            "supervisor_name": "Dr. Reflective Supervisor",
            "held_on": _day(1).isoformat(),
            "minutes": 45,
            "kind": "group",
        },
        patch=lambda world, row: {"minutes": 50},
    ),
    "wellbeing_check_in": Kind(
        build=_build_wellbeing,
        page=lambda world, row: "/workforce/well-being/",
        detail=lambda world, row: f"/workforce/well-being/{row.pk}/",
    ),
    "consultation": Kind(
        build=_build_consultation,
        api="/api/v1/consultations/",
        page=lambda world, row: "/workforce/consultations/",
        detail=lambda world, row: f"/workforce/consultations/{row.pk}/",
        create=lambda world: {
            "site": "north",
            "consultant_email": _email("CLIN"),
            "held_on": _day(1).isoformat(),
            "consultee": "resource_parent",
            "need": "attachment",
            "mode": "direct",
            "minutes": 30,
        },
        patch=lambda world, row: {"minutes": 50},
    ),
    "training": Kind(
        build=_build_training,
        api="/api/v1/trainings/",
        page=lambda world, row: "/workforce/trainings/",
        detail=lambda world, row: f"/workforce/trainings/{row.pk}/",
        create=lambda world: {
            "site": "north",
            "title": "Reflective practice",
            "held_on": _day(1).isoformat(),
            "hours": "1.5",
            "topics": ["sts"],
            "attendees": [{"email": _email("CW")}, {"name": "Lee", "organisation": "Part C"}],
        },
        patch=lambda world, row: {"hours": "2.5"},
    ),
    "act_member": Kind(
        build=_act_member,
        api="/api/v1/act-members/",
        page=lambda w, r: "/act/",
        edit=lambda w, r: f"/act/members/{r.pk}/",
        create=lambda w: {
            "site": "north",
            "name": "Pastor Lee",
            "sector": "faith",
            "joined_on": "2026-11-01",
        },
        patch=lambda w, r: {"organisation": "Family Resource Center"},
        text=lambda r: r.name,
    ),
    "act_meeting": Kind(
        build=_act_meeting,
        api="/api/v1/act-meetings/",
        page=lambda w, r: "/act/",
        detail=lambda w, r: f"/act/meetings/{r.pk}/",
        edit=lambda w, r: f"/act/meetings/{r.pk}/edit/",
        create=lambda w: {
            "site": "north",
            "held_on": "2026-11-16",
            "decisions": ["Invite the housing authority"],
        },
        patch=lambda w, r: {"title": "Quarterly ACT meeting (rescheduled)"},
        text=lambda r: r.title,
        form=lambda w, r: (f"/act/meetings/{r.pk}/decisions/", {"text": "Meet monthly"}),
    ),
    "act_action_item": Kind(
        build=_act_item,
        page=lambda w, r: "/act/",
        detail=lambda w, r: f"/act/meetings/{r.meeting_id}/",
        text=lambda r: r.description,
        form=lambda w, r: (f"/act/items/{r.pk}/done/", {}),
    ),
    "improvement_cycle": Kind(
        build=_cycle,
        api="/api/v1/improvement-cycles/",
        page=lambda w, r: "/act/",
        detail=lambda w, r: f"/act/cycles/{r.pk}/",
        edit=lambda w, r: f"/act/cycles/{r.pk}/edit/",
        create=lambda w: {
            "site": "north",
            "title": "Screen every child within 30 days",
            "metric": "developmental_screening_within_30_days",
            "started_on": "2026-11-01",
        },
        patch=lambda w, r: {"stage": "study"},
        text=lambda r: r.title,
    ),
    "provider": Kind(
        build=_provider,
        api="/api/v1/providers/",
        page=lambda w, r: "/providers/",
        detail=lambda w, r: f"/providers/{r.pk}/",
        edit=lambda w, r: f"/providers/{r.pk}/edit/",
        create=lambda w: {"site": "north", "name": "Harbor Housing", "service_types": ["housing"]},
        patch=lambda w, r: {"waitlist_weeks": 6, "accepting_referrals": False},
        text=lambda r: r.name,
    ),
}

# supervision_session: the persona CW is the staff member; own rows are the staff member's and
# the supervisor's, a POST naming someone else (CW) than oneself is a 400 on `staff_email`.
# wellbeing_check_in: its person's only (CW), whatever anyone else holds; no API.
# consultation: owned by its consultant, the persona CLIN.
# ACT and providers: readers are every role of the site but a parent and national staff (none of
# these rows is a family's); keepers the Community Coordinator and site admins; an action item's
# owner (CW) marks it done. OTHER (a coordinator of `south`) opens their own site's page only.
MATRIX_TEXT = """
kind                action     CC ADMIN CW CLIN PATT CATT GAL PM JUDGE SIT NATIONAL PLEADER PARENT CW+PM CLIN+CW OTHER
supervision_session page       in in in out out out out out out 404 404 404 404 out out out
supervision_session detail     200 200 200 404 404 404 404 404 404 404 404 404 404 404 404 404
supervision_session api_list   in in in out out out out out out out out out out out out out
supervision_session api_detail 200 200 200 404 404 404 404 404 404 404 404 404 404 404 404 404
supervision_session api_write  200 200 200 404 404 404 404 404 404 404 404 404 404 404 404 404
supervision_session api_create 201 201 201 400 400 400 400 400 400 403 403 403 403 400 400 400
wellbeing_check_in  page       out out in out out out out out out 404 404 404 404 out out out
wellbeing_check_in  detail     404 404 200 404 404 404 404 404 404 404 404 404 404 404 404 404
consultation        page       in in 404 in 404 404 404 404 404 404 404 404 404 404 out out
consultation        detail     200 200 404 200 404 404 404 404 404 404 404 404 404 404 404 404
consultation        api_list   in in out in out out out out out out out out out out out out
consultation        api_detail 200 200 404 200 404 404 404 404 404 404 404 404 404 404 404 404
consultation        api_write  200 200 404 200 404 404 404 404 404 404 404 404 404 404 404 404
consultation        api_create 201 201 403 201 403 403 403 403 403 403 403 403 403 403 400 400
training            page       in in in in in in in in in 404 404 404 404 in in out
training            detail     200 200 200 200 200 200 200 200 200 404 404 404 404 200 200 404
training            api_list   in in in in in in in in in out out out out in in out
training            api_detail 200 200 200 200 200 200 200 200 200 404 404 404 404 200 200 404
training            api_write  200 200 403 403 403 403 403 403 403 404 404 404 404 403 403 404
training            api_create 201 201 403 403 403 403 403 403 403 403 403 403 403 403 403 400
act_member          page       in in in in in in in in in in 404 in 404 in in out
act_member          edit       200 200 403 403 403 403 403 403 403 403 404 403 404 403 403 404
act_member          api_list   in in in in in in in in in in out in out in in out
act_member          api_detail 200 200 200 200 200 200 200 200 200 200 404 200 404 200 200 404
act_member          api_write  200 200 403 403 403 403 403 403 403 403 404 403 404 403 403 404
act_member          api_create 201 201 403 403 403 403 403 403 403 403 400 403 400 403 403 400
act_meeting         page       in in in in in in in in in in 404 in 404 in in out
act_meeting         detail     200 200 200 200 200 200 200 200 200 200 404 200 404 200 200 404
act_meeting         edit       200 200 403 403 403 403 403 403 403 403 404 403 404 403 403 404
act_meeting         form       302 302 403 403 403 403 403 403 403 403 404 403 404 403 403 404
act_meeting         api_list   in in in in in in in in in in out in out in in out
act_meeting         api_detail 200 200 200 200 200 200 200 200 200 200 404 200 404 200 200 404
act_meeting         api_write  200 200 403 403 403 403 403 403 403 403 404 403 404 403 403 404
act_meeting         api_create 201 201 403 403 403 403 403 403 403 403 400 403 400 403 403 400
act_action_item     page       in in in in in in in in in in 404 in 404 in in out
act_action_item     detail     200 200 200 200 200 200 200 200 200 200 404 200 404 200 200 404
act_action_item     form       302 302 302 403 403 403 403 403 403 403 404 403 404 403 403 404
improvement_cycle   page       in in in in in in in in in in 404 in 404 in in out
improvement_cycle   detail     200 200 200 200 200 200 200 200 200 200 404 200 404 200 200 404
improvement_cycle   edit       200 200 403 403 403 403 403 403 403 403 404 403 404 403 403 404
improvement_cycle   api_list   in in in in in in in in in in out in out in in out
improvement_cycle   api_detail 200 200 200 200 200 200 200 200 200 200 404 200 404 200 200 404
improvement_cycle   api_write  200 200 403 403 403 403 403 403 403 403 404 403 404 403 403 404
improvement_cycle   api_create 201 201 403 403 403 403 403 403 403 403 400 403 400 403 403 400
provider            page       in in in in in in in in in in 404 in 404 in in out
provider            detail     200 200 200 200 200 200 200 200 200 200 404 200 404 200 200 404
provider            edit       200 200 403 403 403 403 403 403 403 403 404 403 404 403 403 404
provider            api_list   in in in in in in in in in in out in out in in out
provider            api_detail 200 200 200 200 200 200 200 200 200 200 404 200 404 200 200 404
provider            api_write  200 200 403 403 403 403 403 403 403 403 404 403 404 403 403 404
provider            api_create 201 201 403 403 403 403 403 403 403 403 400 403 400 403 403 400
"""  # noqa: E501 - a table is read across


def _parse(text: str) -> dict[tuple[str, str], dict[str, str]]:
    lines = [line.split() for line in text.strip().splitlines() if line.strip()]
    header, rows = lines[0], lines[1:]
    assert header[2:] == COLUMNS, header
    table = {}
    for row in rows:
        assert len(row) == len(header), row
        table[(row[0], row[1])] = dict(zip(COLUMNS, row[2:], strict=True))
    return table


MATRIX = _parse(MATRIX_TEXT)
CELLS = [(kind, action, column) for (kind, action), answers in MATRIX.items() for column in answers]


def build_world() -> SimpleNamespace:
    north = f.SiteFactory(slug="north", name="North County")
    south = f.SiteFactory(slug="south", name="South County")
    users = {}
    for column, roles in PERSONAS.items():
        site = south if column == "OTHER" else north
        email = re.sub(r"\W", "-", column.lower()) + "@site.example"
        users[column] = f.site_member(site, *roles, email=email).pk
    world = SimpleNamespace(north=north, south=south, users=users, rows={})
    for kind, spec in KINDS.items():
        world.rows[kind] = spec.build(world)
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        built = build_world()
        yield built
        transaction.set_rollback(True)


def _client(world: SimpleNamespace, column: str) -> APIClient:
    client = APIClient()
    client.force_login(User.objects.get(pk=world.users[column]))
    return client


def answer(world: SimpleNamespace, column: str, kind: str, action: str) -> str:
    spec, row = KINDS[kind], world.rows[kind]
    client = _client(world, column)
    if action == "page":
        response = client.get(spec.page(world, row))
        if response.status_code != 200:
            return str(response.status_code)
        return "in" if spec.text(row) in response.content.decode() else "out"
    if action == "detail":
        return str(client.get(spec.detail(world, row)).status_code)
    if action == "api_list":
        response = client.get(spec.api)
        if response.status_code != 200:
            return str(response.status_code)
        ids = {str(item["id"]) for item in response.json()["results"]}
        return "in" if str(row.pk) in ids else "out"
    if action == "api_detail":
        return str(client.get(f"{spec.api}{row.pk}/").status_code)
    if action == "api_write":
        body = spec.patch(world, row)
        return str(client.patch(f"{spec.api}{row.pk}/", body, format="json").status_code)
    if action == "api_create":
        return str(client.post(spec.api, spec.create(world), format="json").status_code)
    if action == "edit":
        return str(client.get(spec.edit(world, row)).status_code)
    if action == "form":
        url, body = spec.form(world, row)
        return str(client.post(url, body).status_code)
    raise AssertionError(f"unknown action {action}")


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "action", "column"), CELLS)
def test_site_matrix(world, kind, action, column):
    with transaction.atomic():
        got = answer(world, column, kind, action)
        transaction.set_rollback(True)
    assert got == MATRIX[(kind, action)][column], f"{column} {action} {kind}"


def test_every_site_record_type_has_rows():
    """A kind added to `cases.access.SITE_RECORD_TYPES` needs its rows here."""
    from cases.access import SITE_RECORD_TYPES

    assert set(SITE_RECORD_TYPES) <= set(KINDS), sorted(set(SITE_RECORD_TYPES) - set(KINDS))
    assert {kind for kind, _ in MATRIX} == set(KINDS)


def site_api_paths() -> set[str]:
    """The API list resources this matrix asks (`test_permission_matrix` counts them)."""
    return {spec.api.removeprefix("/api/v1/").strip("/") for spec in KINDS.values() if spec.api}
