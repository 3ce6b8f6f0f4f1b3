"""The clinician writes a relationship-based assessment, the caseworker rates the markers of
progress and records a release of information; the parent mentor reads the plan without the
narrative. Every page passes axe-core and reports no CSP violation (issue 4)."""

import datetime as dt
import re

import pytest
import time_machine
from playwright.sync_api import expect

from assessments.models import Assessment, MarkerRating
from cases.models import Consent
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOW = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)


def sign_in(p, live_server, user, next_url):
    p.context.clear_cookies()
    p.goto(live_server.url + next_url)
    p.get_by_label("E-mail").fill(user.email)
    p.get_by_label("Password").fill(PASSWORD)
    p.get_by_role("button", name="Sign in").click()


def test_assessment_markers_and_release_forms(
    live_server, page, family, clinician, caseworker, coordinator, parent_mentor
):
    p = page.page
    plan_url = f"/cases/{family.pk}/plan/"
    with time_machine.travel(NOW, tick=True):
        sign_in(p, live_server, clinician, plan_url)
        p.get_by_role("link", name="Add an assessment").click()
        expect(p.get_by_role("heading", name="Relationship-based assessment")).to_be_visible()
        assert page.axe_violations() == []
        p.get_by_label(re.compile(r"^\s*Lens\W*$")).select_option("relationship")
        p.get_by_label(re.compile(r"^\s*Child\s*$")).select_option(label="Jaime Rivera")
        p.get_by_label(re.compile(r"^\s*Caregiver\s*$")).select_option(
            label="Dorothy Rivera (parent)"
        )
        p.get_by_label(re.compile(r"^\s*Strengths\W*$")).fill("They laugh together at bath time")
        p.get_by_label("Observed interaction").fill("She follows his lead when he is calm")
        p.get_by_role("button", name="Save the assessment").click()
        expect(p.locator(".assessment-narrative")).to_contain_text("laugh together")
        assert page.axe_violations() == []
        assert Assessment.objects.get().lens == "relationship"

        sign_in(p, live_server, caseworker, plan_url)
        p.get_by_role("link", name="Rate Dorothy Rivera's markers").click()
        assert page.axe_violations() == []
        p.get_by_label("Reflective capacity", exact=True).select_option("2")
        p.get_by_label("Note on reflective capacity").fill("Named her own worry")
        p.get_by_role("button", name="Save the ratings").click()
        trend = p.locator('[data-marker="reflective_capacity"]').first
        expect(trend).to_contain_text("Named her own worry")
        assert MarkerRating.objects.get().score == 2

        # a release of substance-use treatment records is the coordinator's to record
        p.get_by_role("link", name="Releases of information").click()
        p.get_by_role("link", name="Record a release").click()
        expect(p.get_by_label("What may be shared")).not_to_contain_text("42 CFR Part 2")
        sign_in(p, live_server, coordinator, f"/cases/{family.pk}/consents/")
        assert page.axe_violations() == []
        p.get_by_role("link", name="Record a release").click()
        assert page.axe_violations() == []
        p.get_by_label("What may be shared").select_option("substance_use_treatment")
        p.get_by_label(re.compile(r"^\s*With\W*$")).select_option("parent_mentor")
        p.get_by_label("Until").fill("2027-05-20")
        p.get_by_role("button", name="Save the release").click()
        expect(p.locator("table.consents")).to_contain_text("In force")
        assert Consent.objects.get().recipient_role == "parent_mentor"

        sign_in(p, live_server, parent_mentor, plan_url)
        expect(p.get_by_role("heading", name=re.compile("Case plan"))).to_be_visible()
        expect(p.locator("#assessments")).not_to_contain_text("laugh together")
        expect(p.locator("#markers")).not_to_contain_text("Named her own worry")
        assert page.axe_violations() == []

    assert page.csp_violations == []
    assert page.errors == []
