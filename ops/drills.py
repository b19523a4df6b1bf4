"""`script/cluster drill [web|failover|restore|redis|tasks|all]`: each drill breaks one part
of the running cluster under load, checks that nothing acknowledged was lost, exits non-zero
when a check fails, and writes its figures into docs/operations.md.
"""

import argparse
import json
import os
import re
import secrets
import shutil
import subprocess
import time
from collections.abc import Callable

import psycopg

from agency_node.sample_provider import SampleCivilRegistry
from ops import cluster, procs, render
from ops.layout import ROOT, Layout
from ops.load import Load
from ops.procs import ClusterError

DOCS = ROOT / "docs" / "operations.md"
FAILOVER_LIMIT_S = 60


def check(ok: bool, message: str, failures: list[str]) -> None:
    print(("  ok    " if ok else "  FAIL  ") + message, flush=True)
    if not ok:
        failures.append(message)


def primary_port(layout: Layout) -> int:
    return layout.pg_port(layout.state()["primary"])


def published_points(layout: Layout, limit: int = 500) -> list[int]:
    rows = cluster.sql(
        primary_port(layout),
        "SELECT id FROM service_points_servicepoint WHERE status = 'published' ORDER BY id LIMIT %s",
        (limit,),
        dbname="citizeninfo",
    )
    if not rows:
        raise ClusterError(
            "no published service point to answer about: run `script/cluster up` first"
        )
    return [r[0] for r in rows]


def stored_markers(port: int, tag: str) -> dict[str, tuple[int, int]]:
    """Each drill answer stored: (rows, rows counted as accepted)."""
    rows = cluster.sql(
        port,
        "SELECT comment, count(*), count(*) FILTER (WHERE status = 'accepted') "
        "FROM feedback_response WHERE comment LIKE %s GROUP BY comment",
        (f"drill{tag}%",),
        dbname="citizeninfo",
    )
    return {r[0]: (r[1], r[2]) for r in rows}


def check_no_loss(load: Load, port: int, failures: list[str]) -> dict:
    stored = stored_markers(port, load.tag)
    lost = [m for m in load.acked if m not in stored]
    # An answer whose commit was in flight when the primary died can be retried by the app
    # on a new connection (ADR 0044): the copy is held for review as a duplicate, never
    # counted twice. Counted twice would be a failure.
    doubled = [m for m, (_, counted) in stored.items() if counted > 1]
    held = [m for m, (n, counted) in stored.items() if n > 1 and counted <= 1]
    if held:
        print(
            f"  info  {len(held)} answers retried across the failure: the copy held as a duplicate"
        )
    check(not lost, f"{len(load.acked)} acknowledged answers, {len(lost)} lost", failures)
    check(not doubled, f"{len(doubled)} answers counted twice", failures)
    logged = logged_exchanges(port, load.gdx_acked)
    gdx_lost = [r for r in load.gdx_acked if r not in logged]
    check(
        not gdx_lost,
        f"{len(load.gdx_acked)} acknowledged GDX exchanges, {len(gdx_lost)} missing from the hub's audit log",
        failures,
    )
    return {
        "acked": len(load.acked),
        "stored": len(stored),
        "lost": len(lost),
        "doubled": len(doubled),
        "held": len(held),
        "gdx_acked": len(load.gdx_acked),
        "gdx_lost": len(gdx_lost),
    }


def logged_exchanges(port: int, request_ids: list[str]) -> set[str]:
    if not request_ids:
        return set()
    rows = cluster.sql(
        port,
        "SELECT DISTINCT request_id::text FROM exchange_auditlogleaf WHERE request_id = ANY(%s::uuid[])",
        (request_ids,),
        dbname="citizeninfo",
    )
    return {r[0] for r in rows}


def gdx_target(layout: Layout) -> dict | None:
    """The consumer node's address, its local token and citizens the provider knows."""
    nodes = layout.app_var / "gdx-nodes"
    try:
        consumer = json.loads((nodes / f"{cluster.GDX_NODES[1]}.json").read_text())
        provider = json.loads((nodes / f"{cluster.GDX_NODES[0]}.json").read_text())
    except FileNotFoundError:
        return None
    if not procs.port_open(consumer["listen_port"]):
        return None
    registry = SampleCivilRegistry(**provider.get("data_source_options", {}))
    return {
        "port": consumer["listen_port"],
        "token": consumer["local_token"],
        "citizen_ids": registry.citizen_ids()[:50],
    }


def new_load(layout: Layout, tag: str) -> Load:
    threads = int(os.environ.get("DRILL_THREADS", "6"))
    return Load(
        "127.0.0.1",
        layout.ports.https,
        published_points(layout),
        tag,
        threads=threads,
        gdx=gdx_target(layout),
    )


def fmt_rate(summary: dict) -> str:
    return f"{summary['errors']}/{summary['requests']} ({summary['error_rate']:.2%})"


# --- 1. a web node stops --------------------------------------------------------------------
def drill_web(layout: Layout, seconds: float) -> dict:
    failures: list[str] = []
    tag = "w" + secrets.token_hex(3)
    load = new_load(layout, tag)
    kill_at, back_at = seconds * 0.3, seconds * 0.75
    print(
        f"drill web: {seconds:.0f} s of mixed load; web1 killed (SIGKILL) at {kill_at:.0f} s, back at {back_at:.0f} s"
    )
    load.run(
        seconds,
        events=[
            (kill_at, lambda: procs.stop("web1", layout.pids, sig=9, seconds=5)),
            (back_at, lambda: cluster.web_start(layout, "web1", layout.ports.web[0])),
        ],
    )
    procs.wait_for_port(layout.ports.web[0], seconds=60, what="web1")
    before = load.summary(0, kill_at)
    switch = load.summary(kill_at, kill_at + 5)
    one_node = load.summary(kill_at + 5, back_at)
    after = load.summary(back_at, seconds)
    loss = check_no_loss(load, primary_port(layout), failures)
    check(before["error_rate"] == 0, f"two nodes before: errors {fmt_rate(before)}", failures)
    check(
        one_node["error_rate"] == 0,
        f"one node (after the switch): errors {fmt_rate(one_node)}",
        failures,
    )
    check(after["requests"] > 0, f"web1 back: errors {fmt_rate(after)}", failures)
    print(f"  info  the 5 s after the kill: errors {fmt_rate(switch)} {switch['statuses']}")
    return {
        "failures": failures,
        "rows": [
            ("two nodes", fmt_rate(before)),
            ("first 5 s after web1 was killed", f"{fmt_rate(switch)} {switch['statuses'] or ''}"),
            ("one node", fmt_rate(one_node)),
            ("web1 restarted", fmt_rate(after)),
            (
                "answers acknowledged / lost / counted twice / retried copy held as duplicate",
                f"{loss['acked']} / {loss['lost']} / {loss['doubled']} / {loss['held']}",
            ),
            (
                "GDX exchanges acknowledged / missing from the audit log",
                f"{loss['gdx_acked']} / {loss['gdx_lost']}",
            ),
        ],
    }


# --- 2. the primary stops -------------------------------------------------------------------
def promote(layout: Layout) -> tuple[str, str]:
    """Promote the replica and send PgBouncer's pools there. Returns (new primary, old)."""
    state = layout.state()
    old, new = state["primary"], state["replica"]
    procs.pg_ctl("promote", "-w", "-t", "60", "-D", str(layout.pg_data(new)))
    port = layout.pg_port(new)
    cluster.pgbouncer_repoint(layout, primary_port=port, replica_port=port)
    layout.save_state(primary=new, replica=old)
    return new, old


def drill_failover(layout: Layout, seconds: float) -> dict:
    failures: list[str] = []
    tag = "f" + secrets.token_hex(3)
    load = new_load(layout, tag)
    old = layout.state()["primary"]
    kill_at = seconds * 0.3
    marks: dict[str, float] = {}

    def kill_primary() -> None:
        cluster.pg_stop(layout, old, mode="immediate")  # a crash: no shutdown checkpoint
        marks["killed"] = time.monotonic() - load.started  # the primary is gone from here
        new, _ = promote(layout)
        marks["promoted"] = time.monotonic() - load.started
        marks["new"] = new  # type: ignore[assignment]

    print(
        f"drill failover: {seconds:.0f} s of mixed load; primary {old} stopped (immediate) at {kill_at:.0f} s"
    )
    load.run(seconds, events=[(kill_at, kill_primary)])
    new = str(marks["new"])
    first = load.first_ok_write_after(marks["killed"])
    last = load.last_ok_write_before(marks["killed"])
    to_writes = (first - marks["killed"]) if first is not None else None
    during = load.summary(marks["killed"], (first or seconds))
    loss = check_no_loss(load, layout.pg_port(new), failures)
    check(
        to_writes is not None and to_writes <= FAILOVER_LIMIT_S,
        f"writes accepted again {to_writes:.1f} s after the primary stopped (limit {FAILOVER_LIMIT_S} s)"
        if to_writes is not None
        else "writes never accepted again",
        failures,
    )
    workers = [w for w in cluster.WORKERS if procs.read_pid(layout.pids / f"{w}.pid") is not None]
    alive = all(w in workers for w in cluster.WORKERS)
    check(alive, f"task workers running after the failover: {', '.join(workers)}", failures)
    print(
        f"  info  promotion and PgBouncer repoint took {marks['promoted'] - marks['killed']:.1f} s"
    )
    print(f"  info  rebuilding {old} as the new replica of {new}")
    rebuilt = time.monotonic()
    cluster.clone_replica(layout, primary=new, replica=old)
    cluster.pgbouncer_repoint(
        layout, primary_port=layout.pg_port(new), replica_port=layout.pg_port(old)
    )
    rebuild_s = time.monotonic() - rebuilt
    return {
        "failures": failures,
        "rows": [
            (
                "primary stopped (immediate) → replica promoted, PgBouncer repointed",
                f"{marks['promoted'] - marks['killed']:.1f} s",
            ),
            (
                "primary stopped → first acknowledged answer sent after it",
                f"{to_writes:.1f} s" if to_writes is not None else "never",
            ),
            (
                "last answer acknowledged before the stop",
                f"{last:.1f} s into the run" if last else "none",
            ),
            ("errors until writes came back", f"{fmt_rate(during)} {during['statuses'] or ''}"),
            ("errors over the whole run", fmt_rate(load.summary())),
            (
                "answers acknowledged / lost / counted twice / retried copy held as duplicate",
                f"{loss['acked']} / {loss['lost']} / {loss['doubled']} / {loss['held']}",
            ),
            (
                "GDX exchanges acknowledged / missing from the audit log",
                f"{loss['gdx_acked']} / {loss['gdx_lost']}",
            ),
            (
                "old primary rebuilt as the replica (pg_basebackup), synchronous again",
                f"{rebuild_s:.1f} s",
            ),
            ("primary now", f"{new} (port {layout.pg_port(new)})"),
        ],
    }


# --- 3. point-in-time restore ---------------------------------------------------------------
def snapshot(layout: Layout, port: int) -> dict:
    """Row counts of every table and the GDX log's tree head, computed from its leaves."""
    env = cluster.app_env_for(layout, port)
    out = subprocess.run(  # noqa: S603
        [cluster.PY, "-m", "ops.snapshot"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise ClusterError(f"snapshot of port {port} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout)


def restore_scratch(layout: Layout, *, target_time: str) -> float:
    backups = sorted(p for p in layout.backups.iterdir() if (p / "base.tar.gz").exists())
    if not backups:
        raise ClusterError("no base backup: run `script/cluster backup`")
    scratch = layout.scratch
    if procs.pg_running(scratch):
        procs.pg_ctl("stop", "-m", "immediate", "-D", str(scratch))
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(mode=0o700)
    procs.chown_postgres(scratch)
    started = time.monotonic()
    procs.run(
        procs.as_postgres(["tar", "-xzf", str(backups[-1] / "base.tar.gz"), "-C", str(scratch)])
    )
    conf = scratch / "cluster.conf"
    conf.write_text(conf.read_text() + render.recovery_conf(layout, target_time=target_time))
    (scratch / "recovery.signal").touch()
    (scratch / "standby.signal").unlink(missing_ok=True)
    for path in (conf, scratch / "recovery.signal"):
        procs.chown_postgres(path)
    procs.pg_ctl(
        "start", "-w", "-t", "300", "-D", str(scratch), "-l", str(layout.pg_logs / "scratch.log")
    )
    deadline = time.monotonic() + 300
    while cluster.sql(layout.ports.scratch, "SELECT pg_is_in_recovery()")[0][0]:
        if time.monotonic() > deadline:
            raise ClusterError(
                f"the scratch cluster is still recovering; see {layout.pg_logs}/scratch.log"
            )
        time.sleep(0.5)
    return time.monotonic() - started


def drill_restore(layout: Layout, seconds: float) -> dict:
    failures: list[str] = []
    port = primary_port(layout)
    before = snapshot(layout, port)
    target = cluster.sql(port, "SELECT clock_timestamp()::text")[0][0]
    time.sleep(1.0)
    # Written after the target time: the restored copy must not have them.
    tag = "r" + secrets.token_hex(3)
    load = new_load(layout, tag)
    load.threads = 2
    load.run(3)
    later = len(load.acked)
    cluster.sql(port, "SELECT pg_switch_wal()")
    wait_archived(layout, port)
    print(f"drill restore: base backup + WAL archive → scratch cluster at {target}")
    took = restore_scratch(layout, target_time=target)
    after = snapshot(layout, layout.ports.scratch)
    differing = {
        t: (before["counts"][t], after["counts"].get(t))
        for t in before["counts"]
        if before["counts"][t] != after["counts"].get(t)
    }
    check(
        not differing,
        f"row counts of {len(before['counts'])} tables equal ({sum(before['counts'].values())} rows)",
        failures,
    )
    for table, (a, b) in list(differing.items())[:10]:
        print(f"        {table}: original {a}, restored {b}")
    check(
        before["log"] == after["log"]
        and after["log"]["root_hash"] != "leaves missing"
        and "NOT" not in after["log"]["signed"],
        f"GDX log tree head equal: size {before['log']['tree_size']}, root {before['log']['root_hash'][:16]}…, the hub's newest signed head: {after['log']['signed']}",
        failures,
    )
    leaked = stored_markers(layout.ports.scratch, tag)
    check(
        not leaked and later > 0,
        f"{later} answers written after the target time are not in the copy",
        failures,
    )
    procs.pg_ctl("stop", "-w", "-m", "fast", "-D", str(layout.scratch))
    shutil.rmtree(layout.scratch, ignore_errors=True)
    return {
        "failures": failures,
        "rows": [
            ("restore target (recovery_target_time)", target),
            ("base backup extracted + WAL replayed to the target", f"{took:.1f} s"),
            (
                "tables compared / rows",
                f"{len(before['counts'])} / {sum(before['counts'].values())}",
            ),
            ("tables differing", str(len(differing))),
            (
                "GDX log tree size / root hash",
                f"{before['log']['tree_size']} / {before['log']['root_hash'][:16]}… (recomputed from the restored leaves)",
            ),
            (
                "the hub's newest signed tree head, against the restored leaves",
                str(after["log"]["signed"]),
            ),
            (
                "answers written after the target, absent from the copy",
                f"{later - len(leaked)} of {later}",
            ),
        ],
    }


def wait_archived(layout: Layout, port: int, seconds: float = 60) -> None:
    wal = cluster.sql(port, "SELECT pg_walfile_name(pg_current_wal_lsn())")[0][0]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        last = cluster.sql(port, "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver")[0][
            0
        ]
        if last and last[-16:] >= wal[-16:] and last[:8] <= wal[:8]:
            return
        if any(
            p.name.startswith(wal[:8]) and p.name[-16:] >= wal[-16:]
            for p in layout.archive.iterdir()
        ):
            return
        time.sleep(0.3)
    raise ClusterError(f"WAL segment before {wal} was not archived in {seconds:.0f} s")


# --- 4. Redis stops -------------------------------------------------------------------------
def drill_redis(layout: Layout, seconds: float) -> dict:
    failures: list[str] = []
    tag = "x" + secrets.token_hex(3)
    load = new_load(layout, tag)
    stop_at, back_at = seconds * 0.3, seconds * 0.8
    print(
        f"drill redis: {seconds:.0f} s of mixed load; Redis stopped at {stop_at:.0f} s, started at {back_at:.0f} s"
    )
    load.run(
        seconds,
        events=[
            (stop_at, lambda: procs.stop("redis", layout.pids, sig=9, seconds=5)),
            (back_at, lambda: cluster.redis_start(layout)),
        ],
    )
    down = load.summary(stop_at, back_at)
    reads = [s for s in load.samples if stop_at <= s.at and s.end < back_at and s.kind != "answer"]
    answers = [
        s for s in load.samples if stop_at <= s.at and s.end < back_at and s.kind == "answer"
    ]
    loss = check_no_loss(load, primary_port(layout), failures)
    check(
        bool(reads) and all(s.ok for s in reads),
        f"pages without Redis: {sum(not s.ok for s in reads)} errors of {len(reads)}",
        failures,
    )
    check(
        bool(answers) and all(s.ok for s in answers),
        f"answers without Redis: {sum(not s.ok for s in answers)} errors of {len(answers)}",
        failures,
    )
    limits = device_limit_without_redis(layout)
    print(f"  info  one device, 8 answers while Redis is down: {limits}")
    status, _ = cluster.https_get(layout, "/healthz")
    check(status == 200, f"/healthz after Redis came back: {status}", failures)
    return {
        "failures": failures,
        "rows": [
            ("errors while Redis was down", f"{fmt_rate(down)} {down['statuses'] or ''}"),
            ("errors over the whole run", fmt_rate(load.summary())),
            (
                "answers acknowledged / lost / counted twice / retried copy held as duplicate",
                f"{loss['acked']} / {loss['lost']} / {loss['doubled']} / {loss['held']}",
            ),
            (
                "GDX exchanges acknowledged / missing from the audit log",
                f"{loss['gdx_acked']} / {loss['gdx_lost']}",
            ),
            ("one device's 8 answers with Redis down", limits),
        ],
    }


def device_limit_without_redis(layout: Layout) -> str:
    """What the per-device limit does with Redis down (it is kept in PostgreSQL or falls
    back as ADR 0130 describes): answers from one phone past its hourly allowance."""
    procs.stop("redis", layout.pids, sig=9, seconds=5)
    try:
        load = new_load(layout, "l" + secrets.token_hex(3))
        device = "dev" + secrets.token_hex(8)
        statuses = []
        conn = load._connect()
        for n in range(8):
            path, body, headers, marker = load._answer(n + 1)
            headers["Cookie"] = f"csrftoken={load.token}; fb_device={device}"
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            statuses.append(response.status)
        conn.close()
        rows = cluster.sql(
            primary_port(layout),
            "SELECT status, count(*) FROM feedback_response WHERE comment LIKE %s GROUP BY status",
            (f"drill{load.tag}%",),
            dbname="citizeninfo",
        )
        return f"HTTP {dict((s, statuses.count(s)) for s in set(statuses))}, stored {dict(rows)}"
    finally:
        cluster.redis_start(layout)


# --- 5. two task workers ------------------------------------------------------------------
def drill_tasks(layout: Layout, seconds: float) -> dict:
    failures: list[str] = []
    n = 200
    tag = "t" + secrets.token_hex(3)
    env = {**os.environ, **cluster.app_env(layout)}
    started = time.monotonic()
    procs.run([cluster.PY, "-m", "ops.enqueue", tag, str(n)], env=env)
    deadline = time.monotonic() + max(seconds, 120)
    rows: list[tuple] = []
    while time.monotonic() < deadline:
        rows = cluster.sql(
            primary_port(layout),
            "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult WHERE args_kwargs::text LIKE %s",
            (f"%{tag}%",),
            dbname="citizeninfo",
        )
        if len(rows) == n and all(r[0] in ("SUCCESSFUL", "FAILED") for r in rows):
            break
        time.sleep(1)
    took = time.monotonic() - started
    mail = layout.app_var / "mail"
    subjects = []
    for path in mail.glob("*.log") if mail.exists() else []:
        subjects += re.findall(rf"Subject: (drill {tag} \d+)", path.read_text(errors="replace"))
    by_worker: dict[str, int] = {}
    for _, workers in rows:
        for w in workers or []:
            by_worker[w] = by_worker.get(w, 0) + 1
    check(
        len(rows) == n and all(r[0] == "SUCCESSFUL" for r in rows),
        f"{n} tasks enqueued, {sum(r[0] == 'SUCCESSFUL' for r in rows)} succeeded",
        failures,
    )
    check(
        all(len(r[1] or []) == 1 for r in rows),
        "each task was taken by exactly one worker",
        failures,
    )
    check(
        len(subjects) == n and len(set(subjects)) == n,
        f"{len(subjects)} mails written for {n} tasks ({len(set(subjects))} distinct)",
        failures,
    )
    check(len(by_worker) == 2, f"both workers took tasks: {by_worker}", failures)
    return {
        "failures": failures,
        "rows": [
            (
                "tasks (send_email) enqueued / succeeded",
                f"{n} / {sum(r[0] == 'SUCCESSFUL' for r in rows)}",
            ),
            ("tasks per worker", ", ".join(f"{k}: {v}" for k, v in sorted(by_worker.items()))),
            ("mails written / distinct", f"{len(subjects)} / {len(set(subjects))}"),
            ("all done in", f"{took:.1f} s"),
        ],
    }


DRILLS: dict[str, tuple[Callable[[Layout, float], dict], float, str]] = {
    "web": (drill_web, 60, "1. A web node is killed under load"),
    "failover": (drill_failover, 60, "2. The primary stops: the replica is promoted"),
    "restore": (drill_restore, 0, "3. Point-in-time restore into a scratch cluster"),
    "redis": (drill_redis, 40, "4. Redis stops"),
    "tasks": (drill_tasks, 0, "5. Two task workers: each task runs once"),
}


def cmd_drill(layout: Layout, args: argparse.Namespace) -> int:
    names = list(DRILLS) if args.name == "all" else [args.name]
    failed = []
    for name in names:
        fn, default_seconds, title = DRILLS[name]
        started = time.monotonic()
        try:
            result = fn(layout, args.seconds or default_seconds)
        except (ClusterError, psycopg.Error) as error:
            result = {"failures": [str(error)], "rows": [("error", str(error).splitlines()[0])]}
            print(f"  FAIL  {error}")
        result["took"] = time.monotonic() - started
        if not args.no_write:
            write_result(name, title, result)
        for measure, value in result["rows"]:
            print(f"        {measure}: {value}")
        verdict = "PASSED" if not result["failures"] else "FAILED"
        print(f"drill {name}: {verdict} in {result['took']:.0f} s")
        if result["failures"]:
            failed.append(name)
    return 1 if failed else 0


def write_result(name: str, title: str, result: dict) -> None:
    start, end = f"<!-- drill:{name}:start -->", f"<!-- drill:{name}:end -->"
    verdict = "passed" if not result["failures"] else "**failed**: " + "; ".join(result["failures"])
    lines = [
        start,
        f"#### {title}",
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {os.uname().nodename} "
        f"({os.cpu_count()} cores, shared), `script/cluster drill {name}`: {verdict} "
        f"in {result['took']:.0f} s.",
        "",
        "| measure | result |",
        "|---|---|",
        *(f"| {a} | {b} |" for a, b in result["rows"]),
        end,
    ]
    text = DOCS.read_text() if DOCS.exists() else "# Operations\n"
    block = "\n".join(lines)
    if start in text:
        text = re.sub(re.escape(start) + r".*?" + re.escape(end), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    DOCS.write_text(text)
