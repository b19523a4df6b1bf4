"""A new officer registers in Thai on a phone, opens the emailed link, sets a password,
signs in, and sees the agency home page with the requesters list."""

import re

import pytest
from django.core import mail

from agencies.tests.factories import DepartmentFactory
from core.tests.browser import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_registers_activates_and_signs_in(browser_page, live_server, settings):
    settings.PUBLIC_BASE_URL = live_server.url  # links in mail use the configured address
    DepartmentFactory(code="rd", name_th="กรมสรรพากร", name_en="The Revenue Department")
    page = browser_page
    page.goto(live_server.url + "/")
    assert_accessible(page)
    page.get_by_role("button", name="เมนู").click()  # the phone's compact header
    page.get_by_role("link", name="ลงทะเบียน", exact=True).first.click()

    page.get_by_label("ชื่อหรือรหัสหน่วยงาน").fill("สรรพากร")
    page.get_by_role("button", name="ค้นหา").click()
    page.get_by_role("link", name="กรมสรรพากร").click()
    assert_accessible(page)

    # Submitting empty shows every error together, in Thai, at the top.
    page.get_by_role("button", name="ลงทะเบียน").click()
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert summary.locator("li").count() == 4
    assert_accessible(page)

    page.locator("#id_first_name").fill("สมหญิง")
    page.locator("#id_last_name").fill("ตั้งใจ")
    page.locator("#id_email").fill("somying@rd.go.th")
    page.locator("#id_phone").fill("081 234 5678")
    page.get_by_role("button", name="ลงทะเบียน").click()
    assert page.get_by_role("heading", level=1).inner_text() == "ได้รับการลงทะเบียนแล้ว"
    assert "rd@info.go.th" in page.content()
    assert_accessible(page)

    link = re.search(r"https?://\S+/accounts/activate/\S+", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.locator("#id_password1").fill("ภาษีดีมีสุข-2569")
    page.locator("#id_password2").fill("ภาษีดีมีสุข-2569")
    assert_accessible(page)
    page.get_by_role("button", name="ตั้งรหัสผ่าน").click()

    page.locator("#id_identifier").fill("rd@info.go.th")
    page.locator("#id_password").fill("ภาษีดีมีสุข-2569")
    page.get_by_role("button", name="เข้าสู่ระบบ").click()

    assert page.get_by_role("heading", level=1).inner_text() == "กรมสรรพากร"
    requesters = page.get_by_role("region", name="รายชื่อผู้ที่เคยขอชื่อผู้ใช้ของหน่วยงานนี้").first
    assert "somying@rd.go.th" in requesters.inner_text()
    assert_accessible(page)

    # The page fits a 360-px phone: nothing scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.get_by_role("button", name="English").click()
    assert page.get_by_role("heading", level=1).inner_text() == "กรมสรรพากร"
    assert page.locator("html").get_attribute("lang") == "en"
