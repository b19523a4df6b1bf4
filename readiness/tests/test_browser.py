"""An officer of a pinned agency answers every question, every conditional branch included,
saves a draft, comes back, submits, and sees the path that fits the agency — on a phone."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.tests.browser import assert_accessible
from readiness.models import SurveyResponse
from readiness.tests.factories import SurveyRoundFactory, be, pin

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, base, user, password):
    page.goto(base + "/accounts/sign-in/")
    page.locator("#id_identifier").fill(user.email)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()


def test_officer_answers_saves_resumes_and_submits(browser_page, live_server, password):
    from accounts.tests.factories import UserFactory
    from agencies.tests.factories import DepartmentFactory
    from manual.tests.factories import HOUSE_COPY, ID_COPY, ID_ORIGINAL, make_service

    # The data migration's rows are flushed by transactional tests: recreate one option.
    from readiness.models import LimitationOption

    LimitationOption.objects.get_or_create(letter="ก", defaults={"text_th": "งบประมาณไม่เพียงพอ"})
    LimitationOption.objects.get_or_create(
        letter="ข", defaults={"text_th": "ขาดบุคลากรด้านเทคโนโลยีสารสนเทศ"}
    )
    agency = DepartmentFactory(code="rd", name_th="กรมสรรพากร", name_en="The Revenue Department")
    officer = UserFactory(
        agency=agency,
        email="nimita@rd.go.th",
        first_name="นิมิตา",
        last_name="จันทร์เสนา",
        phone="0813456789",
    )
    pin(agency)
    make_service(
        agency=agency,
        code="wht",
        name_th="การจัดทำหนังสือรับรองการหักภาษี ณ ที่จ่าย",
        documents=[ID_COPY, HOUSE_COPY],
    )
    make_service(
        agency=agency, code="vat", name_th="การจดทะเบียนภาษีมูลค่าเพิ่ม", documents=[ID_ORIGINAL]
    )
    SurveyRoundFactory()
    page, base = browser_page, live_server.url
    _sign_in(page, base, officer, password)

    page.goto(base + "/my-agency/readiness/")
    assert_accessible(page)
    page.get_by_role("button", name="เริ่มทำแบบสำรวจ").click()
    assert page.get_by_role("heading", level=1).inner_text() == (
        "แบบสำรวจความพร้อมเพื่อการยกเลิกสำเนาเอกสาร"
    )
    # Prefilled from the officer; conditional answers hidden until their choice.
    assert page.locator("#id_respondent_email").input_value() == "nimita@rd.go.th"
    assert page.locator("#id_respondent_phone").input_value() == "0813456789"
    expect(page.locator("#id_q1_expected_on")).to_be_hidden()  # once survey.js has run
    assert_accessible(page)

    soon = timezone.localdate() + datetime.timedelta(days=60)
    later = timezone.localdate() + datetime.timedelta(days=200)
    page.check("#id_q1_system_2")  # under development
    page.locator("#id_q1_expected_on").fill(be(soon))
    for index in range(5):
        page.check(f"#id_q2_channels_{index}")
    page.locator("#id_q2_other").fill("LINE Official")
    page.locator("#id_q3_service_points").fill("12")
    page.check("#id_q4_plan_2")  # not sure
    page.locator("#id_q4_reason").fill("รอความชัดเจนด้านกฎหมาย")
    page.check("#id_q5_mou_0")
    page.check("#id_q6_linkage_2")  # being linked
    page.locator("#id_q6_expected_on").fill(be(later))
    page.check("#id_q7_readers_0")  # sufficient
    page.locator("#id_q7_readers_owned").fill("4")
    page.check("#id_q8_limitations_1")  # has limitations
    page.check("#id_q8_options_0")
    page.check("#id_q8_options_1")
    # The manual's document flags ticked the first process's two boxes already.
    first = page.get_by_role("checkbox", name="สำเนาบัตรประชาชน การจัดทำหนังสือรับรองการหักภาษี")
    assert first.is_checked()
    page.get_by_role("checkbox", name="สำเนาทะเบียนบ้าน การจดทะเบียนภาษีมูลค่าเพิ่ม").check()
    assert "จำนวน 2 รายการ" in page.locator("#process-table").inner_text()
    comment = page.locator("#id_comment")
    comment.fill("น้ำ" * 3)
    expect(page.locator("#comment-counter")).to_have_text("6 จาก 500 ตัวอักษร")
    assert_accessible(page)
    page.get_by_role("button", name="บันทึกฉบับร่าง").click()
    assert "บันทึกฉบับร่างแล้ว" in page.locator(".messages").inner_text()

    # Come back later: everything is there, dates in the Buddhist Era.
    page.goto(base + "/my-agency/")
    page.goto(base + "/my-agency/readiness/")
    assert page.locator("#id_q4_reason").input_value() == "รอความชัดเจนด้านกฎหมาย"
    assert page.locator("#id_q1_expected_on").input_value() == be(soon)
    assert page.locator("#id_q7_readers_owned").input_value() == "4"
    assert page.get_by_role("checkbox", name="สำเนาทะเบียนบ้าน การจดทะเบียนภาษีมูลค่าเพิ่ม").is_checked()

    # The other branches: a plan with a date (typed in the past first), readers needed.
    page.check("#id_q4_plan_0")
    expect(page.locator("#id_q4_reason")).to_be_hidden()
    page.locator("#id_q4_expected_on").fill("01/01/2561")
    page.check("#id_q7_readers_1")
    page.locator("#id_q7_readers_needed").fill("-5")
    page.locator("#id_q3_service_points").fill("")
    page.get_by_role("button", name="ส่งคำตอบ").click()
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert summary.locator("li").count() == 3
    assert "วันที่คาดว่าจะแล้วเสร็จต้องไม่เป็นวันที่ผ่านมาแล้ว" in summary.inner_text()
    assert "จำนวนต้องไม่ติดลบ" in summary.inner_text()
    assert page.locator("#id_q4_expected_on").input_value() == "01/01/2561"  # nothing lost
    assert page.locator("#id_q2_other").input_value() == "LINE Official"
    assert_accessible(page)

    page.locator("#id_q4_expected_on").fill(be(later))
    page.locator("#id_q7_readers_needed").fill("20")
    page.locator("#id_q3_service_points").fill("12")
    page.get_by_role("button", name="ส่งคำตอบ").click()

    assert "ขอบคุณ" in page.locator(".messages").inner_text()
    path = page.get_by_role("region", name="แนวทางที่เหมาะกับหน่วยงานของท่าน")
    assert "Linkage Center" in path.inner_text()
    assert "จัดหาเครื่องอ่านบัตร Smart Card อีก 20 เครื่อง" in path.inner_text()
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    stored = SurveyResponse.objects.get(agency=agency)
    assert stored.status == "submitted" and stored.q4_expected_on == later
    assert stored.q7_readers_owned is None and stored.q7_readers_needed == 20
    assert stored.q4_reason == "" and stored.q8_options.count() == 2
