"""The LINE webhook's acknowledgement under load (issue 21: ≥ 500 events/s on 2 cores).

    .venv/bin/python -m bench.line_webhook               # about 2 minutes; writes docs/benchmarks.md
    .venv/bin/python -m bench.line_webhook --seconds 10 --no-docs

Needs wrk (`apt-get install wrk`) and the local PostgreSQL. The portal is started by
`script/web` (Granian, production settings) on a scratch database `line_bench`; wrk posts
signed webhook bodies (each event a text message with a unique webhookEventId, as LINE sends
them) with 24 connections kept open, as LINE's servers do. What is measured is the
acknowledgement: the signature checked by the SDK, the events stored in one INSERT, one task
enqueued, 200. No task worker runs (the handling is the worker's, not the webhook's).
In the same run, the baseline: GET /healthz (the web stack and one `SELECT 1`) on the same
server. After each webhook run every acknowledged event is counted in the database. CPU per
event is read from /proc for the server's processes and PostgreSQL's.
"""

import argparse
import base64
import datetime as dt
import hashlib
import hmac
import json
import os
import platform
import re
import secrets
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = "line_bench"
DATABASE_URL = f"{SERVER}/{DB_NAME}"
PORT = 8767
VAR_DIR = Path("/tmp/line_bench_var")
DOCS = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- line:start -->", "<!-- line:end -->"
SECRET = secrets.token_hex(16)
WRK_THREADS = 2

ENV = {
    **os.environ,
    "DATABASE_URL": DATABASE_URL,
    "DJANGO_SETTINGS_MODULE": "citizeninfo.settings.production",
    "SECRET_KEY": "bench-" + secrets.token_urlsafe(60),
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "PUBLIC_BASE_URL": f"http://127.0.0.1:{PORT}",
    "CITIZENINFO_VAR_DIR": str(VAR_DIR),
    "DB_CONN_MAX_AGE": "600",
    "LOG_LEVEL": "WARNING",
    "LINE_CHANNEL_SECRET": SECRET,
    "LINE_CHANNEL_ACCESS_TOKEN": "bench-token",
}


def log(*args) -> None:
    print(*args, flush=True)


def fresh_database() -> None:
    (VAR_DIR / "static").mkdir(parents=True, exist_ok=True)
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    py = str(ROOT / ".venv" / "bin" / "python")
    subprocess.run([py, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=ENV, check=True)


def body(run: str, n: int, events: int) -> bytes:
    items = [
        {
            "type": "message",
            "mode": "active",
            "timestamp": 1764460800000 + n,
            "source": {"type": "user", "userId": f"U{hashlib.md5(str(n).encode()).hexdigest()}"},  # noqa: S324
            "webhookEventId": f"01BENCH{run}{n:012d}{k}",
            "deliveryContext": {"isRedelivery": False},
            "replyToken": secrets.token_hex(16),
            "message": {"id": str(n), "type": "text", "quoteToken": "q", "text": "ทำบัตรประชาชน"},
        }
        for k in range(events)
    ]
    return json.dumps({"destination": "Ubench", "events": items}, ensure_ascii=False).encode()


def bodies_file(count: int, events: int) -> Path:
    run = secrets.token_hex(3)
    path = VAR_DIR / f"bodies-{events}.txt"
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            raw = body(run, n, events)
            signature = base64.b64encode(hmac.new(SECRET.encode(), raw, hashlib.sha256).digest())
            out.write(f"{signature.decode()}\t{raw.decode()}\n")
    return path


def start_server(workers: int, threads: int) -> subprocess.Popen:
    env = {**ENV, "HOST": "127.0.0.1", "PORT": str(PORT), "WEB_WORKERS": str(workers),
           "WEB_THREADS": str(threads)}  # fmt: skip
    process = subprocess.Popen(
        [str(ROOT / "script" / "web")],
        cwd=ROOT,
        env=env,
        stderr=open(VAR_DIR / "web.log", "ab"),  # noqa: SIM115
        start_new_session=True,
    )
    probe = urllib.request.Request(
        f"http://127.0.0.1:{PORT}/healthz", headers={"X-Forwarded-Proto": "https"}
    )
    for _ in range(600):  # a loaded machine starts it slowly
        try:
            urllib.request.urlopen(probe, timeout=2)
            return process
        except Exception:  # noqa: BLE001
            time.sleep(0.2)
    stop_server(process)
    raise SystemExit(f"script/web did not start: see {VAR_DIR / 'web.log'}")


def stop_server(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def cpu_ticks() -> dict[str, int]:
    ticks = {"server": 0, "postgres": 0}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        used = int(fields[11]) + int(fields[12])
        if b"granian" in command and str(PORT).encode() in command:
            ticks["server"] += used
        elif name.startswith("postgres"):
            ticks["postgres"] += used
    return ticks


def stored_events() -> int:
    with psycopg.connect(DATABASE_URL) as conn:
        return conn.execute("SELECT count(*) FROM line_channel_webhookevent").fetchone()[0]


def settle() -> None:
    with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        conn.execute("CHECKPOINT")


def wrk(seconds: float, connections: int, *, bodies: Path | None, events: int = 1) -> dict:
    env = {**os.environ, "BENCH_MODE": "webhook" if bodies else "health",
           "BENCH_BODIES_FILE": str(bodies or ""), "BENCH_THREADS": str(WRK_THREADS)}  # fmt: skip
    before_events = stored_events() if bodies else 0
    before = cpu_ticks()
    result = subprocess.run(
        [
            "wrk",
            f"-t{WRK_THREADS}",
            f"-c{connections}",
            f"-d{seconds:.0f}s",
            "-s",
            str(ROOT / "bench" / "line_webhook.lua"),
            f"http://127.0.0.1:{PORT}/",
        ],  # fmt: skip
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    after = cpu_ticks()
    match = re.search(
        r"ok=(\d+) failed=(\d+) socket_errors=(\d+) seconds=([\d.]+) "
        r"p50_ms=([\d.]+) p95_ms=([\d.]+) p99_ms=([\d.]+)",
        result.stdout,
    )
    if match is None:
        raise SystemExit(f"wrk said:\n{result.stdout}\n{result.stderr}")
    ok, failed, errors = (int(match[i]) for i in (1, 2, 3))
    elapsed, p50, p95, p99 = (float(match[i]) for i in (4, 5, 6, 7))
    hz = os.sysconf("SC_CLK_TCK")
    units = max(ok * events, 1)
    out = {
        "requests": ok / elapsed,
        "rate": ok * events / elapsed,
        "ok": ok,
        "failed": failed,
        "errors": errors,
        "p50": p50,
        "p95": p95,
        "p99": p99,
        "cpu": {g: (after[g] - before[g]) / hz * 1000 / units for g in before},
    }
    if bodies:
        out["stored"] = stored_events() - before_events
        out["missing"] = max(0, ok * events - out["stored"])
    return out


def describe(result: dict, unit: str) -> str:
    text = (
        f"{result['rate']:,.0f} {unit}/s (p50 {result['p50']:.1f} ms, p95 {result['p95']:.1f} ms, "
        f"p99 {result['p99']:.1f} ms; CPU per {unit[:-1]}: server {result['cpu']['server']:.2f} "
        f"ms, PostgreSQL {result['cpu']['postgres']:.2f} ms)"
    )
    if result["failed"] or result["errors"]:
        text += f"; {result['failed']} failed, {result['errors']} socket errors"
    return text


def pg_version() -> str:
    with psycopg.connect(DATABASE_URL) as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--connections", type=int, default=24)
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    fresh_database()
    cores = os.cpu_count() or 2
    ceiling = int(args.seconds * 4000)
    one, five = bodies_file(ceiling, 1), bodies_file(ceiling // 2, 5)
    server = start_server(workers=cores, threads=4)
    try:
        wrk(3, args.connections, bodies=None)  # warm up the workers and their connections
        settle()
        health = wrk(args.seconds, args.connections, bodies=None)
        log("healthz", describe(health, "requests"))
        settle()
        single = wrk(args.seconds, args.connections, bodies=one)
        log("webhook, 1 event per request", describe(single, "events"), single["missing"])
        settle()
        batch = wrk(args.seconds, args.connections, bodies=five, events=5)
        log("webhook, 5 events per request", describe(batch, "events"), batch["missing"])
    finally:
        stop_server(server)
    if not args.no_docs:
        write_docs(args, cores, load, health, single, batch)


def write_docs(args, cores, load, health, single, batch) -> None:
    ratio = single["requests"] / health["requests"]
    verdict = "met" if single["rate"] >= 500 else "NOT met"
    section = f"""{START}
## LINE webhook (`bench/line_webhook.py`)

Run: `.venv/bin/python -m bench.line_webhook` on {dt.date.today().isoformat()}; {cores} cores, Python {platform.python_version()}, PostgreSQL {pg_version()} (local), production settings. The server: `script/web` (Granian, {cores} processes × 4 threads). The load: wrk ({WRK_THREADS} threads, {args.connections} connections kept open, as LINE's servers keep them), every request a signed webhook body with new webhookEventIds; wrk, the server and PostgreSQL share the same cores. No task worker runs: this is the acknowledgement (SDK signature check, one INSERT of the events with their user ids sealed, one task enqueued, 200). Load average when the run started: {load:.1f}.

| what (same run, {args.seconds:.0f} s each) | rate |
|---|---|
| baseline: the web stack alone, GET /healthz (one `SELECT 1`) | {describe(health, "requests")} |
| **POST /line/webhook, 1 event per request** | **{describe(single, "events")}** |
| POST /line/webhook, 5 events per request (LINE batches events when they come together) | {describe(batch, "events")} |

Target: ≥ 500 events/s acknowledged on 2 cores — **{verdict}** ({single["rate"]:,.0f} events/s with one event per request; {single["requests"] / 1:,.0f} requests/s is {ratio:.2f}× the /healthz baseline). Every acknowledged event was counted in the database afterwards: {single["missing"] + batch["missing"]} missing.
{END}"""
    text = DOCS.read_text()
    if START in text:
        text = text[: text.index(START)] + section + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    DOCS.write_text(text)
    log(f"wrote {DOCS}")


if __name__ == "__main__":
    main()
