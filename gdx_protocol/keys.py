"""Member keys: signature and HPKE-KEM algorithm registries, key ids, (de)serialization.

Algorithms are looked up by *name* (the string carried in envelopes and in the
directory), so adding e.g. ML-DSA-87 later is one registry entry, no format
change.  ``kid`` = SHA-256 hex of the raw public key bytes.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import os
import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization as ser
from cryptography.hazmat.primitives.asymmetric import ed25519, mldsa, mlkem, x25519
from cryptography.hazmat.primitives.hpke import MLKEM768X25519PrivateKey, MLKEM768X25519PublicKey

from .encoding import b64d, b64e
from .errors import BadSignatureError, MalformedError, UnsupportedSuiteError

MLKEM768_PUB_LEN = 1184


def key_id(public_raw: bytes) -> str:
    return hashlib.sha256(public_raw).hexdigest()


# --------------------------------------------------------------------------- signatures


class SignatureAlgorithm(Protocol):
    name: str

    def generate(self) -> Any: ...
    def public_raw(self, private: Any) -> bytes: ...
    def sign(self, private: Any, message: bytes) -> bytes: ...
    def verify(self, public_raw: bytes, signature: bytes, message: bytes) -> None: ...
    def is_private(self, key: Any) -> bool: ...


class _Ed25519:
    name = "ed25519"

    def generate(self) -> ed25519.Ed25519PrivateKey:
        return ed25519.Ed25519PrivateKey.generate()

    def public_raw(self, private: Any) -> bytes:
        return bytes(private.public_key().public_bytes_raw())

    def sign(self, private: Any, message: bytes) -> bytes:
        return bytes(private.sign(message))

    def verify(self, public_raw: bytes, signature: bytes, message: bytes) -> None:
        try:
            _ed25519_public(public_raw).verify(signature, message)
        except (InvalidSignature, ValueError) as exc:
            raise BadSignatureError("signature does not verify") from exc

    def is_private(self, key: Any) -> bool:
        return isinstance(key, ed25519.Ed25519PrivateKey)


# Public-key objects by their raw bytes: decoding a point costs more than a cache lookup,
# and the same few members' keys verify every exchange. Immutable objects, safe to share
# between threads; the bound keeps a flood of made-up keys from growing the cache (a
# made-up key never gets this far anyway: keys come from the signed directory).
_PUBLIC_CACHE = 4096


@functools.lru_cache(maxsize=_PUBLIC_CACHE)
def _ed25519_public(public_raw: bytes) -> ed25519.Ed25519PublicKey:
    return ed25519.Ed25519PublicKey.from_public_bytes(public_raw)


class _MLDSA65:
    """FIPS 204 ML-DSA-65: post-quantum signatures (3309-byte sigs, 1952-byte keys)."""

    name = "ml-dsa-65"

    def generate(self) -> Any:
        return mldsa.MLDSA65PrivateKey.generate()

    def public_raw(self, private: Any) -> bytes:
        return bytes(private.public_key().public_bytes_raw())

    def sign(self, private: Any, message: bytes) -> bytes:
        return bytes(private.sign(message))

    def verify(self, public_raw: bytes, signature: bytes, message: bytes) -> None:
        try:
            mldsa.MLDSA65PublicKey.from_public_bytes(public_raw).verify(signature, message)
        except (InvalidSignature, ValueError) as exc:
            raise BadSignatureError("signature does not verify") from exc

    def is_private(self, key: Any) -> bool:
        return isinstance(key, mldsa.MLDSA65PrivateKey)


def _mldsa_available() -> bool:
    try:
        mldsa.MLDSA65PrivateKey.generate()
    except UnsupportedAlgorithm:
        return False
    return True


SIGNATURE_ALGORITHMS: dict[str, SignatureAlgorithm] = {"ed25519": _Ed25519()}
if _mldsa_available():  # needs cryptography >= 47 built against OpenSSL >= 3.5
    SIGNATURE_ALGORITHMS["ml-dsa-65"] = _MLDSA65()
DEFAULT_SIGNATURE_ALG = "ed25519"


def signature_algorithm(name: str) -> SignatureAlgorithm:
    try:
        return SIGNATURE_ALGORITHMS[name]
    except (KeyError, TypeError) as exc:
        raise UnsupportedSuiteError(f"signature algorithm {name!r} not supported") from exc


# --------------------------------------------------------------------------- KEM keys


XWING_SEED_LEN = 32
# PKCS#8 of an X-Wing key in its seed form (draft-connolly-cfrg-xwing-kem, "X-Wing in
# PKIX"): id-XWing = 1.3.6.1.4.1.62253.25722, no parameters, privateKey = the raw
# 32-byte seed. Everything before the seed is fixed, so it is written and read as bytes.
XWING_PKCS8_PREFIX = bytes.fromhex("3034020100300d060b2b0601040183e62d81c87a0420")


@dataclass(frozen=True)
class HybridPrivateKey:
    """X-Wing (ML-KEM-768 + X25519) private key kept as components (the hpke object is
    opaque). ``seed`` is the draft's 32-byte decapsulation key; keys read from the old
    two-block files have none and are written back in that old form."""

    mlkem: mlkem.MLKEM768PrivateKey
    x25519: x25519.X25519PrivateKey
    seed: bytes | None = field(default=None, repr=False)

    @classmethod
    def from_seed(cls, seed: bytes) -> HybridPrivateKey:
        """draft-connolly-cfrg-xwing-kem expandDecapsulationKey: SHAKE256(sk, 96) gives
        ML-KEM-768's (d, z) seed and the X25519 scalar."""
        if len(seed) != XWING_SEED_LEN:
            raise MalformedError("an X-Wing seed is 32 bytes")
        expanded = hashlib.shake_256(seed).digest(96)
        return cls(
            mlkem.MLKEM768PrivateKey.from_seed_bytes(expanded[:64]),
            x25519.X25519PrivateKey.from_private_bytes(expanded[64:]),
            bytes(seed),
        )

    @property
    def hpke(self) -> MLKEM768X25519PrivateKey:
        return MLKEM768X25519PrivateKey(self.mlkem, self.x25519)


class KemAlgorithm(Protocol):
    name: str

    def generate(self) -> Any: ...
    def public_raw(self, private: Any) -> bytes: ...
    def hpke_public(self, public_raw: bytes) -> Any: ...
    def hpke_private(self, private: Any) -> Any: ...
    def is_private(self, key: Any) -> bool: ...


class _X25519Kem:
    name = "x25519"

    def generate(self) -> x25519.X25519PrivateKey:
        return x25519.X25519PrivateKey.generate()

    def public_raw(self, private: Any) -> bytes:
        return bytes(private.public_key().public_bytes_raw())

    def hpke_public(self, public_raw: bytes) -> x25519.X25519PublicKey:
        try:
            return x25519.X25519PublicKey.from_public_bytes(public_raw)
        except ValueError as exc:
            raise MalformedError("bad X25519 public key") from exc

    def hpke_private(self, private: Any) -> Any:
        return private

    def is_private(self, key: Any) -> bool:
        return isinstance(key, x25519.X25519PrivateKey)


class _MLKEM768X25519Kem:
    """Raw public key = ML-KEM-768 encapsulation key (1184 B) || X25519 key (32 B)."""

    name = "mlkem768x25519"

    def generate(self) -> HybridPrivateKey:
        return HybridPrivateKey.from_seed(os.urandom(XWING_SEED_LEN))

    def public_raw(self, private: Any) -> bytes:
        # X-Wing's encapsulation key: pk_M (1184 B) || pk_X (32 B).
        return bytes(
            private.mlkem.public_key().public_bytes_raw()
            + private.x25519.public_key().public_bytes_raw()
        )

    def hpke_public(self, public_raw: bytes) -> MLKEM768X25519PublicKey:
        if len(public_raw) != MLKEM768_PUB_LEN + 32:
            raise MalformedError("bad ML-KEM-768+X25519 public key length")
        return _xwing_public(public_raw)

    def hpke_private(self, private: Any) -> MLKEM768X25519PrivateKey:
        return private.hpke  # type: ignore[no-any-return]

    def is_private(self, key: Any) -> bool:
        return isinstance(key, HybridPrivateKey)


@functools.lru_cache(maxsize=_PUBLIC_CACHE)
def _xwing_public(public_raw: bytes) -> MLKEM768X25519PublicKey:
    """Decoded once per key (ML-KEM-768's encapsulation key check is not free)."""
    try:
        return MLKEM768X25519PublicKey(
            mlkem.MLKEM768PublicKey.from_public_bytes(public_raw[:MLKEM768_PUB_LEN]),
            x25519.X25519PublicKey.from_public_bytes(public_raw[MLKEM768_PUB_LEN:]),
        )
    except ValueError as exc:
        raise MalformedError("bad ML-KEM-768+X25519 public key") from exc


KEM_ALGORITHMS: dict[str, KemAlgorithm] = {
    "mlkem768x25519": _MLKEM768X25519Kem(),
    "x25519": _X25519Kem(),
}
DEFAULT_KEM_ALG = "mlkem768x25519"


def kem_algorithm(name: str) -> KemAlgorithm:
    try:
        return KEM_ALGORITHMS[name]
    except (KeyError, TypeError) as exc:
        raise UnsupportedSuiteError(f"KEM {name!r} not supported") from exc


# --------------------------------------------------------------------------- key pairs


@dataclass(frozen=True)
class SigningKey:
    alg: str
    private: Any = field(repr=False)

    @classmethod
    def generate(cls, alg: str = DEFAULT_SIGNATURE_ALG) -> SigningKey:
        return cls(alg, signature_algorithm(alg).generate())

    # Derived once: every envelope names its signer's kid (a SHA-256 of the public key).
    @functools.cached_property
    def public_raw(self) -> bytes:
        return signature_algorithm(self.alg).public_raw(self.private)

    @functools.cached_property
    def kid(self) -> str:
        return key_id(self.public_raw)

    def sign(self, message: bytes) -> bytes:
        return signature_algorithm(self.alg).sign(self.private, message)

    def public_info(self) -> dict[str, str]:
        return {"alg": self.alg, "kid": self.kid, "pub": b64e(self.public_raw), "use": "sig"}


@dataclass(frozen=True)
class EncryptionKey:
    alg: str
    private: Any = field(repr=False)

    @classmethod
    def generate(cls, alg: str = DEFAULT_KEM_ALG) -> EncryptionKey:
        return cls(alg, kem_algorithm(alg).generate())

    # Derived once: ML-KEM's public key is recomputed from the private key otherwise, on
    # every request this node opens (its kid is looked up per envelope).
    @functools.cached_property
    def public_raw(self) -> bytes:
        return kem_algorithm(self.alg).public_raw(self.private)

    @functools.cached_property
    def kid(self) -> str:
        return key_id(self.public_raw)

    @functools.cached_property
    def hpke_private(self) -> Any:
        return kem_algorithm(self.alg).hpke_private(self.private)

    def public_info(self) -> dict[str, str]:
        return {"alg": self.alg, "kid": self.kid, "pub": b64e(self.public_raw), "use": "enc"}


def verify_signature(alg: str, public_raw: bytes, signature: bytes, message: bytes) -> None:
    signature_algorithm(alg).verify(public_raw, signature, message)


# --------------------------------------------------------------------------- PEM

_PEM_BLOCK = re.compile(rb"-----BEGIN [A-Z ]+-----\r?\n[A-Za-z0-9+/=\r\n]+-----END [A-Z ]+-----")
_NO_ENC = ser.NoEncryption()


def _pkcs8(key: Any) -> bytes:
    return bytes(key.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.PKCS8, _NO_ENC))


def _spki(key: Any) -> bytes:
    return bytes(key.public_bytes(ser.Encoding.PEM, ser.PublicFormat.SubjectPublicKeyInfo))


def _xwing_pem(seed: bytes) -> bytes:
    body = base64.encodebytes(XWING_PKCS8_PREFIX + seed)
    return b"-----BEGIN PRIVATE KEY-----\n" + body + b"-----END PRIVATE KEY-----\n"


def _xwing_seed(block: bytes) -> bytes | None:
    """The seed of an X-Wing PKCS#8 block, or None if the block is something else."""
    lines = block.strip().splitlines()
    if not lines or lines[0] != b"-----BEGIN PRIVATE KEY-----":
        return None
    try:
        der = base64.b64decode(b"".join(lines[1:-1]), validate=True)
    except ValueError:
        return None
    if len(der) == len(XWING_PKCS8_PREFIX) + XWING_SEED_LEN and der.startswith(XWING_PKCS8_PREFIX):
        return der[len(XWING_PKCS8_PREFIX) :]
    return None


def private_key_to_pem(key: SigningKey | EncryptionKey) -> bytes:
    """PKCS#8 PEM. An X-Wing key is its 32-byte seed under id-XWing (portable to other
    X-Wing implementations); one read from an old file without a seed is written back as
    the old two blocks (ML-KEM, then X25519)."""
    if isinstance(key.private, HybridPrivateKey):
        if key.private.seed is not None:
            return _xwing_pem(key.private.seed)
        return _pkcs8(key.private.mlkem) + _pkcs8(key.private.x25519)
    return _pkcs8(key.private)


def public_key_to_pem(key: SigningKey | EncryptionKey) -> bytes:
    if isinstance(key.private, HybridPrivateKey):
        return _spki(key.private.mlkem.public_key()) + _spki(key.private.x25519.public_key())
    return _spki(key.private.public_key())


def load_private_pem(data: bytes) -> SigningKey | EncryptionKey:
    """Load a key written by :func:`private_key_to_pem`; the algorithm is inferred."""
    blocks = _PEM_BLOCK.findall(data)
    if len(blocks) == 1 and (seed := _xwing_seed(blocks[0])) is not None:
        return EncryptionKey("mlkem768x25519", HybridPrivateKey.from_seed(seed))
    try:
        loaded = [ser.load_pem_private_key(b, password=None) for b in blocks]
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise MalformedError("unreadable private key PEM") from exc
    if (
        len(loaded) == 2
        and isinstance(loaded[0], mlkem.MLKEM768PrivateKey)
        and isinstance(loaded[1], x25519.X25519PrivateKey)
    ):
        return EncryptionKey("mlkem768x25519", HybridPrivateKey(loaded[0], loaded[1]))
    if len(loaded) == 1:
        for name, sig in SIGNATURE_ALGORITHMS.items():
            if sig.is_private(loaded[0]):
                return SigningKey(name, loaded[0])
        for name, kem in KEM_ALGORITHMS.items():
            if kem.is_private(loaded[0]):
                return EncryptionKey(name, loaded[0])
    raise UnsupportedSuiteError("unsupported private key type")


def public_from_b64(value: str, *, field: str = "pub") -> bytes:
    return b64d(value, field=field, max_len=4096)
