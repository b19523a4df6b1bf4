"""The configuration files of the local cluster, as text (pure functions, tested).

The same files, with real host names, are what a production deployment uses
(docs/operations.md); only the addresses and the self-signed certificate are local.
"""

from ops.layout import Layout


def _quote(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def postgresql_conf(layout: Layout, node: str, *, sync_standby: str | None) -> str:
    """Settings appended to a node's postgresql.auto.conf (primary and replica alike, so a
    promoted replica archives and streams exactly as the old primary did)."""
    settings = {
        "listen_addresses": "127.0.0.1",
        "port": layout.pg_port(node),
        "unix_socket_directories": str(layout.run),
        "cluster_name": node,  # also the application_name the replica streams under
        "max_connections": 120,
        "shared_buffers": "128MB",
        "wal_level": "replica",
        "max_wal_senders": 8,
        "wal_keep_size": "256MB",
        "hot_standby": "on",
        "hot_standby_feedback": "on",
        # Continuous archiving: every finished WAL segment is copied, never overwritten.
        "archive_mode": "on",
        "archive_command": f"test ! -f {layout.archive}/%f && cp %p {layout.archive}/%f",
        "archive_timeout": "60s",
        # Zero acknowledged writes lost on failover (ADR 0132): a commit returns once the
        # replica has the WAL on disk. With no replica configured, commits do not wait.
        "synchronous_standby_names": f'"{sync_standby}"' if sync_standby else "",
        "synchronous_commit": "on",
        "log_min_duration_statement": "1s",
        "log_line_prefix": "%m [%p] %q%u@%d ",
    }
    lines = ["# written by script/cluster (ops/render.py)"]
    lines += [f"{name} = {_quote(value)}" for name, value in settings.items()]
    return "\n".join(lines) + "\n"


def pg_hba_conf() -> str:
    # Trust on the loopback only: this is a drill topology on one machine. Production uses
    # scram-sha-256 and the nodes' own addresses (docs/operations.md).
    return (
        "# written by script/cluster\n"
        "local   all          all                  trust\n"
        "host    all          all   127.0.0.1/32   trust\n"
        "local   replication  all                  trust\n"
        "host    replication  all   127.0.0.1/32   trust\n"
    )


def recovery_conf(layout: Layout, *, target_time: str) -> str:
    """Point-in-time recovery of a base backup from the WAL archive into the scratch node."""
    settings = {
        "port": layout.ports.scratch,
        "cluster_name": "scratch",
        "archive_mode": "off",
        "synchronous_standby_names": "",
        "restore_command": f"cp {layout.archive}/%f %p",
        "recovery_target_time": target_time,
        "recovery_target_timeline": "latest",
        "recovery_target_action": "promote",
    }
    return "".join(f"{name} = {_quote(value)}\n" for name, value in settings.items())


def pgbouncer_ini(layout: Layout, *, primary_port: int, replica_port: int) -> str:
    """Transaction pooling in front of the primary; the replica's reads go through the same
    PgBouncer under another name, so a failover repoints both in one place."""
    return f"""\
;; written by script/cluster (ops/render.py); `script/cluster drill failover` rewrites it
[databases]
citizeninfo = host=127.0.0.1 port={primary_port} dbname=citizeninfo
citizeninfo_replica = host=127.0.0.1 port={replica_port} dbname=citizeninfo

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {layout.ports.pgbouncer}
unix_socket_dir = {layout.run}
auth_type = trust
auth_file = {layout.pg_root}/pgbouncer.users
admin_users = postgres
pool_mode = transaction
max_client_conn = 1000
default_pool_size = 20
reserve_pool_size = 5
server_login_retry = 1
query_wait_timeout = 60
server_reset_query =
ignore_startup_parameters = extra_float_digits,options
logfile = {layout.pg_logs}/pgbouncer.log
pidfile = {layout.run}/pgbouncer.pid
"""


def nginx_conf(layout: Layout, *, user: str | None) -> str:
    """nginx in front: TLS, keep-alive upstreams, the client's address and a request id
    passed to the app. A POST is retried on the other node only when it never reached the
    first (nginx's default for non-idempotent requests), so no answer is stored twice."""
    p = layout.ports
    d = layout.nginx
    web = "\n".join(f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;" for port in p.web)
    backups = "\n".join(f"    server 127.0.0.1:{port} backup;" for port in p.web)
    proxy = """\
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Request-ID $request_id;
        proxy_next_upstream error timeout http_502 http_503;
        proxy_next_upstream_tries 2;
        proxy_connect_timeout 2s;
        proxy_read_timeout 75s;"""
    user_line = f"user {user};\n" if user else ""
    return f"""\
# written by script/cluster (ops/render.py)
{user_line}worker_processes 1;
pid {d}/nginx.pid;
error_log {layout.logs}/nginx-error.log warn;
events {{ worker_connections 4096; }}

http {{
    client_body_temp_path {d}/temp/body;
    proxy_temp_path {d}/temp/proxy;
    fastcgi_temp_path {d}/temp/fastcgi;
    uwsgi_temp_path {d}/temp/uwsgi;
    scgi_temp_path {d}/temp/scgi;
    default_type application/octet-stream;
    server_tokens off;
    client_max_body_size 12m;

    log_format json escape=json '{{"time":"$time_iso8601","request_id":"$request_id",'
        '"client":"$remote_addr","method":"$request_method","uri":"$request_uri",'
        '"status":$status,"bytes":$body_bytes_sent,"seconds":$request_time,'
        '"upstream":"$upstream_addr","upstream_seconds":"$upstream_response_time"}}';
    access_log {layout.logs}/nginx-access.log json buffer=64k flush=2s;

    upstream citizeninfo {{
{web}
    keepalive 32;
    }}
    # The GDX hub runs in its own process; the web nodes stand in if it is down.
    upstream gdx_hub {{
    server 127.0.0.1:{p.hub} max_fails=1 fail_timeout=5s;
{backups}
    keepalive 16;
    }}

    server {{
        listen 127.0.0.1:{p.http};
        return 301 https://$host:{p.https}$request_uri;
    }}

    server {{
        listen 127.0.0.1:{p.https} ssl http2;
        ssl_certificate {d}/tls.crt;
        ssl_certificate_key {d}/tls.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_session_cache shared:tls:10m;
        # One X-Request-ID on every answer, nginx's own errors included (the app echoes it).
        proxy_hide_header X-Request-ID;
        add_header X-Request-ID $request_id always;

        # Operators only: metrics and the detailed health check.
        location = /metrics {{
            allow 127.0.0.1;
            deny all;
            proxy_pass http://citizeninfo;
{proxy}
        }}
        location /gdx/ {{
            proxy_pass http://gdx_hub;
{proxy}
        }}
        location / {{
            proxy_pass http://citizeninfo;
{proxy}
        }}
    }}
}}
"""


def app_env(layout: Layout, *, secret_key: str, s3: bool) -> dict[str, str]:
    """The environment of every web node, the hub and the task workers."""
    p = layout.ports
    env = {
        "DJANGO_SETTINGS_MODULE": "citizeninfo.settings.production",
        "SECRET_KEY": secret_key,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{p.pgbouncer}/citizeninfo",
        "DATABASE_REPLICA_URL": f"postgres://postgres@127.0.0.1:{p.pgbouncer}/citizeninfo_replica",
        # PgBouncer 1.18 (Debian 12) in transaction mode keeps no prepared statements and
        # cannot hold a server-side cursor across transactions.
        "DB_PREPARED_STATEMENTS": "off",
        "DB_DISABLE_SERVER_SIDE_CURSORS": "on",
        "DB_CONN_MAX_AGE": "600",
        "REDIS_URL": f"redis://127.0.0.1:{p.redis}/0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CSRF_TRUSTED_ORIGINS": f"https://127.0.0.1:{p.https},https://localhost:{p.https}",
        "PUBLIC_BASE_URL": layout.public_url(),
        "CLIENT_IP_META": "HTTP_X_REAL_IP",
        "CITIZENINFO_VAR_DIR": str(layout.app_var),
        "SECURE_HSTS_SECONDS": "0",  # a self-signed certificate on 127.0.0.1
        "METRICS_ALLOWED_NETWORKS": "127.0.0.1/32",
        "LOG_FORMAT": "json",  # one JSON object per line with nginx's X-Request-ID
        # The drills' load comes from one address (127.0.0.1); per-device limits still hold.
        "FEEDBACK_NETWORK_LIMIT_PER_HOUR": "1000000",
        "FEEDBACK_NETWORK_HARD_LIMIT_PER_HOUR": "1000000",
        "FEEDBACK_NETWORK_POINT_LIMIT_PER_HOUR": "1000000",
        "COMPLAINTS_NETWORK_LIMIT_PER_HOUR": "1000000",
        "COMPLAINTS_NETWORK_HARD_LIMIT_PER_HOUR": "1000000",
        "WEB_WORKERS": "1",
        "WEB_THREADS": "4",
    }
    if s3:  # moto's standalone server (dev extras) stands in for object storage
        env.update(
            {
                "S3_BUCKET": "citizeninfo",
                "S3_ENDPOINT_URL": f"http://127.0.0.1:{p.s3}",
                "S3_REGION": "us-east-1",
                "S3_ACCESS_KEY_ID": "cluster",
                "S3_SECRET_ACCESS_KEY": "cluster-secret",
                "S3_ADDRESSING_STYLE": "path",
            }
        )
    return env


def env_file(env: dict[str, str]) -> str:
    """A file an operator can `source` to run manage.py against the cluster."""
    lines = ["# written by script/cluster: `set -a; . var/cluster/env; set +a`"]
    for name, value in sorted(env.items()):
        lines.append(f"{name}='{value}'")
    return "\n".join(lines) + "\n"
