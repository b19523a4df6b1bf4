"""Hub settings. Each reads Django settings first, then the environment, then a default,
so deployments set environment variables and tests override settings."""

import json
import os
from pathlib import Path

from django.conf import settings

from gdx_protocol.encoding import b64d
from gdx_protocol.trust import WitnessKey


def hub_key_file() -> Path:
    """The hub's private signing key (PKCS#8 PEM, mode 0600). Never committed: var/ is ignored."""
    value = getattr(settings, "GDX_HUB_KEY_FILE", None) or os.environ.get("GDX_HUB_KEY_FILE")
    return Path(value) if value else Path(settings.VAR_DIR) / "gdx" / "hub" / "signing.pem"


def hub_id() -> str:
    return getattr(settings, "GDX_HUB_ID", None) or os.environ.get("GDX_HUB_ID", "gdx-hub")


def directory_ttl() -> int:
    return int(
        getattr(settings, "GDX_DIRECTORY_TTL", 0) or os.environ.get("GDX_DIRECTORY_TTL", 3600)
    )


def forward_timeout() -> float:
    return float(
        getattr(settings, "GDX_FORWARD_TIMEOUT", 0) or os.environ.get("GDX_FORWARD_TIMEOUT", 20)
    )


def demo_dir() -> Path:
    """Where `gdx_demo_setup` keeps the demo nodes' keys and configs: apart from the hub's
    own key, because in real life the nodes run at the agencies, not on the hub."""
    return Path(settings.VAR_DIR) / "gdx-nodes"


def witnesses() -> list[WitnessKey]:
    """Witnesses whose cosignatures the hub accepts and publishes (ADR 0006):
    ``[{"name", "alg", "pub"}]`` in settings.GDX_WITNESSES or the env var as JSON."""
    raw = getattr(settings, "GDX_WITNESSES", None)
    if raw is None:
        raw = json.loads(os.environ.get("GDX_WITNESSES", "[]") or "[]")
    return [
        WitnessKey(str(w["name"]), str(w["alg"]), b64d(str(w["pub"]), field="witness pub"))
        for w in raw
    ]
