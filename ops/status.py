"""`script/cluster status`: which parts run, where the primary is, replication, backups."""

import argparse
import json

import psycopg

from ops import procs
from ops.cluster import GDX_NODES, WEB_NODES, WORKERS, https_get, s3_available, sql
from ops.layout import PG_NODES, Layout


def components(layout: Layout) -> dict[str, dict]:
    state = layout.state()
    out: dict[str, dict] = {}
    for node in PG_NODES:
        role = "primary" if node == state["primary"] else "replica"
        out[node] = {
            "up": procs.pg_running(layout.pg_data(node)),
            "detail": f"{role}, port {layout.pg_port(node)}",
        }
    out["pgbouncer"] = {
        "up": procs.port_open(layout.ports.pgbouncer),
        "detail": f"transaction pooling, port {layout.ports.pgbouncer}",
    }
    out["redis"] = {
        "up": procs.port_open(layout.ports.redis),
        "detail": f"port {layout.ports.redis}",
    }
    if s3_available():
        out["s3"] = {
            "up": procs.port_open(layout.ports.s3),
            "detail": f"moto, port {layout.ports.s3}",
        }
    for name, port in [*zip(WEB_NODES, layout.ports.web, strict=True), ("hub", layout.ports.hub)]:
        out[name] = {"up": procs.port_open(port), "detail": f"script/web, port {port}"}
    for member, port in zip(GDX_NODES, layout.ports.gdx_nodes, strict=True):
        out[member] = {"up": procs.port_open(port), "detail": f"GDX demo agency node, port {port}"}
    for name in WORKERS:
        out[name] = {
            "up": procs.read_pid(layout.pids / f"{name}.pid") is not None,
            "detail": "db_worker",
        }
    code, _ = https_get(layout, "/healthz", timeout=5)
    out["nginx"] = {
        "up": procs.port_open(layout.ports.https),
        "detail": f"{layout.public_url()}/healthz → {code or 'no answer'}",
    }
    return out


def replication(layout: Layout) -> str:
    state = layout.state()
    try:
        rows = sql(
            layout.pg_port(state["primary"]),
            "SELECT application_name, state, sync_state, "
            "pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint, "
            "coalesce(extract(epoch FROM replay_lag), 0) FROM pg_stat_replication",
        )
    except psycopg.Error:
        return "primary not answering"
    if not rows:
        return "no replica streaming"
    return "; ".join(
        f"{r[0]} {r[1]} ({r[2]}), {r[3]} bytes / {r[4] * 1000:.0f} ms behind" for r in rows
    )


def archiving(layout: Layout) -> str:
    state = layout.state()
    try:
        rows = sql(
            layout.pg_port(state["primary"]),
            "SELECT archived_count, last_archived_wal, failed_count FROM pg_stat_archiver",
        )
    except psycopg.Error:
        return "primary not answering"
    archived, last, failed = rows[0]
    backups = sorted(p.name for p in layout.backups.iterdir()) if layout.backups.exists() else []
    newest = backups[-1] if backups else "none"
    return f"{archived} WAL segments archived (last {last}, {failed} failures); base backups: {len(backups)}, newest {newest}"


def details(layout: Layout) -> dict[str, str]:
    return {"replication": replication(layout), "backups": archiving(layout)}


def cmd_status(layout: Layout, args: argparse.Namespace) -> int:
    report = {"components": components(layout), "details": details(layout)}
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for name, value in report["components"].items():
            print(f"{name:10} {'up  ' if value['up'] else 'DOWN'}  {value['detail']}")
        for name, value in report["details"].items():
            print(f"{name:10} {value}")
    return 0 if all(c["up"] for c in report["components"].values()) else 1
