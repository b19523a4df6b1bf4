"""Issue 16: a demo node that cannot take its port is reported, and `start` fails."""

import json
import os
import socket
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_taken_port_is_a_clear_failure(tmp_path):
    nodes = tmp_path / "gdx-nodes"
    nodes.mkdir()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for node in ("dopa-bora", "dol-kkn"):
            (nodes / f"{node}.json").write_text(json.dumps({"listen_port": port}))
        done = subprocess.run(
            [str(ROOT / "script" / "gdx-nodes"), "start"],
            env={**os.environ, "CITIZENINFO_VAR_DIR": str(tmp_path)},
            capture_output=True,
            text=True,
            timeout=60,
        )
    subprocess.run(
        [str(ROOT / "script" / "gdx-nodes"), "stop"],
        env={**os.environ, "CITIZENINFO_VAR_DIR": str(tmp_path)},
        timeout=60,
    )
    assert done.returncode == 1
    assert f"dopa-bora did not start on port {port}" in done.stderr


def test_the_server_script_chooses_free_ports_and_says_what_failed():
    text = (ROOT / "script" / "server").read_text()
    assert "--provider-port" in text and "free(8701)" in text
    assert "GDX demo nodes NOT running" in text
