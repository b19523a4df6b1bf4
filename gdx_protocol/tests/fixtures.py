from __future__ import annotations

import hashlib
from dataclasses import dataclass

from gdx_protocol import (
    EncryptionKey,
    HubKey,
    InMemoryDirectory,
    NodeIdentity,
    SigningKey,
    member_from_public_keys,
    thai_id_check_digit,
)

CITIZEN = "110170012345" + str(thai_id_check_digit("110170012345"))
PSEUDONYM_KEY = hashlib.sha256(b"test pseudonym key").digest()


def make_identity(member: str, sig_alg: str = "ed25519", kem_alg: str = "mlkem768x25519"):
    return NodeIdentity(member, SigningKey.generate(sig_alg), (EncryptionKey.generate(kem_alg),))


def register(directory: InMemoryDirectory, ident: NodeIdentity, endpoint: str = "") -> None:
    keys = [ident.signing_key.public_info()] + [k.public_info() for k in ident.encryption_keys]
    directory.put_member(member_from_public_keys(ident.member_id, keys, endpoint=endpoint))


@dataclass
class World:
    consumer: NodeIdentity
    other_consumer: NodeIdentity
    provider: NodeIdentity
    hub_key: SigningKey
    directory: InMemoryDirectory

    @property
    def anchors(self) -> list[HubKey]:
        return [HubKey.from_signing_key(self.hub_key)]

    def with_fresh_directory(self) -> World:
        w = World(
            self.consumer, self.other_consumer, self.provider, self.hub_key, InMemoryDirectory()
        )
        for ident in (w.consumer, w.other_consumer, w.provider):
            register(w.directory, ident)
        return w


def make_world(sig_alg: str = "ed25519", kem_alg: str = "mlkem768x25519") -> World:
    w = World(
        make_identity("consumer-a", sig_alg, kem_alg),
        make_identity("consumer-b", sig_alg, kem_alg),
        make_identity("provider-p", sig_alg, kem_alg),
        SigningKey.generate("ed25519"),
        InMemoryDirectory(),
    )
    for ident in (w.consumer, w.other_consumer, w.provider):
        register(w.directory, ident)
    return w
