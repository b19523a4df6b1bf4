"""A local stand-in of LINE's Messaging API (reply, push, profile, content, rich menu, link
token), started by the tests on a free port; it records every request it gets."""

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Call:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class StandIn:
    calls: list[Call] = field(default_factory=list)
    contents: dict[str, bytes] = field(default_factory=dict)
    language: str = "th"
    fail: dict[str, int] = field(default_factory=dict)  # path prefix → status to answer
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def sent(self, kind: str) -> list[Call]:
        """Requests to /v2/bot/message/<kind> ("reply" or "push")."""
        return [c for c in self.calls if c.path == f"/v2/bot/message/{kind}"]

    def answer(self, method: str, path: str) -> tuple[int, bytes, str]:
        for prefix, status in self.fail.items():
            if path.startswith(prefix):
                return status, b'{"message":"refused by the stand-in"}', "application/json"
        if method == "GET" and (match := re.fullmatch(r"/v2/bot/message/(\w+)/content", path)):
            if match.group(1) in self.contents:
                return 200, self.contents[match.group(1)], "image/jpeg"
            return 404, b'{"message":"Not found"}', "application/json"
        if method == "GET" and (match := re.fullmatch(r"/v2/bot/profile/(\w+)", path)):
            profile = {"displayName": "ทดสอบ", "userId": match.group(1), "language": self.language}
            return 200, json.dumps(profile).encode(), "application/json"
        if method == "POST" and (match := re.fullmatch(r"/v2/bot/user/(\w+)/linkToken", path)):
            token = f"linktoken{len(self.calls)}{match.group(1)[-6:]}"
            return 200, json.dumps({"linkToken": token}).encode(), "application/json"
        if path == "/v2/bot/richmenu":
            return 200, b'{"richMenuId":"richmenu-%d"}' % len(self.calls), "application/json"
        if path.startswith("/v2/bot/message/"):
            return 200, b'{"sentMessages":[{"id":"1","quoteToken":"q"}]}', "application/json"
        return 200, b"{}", "application/json"


def start() -> StandIn:
    standin = StandIn()

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            standin.calls.append(Call(self.command, self.path, dict(self.headers), body))
            status, payload, content_type = standin.answer(self.command, self.path)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:  # noqa: N802 - stdlib naming
            self._handle()

        def do_POST(self) -> None:  # noqa: N802 - stdlib naming
            self._handle()

        def log_message(self, *args) -> None:
            pass

    standin.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=standin.server.serve_forever, daemon=True).start()
    return standin
