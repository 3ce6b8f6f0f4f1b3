"""Closing, reopening and transferring a case; the retention period, sealing and purging
(cases/closing, cases/access.py): as the people who do it, and as attackers."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from cases.access import (
    access_case,
    access_transfer,
    cases_visible_to,
    records_visible_to,
    transfers_visible_to,
)
from cases.closing import services
from cases.models import (
    Case,
    CaseClosure,
    CaseTransfer,
    Child,
    Episode,
    Hearing,
    PurgeRecord,
    TeamMember,
)
from cqi import stamps
from cqi.metrics import compute_all
from safebabies import codes
from safebabies.audit.models import AuditEvent
from safebabies.notify.models import CalendarFeed, Notification
from safebabies.notify.reminders import hearing_reminders
from safebabies.notify.services import retention_review
from tests import factories as f
from tests.test_cqi_metrics import a_little_of_everything

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 23, 18, 0, tzinfo=dt.UTC)  # noon at the Chicago sites
TODAY = dt.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def url(name, *args):
    return reverse(name, args=args)


def an_old_closed_case(site, name="Okafor family", closed_on=dt.date(2018, 6, 1)):
    """A case closed more than 7 years ago (the default retention period), with records."""
    case = f.CaseFactory(site=site, name=name, opened_on=dt.date(2017, 1, 2))
    child = f.ChildFactory(case=case, given_name="Obi", enrolled_on=dt.date(2017, 1, 2))
    episode = f.EpisodeFactory(
        child=child,
        removal_date=dt.date(2017, 1, 2),
        discharge_date=dt.date(2018, 5, 1),
        discharge_reason=codes.DischargeReason.REUNIFICATION,
    )
    f.PlacementFactory(
        episode=episode, start_date=dt.date(2017, 1, 2), end_date=dt.date(2018, 5, 1)
    )
    person = f.PersonFactory(case=case, given_name="Ngozi")
    f.HearingFactory(case=case, scheduled_on=dt.date(2017, 3, 1))
    closure = CaseClosure.objects.create(case=case, closed_on=closed_on, reason="permanency")
    # recorded the day it closed (a closing recorded today starts the retention today)
    CaseClosure.objects.filter(pk=closure.pk).update(
        created_at=dt.datetime.combine(closed_on, dt.time(12), tzinfo=dt.UTC)
    )
    case.closed_on = closed_on
    case.save(update_fields=["closed_on"])
    case.test_child, case.test_person = child, person
    return case


# --- Closing -----------------------------------------------------------------------------------


def test_closing_needs_every_child_out_of_care_or_a_reason_why(family, coordinator):
    child = family.test_child
    with pytest.raises(ValidationError) as refused:
        services.case_close(actor=coordinator, case=family, closed_on=TODAY, reason="dismissed")
    assert set(refused.value.message_dict) == {services.in_care_field(child.pk)}
    assert not CaseClosure.objects.exists()
    family.refresh_from_db()
    assert family.closed_on is None

    closure = services.case_close(
        actor=coordinator,
        case=family,
        closed_on=TODAY,
        reason="moved",
        in_care={child.pk: "The family moved to Ohio; the child's case goes with them."},
    )
    family.refresh_from_db()
    assert family.closed_on == TODAY
    assert closure.in_care == {
        child.pk: "The family moved to Ohio; the child's case goes with them."
    }
    assert AuditEvent.objects.filter(
        action="create", record_type="cases.caseclosure", record_id=closure.pk
    ).exists()
    assert AuditEvent.objects.get(action="update", record_type="cases.case").detail == {
        "fields": ["closed_on"]
    }


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"closed_on": dt.date(2026, 1, 1)}, "closed_on"),  # before the case opened
        ({"closed_on": dt.date(2026, 11, 24)}, "closed_on"),  # tomorrow
        ({"reason": "lost"}, "reason"),
        ({"reason": "other"}, "note"),  # "other" needs its words
    ],
)
def test_bad_closings_are_refused_on_their_field_and_nothing_is_written(
    family, coordinator, changes, field
):
    Episode.objects.filter(pk=family.test_episode.pk).update(
        discharge_date=dt.date(2026, 11, 1), discharge_reason="reunification"
    )
    kwargs = {"closed_on": TODAY, "reason": "permanency", **changes}
    with pytest.raises(ValidationError) as refused:
        services.case_close(actor=coordinator, case=family, **kwargs)
    assert field in refused.value.message_dict
    assert not CaseClosure.objects.exists()
    assert Case.objects.get(pk=family.pk).closed_on is None


def test_a_closed_case_gets_no_more_reminders_and_reopens_with_a_reason(family, coordinator):
    Hearing.objects.create(case=family, hearing_type="review", scheduled_on=dt.date(2026, 11, 25))
    local = NOW.astimezone(family.site.tz)
    assert list(hearing_reminders(family.site, local))
    services.case_close(
        actor=coordinator,
        case=family,
        closed_on=TODAY,
        reason="dismissed",
        in_care={family.test_child.pk: "Dismissed by the court."},
    )
    assert not list(hearing_reminders(family.site, local))

    with pytest.raises(ValidationError) as refused:
        services.case_reopen(actor=coordinator, case=family, reason="  ")
    assert "reason" in refused.value.message_dict
    services.case_reopen(actor=coordinator, case=family, reason="The court reopened it.")
    family.refresh_from_db()
    assert family.closed_on is None
    closure = CaseClosure.objects.get()
    assert (closure.reopened_by, closure.reopen_reason) == (coordinator, "The court reopened it.")
    assert list(hearing_reminders(family.site, local))


def test_the_close_page_for_the_coordinator_and_no_one_else(
    client_for, family, coordinator, caseworker, judge, outsider, site_admin
):
    assert client_for(caseworker).get(url("case-close", family.pk)).status_code == 403
    assert client_for(judge).get(url("case-close", family.pk)).status_code == 403
    assert client_for(outsider).get(url("case-close", family.pk)).status_code == 404
    assert client_for(site_admin).get(url("case-close", family.pk)).status_code == 200
    page = client_for(coordinator).get(url("case-close", family.pk))
    assert page.status_code == 200
    assert services.in_care_field(family.test_child.pk) in page.context["form"].fields
    refused = client_for(coordinator).post(
        url("case-close", family.pk), {"closed_on": TODAY.isoformat(), "reason": "permanency"}
    )
    assert refused.status_code == 200
    assert services.in_care_field(family.test_child.pk) in refused.context["form"].errors
    done = client_for(coordinator).post(
        url("case-close", family.pk),
        {
            "closed_on": TODAY.isoformat(),
            "reason": "permanency",
            services.in_care_field(family.test_child.pk): "Guardianship order signed today.",
        },
    )
    assert done.status_code == 302
    page = client_for(caseworker).get(url("case-detail", family.pk))
    assert "Permanency reached" in page.content.decode()
    assert "Reopen the case" not in page.content.decode()  # the caseworker cannot
    assert (
        client_for(caseworker).post(url("case-reopen", family.pk), {"reason": "x"}).status_code
        == 403
    )


def test_the_edit_form_no_longer_closes_a_case(client_for, family, coordinator):
    client_for(coordinator).post(
        url("case-edit", family.pk),
        {
            "name": "Rivera family",
            "opened_on": "2026-03-02",
            "enrollment": "out_of_home",
            "closed_on": "2026-11-01",
        },
    )
    assert Case.objects.get(pk=family.pk).closed_on is None


# --- Transfers -----------------------------------------------------------------------------------


@pytest.fixture
def receiver(other_site):
    return f.site_member(other_site, "community_coordinator", email="cc@south.example.org")


def test_a_transfer_accepted_moves_the_case_its_figures_and_ends_the_sending_team(
    client_for, family, coordinator, caseworker, receiver, other_site, site
):
    sent = client_for(coordinator).post(
        url("case-transfer", family.pk), {"to_site": other_site.pk, "note": "Moving to Elm City."}
    )
    assert sent.status_code == 302
    transfer = CaseTransfer.objects.get()
    assert (transfer.from_site, transfer.to_site, transfer.decision) == (
        site,
        other_site,
        "pending",
    )
    assert set(
        AuditEvent.objects.filter(record_type="cases.casetransfer").values_list("site", flat=True)
    ) == {site.pk, other_site.pk}
    assert Notification.objects.filter(user=receiver, kind="transfer_requested").exists()

    # before accepting: the summary, nothing of the case
    browser = client_for(receiver)
    assert browser.get(url("case-detail", family.pk)).status_code == 404
    assert browser.get(f"/api/v1/children/{family.test_child.pk}/").status_code == 404
    assert "waiting for your site" in browser.get("/").content.decode()
    page = browser.get(url("transfer-decide", transfer.pk))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Rivera family" in html and "Moving to Elm City." in html
    assert "Jaime" not in html and "Dorothy" not in html and "12 Elm Street" not in html

    before = stamps.generations([site.pk, other_site.pk])
    accepted = browser.post(url("transfer-decide", transfer.pk), {"decision": "accept"})
    assert accepted.status_code == 302
    family.refresh_from_db()
    assert family.site == other_site
    after = stamps.generations([site.pk, other_site.pk])
    part = stamps.part_of(family.pk)
    for site_id in (site.pk, other_site.pk):  # both sites' CQI figures are computed afresh
        assert after.sites[site_id] != before.sites[site_id]
        assert after.parts[site_id][part] != before.parts[site_id][part]
    assert not TeamMember.objects.filter(
        case=family, removed_at__isnull=True, user__in=[coordinator, caseworker]
    ).exists()
    assert TeamMember.objects.get(case=family, removed_at__isnull=True).user == receiver
    assert browser.get(url("case-detail", family.pk)).status_code == 200
    # the sending site: no more case, the record of the transfer stays theirs to read
    assert client_for(caseworker).get(url("case-detail", family.pk)).status_code == 404
    assert client_for(coordinator).get(url("case-detail", family.pk)).status_code == 404
    assert list(transfers_visible_to(coordinator)) == [transfer]
    listing = client_for(coordinator).get(url("transfer-list")).content.decode()
    assert f'id="transfer-{transfer.pk}"' in listing and "Accepted" in listing


def test_a_declined_transfer_leaves_the_case_where_it_is(family, coordinator, receiver, site):
    transfer = services.transfer_request(
        actor=coordinator, case=family, to_site=receiver.memberships.get().site
    )
    services.transfer_decide(actor=receiver, transfer=transfer, accept=False, note="No room.")
    family.refresh_from_db()
    assert family.site == site
    assert TeamMember.objects.filter(case=family, removed_at__isnull=True).count() == 5
    with pytest.raises(ValidationError):
        services.transfer_decide(actor=receiver, transfer=transfer, accept=True)


def test_bad_transfers_are_refused_on_their_field(family, coordinator, site, other_site):
    for to_site in (None, site):
        with pytest.raises(ValidationError) as refused:
            services.transfer_request(actor=coordinator, case=family, to_site=to_site)
        assert "to_site" in refused.value.message_dict
    services.transfer_request(actor=coordinator, case=family, to_site=other_site)
    with pytest.raises(ValidationError) as refused:  # one pending at a time
        services.transfer_request(actor=coordinator, case=family, to_site=other_site)
    assert "to_site" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:  # no closing while it waits
        services.case_close(
            actor=coordinator,
            case=family,
            closed_on=TODAY,
            reason="transferred",
            in_care={family.test_child.pk: "Moving"},
        )
    assert "closed_on" in refused.value.message_dict
    assert CaseTransfer.objects.count() == 1


def test_who_may_not_decide_a_transfer(
    client_for, family, coordinator, caseworker, other_site, receiver
):
    """A coordinator of the sending site who is only a caseworker at the receiving site, the
    receiving site's caseworker, an outsider: none of them decides (404: they are not the
    receiving site's coordinators); the caseworker of the family cannot even ask (403)."""
    two_hats = f.site_member(family.site, "community_coordinator", email="two.hats@example.org")
    f.MembershipFactory(user=two_hats, site=other_site, role="caseworker")
    south_caseworker = f.site_member(other_site, "caseworker", email="cw@south.example.org")
    third = f.SiteFactory(slug="east")
    stranger = f.site_member(third, "community_coordinator", email="cc@east.example.org")
    assert (
        client_for(caseworker)
        .post(url("case-transfer", family.pk), {"to_site": other_site.pk})
        .status_code
        == 403
    )
    assert client_for(stranger).get(url("case-transfer", family.pk)).status_code == 404
    transfer = services.transfer_request(actor=coordinator, case=family, to_site=other_site)
    for person in (two_hats, south_caseworker, stranger, coordinator):
        response = client_for(person).post(
            url("transfer-decide", transfer.pk), {"decision": "accept"}
        )
        assert response.status_code == 404, person
    for person in (south_caseworker, stranger):
        assert client_for(person).get(url("transfer-decide", transfer.pk)).status_code == 404
    with pytest.raises(Http404):
        access_transfer(two_hats, transfer.pk, decide=True)
    transfer.refresh_from_db()
    assert transfer.decision == "pending"
    assert Case.objects.get(pk=family.pk).site == family.site
    # the two-hatted coordinator reads it from the sending side, as a record of their site
    assert client_for(two_hats).get(url("transfer-decide", transfer.pk)).status_code == 200


# --- Retention: the task, sealing, purging --------------------------------------------------------


def test_the_retention_task_tells_the_site_admins_once_a_week(site, site_admin, coordinator):
    an_old_closed_case(site)
    f.CaseFactory(site=site, closed_on=dt.date(2026, 5, 1))  # closed too recently
    assert retention_review() == 1
    assert retention_review() == 0  # once a week
    note = Notification.objects.get(user=site_admin)
    assert note.kind == "retention_due" and "1 closed case" in note.body
    assert "Okafor" not in note.subject + note.body
    assert not Notification.objects.filter(user=coordinator).exists()
    site.retention_years = 10
    site.save()
    with time_machine.travel(NOW + dt.timedelta(days=7), tick=False):
        assert retention_review() == 0  # 2018 is within 10 years


def test_the_retention_page_and_setting_are_the_site_admins(
    client_for, site, site_admin, coordinator, outsider
):
    case = an_old_closed_case(site)
    assert client_for(coordinator).get(url("retention", site.slug)).status_code == 404
    assert client_for(outsider).get(url("retention", site.slug)).status_code == 404
    page = client_for(site_admin).get(url("retention", site.slug))
    assert page.status_code == 200 and f'id="case-{case.pk}"' in page.content.decode()
    bad = client_for(site_admin).post(url("retention", site.slug), {"retention_years": "0"})
    assert bad.status_code == 200 and "retention_years" in bad.context["form"].errors
    assert (
        client_for(site_admin)
        .post(url("retention", site.slug), {"retention_years": "10"})
        .status_code
        == 302
    )
    site.refresh_from_db()
    assert site.retention_years == 10
    assert (
        client_for(coordinator)
        .post(url("retention", site.slug), {"retention_years": "1"})
        .status_code
        == 404
    )


def test_only_a_closed_case_past_retention_is_sealed_and_only_by_the_site_admin(
    client_for, family, site, site_admin, coordinator
):
    with pytest.raises(ValidationError):
        services.case_seal(actor=site_admin, case=family)  # open
    recent = f.CaseFactory(site=site, closed_on=dt.date(2026, 5, 1))
    with pytest.raises(ValidationError):
        services.case_seal(actor=site_admin, case=recent)  # within the retention period
    old = an_old_closed_case(site)
    assert (
        client_for(coordinator).post(url("case-seal", old.pk), {"confirm": "on"}).status_code == 403
    )
    assert (
        client_for(site_admin).post(url("case-seal", old.pk), {"confirm": "on"}).status_code == 302
    )
    assert Case.objects.get(pk=old.pk).sealed_at is not None


def test_a_sealed_case_is_hidden_from_everyone_but_the_site_admins(
    client_for, api, site, site_admin, coordinator, caseworker, judge
):
    old = an_old_closed_case(site)
    f.TeamMemberFactory(case=old, user=caseworker, role="caseworker")
    f.TeamMemberFactory(case=old, user=coordinator, role="community_coordinator")
    hearing = f.HearingFactory(case=old, scheduled_on=TODAY + dt.timedelta(days=3))
    services.case_seal(actor=site_admin, case=old)
    for person in (coordinator, caseworker, judge):
        assert client_for(person).get(url("case-detail", old.pk)).status_code == 404
        assert old.pk not in set(cases_visible_to(person).values_list("pk", flat=True))
        assert not records_visible_to(person, "child").filter(case=old).exists()
        api.force_authenticate(person)
        assert api.get(f"/api/v1/cases/{old.pk}/").status_code == 404
        rows = api.get("/api/v1/children/").json()["results"]
        assert old.test_child.pk not in {row["id"] for row in rows}
        search = client_for(person).get(url("case-list"), {"q": "Okafor", "status": "all"})
        assert old.pk not in search.content.decode()
        feed = CalendarFeed.objects.create(
            user=person, token_hash=CalendarFeed.hash(f"t-{person.pk}")
        )
        ics = client_for(person).get(f"/calendar/t-{person.pk}.ics").content.decode()
        assert hearing.pk not in ics, person
        feed.delete()
    with pytest.raises(Http404):
        access_case(coordinator, old.pk)
    assert access_case(site_admin, old.pk).case == old
    assert client_for(site_admin).get(url("case-detail", old.pk)).status_code == 200
    api.force_authenticate(site_admin)
    assert api.get(f"/api/v1/cases/{old.pk}/").status_code == 200


def test_sealing_changes_no_cqi_figure_and_hides_the_case_from_the_drill_down(
    client_for, site, site_admin, coordinator
):
    child = a_little_of_everything(site)
    start, end = dt.date(2024, 1, 1), dt.date(2024, 12, 31)
    case = child.case
    Episode.objects.filter(child__case=case, discharge_date__isnull=True).update(
        discharge_date=dt.date(2024, 10, 1), discharge_reason="reunification"
    )
    Case.objects.filter(pk=case.pk).update(
        opened_on=dt.date(2017, 1, 1), closed_on=dt.date(2018, 6, 1)
    )
    Child.objects.filter(case=case).update(enrolled_on=dt.date(2017, 1, 1))
    before = compute_all(site, start, end)
    drill = url("cqi-drill", site.slug, "developmental_screening_within_30_days")
    period = {"start": "2024-01-01", "end": "2024-12-31"}
    assert case.pk in client_for(coordinator).get(drill, period).content.decode()
    services.case_seal(actor=site_admin, case=Case.objects.get(pk=case.pk))
    assert compute_all(site, start, end) == before
    assert case.pk not in client_for(coordinator).get(drill, period).content.decode()
    assert case.pk in client_for(site_admin).get(drill, period).content.decode()


def test_a_purge_deletes_every_row_of_the_case_keeps_a_record_and_the_audit_trail(
    client_for, site, site_admin, coordinator
):
    old = an_old_closed_case(site)
    f.TeamMemberFactory(case=old, user=coordinator, role="community_coordinator")
    Notification.objects.create(
        user=coordinator, kind="x", subject="s", body="Obi's hearing", case_id=old.pk
    )
    AuditEvent.objects.create(
        action="view", record_type="cases.case", record_id=old.pk, case_id=old.pk, site=site
    )
    trail = AuditEvent.objects.filter(case_id=old.pk).count()
    page = client_for(site_admin).get(url("case-purge", old.pk))
    assert "The CQI figures change" in page.content.decode()
    assert (
        client_for(coordinator).post(url("case-purge", old.pk), {"reason": "x"}).status_code == 403
    )
    refused = client_for(site_admin).post(url("case-purge", old.pk), {"reason": ""})
    assert refused.status_code == 200 and Case.objects.filter(pk=old.pk).exists()
    done = client_for(site_admin).post(
        url("case-purge", old.pk), {"reason": "Past the 7-year retention period."}
    )
    assert done.status_code == 302
    assert not Case.objects.filter(pk=old.pk).exists()
    assert not Child.objects.filter(pk=old.test_child.pk).exists()
    assert not Notification.objects.filter(case_id=old.pk).exists()
    record = PurgeRecord.objects.get()
    assert (record.case_id, record.site, record.closed_on, record.purged_by) == (
        old.pk,
        site,
        dt.date(2018, 6, 1),
        site_admin,
    )
    assert record.counts["cases.case"] == 1
    assert record.counts["cases.child"] == 1
    assert record.counts["cases.placement"] == 1
    assert record.counts["cases.caseclosure"] == 1
    assert record.counts["cases.teammember"] == 1
    assert record.counts["notify.notification"] == 1
    assert "Obi" not in str(record.counts) and "Okafor" not in record.reason
    # the trail is kept, with one more event saying what was purged
    assert AuditEvent.objects.filter(case_id=old.pk).count() == trail + 1
    event = AuditEvent.objects.get(action="delete", record_id=old.pk)
    assert event.detail["purge_record"] == record.pk
    listing = client_for(site_admin).get(url("retention", site.slug)).content.decode()
    assert f'id="purge-{record.pk}"' in listing


def test_an_open_or_recent_case_is_never_purged(family, site, site_admin):
    recent = f.CaseFactory(site=site, closed_on=dt.date(2026, 5, 1))
    for case in (family, recent):
        with pytest.raises(ValidationError) as refused:
            services.case_purge(actor=site_admin, case=case, reason="Tidy up")
        assert "reason" in refused.value.message_dict
    assert Case.objects.filter(pk__in=[family.pk, recent.pk]).count() == 2
    assert not PurgeRecord.objects.exists()


def test_a_closing_dated_years_back_starts_retention_the_day_it_is_recorded(
    family, coordinator, site_admin
):
    """Otherwise a coordinator and a site admin could close, seal and purge a family at once
    by dating the closing back past the retention period."""
    child = family.test_child
    Case.objects.filter(pk=family.pk).update(opened_on=dt.date(2010, 1, 4))
    family.refresh_from_db()
    services.case_close(
        actor=coordinator,
        case=family,
        closed_on=dt.date(2011, 1, 3),
        reason="other",
        note="Entered late",
        in_care={child.pk: "Entered late."},
    )
    family.refresh_from_db()
    later = NOW + dt.timedelta(days=365 * 30)
    with time_machine.travel(later, tick=False):
        assert services.is_past_retention(family)  # thirty years on, it is
    assert not services.is_past_retention(family)
    assert family not in services_past(family.site)
    with pytest.raises(ValidationError):
        services.case_seal(actor=site_admin, case=family)
    with pytest.raises(ValidationError):
        services.case_purge(actor=site_admin, case=family, reason="retention")


def services_past(site):
    from cases.closing.selectors import cases_past_retention

    return list(cases_past_retention(site, TODAY))
