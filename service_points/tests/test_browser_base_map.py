"""On a 390×844 phone with no way to the tile server: the outline, a notice, Thai credit text."""

import re

import pytest
from playwright.sync_api import expect

from core.tests.browser import PHONE_390, assert_accessible
from service_points.tests.factories import PublishedPointFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_tiles_that_cannot_load_leave_the_outline_and_say_so(browser_page, live_server):
    page = browser_page
    page.set_viewport_size(PHONE_390)
    PublishedPointFactory()
    page.goto(live_server.url + "/service-points/")
    page.wait_for_selector("#map.leaflet-container")
    # The browser fixture refuses every request off this machine, as a dead network would.
    expect(page.locator("#map-notice")).to_be_visible()
    expect(page.locator("#map")).to_have_class(re.compile(r"\bsp-map-no-tiles\b"))
    assert "OpenStreetMap" in page.locator(".leaflet-control-attribution").inner_text()
    font = page.locator(".leaflet-control-attribution").evaluate(
        "el => getComputedStyle(el).fontFamily"
    )
    assert font.startswith('"Sarabun"') or font.startswith("Sarabun")
    assert page.get_by_role("region", name="แผนที่").count() == 1
    assert_accessible(page)


def test_near_me_denied_offers_search_by_place(browser_page, live_server):
    page = browser_page
    page.set_viewport_size(PHONE_390)
    page.context.clear_permissions()
    page.goto(live_server.url + "/service-points/near/")
    page.get_by_role("button", name="ใช้ตำแหน่งของฉัน").click()
    status = page.locator("#location-status")
    expect(status).to_contain_text("จังหวัดหรืออำเภอ")
    expect(page.get_by_role("heading", name="ค้นหาตามจังหวัดหรืออำเภอ")).to_be_visible()
    expect(page.locator("#id_q")).to_be_focused()
    assert_accessible(page)
