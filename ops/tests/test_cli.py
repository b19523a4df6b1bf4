"""script/cluster's command line: arguments, ports, and status of a cluster that is not running."""

import json
import subprocess
from pathlib import Path

import pytest

from ops import cli, drills
from ops.layout import Layout
from ops.load import letters


def test_unknown_command_and_drill_are_refused(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["reboot"])
    assert exit_.value.code == 2
    with pytest.raises(SystemExit) as exit_:
        cli.main(["drill", "earthquake"])
    assert exit_.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_every_drill_can_be_named():
    for name in ["web", "failover", "restore", "redis", "tasks", "all"]:
        args = cli.parser().parse_args(["drill", name, "--seconds", "5", "--no-write"])
        assert args.name == name and args.seconds == 5 and args.no_write


def test_drill_defaults_to_all():
    assert cli.parser().parse_args(["drill"]).name == "all"


def test_a_bad_port_is_a_usage_error(monkeypatch, capsys):
    monkeypatch.setenv("CLUSTER_HTTPS_PORT", "eighty")
    with pytest.raises(SystemExit) as exit_:
        cli.main(["status"])
    assert exit_.value.code == 2
    assert "CLUSTER_HTTPS_PORT must be a port number" in capsys.readouterr().err


def test_two_services_on_one_port_are_refused(monkeypatch):
    monkeypatch.setenv("CLUSTER_REDIS_PORT", "6432")
    with pytest.raises(ValueError, match="same port"):
        Layout.from_env()


def test_the_cluster_lives_under_the_var_dir(monkeypatch, tmp_path):
    monkeypatch.delenv("CLUSTER_DIR", raising=False)
    monkeypatch.setenv("CITIZENINFO_VAR_DIR", str(tmp_path))
    layout = Layout.from_env()
    assert layout.base == tmp_path / "cluster"
    assert layout.pg_data("pg1") == tmp_path / "cluster" / "pg" / "pg1"
    assert layout.state() == {"primary": "pg1", "replica": "pg2"}
    layout.save_state(primary="pg2", replica="pg1")
    assert Layout.from_env().state() == {"primary": "pg2", "replica": "pg1"}


def test_status_of_a_cluster_that_is_not_running_says_down_and_exits_1(
    monkeypatch, tmp_path, capsys
):
    monkeypatch.setenv("CLUSTER_DIR", str(tmp_path / "c"))
    # Ports nobody listens on, so a developer's running cluster is not seen.
    for n, name in enumerate(
        [
            "HTTPS",
            "HTTP",
            "PG1",
            "PG2",
            "SCRATCH",
            "PGBOUNCER",
            "REDIS",
            "WEB1",
            "WEB2",
            "HUB",
            "S3",
        ]
    ):
        monkeypatch.setenv(f"CLUSTER_{name}_PORT", str(1 + n))
    monkeypatch.setenv("CLUSTER_GDX_PROVIDER_PORT", "20")
    monkeypatch.setenv("CLUSTER_GDX_CONSUMER_PORT", "21")
    assert cli.main(["status", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert not any(c["up"] for c in report["components"].values())
    assert report["details"]["replication"] == "primary not answering"


def test_drill_markers_are_letters_and_unique():
    seen = {letters(n) for n in range(5000)}
    assert len(seen) == 5000
    assert all(m.isalpha() for m in seen)  # comments are masked for digits, letters pass


def test_a_drill_result_replaces_its_own_block_in_the_operations_doc(monkeypatch, tmp_path):
    doc = tmp_path / "operations.md"
    doc.write_text("# Operations\n\nintro\n")
    monkeypatch.setattr(drills, "DOCS", doc)
    drills.write_result("web", "1. Web", {"failures": [], "rows": [("a", "1")], "took": 3})
    drills.write_result("web", "1. Web", {"failures": ["lost 2"], "rows": [("a", "2")], "took": 4})
    text = doc.read_text()
    assert text.count("<!-- drill:web:start -->") == 1
    assert "| a | 2 |" in text and "| a | 1 |" not in text
    assert "**failed**: lost 2" in text
    assert text.startswith("# Operations\n\nintro\n")


def test_the_script_refuses_a_wrong_command_with_usage():
    script = Path(__file__).resolve().parents[2] / "script" / "cluster"
    result = subprocess.run([str(script), "drill", "earthquake"], capture_output=True, text=True)
    assert result.returncode == 2
    assert "usage: script/cluster" in result.stderr
