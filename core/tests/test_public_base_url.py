"""PUBLIC_BASE_URL: derived from where the demo runs, required in production."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _settings_value(env: dict, module: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"PUBLIC_BASE_URL", "PORT", "HOST"}}
    clean.update(env, DJANGO_SETTINGS_MODULE=module)
    return subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.PUBLIC_BASE_URL)"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_demo_derives_it_from_host_and_port():
    done = _settings_value({"PORT": "8163", "HOST": "127.0.0.1"}, "citizeninfo.settings.dev")
    assert done.stdout.strip() == "http://127.0.0.1:8163"


def test_an_explicit_address_wins_without_trailing_slash():
    done = _settings_value(
        {"PORT": "8163", "PUBLIC_BASE_URL": "https://info.go.th/"}, "citizeninfo.settings.dev"
    )
    assert done.stdout.strip() == "https://info.go.th"


def test_production_refuses_to_start_without_it():
    env = {"SECRET_KEY": "x" * 60}
    done = _settings_value(env, "citizeninfo.settings.production")
    assert done.returncode != 0
    assert "Set PUBLIC_BASE_URL" in done.stderr
    done = _settings_value(
        {**env, "PUBLIC_BASE_URL": "info.go.th"}, "citizeninfo.settings.production"
    )
    assert done.returncode != 0
    done = _settings_value(
        {**env, "PUBLIC_BASE_URL": "https://info.go.th"}, "citizeninfo.settings.production"
    )
    assert done.stdout.strip() == "https://info.go.th", done.stderr


def test_server_script_exports_it():
    text = (ROOT / "script" / "server").read_text()
    assert 'PUBLIC_BASE_URL="http://${public_host}:${PORT}"' in text
    assert "export PUBLIC_BASE_URL" in text
