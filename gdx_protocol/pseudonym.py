"""Keyed pseudonym of a citizen ID: what the hub logs instead of the ID.

HMAC-SHA256 keyed with a secret held only by member *nodes* (distributed out of
band by the exchange operator, see ADR 0005).  Without the key the 13-digit ID
space (~10^12) cannot be brute-forced from the pseudonym; with it, any member
node can answer "which exchanges touched this citizen?" against the hub log.
"""

from __future__ import annotations

import hashlib
import hmac

_LABEL = b"gdx-citizen-pseudonym/v1\x00"
MIN_KEY_BYTES = 32


def citizen_pseudonym(key: bytes, citizen_id: str) -> str:
    if len(key) < MIN_KEY_BYTES:
        raise ValueError("pseudonym key must be at least 32 bytes")
    return hmac.new(key, _LABEL + citizen_id.strip().encode("utf-8"), hashlib.sha256).hexdigest()


def pseudonym_matches(key: bytes, citizen_id: str, pseudonym: str) -> bool:
    return hmac.compare_digest(citizen_pseudonym(key, citizen_id), pseudonym)
