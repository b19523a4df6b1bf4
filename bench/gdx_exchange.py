"""GDX exchanges per second through the hub and two agency nodes on loopback.

    .venv/bin/python -m bench.gdx_exchange [--seconds 10] [--concurrency 8] [--workers 4]

Sets up a throw-away PostgreSQL database (`gdxbench`) and var directory, runs the hub under
gunicorn with production settings, a provider node serving padded documents (4 KB and
100 KB) and a consumer node; a thread pool drives the consumer node's POST /request.
Reports end-to-end exchanges/s, the hub's own added latency (Exchange.hub_ms: verify,
authorise, log, countersign, verify the answer, log; the provider's time excluded) p50/p95,
and in the same run the raw cryptography cost via gdx_protocol.bench_crypto.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
DB_URL = "postgres://postgres@127.0.0.1:5432/gdxbench"


class PaddedRegistry:
    """Provider data source answering any valid ID with a document of about ``size`` bytes."""

    document_types = ("person_record", "house_registration")

    def __init__(self, size: int = 4096) -> None:
        self.size = size

    def fetch(self, document_type: str, citizen_id: str) -> dict[str, Any]:
        return {"citizen_id": citizen_id, "blob": "x" * max(0, self.size - 40)}


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, seconds: float = 30) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer")


def _recreate_db() -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute("DROP DATABASE IF EXISTS gdxbench")
        c.execute("CREATE DATABASE gdxbench")


def _drive(url: str, token: str, citizen_id: str, seconds: float, concurrency: int) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    stop = time.monotonic() + seconds
    body = json.dumps(
        {
            "document_type": "person_record",
            "citizen_id": citizen_id,
            "purpose": "land-title-transfer",
            "officer": "bench-officer",
            "legal_basis": "bench",
        }
    ).encode()
    lock = threading.Lock()

    def worker() -> None:
        import http.client

        conn = http.client.HTTPConnection(url.split("//")[1], timeout=60)
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            conn.request(
                "POST",
                "/request",
                body=body,
                headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
            )
            resp = conn.getresponse()
            data = resp.read()
            dt = time.perf_counter() - t0
            with lock:
                if resp.status == 200:
                    latencies.append(dt * 1000)
                else:
                    errors.append(data[:200].decode("utf-8", "replace"))

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        "exchanges": len(latencies),
        "errors": len(errors),
        "first_error": errors[0] if errors else "",
        "per_second": round(len(latencies) / wall, 1),
        "e2e_p50_ms": round(statistics.median(latencies), 2) if latencies else None,
        "e2e_p95_ms": round(latencies[int(len(latencies) * 0.95) - 1], 2) if latencies else None,
    }


def _hub_latency(env: dict, since_id: int) -> tuple[dict, int]:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/gdxbench") as c:
        rows = c.execute(
            "SELECT id, hub_ms FROM exchange_exchange WHERE id > %s AND hub_ms IS NOT NULL "
            "ORDER BY hub_ms",
            (since_id,),
        ).fetchall()
        last = c.execute("SELECT coalesce(max(id), 0) FROM exchange_exchange").fetchone()[0]
    values = [r[1] for r in rows]
    if not values:
        return {}, last
    return {
        "hub_p50_ms": round(statistics.median(values), 2),
        "hub_p95_ms": round(values[int(len(values) * 0.95) - 1], 2),
    }, last


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args()

    from gdx_protocol.bench_crypto import measure_exchange

    _recreate_db()
    var = Path(tempfile.mkdtemp(prefix="gdxbench-"))
    hub_port, prov_port, cons_port = _port(), _port(), _port()
    env = {
        **os.environ,
        "DATABASE_URL": DB_URL,
        "CITIZENINFO_VAR_DIR": str(var),
        "PYTHONPATH": str(ROOT),
        "LOG_LEVEL": "WARNING",
    }
    dev = {**env, "DJANGO_SETTINGS_MODULE": "citizeninfo.settings.dev"}
    for cmd in (
        ["migrate", "--noinput", "-v", "0"],
        ["demo_data", "--once", "--force"],
        [
            "gdx_demo_setup",
            f"--hub-url=http://127.0.0.1:{hub_port}",
            f"--provider-port={prov_port}",
            f"--consumer-port={cons_port}",
        ],
    ):
        subprocess.run([PY, "manage.py", *cmd], cwd=ROOT, env=dev, check=True, capture_output=True)
    prod = {
        **env,
        "DJANGO_SETTINGS_MODULE": "citizeninfo.settings.production",
        "SECRET_KEY": "bench-" + "k" * 60,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "DB_CONN_MAX_AGE": "600",
    }
    procs = []
    log = open(var / "hub.log", "wb")  # noqa: SIM115
    procs.append(
        subprocess.Popen(
            [
                PY,
                "-m",
                "gunicorn",
                "citizeninfo.wsgi",
                "-b",
                f"127.0.0.1:{hub_port}",
                "--workers",
                str(args.workers),
                "--access-logfile",
                "-",
            ],
            cwd=ROOT,
            env=prod,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    )
    _wait(f"http://127.0.0.1:{hub_port}/healthz")
    results: list[dict] = []
    try:
        since = 0
        for size in (4096, 102400):
            nodes = []
            for member in ("dopa-bora", "dol-kkn"):
                cfg_path = var / "gdx-nodes" / f"{member}.json"
                cfg = json.loads(cfg_path.read_text())
                if member == "dopa-bora":
                    cfg["data_source"] = "bench.gdx_exchange:PaddedRegistry"
                    cfg["data_source_options"] = {"size": size}
                cfg_path.write_text(json.dumps(cfg))
                nodes.append(
                    subprocess.Popen(
                        [PY, "-m", "agency_node", "serve", "--config", str(cfg_path)],
                        cwd=ROOT,
                        env=env,
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                )
            _wait(f"http://127.0.0.1:{prov_port}/healthz")
            _wait(f"http://127.0.0.1:{cons_port}/healthz")
            token = json.loads((var / "gdx-nodes" / "dol-kkn.json").read_text())["local_token"]
            from agency_node.sample_provider import SampleCivilRegistry

            citizen = SampleCivilRegistry(seed=1, houses=1).citizen_ids()[0]
            # Warm up one at a time first: each node fetches the hub directory on its first
            # request, which needs a free hub worker while others wait on forwards.
            _drive(f"http://127.0.0.1:{cons_port}", token, citizen, 1, 1)
            _drive(f"http://127.0.0.1:{cons_port}", token, citizen, 2, args.concurrency)
            _, since = _hub_latency(env, 0)
            run = _drive(
                f"http://127.0.0.1:{cons_port}", token, citizen, args.seconds, args.concurrency
            )
            hub, since = _hub_latency(env, since)
            crypto = measure_exchange(size, 30)
            crypto_ms = crypto["total_mean_ms"]
            e2e_cost_ms = 1000 / run["per_second"] if run["per_second"] else None
            results.append(
                {
                    "document_bytes": size,
                    **run,
                    **hub,
                    "crypto_ms_per_exchange": crypto_ms,
                    "crypto_only_per_second_one_core": round(1000 / crypto_ms, 1),
                    "e2e_cost_over_crypto": round(e2e_cost_ms / crypto_ms, 2)
                    if e2e_cost_ms
                    else None,
                    "envelope_bytes": crypto["envelope_bytes"],
                }
            )
            for p in nodes:
                p.terminate()
                p.wait(10)
    finally:
        for p in procs:
            p.terminate()
            p.wait(10)
        log.close()
    print(json.dumps(results, indent=2))
    if not args.no_write:
        _write(results, args)


def _write(results: list[dict], args: argparse.Namespace) -> None:
    path = ROOT / "docs" / "benchmarks.md"
    start, end = "<!-- gdx-exchange:start -->", "<!-- gdx-exchange:end -->"
    lines = [
        start,
        "## GDX exchange (hub + two agency nodes on loopback)",
        "",
        f"`{PY.split('/')[-1]} -m bench.gdx_exchange --seconds {args.seconds:g} "
        f"--concurrency {args.concurrency} --workers {args.workers}` · "
        f"{datetime.now(UTC):%Y-%m-%d} · {os.cpu_count()} cores · Python {platform.python_version()} · "
        "hub: gunicorn sync workers, production settings, PostgreSQL 15 on the same machine; "
        "provider and consumer nodes: one `python -m agency_node serve` process each; default "
        "suite ML-KEM-768+X25519 / Ed25519.",
        "",
        "| document | exchanges/s | end-to-end p50 / p95 ms | hub added p50 / p95 ms | raw crypto ms/exchange (one core) | crypto-only exchanges/s (one core) | end-to-end cost ÷ crypto cost |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['document_bytes'] // 1024} KB | {r['per_second']} | {r['e2e_p50_ms']} / {r['e2e_p95_ms']} "
            f"| {r.get('hub_p50_ms')} / {r.get('hub_p95_ms')} | {r['crypto_ms_per_exchange']} "
            f"| {r['crypto_only_per_second_one_core']} | {r['e2e_cost_over_crypto']} |"
        )
    lines += [
        "",
        'Target: ≥ 300 exchanges/s end to end, hub p95 ≤ 10 ms. "Hub added" is the hub\'s own '
        "time per exchange (Exchange.hub_ms), excluding the wait for the provider node. The "
        "ratio divides the wall-clock cost per exchange (1 / throughput, all processes sharing "
        "2 cores) by the single-core cost of the cryptography alone.",
        end,
    ]
    block = "\n".join(lines)
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
