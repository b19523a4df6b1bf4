"""The drills' mixed national load, through nginx over TLS, remembering every acknowledged
write so a drill can prove none was lost.

A citizen's feedback answer is the write: acknowledged means the 302 to the thank-you page
(the citizen saw "thank you"); anything else is an error the citizen's page keeps to resend.
Each answer carries a unique comment (letters only: comments are masked for digits) and its
own device cookie, as a new phone would. The reads are the public pages the national load is
made of: the map and its clusters, near me, the Citizen's Manual search, the complaints list
and the open data page. GDX exchanges go through the demo consumer agency node, which asks
the hub (through nginx) for a document from the provider node; acknowledged means the node
answered 200 with the hub's request id, which the hub's audit log must then hold.
"""

import http.client
import json
import random
import secrets
import ssl
import string
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field

READS = [
    ("map", "/service-points/"),
    ("clusters", "/service-points/clusters.json?bbox=97.3,5.6,105.7,20.5&zoom=6"),
    ("near", "/service-points/near/?lat=18.79&lon=98.98"),
    ("manual", "/manual/?q=%E0%B8%9A%E0%B8%B1%E0%B8%95%E0%B8%A3"),
    ("complaints", "/complaints/"),
    ("opendata", "/opendata/"),
]
WRITE_SHARE = 0.4  # answers are the national load's largest single kind
GDX_SHARE = 0.05  # registry documents asked through an agency node (its own connection)


def letters(n: int) -> str:
    out = ""
    while True:
        n, r = divmod(n, 26)
        out = string.ascii_lowercase[r] + out
        if n == 0:
            return out


@dataclass
class Sample:
    at: float  # seconds since the load began
    kind: str
    ok: bool
    ms: float
    status: int

    @property
    def end(self) -> float:
        return self.at + self.ms / 1000


@dataclass
class Load:
    host: str
    port: int
    point_ids: list[int]
    tag: str
    threads: int = 8
    gdx: dict | None = None  # {"port", "token", "citizen_ids"} of the consumer node
    write_share: float = WRITE_SHARE
    gdx_share: float = GDX_SHARE
    samples: list[Sample] = field(default_factory=list)
    acked: list[str] = field(default_factory=list)
    gdx_acked: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _counter: int = 0

    def __post_init__(self) -> None:
        self.token = secrets.token_hex(16)  # a 32-character CSRF secret, cookie and field
        self.context = ssl.create_default_context()
        self.context.check_hostname = False
        self.context.verify_mode = ssl.CERT_NONE  # the cluster's self-signed certificate
        self.started = time.monotonic()

    def _next(self) -> int:
        with self._lock:
            self._counter += 1
            return self._counter

    def _answer(self, n: int) -> tuple[str, bytes, dict[str, str], str]:
        point = random.choice(self.point_ids)
        marker = f"drill{self.tag}{letters(n)}"
        body = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": self.token,
                "service": "other",
                "service_other": "",
                "overall": random.randint(1, 5),
                "process": random.randint(1, 5),
                "staff": random.randint(1, 5),
                "facilities": random.randint(1, 5),
                "outcome": random.randint(1, 5),
                "asked_for_copy": random.choice(["yes", "no", "no", "no"]),
                "comment": marker,
                "contact_name": "",
                "contact_email": "",
                "contact_phone": "",
                "website": "",
            }
        ).encode()
        origin = f"https://{self.host}:{self.port}"
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={self.token}; fb_device=dev{marker}",
            "Origin": origin,
            "Referer": f"{origin}/f/{point}/",
        }
        return f"/f/{point}/", body, headers, marker

    def _exchange(self) -> None:
        assert self.gdx is not None
        body = json.dumps(
            {
                "document_type": "person_record",
                "citizen_id": random.choice(self.gdx["citizen_ids"]),
                "purpose": "land-title-transfer",
                "officer": f"drill-{self.tag}",
                "legal_basis": "drill",
            }
        )
        headers = {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {self.gdx['token']}",
        }
        started = time.monotonic()
        status, request_id = 0, ""
        conn = http.client.HTTPConnection("127.0.0.1", self.gdx["port"], timeout=90)
        try:
            conn.request("POST", "/request", body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            status = response.status
            if status == 200:
                request_id = json.loads(data).get("request_id", "")
        except (OSError, http.client.HTTPException, ValueError):
            pass
        finally:
            conn.close()
        now = time.monotonic()
        with self._lock:
            ok = bool(request_id)
            self.samples.append(
                Sample(started - self.started, "gdx", ok, (now - started) * 1000, status)
            )
            if ok:
                self.gdx_acked.append(request_id)

    def _one(self, conn: http.client.HTTPSConnection) -> http.client.HTTPSConnection:
        if self.gdx and random.random() < self.gdx_share:
            self._exchange()
            return conn
        write = random.random() < self.write_share
        if write:
            path, body, headers, marker = self._answer(self._next())
            kind, method = "answer", "POST"
        else:
            kind, path = random.choice(READS)
            body, headers, marker, method = b"", {}, "", "GET"
        started = time.monotonic()
        status, location = 0, ""
        try:
            conn.request(method, path, body=body or None, headers=headers)
            response = conn.getresponse()
            response.read()
            status, location = response.status, response.getheader("Location", "")
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = self._connect()
        ok = ("/thanks/" in location and status == 302) if write else status == 200
        now = time.monotonic()
        with self._lock:
            self.samples.append(
                Sample(started - self.started, kind, ok, (now - started) * 1000, status)
            )
            if write and ok:
                self.acked.append(marker)
        return conn

    def _connect(self) -> http.client.HTTPSConnection:
        return http.client.HTTPSConnection(self.host, self.port, timeout=90, context=self.context)

    def run(self, seconds: float, *, events: list[tuple[float, object]] = ()) -> None:  # type: ignore[assignment]
        """Runs the load for `seconds`; each (at, callable) event runs at its time, in order,
        while the load goes on."""
        self.started = time.monotonic()
        deadline = self.started + seconds

        def client() -> None:
            conn = self._connect()
            while time.monotonic() < deadline:
                conn = self._one(conn)
            conn.close()

        workers = [threading.Thread(target=client, daemon=True) for _ in range(self.threads)]
        for w in workers:
            w.start()
        for at, action in sorted(events, key=lambda e: e[0]):
            delay = self.started + at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            action()  # type: ignore[operator]
        for w in workers:
            w.join()

    # --- figures --------------------------------------------------------------------------
    def summary(self, start: float = 0, end: float = 1e9) -> dict:
        """Requests whose answer came (or failed) between start and end."""
        window = [s for s in self.samples if start <= s.end < end]
        errors = [s for s in window if not s.ok]
        return {
            "requests": len(window),
            "errors": len(errors),
            "error_rate": len(errors) / len(window) if window else 0.0,
            "statuses": dict(Counter(s.status for s in errors)),
            "answers_acked": sum(1 for s in window if s.kind == "answer" and s.ok),
        }

    def first_ok_write_after(self, t: float) -> float | None:
        times = [s.end for s in self.samples if s.kind == "answer" and s.ok and s.at >= t]
        return min(times) if times else None

    def last_ok_write_before(self, t: float) -> float | None:
        times = [s.end for s in self.samples if s.kind == "answer" and s.ok and s.end < t]
        return max(times) if times else None
