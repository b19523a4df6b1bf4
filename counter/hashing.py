"""The keyed hashes a verification record keeps instead of the data (ADR 0080).

A plain SHA-256 of a 13-digit citizen ID can be reversed by trying every ID; an HMAC under a
key only the portal holds cannot. The key is derived from COUNTER_HASH_KEY (or SECRET_KEY), so
the agency can later show that given data matches a record, and nobody can read it back.
"""

import hashlib
import hmac
import json
import unicodedata

from django.conf import settings


def _key(purpose: str) -> bytes:
    secret = getattr(settings, "COUNTER_HASH_KEY", "") or settings.SECRET_KEY
    return hashlib.sha256(f"citizeninfo.counter.{purpose}\x00{secret}".encode()).digest()


def normalise(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", str(value)).split())


def data_hash(values: dict[str, str]) -> str:
    canonical = json.dumps(
        {k: normalise(v) for k, v in values.items()},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hmac.new(_key("data"), canonical.encode(), hashlib.sha256).hexdigest()


def citizen_ref(citizen_id: str) -> str:
    """Lets the citizen's own data tracker find their records without storing the ID."""
    return hmac.new(_key("citizen"), normalise(citizen_id).encode(), hashlib.sha256).hexdigest()
