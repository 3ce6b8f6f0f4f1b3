"""A caseworker opens the demo family, adds a goal from the assessment, refers the parent and
child to child-parent psychotherapy, marks it started two weeks later, and the case page shows
the service active and the overdue screening flagged (issue 4). Every page passes axe-core and
reports no CSP violation."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.management import call_command
from playwright.sync_api import expect

from assessments.models import Goal, Service
from safebabies.dev.demo import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOW = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)


def sign_in(p, live_server, next_url: str) -> None:
    p.goto(live_server.url + next_url)
    p.get_by_label("E-mail").fill("caseworker@demo.safebabies.test")
    p.get_by_label("Password").fill(PASSWORD)
    p.get_by_role("button", name="Sign in").click()


def test_caseworker_keeps_the_case_plan_current(live_server, page):
    with time_machine.travel(NOW, tick=False):
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    today = dt.date(2026, 11, 20)
    two_weeks_later = today + dt.timedelta(days=14)
    p = page.page

    with time_machine.travel(NOW, tick=True):
        sign_in(p, live_server, "/cases/demo-case-rivera/")
        expect(p.get_by_role("heading", name="Rivera family", level=1)).to_be_visible()
        p.get_by_role("link", name="Open the case plan").click()
        expect(p.get_by_role("heading", name="Case plan: Rivera family")).to_be_visible()
        assert page.axe_violations() == []

        # a goal from the clinician's assessment of Derrick and Jaime
        p.locator("#assessments li", has_text="Derrick Rivera and Jaime Rivera").get_by_role(
            "link", name="Add a goal from this assessment"
        ).click()
        expect(p.get_by_role("heading", name="Add a goal to the case plan")).to_be_visible()
        assert page.axe_violations() == []
        p.get_by_label("The goal").fill("“I want to be the one who calms him down.”")
        p.get_by_label("Steps").fill(
            "Weekly child-parent psychotherapy\nPhone away during family time"
        )
        # "Who" offers the family and the family team by name
        p.get_by_label(re.compile(r"^\s*Who\s*$")).select_option(label="Jaime Rivera (parent)")
        p.get_by_label("Target date").fill("2027-02-15")
        p.get_by_label("Status").select_option("in_progress")
        p.get_by_role("button", name="Add the goal").click()
        goal = Goal.objects.get(description__contains="calms him down")
        assert goal.assessment_id == "demo-assessment-rivera-2"
        assert goal.responsible == "Jaime Rivera (parent)"
        item = p.locator(f"#goal-{goal.pk}")
        expect(item).to_contain_text("Phone away during family time")

        # refer Jaime and Derrick together to child-parent psychotherapy, for this goal
        item.get_by_role("link", name="Refer to a service for this goal").click()
        expect(p.get_by_role("heading", name="Refer to a service")).to_be_visible()
        assert page.axe_violations() == []
        p.get_by_label(re.compile(r"^\s*Service\W*$")).select_option("child_parent_psychotherapy")
        p.get_by_label("Provider").fill("Little Steps Dyadic Therapy")
        p.get_by_label(re.compile(r"^\s*For\W*$")).select_option("dyad")
        p.get_by_label("Child", exact=True).select_option(label="Derrick Rivera")
        p.get_by_label("Evidence-based").select_option("true")
        p.get_by_label("Referred on").fill(today.isoformat())
        p.get_by_role("button", name="Save the referral").click()
        service = Service.objects.get(provider="Little Steps Dyadic Therapy")
        assert (service.goal_id, service.status) == (goal.pk, "referred")
        row = p.locator(f"#service-{service.pk}")
        expect(row).to_contain_text("Referred")
        expect(row).to_contain_text("waiting 0 days")

    # two weeks later the first session happens (signed out by then: the session is idle)
    with time_machine.travel(NOW + dt.timedelta(days=14), tick=True):
        sign_in(p, live_server, "/cases/demo-case-rivera/plan/")
        p.locator(f"#service-{service.pk}").get_by_role("link", name="Update").click()
        assert page.axe_violations() == []
        p.get_by_label("Status").select_option("active")
        p.get_by_label("Started on").fill(two_weeks_later.isoformat())
        p.get_by_role("button", name="Save").click()
        expect(p.locator(f"#service-{service.pk}")).to_contain_text("Active")
        service.refresh_from_db()
        assert (service.status, service.started_on) == ("active", two_weeks_later)

        p.get_by_role("link", name="Rivera family").first.click()
        section = p.locator("#case-plan")
        row = section.locator(f"#service-{service.pk}")
        expect(row.locator(".service-status")).to_have_text("Active")
        expect(row).to_contain_text("14 days")
        overdue = section.locator(".due-item.overdue")
        expect(overdue.filter(has_text="Comprehensive health assessment")).to_contain_text(
            "Within 30 days of removal"
        )
        expect(overdue.filter(has_text="Autism screening (M-CHAT)")).to_contain_text(
            "At 24 months of age"
        )
        expect(section.locator(".concurrent-goal").first).to_have_text("Adoption")
        expect(
            section.locator('[data-marker="takes_responsibility"] .setback-label')
        ).to_have_count(1)
        assert page.axe_violations() == []
        page.screenshot("case-plan.png")

    assert page.csp_violations == []
    assert page.errors == []
