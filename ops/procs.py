"""Starting, finding and stopping the cluster's processes (no Django)."""

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

PG_BIN = Path(os.environ.get("CLUSTER_PG_BIN", "/usr/lib/postgresql/15/bin"))


class ClusterError(RuntimeError):
    """A step failed; the message says which and where its log is."""


def is_root() -> bool:
    return os.geteuid() == 0


def as_postgres(cmd: Sequence[str]) -> list[str]:
    # initdb, pg_ctl and pgbouncer refuse to run as root.
    return ["runuser", "-u", "postgres", "--", *cmd] if is_root() else list(cmd)


def run(cmd: Sequence[str], *, env: dict[str, str] | None = None, quiet: bool = True) -> str:
    result = subprocess.run(  # noqa: S603 - fixed programs, arguments built here
        list(cmd), capture_output=True, text=True, env=env, check=False
    )
    if result.returncode != 0:
        raise ClusterError(
            f"{' '.join(cmd[:6])} failed ({result.returncode}):\n{result.stdout}{result.stderr}"
        )
    if not quiet and result.stdout:
        print(result.stdout, end="")
    return result.stdout


def chown_postgres(path: Path) -> None:
    if is_root():
        shutil.chown(path, "postgres", "postgres")


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.settimeout(0.3)
        return s.connect_ex((host, port)) == 0


def wait_for_port(port: int, *, seconds: float, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if port_open(port):
            return
        time.sleep(0.2)
    hint = f"; see {log}" if log else ""
    raise ClusterError(f"{what} did not start listening on port {port} in {seconds:.0f} s{hint}")


def read_pid(pid_file: Path) -> int | None:
    try:
        pid = int(pid_file.read_text().split()[0])
    except (FileNotFoundError, ValueError, IndexError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    return pid


def spawn(
    name: str, cmd: Sequence[str], *, env: dict[str, str], pids: Path, logs: Path, cwd: Path
) -> int:
    """Starts a long-running process in its own session (so `stop` ends its children)."""
    pids.mkdir(parents=True, exist_ok=True)
    logs.mkdir(parents=True, exist_ok=True)
    pid_file = pids / f"{name}.pid"
    if (pid := read_pid(pid_file)) is not None:
        return pid
    with open(logs / f"{name}.log", "ab") as log:
        process = subprocess.Popen(  # noqa: S603 - fixed programs
            list(cmd),
            cwd=cwd,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    pid_file.write_text(f"{process.pid}\n")
    return process.pid


def stop(name: str, pids: Path, *, sig: int = signal.SIGTERM, seconds: float = 15) -> bool:
    """Stops a spawned process group; SIGKILL if it outlives `seconds`. True if it ran."""
    pid_file = pids / f"{name}.pid"
    pid = read_pid(pid_file)
    if pid is None:
        pid_file.unlink(missing_ok=True)
        return False
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and _group_alive(pid):
        time.sleep(0.1)
    if _group_alive(pid):
        os.killpg(pid, signal.SIGKILL)
        time.sleep(0.2)
    pid_file.unlink(missing_ok=True)
    return True


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    # A zombie leader keeps the group "alive" until reaped; reap it if it is our child.
    try:
        done, _ = os.waitpid(pgid, os.WNOHANG)
        if done == pgid:
            return _group_alive_after_reap(pgid)
    except ChildProcessError:
        pass
    return True


def _group_alive_after_reap(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def pg_ctl(*args: str) -> str:
    return run(as_postgres([str(PG_BIN / "pg_ctl"), *args]))


def pg_running(data: Path) -> bool:
    if not (data / "PG_VERSION").exists():
        return False
    result = subprocess.run(  # noqa: S603
        as_postgres([str(PG_BIN / "pg_ctl"), "status", "-D", str(data)]),
        capture_output=True,
        check=False,
    )
    return result.returncode == 0
