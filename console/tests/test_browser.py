# mypy: ignore-errors
"""EGA's week from the programme console, on a phone, without /admin/: open a round typing
Buddhist-Era dates, preview and send reminders, revoke a GDX key with a reason; then the
overseer finds each of these in the audit trail."""

import datetime
import io
from pathlib import Path

import pytest
from django.utils import timezone

from core.tests.browser import assert_accessible
from readiness.models import LimitationOption, SurveyReminder, SurveyRound

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
    from feedback.models import Response as FeedbackResponse
    from feedback.tests.factories import submit
    from gdx_protocol import SigningKey, b64e
    from gdx_protocol.keys import kem_algorithm
    from service_points.tests.factories import PublishedPointFactory

    kem = kem_algorithm("mlkem768x25519")
    # The data migration's options are flushed by transactional tests: make sure of two.
    LimitationOption.objects.get_or_create(letter="ก", defaults={"text_th": "งบประมาณไม่เพียงพอ"})
    dropped, _ = LimitationOption.objects.get_or_create(
        letter="ช", defaults={"text_th": "ผู้รับบริการมักไม่มาติดต่อด้วยตนเอง"}
    )
    province = "50"
    point = PublishedPointFactory(agency=officer_a.agency, province_code=province)
    PublishedPointFactory(agency=agency_b, province_code="10")  # nobody of B can be mailed
    for _ in range(2):
        submit(point, honeypot="robot?")  # two answers held for review
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
    # Question 8's options of this round: the latest round's, less one EGA drops.
    page.get_by_role("checkbox", name=str(dropped)).uncheck()
    assert_accessible(page)
    page.get_by_role("button", name="บันทึกรอบการสำรวจ").click()
    page.wait_for_url(lambda url: "/new/" not in url)
    round = SurveyRound.objects.get(name_th="รอบสำรวจความพร้อม ปลายปี 2569")
    assert round.opens_on == datetime.date(2026, 11, 30)
    assert round.closes_on == datetime.date(2026, 12, 31)
    assert round.limitation_options.count() == LimitationOption.objects.count() - 1
    assert dropped not in round.limitation_options.all()
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

    # Question 8's options, in the console.
    page.goto(base + "/console/")
    page.get_by_role("link", name="ตัวเลือกของคำถามข้อ 8").click()
    _one_h1(page, "ตัวเลือกของคำถามข้อ 8")
    page.get_by_label("ตัวอักษร").fill("ฮ")
    page.get_by_label("ข้อความภาษาไทย").fill("ขาดเครื่องอ่านบัตร")
    assert_accessible(page)
    page.get_by_role("button", name="บันทึกตัวเลือก").click()
    page.wait_for_url(base + "/console/options/")
    assert "ขาดเครื่องอ่านบัตร" in page.locator("table").inner_text()

    # The phases' schedules, in B.E., out of Django's admin.
    from progress.models import Activity, Phase

    phase, _ = Phase.objects.get_or_create(number=1, defaults={"name_th": "ระยะที่ 1"})
    Activity.objects.get_or_create(
        phase=phase,
        position=1,
        defaults={
            "name_th": "หน่วยงานปักหมุดจุดให้บริการ",
            "starts_on": datetime.date(2018, 5, 7),
            "ends_on": datetime.date(2018, 5, 31),
            "measure": "pinned",
        },
    )
    page.goto(base + "/console/")
    page.get_by_role("link", name="ระยะดำเนินงานและกำหนดการ").click()
    _one_h1(page, "ระยะดำเนินงานและกำหนดการ")
    assert "31 พฤษภาคม 2561" in page.locator("table").first.inner_text()
    assert_accessible(page)

    # Download the follow-up list of one province.
    page.goto(base + "/console/")
    page.get_by_role("link", name="รายชื่อที่ต้องติดตาม", exact=False).click()
    _one_h1(page, "รายชื่อหน่วยงานที่ต้องติดตาม")
    page.get_by_label("จังหวัด").select_option(province)
    page.get_by_role("button", name="แสดง", exact=True).click()
    assert officer_a.agency.code in page.locator("table").inner_text()
    assert agency_b.code not in page.locator("table").inner_text()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="ดาวน์โหลด Excel (XLSX)").click()
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    rows = list(book.active.iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == [officer_a.agency.code]

    # Review flagged answers in bulk.
    page.goto(base + "/feedback/review/")
    page.get_by_label("เลือกความคิดเห็น").nth(0).check()
    page.get_by_label("เลือกความคิดเห็น").nth(1).check()
    assert_accessible(page)
    page.get_by_role("button", name="นับความคิดเห็นที่เลือก", exact=True).click()
    page.wait_for_url(base + "/feedback/review/")
    assert sorted(FeedbackResponse.objects.values_list("status", flat=True)) == [
        "accepted",
        "accepted",
    ]

    # Add a GDX member with both keys.
    page.goto(base + "/gdx/")
    page.get_by_role("link", name="เพิ่มสมาชิกพร้อมกุญแจ").click()
    _one_h1(page, "เพิ่มสมาชิกพร้อมกุญแจ")
    page.get_by_label("รหัสหน่วยงาน").fill(officer_a.agency.code)
    page.get_by_label("กุญแจสาธารณะสำหรับลงนาม").fill(b64e(SigningKey.generate().public_raw))
    page.get_by_label("กุญแจสาธารณะสำหรับเข้ารหัส").fill(b64e(kem.public_raw(kem.generate())))
    assert_accessible(page)
    page.get_by_role("button", name="เพิ่มสมาชิก", exact=True).click()
    page.wait_for_url(base + f"/gdx/members/{officer_a.agency.code}/")
    assert page.locator("table").first.locator("tbody tr").count() == 2

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
    for action in (
        "readiness.round_created",
        "readiness.reminders_sent",
        "readiness.limitation_option.created",
        "feedback.response_accepted",
        "gdx.member.registered",
        "gdx.key.added",
        "gdx.key.revoked",
    ):
        assert action in trail, action
    assert "กุญแจรั่วไหล" in trail
    assert_accessible(page)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    page.get_by_label("ตั้งแต่วันที่").fill(
        f"{tomorrow.day}/{tomorrow.month}/{tomorrow.year + 543}"
    )  # nothing has happened tomorrow yet
    page.get_by_role("button", name="ค้นหา").click()
    assert "gdx.key.revoked" not in page.locator("table").inner_text()
