"""The LINE link page on a phone (390 px), with axe: the citizen arrives from the chat's
button, reads what linking means, agrees and is sent to LINE (the CSP lets the form's
redirect go there); back on /me/ the LINE section shows the link and unlinks it."""

from importlib import import_module

import pytest
from django.conf import settings as django_settings

from citizens.middleware import SESSION_KEY
from core.tests.browser import PHONE_390, assert_accessible
from line_channel import services as line_services
from line_channel.models import Chat, LinkNonce

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TOKEN = "NMZTNuVrPTqlr2IF8Bnymkb7rXfYv5EY"
USER = "U4af4980629a1b2c3d4e5f60718293a4b"


def signed_in(page, live_server, citizen) -> None:
    store = import_module(django_settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = citizen.pk
    store.save()
    page.context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": store.session_key,
                "url": live_server.url,
            }
        ]
    )


def test_a_citizen_links_line_on_a_phone(browser_page, live_server, settings, citizen, no_readings):
    settings.LINE_CHANNEL_SECRET = "test-channel-secret"
    settings.LINE_CHANNEL_ACCESS_TOKEN = "test-access-token"
    page = browser_page
    page.set_viewport_size(PHONE_390)
    signed_in(page, live_server, citizen)
    reached = []
    page.route(
        "https://access.line.me/**",
        lambda route: (reached.append(route.request.url), route.fulfill(body="LINE"))[-1],
    )

    page.goto(f"{live_server.url}/me/line/link/?linkToken={TOKEN}")
    assert page.get_by_role("heading", level=1).inner_text() == "เชื่อม LINE กับพื้นที่ของฉัน"
    assert_accessible(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width} px)"
    page.get_by_role("button", name="เชื่อมบัญชี LINE นี้").click()
    page.wait_for_url("https://access.line.me/**")
    assert reached[0].startswith(
        f"https://access.line.me/dialog/bot/accountLink?linkToken={TOKEN}&nonce="
    )
    assert LinkNonce.objects.get().citizen == citizen
    assert page.csp_errors == []

    # LINE's accountLink event (the worker's call; the webhook path: line_channel's tests).
    nonce = reached[0].rsplit("nonce=", 1)[1]
    line_services.line_link_complete(user_id=USER, nonce=nonce, ok=True)
    page.goto(f"{live_server.url}/me/")
    section = page.locator("#line")
    assert "เชื่อมกับพื้นที่ของท่านตั้งแต่" in section.inner_text()
    assert_accessible(page)
    section.get_by_role("button", name="ยกเลิกการเชื่อม LINE").click()
    page.wait_for_load_state()
    assert "ยังไม่ได้เชื่อม" in page.locator("#line").inner_text()
    assert Chat.objects.get().citizen is None
