"""Shared flow helpers for protocol tests."""

from __future__ import annotations

import json
from typing import Any

from gdx_protocol import (
    InMemoryReplayCache,
    build_request,
    build_response,
    canonical_json,
    hub_forward_request,
    open_forwarded_request,
)
from gdx_protocol.encoding import b64e
from gdx_protocol.signing import signed_message

from .fixtures import CITIZEN, PSEUDONYM_KEY, World

DOC = {"citizen_id": CITIZEN, "first_name": "สมชาย", "last_name": "ใจดี"}


def request(w: World, **kw: Any):
    args: dict[str, Any] = dict(
        provider=w.provider.member_id,
        document_type="person_record",
        citizen_id=CITIZEN,
        purpose="welfare eligibility",
        officer="officer-7",
        legal_basis="PDPA s.24(4)",
        pseudonym_key=PSEUDONYM_KEY,
    )
    args.update(kw)
    return build_request(w.consumer, w.directory, **args)


def forward(w: World, req: bytes, log_index: int = 0, hub_key=None, **kw: Any) -> bytes:
    return hub_forward_request(
        req, hub_key or w.hub_key, hub_id="gdx-hub", log_index=log_index, **kw
    )


def provider_open(w: World, fwd: bytes, cache=None, **kw: Any):
    return open_forwarded_request(
        fwd,
        identity=w.provider,
        directory=w.directory,
        hub_keys=w.anchors,
        pseudonym_key=PSEUDONYM_KEY,
        replay_cache=InMemoryReplayCache() if cache is None else cache,
        **kw,
    )


def respond(w: World, req: bytes, document: Any = DOC, **kw: Any) -> bytes:
    opened = provider_open(w, forward(w, req))
    return build_response(opened, document, identity=w.provider, directory=w.directory, **kw)


def mutate(data: bytes, fn) -> bytes:
    obj = json.loads(data)
    fn(obj)
    return canonical_json(obj)


def resign(obj: dict, label: str, body_keys: tuple[str, ...], key) -> dict:
    """Re-sign an edited envelope with ``key`` (simulates a compromised signer)."""
    body = {k: obj[k] for k in body_keys}
    obj["sig"] = b64e(key.sign(signed_message(label, body)))
    return obj
