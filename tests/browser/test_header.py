"""The site header at tablet width (1024 x 768): however long a user's name, "Sign out" stays on
the header's own background, inside the window, and the page passes axe-core."""

import time

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_NAME = "Dr. Maria-Guadalupe Fernández-Villarreal de la Cruz Montgomery-Whitfield, DVM"


def test_a_long_name_keeps_sign_out_on_the_header_inside_the_window(live_server, page, family):
    coordinator = family.team_members.get(role="community_coordinator").user
    coordinator.full_name = LONG_NAME
    coordinator.save(update_fields=["full_name"])
    p = page.page
    p.goto(live_server.url + "/")
    p.get_by_label("E-mail").fill(coordinator.email)
    p.get_by_label("Password").fill(PASSWORD)
    p.get_by_role("button", name="Sign in").click()
    sign_out = p.get_by_role("button", name="Sign out")
    expect(sign_out).to_be_visible()
    button = sign_out.bounding_box()
    header = p.locator(".site-header .navbar").bounding_box()
    assert button is not None and header is not None
    assert button["x"] + button["width"] <= 1024
    assert (
        header["y"] <= button["y"]
        and button["y"] + button["height"] <= header["y"] + header["height"]
    )
    # the whole name is shown
    name = p.locator(".site-header .user-name")
    expect(name).to_have_text(LONG_NAME)
    assert page.axe_violations() == []
    assert page.csp_violations == []


def test_axe_measures_the_page_once_its_style_sheets_have_loaded(live_server, page, family):
    """A heading (or Sign out) can be visible before app.css has loaded; measured then, Sign out
    has Bootstrap's light text on white (contrast 1.05). The page helper waits for the load."""
    coordinator = family.team_members.get(role="community_coordinator").user
    p = page.page
    p.goto(live_server.url + "/")
    p.get_by_label("E-mail").fill(coordinator.email)
    p.get_by_label("Password").fill(PASSWORD)
    p.get_by_role("button", name="Sign in").click()
    expect(p.get_by_role("button", name="Sign out")).to_be_visible()

    def late(route):
        time.sleep(1.5)
        route.continue_()

    p.context.route("**/static/css/app.css", late)
    p.goto(live_server.url + "/cases/", wait_until="commit")
    expect(p.get_by_role("button", name="Sign out")).to_be_visible()
    assert page.axe_violations() == []
