# mypy: ignore-errors
# (factory_boy and pytest fixtures are untyped; the code under test is checked.)
"""The hub (`manage.py runserver`), a provider node and a consumer node as separate processes
over real HTTP on loopback, on a file-based SQLite database of their own.

After a full exchange (and a refused one) every table and column of the hub's database,
every line the hub printed and every file under its var directory is searched for the
citizen's ID, name and address: none may appear.
"""

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from agency_node.sample_provider import SampleCivilRegistry
from exchange import demo

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, proc: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"{proc.args} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer")


@pytest.fixture(scope="module")
def network(tmp_path_factory):
    var = tmp_path_factory.mktemp("hub-var")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "GDX_HUB_KEY_FILE")}
    hub_port, prov_port, cons_port = _free_port(), _free_port(), _free_port()
    env.update(
        CITIZENINFO_VAR_DIR=str(var),
        DJANGO_SETTINGS_MODULE="citizeninfo.settings.dev",
        DEBUG="0",
        LOG_LEVEL="DEBUG",
        PYTHONUNBUFFERED="1",
    )

    def manage(*args: str) -> None:
        subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True)

    manage("migrate", "--noinput", "-v", "0")
    manage("demo_data", "--once", "--force")
    manage(
        "gdx_demo_setup",
        f"--hub-url=http://127.0.0.1:{hub_port}",
        f"--provider-port={prov_port}",
        f"--consumer-port={cons_port}",
    )
    # The provider checks every forward against the hub's log (T18), not one in 16.
    prov_cfg = var / "gdx-nodes" / f"{demo.PROVIDER}.json"
    prov_cfg.write_text(json.dumps({**json.loads(prov_cfg.read_text()), "log_check_every": 1}))
    logs = tmp_path_factory.mktemp("logs")
    hub_log = open(logs / "hub.log", "wb")  # noqa: SIM115
    hub = subprocess.Popen(
        [PY, "manage.py", "runserver", f"127.0.0.1:{hub_port}", "--noreload", "--skip-checks"],
        cwd=ROOT,
        env={**env, "DEBUG": "1"},
        stdout=hub_log,
        stderr=subprocess.STDOUT,
    )
    nodes = []
    for member, port in ((demo.PROVIDER, prov_port), (demo.CONSUMER, cons_port)):
        out = open(logs / f"{member}.log", "wb")  # noqa: SIM115
        nodes.append(
            subprocess.Popen(
                [
                    PY,
                    "-m",
                    "agency_node",
                    "serve",
                    "--config",
                    str(var / "gdx-nodes" / f"{member}.json"),
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        )
        _wait(f"http://127.0.0.1:{port}/healthz", nodes[-1])
    _wait(f"http://127.0.0.1:{hub_port}/healthz", hub)
    try:
        yield {
            "var": var,
            "env": env,
            "hub": hub,
            "logs": logs,
            "hub_url": f"http://127.0.0.1:{hub_port}",
        }
    finally:
        for proc in (hub, *nodes):
            proc.terminate()
        for proc in (hub, *nodes):
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        hub_log.close()


def _cli_request(network, citizen_id: str, purpose: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            PY,
            "-m",
            "agency_node",
            "request",
            "--config",
            str(network["var"] / "gdx-nodes" / f"{demo.CONSUMER}.json"),
            "--type",
            "person_record",
            "--citizen-id",
            citizen_id,
            "--purpose",
            purpose,
            "--officer",
            "officer-0042",
        ],
        cwd=ROOT,
        env=network["env"],
        capture_output=True,
        text=True,
        timeout=60,
    )


def _needles(person: dict, house: dict) -> list[str]:
    address = house.get("address") or person.get("address") or {}
    values = [
        person["citizen_id"],
        f"{person['first_name']} {person['last_name']}",
        person["last_name"],
        person["house_id"],
        json.dumps(address, ensure_ascii=False, sort_keys=True, separators=(",", ":")),
    ]
    values += [
        f"{address.get('house_no')} หมู่ {address.get('moo')}",
        json.dumps(address, sort_keys=True, separators=(",", ":")),  # \\u-escaped form
    ]
    return [v for v in values if v]


def test_a_full_exchange_leaves_no_citizen_data_at_the_hub(network):
    registry = SampleCivilRegistry(**demo.SAMPLE_OPTIONS)
    citizen_id = registry.citizen_ids()[7]
    person = registry.fetch("person_record", citizen_id)
    house = registry.fetch("house_registration", citizen_id)

    done = _cli_request(network, citizen_id, demo.PURPOSE)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["status"] == "found"
    assert result["document"]["citizen_id"] == citizen_id
    assert result["document"]["last_name"] == person["last_name"]

    refused = _cli_request(network, citizen_id, "curiosity")
    assert refused.returncode == 2
    assert json.loads(refused.stderr)["error"] == "no_access_right"

    # The provider found its answered request in the hub's log, under a signed tree head.
    provider_log = network["logs"] / f"{demo.PROVIDER}.log"
    deadline = time.monotonic() + 20
    while b"is in the hub's log at index 0" not in provider_log.read_bytes():
        assert time.monotonic() < deadline, provider_log.read_text(errors="replace")[-2000:]
        time.sleep(0.2)
    assert b"GDX ALARM" not in provider_log.read_bytes()

    # The hub's side of the story: metadata only.
    with urllib.request.urlopen(network["hub_url"] + "/gdx/log/sth") as resp:
        assert json.loads(resp.read())["tree_size"] == 3  # request, response, refused
    network["hub"].terminate()
    network["hub"].wait(timeout=10)

    needles = _needles(person, house)
    found: list[str] = []

    db = sqlite3.connect(network["var"] / "db.sqlite3")
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    assert "exchange_exchange" in tables and "exchange_auditlogleaf" in tables
    assert db.execute("SELECT count(*) FROM exchange_exchange").fetchone()[0] == 2
    for table in tables:
        cursor = db.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - names from sqlite_master
        columns = [d[0] for d in cursor.description]
        for row in cursor:
            for column, value in zip(columns, row, strict=True):
                if value is None:
                    continue
                text = (
                    bytes(value).decode("utf-8", "replace")
                    if isinstance(value, bytes | memoryview)
                    else str(value)
                )
                found += [f"{table}.{column}: {n}" for n in needles if n in text]
    db.close()

    for path in [*network["var"].rglob("*"), network["logs"] / "hub.log"]:
        if path.is_file():
            data = path.read_bytes()
            found += [f"{path}: {n}" for n in needles if n.encode("utf-8") in data]

    assert not found, found
    hub_log = (network["logs"] / "hub.log").read_text("utf-8", "replace")
    assert "/gdx/exchange" in hub_log  # the hub did log the traffic, just not the content
