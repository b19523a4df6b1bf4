"""Member directory: who the members are and which keys they may use, when.

The hub owns the authoritative directory (a DB table later) and publishes it as
a hub-signed JSON document that nodes fetch and verify against pinned hub keys.
Rotation: a member may have several keys of one use; each has a validity
window, so old and new keys overlap while both are ``active``.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from . import schema
from .cosign import verify_cosignatures
from .encoding import b64e, canonical_json, parse_json
from .errors import (
    ExpiredError,
    KeyNotValidError,
    MalformedError,
    RevokedKeyError,
    UnknownKeyError,
    UnknownMemberError,
    UnsupportedVersionError,
)
from .keys import SigningKey, kem_algorithm, key_id, signature_algorithm, verify_signature
from .signing import LABEL_DIRECTORY, signed_message

KEY_USES = ("sig", "enc")
KEY_STATUSES = ("active", "revoked")
MEMBER_STATUSES = ("active", "suspended")
MAX_DIRECTORY_BYTES = 8 << 20


@dataclass(frozen=True)
class KeyRecord:
    kid: str
    member_id: str
    use: str  # "sig" | "enc"
    alg: str
    public_raw: bytes = field(repr=False)
    status: str = "active"
    not_before: int = 0
    not_after: int = 0  # 0 = open-ended
    # Signature of the member's identity key over this key (gdx_protocol.trust); b"" = none.
    cert: bytes = field(default=b"", repr=False)

    def to_json(self) -> dict[str, Any]:
        out = {
            "kid": self.kid,
            "use": self.use,
            "alg": self.alg,
            "pub": b64e(self.public_raw),
            "status": self.status,
            "not_before": self.not_before,
            "not_after": self.not_after,
        }
        if self.cert:
            out["cert"] = b64e(self.cert)
        return out


@dataclass(frozen=True)
class IdentityKey:
    """A member's long-term identity key: kept offline by the agency, certifies its keys."""

    alg: str
    public_raw: bytes = field(repr=False)

    @property
    def kid(self) -> str:
        return key_id(self.public_raw)

    def to_json(self) -> dict[str, Any]:
        return {"alg": self.alg, "pub": b64e(self.public_raw)}


@dataclass(frozen=True)
class MemberRecord:
    member_id: str
    name: str = ""
    status: str = "active"
    endpoint: str = ""  # provider node URL the hub forwards to ("" = consumer only)
    keys: tuple[KeyRecord, ...] = ()
    identity: IdentityKey | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "member_id": self.member_id,
            "name": self.name,
            "status": self.status,
            "endpoint": self.endpoint,
            "keys": [k.to_json() for k in self.keys],
        }
        if self.identity is not None:
            out["identity"] = self.identity.to_json()
        return out


class MemberDirectory(Protocol):
    """What protocol verification needs; the hub backs it with its DB."""

    def get_key(self, kid: str) -> KeyRecord:
        """Return the record or raise UnknownKeyError."""
        ...

    def get_member(self, member_id: str) -> MemberRecord:
        """Return the record or raise UnknownMemberError."""
        ...


def require_key(
    directory: MemberDirectory, kid: str, *, member_id: str, use: str, at: int
) -> KeyRecord:
    """Resolve ``kid`` and check it belongs to ``member_id``, has ``use`` and is usable at ``at``."""
    rec = directory.get_key(kid)
    if rec.member_id != member_id:
        raise UnknownKeyError(f"key {kid[:12]} is not registered to {member_id}")
    if rec.use != use:
        raise KeyNotValidError(f"key {kid[:12]} is not a {use} key")
    if rec.status == "revoked":
        raise RevokedKeyError(f"key {kid[:12]} is revoked")
    member = directory.get_member(member_id)
    if member.status != "active":
        raise RevokedKeyError(f"member {member_id} is {member.status}")
    if at < rec.not_before or (rec.not_after and at > rec.not_after):
        raise KeyNotValidError(f"key {kid[:12]} not valid at {at}")
    return rec


def current_key(
    directory: MemberDirectory, member_id: str, *, use: str, at: int, alg: str | None = None
) -> KeyRecord:
    """Pick the newest usable key of a member (largest not_before), for encrypting to it."""
    member = directory.get_member(member_id)
    best: KeyRecord | None = None
    for rec in member.keys:
        if rec.use != use or rec.status != "active" or (alg and rec.alg != alg):
            continue
        if at < rec.not_before or (rec.not_after and at > rec.not_after):
            continue
        if best is None or rec.not_before > best.not_before:
            best = rec
    if best is None or member.status != "active":
        raise UnknownKeyError(f"{member_id} has no usable {use} key")
    return best


class InMemoryDirectory:
    """Thread-safe directory for nodes (loaded from the signed document) and tests."""

    def __init__(self, members: Iterable[MemberRecord] = ()) -> None:
        self._lock = threading.Lock()
        self._members: dict[str, MemberRecord] = {}
        self._keys: dict[str, KeyRecord] = {}
        for m in members:
            self.put_member(m)

    def put_member(self, member: MemberRecord) -> None:
        with self._lock:
            old = self._members.get(member.member_id)
            if old:
                for k in old.keys:
                    self._keys.pop(k.kid, None)
            self._members[member.member_id] = member
            for k in member.keys:
                self._keys[k.kid] = k

    def add_key(self, member_id: str, rec: KeyRecord) -> None:
        m = self.get_member(member_id)
        keys = tuple(k for k in m.keys if k.kid != rec.kid) + (rec,)
        self.put_member(MemberRecord(m.member_id, m.name, m.status, m.endpoint, keys, m.identity))

    def revoke_key(self, kid: str) -> None:
        rec = self.get_key(kid)
        m = self.get_member(rec.member_id)
        keys = tuple(
            dataclasses.replace(k, status="revoked") if k.kid == kid else k for k in m.keys
        )
        self.put_member(MemberRecord(m.member_id, m.name, m.status, m.endpoint, keys, m.identity))

    def get_key(self, kid: str) -> KeyRecord:
        with self._lock:
            rec = self._keys.get(kid)
        if rec is None:
            raise UnknownKeyError(f"unknown key {str(kid)[:12]}")
        return rec

    def get_member(self, member_id: str) -> MemberRecord:
        with self._lock:
            m = self._members.get(member_id)
        if m is None:
            raise UnknownMemberError(f"unknown member {member_id!r}")
        return m

    def members(self) -> list[MemberRecord]:
        with self._lock:
            return list(self._members.values())


def member_from_public_keys(
    member_id: str,
    public_keys: Iterable[dict[str, str]],
    *,
    name: str = "",
    endpoint: str = "",
    not_before: int = 0,
) -> MemberRecord:
    """Build a member from ``keygen`` output (``[{"alg","kid","pub","use"}, ...]``)."""
    keys = []
    for info in public_keys:
        raw = schema.binary(info["pub"], "pub", max_len=4096)
        keys.append(
            KeyRecord(key_id(raw), member_id, info["use"], info["alg"], raw, "active", not_before)
        )
    return MemberRecord(member_id, name, "active", endpoint, tuple(keys))


# --------------------------------------------------------------------------- signed document


@dataclass(frozen=True)
class HubKey:
    """A pinned hub public key (trust anchor for directory, forwards, tree heads)."""

    alg: str
    public_raw: bytes = field(repr=False)

    @property
    def kid(self) -> str:
        return key_id(self.public_raw)

    @classmethod
    def from_signing_key(cls, key: SigningKey) -> HubKey:
        return cls(key.alg, key.public_raw)


def verify_by_anchor(
    anchors: Iterable[HubKey], kid: str, alg: str, sig: bytes, message: bytes
) -> HubKey:
    for anchor in anchors:
        if anchor.kid == kid:
            if anchor.alg != alg:
                raise KeyNotValidError("hub key algorithm mismatch")
            verify_signature(alg, anchor.public_raw, sig, message)
            return anchor
    raise UnknownKeyError("not signed by a pinned hub key")


def sign_directory(
    members: Iterable[MemberRecord],
    hub_key: SigningKey,
    *,
    serial: int,
    issued_at: int,
    ttl: int = 3600,
    issuer: str = "gdx-hub",
) -> bytes:
    body = {
        "issuer": issuer,
        "serial": serial,
        "issued_at": issued_at,
        "expires_at": issued_at + ttl,
        "members": sorted((m.to_json() for m in members), key=lambda m: m["member_id"]),
    }
    sig = hub_key.sign(signed_message(LABEL_DIRECTORY, body))
    doc = {
        "v": 1,
        "kind": "gdx.directory",
        "body": body,
        "sig_alg": hub_key.alg,
        "signer_kid": hub_key.kid,
        "sig": b64e(sig),
    }
    return canonical_json(doc)


@dataclass(frozen=True)
class VerifiedDirectory:
    directory: InMemoryDirectory
    serial: int
    issued_at: int
    expires_at: int


def _parse_key(value: Any, member_id: str) -> KeyRecord:
    k = schema.obj(
        value, "key", {"kid", "use", "alg", "pub", "status", "not_before", "not_after"}, {"cert"}
    )
    use = schema.text(k["use"], "use", max_len=8)
    alg = schema.text(k["alg"], "alg", max_len=32)
    if use not in KEY_USES:
        raise MalformedError("key use")
    # Unknown algorithms are rejected up front rather than at first use.
    signature_algorithm(alg) if use == "sig" else kem_algorithm(alg)
    raw = schema.binary(k["pub"], "pub", max_len=4096)
    kid = schema.text(k["kid"], "kid", pattern=schema.KID_RE)
    if key_id(raw) != kid:
        raise MalformedError("kid does not match public key")
    status = schema.text(k["status"], "status", max_len=16)
    if status not in KEY_STATUSES:
        raise MalformedError("key status")
    return KeyRecord(
        kid,
        member_id,
        use,
        alg,
        raw,
        status,
        schema.integer(k["not_before"], "not_before"),
        schema.integer(k["not_after"], "not_after"),
        schema.binary(k["cert"], "cert", max_len=8192) if "cert" in k else b"",
    )


def _parse_identity(value: Any) -> IdentityKey:
    i = schema.obj(value, "identity", {"alg", "pub"})
    alg = schema.text(i["alg"], "alg", max_len=32)
    signature_algorithm(alg)
    return IdentityKey(alg, schema.binary(i["pub"], "pub", max_len=4096))


def load_signed_directory(
    data: bytes,
    anchors: Iterable[HubKey],
    *,
    now: int,
    min_serial: int = 0,
    witnesses: Iterable[Any] = (),
    quorum: int = 0,
) -> VerifiedDirectory:
    """Verify a hub-signed directory; refuse stale (expired or rolled-back) copies, and,
    when ``quorum`` > 0, copies not cosigned by that many of ``witnesses`` (T4)."""
    doc = schema.obj(
        parse_json(data, max_bytes=MAX_DIRECTORY_BYTES),
        "directory",
        {"v", "kind", "body", "sig_alg", "signer_kid", "sig"},
        {"cosignatures"},
    )
    if doc["v"] != 1 or doc["kind"] != "gdx.directory":
        raise UnsupportedVersionError("not a v1 directory")
    sig = schema.binary(doc["sig"], "sig", max_len=8192)
    verify_by_anchor(
        anchors,
        schema.text(doc["signer_kid"], "signer_kid", pattern=schema.KID_RE),
        schema.text(doc["sig_alg"], "sig_alg", max_len=32),
        sig,
        signed_message(LABEL_DIRECTORY, doc["body"]),
    )
    body = schema.obj(
        doc["body"], "body", {"issuer", "serial", "issued_at", "expires_at", "members"}
    )
    serial = schema.integer(body["serial"], "serial")
    if quorum > 0:
        verify_cosignatures(doc, witnesses, quorum)
    expires_at = schema.integer(body["expires_at"], "expires_at")
    if now > expires_at:
        raise ExpiredError("directory expired")
    if serial < min_serial:
        raise ExpiredError("directory serial rolled back")
    directory = InMemoryDirectory()
    for mv in schema.array(body["members"], "members", max_items=10_000):
        m = schema.obj(
            mv, "member", {"member_id", "name", "status", "endpoint", "keys"}, {"identity"}
        )
        mid = schema.text(m["member_id"], "member_id", pattern=schema.MEMBER_ID_RE)
        status = schema.text(m["status"], "status", max_len=16)
        if status not in MEMBER_STATUSES:
            raise MalformedError("member status")
        keys = tuple(_parse_key(k, mid) for k in schema.array(m["keys"], "keys", max_items=64))
        directory.put_member(
            MemberRecord(
                mid,
                schema.text(m["name"], "name", max_len=512),
                status,
                schema.text(m["endpoint"], "endpoint", max_len=2048),
                keys,
                _parse_identity(m["identity"]) if "identity" in m else None,
            )
        )
    return VerifiedDirectory(
        directory, serial, schema.integer(body["issued_at"], "issued_at"), expires_at
    )
