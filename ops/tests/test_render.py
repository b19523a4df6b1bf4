"""The cluster's configuration files, checked as text and, where a tool exists, by the tool
itself (nginx -t)."""

import configparser
import shutil
import subprocess
from pathlib import Path

import pytest

from ops import render
from ops.layout import Layout, Ports


@pytest.fixture
def layout(tmp_path):
    return Layout(base=tmp_path / "cluster", ports=Ports())


def test_nginx_balances_two_web_nodes_with_keepalive_and_passes_the_client_and_request_id(layout):
    conf = render.nginx_conf(layout, user=None)
    assert "server 127.0.0.1:8101 max_fails=1" in conf
    assert "server 127.0.0.1:8102 max_fails=1" in conf
    assert "keepalive 32;" in conf
    assert 'proxy_set_header Connection "";' in conf
    assert "proxy_set_header X-Real-IP $remote_addr;" in conf
    assert "proxy_set_header X-Request-ID $request_id;" in conf
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in conf
    assert '"request_id":"$request_id"' in conf  # the access log carries it too


def test_nginx_sends_the_hub_its_own_process_with_the_web_nodes_as_backup(layout):
    conf = render.nginx_conf(layout, user=None)
    hub = conf.split("upstream gdx_hub {")[1].split("}")[0]
    assert "server 127.0.0.1:8103" in hub
    assert "server 127.0.0.1:8101 backup;" in hub and "server 127.0.0.1:8102 backup;" in hub
    assert "location /gdx/ {\n            proxy_pass http://gdx_hub;" in conf


def test_nginx_never_retries_a_post_that_reached_a_node(layout):
    # nginx retries a non-idempotent request only with "non_idempotent": an answer that
    # reached a node that then died must not be stored twice by a retry.
    assert "non_idempotent" not in render.nginx_conf(layout, user=None)


def test_metrics_only_from_the_operators_network(layout):
    block = render.nginx_conf(layout, user=None).split("location = /metrics {")[1].split("}")[0]
    assert "allow 127.0.0.1;" in block and "deny all;" in block


def test_nginx_accepts_the_configuration(layout, tmp_path):
    # The real nginx parses what we render (CI installs nginx-light).
    nginx = Path("/usr/sbin/nginx")
    assert nginx.exists(), "nginx is not installed: apt-get install nginx-light"
    (layout.nginx / "temp").mkdir(parents=True)
    layout.logs.mkdir(parents=True)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=t"]
        + ["-keyout", str(layout.nginx / "tls.key"), "-out", str(layout.nginx / "tls.crt")],
        check=True,
        capture_output=True,
    )
    conf = layout.nginx / "nginx.conf"
    conf.write_text(render.nginx_conf(layout, user=None))
    result = subprocess.run(
        [str(nginx), "-t", "-p", str(layout.nginx), "-c", str(conf)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_pgbouncer_pools_by_transaction_and_names_both_servers(layout):
    ini = configparser.ConfigParser()
    ini.read_string(render.pgbouncer_ini(layout, primary_port=5433, replica_port=5434))
    assert ini["pgbouncer"]["pool_mode"] == "transaction"
    assert ini["pgbouncer"]["listen_port"] == "6432"
    assert "port=5433" in ini["databases"]["citizeninfo"]
    assert "port=5434" in ini["databases"]["citizeninfo_replica"]
    # After a failover both names point at the promoted node.
    after = configparser.ConfigParser()
    after.read_string(render.pgbouncer_ini(layout, primary_port=5434, replica_port=5434))
    assert "port=5434" in after["databases"]["citizeninfo"]


def test_primary_archives_every_wal_segment_and_waits_for_its_replica(layout):
    conf = render.postgresql_conf(layout, "pg1", sync_standby="pg2")
    assert "wal_level = 'replica'" in conf
    assert "archive_mode = 'on'" in conf
    assert f"archive_command = 'test ! -f {layout.archive}/%f && cp %p {layout.archive}/%f'" in conf
    assert "synchronous_standby_names = '\"pg2\"'" in conf
    assert "port = '5433'" in conf and "cluster_name = 'pg1'" in conf


def test_a_replica_waits_for_nobody_so_it_accepts_writes_once_promoted(layout):
    conf = render.postgresql_conf(layout, "pg2", sync_standby=None)
    assert "synchronous_standby_names = ''" in conf
    assert "port = '5434'" in conf


def test_quotes_in_a_path_cannot_break_the_configuration(tmp_path):
    odd = Layout(base=tmp_path / "it's here", ports=Ports())
    conf = render.postgresql_conf(odd, "pg1", sync_standby=None)
    assert "it''s here" in conf


def test_recovery_stops_at_the_point_in_time_and_reads_the_archive(layout):
    conf = render.recovery_conf(layout, target_time="2026-11-30 06:00:00+00")
    assert "recovery_target_time = '2026-11-30 06:00:00+00'" in conf
    assert f"restore_command = 'cp {layout.archive}/%f %p'" in conf
    assert "recovery_target_action = 'promote'" in conf
    assert "port = '5435'" in conf


def test_app_env_goes_through_pgbouncer_without_prepared_statements(layout):
    env = render.app_env(layout, secret_key="k" * 60, s3=False)
    assert env["DATABASE_URL"].endswith("127.0.0.1:6432/citizeninfo")
    assert env["DATABASE_REPLICA_URL"].endswith("127.0.0.1:6432/citizeninfo_replica")
    assert env["DB_PREPARED_STATEMENTS"] == "off"
    assert env["DB_DISABLE_SERVER_SIDE_CURSORS"] == "on"
    assert env["REDIS_URL"] == "redis://127.0.0.1:6380/0"
    assert env["CLIENT_IP_META"] == "HTTP_X_REAL_IP"
    assert "S3_BUCKET" not in env
    assert (
        render.app_env(layout, secret_key="k" * 60, s3=True)["S3_ENDPOINT_URL"]
        == "http://127.0.0.1:8104"
    )


def test_the_app_env_gives_settings_fit_for_transaction_pooling(layout):
    env = render.app_env(layout, secret_key="s" * 60, s3=False)
    code = (
        "from django.conf import settings as s; d = s.DATABASES; "
        "print(d['default'].get('DISABLE_SERVER_SIDE_CURSORS'), d['replica'].get('DISABLE_SERVER_SIDE_CURSORS'), "
        "'prepare_threshold' in d['default'].get('OPTIONS', {}), d['replica']['PORT'], d['replica']['NAME'])"
    )
    python = shutil.which("python", path=str(Path(__file__).resolve().parents[2] / ".venv" / "bin"))
    result = subprocess.run(
        [python or "python", "-c", f"import django; django.setup(); {code}"],
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "False", "6432", "citizeninfo_replica"]


def test_env_file_can_be_sourced(layout, tmp_path):
    env = {"A": "1", "DATABASE_URL": "postgres://x@h:1/db"}
    path = tmp_path / "env"
    path.write_text(render.env_file(env))
    out = subprocess.run(
        ["bash", "-c", f"set -a; . {path}; set +a; echo $DATABASE_URL"],
        capture_output=True,
        text=True,
    )
    assert out.stdout.strip() == "postgres://x@h:1/db"
