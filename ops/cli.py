"""The command line of `script/cluster` (see ops/cluster.py and docs/operations.md)."""

import argparse
import sys

from ops import cluster
from ops.drills import DRILLS, cmd_drill
from ops.layout import Layout
from ops.procs import ClusterError
from ops.status import cmd_status

COMMANDS = {
    "up": cluster.cmd_up,
    "status": cmd_status,
    "backup": cluster.cmd_backup,
    "drill": cmd_drill,
    "down": cluster.cmd_down,
}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="script/cluster",
        description="The multi-node topology on one machine (docs/operations.md).",
    )
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("up", help="start every service (installs Debian packages as root)")
    status = sub.add_parser(
        "status", help="what runs, replication, backups; exit 1 if a part is down"
    )
    status.add_argument("--json", action="store_true")
    sub.add_parser("backup", help="take a base backup now (cron: nightly)")
    drill = sub.add_parser("drill", help="run a drill; exit 1 if it fails")
    drill.add_argument("name", nargs="?", default="all", choices=[*DRILLS, "all"])
    drill.add_argument("--seconds", type=float, default=None, help="length of the load")
    drill.add_argument("--no-write", action="store_true", help="do not update docs/operations.md")
    sub.add_parser("down", help="stop everything (the data stays in the cluster directory)")
    return p


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    try:
        layout = Layout.from_env()
    except ValueError as error:
        p.error(str(error))
    try:
        return COMMANDS[args.command](layout, args)
    except ClusterError as error:
        print(f"script/cluster {args.command}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
