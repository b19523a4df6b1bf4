"""In-memory stand-in for the Django hub's exchange endpoints (tests only).

Does what the real hub must: verify the consumer's request, log metadata in
the Merkle audit log, countersign and forward to the provider, verify the
provider's outer signature and that the response answers the request, log,
relay.  It never holds a key that could open a citizen ID or document.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from gdx_protocol import (
    InMemoryDirectory,
    InMemoryReplayCache,
    SigningKey,
    audit_leaf,
    hub_forward_request,
    sign_directory,
    verify_request,
    verify_response_envelope,
)
from gdx_protocol.directory import HubKey
from gdx_protocol.errors import GdxError
from gdx_protocol.http_client import HttpClient
from gdx_protocol.merkle import MerkleTree, TreeHead, leaf_hash
from gdx_protocol.sth import sign_tree_head


class FakeHub:
    def __init__(self) -> None:
        self.key = SigningKey.generate()
        self.directory = InMemoryDirectory()
        self.log = MerkleTree()
        self.leaves: list[bytes] = []
        self.replay = InMemoryReplayCache()
        self.http = HttpClient(10)
        self.serial = 0
        self.lock = threading.Lock()
        self.seen_bodies: list[bytes] = []
        self.forwards: list[
            bytes
        ] = []  # what it sent to providers (a dishonest one replays)  # everything that crossed the hub, for leak checks

    @property
    def anchor(self) -> HubKey:
        return HubKey.from_signing_key(self.key)

    def _append(self, leaf: bytes) -> int:
        with self.lock:
            self.leaves.append(leaf)
            return self.log.append(leaf)

    def _log_request(self, leaf: bytes) -> int:
        return self._append(leaf)

    def inclusion_answer(self, index: int) -> tuple[int, bytes]:
        """GET /gdx/log/inclusion's status and body; 400 for an index the log does not
        hold, as the real hub answers."""
        with self.lock:
            held = 0 <= index < len(self.leaves)
        if not held:
            return 400, b'{"error":"proof","message":"leaf index outside tree"}'
        return 200, json.dumps(self.inclusion(index)).encode()

    def inclusion(self, index: int) -> dict[str, Any]:
        """GET /gdx/log/inclusion?index=: the proof against a fresh signed tree head."""
        with self.lock:
            size = len(self.log)
            proof = self.log.inclusion_proof(index, size)
            root = self.log.root(size)
            leaf = self.leaves[index]
        head = TreeHead(tree_size=size, root_hash=root, timestamp_ms=int(time.time() * 1000))
        return {
            "leaf_index": index,
            "tree_size": size,
            "leaf_hash": leaf_hash(leaf).hex(),
            "proof": [p.hex() for p in proof],
            "sth": sign_tree_head(self.key, head),
        }

    def directory_document(self) -> bytes:
        with self.lock:
            self.serial += 1
            serial = self.serial
        return sign_directory(
            self.directory.members(), self.key, serial=serial, issued_at=int(time.time()), ttl=600
        )

    def exchange(self, body: bytes) -> tuple[int, bytes]:
        self.seen_bodies.append(body)
        now = int(time.time())
        env = verify_request(body, self.directory, now=now, replay_cache=self.replay)
        h = env.header
        index = self._log_request(audit_leaf("request", h, at=now, envelope_digest=env.digest))
        endpoint = self.directory.get_member(h.provider).endpoint
        fwd = hub_forward_request(env, self.key, hub_id="gdx-hub", log_index=index, now=now)
        self.forwards.append(fwd)
        status, resp = self.http.post(endpoint + "/gdx/answer", fwd)
        self.seen_bodies.append(resp)
        if status != 200:
            self._append(
                audit_leaf(
                    "refused", h, at=now, envelope_digest=env.digest, extra={"status": status}
                )
            )
            return status, resp
        rh = verify_response_envelope(resp, self.directory, request=h, request_digest=env.digest)
        self._append(
            audit_leaf(
                "response",
                rh,
                at=int(time.time()),
                envelope_digest=hashlib.sha256(resp).hexdigest(),
            )
        )
        return 200, resp


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FakeHubServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def _send(self, status: int, body: bytes, timing: str = "") -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if timing:
            self.send_header("Server-Timing", timing)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802
        if self.path == "/gdx/directory":
            self._send(200, self.server.hub.directory_document())
        elif self.path.startswith("/gdx/log/inclusion?index="):
            self._send(*self.server.hub.inclusion_answer(int(self.path.rsplit("=", 1)[1])))
        else:
            self._send(404, b'{"error":"not_found"}')

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path != "/gdx/exchange":
            self._send(404, b'{"error":"not_found"}')
            return
        try:
            status, resp = self.server.hub.exchange(body)
        except GdxError as exc:
            status, resp = 400, json.dumps(exc.to_dict()).encode()
        self._send(status, resp, getattr(self.server.hub, "server_timing", ""))


class FakeHubServer(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver listens with a backlog of 5: a burst of officers would see resets.
    request_queue_size = 128

    def __init__(self, hub: FakeHub) -> None:
        self.hub = hub
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"
