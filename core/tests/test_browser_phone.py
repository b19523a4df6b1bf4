"""Issue 16 on a 390×844 phone: a compact header with a menu button, 44 px tap targets, a
favicon, and a QR feedback page without htmx."""

import pytest
from playwright.sync_api import expect

from core.tests.browser import PHONE_390, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _small_targets(page) -> list[str]:
    return page.evaluate(
        """() => [...document.querySelectorAll('header a, header button, footer a')]
            .filter(el => el.offsetParent !== null)
            .map(el => [el.textContent.trim(), el.getBoundingClientRect()])
            .filter(([, r]) => r.height < 44 || r.width < 44)
            .map(([t, r]) => `${t}: ${Math.round(r.width)}x${Math.round(r.height)}`)"""
    )


def test_the_header_is_compact_and_the_menu_opens(browser_page, live_server):
    page = browser_page
    page.set_viewport_size(PHONE_390)
    page.goto(live_server.url + "/")
    header_height = page.locator(".site-header").bounding_box()["height"]
    assert header_height <= 80, header_height
    menu = page.get_by_role("button", name="เมนู")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(
        page.get_by_role("banner").get_by_role("link", name="คู่มือสำหรับประชาชน", exact=True)
    ).to_be_hidden()
    assert not _small_targets(page), _small_targets(page)
    assert_accessible(page)
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(
        page.get_by_role("banner").get_by_role("link", name="คู่มือสำหรับประชาชน", exact=True)
    ).to_be_visible()
    assert not _small_targets(page), _small_targets(page)
    assert_accessible(page)
    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")


def test_the_qr_page_loads_no_htmx_and_has_a_favicon(browser_page, live_server):
    from service_points.tests.factories import PublishedPointFactory

    point = PublishedPointFactory()
    page = browser_page
    page.set_viewport_size(PHONE_390)
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{live_server.url}/f/{point.pk}/")
    page.wait_for_load_state("load")
    assert not [url for url in requested if "htmx" in url]
    assert page.locator("h1").bounding_box()["y"] < 844 / 4  # the question is on screen
    icon = page.evaluate("() => document.querySelector('link[rel=icon]').href")
    assert page.request.get(icon).status == 200
    assert page.request.get(live_server.url + "/favicon.ico").status == 200
    assert_accessible(page)


def test_without_javascript_the_menu_still_opens(_playwright_browser, live_server):
    context = _playwright_browser.new_context(viewport=PHONE_390, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/")
    nav_link = page.get_by_role("banner").get_by_role("link", name="คู่มือสำหรับประชาชน", exact=True)
    expect(nav_link).to_be_hidden()
    page.get_by_role("link", name="เมนู").click()
    expect(nav_link).to_be_visible()
    context.close()
