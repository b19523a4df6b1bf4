"""The demo network `script/server` runs: a provider node and a consumer node beside the hub.

`manage.py gdx_demo_setup` writes their keys and configs under var/gdx/; the portal's demo
page talks to the consumer node the way an agency's own service system would.
"""

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from exchange import conf

PROVIDER = "dopa-bora"
CONSUMER = "dol-kkn"
PROVIDER_PORT = 8701
CONSUMER_PORT = 8702
PURPOSE = "land-title-transfer"
LEGAL_BASIS = "Land Code B.E. 2497 s.71; PDPA s.24(4)"
SAMPLE_OPTIONS = {"seed": 2568, "houses": 200}


def nodes_dir() -> Path:
    return conf.demo_dir()


def node_config_path(member: str) -> Path:
    return nodes_dir() / f"{member}.json"


def load_node_config(member: str) -> dict[str, Any] | None:
    path = node_config_path(member)
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def sample_citizen_ids(count: int = 3) -> list[str]:
    """Synthetic IDs the sample provider knows, generated in memory (never stored by the hub)."""
    from agency_node.sample_provider import SampleCivilRegistry  # lazy: demo

    return SampleCivilRegistry(**SAMPLE_OPTIONS).citizen_ids()[:count]


def consumer_request(
    *, document_type: str, citizen_id: str, purpose: str, officer: str
) -> tuple[int, dict[str, Any]]:
    """POST the consumer node's loopback /request, as the agency's own system would."""
    cfg = load_node_config(CONSUMER)
    if cfg is None:
        return 503, {"error": "demo_not_set_up"}
    body = json.dumps(
        {
            "document_type": document_type,
            "citizen_id": citizen_id,
            "purpose": purpose,
            "officer": officer,
            "legal_basis": LEGAL_BASIS,
        }
    ).encode()
    url = f"http://127.0.0.1:{cfg['listen_port']}/request"
    req = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {cfg.get('local_token') or ''}",
        },
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310 - loopback only
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        try:
            return exc.code, json.loads(exc.read())
        except ValueError:
            return exc.code, {"error": "node_error"}
    except OSError:
        return 503, {"error": "node_unreachable"}
