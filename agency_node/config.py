"""Node configuration (JSON file); relative paths resolve against the file's folder."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gdx_protocol.directory import HubKey
from gdx_protocol.encoding import b64d
from gdx_protocol.trust import WitnessKey


@dataclass
class NodeConfig:
    member_id: str
    key_dir: Path
    hub_url: str
    hub_keys: list[HubKey]
    pseudonym_key: bytes = field(repr=False)
    listen_host: str = "127.0.0.1"
    listen_port: int = 8701
    data_source: str | None = None
    data_source_options: dict[str, Any] = field(default_factory=dict)
    providers: dict[str, str] = field(default_factory=dict)  # document_type -> member id
    request_ttl: int = 120
    directory_refresh: int = 300
    local_token: str | None = None  # if set, POST /request needs "Authorization: Bearer ..."
    http_timeout: float = 30.0
    # Where the node keeps what must survive a restart: replay caches, learnt pins.
    state_dir: Path | None = None
    # member id -> identity key fingerprint (hex SHA-256), compared out of band (T2).
    identity_pins: dict[str, str] = field(default_factory=dict)
    # Refuse members that have no identity key at all (off while members migrate).
    require_identity: bool = False
    witnesses: list[WitnessKey] = field(default_factory=list)
    witness_quorum: int = 0
    # Provider: after answering, check that one forward in this many is in the hub's audit
    # log at the index the hub signed (0 = never; 1 = every forward). T18.
    log_check_every: int = 16
    # Provider: how long after answering to run that check. The hub proves inclusion under
    # its newest signed tree head when that head covers the request, so checks made a
    # little after the fact share one head instead of each making the hub sign a new one.
    log_check_delay: float = 2.0
    # Provider: how many times to ask for that proof while the hub cannot be reached or is
    # busy (5xx, 429), each wait four times the last (2 s, then 8, 32, 128 s); a hub that
    # never proves the index it countersigned is reported (T18, `log_unproven`).
    log_check_attempts: int = 4

    @classmethod
    def from_dict(cls, raw: dict[str, Any], base: Path) -> NodeConfig:
        def path(value: str) -> Path:
            p = Path(value)
            return p if p.is_absolute() else base / p

        if "pseudonym_key_file" in raw:
            pkey = b64d(path(raw["pseudonym_key_file"]).read_text().strip(), field="pseudonym")
        else:
            pkey = b64d(raw["pseudonym_key"], field="pseudonym")
        witnesses = [
            WitnessKey(str(w["name"]), str(w["alg"]), b64d(w["pub"], field="witness pub"))
            for w in raw.get("witnesses", [])
        ]
        return cls(
            member_id=raw["member_id"],
            key_dir=path(raw.get("key_dir", "keys")),
            hub_url=raw["hub_url"].rstrip("/"),
            hub_keys=[HubKey(k["alg"], b64d(k["pub"], field="hub pub")) for k in raw["hub_keys"]],
            pseudonym_key=pkey,
            listen_host=raw.get("listen_host", "127.0.0.1"),
            listen_port=int(raw.get("listen_port", 8701)),
            data_source=raw.get("data_source"),
            data_source_options=raw.get("data_source_options", {}),
            providers=raw.get("providers", {}),
            request_ttl=int(raw.get("request_ttl", 120)),
            directory_refresh=int(raw.get("directory_refresh", 300)),
            local_token=raw.get("local_token"),
            http_timeout=float(raw.get("http_timeout", 30.0)),
            state_dir=path(raw.get("state_dir", "state")),
            identity_pins={str(k): str(v) for k, v in raw.get("identity_pins", {}).items()},
            require_identity=bool(raw.get("require_identity", False)),
            log_check_every=int(raw.get("log_check_every", 16)),
            log_check_delay=float(raw.get("log_check_delay", 2.0)),
            log_check_attempts=max(1, int(raw.get("log_check_attempts", 4))),
            witnesses=witnesses,
            witness_quorum=int(
                raw.get("witness_quorum", len(witnesses) // 2 + 1 if witnesses else 0)
            ),
        )

    @classmethod
    def load(cls, path: str | Path) -> NodeConfig:
        p = Path(path)
        return cls.from_dict(json.loads(p.read_text(encoding="utf-8")), p.parent)
