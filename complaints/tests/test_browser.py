"""The done-when journey on a phone in Chromium: a citizen files a complaint, follows it by
its private link, the agency moves it to fixed, the citizen confirms, and four weeks later
(time simulated) the question arrives and is answered. Each page is checked with axe."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from complaints.models import Complaint, Route
from complaints.tests.factories import category
from core.tests.browser import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits_a_phone(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways on a phone ({width} px)"


def test_file_follow_fix_confirm_and_the_four_week_question(
    browser_page, live_server, agency_a, officer_a, password
):
    Route.objects.create(category=category("road"), province_code="10", agency=agency_a)
    page, base = browser_page, live_server.url

    page.goto(base + "/complaints/new/")
    assert page.get_by_role("heading", level=1).inner_text() == "แจ้งเรื่องร้องเรียน"
    assert_accessible(page)
    _fits_a_phone(page)
    # Sending nothing: the errors at the top, in Thai, and nothing stored.
    page.get_by_role("button", name="ส่งเรื่องร้องเรียน").click()
    assert page.locator(".error-summary").is_visible()
    assert_accessible(page)
    assert not Complaint.objects.exists()

    page.get_by_label("เรื่องเกี่ยวกับอะไร").select_option(label="ถนน ทางเท้า ชำรุด")
    page.get_by_label("ปัญหาคืออะไร").fill("ถนนเป็นหลุมลึก รถจักรยานยนต์ล้ม โทร 081-234-5678")
    page.get_by_label("ละติจูด").fill("13.7563")
    page.get_by_label("ลองจิจูด").fill("100.5018")
    page.get_by_label("อีเมล (ไม่บังคับ)").fill("citizen@example.com")
    page.get_by_role("button", name="ส่งเรื่องร้องเรียน").click()

    complaint = Complaint.objects.get()
    assert complaint.reference in page.get_by_role("heading", level=1).inner_text()
    follow_url = page.url
    assert follow_url.endswith(f"/complaints/follow/{complaint.follow_token}/")
    assert "ได้รับเรื่องแล้ว" in page.content()
    assert_accessible(page)
    _fits_a_phone(page)

    # The agency moves it through its states to fixed.
    staff = page.context.browser.new_context(viewport={"width": 360, "height": 740})
    officer_page = staff.new_page()
    officer_page.goto(base + "/accounts/sign-in/")
    officer_page.locator("#id_identifier").fill(officer_a.email)
    officer_page.locator("#id_password").fill(password)
    officer_page.get_by_role("button", name="เข้าสู่ระบบ").click()
    officer_page.goto(base + "/my-agency/complaints/")
    officer_page.get_by_role("link", name=complaint.reference).click()
    assert_accessible(officer_page)
    for state, note in (
        ("ยืนยันเรื่องแล้ว", ""),
        ("กำลังดำเนินการ", "ส่งทีมซ่อมแล้ว"),
        ("แก้ไขแล้ว", "ซ่อมถนนเรียบร้อย"),
    ):
        officer_page.get_by_label("สถานะใหม่").select_option(label=state)
        officer_page.get_by_label("หมายเหตุที่เปิดเผยต่อสาธารณะ").fill(note)
        officer_page.get_by_role("button", name="บันทึกสถานะ").click()
        assert "บันทึกแล้ว" in officer_page.content()
    staff.close()
    complaint.refresh_from_db()
    assert complaint.state == Complaint.State.FIXED

    # The citizen sees it by the private link and confirms.
    page.goto(follow_url)
    assert "ซ่อมถนนเรียบร้อย" in page.content()
    page.get_by_role("button", name="ใช่ แก้ไขแล้ว").click()
    complaint.refresh_from_db()
    assert complaint.reporter_confirmed_at is not None
    assert_accessible(page)

    # Four weeks later (time simulated) the question arrives by email and is answered.
    Complaint.objects.filter(pk=complaint.pk).update(
        fixed_at=timezone.now() - datetime.timedelta(days=29)
    )
    mail.outbox.clear()
    call_command("complaints_send_questionnaires")
    assert len(mail.outbox) == 1 and complaint.follow_token in mail.outbox[0].body
    page.goto(follow_url)
    page.get_by_label("ใช่ ยังเรียบร้อยดี").check()
    page.get_by_role("button", name="ส่งคำตอบ").click()
    complaint.refresh_from_db()
    assert complaint.questionnaire_still_fixed is True

    # The public page shows the timeline, masked text, no personal data.
    page.goto(base + f"/complaints/{complaint.reference}/")
    body = page.content()
    assert "ซ่อมถนนเรียบร้อย" in body and "081-234-5678" not in body
    assert "citizen@example.com" not in body
    assert_accessible(page)
    page.goto(base + "/complaints/")
    assert_accessible(page)
    _fits_a_phone(page)
    assert not page.csp_errors
