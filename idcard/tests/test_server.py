import http.client
import json
import threading

import pytest

from idcard.server import MAX_WRONG_CODES, Pairing, ReaderHTTPServer
from idcard.simulated import SimulatedCard

ORIGIN = "http://127.0.0.1:8130"


@pytest.fixture
def service():
    codes: list[str] = []
    state = {"card": lambda: SimulatedCard()}
    server = ReaderHTTPServer(
        port=0,
        origins={ORIGIN},
        transport_factory=lambda: state["card"](),
        pairing=Pairing(announce=codes.append),
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, codes, state
    server.shutdown()
    server.server_close()


def call(server, method, path, body=None, headers=None, origin=ORIGIN, host=None):
    port = server.server_address[1]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    h = {"Host": host or f"127.0.0.1:{port}", "Content-Type": "application/json"}
    if origin:
        h["Origin"] = origin
    h.update(headers or {})
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=h)
    resp = conn.getresponse()
    raw = resp.read()
    conn.close()
    return resp, (json.loads(raw) if raw else None)


def pair(server, codes):
    resp, body = call(server, "POST", "/pair", {"code": codes[-1]})
    assert resp.status == 200
    return body["token"]


def test_listens_on_loopback_only(service):
    server, _, _ = service
    assert server.server_address[0] == "127.0.0.1"


def test_pair_then_read(service):
    server, codes, _ = service
    first = codes[-1]
    token = pair(server, codes)
    assert codes[-1] != first  # the code was used up and replaced
    resp, body = call(server, "POST", "/read", {}, {"Authorization": f"Bearer {token}"})
    assert resp.status == 200
    assert resp.getheader("Access-Control-Allow-Origin") == ORIGIN
    assert body["card"]["name_th"]["full"] == "นายสมชาย ใจดี"
    assert body["card"]["photo_jpeg_base64"]


def test_a_used_code_is_refused(service):
    server, codes, _ = service
    used = codes[-1]
    pair(server, codes)
    resp, body = call(server, "POST", "/pair", {"code": used})
    assert resp.status == 403 and body["error"] == "wrong_code"


def test_read_without_pairing_is_refused(service):
    server, _, _ = service
    resp, body = call(server, "POST", "/read", {}, {"Authorization": "Bearer nope"})
    assert resp.status == 401 and "จับคู่" in body["message_th"]


def test_other_origins_and_hosts_are_refused(service):
    server, codes, _ = service
    resp, body = call(server, "POST", "/pair", {"code": codes[-1]}, origin="https://evil.example")
    assert resp.status == 403 and body["error"] == "origin_not_allowed"
    assert resp.getheader("Access-Control-Allow-Origin") is None
    resp, _ = call(server, "POST", "/pair", {"code": codes[-1]}, origin=None)
    assert resp.status == 403
    resp, body = call(server, "POST", "/pair", {"code": codes[-1]}, host="evil.example:80")
    assert resp.status == 421


def test_preflight_allows_only_the_portal(service):
    server, _, _ = service
    resp, _ = call(server, "OPTIONS", "/read")
    assert resp.status == 204
    assert resp.getheader("Access-Control-Allow-Origin") == ORIGIN
    assert resp.getheader("Access-Control-Allow-Private-Network") == "true"
    resp, _ = call(server, "OPTIONS", "/read", origin="https://evil.example")
    assert resp.status == 403


def test_too_many_wrong_codes_replace_the_code(service):
    server, codes, _ = service
    first = codes[-1]
    for _ in range(MAX_WRONG_CODES):
        call(server, "POST", "/pair", {"code": "x"})
    assert codes[-1] != first
    resp, _ = call(server, "POST", "/pair", {"code": first})
    assert resp.status == 403


@pytest.mark.parametrize(
    "card,code,words",
    [
        (lambda: SimulatedCard(reader=False), "no_reader", "ไม่พบเครื่องอ่านบัตร"),
        (lambda: SimulatedCard(present=False), "no_card", "ไม่พบบัตร"),
        (lambda: SimulatedCard(remove_after=5), "card_removed", "ดึงออก"),
        (lambda: SimulatedCard(has_applet=False), "unknown_card", "ไม่ใช่บัตร"),
    ],
)
def test_errors_come_back_as_thai_messages(service, card, code, words):
    server, codes, state = service
    token = pair(server, codes)
    state["card"] = card
    resp, body = call(server, "POST", "/read", {}, {"Authorization": f"Bearer {token}"})
    assert resp.status == 409
    assert body["error"] == code and words in body["message_th"]


def test_malformed_body(service):
    server, _, _ = service
    port = server.server_address[1]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request(
        "POST", "/pair", body=b"{not json", headers={"Host": f"127.0.0.1:{port}", "Origin": ORIGIN}
    )
    assert conn.getresponse().status == 400


def test_read_without_the_photo(service):
    server, codes, state = service
    token = pair(server, codes)
    cards = []
    state["card"] = lambda: cards.append(SimulatedCard()) or cards[-1]
    resp, body = call(
        server, "POST", "/read", {"photo": False}, {"Authorization": f"Bearer {token}"}
    )
    assert resp.status == 200 and body["card"]["photo_jpeg_base64"] is None
    assert cards[0].sent == 8
