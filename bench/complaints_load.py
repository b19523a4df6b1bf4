"""Complaints filed over HTTP, on PostgreSQL with the production settings and web server.

    .venv/bin/python -m bench.complaints_load                 # about 2 minutes; writes docs
    .venv/bin/python -m bench.complaints_load --seconds 10 --no-docs

    # with the code before a change as the baseline, in the same run (about 3 minutes):
    rm -rf /tmp/old && mkdir /tmp/old && git archive <commit> | tar -x -C /tmp/old
    ln -s "$PWD/.venv" /tmp/old/.venv
    .venv/bin/python -m bench.complaints_load --baseline /tmp/old --baseline-label <commit>

Needs wrk (`apt-get install wrk`): written in C, it leaves the cores to the server and
PostgreSQL, and its own CPU per request is reported so it can be seen not to be the limit.

In one run, against a scratch database `complaints_load` (dropped and made again) holding
`--existing` complaints, with the portal started by `script/web` (Granian, production
settings) on 127.0.0.1:8766:
1. `complaint_submit` called directly in `--baseline-processes` processes (no HTTP): the
   service's own rate and CPU per complaint.
2. GET /healthz (one `SELECT 1`): the web stack alone, same server and load.
3. POST /complaints/new/ from wrk: every request a new citizen (own device cookie and network
   address) filing the usual complaint (no photo, no email) at a place on Thai land; a
   success is the 302 to the private follow page. Afterwards every acknowledged complaint is
   checked to be stored. CPU per complaint is read from /proc for the server's processes and
   the scratch database's PostgreSQL backends (not PostgreSQL's shared background writers,
   nor other databases' load), and from the kernel's accounting for wrk.
"""

import argparse
import datetime as dt
import functools
import multiprocessing
import os
import platform
import random
import re
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = "complaints_load"
DATABASE_URL = f"{SERVER}/{DB_NAME}"
PORT = 8766
VAR_DIR = Path("/tmp/complaints_load_var")
DOCS = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- complaints-load:start -->", "<!-- complaints-load:end -->"
TOKEN = secrets.token_hex(16)  # a 32-character CSRF secret, sent as cookie and form field

ENV = {
    **os.environ,
    "DATABASE_URL": DATABASE_URL,
    "DJANGO_SETTINGS_MODULE": "citizeninfo.settings.production",
    "SECRET_KEY": "bench-" + secrets.token_urlsafe(60),
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "PUBLIC_BASE_URL": f"http://127.0.0.1:{PORT}",
    "CITIZENINFO_VAR_DIR": str(VAR_DIR),
    "CLIENT_IP_META": "HTTP_X_REAL_IP",
    "DB_CONN_MAX_AGE": "600",
    "LOG_LEVEL": "WARNING",
}
os.environ.update({k: v for k, v in ENV.items() if k != "PATH"})

import django  # noqa: E402

django.setup()

from django.db import connections  # noqa: E402


def log(*args) -> None:
    print(*args, flush=True)


# --- setup ------------------------------------------------------------------------------
def fresh_database(existing: int) -> None:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    py = str(ROOT / ".venv" / "bin" / "python")
    subprocess.run([py, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=ENV, check=True)
    if not (VAR_DIR / "static" / "staticfiles.json").exists():
        subprocess.run(
            [py, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=ENV,
            check=True,
        )
    with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
        # Earlier complaints, so the limits and the nearby check read a table of some size.
        conn.execute(
            """
            INSERT INTO complaints_complaint (reference, follow_token, category_id, routing,
              description, description_public, latitude, longitude, province_code,
              reporter_name, name_public, reporter_email, reporter_phone, state, deadline,
              created_at, state_changed_at, reopen_count, supporters, text_hidden, held,
              source, device_hash, network_hash)
            SELECT 'CR-2568-' || lpad(g::text, 7, '0'), md5(g::text) || md5((g * 3)::text),
              (SELECT min(id) FROM complaints_category), 'fallback', 'x', 'x',
              6 + random() * 14, 98 + random() * 7, '10', '', false, '', '', 'fixed',
              current_date, now() - random() * interval '365 days', now(), 0, 0, false,
              false, 'web', md5((g * 5)::text) || md5((g * 7)::text),
              md5((g * 11)::text) || md5((g * 13)::text)
            FROM generate_series(1, %s) AS g""",
            (existing,),
        )
        conn.execute("VACUUM ANALYZE complaints_complaint")


def places_file(count: int = 5_000) -> Path:
    """Places on Thai land, with room around each for the wrk script's ±0.002° of jitter."""
    from service_points import geo

    rng = random.Random(12)
    found: list[tuple[float, float]] = []
    while len(found) < count:
        lat, lon = rng.uniform(6, 20.4), rng.uniform(97.4, 105.6)
        corners = [(lat + a, lon + b) for a in (-0.003, 0.003) for b in (-0.003, 0.003)]
        if geo.in_thailand(lat, lon) and all(geo.in_thailand(*c) for c in corners):
            found.append((lat, lon))
    path = VAR_DIR / "places.txt"
    path.write_text("".join(f"{lat:.6f} {lon:.6f}\n" for lat, lon in found))
    return path


def category_ids() -> list[int]:
    with psycopg.connect(DATABASE_URL) as conn:
        rows = conn.execute("SELECT id FROM complaints_category WHERE is_active").fetchall()
    return [row[0] for row in rows]


def forget_filed() -> None:
    """Removes what wrk filed, so each run starts from the same table (the nearby offers
    depend on it); the limits' counters are keyed by run, which differs anyway."""
    time.sleep(1)  # requests still in flight when wrk stopped
    with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
        conn.execute(
            "WITH filed AS (SELECT id FROM complaints_complaint WHERE description LIKE 'wrk-%%'),"
            " events AS (DELETE FROM complaints_complaintevent"
            " WHERE complaint_id IN (SELECT id FROM filed))"
            " DELETE FROM complaints_complaint WHERE id IN (SELECT id FROM filed)"
        )


def settle() -> None:
    """Vacuum and checkpoint now rather than in the middle of the next phase."""
    with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE complaints_complaint, complaints_complaintevent")
        conn.execute("CHECKPOINT")


# --- baseline: the service without HTTP --------------------------------------------------
def _service_worker(args) -> tuple[int, float]:
    seconds, places, seed = args
    from complaints import selectors, services

    connections.close_all()
    rng = random.Random(seed)
    categories = list(selectors.categories_offered().values())
    services.complaint_submit(  # warm: holidays, the boundary, the prepared statement
        category=categories[0], description="warm", latitude=13.75, longitude=100.5
    )
    done, cpu = 0, time.process_time()
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        lat, lon = rng.choice(places)
        services.complaint_submit(
            category=rng.choice(categories),
            description=f"svc-{seed}-{done} ไฟฟ้าดับ",
            latitude=lat + (rng.random() - 0.5) * 0.004,
            longitude=lon + (rng.random() - 0.5) * 0.004,
            device_token=f"svc-{seed}-{done}",
            ip=f"10.{seed}.{done // 256 % 256}.{done % 256}",
        )
        done += 1
    connections.close_all()
    return done, time.process_time() - cpu


def service_rate(seconds: float, processes: int, places: list) -> tuple[float, float]:
    """(complaints/s, CPU ms per complaint in the callers) over `processes` processes."""
    connections.close_all()
    ctx = multiprocessing.get_context("fork")
    started = time.perf_counter()
    with ctx.Pool(processes) as pool:
        results = pool.map(_service_worker, [(seconds, places, 100 + i) for i in range(processes)])
    elapsed = time.perf_counter() - started
    done = sum(n for n, _cpu in results)
    return done / max(elapsed - 0.05, seconds), 1000 * sum(c for _n, c in results) / max(done, 1)


# --- the server and wrk ------------------------------------------------------------------
def start_server(workers: int | None, threads: int | None, root: Path = ROOT) -> subprocess.Popen:
    """`script/web` of the code at `root`, with its own defaults unless workers or threads
    are given."""
    env = {**ENV, "HOST": "127.0.0.1", "PORT": str(PORT)}
    env.pop("WEB_WORKERS", None)
    env.pop("WEB_THREADS", None)
    if workers:
        env["WEB_WORKERS"] = str(workers)
    if threads:
        env["WEB_THREADS"] = str(threads)
    process = subprocess.Popen(
        [str(root / "script" / "web")],
        cwd=root,
        env=env,
        stderr=open(VAR_DIR / "granian.log", "ab"),  # noqa: SIM115
        start_new_session=True,  # its workers too are stopped with the process group
    )
    probe = urllib.request.Request(
        f"http://127.0.0.1:{PORT}/healthz", headers={"X-Forwarded-Proto": "https"}
    )
    for _ in range(150):
        try:
            urllib.request.urlopen(probe, timeout=2)  # noqa: S310
            return process
        except Exception:  # noqa: BLE001
            time.sleep(0.2)
    stop_server(process)
    raise SystemExit(f"the server did not start: see {VAR_DIR / 'granian.log'}")


def stop_server(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _backends() -> set[int]:
    """PostgreSQL's processes serving the scratch database (not other databases' load)."""
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", (DB_NAME,)
        ).fetchall()
    return {row[0] for row in rows}


def _ticks(pid: int) -> tuple[int, int]:
    """(process group, user + system CPU ticks so far) of a process, (0, 0) if gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0, 0
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[2]), int(fields[11]) + int(fields[12])


def _cpu_ticks(server: int, backends: set[int]) -> dict[str, int]:
    """CPU ticks used so far by the web server's processes (its process group) and by the
    scratch database's PostgreSQL backends."""
    used = {"server": 0, "postgres": 0}
    for pid in map(int, filter(str.isdigit, os.listdir("/proc"))):
        group, ticks = _ticks(pid)
        if group == server:
            used["server"] += ticks
    used["postgres"] = sum(_ticks(pid)[1] for pid in backends)
    return used


def _stored() -> int:
    with psycopg.connect(DATABASE_URL) as conn:
        return conn.execute(
            "SELECT count(*) FROM complaints_complaint WHERE description LIKE 'wrk-%%'"
        ).fetchone()[0]


RESULT = re.compile(
    r"ok=(\d+) nearby=(\d+) failed=(\d+) socket_errors=(\d+) seconds=([\d.]+) "
    r"p50_ms=([\d.]+) p95_ms=([\d.]+) p99_ms=([\d.]+)"
)


def wrk(
    server: int, places: Path, categories: list[int], seconds: float, connections: int, mode: str
) -> dict:
    """One wrk run; for complaints, also counts what was stored."""
    env = {
        **os.environ,
        "BENCH_PLACES_FILE": str(places),
        "BENCH_CATEGORIES": ",".join(map(str, categories)),
        "BENCH_TOKEN": TOKEN,
        "BENCH_ORIGIN": f"https://127.0.0.1:{PORT}",
        "BENCH_RUN": str(random.randint(1, 20_000)),
        "BENCH_MODE": mode,
    }
    stored_before = _stored()
    backends = _backends()
    ticks_before = _cpu_ticks(server, backends)
    client_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds:.0f}s"]
    command += ["-s", str(ROOT / "bench" / "complaints_wrk.lua"), f"http://127.0.0.1:{PORT}/"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    client_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    new_backends = _backends() - backends  # connections opened during the run start at 0
    ticks_after = _cpu_ticks(server, backends | new_backends)
    match = RESULT.search(result.stdout)
    if match is None:
        raise SystemExit(f"wrk said:\n{result.stdout}\n{result.stderr}")
    ok, nearby, failed, socket_errors = (int(match[i]) for i in (1, 2, 3, 4))
    elapsed, p50, p95, p99 = (float(match[i]) for i in (5, 6, 7, 8))
    hz = os.sysconf("SC_CLK_TCK")
    cpu = {k: (ticks_after[k] - ticks_before[k]) / hz * 1000 / max(ok, 1) for k in ticks_before}
    client = (client_after.ru_utime + client_after.ru_stime) - (
        client_before.ru_utime + client_before.ru_stime
    )
    cpu["client"] = client * 1000 / max(ok + nearby + failed, 1)
    stored = _stored() - stored_before
    return {
        "rate": ok / elapsed,
        "ok": ok,
        "nearby": nearby,
        "failed": failed,
        "socket_errors": socket_errors,
        "p50": p50,
        "p95": p95,
        "p99": p99,
        "cpu": cpu,
        "missing": max(0, ok - stored) if mode == "complaint" else 0,
    }


def describe(result: dict) -> str:
    cpu = result["cpu"]
    text = (
        f"{result['rate']:,.0f}/s (p50 {result['p50']:.1f} ms, p95 {result['p95']:.1f} ms, "
        f"p99 {result['p99']:.1f} ms; CPU per request: server {cpu['server']:.2f} ms, "
        f"PostgreSQL {cpu['postgres']:.2f} ms, wrk {cpu['client']:.2f} ms)"
    )
    if result["nearby"]:
        text += f"; {result['nearby']} offered nearby complaints instead (200)"
    if result["failed"] or result["socket_errors"]:
        text += f"; {result['failed']} failed, {result['socket_errors']} socket errors"
    return text


# --- report -----------------------------------------------------------------------------
def write_docs(text: str) -> None:
    current = DOCS.read_text()
    block = f"{START}\n{text.rstrip()}\n{END}"
    if START in current and END in current:
        current = re.sub(
            re.escape(START) + ".*?" + re.escape(END), lambda _m: block, current, flags=re.S
        )
    else:
        current = current.rstrip() + "\n\n" + block + "\n"
    DOCS.write_text(current)


def report(args, load_average, service: tuple[float, float], runs: dict) -> str:
    with psycopg.connect(DATABASE_URL) as conn:
        pg_version = conn.execute("SHOW server_version").fetchone()[0]
    main = runs["complaint"]
    return "\n".join(
        [
            "### Filing over HTTP (`bench/complaints_load.py`)",
            "",
            f"Run: `.venv/bin/python -m bench.complaints_load` on {dt.date.today():%Y-%m-%d}; "
            f"{os.cpu_count()} cores, Python {platform.python_version()}, PostgreSQL "
            f"{pg_version} (local, `synchronous_commit = on`), production settings, "
            f"{args.existing:,} complaints already stored. Server: `script/web` (Granian, "
            f"{args.workers or 'one process per core'} × {args.threads or 4} threads"
            f"{'' if args.workers or args.threads else ', its defaults'}). Load: wrk, "
            f"{args.connections} connections kept open, every request a new citizen's "
            "complaint (no photo, no email) at a place on Thai land; wrk, the server and "
            "PostgreSQL share the machine. Load average when the run started: "
            f"{load_average[0]:.1f}.",
            "",
            "| what (same run) | rate |",
            "|---|---|",
            f"| `complaint_submit()` without HTTP, {args.baseline_processes} processes | "
            f"{service[0]:,.0f}/s ({service[1]:.2f} ms CPU per complaint in the callers) |",
            f"| the web stack alone: GET /healthz | {describe(runs['health'])} |",
            f"| **complaints over HTTP: POST /complaints/new/ acknowledged with 302** "
            f"({args.seconds:.0f} s) | **{describe(main)}** |",
            *(
                [
                    f"| baseline: the same filing, same server settings, served by the code "
                    f"in `{args.baseline}` ({args.baseline_label}) | {describe(runs['baseline'])}"
                    f"; the code measured above is **{main['rate'] / runs['baseline']['rate']:.2f}×"
                    "** this |"
                ]
                if "baseline" in runs
                else []
            ),
            "",
            f"Target: ≥ 500 complaints/s over HTTP — "
            f"**{'met' if main['rate'] >= 500 else 'NOT met'}** ({main['rate']:,.0f}/s). "
            f"Acknowledged complaints missing from the database afterwards: {main['missing']}.",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--connections", type=int, default=24)
    parser.add_argument("--workers", type=int, default=None, help="default: script/web's")
    parser.add_argument("--threads", type=int, default=None, help="default: script/web's")
    parser.add_argument(
        "--baseline",
        type=Path,
        default=None,
        help="another checkout of the code (with .venv linked in) whose server files the same "
        "complaints in the same run, for the ratio",
    )
    parser.add_argument("--baseline-label", default="", help="what --baseline is, for the docs")
    parser.add_argument("--baseline-processes", type=int, default=4)
    parser.add_argument("--existing", type=int, default=200_000)
    parser.add_argument("--no-docs", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is the load generator: apt-get install wrk")
    load_average = os.getloadavg()
    log(f"load average before the run: {load_average}")
    log(f"scratch database {DB_NAME}: migrating, {args.existing:,} complaints")
    fresh_database(args.existing)
    places = places_file()
    place_list = [tuple(map(float, line.split())) for line in places.read_text().splitlines()]
    categories = category_ids()
    settle()
    service = service_rate(args.seconds / 2, args.baseline_processes, place_list)
    log(f"complaint_submit() without HTTP: {service[0]:,.0f}/s, {service[1]:.2f} ms CPU each")
    runs: dict[str, dict] = {}
    server = start_server(args.workers, args.threads)
    try:
        run = functools.partial(wrk, server.pid, places, categories)
        run(3, args.connections, "complaint")  # warm-up: connections, caches, prepared plans
        forget_filed()
        settle()
        runs["health"] = run(args.seconds / 2, args.connections, "health")
        log(f"GET /healthz: {describe(runs['health'])}")
        settle()
        runs["complaint"] = run(args.seconds, args.connections, "complaint")
        log(f"complaints: {describe(runs['complaint'])}; missing {runs['complaint']['missing']}")
    finally:
        stop_server(server)
    if args.baseline:
        server = start_server(args.workers, args.threads, args.baseline.resolve())
        try:
            run = functools.partial(wrk, server.pid, places, categories)
            run(3, args.connections, "complaint")
            forget_filed()
            settle()
            runs["baseline"] = run(args.seconds, args.connections, "complaint")
            log(f"baseline server: {describe(runs['baseline'])}")
        finally:
            stop_server(server)
    text = report(args, load_average, service, runs)
    log("\n" + text)
    if not args.no_docs:
        write_docs(text)
        log(f"written to {DOCS}")
    if not args.keep:
        connections.close_all()
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


if __name__ == "__main__":
    sys.exit(main())
