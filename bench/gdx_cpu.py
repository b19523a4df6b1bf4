"""CPU per GDX exchange of each party, in one process: steady figures on a busy machine.

    .venv/bin/python -m bench.gdx_cpu [--exchanges 600] [--lag 300] [--database gdxcpu]
        [--witnesses 3]

The real hub (Django's WSGI application from ``citizeninfo.wsgi``, production settings,
PostgreSQL) and two real agency nodes (``AgencyNode``: certified keys, witnessed directory,
padding, persistent replay caches, the sampled audit-log check) run in this process; HTTP
between them is replaced by direct calls, so no party waits for another and each one's CPU
is measured with ``time.thread_time`` around its own part:

* ``consumer``: the consumer node's ``request`` (seal, sign; verify and open the answer)
  and the JSON it answers its officer with;
* ``hub``: the whole WSGI call of ``POST /gdx/exchange`` without the provider's part;
* ``provider``: the provider node answering the forward;
* ``hub log proofs``: the hub serving the providers' audit-log checks (T18), one forward in
  16; each check runs ``--lag`` exchanges after its answer (the node waits two seconds,
  about 600 exchanges at 300/s);
* ``postgres``: the CPU of the hub's database backend (from /proc).

Unlike ``bench.gdx_exchange`` it leaves out the HTTP servers and clients, and nothing
queues for the two cores, so before/after comparisons hold on a loaded machine. Run it
from another checkout (``git archive <commit> | tar -x -C /tmp/old``, then
``cd /tmp/old && python -m bench.gdx_cpu`` with this file copied in) to compare commits.
"""

from __future__ import annotations

import argparse
import collections
import io
import json
import os
import sys
import tempfile
import time
import types
from pathlib import Path
from typing import Any

import agency_node.node
from agency_node.config import NodeConfig
from agency_node.node import AgencyNode, document_to_json
from agency_node.sample_provider import SampleCivilRegistry
from bench.gdx_exchange import (
    ROOT,
    PaddedRegistry,
    _cosign,
    _recreate_db,
    _witness_json,
    _witness_keys,
)

PY = sys.executable


class Clock:
    """CPU time of this thread, charged to whichever party is running."""

    def __init__(self) -> None:
        self.spent: collections.Counter[str] = collections.Counter()
        self.stack = ["bench"]
        self.mark = time.thread_time()

    def enter(self, party: str) -> None:
        self._charge()
        self.stack.append(party)

    def leave(self) -> None:
        self._charge()
        self.stack.pop()

    def _charge(self) -> None:
        now = time.thread_time()
        self.spent[self.stack[-1]] += now - self.mark
        self.mark = now


class InProcessHttp:
    """What a node's HttpClient does, as a direct call of the hub's WSGI application."""

    def __init__(self, app: Any, clock: Clock) -> None:
        self.app = app
        self.clock = clock

    def request(self, method: str, url: str, body: bytes | None = None) -> tuple[int, bytes]:
        path, _, query = url.split("//", 1)[1].partition("/")[2].partition("?")
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": "/" + path,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "HTTP_HOST": "127.0.0.1",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body or b"")),
            "wsgi.input": io.BytesIO(body or b""),
            "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": "http",
        }
        status: list[str] = []
        self.clock.enter("hub" if path == "gdx/exchange" else "hub log proofs")
        try:
            out = b"".join(self.app(environ, lambda s, h, *a: status.append(s)))
        finally:
            self.clock.leave()
        return int(status[0].split()[0]), out

    def get(self, url: str) -> tuple[int, bytes]:
        return self.request("GET", url)

    def post(self, url: str, body: bytes) -> tuple[int, bytes]:
        return self.request("POST", url, body)


def _setup(database: str, witnesses: int) -> tuple[Path, list[Any]]:
    """A throw-away database with the demo network, as bench.gdx_exchange makes it."""
    import subprocess

    _recreate_db()
    var = Path(tempfile.mkdtemp(prefix="gdxcpu-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
        "CITIZENINFO_VAR_DIR": str(var),
        "DJANGO_SETTINGS_MODULE": "citizeninfo.settings.dev",
    }
    for cmd in (
        ["migrate", "--noinput", "-v", "0"],
        ["demo_data", "--once", "--force"],
        ["gdx_demo_setup", "--hub-url=http://127.0.0.1:8000"],
    ):
        subprocess.run([PY, "manage.py", *cmd], cwd=ROOT, env=env, check=True, capture_output=True)
    keys = _witness_keys(witnesses)
    os.environ.update(
        {
            "DATABASE_URL": env["DATABASE_URL"],
            "CITIZENINFO_VAR_DIR": str(var),
            "DJANGO_SETTINGS_MODULE": "citizeninfo.settings.production",
            "SECRET_KEY": "bench-" + "k" * 60,
            "ALLOWED_HOSTS": "127.0.0.1",
            "PUBLIC_BASE_URL": "http://127.0.0.1:8000",
            "SECURE_SSL_REDIRECT": "0",
            "DB_CONN_MAX_AGE": "600",
            "LOG_LEVEL": "WARNING",
            "GDX_WITNESSES": json.dumps(_witness_json(keys)),
        }
    )
    return var, keys


def _nodes(var: Path, keys: list[Any], http: InProcessHttp) -> tuple[Any, Any]:

    nodes = []
    for member in ("dopa-bora", "dol-kkn"):
        path = var / "gdx-nodes" / f"{member}.json"
        cfg = json.loads(path.read_text())
        if keys:
            cfg["witnesses"] = _witness_json(keys)
            cfg["witness_quorum"] = len(keys) // 2 + 1
        path.write_text(json.dumps(cfg))
        config = NodeConfig.load(path)
        config.directory_refresh = 10**6  # no background refresh thread during the run
        source = PaddedRegistry(4096) if member == "dopa-bora" else None
        node = AgencyNode(config, source)
        node.http = http
        node._log_checker = object()  # no checker thread: Run.one runs the checks itself
        nodes.append(node)
    return nodes[0], nodes[1]


def _backend_cpu() -> float:
    from django.db import connection  # lazy: cli

    pid = connection.connection.info.backend_pid
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Run:
    def __init__(self, provider: Any, consumer: Any, clock: Clock, citizen: str, lag: int):
        self.provider, self.consumer, self.clock = provider, consumer, clock
        self.citizen, self.lag = citizen, lag
        self.count = 0
        self.pending: collections.deque[tuple[int, tuple[int, bytes, str]]] = collections.deque()

    def answer(self, url: str, body: bytes) -> tuple[int, bytes]:
        self.clock.enter("provider")
        try:
            return 200, self.provider.answer(body)
        finally:
            self.clock.leave()

    def one(self) -> None:
        self.clock.enter("consumer")
        doc = self.consumer.request(
            document_type="person_record",
            citizen_id=self.citizen,
            purpose="land-title-transfer",
            officer="bench-officer",
            legal_basis="bench",
        )
        json.dumps(document_to_json(doc), ensure_ascii=False).encode()
        self.clock.leave()
        self.count += 1
        checks = self.provider._log_checks
        while not checks.empty():
            check = checks.get()
            self.pending.append((self.count, (check.log_index, check.leaf, check.request_id)))
            checks.task_done()
        while self.pending and self.pending[0][0] <= self.count - self.lag:
            index, leaf, request_id = self.pending.popleft()[1]
            self.clock.enter("provider")
            if not self.provider.check_logged(index, leaf, request_id):
                raise SystemExit(f"audit-log check failed for {request_id}")
            self.clock.leave()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--exchanges", type=int, default=600, help="measured exchanges")
    parser.add_argument(
        "--lag", type=int, default=300, help="exchanges between an answer and its log check"
    )
    parser.add_argument("--database", default="gdxcpu", help="throw-away PostgreSQL database")
    parser.add_argument("--witnesses", type=int, default=3, help="directory witnesses (0 = none)")
    args = parser.parse_args()
    import bench.gdx_exchange as gx  # lazy: cli

    gx.DB_NAME[0] = args.database
    var, keys = _setup(args.database, args.witnesses)
    import django  # lazy: cli

    django.setup()
    from citizeninfo.wsgi import application  # lazy: cli
    from exchange import services  # lazy: cli

    clock = Clock()
    http = InProcessHttp(application, clock)
    if keys:
        hub_keys = json.loads((var / "gdx-nodes" / "dol-kkn.json").read_text())["hub_keys"]
        _cosign(keys, "http://127.0.0.1:8000", hub_keys, var, http=http)
    provider, consumer = _nodes(var, keys, http)
    ticks = [0]

    def every_nth(n: int) -> int:  # the 1-in-16 sample, deterministic
        ticks[0] += 1
        return 0 if ticks[0] % n == 0 else 1

    agency_node.node.secrets = types.SimpleNamespace(randbelow=every_nth)  # type: ignore[assignment]
    run = Run(
        provider, consumer, clock, SampleCivilRegistry(seed=1, houses=1).citizen_ids()[0], args.lag
    )
    services._post = run.answer  # the hub forwards to the provider node in-process
    for _ in range(args.lag + 50):
        run.one()
    clock.spent.clear()
    pg0, t0 = _backend_cpu(), time.process_time()
    for _ in range(args.exchanges):
        run.one()
    total = time.process_time() - t0
    n = args.exchanges
    result = {party: round(s * 1000 / n, 3) for party, s in sorted(clock.spent.items())}
    result["postgres"] = round((_backend_cpu() - pg0) * 1000 / n, 3)
    result["process"] = round(total * 1000 / n, 3)
    print(json.dumps({"exchanges": n, "lag": args.lag, "cpu_ms_per_exchange": result}))


if __name__ == "__main__":
    main()
