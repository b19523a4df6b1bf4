from __future__ import annotations

import json

import pytest

from gdx_protocol import (
    EncryptionKey,
    HubKey,
    SigningKey,
    canonical_json,
    key_id,
    load_private_pem,
    load_signed_directory,
    private_key_to_pem,
    sign_directory,
)
from gdx_protocol.errors import GdxError
from gdx_protocol.keys import SIGNATURE_ALGORITHMS, public_key_to_pem
from gdx_protocol.pseudonym import citizen_pseudonym

from .fixtures import CITIZEN, make_world


def code(fn):
    with pytest.raises(GdxError) as info:
        fn()
    return info.value.code


def test_mldsa65_available():
    assert "ml-dsa-65" in SIGNATURE_ALGORITHMS


@pytest.mark.parametrize(
    "make",
    [
        lambda: SigningKey.generate("ed25519"),
        lambda: SigningKey.generate("ml-dsa-65"),
        lambda: EncryptionKey.generate("x25519"),
        lambda: EncryptionKey.generate("mlkem768x25519"),
    ],
)
def test_pem_roundtrip_and_kid(make):
    key = make()
    again = load_private_pem(private_key_to_pem(key))
    assert type(again) is type(key) and again.alg == key.alg and again.kid == key.kid
    assert key.kid == key_id(key.public_raw) and len(key.kid) == 64
    assert b"PUBLIC KEY" in public_key_to_pem(key)


def test_bad_pem():
    assert code(lambda: load_private_pem(b"not a key")) in ("malformed", "unsupported_suite")


def test_signed_directory_roundtrip_and_refusals():
    w = make_world()
    doc = sign_directory(w.directory.members(), w.hub_key, serial=5, issued_at=1000, ttl=100)
    verified = load_signed_directory(doc, w.anchors, now=1050, min_serial=5)
    assert verified.directory.get_member("provider-p").keys
    assert verified.directory.get_key(w.provider.signing_key.kid).member_id == "provider-p"
    assert code(lambda: load_signed_directory(doc, w.anchors, now=2000)) == "expired"
    assert code(lambda: load_signed_directory(doc, w.anchors, now=1050, min_serial=6)) == "expired"
    other = [HubKey.from_signing_key(SigningKey.generate())]
    assert code(lambda: load_signed_directory(doc, other, now=1050)) == "unknown_key"
    obj = json.loads(doc)
    obj["body"]["members"][0]["status"] = "suspended"
    assert (
        code(lambda: load_signed_directory(canonical_json(obj), w.anchors, now=1050))
        == "bad_signature"
    )


def test_pseudonym():
    key = b"k" * 32
    p = citizen_pseudonym(key, CITIZEN)
    assert len(p) == 64 and p == citizen_pseudonym(key, CITIZEN)
    assert p != citizen_pseudonym(b"j" * 32, CITIZEN)
    with pytest.raises(ValueError):
        citizen_pseudonym(b"short", CITIZEN)
