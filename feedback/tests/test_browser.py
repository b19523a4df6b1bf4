"""A citizen scans the poster's QR code on a phone, answers, sends, and is thanked."""

import pytest

from core.tests.browser import assert_accessible
from feedback.models import Response
from feedback.poster import feedback_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_citizen_scans_answers_and_is_thanked(browser_page, live_server, settings):
    from agencies.tests.factories import DepartmentFactory
    from manual.tests.factories import make_published
    from service_points.tests.factories import PublishedPointFactory

    settings.PUBLIC_BASE_URL = live_server.url
    agency = DepartmentFactory(code="dopa", name_th="กรมการปกครอง")
    point = PublishedPointFactory(agency=agency, name_th="ที่ว่าการอำเภอเมืองเชียงใหม่")
    make_published(agency=agency, name_th="การทำบัตรประจำตัวประชาชน")
    page = browser_page
    page.route("**/*.js", lambda route: route.abort())  # the page must work without JavaScript

    page.goto(feedback_url(point))  # what the QR code encodes
    assert page.get_by_role("heading", level=1).inner_text() == "วันนี้ท่านได้รับบริการเป็นอย่างไร"
    assert_accessible(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways on a phone ({width} px)"

    # Sending nothing shows every missing answer at the top, in Thai.
    page.get_by_role("button", name="ส่งแบบประเมิน").click()
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert summary.locator("li").count() == 7
    assert_accessible(page)

    page.get_by_label("ท่านมารับบริการใด").select_option(label="การทำบัตรประจำตัวประชาชน")
    for question, answer in [
        ("โดยรวมแล้ว ท่านพึงพอใจต่อการให้บริการเพียงใด", "5 – พึงพอใจมากที่สุด"),
        ("กระบวนการและขั้นตอนการให้บริการ", "4 – พึงพอใจมาก"),
        ("เจ้าหน้าที่ผู้ให้บริการ", "5 – พึงพอใจมากที่สุด"),
        ("สิ่งอำนวยความสะดวก", "3 – พึงพอใจปานกลาง"),
        ("คุณภาพของผลการให้บริการ", "4 – พึงพอใจมาก"),
        ("ท่านถูกขอสำเนาบัตรประจำตัวประชาชนหรือสำเนาทะเบียนบ้านหรือไม่", "ไม่ใช่"),
    ]:
        page.get_by_role("group", name=question).get_by_label(answer, exact=True).check()
    page.get_by_label("ข้อเสนอแนะ (ไม่บังคับ)").fill("บริการรวดเร็ว <b>ดีมาก</b> โทร 081-234-5678")
    page.get_by_role("button", name="ส่งแบบประเมิน").click()

    assert page.get_by_role("heading", level=1).inner_text() == "ขอบคุณที่ร่วมแสดงความคิดเห็น"
    assert_accessible(page)
    stored = Response.objects.get()
    assert (stored.overall, stored.process, stored.staff, stored.facilities, stored.outcome) == (
        5,
        4,
        5,
        3,
        4,
    )
    assert stored.asked_for_copy is False
    assert stored.service.name_th == "การทำบัตรประจำตัวประชาชน"
    assert stored.comment == "บริการรวดเร็ว <b>ดีมาก</b> โทร xxx-xxx-xxxx"
    assert stored.status == Response.Status.ACCEPTED
