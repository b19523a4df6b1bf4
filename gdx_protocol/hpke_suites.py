"""HPKE (RFC 9180) suite registry over ``cryptography.hazmat.primitives.hpke``.

Envelopes name their suite, so adding/removing suites is a registry change.
``info`` always carries the canonical routing header: HPKE mixes ``info`` into
the key schedule, so any header change makes the AEAD open fail.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hpke

from .errors import GdxError, TamperedError, UnsupportedSuiteError
from .keys import EncryptionKey, kem_algorithm


@dataclass(frozen=True)
class HpkeSuite:
    name: str
    kem_alg: str  # name in keys.KEM_ALGORITHMS the recipient key must have
    suite: Any  # hpke.Suite (opaque Rust object)


def _suite(kem: Any, kdf: Any, aead: Any) -> Any:
    return hpke.Suite(kem, kdf, aead)


HPKE_SUITES: dict[str, HpkeSuite] = {
    s.name: s
    for s in (
        # Default: hybrid post-quantum KEM (draft-ietf-hpke-pq), harvest-now-decrypt-later safe.
        HpkeSuite(
            "mlkem768x25519.hkdf-sha256.aes-256-gcm",
            "mlkem768x25519",
            _suite(hpke.KEM.MLKEM768_X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM),
        ),
        # Classic RFC 9180 DHKEM(X25519, HKDF-SHA256) for members without PQ keys yet.
        HpkeSuite(
            "x25519.hkdf-sha256.aes-128-gcm",
            "x25519",
            _suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_128_GCM),
        ),
        HpkeSuite(
            "x25519.hkdf-sha256.chacha20-poly1305",
            "x25519",
            _suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.CHACHA20_POLY1305),
        ),
    )
}
DEFAULT_SUITE_FOR_KEM = {
    "mlkem768x25519": "mlkem768x25519.hkdf-sha256.aes-256-gcm",
    "x25519": "x25519.hkdf-sha256.aes-128-gcm",
}


def hpke_suite(name: str) -> HpkeSuite:
    try:
        return HPKE_SUITES[name]
    except (KeyError, TypeError) as exc:
        raise UnsupportedSuiteError(f"HPKE suite {name!r} not supported") from exc


def default_suite_for(kem_alg: str) -> str:
    try:
        return DEFAULT_SUITE_FOR_KEM[kem_alg]
    except KeyError as exc:
        raise UnsupportedSuiteError(f"no HPKE suite for KEM {kem_alg!r}") from exc


def seal(suite_name: str, kem_alg: str, public_raw: bytes, plaintext: bytes, info: bytes) -> bytes:
    """Single-shot HPKE base mode; output = enc || ciphertext."""
    suite = hpke_suite(suite_name)
    if suite.kem_alg != kem_alg:
        raise UnsupportedSuiteError(f"suite {suite_name} needs a {suite.kem_alg} key")
    public = kem_algorithm(kem_alg).hpke_public(public_raw)
    return bytes(suite.suite.encrypt(plaintext, public, info=info))


def open_sealed(suite_name: str, key: EncryptionKey, ciphertext: bytes, info: bytes) -> bytes:
    suite = hpke_suite(suite_name)
    if suite.kem_alg != key.alg:
        raise UnsupportedSuiteError(f"suite {suite_name} needs a {suite.kem_alg} key")
    try:
        return bytes(suite.suite.decrypt(ciphertext, key.hpke_private, info=info))
    except GdxError:
        raise
    except (InvalidTag, ValueError, TypeError) as exc:
        # Wrong key, wrong info (header) or modified bytes all look the same here.
        raise TamperedError("HPKE open failed") from exc
