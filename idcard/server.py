"""`python -m idcard serve`: the officer PC's local card-reading service.

The counter page cannot reach PC/SC, so it calls this service on 127.0.0.1. Only the portal's
origin may call it (CORS and an Origin check), and only after pairing: the service shows a
one-time code, the officer types it into the counter page, which exchanges it for a bearer
token kept in that browser tab. A used or wrong code is never accepted again; after five
wrong codes a new code is shown.
"""

from __future__ import annotations

import hmac
import json
import logging
import secrets
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from idcard.errors import CardError
from idcard.reader import read_card
from idcard.transport import Transport

log = logging.getLogger("idcard")

MAX_WRONG_CODES = 5


class Pairing:
    def __init__(
        self, code_file: Path | None = None, announce: Callable[[str], None] | None = None
    ):
        self._lock = threading.Lock()
        self.code_file = code_file
        self.announce = announce or (lambda code: print(f"idcard: pairing code {code}", flush=True))
        self.tokens: set[str] = set()
        self.wrong = 0
        self.code = ""
        self.new_code()

    def new_code(self) -> None:
        self.code = f"{secrets.randbelow(10**6):06d}"
        self.wrong = 0
        if self.code_file is not None:
            self.code_file.write_text(self.code + "\n", encoding="ascii")
            self.code_file.chmod(0o600)
        self.announce(self.code)

    def pair(self, code: str) -> str | None:
        with self._lock:
            if hmac.compare_digest(code.encode(), self.code.encode()):
                token = secrets.token_urlsafe(32)
                self.tokens.add(token)
                self.new_code()  # one-time: the next browser needs the next code
                return token
            self.wrong += 1
            if self.wrong >= MAX_WRONG_CODES:
                self.new_code()
            return None

    def valid(self, token: str) -> bool:
        with self._lock:
            return any(hmac.compare_digest(token, t) for t in self.tokens)


class ReaderHandler(BaseHTTPRequestHandler):
    server: ReaderHTTPServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        log.info("%s %s", self.address_string(), format % args)

    def _origin_ok(self) -> bool:
        return self.headers.get("Origin", "") in self.server.origins

    def _host_ok(self) -> bool:
        # A page on another site that rebinds its DNS name to 127.0.0.1 sends its own Host.
        port = self.server.server_address[1]
        return self.headers.get("Host", "") in {f"127.0.0.1:{port}", f"localhost:{port}"}

    def _send(self, status: int, obj: dict[str, Any]) -> None:
        body = json.dumps(obj, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Vary", "Origin")
        if self._origin_ok():
            self.send_header("Access-Control-Allow-Origin", self.headers["Origin"])
        self.end_headers()
        self.wfile.write(body)

    def _refuse(self) -> bool:
        if not self._host_ok():
            self._send(421, {"error": "wrong_host"})
            return True
        if not self._origin_ok():
            self._send(403, {"error": "origin_not_allowed"})
            return True
        return False

    def do_OPTIONS(self) -> None:  # noqa: N802 - stdlib naming
        if self._refuse():
            return
        self.send_response(204)
        self.send_header("Access-Control-Allow-Origin", self.headers["Origin"])
        self.send_header("Access-Control-Allow-Methods", "GET, POST")
        self.send_header("Access-Control-Allow-Headers", "Authorization, Content-Type")
        self.send_header("Access-Control-Allow-Private-Network", "true")
        self.send_header("Access-Control-Max-Age", "600")
        self.send_header("Vary", "Origin")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        if self.path == "/status":
            if self._refuse():
                return
            self._send(200, {"service": "idcard", "simulated": self.server.simulated})
            return
        self._send(404, {"error": "not_found"})

    def _body(self) -> dict[str, Any] | None:
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            return None
        if not 0 <= length <= 4096:
            return None
        try:
            obj = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            return None
        return obj if isinstance(obj, dict) else None

    def do_POST(self) -> None:  # noqa: N802 - stdlib naming
        if self._refuse():
            return
        body = self._body()
        if body is None:
            self._send(400, {"error": "malformed"})
            return
        if self.path == "/pair":
            token = self.server.pairing.pair(str(body.get("code", "")).strip())
            if token is None:
                self._send(
                    403,
                    {
                        "error": "wrong_code",
                        "message_th": "รหัสจับคู่ไม่ถูกต้อง ดูรหัสที่หน้าต่างบริการอ่านบัตร",
                        "message_en": "Wrong pairing code: see the reader service's window.",
                    },
                )
                return
            self._send(200, {"token": token})
            return
        if self.path == "/read":
            auth = self.headers.get("Authorization", "")
            if not (auth.startswith("Bearer ") and self.server.pairing.valid(auth[7:])):
                self._send(
                    401,
                    {
                        "error": "not_paired",
                        "message_th": "ยังไม่ได้จับคู่กับบริการอ่านบัตร กรุณาใส่รหัสจับคู่",
                        "message_en": "Not paired with the reader service: enter the pairing code.",
                    },
                )
                return
            # {"photo": false} skips the 20 photo chunks: about 1 s at the card instead of 8.
            photo = body.get("photo", True) is not False
            with self.server.card_lock:  # one reader, one read at a time
                try:
                    data = read_card(self.server.transport_factory(), photo=photo)
                except CardError as exc:
                    self._send(409, exc.as_dict())
                    return
            self._send(200, {"card": data.as_json()})
            return
        self._send(404, {"error": "not_found"})


class ReaderHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        *,
        port: int,
        origins: set[str],
        transport_factory: Callable[[], Transport],
        pairing: Pairing,
        simulated: bool = False,
    ) -> None:
        super().__init__(("127.0.0.1", port), ReaderHandler)
        self.origins = origins
        self.transport_factory = transport_factory
        self.pairing = pairing
        self.simulated = simulated
        self.card_lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"
