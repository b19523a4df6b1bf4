"""HTTP front of an agency node (stdlib ThreadingHTTPServer, HTTP/1.1 keep-alive).

POST /gdx/answer   hub -> provider: forwarded request envelope in, response envelope out
POST /request      local officers/systems -> consumer: JSON in, verified document out
GET  /healthz
GET  /alarms       loopback only: what the node detected (keys it did not create, changed
                   identity keys, ...), with the threat numbers of docs/gdx-threat-model.md
"""

from __future__ import annotations

import ipaddress
import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from gdx_protocol.errors import GdxError

from .node import AgencyNode, document_to_json

log = logging.getLogger("agency_node")
MAX_REQUEST_BODY = 256 << 10
_date: tuple[int, str] = (0, "")  # (second, the Date header for it)

# Refusal code -> HTTP status; anything unlisted is 400.
STATUS_BY_CODE = {
    "replay": 409,
    "expired": 410,
    "bad_signature": 401,
    "unknown_key": 401,
    "uncertified_key": 401,
    "identity_changed": 403,
    "revoked_key": 403,
    "wrong_provider": 421,
    "wrong_consumer": 421,
    "unsupported_document": 404,
    "too_large": 413,
    "busy": 503,  # the hub's directory kept changing under the exchange: ask again
}


class NodeHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Nagle off and a buffered writer (headers and body leave in one write, flushed after
    # each request): with Nagle on and unbuffered writes, the body of every keep-alive
    # answer waited for the peer's delayed ACK of the headers, about 40 ms.
    disable_nagle_algorithm = True
    wbufsize = 64 << 10
    server: NodeHTTPServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        log.info("%s %s", self.address_string(), format % args)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if log.isEnabledFor(logging.INFO):  # the access log; skipped at WARNING
            super().log_request(code, size)

    def date_time_string(self, timestamp: float | None = None) -> str:
        # The Date header changes once a second; formatting it costs more than the rest of
        # the headers together.
        if timestamp is not None:
            return super().date_time_string(timestamp)
        global _date
        now = int(time.time())
        second, text = _date
        if second != now:
            text = super().date_time_string(now)
            _date = (now, text)
        return text

    def _send(
        self,
        status: int,
        body: bytes,
        ctype: str = "application/json",
        extra: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, obj: Any) -> None:
        self._send(status, json.dumps(obj, ensure_ascii=False).encode("utf-8"))

    def _error(self, exc: GdxError) -> None:
        self._json(STATUS_BY_CODE.get(exc.code, 400), exc.to_dict())

    def _body(self) -> bytes | None:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self._json(411, {"error": "length_required"})
            self.close_connection = True
            return None
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_REQUEST_BODY:
            self._json(413, {"error": "too_large"})
            self.close_connection = True
            return None
        return self.rfile.read(length)

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        node = self.server.node
        if self.path == "/healthz":
            self._json(
                200, {"ok": True, "member_id": node.config.member_id, "alarms": len(node.alarms)}
            )
        elif self.path == "/alarms" and self._is_local():
            # What this node detected that only a dishonest hub or a stolen key explains.
            self._json(200, {"alarms": [a.to_json() for a in list(node.alarms)]})
        else:
            self._json(404, {"error": "not_found"})

    def do_POST(self) -> None:  # noqa: N802 - stdlib naming
        body = self._body()
        if body is None:
            return
        if self.path == "/gdx/answer":
            self._answer(body)
        elif self.path == "/request":
            self._local_request(body)
        else:
            self._json(404, {"error": "not_found"})

    def _answer(self, body: bytes) -> None:
        try:
            self._send(200, self.server.node.answer(body))
        except GdxError as exc:
            log.warning("refused forwarded request: %s", exc.code)
            self._error(exc)

    def _is_local(self) -> bool:
        try:
            return ipaddress.ip_address(self.client_address[0]).is_loopback
        except ValueError:
            return False

    def _local_request(self, body: bytes) -> None:
        node = self.server.node
        if not self._is_local():
            self._json(403, {"error": "forbidden", "detail": "POST /request is loopback-only"})
            return
        token = node.config.local_token
        if token and self.headers.get("Authorization", "") != f"Bearer {token}":
            self._json(401, {"error": "unauthorized"})
            return
        try:
            args = json.loads(body)
            fields = ("document_type", "citizen_id", "purpose", "officer", "legal_basis")
            kwargs = {k: str(args[k]) for k in fields}
            provider = args.get("provider")
        except (ValueError, KeyError, TypeError):
            log.warning("local request refused: malformed (need %s)", ", ".join(fields))
            self._json(400, {"error": "malformed", "detail": f"need {list(fields)}"})
            return
        started = time.perf_counter()
        trace: dict[str, str] = {}
        try:
            doc = node.request(provider=str(provider) if provider else None, trace=trace, **kwargs)
        except GdxError as exc:
            # Never the citizen ID: operators read this log.
            log.warning("request for %s refused: %s", _printable(kwargs["document_type"]), exc.code)
            self._error(exc)
            return
        except OSError as exc:
            log.warning("request not sent, hub unreachable: %s", exc)
            self._json(502, {"error": "hub_unreachable", "detail": str(exc)})
            return
        # The hub's own Server-Timing (hub;dur, provider;dur), then this node's whole time:
        # the caller sees where an exchange's time went without reading three logs.
        total = f"node;dur={(time.perf_counter() - started) * 1000:.3f}"
        timing = f"{trace['server_timing']}, {total}" if trace.get("server_timing") else total
        body = json.dumps(document_to_json(doc), ensure_ascii=False).encode("utf-8")
        self._send(200, body, extra=(("Server-Timing", timing),))


def _printable(text: str) -> str:
    """A caller's text fit for one log line: printable ASCII, at most 64 characters."""
    return "".join(c if " " <= c <= "~" else "?" for c in text[:64])


class NodeHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default backlog of 5 drops connections when a hub with many threads
    # (or a burst of officers) connects at once; the SYN retry then costs a second.
    request_queue_size = 128

    def __init__(self, node: AgencyNode, host: str, port: int) -> None:
        self.node = node
        super().__init__((host, port), NodeHandler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else host
        return f"http://{host}:{port}"


def start_in_thread(server: ThreadingHTTPServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, name="node-http", daemon=True)
    thread.start()
    return thread
