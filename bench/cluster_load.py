"""The mixed national load on one web node and on two, through the whole cluster.

    script/cluster up
    .venv/bin/python -m bench.cluster_load [--seconds 40] [--threads 8] [--write]

The load is the drills' (ops/load.py): 40 % feedback answers, 5 % GDX exchanges through the
demo agency nodes, the rest public reads (map, clusters, near me, manual search, complaints,
open data), through nginx over TLS. Each run is measured from /proc: CPU seconds of every tier
(nginx, web nodes, the GDX hub and agency nodes, PgBouncer, the primary's and the replica's
PostgreSQL processes, Redis, the task workers, the load generator itself) divided by the
requests served. The one-node run stops web2 (nginx routes around it); both runs happen in
the same process, one after the other, several rounds interleaved, and the report gives the
ratio. During the two-node run the replica's replay lag is sampled every 0.2 s (p95), and
PgBouncer's client and server connection counts are read (its effect on PostgreSQL's
connection count).
"""

import argparse
import os
import re
import statistics
import threading
import time
from pathlib import Path

from ops import cluster, procs
from ops.drills import gdx_target, published_points
from ops.layout import ROOT, Layout
from ops.load import Load

DOCS = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- cluster:start -->", "<!-- cluster:end -->"
TICK = os.sysconf("SC_CLK_TCK")


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        tree.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    return tree


def _tree(pid: int, tree: dict[int, list[int]]) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(tree.get(p, []))
    return out


def _cpu(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / TICK


def tiers(layout: Layout) -> dict[str, list[int]]:
    """The processes of each tier, found from their pid files (PostgreSQL: postmaster.pid)."""
    tree = _children()
    state = layout.state()

    def from_file(path: Path) -> list[int]:
        pid = procs.read_pid(path)
        return _tree(pid, tree) if pid else []

    out = {
        "nginx": from_file(layout.nginx / "nginx.pid"),
        "web nodes": from_file(layout.pids / "web1.pid") + from_file(layout.pids / "web2.pid"),
        "GDX hub": from_file(layout.pids / "hub.pid"),
        "GDX agency nodes": [
            p for m in cluster.GDX_NODES for p in from_file(layout.pids / f"gdx-{m}.pid")
        ],
        "PgBouncer": from_file(layout.run / "pgbouncer.pid"),
        "PostgreSQL primary": from_file(layout.pg_data(state["primary"]) / "postmaster.pid"),
        "PostgreSQL replica": from_file(layout.pg_data(state["replica"]) / "postmaster.pid"),
        "Redis": from_file(layout.pids / "redis.pid"),
        "task workers": from_file(layout.pids / "worker1.pid")
        + from_file(layout.pids / "worker2.pid"),
    }
    return out


def lag_sampler(layout: Layout, stop: threading.Event, samples: list[float]) -> None:
    port = layout.pg_port(layout.state()["primary"])
    while not stop.is_set():
        rows = cluster.sql(
            port,
            "SELECT coalesce(extract(epoch FROM replay_lag), 0) * 1000 FROM pg_stat_replication",
        )
        if rows:
            samples.append(float(rows[0][0]))
        time.sleep(0.2)


def connections(layout: Layout) -> dict[str, int]:
    clients = cluster.sql(layout.ports.pgbouncer, "SHOW CLIENTS", dbname="pgbouncer")
    servers = cluster.sql(layout.ports.pgbouncer, "SHOW SERVERS", dbname="pgbouncer")
    backends = cluster.sql(
        layout.pg_port(layout.state()["primary"]),
        "SELECT count(*) FROM pg_stat_activity WHERE datname = 'citizeninfo' AND backend_type = 'client backend'",
    )[0][0]
    return {
        "app connections to PgBouncer": sum(
            1 for c in clients if c[2] == "citizeninfo" or c[2] == "citizeninfo_replica"
        ),
        "PgBouncer connections to PostgreSQL": len(servers),
        "primary backends for citizeninfo": int(backends),
    }


KINDS = {  # (write share, GDX share): one kind of request at a time, for docs/capacity.md
    "public reads": (0.0, 0.0),
    "feedback answers": (1.0, 0.0),
    "GDX exchanges": (0.0, 1.0),
}


def one_run(
    layout: Layout,
    *,
    seconds: float,
    threads: int,
    tag: str,
    sample_lag: bool,
    shares: tuple[float, float] | None = None,
) -> dict:
    # Unmeasured warm-up: a node just started compiles templates and fills its caches.
    Load("127.0.0.1", layout.ports.https, published_points(layout), tag + "w", threads=threads).run(
        5
    )
    load = Load(
        "127.0.0.1",
        layout.ports.https,
        published_points(layout),
        tag,
        threads=threads,
        gdx=gdx_target(layout),
    )
    if shares is not None:
        load.write_share, load.gdx_share = shares
    pids = tiers(layout)
    before = {name: _cpu(p) for name, p in pids.items()}
    me = time.process_time()
    lag: list[float] = []
    stop = threading.Event()
    conns: dict[str, int] = {}
    sampler = threading.Thread(target=lag_sampler, args=(layout, stop, lag), daemon=True)
    if sample_lag:
        sampler.start()

    def read_connections() -> None:
        conns.update(connections(layout))

    load.run(seconds, events=[(seconds / 2, read_connections)])
    stop.set()
    pids_after = tiers(layout)
    cpu = {name: _cpu(pids_after[name]) - before[name] for name in pids}
    cpu["load generator"] = time.process_time() - me
    summary = load.summary()
    ok = summary["requests"] - summary["errors"]
    return {
        "requests": summary["requests"],
        "errors": summary["errors"],
        "per_second": ok / seconds,
        "cpu_ms": {name: 1000 * v / max(ok, 1) for name, v in cpu.items()},
        "lag": lag,
        "connections": conns,
        "acked": len(load.acked),
        "gdx": len(load.gdx_acked),
        "latency_p95": _p95([s.ms for s in load.samples if s.ok]),
    }


def _p95(values: list[float]) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[max(0, int(len(values) * 0.95) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    layout = Layout.from_env()
    runs: dict[str, list[dict]] = {"two": [], "one": []}
    load_before = os.getloadavg()[0]
    for r in range(args.rounds):
        order = ["two", "one"] if r % 2 == 0 else ["one", "two"]
        for kind in order:
            if kind == "one":
                procs.stop("web2", layout.pids)
            else:
                cluster.web_start(layout, "web2", layout.ports.web[1])
                procs.wait_for_port(layout.ports.web[1], seconds=90, what="web2")
                time.sleep(3)  # nginx notices it is back
            result = one_run(
                layout,
                seconds=args.seconds,
                threads=args.threads,
                tag=f"b{kind[0]}{r}",
                sample_lag=kind == "two",
            )
            print(
                kind,
                "node(s):",
                {k: v for k, v in result.items() if k not in ("lag", "cpu_ms")},
                flush=True,
            )
            runs[kind].append(result)
    cluster.web_start(layout, "web2", layout.ports.web[1])
    procs.wait_for_port(layout.ports.web[1], seconds=90, what="web2")
    time.sleep(3)
    kinds = {}
    for name, shares in KINDS.items():
        kinds[name] = one_run(
            layout,
            seconds=args.seconds / 2,
            threads=args.threads,
            tag="k" + name[0],
            sample_lag=False,
            shares=shares,
        )
        print(name, {k: v for k, v in kinds[name].items() if k not in ("lag",)}, flush=True)
    text = report(runs, args, load_before).replace(END, report_kinds(kinds) + "\n" + END)
    print(text)
    if args.write:
        write(text)


def _mean(runs: list[dict], key: str) -> float:
    # The median of the rounds: one round slowed by another engineer's job does not skew it.
    return statistics.median(r[key] for r in runs)


def report(runs: dict[str, list[dict]], args: argparse.Namespace, load_before: float) -> str:
    two, one = runs["two"], runs["one"]
    tiers_ = list(two[0]["cpu_ms"])
    lag = sorted(v for r in two for v in r["lag"])
    conns = two[-1]["connections"]
    rate2, rate1 = _mean(two, "per_second"), _mean(one, "per_second")
    lines = [
        START,
        "## The cluster: one web node against two (issue 19)",
        "Command: `script/cluster up`, then `.venv/bin/python -m bench.cluster_load "
        f"--seconds {args.seconds:.0f} --threads {args.threads} --rounds {args.rounds} --write`.",
        "",
        f"Machine: {os.cpu_count()} cores shared with other engineers' jobs (load average "
        f"{load_before:.1f} at the start), {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. "
        "The mixed load of the drills (ops/load.py: 40 % feedback answers, 5 % GDX exchanges, the "
        f"rest map, clusters, near me, manual search, complaints, open data) from {args.threads} "
        "keep-alive clients through nginx over TLS; every tier's CPU read from /proc. Rounds "
        "interleave the two set-ups, each after 5 s of unmeasured warm-up; figures are medians of the rounds.",
        "",
        "| | two web nodes | one web node | ratio two/one |",
        "|---|---|---|---|",
        f"| requests served per second | {rate2:.1f} | {rate1:.1f} | {rate2 / rate1:.2f} |",
        f"| errors | {sum(r['errors'] for r in two)} | {sum(r['errors'] for r in one)} | |",
        f"| p95 latency (ms) | {_mean(two, 'latency_p95'):.0f} | {_mean(one, 'latency_p95'):.0f} | "
        f"{_mean(two, 'latency_p95') / _mean(one, 'latency_p95'):.2f} |",
    ]
    lines += [
        "",
        "CPU per request served (ms), by tier:",
        "",
        "| tier | two web nodes | one web node |",
        "|---|---|---|",
    ]
    for tier in tiers_:
        a = statistics.median(r["cpu_ms"][tier] for r in two)
        b = statistics.median(r["cpu_ms"][tier] for r in one)
        lines.append(f"| {tier} | {a:.2f} | {b:.2f} |")
    total2 = statistics.median(
        sum(v for k, v in r["cpu_ms"].items() if k != "load generator") for r in two
    )
    total1 = statistics.median(
        sum(v for k, v in r["cpu_ms"].items() if k != "load generator") for r in one
    )
    lines.append(f"| **all server tiers** | **{total2:.2f}** | **{total1:.2f}** |")
    lines += [
        "",
        f"Replica replay lag under the two-node load (synchronous commit, sampled every 0.2 s, "
        f"{len(lag)} samples): p50 {_pct(lag, 0.5):.1f} ms, p95 {_pct(lag, 0.95):.1f} ms, max "
        f"{max(lag) if lag else 0:.1f} ms.",
        "",
        "PgBouncer (transaction mode) in the middle of the two-node run: "
        + ", ".join(f"{k}: {v}" for k, v in conns.items())
        + ". Without it every Granian thread of every node keeps its own PostgreSQL connection "
        "per alias (CONN_MAX_AGE): threads × processes × nodes × 2.",
        END,
    ]
    return "\n".join(lines)


def report_kinds(kinds: dict[str, dict]) -> str:
    names = list(kinds)
    tiers_ = [t for t in kinds[names[0]]["cpu_ms"] if t != "load generator"]
    lines = [
        "<!-- cluster-kinds:start -->",
        "CPU per request of each kind on two web nodes (ms; one kind at a time, same process, "
        "after the rounds above; the input of docs/capacity.md):",
        "",
        "| tier | " + " | ".join(names) + " |",
        "|---|" + "---|" * len(names),
    ]
    for tier in tiers_:
        lines.append(
            f"| {tier} | " + " | ".join(f"{kinds[n]['cpu_ms'][tier]:.2f}" for n in names) + " |"
        )
    totals = [sum(v for t, v in kinds[n]["cpu_ms"].items() if t != "load generator") for n in names]
    lines.append("| **all server tiers** | " + " | ".join(f"**{t:.2f}**" for t in totals) + " |")
    lines.append(
        "| requests served | "
        + " | ".join(str(kinds[n]["requests"] - kinds[n]["errors"]) for n in names)
        + " |"
    )
    lines.append("<!-- cluster-kinds:end -->")
    return "\n".join(lines)


def _pct(values: list[float], q: float) -> float:
    return values[max(0, int(len(values) * q) - 1)] if values else 0.0


def write(text: str) -> None:
    doc = DOCS.read_text()
    if START in doc:
        doc = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: text, doc, flags=re.S)
    else:
        doc = doc.rstrip() + "\n\n" + text + "\n"
    DOCS.write_text(doc)


if __name__ == "__main__":
    main()
