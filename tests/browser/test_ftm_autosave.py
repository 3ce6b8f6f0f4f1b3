"""The FTM logging page never loses what is typed (issue 20): continuous typing is saved while
it goes on; a reload mid-word, a dropped connection and a closed tab lose nothing, and none of
them makes one's own earlier save a conflict; two people typing in different parts of the
meeting both keep their work, and where they typed in the same box both texts are offered.
Every character is checked on the server."""

import time

import pytest
from playwright.sync_api import expect

from teams.models import Ftm, FtmActionItem
from tests.browser.conftest import AXE_JS, CSP_REPORTER, Page
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(p, live_server, user, ftm):
    p.goto(live_server.url + "/accounts/login/")
    p.get_by_label("E-mail").fill(user.email)
    p.get_by_label("Password").fill(PASSWORD)
    p.get_by_role("button", name="Sign in").click()
    p.goto(f"{live_server.url}/ftms/{ftm.pk}/log/")
    expect(p.get_by_role("heading", name="Who is here")).to_be_visible()


def saved(p):
    expect(p.locator("#save-status")).to_contain_text("Saved at", timeout=15_000)


def on_server(ftm, field):
    return getattr(Ftm.objects.get(pk=ftm.pk), field)


def wait_for_server(ftm, field, text, timeout=15):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if on_server(ftm, field) == text:
            return
        time.sleep(0.2)
    assert on_server(ftm, field) == text


@pytest.fixture
def ftm(family):
    return Ftm.objects.create(case=family, scheduled_on=family.site.today())


@pytest.fixture
def second_page(browser):
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="en-US")
    context.add_init_script(CSP_REPORTER)
    context.add_init_script(path=str(AXE_JS))
    wrapped = Page(context.new_page())
    wrapped.page.set_default_timeout(10_000)
    yield wrapped
    context.close()


def test_continuous_typing_is_saved_while_it_goes_on(live_server, page, coordinator, ftm):
    p = page.page
    sign_in(p, live_server, coordinator, ftm)
    box = p.get_by_label("What is going well?")
    box.click()
    first = "Derrick ran to Jaime at the door and "
    p.keyboard.type(first, delay=90)  # about 3.5 s without a pause
    # saved while typing goes on: the server has most of it before the typing stops
    assert len(on_server(ftm, "going_well")) >= 10
    second = "showed her the drawing he made at child care."
    p.keyboard.type(second, delay=90)
    assert len(on_server(ftm, "going_well")) > len(first)
    saved(p)
    assert on_server(ftm, "going_well") == first + second
    # the status stays in sight on a tablet, wherever the page is scrolled
    p.get_by_label("Date of the next FTM").scroll_into_view_if_needed()
    expect(p.locator("#save-status")).to_be_in_viewport()
    assert page.axe_violations() == []
    assert page.csp_violations == [] and page.errors == []


def test_a_reload_mid_word_loses_nothing_and_is_no_conflict(live_server, page, coordinator, ftm):
    p = page.page
    sign_in(p, live_server, coordinator, ftm)
    box = p.get_by_label("What worries you?")
    box.click()
    p.keyboard.type("Finding a place to li", delay=20)
    p.reload()  # mid-word, before any pause
    box = p.get_by_label("What worries you?")
    expect(box).to_have_value("Finding a place to li")
    box.press("End")
    p.keyboard.type("ve near the bus line.", delay=20)
    saved(p)
    expect(p.locator("#save-problem")).to_be_hidden()
    expect(p.locator("#save-conflicts")).to_be_hidden()
    assert on_server(ftm, "worries") == "Finding a place to live near the bus line."
    # and again, twice in a row
    p.get_by_label("What are your hopes?").click()
    p.keyboard.type("Home by spr", delay=10)
    p.reload()
    p.reload()
    expect(p.get_by_label("What are your hopes?")).to_have_value("Home by spr")
    p.get_by_label("What are your hopes?").press("End")
    p.keyboard.type("ing", delay=10)
    saved(p)
    assert on_server(ftm, "hopes") == "Home by spring"
    expect(p.locator("#save-conflicts")).to_be_hidden()
    assert page.csp_violations == [] and page.errors == []


def test_offline_and_back_loses_nothing(live_server, page, coordinator, ftm):
    p = page.page
    sign_in(p, live_server, coordinator, ftm)
    p.context.set_offline(True)
    p.get_by_label("Getting ready for court").fill("Bring the ASQ results to the hearing")
    expect(p.locator("#save-status")).to_contain_text("kept on this device", timeout=15_000)
    p.get_by_label("Anything else").fill("The parent asked for bus passes")
    assert on_server(ftm, "court_discussion") == ""
    p.context.set_offline(False)
    saved(p)
    assert on_server(ftm, "court_discussion") == "Bring the ASQ results to the hearing"
    assert on_server(ftm, "notes") == "The parent asked for bus passes"


def test_a_tab_closed_while_offline_gives_its_text_back_when_reopened(
    live_server, page, browser, coordinator, ftm
):
    p = page.page
    sign_in(p, live_server, coordinator, ftm)
    p.context.set_offline(True)
    p.get_by_label("Services").fill("Waitlisted for the parenting group")
    expect(p.locator("#save-status")).to_contain_text("kept on this device", timeout=15_000)
    kept = p.context.storage_state()  # what the browser keeps when its window is closed
    # The window is gone as far as the server knows: it stays offline, and is closed only at
    # the end (a request sent as a page closes may outlive its offline emulation).
    assert on_server(ftm, "services_discussion") == ""
    context = browser.new_context(
        viewport={"width": 1024, "height": 768}, locale="en-US", storage_state=kept
    )
    try:
        reopened = context.new_page()
        errors = []
        reopened.on("pageerror", lambda exc: errors.append(str(exc)))
        reopened.goto(f"{live_server.url}/ftms/{ftm.pk}/log/")
        expect(reopened.get_by_label("Services")).to_have_value(
            "Waitlisted for the parenting group"
        )
        expect(reopened.locator("#draft-restored")).to_be_visible()
        expect(reopened.locator("#save-status")).to_contain_text("Saved at", timeout=15_000)
        assert on_server(ftm, "services_discussion") == "Waitlisted for the parenting group"
        expect(reopened.locator("#save-conflicts")).to_be_hidden()
        assert errors == []
    finally:
        context.close()


def test_two_people_typing_in_different_parts_both_keep_their_work(
    live_server, page, second_page, coordinator, caseworker, ftm
):
    cc, cw = page.page, second_page.page
    sign_in(cc, live_server, coordinator, ftm)
    sign_in(cw, live_server, caseworker, ftm)
    cc.get_by_label("What is going well?").fill("Visits moved to the family home")
    cw.get_by_label("What worries you?").fill("The car broke down again")
    saved(cc)
    saved(cw)
    cc.get_by_label("What is going well?").press("End")
    cc.keyboard.type(" on Saturdays", delay=20)
    cw.get_by_label("What worries you?").press("End")
    cw.keyboard.type(" last week", delay=20)
    saved(cc)
    saved(cw)
    wait_for_server(ftm, "going_well", "Visits moved to the family home on Saturdays")
    wait_for_server(ftm, "worries", "The car broke down again last week")
    for p in (cc, cw):
        expect(p.locator("#save-conflicts")).to_be_hidden()
        expect(p.locator("#save-problem")).to_be_hidden()
    # each page shows the other's text once it saves again
    cc.get_by_label("Anything else").fill("Next time at the library")
    saved(cc)
    expect(cc.get_by_label("What worries you?")).to_have_value("The car broke down again last week")


def test_two_people_in_the_same_box_choose_and_lose_nothing(
    live_server, page, second_page, coordinator, caseworker, ftm
):
    cc, cw = page.page, second_page.page
    sign_in(cc, live_server, coordinator, ftm)
    sign_in(cw, live_server, caseworker, ftm)
    cc.get_by_label("What are your hopes?").fill("Home by spring")
    saved(cc)
    cw.get_by_label("What are your hopes?").fill("Overnights first, then home")
    conflict = cw.locator("#save-conflicts")
    expect(conflict).to_contain_text(str(coordinator), timeout=15_000)
    expect(conflict).to_contain_text("Their text: Home by spring")
    assert on_server(ftm, "hopes") == "Home by spring"  # nothing overwritten
    assert second_page.axe_violations() == []
    conflict.get_by_role("button", name="Keep mine").click()
    saved(cw)
    assert on_server(ftm, "hopes") == "Overnights first, then home"
    expect(conflict).to_be_hidden()
    assert second_page.csp_violations == [] and second_page.errors == []


def test_a_step_written_in_spanish_beside_the_english_is_kept_through_a_reload(
    live_server, page, coordinator, ftm
):
    """The second box of an action item ("In Spanish, for the family copy") saves itself like
    every other box, and a reload mid-word loses nothing of it."""
    p = page.page
    sign_in(p, live_server, coordinator, ftm)
    p.locator("#item-add").click()
    p.keyboard.type("Call the clinic", delay=20)  # the new item's "What" has the focus
    spanish = p.locator("#item-list [data-item=family_description]").last
    expect(spanish).to_have_attribute("lang", "es")
    spanish.click()
    p.keyboard.type("Llamar a la clí", delay=20)
    p.reload()  # mid-word
    spanish = p.locator("#item-list [data-item=family_description]").last
    expect(spanish).to_have_value("Llamar a la clí")
    spanish.press("End")
    p.keyboard.type("nica", delay=20)
    end = time.monotonic() + 15
    while time.monotonic() < end:
        item = FtmActionItem.objects.filter(ftm=ftm).first()
        if item is not None and item.family_description == "Llamar a la clínica":
            break
        time.sleep(0.2)
    item = FtmActionItem.objects.get(ftm=ftm)
    assert (item.description, item.family_description, item.family_language) == (
        "Call the clinic",
        "Llamar a la clínica",
        "es",
    )
    expect(p.locator("#save-conflicts")).to_be_hidden()
    assert page.axe_violations() == []
    assert page.csp_violations == [] and page.errors == []
