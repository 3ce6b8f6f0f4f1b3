"""GET /api/v1/cqi/metrics/ (INTERFACES.md): shape, access, validation, audit."""

import datetime as dt

import pytest
import time_machine

from cqi.metrics import METRIC_IDS
from safebabies.audit.models import AuditEvent
from tests import factories as f
from tests.test_cqi_metrics import METRICS_MD_IDS

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.cqi_test_urls")]

URL = "/api/v1/cqi/metrics/"
PERIOD = {"start": "2024-01-01", "end": "2024-12-31"}


def get(api, user, **params):
    api.force_authenticate(user)
    return api.get(URL, params)


@pytest.fixture
def national(other_site):
    """National staff, a member of another site only."""
    user = f.UserFactory(email="national@example.org")
    f.MembershipFactory(user=user, site=other_site, role="national")
    return user


def removed_and_reunified(site, n):
    for _ in range(n):
        child = f.ChildFactory(case=f.CaseFactory(site=site), birth_date=dt.date(2023, 6, 1))
        f.EpisodeFactory(
            child=child,
            removal_date=dt.date(2024, 2, 1),
            discharge_date=dt.date(2024, 6, 1),
            discharge_reason="reunification",
        )


def test_metrics_answer_every_metric_id_in_the_interface_shape(api, coordinator, site):
    removed_and_reunified(site, 2)
    response = get(api, coordinator, site="north", **PERIOD)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"site", "start", "end", "metrics"}
    assert (body["site"], body["start"], body["end"]) == ("north", "2024-01-01", "2024-12-31")
    assert set(body["metrics"]) == set(METRIC_IDS) >= METRICS_MD_IDS
    for result in body["metrics"].values():
        assert set(result) == {"value", "numerator", "denominator", "n"}
    assert body["metrics"]["permanency_12m_entries"] == {
        "value": 1.0,
        "numerator": 2,
        "denominator": 2,
        "n": None,
    }
    assert (
        body["metrics"]["coordinator_caseload"]["value"][0]["coordinator"] == "cc@north.example.org"
    )


@pytest.mark.parametrize("persona", ["coordinator", "site_admin", "sit_member", "judge"])
def test_allowed_roles_read_their_site(api, request, persona):
    assert get(api, request.getfixturevalue(persona), site="north", **PERIOD).status_code == 200


@pytest.mark.parametrize(
    "persona", ["outsider", "caseworker", "parent_mentor", "clinician", "parent_attorney"]
)
def test_other_roles_and_other_sites_get_404(api, request, site, persona):
    assert get(api, request.getfixturevalue(persona), site="north", **PERIOD).status_code == 404


def test_unknown_site_is_the_same_404(api, coordinator):
    assert get(api, coordinator, site="nowhere", **PERIOD).status_code == 404


def test_national_member_of_another_site_reads_this_site_and_all_sites(api, national, site):
    removed_and_reunified(site, 5)
    removed_and_reunified(f.SiteFactory(slug="east"), 2)
    north = get(api, national, site="north", **PERIOD)
    assert north.status_code == 200
    assert north.json()["metrics"]["permanency_12m_entries"]["denominator"] == 5
    everywhere = get(api, national, site="all", **PERIOD)
    assert everywhere.status_code == 200
    assert everywhere.json()["site"] == "all"
    assert everywhere.json()["metrics"]["permanency_12m_entries"]["denominator"] == 7
    assert get(api, national, site="nowhere", **PERIOD).status_code == 404


@pytest.mark.parametrize("persona", ["coordinator", "site_admin", "sit_member"])
def test_all_sites_together_is_for_national_staff_only(api, request, persona):
    assert get(api, request.getfixturevalue(persona), site="all", **PERIOD).status_code == 404


@pytest.mark.parametrize(
    "params, field",
    [
        ({"start": "2024-13-01", "end": "2024-12-31"}, "start"),
        ({"start": "20240101", "end": "2024-12-31"}, "start"),
        ({"start": "2024-01-01", "end": "31/12/2024"}, "end"),
        ({"start": "2024-06-01", "end": "2024-05-31"}, "end"),
        ({"start": "2024-01-01", "end": "9999-12-31"}, "end"),  # was a 500 (date overflow)
        ({"end": "9999-12-31"}, "end"),
        ({"start": "9999-12-31"}, "start"),
        ({"start": "0001-01-01"}, "start"),
        ({"start": "0000-01-01", "end": "2024-12-31"}, "start"),
        ({"start": "1800-01-01", "end": "1801-01-01"}, "start"),
        ({"start": "2010-01-01", "end": "2024-01-01"}, "end"),  # longer than five years
    ],
)
def test_bad_dates_are_400_naming_the_field(api, coordinator, params, field):
    response = get(api, coordinator, site="north", **params)
    assert response.status_code == 400
    assert field in response.json()


def test_missing_site_is_400_naming_it(api, coordinator):
    response = get(api, coordinator, **PERIOD)
    assert response.status_code == 400
    assert "site" in response.json()


def test_a_too_long_period_says_the_maximum(api, coordinator):
    response = get(api, coordinator, site="north", start="2019-01-01", end="2024-12-31")
    assert response.status_code == 400
    assert "at most five years" in response.json()["end"][0]
    five_years = get(api, coordinator, site="north", start="2020-01-01", end="2024-12-31")
    assert five_years.status_code == 200


def test_a_single_day_period_is_allowed(api, coordinator):
    response = get(api, coordinator, site="north", start="2024-03-01", end="2024-03-01")
    assert response.status_code == 200


@time_machine.travel(dt.datetime(2026, 3, 1, 5, 0, tzinfo=dt.UTC), tick=False)
def test_default_period_is_the_12_months_up_to_today_in_the_sites_time_zone(api, coordinator):
    # 05:00 UTC on 1 March is still 28 February in Chicago: today there is 28 February.
    body = get(api, coordinator, site="north").json()
    assert (body["start"], body["end"]) == ("2025-03-01", "2026-02-28")
    body = get(api, coordinator, site="north", end="2024-12-31").json()
    assert (body["start"], body["end"]) == ("2024-01-01", "2024-12-31")
    body = get(api, coordinator, site="north", start="2024-03-01").json()
    assert (body["start"], body["end"]) == ("2024-03-01", "2025-02-28")


def test_post_is_405(api, coordinator):
    api.force_authenticate(coordinator)
    assert api.post(URL + "?site=north", {}).status_code == 405


def test_anonymous_is_refused(api, site):
    assert api.get(URL, {"site": "north", **PERIOD}).status_code == 401


def test_reading_metrics_writes_one_audit_event(api, sit_member, site):
    get(api, sit_member, site="north", **PERIOD)
    event = AuditEvent.objects.get()
    assert (event.actor_id, event.action, event.record_type, event.site_id) == (
        sit_member.id,
        "view",
        "cqi_metrics",
        site.id,
    )
    assert event.detail == PERIOD


def test_exits_under_5_children_are_suppressed_for_aggregate_only_users(
    api, sit_member, coordinator, site
):
    removed_and_reunified(site, 3)
    cell = get(api, sit_member, site="north", **PERIOD).json()["metrics"]["exits_by_reason"]
    # the reason is not named, the total is hidden too
    assert cell["value"] == {"other (suppressed)": {"count": "<5", "share": None}}
    assert cell["denominator"] == "<5"
    cell = get(api, coordinator, site="north", **PERIOD).json()["metrics"]["exits_by_reason"]
    assert cell["value"] == {"reunification": {"count": 3, "share": 1.0}}
    removed_and_reunified(site, 2)
    cell = get(api, sit_member, site="north", **PERIOD).json()["metrics"]["exits_by_reason"]
    assert cell["value"] == {"reunification": {"count": 5, "share": 1.0}}


def test_a_lone_small_exit_reason_takes_the_next_smallest_with_it(api, sit_member, site):
    removed_and_reunified(site, 6)
    for reason, count in (("adoption", 2), ("guardianship", 7)):
        for _ in range(count):
            child = f.ChildFactory(case=f.CaseFactory(site=site), birth_date=dt.date(2023, 6, 1))
            f.EpisodeFactory(
                child=child,
                removal_date=dt.date(2023, 2, 1),
                discharge_date=dt.date(2024, 6, 1),
                discharge_reason=reason,
            )
    cell = get(api, sit_member, site="north", **PERIOD).json()["metrics"]["exits_by_reason"]
    # 15 exits: adoption 2 is small; 15 - 6 - 7 would give it away, so the 6 goes too
    assert cell["denominator"] == 15
    # and neither hidden reason is named: they are one "other (suppressed)" line (15 - 7)
    assert cell["value"] == {
        "guardianship": {"count": 7, "share": 7 / 15},
        "other (suppressed)": {"count": 8, "share": 8 / 15},
    }


@pytest.mark.parametrize("cases", [1, 10])
def test_query_count_does_not_grow_with_the_site(
    api, coordinator, site, cases, django_assert_num_queries
):
    removed_and_reunified(site, cases)
    api.force_authenticate(coordinator)
    # 1 roles of the user + 1 site + the planner settings + the data stamps (read per question
    # inside the test's transaction: the windowed figures, the period's own); the metrics,
    # nothing cached yet: 21 less 2 (the three family-time metrics share one query), + 3 for
    # the medians (two medians and a Kaplan-Meier median over the merged parts),
    # + 1 for the caseloads (their open cases, then the coordinators and caps), + 3 to write
    # the shared episodes (table, index, statistics) + 1 to drop them; + 1 audit
    with django_assert_num_queries(1 + 1 + 1 + 2 + 21 - 2 + 3 + 1 + 3 + 1 + 1):
        response = api.get(URL, {"site": "north", **PERIOD})
    assert response.status_code == 200
