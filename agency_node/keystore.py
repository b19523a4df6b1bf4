"""Node private keys on disk: ``signing.pem`` and ``encryption.pem`` (mode 0600).

Rotation: rename the old ``encryption.pem`` to ``encryption.old-<anything>.pem``;
older keys keep opening answers to requests made before the switch.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from gdx_protocol.keys import (
    DEFAULT_KEM_ALG,
    DEFAULT_SIGNATURE_ALG,
    EncryptionKey,
    SigningKey,
    load_private_pem,
    private_key_to_pem,
)

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
