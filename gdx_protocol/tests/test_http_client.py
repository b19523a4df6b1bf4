"""The nodes' and the hub's HTTP client against a scripted server: framing, keep-alive,
retries and refusals (ADR 0134: it replaced http.client on the exchange path)."""

from __future__ import annotations

import socket
import threading
from collections import deque

import pytest

from gdx_protocol.http_client import MAX_BODY, HttpClient


class Scripted:
    """A loopback server that reads each request and writes the next scripted answer
    (bytes), or closes the connection when the script says ``"close"``."""

    def __init__(self, answers: list[bytes | str]) -> None:
        self.answers = deque(answers)
        self.requests: list[bytes] = []
        self.connections = 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._talk, args=(conn,), daemon=True).start()

    def _talk(self, conn: socket.socket) -> None:
        reader = conn.makefile("rb")
        with conn:
            while self.answers:
                head = b""
                while not head.endswith(b"\r\n\r\n"):
                    line = reader.readline()
                    if not line:
                        return
                    head += line
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                self.requests.append(head + reader.read(length))
                answer = self.answers.popleft()
                if answer == "close":
                    return
                assert isinstance(answer, bytes)
                conn.sendall(answer)
                if (
                    b"Connection: close" in answer
                    or b"Content-Length" not in answer.split(b"\r\n\r\n")[0]
                    and b"chunked" not in answer
                ):
                    return

    def close(self) -> None:
        self.sock.close()


def ok(body: bytes = b"{}", extra: str = "") -> bytes:
    return f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n{extra}\r\n".encode() + body


@pytest.fixture
def client():
    return HttpClient(5)


def test_a_request_is_sent_whole_and_the_connection_kept(client):
    server = Scripted([ok(b'{"a":1}'), ok(b'{"b":2}')])
    assert client.post(server.url + "/gdx/answer", b'{"x":1}') == (200, b'{"a":1}')
    assert client.get(server.url + "/healthz?x=1") == (200, b'{"b":2}')
    assert server.connections == 1
    first, second = server.requests
    assert first.startswith(b"POST /gdx/answer HTTP/1.1\r\nHost: 127.0.0.1:")
    assert b"Content-Length: 7\r\n" in first and first.endswith(b'\r\n\r\n{"x":1}')
    assert second.startswith(b"GET /healthz?x=1 HTTP/1.1\r\n") and b"Content-Length" not in second


def test_headers_are_read_in_any_case_and_repeated_ones_joined(client):
    server = Scripted([ok(extra="server-timing: hub;dur=1\r\nSERVER-TIMING: provider;dur=2\r\n")])
    answer = client.get(server.url + "/")
    assert answer.headers.get("Server-Timing") == "hub;dur=1, provider;dur=2"
    assert answer.headers["server-timing"] == answer.headers.get("SERVER-TIMING")
    assert "Content-Length" in answer.headers and answer.headers.get("X-None") is None


def test_a_chunked_answer_with_trailers(client):
    chunked = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"4\r\nWiki\r\n6;ext=1\r\npedia \r\n0\r\nX-Trailer: y\r\n\r\n"
    )
    server = Scripted([chunked, ok(b"next")])
    assert client.get(server.url + "/") == (200, b"Wikipedia ")
    assert client.get(server.url + "/") == (200, b"next")
    assert server.connections == 1


def test_interim_answers_are_skipped(client):
    server = Scripted([b"HTTP/1.1 100 Continue\r\n\r\n" + ok(b"done")])
    assert client.post(server.url + "/", b"x") == (200, b"done")


def test_connection_close_and_unframed_answers_are_not_reused(client):
    server = Scripted(
        [ok(b"one", "Connection: close\r\n"), b"HTTP/1.1 200 OK\r\n\r\nuntil close", ok(b"three")]
    )
    assert client.get(server.url + "/") == (200, b"one")
    assert client.get(server.url + "/") == (200, b"until close")
    assert client.get(server.url + "/") == (200, b"three")
    assert server.connections == 3


def test_a_kept_alive_connection_the_server_closed_is_retried_once(client):
    server = Scripted([ok(b"first"), "close", ok(b"again")])
    assert client.get(server.url + "/") == (200, b"first")
    assert client.post(server.url + "/", b"body") == (200, b"again")
    assert server.connections == 2
    assert server.requests[1] == server.requests[2]  # the same request, sent again


def test_a_new_connection_closed_unanswered_is_an_error(client):
    server = Scripted(["close", ok()])
    with pytest.raises(ConnectionError):
        client.get(server.url + "/")


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (b"HTTX/1.1 200 OK\r\n\r\n", ConnectionError),
        (b"HTTP/1.1 2x0 OK\r\n\r\n", ConnectionError),
        (b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", ConnectionError),
        (b"HTTP/1.1 200 OK\r\n folded: value\r\n\r\n", ConnectionError),
        (b"HTTP/1.1 200 OK\r\nX: " + b"a" * 70_000 + b"\r\n\r\n", ConnectionError),
        (b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", ConnectionError),
        (f"HTTP/1.1 200 OK\r\nContent-Length: {MAX_BODY + 1}\r\n\r\n".encode(), ValueError),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\nConnection: close\r\n\r\nshort",
            ConnectionError,
        ),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", ConnectionError),
    ],
)
def test_malformed_answers_are_refused_and_the_connection_dropped(client, answer, error):
    server = Scripted([answer, ok(b"fine")])
    with pytest.raises(error):
        client.get(server.url + "/")
    assert client.get(server.url + "/") == (200, b"fine")  # on a new connection
    assert server.connections == 2


@pytest.mark.parametrize(
    "url", ["ftp://127.0.0.1/x", "http:///x", "http://127.0.0.1/a b", "http://127.0.0.1/a\r\nX: y"]
)
def test_urls_that_cannot_be_sent_as_is_are_refused(client, url):
    with pytest.raises(ValueError):
        client.get(url)


def test_an_unreachable_server_is_an_os_error(client):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens once closed
    with pytest.raises(OSError):
        client.get(f"http://127.0.0.1:{port}/")
