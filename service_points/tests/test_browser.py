"""An officer pins on a phone with a mocked GPS, adds a photo, publishes; a citizen finds it."""

import re

import pytest
from playwright.sync_api import expect

from core.tests.browser import assert_accessible
from service_points.models import ServicePoint
from service_points.tests.factories import image_upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, live_server, user):
    """The sign-in form has its own tests; here the session cookie is enough."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "url": live_server.url,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
            }
        ]
    )


def test_officer_pins_with_phone_gps_and_citizen_finds_it(
    browser_page, live_server, officer_a, tmp_path
):
    page = browser_page
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 13.7501, "longitude": 100.4914, "accuracy": 12})
    _sign_in(page, live_server, officer_a)

    page.goto(live_server.url + "/my-agency/service-points/new/")
    page.wait_for_selector("#pin-map.leaflet-container")
    page.get_by_role("button", name="ใช้ตำแหน่งของฉัน").click()
    expect(page.locator("#id_latitude")).to_have_value(re.compile(r"^13\.750"))
    assert "12" in page.locator("#location-status").inner_text()
    assert page.input_value("#id_latitude").startswith("13.7501")
    assert_accessible(page)

    page.fill("#id_name_th", "ศูนย์บริการทดสอบเบราว์เซอร์")
    page.fill("#id_name_en", "Browser test centre")
    page.select_option("#id_province_code", "10")
    expect(page.locator("#id_district_code option[value='1001']")).to_have_count(1)
    page.select_option("#id_district_code", "1001")
    expect(page.locator("#id_subdistrict_code option[value='100101']")).to_have_count(1)
    page.select_option("#id_subdistrict_code", "100101")
    page.fill("#id_postcode", "10200")
    page.fill("#id_phone", "021234567")
    page.fill("#id_contact_name", "สมชาย ใจดี")
    page.fill("#id_contact_phone", "0812345678")
    page.get_by_role("button", name="บันทึกเป็นฉบับร่าง").click()
    page.wait_for_load_state()
    point = ServicePoint.objects.get()
    assert abs(point.latitude - 13.7501) < 1e-6

    photo = tmp_path / "counter.jpg"
    photo.write_bytes(image_upload().read())
    page.get_by_label("เคาน์เตอร์ให้บริการ").check()
    page.set_input_files("#id_image", str(photo))
    page.get_by_role("button", name="เพิ่มภาพถ่าย").click()
    page.wait_for_load_state()
    assert point.photos.count() == 1
    page.get_by_role("button", name="เผยแพร่บนแผนที่").click()
    page.wait_for_load_state()
    point.refresh_from_db()
    assert point.status == "published"
    assert_accessible(page)

    citizen = page.context.browser.new_context(
        viewport={"width": 360, "height": 740}, locale="th-TH"
    )
    public = citizen.new_page()
    public.goto(live_server.url + "/service-points/")
    expect(public.locator("#map")).to_have_attribute("data-loaded", "1")
    assert_accessible(public)
    public.fill("#id_q", "เบราว์เซอร์")
    public.get_by_role("button", name="ค้นหา", exact=True).click()
    public.get_by_role("link", name="ศูนย์บริการทดสอบเบราว์เซอร์").click()
    public.wait_for_load_state()
    assert public.locator("h1").inner_text() == "ศูนย์บริการทดสอบเบราว์เซอร์"
    assert "สมชาย" not in public.content()
    assert_accessible(public)
    citizen.close()


def test_map_popup_reads_english_in_the_english_view(browser_page, live_server):
    """The popup of a pin gives the point's English name and address in the English view."""
    from service_points.tests.factories import PublishedPointFactory

    PublishedPointFactory(
        name_th="สำนักงานเขตพระนคร",
        name_en="Phra Nakhon District Office",
        latitude=13.7530,
        longitude=100.4960,
    )
    page = browser_page
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(live_server.url + "/service-points/#17/13.7530/100.4960")
    page.locator(".leaflet-marker-icon[title='Phra Nakhon District Office']").click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("Phra Nakhon District Office")
    expect(popup).to_contain_text("Bangkok")
    assert "สำนักงาน" not in popup.inner_text() and "กรุงเทพ" not in popup.inner_text()
