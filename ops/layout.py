"""Where the local cluster keeps its data and which ports it listens on (no Django).

Everything lives under one directory, `var/cluster/` by default (`CLUSTER_DIR`), so `down`
and a fresh `up` never touch the machine's own PostgreSQL (5432) or Redis (6379).
"""

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_NODES = ("pg1", "pg2")


def _port(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise ValueError(f"{name} must be a port number, not {value!r}")
    return int(value)


@dataclass(frozen=True)
class Ports:
    https: int = 8443
    http: int = 8080
    pg: tuple[int, int] = (5433, 5434)
    scratch: int = 5435
    pgbouncer: int = 6432
    redis: int = 6380
    web: tuple[int, int] = (8101, 8102)
    hub: int = 8103
    s3: int = 8104
    gdx_nodes: tuple[int, int] = (8105, 8106)  # the demo provider and consumer agency nodes

    @classmethod
    def from_env(cls) -> "Ports":
        return cls(
            https=_port("CLUSTER_HTTPS_PORT", 8443),
            http=_port("CLUSTER_HTTP_PORT", 8080),
            pg=(_port("CLUSTER_PG1_PORT", 5433), _port("CLUSTER_PG2_PORT", 5434)),
            scratch=_port("CLUSTER_SCRATCH_PORT", 5435),
            pgbouncer=_port("CLUSTER_PGBOUNCER_PORT", 6432),
            redis=_port("CLUSTER_REDIS_PORT", 6380),
            web=(_port("CLUSTER_WEB1_PORT", 8101), _port("CLUSTER_WEB2_PORT", 8102)),
            hub=_port("CLUSTER_HUB_PORT", 8103),
            s3=_port("CLUSTER_S3_PORT", 8104),
            gdx_nodes=(
                _port("CLUSTER_GDX_PROVIDER_PORT", 8105),
                _port("CLUSTER_GDX_CONSUMER_PORT", 8106),
            ),
        )

    def all(self) -> list[int]:
        return [
            self.https,
            self.http,
            *self.pg,
            self.scratch,
            self.pgbouncer,
            self.redis,
            *self.web,
            self.hub,
            self.s3,
            *self.gdx_nodes,
        ]


@dataclass(frozen=True)
class Layout:
    base: Path
    ports: Ports = field(default_factory=Ports)

    @classmethod
    def from_env(cls) -> "Layout":
        default = Path(os.environ.get("CITIZENINFO_VAR_DIR", ROOT / "var")) / "cluster"
        base = Path(os.environ.get("CLUSTER_DIR", default)).resolve()
        ports = Ports.from_env()
        if len(set(ports.all())) != len(ports.all()):
            raise ValueError("two cluster services were given the same port")
        return cls(base=base, ports=ports)

    # PostgreSQL's files are owned by the postgres user when the script runs as root.
    @property
    def pg_root(self) -> Path:
        return self.base / "pg"

    def pg_data(self, node: str) -> Path:
        return self.pg_root / node

    def pg_port(self, node: str) -> int:
        return self.ports.pg[PG_NODES.index(node)]

    @property
    def run(self) -> Path:
        return self.pg_root / "run"  # sockets and pid files, shared with PgBouncer

    @property
    def archive(self) -> Path:
        return self.pg_root / "wal-archive"

    @property
    def backups(self) -> Path:
        return self.pg_root / "base-backups"

    @property
    def scratch(self) -> Path:
        return self.pg_root / "scratch"

    @property
    def pg_logs(self) -> Path:
        return self.pg_root / "log"

    @property
    def logs(self) -> Path:
        return self.base / "log"

    @property
    def pids(self) -> Path:
        return self.base / "pid"

    @property
    def app_var(self) -> Path:
        return self.base / "app"

    @property
    def nginx(self) -> Path:
        return self.base / "nginx"

    @property
    def redis(self) -> Path:
        return self.base / "redis"

    @property
    def state_file(self) -> Path:
        return self.base / "state.json"

    # Which PostgreSQL node is the primary changes with a failover.
    def state(self) -> dict[str, str]:
        if self.state_file.exists():
            return json.loads(self.state_file.read_text())
        return {"primary": PG_NODES[0], "replica": PG_NODES[1]}

    def save_state(self, *, primary: str, replica: str) -> None:
        self.base.mkdir(parents=True, exist_ok=True)
        self.state_file.write_text(json.dumps({"primary": primary, "replica": replica}) + "\n")

    def public_url(self) -> str:
        return f"https://127.0.0.1:{self.ports.https}"
