"""Minimal keep-alive HTTP/1.1 client (stdlib only): one connection per host per thread.

Shared by the hub (forwarding to providers) and the agency node, so neither imports the
other."""

from __future__ import annotations

import http.client
import threading
from urllib.parse import urlsplit

MAX_BODY = 16 << 20


class HttpResponse(tuple[int, bytes]):
    """``(status, body)``, as callers unpack it, with the response ``headers`` attached
    (the hub's ``Server-Timing`` is relayed by the consumer node)."""

    headers: http.client.HTTPMessage | dict[str, str]

    def __new__(
        cls, status: int, body: bytes, headers: http.client.HTTPMessage | dict[str, str]
    ) -> HttpResponse:
        obj = super().__new__(cls, (status, body))
        obj.headers = headers
        return obj


class HttpClient:
    def __init__(self, timeout: float = 30.0) -> None:
        self.timeout = timeout
        self._local = threading.local()

    def _conn(self, scheme: str, netloc: str, fresh: bool) -> http.client.HTTPConnection:
        pool: dict[tuple[str, str], http.client.HTTPConnection] = self._local.__dict__.setdefault(
            "pool", {}
        )
        key = (scheme, netloc)
        if fresh and key in pool:
            pool.pop(key).close()
        if key not in pool:
            cls = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
            pool[key] = cls(netloc, timeout=self.timeout)
        return pool[key]

    def request(
        self,
        method: str,
        url: str,
        body: bytes | None = None,
        content_type: str = "application/json",
    ) -> HttpResponse:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise ValueError(f"unsupported URL scheme in {url!r}")
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {"Content-Type": content_type} if body is not None else {}
        for attempt in (0, 1):
            conn = self._conn(parts.scheme, parts.netloc, fresh=attempt == 1)
            try:
                conn.request(method, target or "/", body=body, headers=headers)
                resp = conn.getresponse()
                length = int(resp.headers.get("Content-Length") or 0)
                if length > MAX_BODY:
                    raise ValueError("response too large")
                data = resp.read(length) if length else resp.read(MAX_BODY)
                if resp.will_close:
                    conn.close()
                return HttpResponse(resp.status, data, resp.headers)
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A kept-alive connection the server already closed: retry once on a new one.
                conn.close()
                if attempt:
                    raise
            except BaseException:
                # Timeout or anything else mid-request: never leave a half-used connection in
                # the pool (the next request on it would fail with CannotSendRequest).
                self._drop(parts.scheme, parts.netloc)
                raise
        raise AssertionError("unreachable")

    def _drop(self, scheme: str, netloc: str) -> None:
        pool = self._local.__dict__.get("pool", {})
        conn = pool.pop((scheme, netloc), None)
        if conn is not None:
            conn.close()

    def post(self, url: str, body: bytes) -> HttpResponse:
        return self.request("POST", url, body)

    def get(self, url: str) -> HttpResponse:
        return self.request("GET", url)
