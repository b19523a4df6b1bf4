# mypy: ignore-errors
"""EGA's week from the programme console, on a phone, without /admin/: open a round typing
Buddhist-Era dates, preview and send reminders, revoke a GDX key with a reason; then the
overseer finds each of these in the audit trail."""

import datetime

import pytest
from django.utils import timezone

from core.tests.browser import assert_accessible
from readiness.models import SurveyReminder, SurveyRound
from readiness.tests.factories import pin

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, base, user, password):
    page.goto(base + "/accounts/sign-in/")
    page.locator("#id_identifier").fill(user.email)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    page.wait_for_url(lambda url: "/accounts/sign-in/" not in url)


def _one_h1(page, text):
    headings = page.get_by_role("heading", level=1)
    assert headings.count() == 1
    assert text in headings.inner_text()


def test_egas_week_in_the_console_and_the_overseer_reads_it(
    browser_page, live_server, ega_admin, overseer, officer_a, agency_b, password
):
    from exchange import services as exchange_services
    from exchange.models import MemberKey
    from exchange.tests.factories import MemberFactory
    from gdx_protocol import SigningKey

    pin(officer_a.agency)
    pin(agency_b)  # nobody of agency B can be reached by mail
    member = MemberFactory(agency=agency_b)
    key = exchange_services.member_key_add(
        member=member,
        use="sig",
        algorithm="ed25519",
        public_key=SigningKey.generate().public_raw,
        by=ega_admin,
    )
    page, base = browser_page, live_server.url
    _sign_in(page, base, ega_admin, password)

    # The console is in the header; its home says what needs attention.
    page.get_by_role("link", name="คอนโซลบริหารโครงการ").first.click()
    page.wait_for_url(base + "/console/")
    _one_h1(page, "คอนโซลบริหารโครงการ")
    assert_accessible(page)

    # Open a round, typing the dates as a Thai officer does.
    page.get_by_role("link", name="รอบการสำรวจ กำหนดการ และการแจ้งเตือน").click()
    page.get_by_role("link", name="เปิดรอบการสำรวจใหม่").click()
    _one_h1(page, "เปิดรอบการสำรวจใหม่")
    page.get_by_label("ชื่อภาษาไทย").fill("รอบสำรวจความพร้อม ปลายปี 2569")
    page.get_by_label("วันเปิด").fill("30/11/2569")
    page.get_by_label("วันปิด").fill("31/12/2569")
    assert_accessible(page)
    page.get_by_role("button", name="บันทึกรอบการสำรวจ").click()
    page.wait_for_url(lambda url: "/new/" not in url)
    round = SurveyRound.objects.get(name_th="รอบสำรวจความพร้อม ปลายปี 2569")
    assert round.opens_on == datetime.date(2026, 11, 30)
    assert round.closes_on == datetime.date(2026, 12, 31)
    assert "30 พฤศจิกายน 2569" in page.locator("dl").inner_text()
    assert_accessible(page)

    # Preview the reminders: who gets one, who cannot be reached and why; then confirm.
    page.get_by_role("link", name="การแจ้งเตือน: ใครจะได้รับ").click()
    _one_h1(page, "การแจ้งเตือน")
    assert officer_a.email in page.locator("table").nth(0).inner_text()
    assert "ยังไม่มีผู้ใช้ที่ลงทะเบียน" in page.locator("table").nth(1).inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="ส่งการแจ้งเตือนเหล่านี้").click()
    assert page.locator(".error-summary, [role=alert]").first.is_visible()  # not confirmed
    assert not SurveyReminder.objects.exists()
    page.get_by_label("ฉันตรวจสอบรายชื่อข้างต้นแล้ว").check()
    page.get_by_role("button", name="ส่งการแจ้งเตือนเหล่านี้").click()
    page.wait_for_url(base + f"/console/rounds/{round.pk}/")
    assert SurveyReminder.objects.filter(user=officer_a, round=round).exists()

    # Revoke a GDX key, with the reason and the confirmation the page asks for.
    page.goto(base + f"/gdx/members/{member.code}/")
    page.get_by_label("เหตุผล").first.fill("กุญแจรั่วไหล")
    page.locator(f"#confirm-{key.pk}").check()
    page.get_by_role("button", name="เพิกถอนกุญแจ").click()
    page.wait_for_url(base + f"/gdx/members/{member.code}/")
    assert "กุญแจรั่วไหล" in page.locator("table").first.inner_text()
    assert MemberKey.objects.get(pk=key.pk).revoked_reason == "กุญแจรั่วไหล"

    # The overseer finds every one of these in the audit trail.
    page.context.clear_cookies()
    _sign_in(page, base, overseer, password)
    page.goto(base + "/console/audit/")
    _one_h1(page, "บันทึกการตรวจสอบย้อนหลัง")
    page.get_by_label("ผู้ดำเนินการ (อีเมล)").fill("admin@ega")
    page.get_by_role("button", name="ค้นหา").click()
    trail = page.locator("table").inner_text()
    for action in ("readiness.round_created", "readiness.reminders_sent", "gdx.key.revoked"):
        assert action in trail, action
    assert "กุญแจรั่วไหล" in trail
    assert_accessible(page)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    page.get_by_label("ตั้งแต่วันที่").fill(
        f"{tomorrow.day}/{tomorrow.month}/{tomorrow.year + 543}"
    )  # nothing has happened tomorrow yet
    page.get_by_role("button", name="ค้นหา").click()
    assert "gdx.key.revoked" not in page.locator("table").inner_text()
