"""Member keys the hub cannot forge: identity keys, key certificates, pins, witnesses.

The hub signs the directory, so on its own the directory only proves what the hub says.
ADR 0006 adds three checks that do not trust the hub (threat numbers from
docs/gdx-threat-model.md):

* **Identity keys and key certificates (T1).** Each member holds a long-term identity
  key, kept offline on the agency's side, that signs a certificate for each operational
  key (``gdx/v1/key-cert``). A node uses only keys certified by the member's identity
  key; a key the hub added under a member's name is set aside and reported.
* **Pins (T2).** A node pins each counterpart's identity key on first contact (or from
  its configuration, compared out of band) and refuses, with an alarm, a directory that
  changes it.
* **Witnesses (T4).** Witnesses the hub does not control (EGA, OPDC, DOPA, or the nodes
  themselves) cosign each directory after running the same certificate checks and
  refusing any change of a member's identity key or a second directory with the same
  serial. Nodes refuse a directory that no quorum of them has cosigned, so the hub can
  neither forge nor show different members different directories.
* **Monitoring (T3).** Each node checks the keys under its own name in every directory
  it loads, and raises an alarm on one it did not create.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import schema
from .cosign import LABEL_COSIG as LABEL_COSIG  # re-exported: callers import these from trust
from .cosign import WitnessKey as WitnessKey
from .cosign import cosignature_message as cosignature_message
from .cosign import directory_digest as directory_digest
from .cosign import verify_cosignatures as verify_cosignatures
from .directory import (
    IdentityKey,
    InMemoryDirectory,
    KeyRecord,
    MemberRecord,
    VerifiedDirectory,
    load_signed_directory,
)
from .encoding import b64e, canonical_json
from .errors import (
    GdxError,
    IdentityChangedError,
    MalformedError,
    UncertifiedKeyError,
    UnknownKeyError,
)
from .keys import SigningKey, key_id, public_from_b64, verify_signature
from .signing import signed_message

LABEL_KEY_CERT = "key-cert"


# --------------------------------------------------------------------------- certificates


def certificate_body(member_id: str, key: KeyRecord | dict[str, Any]) -> dict[str, str]:
    if isinstance(key, KeyRecord):
        kid, use, alg = key.kid, key.use, key.alg
    else:
        kid, use, alg = key["kid"], key["use"], key["alg"]
    return {"member_id": member_id, "kid": kid, "use": use, "alg": alg}


def certify_key(identity: SigningKey, member_id: str, key: KeyRecord | dict[str, Any]) -> bytes:
    """Sign an operational key with the member's identity key (done offline, by the agency)."""
    return identity.sign(signed_message(LABEL_KEY_CERT, certificate_body(member_id, key)))


def certificate_valid(member: MemberRecord, key: KeyRecord) -> bool:
    if member.identity is None or not key.cert:
        return False
    try:
        verify_signature(
            member.identity.alg,
            member.identity.public_raw,
            key.cert,
            signed_message(LABEL_KEY_CERT, certificate_body(member.member_id, key)),
        )
    except GdxError:
        return False
    return True


# --------------------------------------------------------------------------- alarms


@dataclass(frozen=True)
class Alarm:
    """Something in a directory that only a dishonest hub (or a stolen key) explains."""

    code: str
    member_id: str
    threats: tuple[str, ...]
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "member_id": self.member_id,
            "threats": list(self.threats),
            "detail": self.detail,
        }


# Refusals that only an attack explains, with the threats of docs/gdx-threat-model.md
# they stop; a node reports each as an alarm. Codes an honest network produces (expired,
# unknown member, ...) are not alarms.
THREATS_BY_CODE: dict[str, tuple[str, ...]] = {
    "uncertified_key": ("T1", "T12"),
    "identity_changed": ("T2",),
    "foreign_key": ("T3",),
    "witness_quorum": ("T4",),
    "witness_refused": ("T4",),
    "bad_signature": ("T5",),
    "tampered": ("T5",),
    "mismatch": ("T7",),
    "wrong_consumer": ("T7",),
    "wrong_provider": ("T7",),
    "replay": ("T9",),
    "pseudonym_mismatch": ("T10",),
}


def alarm_for(error: GdxError, member_id: str, where: str) -> Alarm | None:
    threats = THREATS_BY_CODE.get(error.code)
    if threats is None:
        return None
    return Alarm(error.code, member_id, threats, f"{where}: {error.message}")


# --------------------------------------------------------------------------- pins


class PinStore:
    """member id -> pinned identity kid, in a JSON file (trust on first use).

    Pins given in the node configuration (fingerprints compared out of band at
    registration) win over anything learnt, and are never overwritten.
    """

    def __init__(self, path: Path | None = None, configured: dict[str, str] | None = None) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._configured = dict(configured or {})
        self._learnt: dict[str, str] = {}
        if path is not None and path.exists():
            raw = json.loads(path.read_text(encoding="utf-8"))
            self._learnt = {str(k): str(v) for k, v in raw.items()}

    def get(self, member_id: str) -> str | None:
        with self._lock:
            return self._configured.get(member_id) or self._learnt.get(member_id)

    def learn(self, pins: dict[str, str]) -> None:
        with self._lock:
            new = {m: k for m, k in pins.items() if m not in self._configured}
            if all(self._learnt.get(m) == k for m, k in new.items()):
                return
            self._learnt.update(new)
            if self._path is not None:
                tmp = self._path.with_suffix(".tmp")
                tmp.write_text(json.dumps(self._learnt, sort_keys=True, indent=1))
                os.replace(tmp, self._path)

    def snapshot(self) -> dict[str, str]:
        with self._lock:
            return {**self._learnt, **self._configured}


# --------------------------------------------------------------------------- node policy


class TrustedDirectory(InMemoryDirectory):
    """The keys a node may use: certified ones of members whose identity matches its pin.

    Keys set aside are remembered with the refusal they earn, so an envelope that names
    one is refused with that code (and its threat numbers), not a bare ``unknown_key``.
    """

    def __init__(self) -> None:
        super().__init__()
        self.refused_keys: dict[str, GdxError] = {}
        self.refused_members: dict[str, GdxError] = {}

    def get_key(self, kid: str) -> KeyRecord:
        try:
            rec = super().get_key(kid)
        except UnknownKeyError:
            err = self.refused_keys.get(kid)
            if err is not None:
                raise type(err)(err.message) from None
            raise
        if rec.member_id in self.refused_members:
            err = self.refused_members[rec.member_id]
            raise type(err)(err.message)
        return rec

    def get_member(self, member_id: str) -> MemberRecord:
        err = self.refused_members.get(member_id)
        if err is not None:
            raise type(err)(err.message)
        return super().get_member(member_id)


@dataclass(frozen=True)
class SelfKnowledge:
    """What a node knows of itself, to spot keys under its name that it did not create."""

    member_id: str
    kids: frozenset[str]
    identity_kid: str | None = None


@dataclass
class TrustResult:
    directory: TrustedDirectory
    alarms: list[Alarm] = field(default_factory=list)


def apply_trust(
    verified: VerifiedDirectory,
    pins: PinStore,
    *,
    me: SelfKnowledge | None = None,
    require_identity: bool = False,
) -> TrustResult:
    """Filter a hub-signed directory down to what its members themselves vouch for."""
    out = TrustResult(TrustedDirectory())
    learnt: dict[str, str] = {}
    for member in verified.directory.members():
        mid = member.member_id
        identity_kid = member.identity.kid if member.identity else None
        pinned = pins.get(mid)
        if me is not None and mid == me.member_id:
            _monitor_self(member, me, out)
        if pinned is not None and identity_kid != pinned:
            err: GdxError = IdentityChangedError(
                f"the identity key of {mid} is not the pinned one (T2)"
            )
            out.alarms.append(Alarm(err.code, mid, ("T2",), err.message))
            out.directory.refused_members[mid] = err
            out.directory.put_member(member)
            continue
        if member.identity is None:
            if require_identity:
                out.directory.refused_members[mid] = UncertifiedKeyError(
                    f"{mid} has no identity key (T1)"
                )
            out.directory.put_member(member)  # legacy member: keys as the hub signed them
            continue
        if pinned is None and identity_kid is not None:
            learnt[mid] = identity_kid
        good = []
        for key in member.keys:
            if certificate_valid(member, key):
                good.append(key)
                continue
            err = UncertifiedKeyError(f"key {key.kid[:12]} of {mid} has no valid certificate (T1)")
            out.directory.refused_keys[key.kid] = err
            out.alarms.append(Alarm(err.code, mid, ("T1",), err.message))
        out.directory.put_member(
            MemberRecord(
                mid, member.name, member.status, member.endpoint, tuple(good), member.identity
            )
        )
    pins.learn(learnt)
    return out


def _monitor_self(member: MemberRecord, me: SelfKnowledge, out: TrustResult) -> None:
    if me.identity_kid and (member.identity is None or member.identity.kid != me.identity_kid):
        out.alarms.append(
            Alarm(
                "identity_changed",
                me.member_id,
                ("T2", "T3"),
                "the directory shows no identity key under my name (EGA has not imported "
                "my certificates.json)"
                if member.identity is None
                else "the directory shows an identity key under my name that is not mine",
            )
        )
    for key in member.keys:
        # A revoked key is refused everywhere; one rotated away long ago is no alarm.
        if key.kid not in me.kids and key.status != "revoked":
            out.alarms.append(
                Alarm(
                    "foreign_key",
                    me.member_id,
                    ("T1", "T3"),
                    f"the directory shows key {key.kid[:12]} under my name; I did not create it",
                )
            )


# --------------------------------------------------------------------------- witnesses


class Witness:
    """A directory witness outside the hub's control (EGA, OPDC, DOPA, or a node).

    It cosigns a directory only if the hub signed it, every key of a member with an
    identity key is certified by it, no member's identity key changed from the one it
    first saw, the serial never goes back, and a serial it cosigned is never reused for a
    different member list. Its memory is a small JSON file.
    """

    def __init__(
        self, name: str, key: SigningKey, anchors: Iterable[Any], state: Path | None = None
    ) -> None:
        self.name = name
        self.key = key
        self.anchors = list(anchors)
        self._state_path = state
        self._lock = threading.Lock()
        self.state: dict[str, Any] = {"serial": 0, "digest": "", "identities": {}}
        if state is not None and state.exists():
            self.state = json.loads(state.read_text(encoding="utf-8"))

    @property
    def public(self) -> WitnessKey:
        return WitnessKey(self.name, self.key.alg, self.key.public_raw)

    def cosign(self, data: bytes, *, now: int) -> dict[str, Any]:
        verified = load_signed_directory(data, self.anchors, now=now)
        doc = json.loads(data)
        body = doc["body"]
        # The hub may re-issue one serial with a new validity window; the members must be
        # the same, or two parties could be shown different keys under one serial.
        digest = hashlib.sha256(canonical_json(body["members"])).hexdigest()
        with self._lock:
            serial = verified.serial
            if serial < self.state["serial"]:
                raise WitnessRefusedError("serial went back (T4)")
            if serial == self.state["serial"] and digest != self.state["digest"]:
                raise WitnessRefusedError("two different member lists with one serial (T4)")
            identities = dict(self.state["identities"])
            for member in verified.directory.members():
                seen = identities.get(member.member_id)
                now_kid = member.identity.kid if member.identity else None
                if seen is not None and seen != now_kid:
                    raise WitnessRefusedError(f"identity key of {member.member_id} changed (T2)")
                if member.identity is None:
                    continue
                identities[member.member_id] = now_kid
                for key in member.keys:
                    if not certificate_valid(member, key):
                        raise WitnessRefusedError(
                            f"uncertified key {key.kid[:12]} under {member.member_id} (T1)"
                        )
            self.state = {"serial": serial, "digest": digest, "identities": identities}
            if self._state_path is not None:
                tmp = self._state_path.with_suffix(".tmp")
                tmp.write_text(json.dumps(self.state, sort_keys=True))
                os.replace(tmp, self._state_path)
        return {
            "witness_kid": self.key.kid,
            "alg": self.key.alg,
            "timestamp": now,
            "sig": b64e(self.key.sign(cosignature_message(body, now))),
        }


class WitnessRefusedError(MalformedError):
    code = "witness_refused"


def add_cosignatures(data: bytes, cosignatures: Iterable[dict[str, Any]]) -> bytes:
    """Attach witness cosignatures to a hub-signed directory (outside the hub's signature)."""
    doc = json.loads(data)
    doc["cosignatures"] = list(doc.get("cosignatures", [])) + list(cosignatures)
    return canonical_json(doc)


def member_from_certificates(
    certificates: dict[str, Any], *, name: str = "", endpoint: str = "", not_before: int = 0
) -> MemberRecord:
    """A member record from the ``certify`` output (identity key + certified keys).

    Refuses a certificate that does not verify: the hub must never publish one."""
    ident = schema.obj(certificates["identity"], "identity", {"alg", "pub"})
    identity = IdentityKey(ident["alg"], public_from_b64(ident["pub"]))
    member_id = str(certificates["member_id"])
    keys = []
    for info in certificates["keys"]:
        raw = public_from_b64(info["pub"])
        rec = KeyRecord(
            key_id(raw),
            member_id,
            info["use"],
            info["alg"],
            raw,
            "active",
            not_before,
            0,
            public_from_b64(info["cert"], field="cert"),
        )
        keys.append(rec)
    member = MemberRecord(member_id, name, "active", endpoint, tuple(keys), identity)
    for rec in keys:
        if not certificate_valid(member, rec):
            raise UncertifiedKeyError(f"certificate of key {rec.kid[:12]} does not verify")
    return member
