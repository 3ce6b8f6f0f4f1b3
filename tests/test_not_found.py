"""`make run` (DEBUG on) answers an unknown address with the ordinary 404 page, never Django's
debug page listing every URL of the application."""

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db

DEBUG_PAGE = ("Using the URLconf", "urlpatterns", "accounts/sites/", "Raised by")


@override_settings(DEBUG=True)
@pytest.mark.parametrize("signed_in", [False, True])
def test_an_unknown_address_gets_the_ordinary_page_with_debug_on(client, coordinator, signed_in):
    if signed_in:
        client.force_login(coordinator)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "We could not find that page" in body
    assert not any(marker in body for marker in DEBUG_PAGE)


@override_settings(DEBUG=True)
def test_a_family_one_may_not_see_gets_the_ordinary_page_with_debug_on(
    client_for, outsider, family
):
    response = client_for(outsider).get(f"/cases/{family.pk}/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "We could not find that page" in body
    assert not any(marker in body for marker in DEBUG_PAGE)


@override_settings(DEBUG=True)
def test_a_missing_slash_is_still_added(client_for, coordinator):
    response = client_for(coordinator).get("/cases")
    assert response.status_code == 301 and response["Location"] == "/cases/"


@override_settings(DEBUG=True)
def test_known_pages_still_open_with_debug_on(client_for, coordinator):
    assert client_for(coordinator).get("/cases/").status_code == 200
