"""What the judge needs to see progress (issue 22, item 5): the summary's goals, markers as
trends, strengths and -- only under a release naming the court -- the clinician's
recommendation; structured findings at each hearing; the flag for a family with no review
hearing for more than a month; the Rivera demo family's summary on at most two pages."""

import datetime as dt
import io
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from assessments.models import Goal, GoalStep, MarkerRating
from cases.models import Consent, CourtRecommendation, Hearing
from safebabies import codes
from safebabies.audit.models import AuditEvent
from safebabies.identity.models import User
from tests import factories as f

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 10, 28, 17, 0, tzinfo=dt.UTC)  # 28 Oct 2026, noon in Chicago
TODAY = dt.date(2026, 10, 28)
HEARING_DAY = dt.date(2026, 10, 29)
NOTE = "Quorlax rating note"
RECOMMENDATION = "Quorlax: family time can step down to monitored; keep weekly therapy."


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def hearing(family, judge):
    f.HearingFactory(case=family, scheduled_on=dt.date(2026, 10, 1), status="held")
    return f.HearingFactory(case=family, scheduled_on=HEARING_DAY, judge=judge)


def _rate(case, marker, scores, *, child=None, caregiver=None):
    for days_ago, score in scores:
        MarkerRating.objects.create(
            case=case,
            child=child,
            caregiver=caregiver,
            marker=marker,
            rated_on=TODAY - dt.timedelta(days=days_ago),
            score=score,
            note=NOTE,
        )


def _release(case, *, role="judge", category="mental_health", **dates):
    dates.setdefault("granted_on", dt.date(2026, 9, 1))
    dates.setdefault("expires_on", dt.date(2027, 9, 1))
    return Consent.objects.create(
        confirmed_at=f.CONFIRMED,
        case=case,
        person=case.test_parent,
        category=category,
        recipient_role=role,
        **dates,
    )


def _recommend(case, clinician, text=RECOMMENDATION, day=dt.date(2026, 10, 20)):
    return CourtRecommendation.objects.create(
        case=case, text=text, written_on=day, clinician=clinician
    )


def _summary(client, hearing, **params):
    return client.get(reverse("api-hearing-summary", args=[hearing.pk]), params)


def _page(client, hearing):
    url = reverse("hearing-summary", args=[hearing.case_id, hearing.pk])
    return client.get(url).content.decode()


# --- goals, markers as trends, strengths ----------------------------------------------------


def test_summary_shows_goals_with_status_and_markers_as_trends_without_notes(
    client_for, judge, family, hearing
):
    child, parent = family.test_child, family.test_parent
    goal = Goal.objects.create(
        case=family,
        child=child,
        description="Jaime settles at bedtime",
        status=codes.GoalStatus.ACHIEVED,
        target_on=dt.date(2026, 11, 30),
    )
    GoalStep.objects.create(goal=goal, text="Same routine", done_on=dt.date(2026, 10, 2))
    GoalStep.objects.create(goal=goal, text="Night light")
    later = Goal.objects.create(case=family, description="A safe home", status="in_progress")
    # written a minute after the first (the clock is frozen: ids would decide the order)
    Goal.objects.filter(pk=later.pk).update(created_at=goal.created_at + dt.timedelta(minutes=1))
    _rate(family, "seeks_caregiver", [(60, 1), (30, 2), (10, 3)], child=child)
    _rate(family, "takes_responsibility", [(40, 2), (5, 1)], caregiver=parent)
    _rate(family, "uses_supports", [(3, 2)], caregiver=parent)
    # a rating on the hearing day is after the summary's window
    _rate(family, "uses_supports", [(-1, 4)], caregiver=parent)

    data = _summary(client_for(judge), hearing).json()

    assert [(g["goal"], g["status"], g["target_date"]) for g in data["goals"]] == [
        ("Jaime settles at bedtime", "achieved", "2026-11-30"),
        ("A safe home", "in_progress", None),
    ]
    assert (data["goals"][0]["steps_done"], data["goals"][0]["steps"]) == (1, 2)
    markers = {(m["marker"], m["subject"]): m for m in data["markers"]}
    seeks = markers["seeks_caregiver", "child"]
    assert (seeks["rating"], seeks["previous_rating"], seeks["trend"]) == (3, 2, "up")
    assert seeks["history"] == [1, 2, 3]
    assert seeks["ratings_since"] == 1  # since the hearing of 1 Oct
    responsibility = markers["takes_responsibility", "caregiver"]
    assert (responsibility["rating"], responsibility["trend"]) == (1, "down")
    supports = markers["uses_supports", "caregiver"]
    assert (supports["rating"], supports["previous_rating"], supports["trend"]) == (2, None, None)
    assert NOTE not in str(data)
    assert "Jaime: seeks the caregiver when distressed — often, with support." in data["strengths"]
    assert "1 of 2 case-plan goals achieved." in data["strengths"]

    page = _page(client_for(judge), hearing)
    assert "1 → 2 → 3" in page and "▲ up" in page and "▼ down" in page
    assert "Jaime settles at bedtime" in page
    assert NOTE not in page


def test_summary_says_so_when_no_goal_or_marker_is_recorded(client_for, judge, hearing):
    data = _summary(client_for(judge), hearing).json()
    assert data["goals"] == [] and data["markers"] == []
    assert "No case-plan goal recorded and no marker of progress rated yet." in _page(
        client_for(judge), hearing
    )


# --- the clinician's recommendation: only under a release naming the court ------------------


def test_judge_reads_the_recommendation_only_under_a_release_naming_the_court(
    client_for, judge, clinician, family, hearing
):
    _recommend(family, clinician, "An older recommendation", day=dt.date(2026, 9, 20))
    _recommend(family, clinician)
    client = client_for(judge)
    data = _summary(client, hearing).json()
    assert data["court_recommendation"] is None
    assert data["court_release_in_force"] is False
    assert RECOMMENDATION not in _summary(client, hearing).content.decode()

    _release(family)
    data = _summary(client, hearing).json()
    assert data["court_release_in_force"] is True
    assert data["court_recommendation"]["text"] == RECOMMENDATION  # the latest
    assert RECOMMENDATION in _page(client, hearing)
    pdf = _summary(client, hearing, format="pdf")
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split()
    )
    assert RECOMMENDATION in text


@pytest.mark.parametrize(
    "release",
    [
        {"role": "caseworker"},  # names another role, not the court
        {"category": "general"},  # not the clinician's (mental health) information
        {"expires_on": dt.date(2026, 10, 1)},  # expired
        {"revoked_on": dt.date(2026, 10, 10)},  # revoked
        {"granted_on": dt.date(2026, 11, 1), "expires_on": None},  # not signed yet
    ],
)
def test_a_release_that_does_not_name_the_court_in_force_opens_nothing(
    client_for, judge, clinician, family, hearing, release
):
    _recommend(family, clinician)
    _release(family, **release)
    for response in (
        _summary(client_for(judge), hearing),
        client_for(judge).get(f"/api/v1/court-recommendations/?case={family.pk}"),
    ):
        assert RECOMMENDATION not in response.content.decode()


def test_an_unconfirmed_release_opens_nothing(client_for, judge, clinician, family, hearing):
    _recommend(family, clinician)
    release = _release(family)
    Consent.objects.filter(pk=release.pk).update(confirmed_at=None)
    assert _summary(client_for(judge), hearing).json()["court_recommendation"] is None


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("clinician", True),
        ("coordinator", True),
        ("caseworker", True),
        ("judge", False),
        ("site_admin", False),
        ("parent_attorney", False),
        ("parent_mentor", False),
        ("outsider", False),
    ],
)
def test_who_reads_recommendations_in_the_api_without_a_release(
    request, api, clinician, family, persona, sees
):
    recommendation = _recommend(family, clinician)
    api.force_authenticate(request.getfixturevalue(persona))
    listed = api.get(f"/api/v1/court-recommendations/?case={family.pk}").json()["results"]
    assert [r["id"] for r in listed] == ([recommendation.pk] if sees else [])
    detail = api.get(f"/api/v1/court-recommendations/{recommendation.pk}/")
    assert detail.status_code == (200 if sees else 404)
    if sees:
        assert detail.json()["text"] == RECOMMENDATION
        assert "note" not in detail.json()


def test_the_judge_reads_it_in_the_api_under_the_release(api, judge, clinician, family):
    recommendation = _recommend(family, clinician)
    _release(family)
    api.force_authenticate(judge)
    listed = api.get(f"/api/v1/court-recommendations/?case={family.pk}").json()["results"]
    assert [r["id"] for r in listed] == [recommendation.pk]
    assert api.get(f"/api/v1/court-recommendations/{recommendation.pk}/").status_code == 200


def test_only_the_clinician_writes_the_recommendation(api, request, clinician, family):
    body = {"case_id": family.pk, "text": "Keep weekly sessions.", "child_id": family.test_child.pk}
    for persona, status in [
        ("coordinator", 403),
        ("caseworker", 403),
        ("judge", 403),
        ("parent_attorney", 403),
        ("outsider", 400),
    ]:
        api.force_authenticate(request.getfixturevalue(persona))
        assert api.post("/api/v1/court-recommendations/", body, format="json").status_code == (
            status
        ), persona
    api.force_authenticate(clinician)
    response = api.post("/api/v1/court-recommendations/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["clinician"] == clinician.email
    assert response.json()["written_on"] == TODAY.isoformat()
    saved = CourtRecommendation.objects.get(pk=response.json()["id"])
    assert saved.child_id == family.test_child.pk
    assert AuditEvent.objects.filter(record_id=saved.pk, action="create", actor=clinician).exists()
    # never changed: a new one is a new row
    url = f"/api/v1/court-recommendations/{saved.pk}/"
    assert api.patch(url, {"text": "Changed"}, format="json").status_code == 405


def test_a_long_or_empty_recommendation_is_refused_naming_the_field(api, clinician, family):
    api.force_authenticate(clinician)
    for text in ("x" * (CourtRecommendation.MAX_LENGTH + 1), "   "):
        response = api.post(
            "/api/v1/court-recommendations/", {"case_id": family.pk, "text": text}, format="json"
        )
        assert response.status_code == 400
        assert "text" in response.json()
    future = {"case_id": family.pk, "text": "Fine", "written_on": "2026-11-30"}
    response = api.post("/api/v1/court-recommendations/", future, format="json")
    assert response.status_code == 400 and "written_on" in response.json()
    assert not CourtRecommendation.objects.exists()


def test_the_clinician_writes_it_on_its_page(client_for, request, clinician, family):
    url = reverse("court-recommendation-new", args=[family.pk])
    client = client_for(clinician)
    assert client.get(url).status_code == 200
    response = client.post(url, {"text": "Weekly sessions with Jaime.", "written_on": ""})
    assert response.status_code == 302
    assert CourtRecommendation.objects.get().text == "Weekly sessions with Jaime."
    case_page = client.get(reverse("case-detail", args=[family.pk])).content.decode()
    assert "Weekly sessions with Jaime." in case_page
    assert "No release naming the court is in force" in case_page
    too_long = client.post(url, {"text": "y" * 700})
    assert (
        too_long.status_code == 200
        and not CourtRecommendation.objects.filter(text__startswith="y").exists()
    )
    for persona, status in [("caseworker", 403), ("judge", 403), ("outsider", 404)]:
        assert client_for(request.getfixturevalue(persona)).get(url).status_code == status
    assert client_for(clinician).put(url).status_code == 405


# --- structured findings at each hearing ------------------------------------------------------


def test_the_outcome_form_records_structured_findings(client_for, caseworker, family):
    hearing = f.HearingFactory(case=family, scheduled_on=dt.date(2026, 10, 20))
    url = reverse("hearing-outcome", args=[family.pk, hearing.pk])
    response = client_for(caseworker).post(
        url,
        {
            "status": "held",
            "reasonable_efforts": "no",
            "reasonable_efforts_reason": "No referral to housing in 60 days.",
            "permanency_goal": "reunification",
            "permanency_goal_approved": "yes",
            "attendance": ["parent", "caseworker", "gal_casa", "community_coordinator"],
            "next_hearing_type": "review",
        },
    )
    assert response.status_code == 302
    hearing.refresh_from_db()
    assert hearing.reasonable_efforts is False
    assert hearing.reasonable_efforts_reason == "No referral to housing in 60 days."
    assert (hearing.permanency_goal, hearing.permanency_goal_approved) == ("reunification", True)
    assert hearing.attendance == ["parent", "caseworker", "gal_casa", "community_coordinator"]
    page = client_for(caseworker).get(reverse("case-detail", args=[family.pk])).content.decode()
    assert "Reasonable efforts made: no — No referral to housing in 60 days." in page
    assert "Who was there: Parent, Caseworker, GAL / CASA, Community Coordinator" in page


@pytest.mark.parametrize(
    ("post", "field"),
    [
        ({"status": "held", "reasonable_efforts": "yes"}, "reasonable_efforts_reason"),
        ({"status": "held", "permanency_goal_approved": "yes"}, "permanency_goal"),
        ({"status": "held", "permanency_goal": "adoption"}, "permanency_goal_approved"),
        ({"status": "cancelled", "attendance": ["parent"]}, "attendance"),
    ],
)
def test_structured_findings_refuse_what_does_not_hold_together(
    client_for, caseworker, family, post, field
):
    hearing = f.HearingFactory(case=family, scheduled_on=dt.date(2026, 10, 20))
    url = reverse("hearing-outcome", args=[family.pk, hearing.pk])
    response = client_for(caseworker).post(url, {"next_hearing_type": "review", **post})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    hearing.refresh_from_db()
    assert hearing.status == "scheduled" and hearing.attendance == []


def test_the_api_writes_and_reads_structured_findings(api, caseworker, judge, family):
    api.force_authenticate(caseworker)
    response = api.post(
        "/api/v1/hearings/",
        {
            "case_id": family.pk,
            "hearing_type": "review",
            "scheduled_on": "2026-10-20",
            "status": "held",
            "reasonable_efforts": True,
            "reasonable_efforts_reason": "Services in place within a week.",
            "permanency_goal": "reunification",
            "permanency_goal_approved": False,
            "attendance": ["caseworker", "parent"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["attendance"] == ["parent", "caseworker"]  # the codes' order
    assert data["permanency_goal_approved"] is False
    url = f"/api/v1/hearings/{data['id']}/"
    bad = api.patch(url, {"attendance": ["judge's clerk"]}, format="json")
    assert bad.status_code == 400 and "attendance" in bad.json()
    bad = api.patch(url, {"reasonable_efforts_reason": ""}, format="json")
    assert bad.status_code == 400 and "reasonable_efforts_reason" in bad.json()
    api.force_authenticate(judge)
    assert api.get(url).json()["reasonable_efforts"] is True
    assert api.patch(url, {"attendance": []}, format="json").status_code == 403


def test_summary_shows_the_findings_of_the_last_hearing(client_for, judge, family):
    Hearing.objects.create(
        case=family,
        hearing_type="review",
        scheduled_on=dt.date(2026, 10, 1),
        status="held",
        reasonable_efforts=True,
        reasonable_efforts_reason="Referrals made within a week.",
        permanency_goal="reunification",
        permanency_goal_approved=True,
        attendance=["parent", "resource_parent", "caseworker"],
    )
    hearing = f.HearingFactory(case=family, scheduled_on=HEARING_DAY, judge=judge)
    last = _summary(client_for(judge), hearing).json()["last_hearing"]
    assert last["reasonable_efforts"] is True
    assert (last["permanency_goal"], last["permanency_goal_approved"]) == ("reunification", True)
    assert last["attendance_labels"] == ["Parent", "Resource parent", "Caseworker"]
    page = _page(client_for(judge), hearing)
    assert "Reasonable efforts made: <strong>yes</strong> — Referrals made within a week." in page
    assert "Who was there: Parent, Resource parent, Caseworker." in page


# --- no review hearing for more than a month --------------------------------------------------


def test_a_family_without_a_hearing_for_over_a_month_is_flagged_everywhere(
    client_for, coordinator, judge, family
):
    f.HearingFactory(case=family, scheduled_on=dt.date(2026, 9, 25), status="held")
    coming = f.HearingFactory(case=family, scheduled_on=dt.date(2026, 11, 2), judge=judge)
    recent = f.CaseFactory(site=family.site, name="Okafor family")
    f.HearingFactory(case=recent, scheduled_on=dt.date(2026, 10, 5), status="held")
    f.HearingFactory(case=recent, scheduled_on=dt.date(2026, 11, 3), judge=judge)

    case_page = client_for(coordinator).get(reverse("case-detail", args=[family.pk]))
    assert "No review hearing for more than a month." in case_page.content.decode()
    recent_page = client_for(coordinator).get(reverse("case-detail", args=[recent.pk]))
    assert "No review hearing for more than a month." not in recent_page.content.decode()

    home = client_for(coordinator).get("/")
    overdue = [case.pk for case in home.context["review_overdue"]]
    assert family.pk in overdue and recent.pk not in overdue
    assert "Last hearing 25 Sep 2026" in home.content.decode()

    docket = client_for(judge).get("/")
    flagged = {h.case_id: h.review_overdue for h in docket.context["hearings"]}
    assert flagged == {family.pk: True, recent.pk: False}
    assert docket.content.decode().count("No review for over a month") == 1

    flags = _summary(client_for(judge), coming).json()["flags"]
    assert any(
        flag.startswith("No court hearing held since 25 Sep 2026 (33 days)") for flag in flags
    )


def test_a_new_family_is_flagged_a_month_after_enrolment_without_a_hearing(
    client_for, coordinator, family
):
    family.opened_on = dt.date(2026, 9, 20)
    family.save(update_fields=["opened_on"])
    home = client_for(coordinator).get("/")
    assert family.pk in [case.pk for case in home.context["review_overdue"]]
    assert "No hearing held since enrolment" in home.content.decode()
    family.opened_on = dt.date(2026, 10, 1)
    family.save(update_fields=["opened_on"])
    home = client_for(coordinator).get("/")
    assert family.pk not in [case.pk for case in home.context["review_overdue"]]


# --- the Rivera demo family -------------------------------------------------------------------


def test_the_rivera_demo_summary_shows_progress_and_the_recommendation_on_two_pages(client):
    call_command("seed_demo", stdout=StringIO())
    judge = User.objects.get(email="judge@demo.safebabies.test")
    hearing = (
        Hearing.objects.filter(case_id="demo-case-rivera", status="scheduled")
        .order_by("scheduled_on")
        .first()
    )
    client.force_login(judge)
    data = _summary(client, hearing).json()
    assert len(data["goals"]) >= 3 and {g["status"] for g in data["goals"]} >= {
        "in_progress",
        "achieved",
    }
    assert len(data["markers"]) >= 5 and {m["trend"] for m in data["markers"]} >= {"up", "down"}
    assert data["strengths"]
    assert data["court_release_in_force"] is True
    recommendation = data["court_recommendation"]
    assert recommendation and recommendation["clinician"]
    assert data["last_hearing"]["reasonable_efforts"] is True
    pdf = _summary(client, hearing, format="pdf")
    reader = PdfReader(io.BytesIO(pdf.content))
    assert 1 <= len(reader.pages) <= 2
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert recommendation["text"][:60] in text
    assert data["goals"][0]["goal"][:40] in text
