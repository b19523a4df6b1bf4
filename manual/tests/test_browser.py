"""A citizen searches without spaces, opens a service and sees which copies are no longer needed."""

import pytest
from playwright.sync_api import expect

from core.tests.browser import assert_accessible
from manual.services import service_publish
from manual.tests.factories import HOUSE_COPY, ID_ORIGINAL, make_published, make_service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_citizen_finds_a_service_and_sees_removed_copies(browser_page, live_server, agency_a):
    service = make_published(agency=agency_a)
    make_service(agency=agency_a, service=service, documents=[ID_ORIGINAL, HOUSE_COPY])
    service_publish(service=service, by=None)
    page = browser_page

    page.goto(live_server.url + "/manual/")
    assert_accessible(page)
    page.get_by_label("ค้นหางานบริการ").fill("บัตรประชาชน")
    page.get_by_role("button", name="ค้นหา", exact=True).click()
    link = page.get_by_role("link", name="การทำบัตรประจำตัวประชาชน")
    expect(link).to_be_visible()
    assert_accessible(page)

    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("การทำบัตรประจำตัวประชาชน")
    removed = page.locator("section.removed")
    expect(removed.get_by_role("heading")).to_have_text("เอกสารที่ไม่ต้องใช้แล้ว")
    expect(removed).to_contain_text("สำเนาบัตรประจำตัวประชาชน")
    expect(page.locator(".copy-status")).to_contain_text("ไม่ต้องใช้สำเนาบัตรประจำตัวประชาชนตั้งแต่")
    expect(page.locator(".checklist")).to_contain_text("ไม่ต้องใช้สำเนา")
    expect(page.get_by_role("button", name="พิมพ์หน้านี้")).to_be_visible()  # JS enhancement
    assert_accessible(page)


def test_officer_edit_page_is_accessible(browser_page, live_server, officer_a):
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(officer_a)
    browser_page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "url": live_server.url,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
            }
        ]
    )
    browser_page.goto(live_server.url + "/manual/manage/new/")
    expect(browser_page.get_by_role("heading", level=1)).to_be_visible()
    browser_page.get_by_role("button", name="เพิ่มเอกสาร").click()  # htmx adds a row
    expect(browser_page.locator('[name="documents-0-name"]')).to_be_visible()
    assert_accessible(browser_page)
