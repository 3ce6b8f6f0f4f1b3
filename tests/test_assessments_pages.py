"""The case-plan pages (issue 4): the plan, screenings, services and referrals, goals,
relationship-based assessments, markers of progress, releases of information, and the case
page's plan section.

Every view: outsiders and off-team caseworkers 404, read-only roles 403 on the forms, the wrong
method 405, and the rules of DOMAIN.md (narratives, Part 2).
"""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from assessments.models import Assessment, Goal, MarkerRating, Screening, Service
from cases.models import Consent, PermanencyPlan
from safebabies import codes
from safebabies.audit.models import AuditEvent
from tests import factories as f
from tests import factories as h

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(h.CASE_PLAN_NOW, tick=False):
        yield


def form_urls(family) -> dict[str, str]:
    child = family.test_child
    parent = family.test_parent
    service = h.ServiceFactory(case=family)
    goal = h.GoalFactory(case=family)
    consent = h.ConsentFactory(case=family, person=parent, category="general")
    return {
        "screening-create": reverse("screening-create", args=[family.pk]),
        "service-create": reverse("service-create", args=[family.pk]),
        "service-edit": reverse("service-edit", args=[family.pk, service.pk]),
        "goal-create": reverse("goal-create", args=[family.pk]),
        "goal-edit": reverse("goal-edit", args=[family.pk, goal.pk]),
        "markers-child": reverse("markers-rate", args=[family.pk, "child", child.pk]),
        "markers-caregiver": reverse("markers-rate", args=[family.pk, "caregiver", parent.pk]),
        "consent-create": reverse("consent-create", args=[family.pk]),
        "consent-revoke": reverse("consent-revoke", args=[family.pk, consent.pk]),
    }


def read_urls(family) -> dict[str, str]:
    assessment = h.AssessmentFactory(case=family, child=family.test_child)
    return {
        "case-plan": reverse("case-plan", args=[family.pk]),
        "assessment-detail": reverse("assessment-detail", args=[family.pk, assessment.pk]),
    }


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


# --- Access --------------------------------------------------------------------------------


def test_outsiders_and_off_team_caseworkers_get_404_on_every_plan_page(
    client_for, family, outsider, other_caseworker
):
    forms = [*form_urls(family).values(), reverse("assessment-create", args=[family.pk])]
    pages = [*read_urls(family).values(), reverse("consent-list", args=[family.pk])]
    for user in (outsider, other_caseworker):
        client = client_for(user)
        for url in forms + pages:
            assert client.get(url).status_code == 404, (user, url)
        for url in forms:
            assert client.post(url, {}).status_code == 404, (user, url)


def test_read_only_roles_get_403_on_every_plan_form(
    client_for, family, judge, parent_attorney, parent_mentor
):
    urls = form_urls(family)
    for user in (judge, parent_attorney, parent_mentor):
        client = client_for(user)
        for name, url in urls.items():
            assert client.get(url).status_code == 403, (user, name)
            assert client.post(url, {}).status_code == 403, (user, name)
    assert Service.objects.count() == 1
    assert Consent.objects.get().revoked_on is None


def test_wrong_method_is_405(client_for, family, caseworker):
    client = client_for(caseworker)
    for url in form_urls(family).values():
        assert client.put(url).status_code == 405
        assert client.delete(url).status_code == 405
    for url in read_urls(family).values():
        assert client.post(url).status_code == 405
    assert client.post(reverse("consent-list", args=[family.pk])).status_code == 405


def test_every_team_member_reads_the_plan_page_and_only_writers_see_the_buttons(
    client_for, family, judge, parent_mentor, caseworker
):
    url = reverse("case-plan", args=[family.pk])
    for user in (judge, parent_mentor):
        response = client_for(user).get(url)
        assert response.status_code == 200
        assert "Refer to a service" not in response.content.decode()
    response = client_for(caseworker).get(url)
    assert "Refer to a service" in response.content.decode()


def test_plan_page_view_is_audited(client_for, family, caseworker):
    client_for(caseworker).get(reverse("case-plan", args=[family.pk]))
    assert AuditEvent.objects.filter(
        actor=caseworker, action=AuditEvent.Action.VIEW, case_id=family.pk
    ).exists()


def test_form_fields_all_have_labels(client_for, family, caseworker, clinician):
    urls = [*form_urls(family).values()]
    for client, url_list in (
        (client_for(caseworker), urls),
        (client_for(clinician), [reverse("assessment-create", args=[family.pk])]),
    ):
        for url in url_list:
            html = client.get(url).content.decode()
            ids = re.findall(r'<(?:input|select|textarea)[^>]*\bid="(id_[^"]+)"', html)
            assert ids, url
            for field_id in ids:
                assert f'for="{field_id}"' in html, (url, field_id)


# --- Screenings ----------------------------------------------------------------------------


def test_caseworker_records_a_screening_with_who_screened_and_the_referral(
    client_for, family, caseworker
):
    child = family.test_child
    service = h.ServiceFactory(
        case=family, child=child, recipient="child", service_type="early_intervention"
    )
    response = client_for(caseworker).post(
        reverse("screening-create", args=[family.pk]),
        {
            "subject": "child",
            "child": child.pk,
            "instrument": "asqse2",
            "screened_on": "2026-11-18",
            "result": "refer",
            "screened_by": "Ms. Ortiz, Part C intake",
            "referral_made": "true",
            "referral": service.pk,
        },
    )
    assert response.status_code == 302
    screening = Screening.objects.get()
    assert (screening.screened_by, screening.referral, screening.referral_made) == (
        "Ms. Ortiz, Part C intake",
        service,
        True,
    )
    plan = text(client_for(caseworker).get(reverse("case-plan", args=[family.pk])))
    assert "ASQ:SE-2" in plan and "by Ms. Ortiz, Part C intake" in plan
    assert "led to Early Intervention (IDEA Part C)" in plan


def test_screening_form_names_the_referrals_and_people_in_words(client_for, family, caseworker):
    h.ServiceFactory(
        case=family,
        service_type=codes.ServiceType.CHILD_PARENT_PSYCHOTHERAPY,
        provider="Harbor Clinic",
        referred_on=dt.date(2026, 3, 4),
    )
    page = text(client_for(caseworker).get(reverse("screening-create", args=[family.pk])))
    assert "object (" not in page
    assert "Child-Parent Psychotherapy (Harbor Clinic), referred 4 Mar 2026" in page
    assert "Dorothy Rivera (parent)" in page


@pytest.mark.parametrize("app", ["cases", "assessments", "familytime"])
def test_every_record_a_page_can_show_has_a_name_in_words(app):
    """A select or a message that shows a record shows words, never "Service object (id)"."""
    from django.apps import apps
    from django.db import models

    unnamed = [
        model.__name__
        for model in apps.get_app_config(app).get_models()
        if model.__str__ is models.Model.__str__
    ]
    assert unnamed == []


def test_records_read_as_words_with_their_dates(family):
    service = h.ServiceFactory(case=family, provider="", referred_on=dt.date(2026, 3, 20))
    screening = h.ScreeningFactory(case=family, child=family.test_child)
    consent = h.ConsentFactory(case=family, person=family.test_parent)
    assert str(service) == "Housing, referred 20 Mar 2026"
    assert str(screening) == "ASQ-3, 10 Mar 2026"
    assert str(consent).startswith("Release of ") and "signed" in str(consent)
    assert str(family.test_episode).startswith("Removal on ")


def test_a_screening_in_the_future_is_refused_on_its_field(client_for, family, caseworker):
    response = client_for(caseworker).post(
        reverse("screening-create", args=[family.pk]),
        {
            "subject": "child",
            "child": family.test_child.pk,
            "instrument": "asq3",
            "screened_on": "2026-11-21",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["screened_on"] == [
        "The screening date cannot be in the future."
    ]
    assert not Screening.objects.exists()


def test_a_parent_screening_cannot_be_an_asq(client_for, family, caseworker):
    response = client_for(caseworker).post(
        reverse("screening-create", args=[family.pk]),
        {"subject": "parent", "instrument": "asq3", "screened_on": "2026-11-10"},
    )
    assert "instrument" in response.context["form"].errors
    assert not Screening.objects.exists()


# --- Due and overdue on the case page ------------------------------------------------------


def test_case_page_flags_overdue_screenings_with_the_rule(client_for, family, caseworker):
    page = text(client_for(caseworker).get(reverse("case-detail", args=[family.pk])))
    assert "Overdue Initial health screening by 4 Mar 2026 Within 72 hours of removal" in page
    assert (
        "Overdue Early intervention referral (IDEA Part C) by 8 Mar 2026 "
        "Within 7 days of removal for a maltreated child under 3 (CAPTA)" in page
    )
    # 17 months old: the 18-month M-CHAT is due but not overdue
    assert "Due Autism screening (M-CHAT) by 10 Dec 2026 At 18 months of age" in page


def test_recording_the_screening_clears_it_from_the_case_page(client_for, family, caseworker):
    h.ScreeningFactory(
        case=family,
        child=family.test_child,
        instrument=codes.Instrument.HEALTH_INITIAL,
        screened_on=dt.date(2026, 3, 2),
    )
    page = text(client_for(caseworker).get(reverse("case-detail", args=[family.pk])))
    assert "Initial health screening by" not in page
    assert "Comprehensive health assessment by" in page


def test_case_page_shows_primary_and_concurrent_goals_side_by_side(client_for, family, judge):
    html = client_for(judge).get(reverse("case-detail", args=[family.pk])).content.decode()
    section = html[html.index('id="case-plan"') :]
    assert re.search(r'class="primary-goal small">Reunification<', section)
    assert re.search(r'class="concurrent-goal small">Placement with a relative<', section)


# --- Services ------------------------------------------------------------------------------


def test_caseworker_refers_then_marks_the_service_started(client_for, family, caseworker):
    client = client_for(caseworker)
    goal = h.GoalFactory(case=family, description="Jaime and her son enjoy time together")
    response = client.post(
        reverse("service-create", args=[family.pk]),
        {
            "service_type": "child_parent_psychotherapy",
            "recipient": "dyad",
            "child": family.test_child.pk,
            "provider": "Bright Start",
            "evidence_based": "true",
            "goal": goal.pk,
            "referred_on": "2026-11-02",
            "status": "referred",
        },
    )
    assert response.status_code == 302
    service = Service.objects.get()
    assert (service.goal, service.status, service.evidence_based) == (goal, "referred", True)
    plan = text(client.get(reverse("case-plan", args=[family.pk])))
    assert "waiting 18 days" in plan
    assert "246 days" in plan  # removal (1 Mar) to referral (2 Nov)
    assert "Past 60 days" in plan

    response = client.post(
        reverse("service-edit", args=[family.pk, service.pk]),
        {
            "service_type": "child_parent_psychotherapy",
            "recipient": "dyad",
            "child": family.test_child.pk,
            "provider": "Bright Start",
            "evidence_based": "true",
            "goal": goal.pk,
            "referred_on": "2026-11-02",
            "started_on": "2026-11-16",
            "status": "active",
        },
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert (service.status, service.started_on) == ("active", dt.date(2026, 11, 16))
    page = client.get(reverse("case-detail", args=[family.pk])).content.decode()
    row = re.search(rf'<tr id="service-{service.pk}".*?</tr>', page, re.S).group(0)
    assert "Active" in row and "14 days" in row


def test_a_service_cannot_start_before_it_was_referred(client_for, family, caseworker):
    response = client_for(caseworker).post(
        reverse("service-create", args=[family.pk]),
        {
            "service_type": "housing",
            "recipient": "parent",
            "referred_on": "2026-11-10",
            "started_on": "2026-11-09",
            "status": "active",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["started_on"] == [
        "A service cannot start before it was referred."
    ]
    assert not Service.objects.exists()


def test_a_waitlisted_service_records_its_barrier(client_for, family, caseworker):
    client_for(caseworker).post(
        reverse("service-create", args=[family.pk]),
        {
            "service_type": "child_parent_psychotherapy",
            "recipient": "dyad",
            "referred_on": "2026-11-10",
            "status": "waitlisted",
            "barrier": "transport",
        },
    )
    service = Service.objects.get()
    assert service.barrier == codes.ServiceBarrier.TRANSPORT
    page = text(client_for(caseworker).get(reverse("case-plan", args=[family.pk])))
    assert "Barrier: transport" in page


def test_a_service_of_another_case_is_404(client_for, family, caseworker, site):
    other = h.ServiceFactory(case=f.CaseFactory(site=site))
    url = reverse("service-edit", args=[family.pk, other.pk])
    assert client_for(caseworker).get(url).status_code == 404


# --- Goals ---------------------------------------------------------------------------------


def test_caseworker_adds_a_goal_from_the_assessment(client_for, family, caseworker):
    assessment = h.AssessmentFactory(case=family, child=family.test_child)
    client = client_for(caseworker)
    form = client.get(reverse("goal-create", args=[family.pk]) + f"?assessment={assessment.pk}")
    assert form.context["form"].initial["assessment"] == assessment.pk
    response = client.post(
        reverse("goal-create", args=[family.pk]),
        {
            "description": "\u201cI want to be the one who calms him down\u201d",
            "assessment": assessment.pk,
            "steps": "Go to child-parent psychotherapy each week\nPractise the bedtime routine",
            "responsible": "other",
            "responsible_other": "Jaime, with the clinician",
            "target_on": "2027-02-01",
            "status": "in_progress",
        },
    )
    assert response.status_code == 302
    goal = Goal.objects.get()
    assert goal.assessment == assessment
    plan = text(client.get(reverse("case-plan", args=[family.pk])))
    assert "Practise the bedtime routine" in plan and "Who: Jaime, with the clinician" in plan


def test_goal_who_offers_the_family_and_the_family_team(
    client_for, family, caseworker, coordinator
):
    client = client_for(caseworker)
    form = client.get(reverse("goal-create", args=[family.pk])).context["form"]
    who = dict(form.fields["responsible"].choices)
    assert "Dorothy Rivera (parent)" in who.values()
    assert f"{coordinator} (Community Coordinator)" in who.values()
    assert f"{caseworker} (Caseworker)" in who.values()
    parent_key = next(key for key, label in who.items() if label == "Dorothy Rivera (parent)")
    response = client.post(
        reverse("goal-create", args=[family.pk]),
        {"description": "A safe home", "responsible": parent_key, "status": "not_started"},
    )
    assert response.status_code == 302
    goal = Goal.objects.get()
    assert goal.responsible == "Dorothy Rivera (parent)"
    # the edit form shows the same person chosen, not a free text
    edit = client.get(reverse("goal-edit", args=[family.pk, goal.pk])).context["form"]
    assert edit.initial["responsible"] == parent_key


def test_goal_who_someone_else_needs_a_name_and_keeps_an_older_free_text(
    client_for, family, caseworker
):
    client = client_for(caseworker)
    response = client.post(
        reverse("goal-create", args=[family.pk]),
        {"description": "A safe home", "responsible": "other", "status": "not_started"},
    )
    assert "responsible_other" in response.context["form"].errors
    assert not Goal.objects.exists()
    goal = h.GoalFactory(case=family, responsible="The housing navigator")
    edit = client.get(reverse("goal-edit", args=[family.pk, goal.pk])).context["form"]
    assert (edit.initial["responsible"], edit.initial["responsible_other"]) == (
        "other",
        "The housing navigator",
    )


def test_the_only_child_of_a_family_is_chosen_in_the_plan_forms(
    client_for, family, caseworker, clinician
):
    child = family.test_child
    for name, user in [
        ("goal-create", caseworker),
        ("service-create", caseworker),
        ("screening-create", caseworker),
        ("assessment-create", clinician),
    ]:
        form = client_for(user).get(reverse(name, args=[family.pk])).context["form"]
        assert form["child"].value() == child.pk, name
    f.ChildFactory(case=family, given_name="Luz")
    form = client_for(caseworker).get(reverse("goal-create", args=[family.pk])).context["form"]
    assert form["child"].value() is None  # two children: the writer chooses


def test_a_goal_needs_a_description(client_for, family, caseworker):
    response = client_for(caseworker).post(
        reverse("goal-create", args=[family.pk]), {"description": "  ", "status": "not_started"}
    )
    assert "description" in response.context["form"].errors
    assert not Goal.objects.exists()


# --- Assessments ---------------------------------------------------------------------------


def test_clinician_writes_a_relationship_assessment(client_for, family, clinician):
    response = client_for(clinician).post(
        reverse("assessment-create", args=[family.pk]),
        {
            "lens": "relationship",
            "child": family.test_child.pk,
            "caregiver": family.test_parent.pk,
            "assessed_on": "2026-11-19",
            "strengths": "They sing the bath song together",
            "observed_interaction": "Commands given harshly; he escalates",
        },
    )
    assert response.status_code == 302
    assessment = Assessment.objects.get()
    assert (assessment.clinician, assessment.caregiver) == (clinician, family.test_parent)


def test_a_relationship_assessment_names_both_child_and_caregiver(client_for, family, clinician):
    response = client_for(clinician).post(
        reverse("assessment-create", args=[family.pk]),
        {"lens": "relationship", "child": family.test_child.pk, "assessed_on": "2026-11-19",
         "strengths": "Warm"},
    )  # fmt: skip
    assert response.context["form"].errors["caregiver"] == ["Say which caregiver."]
    assert not Assessment.objects.exists()


def test_only_clinicians_write_assessments(client_for, family, caseworker, coordinator):
    url = reverse("assessment-create", args=[family.pk])
    for user in (caseworker, coordinator):
        assert client_for(user).get(url).status_code == 403


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("clinician", True),
        ("coordinator", True),
        ("caseworker", True),
        ("judge", False),
        ("parent_mentor", False),
        ("parent_attorney", False),
        ("site_admin", False),
    ],
)
def test_assessment_narrative_is_for_clinician_coordinator_and_caseworker_only(
    request, client_for, family, persona, sees
):
    urls = read_urls(family)
    client = client_for(request.getfixturevalue(persona))
    detail = client.get(urls["assessment-detail"]).content.decode()
    plan = client.get(urls["case-plan"]).content.decode()
    assert ("Removed from a car" in detail) is sees
    assert ("Lights up when his mother arrives" in detail) is sees
    assert ("Lights up when his mother arrives" in plan) is sees
    assert ("narrative-withheld" in detail) is not sees


# --- Markers of progress -------------------------------------------------------------------


def test_team_rates_caregiver_markers_and_the_trend_shows_setbacks(client_for, family, caseworker):
    parent = family.test_parent
    client = client_for(caseworker)
    url = reverse("markers-rate", args=[family.pk, "caregiver", parent.pk])
    form = client.get(url).context["form"]
    assert len([n for n in form.fields if n.startswith("score_")]) == 7
    for day, score in (("2026-09-01", 1), ("2026-10-01", 3), ("2026-11-01", 2)):
        response = client.post(
            url,
            {"rated_on": day, "score_reflective_capacity": score,
             "note_reflective_capacity": f"note {score}"},
        )  # fmt: skip
        assert response.status_code == 302
    assert MarkerRating.objects.filter(caregiver=parent).count() == 3
    html = client.get(reverse("case-plan", args=[family.pk])).content.decode()
    trend = re.search(r'data-marker="reflective_capacity".*?</ol>', html, re.S).group(0)
    assert trend.count("<circle") == 3
    assert trend.count('class="setback"') == 1
    assert "<polyline" in trend
    scores = re.sub(r"<[^>]+>", "", trend[trend.index("marker-scores") :])
    assert re.search(r"1 Sep: 1.*1 Oct: 3.*1 Nov: 2\s*setback", re.sub(r"\s+", " ", scores))
    assert "note 2" in trend


def test_child_markers_are_the_four_child_markers(client_for, family, caseworker):
    url = reverse("markers-rate", args=[family.pk, "child", family.test_child.pk])
    form = client_for(caseworker).get(url).context["form"]
    assert [n for n in form.fields if n.startswith("score_")] == [
        "score_secure_relationships",
        "score_seeks_caregiver",
        "score_regulates_emotions",
        "score_explores_learns",
    ]


def test_rating_nothing_is_refused(client_for, family, caseworker):
    url = reverse("markers-rate", args=[family.pk, "child", family.test_child.pk])
    response = client_for(caseworker).post(url, {"rated_on": "2026-11-20"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not MarkerRating.objects.exists()


def test_marker_notes_are_hidden_from_court_and_mentor(
    client_for, family, judge, parent_mentor, caseworker
):
    h.MarkerRatingFactory(case=family, caregiver=family.test_parent, note="Named her worry")
    url = reverse("case-plan", args=[family.pk])
    assert "Named her worry" in client_for(caseworker).get(url).content.decode()
    for user in (judge, parent_mentor):
        html = client_for(user).get(url).content.decode()
        assert "Named her worry" not in html
        assert 'data-marker="reflective_capacity"' in html


# --- Consents and Part 2 -------------------------------------------------------------------


def test_caseworker_records_and_revokes_a_release(client_for, family, caseworker):
    client = client_for(caseworker)
    response = client.post(
        reverse("consent-create", args=[family.pk]),
        {
            "person": family.test_parent.pk,
            "category": "mental_health",
            "recipient_role": "parent_attorney",
            "granted_on": "2026-11-01",
            "expires_on": "2027-05-01",
        },
    )
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert consent.recorded_by == caseworker
    listing = text(client.get(reverse("consent-list", args=[family.pk])))
    assert "Mental health" in listing and "In force" in listing
    response = client.post(
        reverse("consent-revoke", args=[family.pk, consent.pk]), {"revoked_on": "2026-11-20"}
    )
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.revoked_on == dt.date(2026, 11, 20)
    assert "Not in force" in text(client.get(reverse("consent-list", args=[family.pk])))


def test_a_part2_release_needs_an_end_date(client_for, family, coordinator):
    response = client_for(coordinator).post(
        reverse("consent-create", args=[family.pk]),
        {
            "person": family.test_parent.pk,
            "category": "substance_use_treatment",
            "recipient_role": "caseworker",
            "granted_on": "2026-11-01",
        },
    )
    assert "expires_on" in response.context["form"].errors
    assert not Consent.objects.exists()


def test_judge_and_mentor_do_not_open_the_releases(client_for, family, judge, parent_mentor):
    for user in (judge, parent_mentor):
        assert client_for(user).get(reverse("consent-list", args=[family.pk])).status_code == 403


def _shows_part2(client, family) -> dict[str, bool]:
    case_page = client.get(reverse("case-detail", args=[family.pk])).content.decode()
    plan = client.get(reverse("case-plan", args=[family.pk])).content.decode()
    return {
        "case page": "New Roads Recovery Center" in case_page,
        "plan": "New Roads Recovery Center" in plan and "Recovery intake nurse" in plan,
    }


@pytest.mark.parametrize(
    ("consent", "sees"),
    [
        ({}, True),
        ({"expires_on": dt.date(2026, 11, 20)}, True),  # expires today: still in force
        ({"expires_on": dt.date(2026, 11, 19)}, False),
        ({"revoked_on": dt.date(2026, 11, 20)}, False),
        ({"revoked_on": dt.date(2026, 11, 21)}, True),
        ({"granted_on": dt.date(2026, 11, 21)}, False),
        ({"recipient_role": "parent_attorney"}, False),
        ({"category": "mental_health"}, False),
    ],
)
def test_part2_details_follow_the_consent_on_every_page(
    client_for, family, caseworker, consent, sees
):
    h.part2_records(family)
    h.ConsentFactory(case=family, person=family.test_parent, **consent)
    shown = _shows_part2(client_for(caseworker), family)
    assert shown == {"case page": sees, "plan": sees}


def test_part2_details_are_hidden_from_judge_and_mentor_without_their_own_consent(
    client_for, family, judge, parent_mentor
):
    h.part2_records(family)
    h.ConsentFactory(case=family, person=family.test_parent, recipient_role="caseworker")
    for user in (judge, parent_mentor):
        assert _shows_part2(client_for(user), family) == {"case page": False, "plan": False}
    h.ConsentFactory(case=family, person=family.test_parent, recipient_role="parent_mentor")
    assert _shows_part2(client_for(parent_mentor), family) == {"case page": True, "plan": True}


def test_a_part2_service_cannot_be_opened_for_edit_without_consent(client_for, family, caseworker):
    service, _ = h.part2_records(family)
    url = reverse("service-edit", args=[family.pk, service.pk])
    assert client_for(caseworker).get(url).status_code == 404
    h.ConsentFactory(case=family, person=family.test_parent)
    assert client_for(caseworker).get(url).status_code == 200


# --- Permanency plan -----------------------------------------------------------------------


def test_a_plan_change_needs_a_reason_and_keeps_history(client_for, family, caseworker):
    child = family.test_child
    url = reverse("permanency-plan-change", args=[family.pk, child.pk])
    data = {
        "primary_goal": "reunification",
        "concurrent_goal": "guardianship",
        "effective_date": "2026-11-19",
        "reason": "",
    }
    response = client_for(caseworker).post(url, data)
    assert "reason" in response.context["form"].errors
    response = client_for(caseworker).post(url, {**data, "reason": "Aunt asked to be considered"})
    assert response.status_code == 302
    assert PermanencyPlan.objects.filter(child=child).count() == 2
    page = text(client_for(caseworker).get(reverse("case-detail", args=[family.pk])))
    assert "Since 19 Nov 2026: Aunt asked to be considered" in page


# --- Query counts --------------------------------------------------------------------------


def _grow_plan(family, n):
    for i in range(n):
        child = f.ChildFactory(case=family)
        f.EpisodeFactory(child=child)
        parent = f.PersonFactory(case=family)
        goal = h.GoalFactory(case=family, child=child)
        h.ServiceFactory(case=family, child=child, goal=goal, recipient="child")
        h.ScreeningFactory(case=family, child=child)
        h.AssessmentFactory(case=family, child=child)
        h.MarkerRatingFactory(case=family, caregiver=parent, score=1 + i % 4)
        h.MarkerRatingFactory(case=family, child=child, marker="explores_learns")
        h.part2_records(family)


def test_plan_page_takes_a_constant_number_of_queries(
    client_for, family, caseworker, django_assert_num_queries
):
    client = client_for(caseworker)
    url = reverse("case-plan", args=[family.pk])
    _grow_plan(family, 1)
    # 18, the goals' steps (one query for every goal), the services' latest sessions (issue 22)
    with django_assert_num_queries(20):
        client.get(url)
    _grow_plan(family, 4)
    with django_assert_num_queries(20):
        response = client.get(url)
    assert len(response.context["plan"].services) == 5  # Part 2 rows hidden: no consent
    assert len(response.context["plan"].goals) == 5


def test_case_page_takes_a_constant_number_of_queries_as_the_plan_grows(
    client_for, family, caseworker, django_assert_num_queries
):
    client = client_for(caseworker)
    url = reverse("case-detail", args=[family.pk])
    _grow_plan(family, 1)
    h.ConsentFactory(case=family, person=family.test_parent)
    # 30 (the court section's federal clocks read the page's children: 28), the goals' steps
    # (one query for every goal), the time in care section (4), the closing section, the
    # documents with the Part 2 people a release opens to the caseworker (2), ICWA and
    # relatives (3: tribes, relatives, the removal), the services' latest sessions (1, issue 22)
    with django_assert_num_queries(41):
        client.get(url)
    _grow_plan(family, 4)
    with django_assert_num_queries(41):
        response = client.get(url)
    assert len(response.context["plan"].services) == 10  # with consent: Part 2 rows too


def test_the_goal_form_warns_that_the_judge_and_the_parent_mentor_read_it(
    client_for, family, caseworker
):
    from assessments.forms import READ_BY_COURT_AND_MENTOR

    assert READ_BY_COURT_AND_MENTOR == "The judge and the parent mentor can read this."
    goal = h.GoalFactory(case=family)
    client = client_for(caseworker)
    for path in (
        reverse("goal-create", args=[family.pk]),
        reverse("goal-edit", args=[family.pk, goal.pk]),
    ):
        html = client.get(path).content.decode()
        assert html.count(READ_BY_COURT_AND_MENTOR) >= 2, path  # the goal and its steps


def test_screenings_are_listed_in_date_order_whatever_order_they_were_recorded(
    client_for, family, caseworker
):
    child = family.test_child
    for instrument, day in [
        (codes.Instrument.ASQSE2, dt.date(2026, 11, 5)),
        (codes.Instrument.HEALTH_INITIAL, dt.date(2026, 3, 2)),
        (codes.Instrument.ASQ3, dt.date(2026, 11, 5)),
        (codes.Instrument.HEALTH_COMPREHENSIVE, dt.date(2026, 4, 1)),
    ]:
        h.ScreeningFactory(case=family, child=child, instrument=instrument, screened_on=day)
    page = text(client_for(caseworker).get(reverse("case-plan", args=[family.pk])))
    listed = re.findall(r"(\S+(?: \S+)*?) · Jaime · (\d+ \w+ 2026)", page)
    assert [day for _, day in listed] == ["2 Mar 2026", "1 Apr 2026", "5 Nov 2026", "5 Nov 2026"]


# --- Steps toward a goal: what, who, by when, ticked done ------------------------------------


def test_a_goals_steps_have_who_by_when_and_a_tick(client_for, family, caseworker, judge):
    from assessments.models import GoalStep

    client = client_for(caseworker)
    goal = h.GoalFactory(case=family)
    client.post(
        reverse("goal-edit", args=[family.pk, goal.pk]),
        {
            "description": goal.description,
            "steps": "Call the housing navigator",
            "status": "in_progress",
        },
    )
    (first,) = GoalStep.objects.filter(goal=goal)
    response = client.post(
        reverse("goal-step-add", args=[family.pk, goal.pk]),
        {
            "text": "Visit the apartment",
            "responsible": f"person:{family.test_parent.pk}",
            "due_on": "2026-12-01",
        },
    )
    assert response.status_code == 302
    second = GoalStep.objects.get(goal=goal, text="Visit the apartment")
    assert second.responsible == "Dorothy Rivera (parent)" and second.due_on == dt.date(2026, 12, 1)
    goal.refresh_from_db()
    assert goal.steps == "Call the housing navigator\nVisit the apartment"  # the API's text
    client.post(reverse("goal-step-done", args=[family.pk, first.pk]), {"done": "yes"})
    first.refresh_from_db()
    assert first.done_on == h.CASE_PLAN_TODAY
    page = text(client.get(reverse("case-plan", args=[family.pk])))
    assert "Visit the apartment · Dorothy Rivera (parent) · by 1 Dec 2026" in page
    assert "done 20 Nov 2026" in page
    # editing the goal's steps text keeps the steps it still names, with their who and tick
    goal.refresh_from_db()
    client.post(
        reverse("goal-edit", args=[family.pk, goal.pk]),
        {
            "description": goal.description,
            "steps": goal.steps + "\nSign the lease",
            "status": "in_progress",
        },
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.done_on == h.CASE_PLAN_TODAY and second.responsible.startswith("Dorothy")
    assert GoalStep.objects.filter(goal=goal).count() == 3
    client.post(reverse("goal-step-remove", args=[family.pk, second.pk]))
    goal.refresh_from_db()
    assert goal.steps == "Call the housing navigator\nSign the lease"
    # the judge reads the steps, and cannot tick them
    judge_client = client_for(judge)
    assert "Sign the lease" in text(judge_client.get(reverse("case-plan", args=[family.pk])))
    assert (
        judge_client.post(reverse("goal-step-done", args=[family.pk, first.pk])).status_code == 403
    )
    assert AuditEvent.objects.filter(record_type="assessments.goalstep").count() >= 3


def test_a_step_of_another_family_is_404_through_this_familys_url(
    client_for, family, coordinator, site
):
    from assessments.models import GoalStep

    other = h.GoalFactory(case=h.CaseFactory(site=site))
    step = GoalStep.objects.create(goal=other, text="Elsewhere")
    response = client_for(coordinator).post(reverse("goal-step-done", args=[family.pk, step.pk]))
    assert response.status_code == 404


def test_the_steps_of_goals_on_record_become_steps(family):
    """assessments migration 0006: each line of a goal's steps text is a step."""
    from importlib import import_module

    from django.apps import apps

    from assessments.models import GoalStep

    migration = import_module("assessments.migrations.0006_goal_steps")
    goal = h.GoalFactory(case=family, steps="Call the navigator\n\n  Visit the flat  ")
    migration.steps_of_the_goals_on_record(apps, None)
    texts = list(GoalStep.objects.filter(goal=goal).values_list("text", flat=True))
    assert texts == ["Call the navigator", "Visit the flat"]
