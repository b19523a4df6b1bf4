"""Playwright on Debian's Chromium, never a downloaded browser, plus an axe check.

With REQUIRE_BROWSER=1 (CI), a browser that cannot start fails the test instead of skipping.
"""

import json
import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 740}
PHONE_390 = {"width": 390, "height": 844}  # the phone of issue 16's walk-through


@pytest.fixture(scope="session")
def _playwright_browser():
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop, Django's ORM
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing and REQUIRE_BROWSER is set")
        pytest.skip(f"{CHROMIUM} is missing")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(_playwright_browser, live_server):
    """A phone-sized page; `page.goto(live_server.url + path)`."""
    context = _playwright_browser.new_context(
        viewport=PHONE, locale="th-TH", service_workers="block", reduced_motion="reduce"
    )
    # Tests never leave the machine (no tile servers): anything not served by us fails at once.
    context.route(
        lambda url: not url.startswith(live_server.url) and not url.startswith("data:"),
        lambda route: route.abort(),
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.csp_errors = []  # type: ignore[attr-defined]
    page.on(
        "console",
        lambda msg: (
            page.csp_errors.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    yield page
    context.close()


AXE_JS = Path(__import__("axe_playwright_python").__file__).with_name("axe.min.js")


def axe_violations(page) -> list[dict]:
    """Runs axe-core (WCAG 2.0/2.1 A and AA rules) on the page and returns the violations."""
    # Evaluated through the DevTools protocol, so the page's CSP (no inline scripts) stays on.
    page.evaluate(AXE_JS.read_text())
    result = page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: 'tag',
             values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"""
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    assert not getattr(page, "csp_errors", []), page.csp_errors
    assert not violations, json.dumps(violations, ensure_ascii=False, indent=1)
