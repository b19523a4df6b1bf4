"""Witness cosignatures over a signed directory (T4), shared by directory.py and trust.py.

A module of its own so that loading a directory can check cosignatures without importing trust.py,
which itself builds on the directory (no import cycle).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from . import schema
from .encoding import canonical_json
from .errors import BadSignatureError, WitnessQuorumError
from .keys import key_id, verify_signature
from .signing import signed_message

LABEL_COSIG = "directory-cosig"


@dataclass(frozen=True)
class WitnessKey:
    name: str
    alg: str
    public_raw: bytes = field(repr=False)

    @property
    def kid(self) -> str:
        return key_id(self.public_raw)


def directory_digest(body: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(body)).hexdigest()


def cosignature_message(body: dict[str, Any], timestamp: int) -> bytes:
    return signed_message(
        LABEL_COSIG,
        {
            "issuer": body["issuer"],
            "serial": body["serial"],
            "digest": directory_digest(body),
            "timestamp": timestamp,
        },
    )


def verify_cosignatures(
    doc: dict[str, Any], witnesses: Iterable[WitnessKey], quorum: int
) -> list[str]:
    """Names of the configured witnesses whose cosignature verifies; raise below quorum."""
    by_kid = {w.kid: w for w in witnesses}
    signed: dict[str, str] = {}
    for raw in schema.array(doc.get("cosignatures", []), "cosignatures", max_items=64):
        c = schema.obj(raw, "cosignature", {"witness_kid", "alg", "timestamp", "sig"})
        w = by_kid.get(schema.text(c["witness_kid"], "witness_kid", pattern=schema.KID_RE))
        if w is None or w.alg != c["alg"]:
            continue
        try:
            verify_signature(
                w.alg,
                w.public_raw,
                schema.binary(c["sig"], "sig", max_len=8192),
                cosignature_message(doc["body"], schema.integer(c["timestamp"], "timestamp")),
            )
        except BadSignatureError:
            continue
        signed[w.kid] = w.name
    if len(signed) < quorum:
        raise WitnessQuorumError(
            f"directory cosigned by {len(signed)} of the {quorum} witnesses required (T4)"
        )
    return sorted(signed.values())
