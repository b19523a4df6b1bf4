"""X-Wing private keys in the draft's 32-byte seed form (draft-connolly-cfrg-xwing-kem),
with the draft's key-generation vectors; the old two-block files still load (migration)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import mlkem, x25519

from gdx_protocol.errors import GdxError
from gdx_protocol.hpke_suites import open_sealed, seal
from gdx_protocol.keys import (
    XWING_PKCS8_PREFIX,
    EncryptionKey,
    HybridPrivateKey,
    _pkcs8,
    load_private_pem,
    private_key_to_pem,
)

VECTORS = json.loads((Path(__file__).parent / "data" / "xwing_draft10_keygen.json").read_text())[
    "vectors"
]
SUITE = "mlkem768x25519.hkdf-sha256.aes-256-gcm"


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v["seed"][:8])
def test_seed_expands_to_the_drafts_public_key(vector):
    key = EncryptionKey("mlkem768x25519", HybridPrivateKey.from_seed(bytes.fromhex(vector["seed"])))
    assert key.public_raw.hex() == vector["pk"]


def test_key_file_is_the_seed_under_id_xwing_and_round_trips():
    key = EncryptionKey.generate()
    pem = private_key_to_pem(key)
    assert pem.count(b"BEGIN PRIVATE KEY") == 1
    import base64

    der = base64.b64decode(b"".join(pem.strip().splitlines()[1:-1]))
    assert der == XWING_PKCS8_PREFIX + key.private.seed  # 54 bytes: portable PKCS#8
    loaded = load_private_pem(pem)
    assert isinstance(loaded, EncryptionKey) and loaded.kid == key.kid
    ct = seal(SUITE, key.alg, key.public_raw, b"1101700123451", b"info")
    assert open_sealed(SUITE, loaded, ct, b"info") == b"1101700123451"


def test_old_two_block_files_still_load_and_are_kept_in_their_form():
    """Keys made before the seed form (ML-KEM then X25519 PKCS#8) keep working."""
    old = HybridPrivateKey(mlkem.MLKEM768PrivateKey.generate(), x25519.X25519PrivateKey.generate())
    pem = _pkcs8(old.mlkem) + _pkcs8(old.x25519)
    key = load_private_pem(pem)
    assert isinstance(key, EncryptionKey) and key.alg == "mlkem768x25519"
    assert key.private.seed is None
    assert private_key_to_pem(key) == pem  # no seed exists for it: written back as it was
    ct = seal(SUITE, key.alg, key.public_raw, b"x", b"i")
    assert open_sealed(SUITE, key, ct, b"i") == b"x"


def test_a_wrong_seed_length_is_refused():
    with pytest.raises(GdxError):
        HybridPrivateKey.from_seed(b"\x00" * 31)
