"""The public map shows a point's citizen figures once enough people have answered."""

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from core.tests.browser import assert_accessible
from feedback.tests.factories import submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@override_settings(FEEDBACK_PUBLIC_MIN_RESPONSES=3)
def test_map_popup_shows_satisfaction(browser_page, live_server, point_a):
    for overall in (5, 4, 2):
        submit(point_a, overall=overall)
    page = browser_page
    page.goto(live_server.url + "/service-points/")
    expect(page.locator("#map")).to_have_attribute("data-loaded", "1")
    page.locator(".leaflet-marker-icon").first.click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("สำนักงานเขตทดสอบ")
    expect(popup).to_contain_text("ประชาชนพึงพอใจ 67% จาก 3 ความเห็น")
    # axe measures colours: wait until the popup has finished fading in.
    expect(page.locator(".leaflet-popup")).to_have_css("opacity", "1")
    assert_accessible(page)
