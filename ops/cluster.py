"""`script/cluster up | status | backup | drill [...] | down`: the multi-node topology on one
machine (docs/operations.md). nginx → two web nodes and the GDX hub process; PgBouncer
(transaction mode) → PostgreSQL primary with a synchronous streaming replica; Redis; two task
workers; WAL archive and base backups. No Django here: the app runs in its own processes.
"""

import argparse
import hashlib
import os
import secrets
import shutil
import ssl
import subprocess
import time
import urllib.request
from pathlib import Path

import psycopg

from ops import procs, render
from ops.layout import PG_NODES, ROOT, Layout
from ops.procs import PG_BIN, ClusterError

PY = str(ROOT / ".venv" / "bin" / "python")
PACKAGES = {  # program → Debian package
    "/usr/sbin/nginx": "nginx-light",
    "/usr/sbin/pgbouncer": "pgbouncer",
    "/usr/bin/redis-server": "redis-server",
    str(PG_BIN / "initdb"): "postgresql-15",
    "/usr/bin/openssl": "openssl",
    "/usr/bin/wrk": "wrk",
}
WEB_NODES = ("web1", "web2")
WORKERS = ("worker1", "worker2")


_STARTED = time.monotonic()


def say(*args: object) -> None:
    print(f"==> [{time.monotonic() - _STARTED:5.0f} s]", *args, flush=True)


# --- packages -----------------------------------------------------------------------------
def missing_packages() -> list[str]:
    return sorted({pkg for path, pkg in PACKAGES.items() if not Path(path).exists()})


def ensure_packages() -> None:
    missing = missing_packages()
    if not missing:
        return
    if not procs.is_root():
        raise ClusterError(
            f"missing Debian packages; run as root: apt-get install {' '.join(missing)}"
        )
    say("installing", " ".join(missing))
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    procs.run(["apt-get", "update", "-qq"], env=env)
    procs.run(["apt-get", "install", "-y", "-qq", *missing], env=env)


# --- PostgreSQL ---------------------------------------------------------------------------
def sql(port: int, query: str, params: tuple = (), *, dbname: str = "postgres") -> list[tuple]:
    with psycopg.connect(
        host="127.0.0.1",
        port=port,
        user="postgres",
        dbname=dbname,
        autocommit=True,
        connect_timeout=5,
    ) as conn:
        cursor = conn.execute(query, params)  # type: ignore[arg-type]
        return cursor.fetchall() if cursor.description else []


def write_pg_conf(layout: Layout, node: str, *, sync_standby: str | None) -> None:
    data = layout.pg_data(node)
    conf = data / "cluster.conf"
    conf.write_text(render.postgresql_conf(layout, node, sync_standby=sync_standby))
    (data / "pg_hba.conf").write_text(render.pg_hba_conf())
    main = data / "postgresql.conf"
    if "include_if_exists = 'cluster.conf'" not in main.read_text():
        with main.open("a") as f:
            f.write("\ninclude_if_exists = 'cluster.conf'\n")
    for path in (conf, data / "pg_hba.conf"):
        procs.chown_postgres(path)


def pg_start(layout: Layout, node: str) -> None:
    if procs.pg_running(layout.pg_data(node)):
        return
    log = layout.pg_logs / f"{node}.log"
    procs.pg_ctl("start", "-w", "-t", "60", "-D", str(layout.pg_data(node)), "-l", str(log))


def pg_stop(layout: Layout, node: str, *, mode: str = "fast") -> None:
    if procs.pg_running(layout.pg_data(node)):
        procs.pg_ctl("stop", "-w", "-t", "60", "-m", mode, "-D", str(layout.pg_data(node)))


def make_dirs(layout: Layout) -> None:
    for path in (layout.pg_root, layout.run, layout.archive, layout.backups, layout.pg_logs):
        path.mkdir(parents=True, exist_ok=True)
        procs.chown_postgres(path)
    for path in (layout.logs, layout.pids, layout.app_var, layout.nginx / "temp", layout.redis):
        path.mkdir(parents=True, exist_ok=True)


def init_primary(layout: Layout, node: str) -> bool:
    data = layout.pg_data(node)
    if (data / "PG_VERSION").exists():
        return False
    say(f"initdb {node} (primary, port {layout.pg_port(node)})")
    procs.run(
        procs.as_postgres(
            [str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"]
            + ["-E", "UTF8", "--locale=C.UTF-8", "--data-checksums"]
        )
    )
    write_pg_conf(layout, node, sync_standby=None)
    pg_start(layout, node)
    sql(layout.pg_port(node), "CREATE DATABASE citizeninfo")
    return True


def base_backup(layout: Layout) -> Path:
    """A compressed base backup of the primary; with the WAL archive it restores to any
    moment after it (docs/operations.md "Backups")."""
    primary = layout.state()["primary"]
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    target = layout.backups / stamp
    procs.run(
        procs.as_postgres(
            [str(PG_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(layout.pg_port(primary))]
            + ["-U", "postgres", "-D", str(target), "-Ft", "-z", "-X", "fetch", "-c", "fast"]
        )
    )
    keep = int(os.environ.get("CLUSTER_KEEP_BACKUPS", "7"))
    for old in sorted(p for p in layout.backups.iterdir() if p.is_dir())[:-keep]:
        shutil.rmtree(old)
    return target


def clone_replica(layout: Layout, *, primary: str, replica: str) -> None:
    """A new streaming replica of `primary` from pg_basebackup, then the primary waits for it
    on every commit (synchronous_standby_names)."""
    data = layout.pg_data(replica)
    pg_stop(layout, replica, mode="immediate")
    if data.exists():
        shutil.rmtree(data)
    say(f"pg_basebackup {primary} → {replica} (replica, port {layout.pg_port(replica)})")
    procs.run(
        procs.as_postgres(
            [str(PG_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(layout.pg_port(primary))]
            + ["-U", "postgres", "-D", str(data), "-R", "-X", "stream", "-c", "fast"]
        )
    )
    write_pg_conf(layout, replica, sync_standby=None)
    pg_start(layout, replica)
    wait_streaming(layout, primary=primary, replica=replica)
    write_pg_conf(layout, primary, sync_standby=replica)
    sql(layout.pg_port(primary), "SELECT pg_reload_conf()")
    layout.save_state(primary=primary, replica=replica)


def wait_streaming(layout: Layout, *, primary: str, replica: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        rows = sql(
            layout.pg_port(primary),
            "SELECT state FROM pg_stat_replication WHERE application_name = %s",
            (replica,),
        )
        if rows and rows[0][0] == "streaming":
            return
        time.sleep(0.3)
    raise ClusterError(f"{replica} is not streaming from {primary}; see {layout.pg_logs}")


# --- PgBouncer, Redis, S3 -----------------------------------------------------------------
def write_pgbouncer(layout: Layout, *, primary_port: int, replica_port: int) -> Path:
    ini = layout.pg_root / "pgbouncer.ini"
    ini.write_text(
        render.pgbouncer_ini(layout, primary_port=primary_port, replica_port=replica_port)
    )
    users = layout.pg_root / "pgbouncer.users"
    users.write_text('"postgres" ""\n')
    for path in (ini, users):
        procs.chown_postgres(path)
    return ini


def pgbouncer_start(layout: Layout) -> None:
    state = layout.state()
    ini = write_pgbouncer(
        layout,
        primary_port=layout.pg_port(state["primary"]),
        replica_port=layout.pg_port(state["replica"]),
    )
    if procs.read_pid(layout.run / "pgbouncer.pid") is None:
        procs.run(procs.as_postgres(["/usr/sbin/pgbouncer", "-d", str(ini)]))
    procs.wait_for_port(layout.ports.pgbouncer, seconds=15, what="PgBouncer")


def pgbouncer_repoint(layout: Layout, *, primary_port: int, replica_port: int) -> None:
    """New addresses for both pools, then RELOAD: PgBouncer reconnects its servers there."""
    write_pgbouncer(layout, primary_port=primary_port, replica_port=replica_port)
    sql(layout.ports.pgbouncer, "RELOAD", dbname="pgbouncer")


def redis_start(layout: Layout) -> None:
    cmd = ["/usr/bin/redis-server", "--port", str(layout.ports.redis), "--bind", "127.0.0.1"]
    cmd += ["--dir", str(layout.redis), "--save", "", "--appendonly", "no", "--daemonize", "no"]
    procs.spawn("redis", cmd, env=dict(os.environ), pids=layout.pids, logs=layout.logs, cwd=ROOT)
    procs.wait_for_port(layout.ports.redis, seconds=15, what="Redis", log=layout.logs / "redis.log")


def s3_available() -> bool:
    """moto's standalone S3 server stands in for object storage when the dev extras are
    installed and the settings know S3_BUCKET (issue 19's application side)."""
    settings = (ROOT / "citizeninfo" / "settings" / "base.py").read_text()
    return (ROOT / ".venv" / "bin" / "moto_server").exists() and "S3_BUCKET" in settings


def s3_start(layout: Layout) -> None:
    cmd = [
        str(ROOT / ".venv" / "bin" / "moto_server"),
        "-H",
        "127.0.0.1",
        "-p",
        str(layout.ports.s3),
    ]
    procs.spawn(
        "s3", cmd, env=dict(os.environ), pids=layout.pids, logs=layout.logs, cwd=layout.base
    )
    procs.wait_for_port(layout.ports.s3, seconds=30, what="moto S3", log=layout.logs / "s3.log")
    request = urllib.request.Request(
        f"http://127.0.0.1:{layout.ports.s3}/citizeninfo", method="PUT"
    )
    with urllib.request.urlopen(request, timeout=10):  # noqa: S310 - local moto
        pass


# --- the application ----------------------------------------------------------------------
def secret_key(layout: Layout) -> str:
    path = layout.base / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


def app_env(layout: Layout) -> dict[str, str]:
    env = render.app_env(layout, secret_key=secret_key(layout), s3=s3_available())
    (layout.base / "env").write_text(render.env_file(env))
    (layout.base / "env").chmod(0o600)
    return {**os.environ, **env}


def app_env_for(layout: Layout, port: int) -> dict[str, str]:
    """The app's environment with the database straight at one PostgreSQL port."""
    env = app_env(layout)
    env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:{port}/citizeninfo"
    env.pop("DATABASE_REPLICA_URL", None)
    return env


def manage(layout: Layout, *args: str, direct: bool = False) -> str:
    # Schema changes and the demo data go straight to the primary, not through the pooler.
    env = (
        app_env_for(layout, layout.pg_port(layout.state()["primary"]))
        if direct
        else app_env(layout)
    )
    return procs.run([PY, "manage.py", *args], env=env)


def static_fingerprint() -> str:
    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("*/static/**/*")):
        if path.is_file():
            st = path.stat()
            digest.update(f"{path}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def prepare_app(layout: Layout) -> None:
    say("migrate, collectstatic, demo data")
    manage(layout, "migrate", "--noinput", "-v", "0", direct=True)
    stamp, fingerprint = layout.base / "static.stamp", static_fingerprint()
    if not stamp.exists() or stamp.read_text() != fingerprint:
        # Compressing every file takes minutes on a busy machine: only when one changed.
        manage(layout, "collectstatic", "--noinput", "-v", "0")
        stamp.write_text(fingerprint)
    # The drills need points to answer about; --once leaves a loaded directory alone.
    # (--force: production settings, but this cluster listens on 127.0.0.1 only.)
    manage(layout, "demo_data", "--once", "--force", direct=True)


def web_start(layout: Layout, name: str, port: int) -> None:
    env = {**app_env(layout), "PORT": str(port), "HOST": "127.0.0.1"}
    procs.spawn(
        name, [str(ROOT / "script" / "web")], env=env, pids=layout.pids, logs=layout.logs, cwd=ROOT
    )


def workers_start(layout: Layout) -> None:
    env = app_env(layout)
    for name in WORKERS:
        worker = f"{PY} manage.py db_worker --no-reload --interval 1 --worker-id {name}"
        # db_worker exits when the database is unreachable (as during a failover): supervise
        # it, as systemd's Restart=always does in production.
        loop = (
            f"while :; do {worker}; echo 'db_worker exited; restarting in 1 s' >&2; sleep 1; done"
        )
        procs.spawn(
            name, ["bash", "-c", loop], env=env, pids=layout.pids, logs=layout.logs, cwd=ROOT
        )


def app_start(layout: Layout) -> None:
    for name, port in zip(WEB_NODES, layout.ports.web, strict=True):
        web_start(layout, name, port)
    web_start(layout, "hub", layout.ports.hub)
    workers_start(layout)
    for name, port in [*zip(WEB_NODES, layout.ports.web, strict=True), ("hub", layout.ports.hub)]:
        procs.wait_for_port(port, seconds=90, what=name, log=layout.logs / f"{name}.log")


GDX_NODES = ("dopa-bora", "dol-kkn")  # exchange.demo's provider and consumer


def gdx_start(layout: Layout) -> None:
    """The demo's two agency nodes, talking to the hub through nginx over TLS."""
    env = app_env_for(layout, layout.pg_port(layout.state()["primary"]))
    env["DJANGO_SETTINGS_MODULE"] = "citizeninfo.settings.dev"  # demo setup only
    provider, consumer = layout.ports.gdx_nodes
    procs.run(
        [PY, "manage.py", "gdx_demo_setup", f"--hub-url={layout.public_url()}"]
        + [f"--provider-port={provider}", f"--consumer-port={consumer}"],
        env=env,
    )
    node_env = {**os.environ, "SSL_CERT_FILE": str(layout.nginx / "tls.crt")}
    for member, port in zip(GDX_NODES, layout.ports.gdx_nodes, strict=True):
        config = layout.app_var / "gdx-nodes" / f"{member}.json"
        cmd = [PY, "-m", "agency_node", "serve", "--config", str(config)]
        procs.spawn(
            f"gdx-{member}", cmd, env=node_env, pids=layout.pids, logs=layout.logs, cwd=ROOT
        )
        procs.wait_for_port(
            port, seconds=60, what=f"GDX node {member}", log=layout.logs / f"gdx-{member}.log"
        )


# --- nginx --------------------------------------------------------------------------------
def nginx_start(layout: Layout) -> None:
    d = layout.nginx
    if not (d / "tls.crt").exists():
        procs.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "825"]
            + ["-keyout", str(d / "tls.key"), "-out", str(d / "tls.crt"), "-subj", "/CN=127.0.0.1"]
            + ["-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"]
        )
    user = "nobody nogroup" if procs.is_root() else None
    if procs.is_root():
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (d / "temp" / sub).mkdir(parents=True, exist_ok=True)
            shutil.chown(d / "temp" / sub, "nobody", "nogroup")
    conf = d / "nginx.conf"
    conf.write_text(render.nginx_conf(layout, user=user))
    procs.run(["/usr/sbin/nginx", "-t", "-q", "-p", str(d), "-c", str(conf)])
    if procs.read_pid(d / "nginx.pid") is None:
        procs.run(["/usr/sbin/nginx", "-p", str(d), "-c", str(conf)])
    else:
        procs.run(["/usr/sbin/nginx", "-p", str(d), "-c", str(conf), "-s", "reload"])
    procs.wait_for_port(layout.ports.https, seconds=15, what="nginx")


def https_get(layout: Layout, path: str, *, timeout: float = 10) -> tuple[int, bytes]:
    if not (layout.nginx / "tls.crt").exists():
        return 0, b""
    context = ssl.create_default_context(cafile=str(layout.nginx / "tls.crt"))
    try:
        with urllib.request.urlopen(  # noqa: S310 - our own nginx
            layout.public_url() + path, timeout=timeout, context=context
        ) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except (urllib.error.URLError, OSError):
        return 0, b""


# --- commands -----------------------------------------------------------------------------
def cmd_up(layout: Layout, args: argparse.Namespace) -> int:
    ensure_packages()
    make_dirs(layout)
    state = layout.state()
    primary, replica = state["primary"], state["replica"]
    fresh = init_primary(layout, primary)
    pg_start(layout, primary)
    redis_start(layout)  # the demo data bumps the map's version in the shared cache
    if s3_available():
        s3_start(layout)  # and stores its photos in the object storage
    prepare_app(layout)
    if fresh or not any(layout.backups.iterdir()):
        say("base backup")
        base_backup(layout)
    if not (layout.pg_data(replica) / "PG_VERSION").exists():
        clone_replica(layout, primary=primary, replica=replica)
    else:
        pg_start(layout, replica)
        write_pg_conf(layout, primary, sync_standby=replica)
        sql(layout.pg_port(primary), "SELECT pg_reload_conf()")
    say("PgBouncer")
    pgbouncer_start(layout)
    say("two web nodes, the GDX hub, two task workers")
    app_start(layout)
    say("nginx")
    nginx_start(layout)
    status, _ = https_get(layout, "/healthz")
    if status != 200:
        raise ClusterError(f"/healthz answered {status} through nginx; see {layout.logs}")
    say("GDX demo agency nodes")
    gdx_start(layout)
    print(
        f"\nCITIZENinfo cluster is up: {layout.public_url()}/ (self-signed: {layout.nginx}/tls.crt)\n"
        f"  manage.py against it: set -a; . {layout.base}/env; set +a\n"
        "  script/cluster status | drill [web|failover|restore|redis|tasks|all] | down"
    )
    return 0


def cmd_down(layout: Layout, args: argparse.Namespace) -> int:
    nginx_pid = procs.read_pid(layout.nginx / "nginx.pid")
    if nginx_pid is not None:
        subprocess.run(  # noqa: S603
            [
                "/usr/sbin/nginx",
                "-p",
                str(layout.nginx),
                "-c",
                str(layout.nginx / "nginx.conf"),
                "-s",
                "quit",
            ],
            check=False,
            capture_output=True,
        )
        _wait_gone(nginx_pid)
    for name in (*(f"gdx-{m}" for m in GDX_NODES), *WEB_NODES, "hub", *WORKERS, "s3", "redis"):
        if procs.stop(name, layout.pids):
            say("stopped", name)
    bouncer = procs.read_pid(layout.run / "pgbouncer.pid")
    if bouncer is not None:
        os.kill(bouncer, 15)
        _wait_gone(bouncer)
        say("stopped pgbouncer")
    for node in (*PG_NODES, "scratch"):
        data = layout.scratch if node == "scratch" else layout.pg_data(node)
        if procs.pg_running(data):
            procs.pg_ctl("stop", "-w", "-t", "60", "-m", "fast", "-D", str(data))
            say("stopped", node)
    return 0


def _wait_gone(pid: int, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)


def cmd_backup(layout: Layout, args: argparse.Namespace) -> int:
    target = base_backup(layout)
    say("base backup written to", target)
    return 0
