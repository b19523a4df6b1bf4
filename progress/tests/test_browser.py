"""An overseer drills from the nation to one unit and downloads its PDF; axe on each page."""

import pytest

from core.tests.browser import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, live_server, user):
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


def test_overseer_drills_down_to_a_unit_and_downloads_the_pdf(
    browser_page, live_server, world, overseer, tmp_path
):
    page = browser_page
    _sign_in(page, live_server, overseer)
    page.goto(live_server.url + "/progress/dashboard/")
    assert page.locator("h1").count() == 1
    assert_accessible(page)

    page.get_by_role("link", name="กระทรวงมหาดไทย").first.click()
    page.wait_for_url("**/progress/groups/m-interior/")
    assert_accessible(page)
    page.get_by_role("link", name="กรมการปกครอง").last.click()
    page.wait_for_url("**/progress/groups/d-dopa/")
    assert_accessible(page)
    page.get_by_role("link", name="ที่ว่าการอำเภอเมือง").last.click()
    page.wait_for_url("**/progress/agencies/u-district/")
    assert "ที่ว่าการอำเภอเมือง" in page.locator("h1").inner_text()
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="ดาวน์โหลดรายงาน (PDF)").click()
    path = tmp_path / "report.pdf"
    download_info.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF-")
    assert download_info.value.suggested_filename == "no-copy-progress-u-district.pdf"


def test_public_page_is_accessible_on_a_phone(browser_page, live_server, world):
    page = browser_page
    page.goto(live_server.url + "/progress/")
    assert page.locator("svg.map path").count() >= 77
    assert_accessible(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360 + 1
