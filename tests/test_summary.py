"""The judge's pre-hearing summary (issue 6): exact figures on a constructed case, window edges,
what the court never sees, access rules, the PDF, and a query count that does not grow."""

import datetime as dt
import io
import json
import re
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from assessments.models import Screening, Service
from cases.models import HearingOrder
from familytime.models import FamilyTimePlan, Visit
from safebabies import codes
from safebabies.audit.models import AuditEvent
from safebabies.lib.dates import age_in_months
from teams.models import Ftm, FtmActionItem
from tests import factories as f

NOW = dt.datetime(2026, 10, 28, 17, 0, tzinfo=dt.UTC)  # 28 Oct 2026, noon in Chicago
TODAY = dt.date(2026, 10, 28)
PREVIOUS = dt.date(2026, 10, 1)
HEARING_DAY = dt.date(2026, 10, 29)


NOTES = "Confidential: what the parent said about relapse"
OBSERVATIONS = "Observed: the parent soothed the baby quickly"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _visit(child, day, status, **extra):
    if status == codes.VisitStatus.CANCELLED:
        extra.setdefault("cancelled_by", codes.CancelledBy.PARENT)
    return Visit.objects.create(child=child, scheduled_on=day, status=status, **extra)


def _ftm(case, day, status=codes.FtmStatus.HELD, roles=(), parent=None):
    return Ftm.objects.create(
        case=case,
        scheduled_on=day,
        status=status,
        attendee_roles=list(roles),
        parent_attended=parent,
        notes=NOTES,
    )


def _item(ftm, due, status=codes.ActionItemStatus.OPEN):
    done_on = due if status == codes.ActionItemStatus.DONE else None
    return FtmActionItem.objects.create(
        ftm=ftm, description="Call the provider", due_on=due, status=status, completed_on=done_on
    )


def _order(hearing, text, status=HearingOrder.Status.NOT_STARTED, due=None, done=None):
    return HearingOrder.objects.create(
        hearing=hearing, text=text, status=status, due_on=due, done_on=done
    )


@pytest.fixture
def hearing(family, judge):
    """A case with records on both sides of every window edge."""
    case = family
    child = family.test_child
    f.HearingFactory(case=case, scheduled_on=dt.date(2026, 9, 1), status="held")
    earlier = case.hearings.get(scheduled_on=dt.date(2026, 9, 1))
    previous = f.HearingFactory(case=case, scheduled_on=PREVIOUS, status="held")
    f.HearingFactory(
        case=case,
        scheduled_on=dt.date(2026, 10, 15),
        status="continued",
        continuance_reason="Attorney ill",
    )
    this = f.HearingFactory(
        case=case, scheduled_on=HEARING_DAY, judge=judge, courtroom="Courtroom 3"
    )
    FamilyTimePlan.objects.create(
        child=child,
        effective_from=dt.date(2026, 3, 5),
        visits_per_week=Decimal("3"),
        supervision=codes.Supervision.SUPERVISED,
    )
    # family time: 30 Sep is before the window, 1 Oct (the previous hearing) is in it,
    # 29 Oct (this hearing) is not
    _visit(child, dt.date(2026, 9, 30), codes.VisitStatus.HELD)
    _visit(child, PREVIOUS, codes.VisitStatus.HELD, observations=OBSERVATIONS)
    _visit(child, dt.date(2026, 10, 8), codes.VisitStatus.HELD)
    _visit(child, dt.date(2026, 10, 15), codes.VisitStatus.HELD)
    _visit(child, dt.date(2026, 10, 22), codes.VisitStatus.CANCELLED)
    _visit(child, dt.date(2026, 10, 25), codes.VisitStatus.NO_SHOW)
    _visit(child, TODAY, codes.VisitStatus.HELD)
    _visit(child, HEARING_DAY, codes.VisitStatus.HELD)
    # FTMs: held on the previous hearing's day and inside; outside, cancelled or on the day
    on_edge = _ftm(
        case,
        PREVIOUS,
        roles=["caseworker", "parent_attorney", "community_coordinator"],
        parent=True,
    )
    inside = _ftm(case, dt.date(2026, 10, 20), roles=["caseworker"], parent=False)
    _ftm(case, dt.date(2026, 10, 10), status=codes.FtmStatus.CANCELLED)
    _ftm(case, dt.date(2026, 9, 20), roles=["caseworker"], parent=True)
    _ftm(case, HEARING_DAY, roles=["caseworker"], parent=True)
    _item(on_edge, PREVIOUS, codes.ActionItemStatus.DONE)
    _item(on_edge, dt.date(2026, 10, 15))
    _item(inside, TODAY, codes.ActionItemStatus.DONE)
    _item(inside, HEARING_DAY)
    _item(inside, dt.date(2026, 9, 30), codes.ActionItemStatus.DONE)
    _item(inside, dt.date(2026, 10, 20), codes.ActionItemStatus.DROPPED)
    # services: a referral waiting 52 days, one active, Part 2 treatment, one ended before
    Service.objects.create(
        case=case,
        child=child,
        recipient="dyad",
        service_type=codes.ServiceType.CHILD_PARENT_PSYCHOTHERAPY,
        referred_on=dt.date(2026, 9, 6),
        status=codes.ServiceStatus.WAITLISTED,
    )
    Service.objects.create(
        case=case,
        child=child,
        recipient="child",
        service_type=codes.ServiceType.EARLY_INTERVENTION,
        referred_on=dt.date(2026, 3, 4),
        started_on=dt.date(2026, 3, 20),
        status=codes.ServiceStatus.ACTIVE,
    )
    Service.objects.create(
        case=case,
        recipient="parent",
        service_type=codes.ServiceType.SUBSTANCE_USE_TREATMENT,
        provider="Harbor Recovery",
        referred_on=dt.date(2026, 4, 1),
        status=codes.ServiceStatus.ACTIVE,
    )
    Service.objects.create(
        case=case,
        recipient="parent",
        service_type=codes.ServiceType.HOUSING,
        referred_on=dt.date(2026, 4, 1),
        started_on=dt.date(2026, 4, 10),
        ended_on=dt.date(2026, 8, 1),
        status=codes.ServiceStatus.COMPLETED,
    )
    Screening.objects.create(
        case=case,
        child=child,
        subject="child",
        instrument=codes.Instrument.ASQ3,
        screened_on=dt.date(2026, 10, 5),
        result=codes.ScreeningResult.MONITOR,
    )
    Screening.objects.create(
        case=case,
        child=child,
        subject="child",
        instrument=codes.Instrument.HEALTH_INITIAL,
        screened_on=dt.date(2026, 3, 2),
        result=codes.ScreeningResult.NO_CONCERN,
    )
    Screening.objects.create(
        case=case,
        subject="parent",
        instrument=codes.Instrument.SUBSTANCE_USE,
        screened_on=dt.date(2026, 10, 6),
        result=codes.ScreeningResult.REFER,
    )
    # orders: open from September, done before the window (left out), done inside, in progress
    _order(earlier, "Refer the family to child-parent psychotherapy", due=dt.date(2026, 10, 15))
    _order(earlier, "Complete the home study", HearingOrder.Status.DONE, done=dt.date(2026, 9, 20))
    _order(earlier, "Increase family time", HearingOrder.Status.DONE, done=dt.date(2026, 10, 10))
    _order(previous, "Schedule the dental visit", HearingOrder.Status.IN_PROGRESS)
    return this


def _summary(client, hearing, **params):
    return client.get(reverse("api-hearing-summary", args=[hearing.pk]), params)


def test_summary_counts_the_window_from_the_previous_held_hearing(client_for, judge, hearing):
    response = _summary(client_for(judge), hearing)
    assert response.status_code == 200
    data = response.json()
    child = hearing.case.children.get()
    assert data["since"] == PREVIOUS.isoformat()
    assert data["until"] == (HEARING_DAY - dt.timedelta(days=1)).isoformat()
    assert data["hearing"]["id"] == hearing.pk
    assert data["hearing"]["docket_numbers"] == [child.docket_number]
    [row] = data["children"]
    assert row["id"] == child.pk
    assert row["age_months"] == age_in_months(child.birth_date, TODAY)
    assert row["days_in_care"] == (TODAY - dt.date(2026, 3, 1)).days
    assert row["placement"] == {
        "setting": "relative_foster",
        "setting_label": codes.PlacementSetting.RELATIVE_FOSTER.label,
        "since": "2026-03-01",
    }
    assert row["placement_moves"] == 0
    assert row["permanency_goal"] == "reunification"
    assert row["concurrent_goal"] == "relative"
    assert row["icwa"] == child.icwa
    # 1 Oct (the previous hearing's day), 8 Oct, 15 Oct and 28 Oct; not 30 Sep, not 29 Oct
    assert {k: row["family_time"][k] for k in ("held", "cancelled", "no_show")} == {
        "held": 4,
        "cancelled": 1,
        "no_show": 1,
    }
    assert row["family_time"]["per_week"] == 1.0  # 4 held over the 28 days 1-28 Oct
    assert row["family_time"]["target_per_week"] == 3.0
    assert row["family_time"]["supervision_now"] == "supervised"
    assert [s["instrument"] for s in row["screenings"]["done"]] == ["asq3"]
    assert data["ftms"]["held"] == 2
    assert data["ftms"]["action_items_due"] == 3
    assert data["ftms"]["action_items_done"] == 2
    assert data["ftms"]["parent_attended"] == 1
    assert data["ftms"]["attendance_by_role"] == {
        "community_coordinator": 1,
        "caseworker": 2,
        "parent_attorney": 1,
    }
    services = {s["service_type"]: s for s in data["services"]}
    assert set(services) == {"child_parent_psychotherapy", "early_intervention"}
    assert services["child_parent_psychotherapy"]["waiting_days"] == 52
    assert services["early_intervention"]["waiting_days"] is None
    # open orders of earlier hearings carry over; one done before the window does not
    assert {(o["text"], o["status"]) for o in data["orders"]} == {
        ("Refer the family to child-parent psychotherapy", "not_started"),
        ("Increase family time", "done"),
        ("Schedule the dental visit", "in_progress"),
    }


def test_summary_flags_what_needs_the_courts_attention_in_plain_sentences(
    client_for, judge, hearing
):
    flags = _summary(client_for(judge), hearing).json()["flags"]
    assert "Jaime: family time 1 a week against a target of 3." in flags
    assert "Referral to child-parent psychotherapy waiting 52 days." in flags
    assert "1 of 2 FTM action items due since 1 Oct 2026 are done." not in flags
    assert "2 of 3 FTM action items due since 1 Oct 2026 are done." in flags
    assert (
        "Order of 1 Sep 2026 not done by its date (15 Oct 2026): "
        "Refer the family to child-parent psychotherapy" in flags
    )
    assert not any("Schedule the dental visit" in flag for flag in flags)  # no date to miss


def test_summary_flags_a_missing_developmental_screening_after_removal(client_for, judge, family):
    removal = family.test_episode.removal_date
    hearing = f.HearingFactory(case=family, scheduled_on=HEARING_DAY)
    flags = _summary(client_for(judge), hearing).json()["flags"]
    days = (TODAY - removal).days
    assert f"Jaime: no developmental screening in the {days} days since removal." in flags
    assert "No Family Team Meeting held since 2 Mar 2026." in flags


def test_summary_counts_from_the_case_opening_without_a_previous_held_hearing(
    client_for, judge, family
):
    f.HearingFactory(case=family, scheduled_on=dt.date(2026, 10, 1), status="continued")
    hearing = f.HearingFactory(case=family, scheduled_on=HEARING_DAY)
    _visit(family.test_child, family.opened_on, codes.VisitStatus.HELD)
    _visit(family.test_child, family.opened_on - dt.timedelta(days=1), codes.VisitStatus.HELD)
    data = _summary(client_for(judge), hearing).json()
    assert data["since"] == family.opened_on.isoformat()
    assert data["previous_hearing_id"] is None
    assert data["children"][0]["family_time"]["held"] == 1


def test_summary_sections_say_so_when_their_records_are_empty(client_for, judge, family):
    hearing = f.HearingFactory(case=family, scheduled_on=HEARING_DAY)
    page = (
        client_for(judge)
        .get(reverse("hearing-summary", args=[family.pk, hearing.pk]))
        .content.decode()
    )
    assert "No open order from an earlier hearing." in page
    assert "No service on the case plan since 2 Mar 2026." in page
    data = _summary(client_for(judge), hearing).json()
    topics = {q["topic"] for q in data["questions"]}
    assert topics >= {"development", "mental health and relationships", "early care and education"}
    assert any("family-time plan" in q["question"] for q in data["questions"])


def test_summary_leaves_out_notes_observations_and_part2(client_for, judge, coordinator, hearing):
    for user in (judge, coordinator):
        text = _summary(client_for(user), hearing).content.decode()
        assert NOTES not in text
        assert OBSERVATIONS not in text
        assert "substance" not in text.lower()
        assert "Harbor Recovery" not in text


def test_summary_answers_the_same_questions_without_the_asked_figures(client_for, judge, hearing):
    data = _summary(client_for(judge), hearing).json()
    questions = [q["question"] for q in data["questions"]]
    # the record has a health screening, an ASQ-3, CPP and EI: those topics are answered
    assert not [q for q in data["questions"] if q["topic"] in {"health", "development"}]
    assert all(q.endswith("?") for q in questions)


@pytest.mark.parametrize(
    "persona", ["judge", "coordinator", "site_admin", "caseworker", "clinician", "parent_attorney"]
)
def test_court_and_family_team_read_the_summary(request, client_for, hearing, persona):
    user = request.getfixturevalue(persona)
    assert _summary(client_for(user), hearing).status_code == 200
    page = client_for(user).get(reverse("hearing-summary", args=[hearing.case_id, hearing.pk]))
    assert page.status_code == 200


@pytest.mark.parametrize("persona", ["outsider", "other_caseworker", "sit_member", "parent_mentor"])
def test_nobody_else_finds_the_summary(request, client_for, hearing, persona):
    user = request.getfixturevalue(persona)
    assert _summary(client_for(user), hearing).status_code == 404
    assert _summary(client_for(user), hearing, format="pdf").status_code == 404
    page = client_for(user).get(reverse("hearing-summary", args=[hearing.case_id, hearing.pk]))
    assert page.status_code == 404


def test_a_judge_of_another_site_gets_404(client_for, other_site, hearing):
    other_judge = f.site_member(other_site, "judge", email="judge@south.example.org")
    assert _summary(client_for(other_judge), hearing).status_code == 404


def test_summary_page_under_the_wrong_case_is_404(client_for, judge, site, hearing):
    other_case = f.CaseFactory(site=site)
    url = reverse("hearing-summary", args=[other_case.pk, hearing.pk])
    assert client_for(judge).get(url).status_code == 404


def test_summary_refuses_writes_with_405(client_for, judge, coordinator, hearing):
    url = reverse("api-hearing-summary", args=[hearing.pk])
    assert client_for(coordinator).post(url, {}).status_code == 405
    page = reverse("hearing-summary", args=[hearing.case_id, hearing.pk])
    assert client_for(judge).post(page, {}).status_code == 405


def test_summary_reads_are_audited(client_for, judge, hearing):
    client = client_for(judge)
    _summary(client, hearing)
    _summary(client, hearing, format="pdf")
    events = AuditEvent.objects.filter(record_id=hearing.pk, actor=judge).order_by("at", "id")
    assert [e.action for e in events] == ["view", "export"]
    assert all(e.case_id == hearing.case_id for e in events)


def test_summary_pdf_holds_the_figures_on_at_most_two_pages(client_for, judge, hearing):
    response = _summary(client_for(judge), hearing, format="pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    reader = PdfReader(io.BytesIO(response.content))
    assert 1 <= len(reader.pages) <= 2
    child = hearing.case.children.get()
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert f"{age_in_months(child.birth_date, TODAY)} months" in text
    assert "1.0 a week" in text
    for page in reader.pages:  # case name, docket number and date on every page
        page_text = page.extract_text()
        assert "Rivera family" in page_text
        assert child.docket_number in page_text
        assert "29 Oct 2026" in page_text


def test_summary_query_count_does_not_grow_with_the_records(client_for, judge, hearing):
    client = client_for(judge)
    with CaptureQueriesContext(connection) as first:
        assert _summary(client, hearing).status_code == 200
    child = hearing.case.children.get()
    for day in range(2, 20):
        _visit(child, dt.date(2026, 10, day), codes.VisitStatus.HELD)
    ftm = _ftm(hearing.case, dt.date(2026, 10, 21), roles=["clinician"], parent=True)
    for _ in range(5):
        _item(ftm, dt.date(2026, 10, 27))
    for _ in range(4):
        Service.objects.create(
            case=hearing.case,
            child=child,
            recipient="child",
            service_type=codes.ServiceType.MEDICAL,
            referred_on=dt.date(2026, 10, 2),
        )
    _order(hearing.case.hearings.get(scheduled_on=PREVIOUS), "Another order")
    with CaptureQueriesContext(connection) as second:
        data = json.loads(_summary(client, hearing).content)
    assert data["children"][0]["family_time"]["held"] > 4  # the new rows are in the figures
    assert len(second.captured_queries) == len(first.captured_queries)


def test_supervision_now_comes_from_the_latest_visit_without_a_plan(client_for, judge, family):
    child = family.test_child
    hearing = f.HearingFactory(case=family, scheduled_on=HEARING_DAY)
    _visit(child, dt.date(2026, 10, 1), "held", supervision=codes.Supervision.SUPERVISED)
    _visit(child, dt.date(2026, 10, 20), "held", supervision=codes.Supervision.MONITORED)
    _visit(child, dt.date(2026, 10, 22), "cancelled", supervision=codes.Supervision.SUPERVISED)
    family_time = _summary(client_for(judge), hearing).json()["children"][0]["family_time"]
    assert family_time["supervision_now"] == "monitored"
    assert family_time["target_per_week"] == float(family.site.family_time_target_per_week)


def test_flags_name_services_in_plain_words_and_keep_acronyms(client_for, judge, family):
    hearing = f.HearingFactory(case=family, scheduled_on=HEARING_DAY)
    Service.objects.create(
        case=family,
        child=family.test_child,
        recipient="child",
        service_type=codes.ServiceType.EARLY_INTERVENTION,
        referred_on=dt.date(2026, 9, 27),
        status=codes.ServiceStatus.REFERRED,
    )
    flags = _summary(client_for(judge), hearing).json()["flags"]
    assert "Referral to early intervention (IDEA part C) waiting 31 days." in flags


# --- The PDF says what it is, on as few pages as it needs ------------------------------------


def _pdf_pages(response) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages]


def test_summary_pdf_pages_say_page_x_of_y_and_carry_the_confidentiality_notice(
    client_for, judge, hearing
):
    from cases.hearings.summary import CONFIDENTIALITY_NOTICE

    pages = _pdf_pages(_summary(client_for(judge), hearing, format="pdf"))
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert "Confidential: for the court and the parties" in text
    first = " ".join(pages[0].split())
    assert f"Confidential. {CONFIDENTIALITY_NOTICE}" in first
    screen = client_for(judge).get(reverse("hearing-summary", args=[hearing.case_id, hearing.pk]))
    assert CONFIDENTIALITY_NOTICE in screen.content.decode()


def _line_counts(summary, *, compact: bool) -> list[int]:
    from django.template.loader import render_to_string
    from weasyprint import HTML

    from cases.hearings import pdf

    normal, tighter, fonts = pdf._styles()
    html = HTML(string=render_to_string("hearings/summary_pdf.html", {"s": summary}))
    sheets = [normal, tighter] if compact else [normal]
    reader = PdfReader(io.BytesIO(html.render(stylesheets=sheets, font_config=fonts).write_pdf()))
    return [len(page.extract_text().splitlines()) for page in reader.pages]


def test_a_summary_a_few_lines_over_a_page_is_not_left_with_them_alone_on_page_2(
    client_for, judge, hearing
):
    from cases.access import access_summary
    from cases.hearings.summary import hearing_summary

    earlier = hearing.case.hearings.get(scheduled_on=dt.date(2026, 9, 1))
    for i in range(2):  # two more orders: the usual layout runs a few lines onto a page 2
        _order(earlier, f"Order {i}: attend every family-time visit and the parenting class")
    summary = hearing_summary(*access_summary(judge, hearing.pk))
    assert len(_line_counts(summary, compact=False)) == 2
    pages = _pdf_pages(_summary(client_for(judge), hearing, format="pdf"))
    assert len(pages) == 1 and "Page 1 of 1" in pages[0]
    assert "Order 1: attend every family-time visit" in " ".join(pages[0].split())


def test_summary_says_who_a_service_is_for_in_words(client_for, judge, hearing):
    page = client_for(judge).get(reverse("hearing-summary", args=[hearing.case_id, hearing.pk]))
    text = " ".join(re.sub(r"<[^>]+>", " ", page.content.decode()).split())
    child = hearing.case.children.get()
    assert f"Child-Parent Psychotherapy Parent and child together ({child.given_name})" in text
    assert " Dyad " not in text
