"""Minimal keep-alive HTTP/1.1 client (stdlib only): one connection per host per thread.

Shared by the hub (forwarding to providers) and the agency node, so neither imports the
other. It writes each request in one ``sendall`` and reads the answer from one buffered
reader per connection, parsing only the status line, the header lines and the body's
framing (``Content-Length``, ``chunked``, or until the server closes): ``http.client``
built a reader and ran ``email.parser`` for every answer, which cost about as much CPU as
the request's whole handling by the node that answered it (ADR 0134).
"""

from __future__ import annotations

import socket
import ssl
import threading
from typing import BinaryIO
from urllib.parse import SplitResult, urlsplit

MAX_BODY = 16 << 20
MAX_LINE = 65536
MAX_HEADERS = 100


class HttpProtocolError(ConnectionError):
    """The server's answer is not HTTP/1.x as this client reads it (an OSError: callers
    treat it as an unreachable peer)."""


class _ClosedBeforeAnswerError(HttpProtocolError):
    """The connection closed before an answer's first byte (a kept-alive connection the
    server had closed: the request may be sent again on a new one)."""


class Headers(dict[str, str]):
    """Response headers by lower-case name; ``get`` and ``[]`` take any case."""

    def get(self, name: str, default: str | None = None) -> str | None:  # type: ignore[override]
        return super().get(name.lower(), default)

    def __getitem__(self, name: str) -> str:
        return super().__getitem__(name.lower())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and super().__contains__(name.lower())


class HttpResponse(tuple[int, bytes]):
    """``(status, body)``, as callers unpack it, with the response ``headers`` attached
    (the hub's ``Server-Timing`` is relayed by the consumer node)."""

    headers: Headers

    def __new__(cls, status: int, body: bytes, headers: Headers) -> HttpResponse:
        obj = super().__new__(cls, (status, body))
        obj.headers = headers
        return obj


class _Connection:
    def __init__(self, scheme: str, netloc: str, timeout: float) -> None:
        parts = urlsplit(f"{scheme}://{netloc}")
        host = parts.hostname or ""
        port = parts.port or (443 if scheme == "https" else 80)
        sock = socket.create_connection((host, port), timeout=timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if scheme == "https":
            context = ssl.create_default_context()  # verifies, as http.client does
            context.set_alpn_protocols(["http/1.1"])
            sock = context.wrap_socket(sock, server_hostname=host)
        self.sock = sock
        self.file: BinaryIO = sock.makefile("rb")
        self.used = False

    def close(self) -> None:
        for closing in (self.file.close, self.sock.close):
            try:
                closing()
            except OSError:
                pass


def _line(file: BinaryIO) -> bytes:
    line = file.readline(MAX_LINE + 1)
    if len(line) > MAX_LINE:
        raise HttpProtocolError("header line too long")
    return line


def _read_head(file: BinaryIO) -> tuple[int, str, Headers]:
    """Status line and headers; 1xx interim answers are skipped."""
    while True:
        status_line = _line(file)
        if not status_line:
            raise _ClosedBeforeAnswerError("the server closed the connection without answering")
        version, _, rest = status_line.decode("latin-1").rstrip("\r\n").partition(" ")
        code = rest[:3]
        if not version.startswith("HTTP/1.") or not code.isdigit() or rest[3:4] not in ("", " "):
            raise HttpProtocolError(f"bad status line {status_line[:40]!r}")
        headers = Headers()
        for _ in range(MAX_HEADERS + 1):
            line = _line(file)
            if line in (b"\r\n", b"\n", b""):
                break
            name, colon, value = line.decode("latin-1").partition(":")
            if not colon or not name or name != name.strip() or line[:1] in (b" ", b"\t"):
                raise HttpProtocolError("bad header line")
            key, value = name.lower(), value.strip()
            dict.__setitem__(headers, key, f"{headers[key]}, {value}" if key in headers else value)
        else:
            raise HttpProtocolError("too many headers")
        if not 100 <= int(code) < 200:
            return int(code), version, headers


def _read_exact(file: BinaryIO, n: int) -> bytes:
    data = file.read(n)
    if len(data) != n:
        raise HttpProtocolError("the answer ended early")
    return data


def _read_chunked(file: BinaryIO) -> bytes:
    parts: list[bytes] = []
    total = 0
    while True:
        size_text = _line(file).split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise HttpProtocolError("bad chunk size") from None
        if size == 0:
            while _line(file) not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return b"".join(parts)
        total += size
        if total > MAX_BODY:
            raise ValueError("response too large")
        parts.append(_read_exact(file, size))
        if _line(file) not in (b"\r\n", b"\n"):
            raise HttpProtocolError("bad chunk end")


def _read_body(file: BinaryIO, method: str, status: int, headers: Headers) -> tuple[bytes, bool]:
    """The body, and whether it was framed (False: it ran until the server closed)."""
    if method == "HEAD" or status in (204, 304):
        return b"", True
    if "chunked" in (headers.get("Transfer-Encoding") or "").lower():
        return _read_chunked(file), True
    length_text = headers.get("Content-Length")
    if length_text is not None:
        if not length_text.isdigit():
            raise HttpProtocolError("bad Content-Length")
        length = int(length_text)
        if length > MAX_BODY:
            raise ValueError("response too large")
        return _read_exact(file, length), True
    data = file.read(MAX_BODY + 1)
    if len(data) > MAX_BODY:
        raise ValueError("response too large")
    return data, False


def _message(
    method: str, url: str, parts: SplitResult, body: bytes | None, content_type: str
) -> bytes:
    """The whole request, for one ``sendall``; URLs that cannot be sent as is are refused."""
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"unsupported URL {url!r}")
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if any(c in target or c in parts.netloc for c in " \r\n"):
        raise ValueError(f"unsupported URL {url!r}")
    head = f"{method} {target} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
    if body is not None:
        head += f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
    return head.encode("ascii") + b"\r\n" + (body or b"")


def _keeps_alive(version: str, headers: Headers) -> bool:
    connection = (headers.get("Connection") or "").lower()
    if "close" in connection:
        return False
    return version != "HTTP/1.0" or "keep-alive" in connection


class HttpClient:
    def __init__(self, timeout: float = 30.0) -> None:
        self.timeout = timeout
        self._local = threading.local()

    def _conn(self, scheme: str, netloc: str, fresh: bool) -> _Connection:
        pool: dict[tuple[str, str], _Connection] = self._local.__dict__.setdefault("pool", {})
        key = (scheme, netloc)
        if fresh and key in pool:
            pool.pop(key).close()
        if key not in pool:
            pool[key] = _Connection(scheme, netloc, self.timeout)
        return pool[key]

    def request(
        self,
        method: str,
        url: str,
        body: bytes | None = None,
        content_type: str = "application/json",
    ) -> HttpResponse:
        parts = urlsplit(url)
        message = _message(method, url, parts, body, content_type)
        for attempt in (0, 1):
            conn = self._conn(parts.scheme, parts.netloc, fresh=attempt == 1)
            reused = conn.used
            try:
                conn.sock.sendall(message)
                conn.used = True
                status, version, headers = _read_head(conn.file)
                data, framed = _read_body(conn.file, method, status, headers)
            except (_ClosedBeforeAnswerError, ConnectionResetError, BrokenPipeError):
                # A kept-alive connection the server had already closed: retry once on a
                # new one. A new connection that closes unanswered is an error.
                self._drop(parts.scheme, parts.netloc)
                if attempt or not reused:
                    raise
                continue
            except BaseException:
                # Timeout or anything else mid-request: never leave a half-used connection in
                # the pool (the next request on it would read this one's answer).
                self._drop(parts.scheme, parts.netloc)
                raise
            if not (framed and _keeps_alive(version, headers)):
                self._drop(parts.scheme, parts.netloc)
            return HttpResponse(status, data, headers)
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
