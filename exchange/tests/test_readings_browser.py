# mypy: ignore-errors
# (factory_boy and pytest fixtures are untyped; the code under test is checked.)
"""verify-inclusion.js in Chromium: a real exchange's proof holds; a proof with its leaf, path,
root or signature tampered does not; another citizen's entry is not served."""

import base64
import json
import re

import pytest

from core.tests.browser import assert_accessible
from exchange import selectors
from exchange.tests.conftest import REGISTRY
from exchange.tests.test_browser import _catalogue
from exchange.tests.test_readings import _exchange

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("exchange.tests.readings_urls"),
]


@pytest.fixture
def catalogue(transactional_db):
    _catalogue()


def _flip_hex(value: str) -> str:
    return ("0" if value[0] != "0" else "1") + value[1:]


def _tamper(doc: dict, part: str) -> dict:
    if part == "leaf":
        leaf = base64.urlsafe_b64decode(doc["leaf"] + "=" * (-len(doc["leaf"]) % 4))
        leaf = leaf.replace(b"land-title-transfer", b"land-title-transfes")
        doc["leaf"] = base64.urlsafe_b64encode(leaf).rstrip(b"=").decode()
        doc.pop("leaf_hash")
    elif part == "path":
        doc["proof"][-1] = _flip_hex(doc["proof"][-1])
    elif part == "root":
        doc["sth"]["root_hash"] = _flip_hex(doc["sth"]["root_hash"])
    elif part == "signature":
        sig = bytearray(base64.urlsafe_b64decode(doc["sth"]["sig"] + "=="))
        sig[5] ^= 1
        doc["sth"]["sig"] = base64.urlsafe_b64encode(bytes(sig)).rstrip(b"=").decode()
    return doc


def _result(page, index):
    target = page.locator(f"#reading-result-{index}")
    target.and_(page.locator("[data-result]:not([data-result=checking])")).wait_for()
    return target.get_attribute("data-result"), target.inner_text()


def test_verify_says_holds_for_a_real_proof_and_does_not_hold_when_tampered(
    catalogue, net, browser_page, live_server
):
    first, second = REGISTRY.citizen_ids()[:2]
    _exchange(net, first)
    _exchange(net, second)
    response, pseudonym = _exchange(net, first)
    assert response.status_code == 200
    readings = selectors.subject_readings(pseudonym=pseudonym)
    assert len(readings) == 2
    newest = readings[0]["index"]

    tamper = {"part": None}

    def serve(route):
        fetched = route.fetch()
        if fetched.status != 200 or not tamper["part"]:
            route.fulfill(response=fetched)
            return
        route.fulfill(json=_tamper(json.loads(fetched.text()), tamper["part"]))

    page = browser_page
    page.route(re.compile(r".*/proof\.json$"), serve)
    page.goto(f"{live_server.url}/test-readings/{pseudonym}/")
    assert page.locator(".reading").count() == 2
    assert "ตรวจสอบ" in page.locator(f"[data-verify-index='{newest}']").inner_text()
    assert_accessible(page)

    button = page.locator(f"[data-verify-index='{newest}']")
    button.click()
    state, text = _result(page, newest)
    assert state == "holds", text
    assert "holds" in text and "ถูกต้อง" in text and "does not hold" not in text

    for part in ("leaf", "path", "root", "signature"):
        tamper["part"] = part
        button.click()
        state, text = _result(page, newest)
        assert state == "does-not-hold", (part, text)
        assert "does not hold" in text and "ไม่ถูกต้อง" in text

    # The older entry holds too, against the same or a newer signed tree head.
    tamper["part"] = None
    older = readings[1]["index"]
    page.locator(f"[data-verify-index='{older}']").click()
    assert _result(page, older)[0] == "holds"
    assert_accessible(page)


def test_another_citizens_entry_is_not_served_and_the_page_says_so(
    catalogue, net, browser_page, live_server
):
    first, second = REGISTRY.citizen_ids()[:2]
    _, mine = _exchange(net, first)
    _, theirs = _exchange(net, second)
    [their_reading] = selectors.subject_readings(pseudonym=theirs)
    page = browser_page
    # A page for my pseudonym whose button asks for the other citizen's entry.
    page.goto(f"{live_server.url}/test-readings/{mine}/")
    page.locator("[data-verify-index]").evaluate(
        "(b, i) => { b.dataset.verifyIndex = i; b.closest('li')"
        ".querySelector('.reading-result').id = 'reading-result-' + i; }",
        str(their_reading["index"]),
    )
    page.locator("[data-verify-index]").click()
    state, _ = _result(page, their_reading["index"])
    assert state == "error"
    response = page.request.get(
        f"{live_server.url}/test-readings/{mine}/{their_reading['index']}/proof.json"
    )
    assert response.status == 404


def test_without_ed25519_in_the_browser_the_page_says_only_the_path_was_checked(
    catalogue, net, browser_page, live_server
):
    response, pseudonym = _exchange(net, REGISTRY.citizen_ids()[0])
    assert response.status_code == 200
    [reading] = selectors.subject_readings(pseudonym=pseudonym)
    page = browser_page
    page.add_init_script(
        "const real = crypto.subtle.importKey.bind(crypto.subtle);"
        "crypto.subtle.importKey = (f, k, alg, ...rest) => (alg && alg.name === 'Ed25519')"
        " ? Promise.reject(new DOMException('no', 'NotSupportedError')) : real(f, k, alg, ...rest);"
    )
    page.goto(f"{live_server.url}/test-readings/{pseudonym}/")
    page.locator("[data-verify-index]").click()
    state, text = _result(page, reading["index"])
    assert state == "holds"
    assert "ลายมือชื่อ" in text  # says the hub's signature was not checked


def test_an_empty_list_says_so(catalogue, browser_page, live_server, hub_key_file):
    page = browser_page
    page.goto(f"{live_server.url}/test-readings/{'0' * 64}/")
    assert page.locator(".reading").count() == 0
    assert "GDX" in page.locator(".subject-readings").inner_text()
    assert_accessible(page)


def test_without_web_crypto_the_page_says_it_cannot_check_here(
    catalogue, net, browser_page, live_server
):
    """Web Crypto exists only in secure contexts: over plain HTTP the page must not claim
    that a good proof "does not hold"."""
    response, pseudonym = _exchange(net, REGISTRY.citizen_ids()[0])
    assert response.status_code == 200
    [reading] = selectors.subject_readings(pseudonym=pseudonym)
    page = browser_page
    page.add_init_script("Object.defineProperty(window.crypto, 'subtle', {value: undefined});")
    page.goto(f"{live_server.url}/test-readings/{pseudonym}/")
    page.locator("[data-verify-index]").click()
    state, text = _result(page, reading["index"])
    assert state == "error"
    assert "HTTPS" in text and "ไม่ถูกต้อง" not in text
