"""A directory witness (ADR 0006): fetch the hub's directory, check it, cosign, return the
cosignature. Run by bodies the hub does not control (EGA, OPDC, DOPA) or by nodes.

    python -m agency_node witness --config witness.json [--once]

``witness.json``: ``{"name", "key_file" (made by identity-keygen), "hub_url", "hub_keys",
"state_file", "interval"}``. Nodes list the witness's public key in their ``witnesses``.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from gdx_protocol.directory import HubKey
from gdx_protocol.encoding import b64d
from gdx_protocol.errors import GdxError
from gdx_protocol.trust import THREATS_BY_CODE, Witness, directory_digest

from .keystore import load_identity

log = logging.getLogger("agency_node.witness")


class Http(Protocol):
    def get(self, url: str) -> tuple[int, bytes]: ...
    def post(self, url: str, body: bytes) -> tuple[int, bytes]: ...


@dataclass
class WitnessConfig:
    name: str
    key_file: Path
    hub_url: str
    hub_keys: list[HubKey]
    state_file: Path
    interval: float = 60.0

    @classmethod
    def load(cls, path: str | Path) -> WitnessConfig:
        p = Path(path)
        raw: dict[str, Any] = json.loads(p.read_text(encoding="utf-8"))

        def rel(value: str) -> Path:
            q = Path(value)
            return q if q.is_absolute() else p.parent / q

        return cls(
            name=str(raw["name"]),
            key_file=rel(raw["key_file"]),
            hub_url=str(raw["hub_url"]).rstrip("/"),
            hub_keys=[HubKey(k["alg"], b64d(k["pub"], field="hub pub")) for k in raw["hub_keys"]],
            state_file=rel(raw.get("state_file", "witness-state.json")),
            interval=float(raw.get("interval", 60)),
        )

    def witness(self) -> Witness:
        return Witness(self.name, load_identity(self.key_file), self.hub_keys, self.state_file)


def witness_round(witness: Witness, http: Http, hub_url: str, *, now: int | None = None) -> dict:
    """One round: fetch, check and cosign, send back. Returns what happened; a refusal is
    logged at CRITICAL with its threat numbers, as the nodes do."""
    now = int(time.time()) if now is None else now
    status, data = http.get(hub_url + "/gdx/directory")
    if status != 200:
        return {"ok": False, "error": f"directory fetch failed with HTTP {status}"}
    try:
        cosig = witness.cosign(data, now=now)
    except GdxError as exc:
        threats = THREATS_BY_CODE.get(exc.code, ())
        log.critical("GDX ALARM %s (threats %s): %s", exc.code, ",".join(threats), exc.message)
        return {"ok": False, "error": exc.code, "threats": list(threats), "detail": exc.message}
    body = json.loads(data)["body"]
    payload = json.dumps({"digest": directory_digest(body), "cosignature": cosig}).encode()
    status, answer = http.post(hub_url + "/gdx/directory/cosignature", payload)
    return {"ok": status == 200, "serial": body["serial"], "status": status}
