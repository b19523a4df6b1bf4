"""Node private keys on disk: ``signing.pem`` and ``encryption.pem`` (mode 0600).

Rotation: rename the old ``encryption.pem`` to ``encryption.old-<anything>.pem``;
older keys keep opening answers to requests made before the switch.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from gdx_protocol.encoding import b64e
from gdx_protocol.keys import (
    DEFAULT_KEM_ALG,
    DEFAULT_SIGNATURE_ALG,
    EncryptionKey,
    SigningKey,
    key_id,
    load_private_pem,
    private_key_to_pem,
    public_from_b64,
)
from gdx_protocol.trust import certify_key

SIGNING_FILE = "signing.pem"
ENCRYPTION_FILE = "encryption.pem"


def _write_private(path: Path, data: bytes) -> None:
    # O_EXCL + 0600 at creation: the key is never readable by others, not even briefly.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def generate_keys(
    key_dir: Path, *, sig_alg: str = DEFAULT_SIGNATURE_ALG, kem_alg: str = DEFAULT_KEM_ALG
) -> dict[str, Any]:
    """Create a fresh key pair set; refuses to overwrite existing keys."""
    key_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    for name in (SIGNING_FILE, ENCRYPTION_FILE):
        if (key_dir / name).exists():
            raise FileExistsError(f"{key_dir / name} exists; move it away to rotate")
    sig = SigningKey.generate(sig_alg)
    enc = EncryptionKey.generate(kem_alg)
    _write_private(key_dir / SIGNING_FILE, private_key_to_pem(sig))
    _write_private(key_dir / ENCRYPTION_FILE, private_key_to_pem(enc))
    return {"keys": [sig.public_info(), enc.public_info()]}


def load_keys(key_dir: Path) -> tuple[SigningKey, tuple[EncryptionKey, ...]]:
    sig = load_private_pem((key_dir / SIGNING_FILE).read_bytes())
    if not isinstance(sig, SigningKey):
        raise ValueError(f"{SIGNING_FILE} is not a signing key")
    enc_paths = [key_dir / ENCRYPTION_FILE] + sorted(
        key_dir.glob("encryption.*.pem"), key=lambda p: p.stat().st_mtime, reverse=True
    )
    keys = []
    for path in enc_paths:
        key = load_private_pem(path.read_bytes())
        if not isinstance(key, EncryptionKey):
            raise ValueError(f"{path.name} is not an encryption key")
        keys.append(key)
    return sig, tuple(keys)


CERTIFICATES_FILE = "certificates.json"
IDENTITY_FILE = "identity.pem"


def generate_identity(identity_dir: Path, *, alg: str = DEFAULT_SIGNATURE_ALG) -> dict[str, Any]:
    """Create the agency's long-term identity key (keep this folder offline)."""
    identity_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = identity_dir / IDENTITY_FILE
    if path.exists():
        raise FileExistsError(f"{path} exists; an identity key is never replaced silently")
    key = SigningKey.generate(alg)
    _write_private(path, private_key_to_pem(key))
    return {"identity": {"alg": key.alg, "pub": b64e(key.public_raw)}, "fingerprint": key.kid}


def load_identity(path: Path) -> SigningKey:
    key = load_private_pem(path.read_bytes())
    if not isinstance(key, SigningKey):
        raise ValueError(f"{path} is not a signing key")
    return key


def certify_public_keys(
    public_keys: list[dict[str, Any]], identity: SigningKey, member_id: str
) -> dict[str, Any]:
    """Certify keys given by their public parts (``keygen``'s output): the identity key
    never needs to meet the node's private keys."""
    keys = []
    for info in public_keys:
        item = {k: info[k] for k in ("alg", "kid", "pub", "use")}
        raw = public_from_b64(item["pub"])
        if key_id(raw) != item["kid"]:
            raise ValueError(f"key {item['kid'][:12]}: kid does not match the public key")
        item["cert"] = b64e(certify_key(identity, member_id, item))
        keys.append(item)
    return {
        "member_id": member_id,
        "identity": {"alg": identity.alg, "pub": b64e(identity.public_raw)},
        "fingerprint": identity.kid,
        "keys": keys,
    }


def write_certificates(key_dir: Path, certificates: dict[str, Any]) -> None:
    path = key_dir / CERTIFICATES_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(certificates, indent=2))
    os.replace(tmp, path)


def certify_node_keys(key_dir: Path, identity: SigningKey, member_id: str) -> dict[str, Any]:
    """Certify the keys in ``key_dir`` and write ``certificates.json`` there.

    The output is what the agency hands to EGA to register (or rotate) its keys: the hub
    publishes it, and nodes use only keys whose certificate verifies (threat T1).
    """
    sig, enc = load_keys(key_dir)
    public: list[dict[str, Any]] = [dict(sig.public_info())]
    public += [dict(k.public_info()) for k in enc]
    out = certify_public_keys(public, identity, member_id)
    write_certificates(key_dir, out)
    return out


def load_certificates(key_dir: Path) -> dict[str, Any] | None:
    path = key_dir / CERTIFICATES_FILE
    if not path.exists():
        return None
    return dict(json.loads(path.read_text(encoding="utf-8")))
