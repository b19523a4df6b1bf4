"""An agency with more processes than fit on one page ticks rows on two pages of the survey's
process table, paging with htmx (each page turn saves the draft), and searches the table."""

import pytest
from playwright.sync_api import expect

from core.tests.browser import assert_accessible
from readiness.models import SurveyProcessRow
from readiness.selectors import ROWS_PER_PAGE
from readiness.tests.factories import SurveyRoundFactory, pin

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROCESSES = ROWS_PER_PAGE + 3  # 53: a full first page and three rows on the second


def _sign_in(page, base, user, password):
    page.goto(base + "/accounts/sign-in/")
    page.locator("#id_identifier").fill(user.email)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    page.wait_for_url(lambda url: "/accounts/sign-in/" not in url)


def _name(number: int) -> str:
    return f"การออกใบอนุญาตประเภทที่ {number:02d}"


def _id_tick(page, number: int):
    return page.get_by_role("checkbox", name=f"สำเนาบัตรประชาชน {_name(number)}", exact=True)


@pytest.fixture
def survey_agency(password):
    from accounts.tests.factories import UserFactory
    from agencies.tests.factories import DepartmentFactory
    from manual.tests.factories import ID_ORIGINAL, make_service
    from readiness.models import LimitationOption

    # The data migration's rows are flushed by transactional tests: recreate the options.
    LimitationOption.objects.get_or_create(letter="ก", defaults={"text_th": "งบประมาณไม่เพียงพอ"})
    LimitationOption.objects.get_or_create(
        letter="ข", defaults={"text_th": "ขาดบุคลากรด้านเทคโนโลยีสารสนเทศ"}
    )
    agency = DepartmentFactory(code="dbd", name_th="กรมพัฒนาธุรกิจการค้า")
    officer = UserFactory(
        agency=agency, email="somsri@dbd.go.th", first_name="สมศรี", last_name="ใจดี"
    )
    pin(agency)
    for number in range(1, PROCESSES + 1):
        # The original ID card, not a copy: every row starts unticked.
        make_service(
            agency=agency, code=f"p{number:02d}", name_th=_name(number), documents=[ID_ORIGINAL]
        )
    SurveyRoundFactory()
    return officer


def test_ticks_survive_htmx_paging_and_search(browser_page, live_server, password, survey_agency):
    page, base = browser_page, live_server.url
    _sign_in(page, base, survey_agency, password)
    page.goto(base + "/my-agency/readiness/")
    page.get_by_role("button", name="เริ่มทำแบบสำรวจ").click()
    table = page.locator("#process-table")
    expect(table).to_contain_text("หน้า 1 จาก 2")
    assert table.locator("tbody tr").count() == ROWS_PER_PAGE
    assert not _id_tick(page, 1).is_checked()
    assert_accessible(page)

    # A marker on the window survives only if htmx swaps the table instead of loading a page.
    page.evaluate("window.__samePage = true")
    _id_tick(page, 2).check()
    pager = page.get_by_role("navigation", name="หน้าของรายการกระบวนการ")
    pager.get_by_role("button", name="หน้าถัดไป").click()
    expect(table).to_contain_text("หน้า 2 จาก 2")
    assert table.locator("tbody tr").count() == PROCESSES - ROWS_PER_PAGE
    assert page.evaluate("window.__samePage") is True
    assert _id_tick(page, ROWS_PER_PAGE + 2).is_visible()
    assert_accessible(page)

    row_52 = page.get_by_role(
        "checkbox", name=f"สำเนาทะเบียนบ้าน {_name(ROWS_PER_PAGE + 2)}", exact=True
    )
    row_52.check()
    pager.get_by_role("button", name="หน้าก่อนหน้า").click()
    expect(table).to_contain_text("หน้า 1 จาก 2")
    assert page.evaluate("window.__samePage") is True
    assert _id_tick(page, 2).is_checked()  # the first page's tick was kept
    assert not _id_tick(page, 1).is_checked()
    assert_accessible(page)

    # Both ticks are in the saved draft.
    ticked = SurveyProcessRow.objects.filter(
        needs_id_card_copy=True
    ) | SurveyProcessRow.objects.filter(needs_house_registration_copy=True)
    assert sorted(ticked.values_list("service_name", flat=True)) == [
        _name(2),
        _name(ROWS_PER_PAGE + 2),
    ]

    # The search box narrows the table, also through htmx; the second page's tick is there.
    page.get_by_label("ค้นหากระบวนการ").fill(f"ประเภทที่ {ROWS_PER_PAGE + 2}")
    table.get_by_role("button", name="ค้นหา", exact=True).click()
    expect(table).to_contain_text("ตรงกับคำค้น 1 รายการ")
    assert page.evaluate("window.__samePage") is True
    assert table.locator("tbody tr").count() == 1
    assert row_52.is_checked()
    assert page.get_by_role("navigation", name="หน้าของรายการกระบวนการ").count() == 0
    assert_accessible(page)

    # A search that finds nothing says so.
    page.get_by_label("ค้นหากระบวนการ").fill("ไม่มีกระบวนการนี้")
    table.get_by_role("button", name="ค้นหา", exact=True).click()
    expect(table).to_contain_text("ไม่พบกระบวนการที่ตรงกับคำค้น")
    assert table.locator("tbody tr").count() == 0
    assert page.evaluate("window.__samePage") is True
    assert_accessible(page)
