"""The hub's own key and the database-backed member directory the protocol checks against."""

import os
import threading
from datetime import datetime
from pathlib import Path

from exchange import conf
from exchange.models import Member, MemberKey
from gdx_protocol.directory import KeyRecord, MemberRecord
from gdx_protocol.errors import UnknownKeyError, UnknownMemberError
from gdx_protocol.keys import SigningKey, load_private_pem, private_key_to_pem

_lock = threading.Lock()
_cache: dict[str, tuple[float, SigningKey]] = {}


class HubKeyMissingError(RuntimeError):
    pass


def hub_signing_key() -> SigningKey:
    """Load the hub key from GDX_HUB_KEY_FILE (re-read when the file changes)."""
    path = conf.hub_key_file()
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        raise HubKeyMissingError(
            f"No hub signing key at {path}: run `manage.py gdx_hub_keygen` or set GDX_HUB_KEY_FILE."
        ) from None
    with _lock:
        hit = _cache.get(str(path))
        if hit and hit[0] == mtime:
            return hit[1]
        key = load_private_pem(path.read_bytes())
        if not isinstance(key, SigningKey):
            raise HubKeyMissingError(f"{path} is not a signing key")
        _cache[str(path)] = (mtime, key)
        return key


def hub_key_generate(path: Path, alg: str = "ed25519") -> SigningKey:
    """Create the hub key once (O_EXCL, mode 0600); refuses to overwrite."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = SigningKey.generate(alg)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(private_key_to_pem(key))
    return key


def _ts(value: datetime | None) -> int:
    return int(value.timestamp()) if value else 0


def key_record(key: MemberKey, member_code: str, *, now: datetime | None = None) -> KeyRecord:
    revoked = key.revoked_at is not None and (now is None or key.revoked_at <= now)
    return KeyRecord(
        kid=key.kid,
        member_id=member_code,
        use=key.use,
        alg=key.algorithm,
        public_raw=bytes(key.public_key),
        status="revoked" if revoked else "active",
        not_before=_ts(key.valid_from),
        not_after=_ts(key.valid_until),
    )


def member_record(
    member: Member, keys: list[MemberKey], *, published: bool = False
) -> MemberRecord:
    status = member.status
    if published and status == Member.Status.REVOKED:
        status = "suspended"  # the wire format knows active/suspended; keys say revoked
    records = tuple(key_record(k, member.code) for k in keys)
    if member.status == Member.Status.REVOKED:
        records = tuple(
            KeyRecord(
                r.kid, r.member_id, r.use, r.alg, r.public_raw, "revoked", r.not_before, r.not_after
            )
            for r in records
        )
    return MemberRecord(
        member_id=member.code,
        name=member.agency.name_en or member.agency.name_th,
        status=status,
        endpoint=member.endpoint,
        keys=records,
    )


class DbDirectory:
    """`gdx_protocol.MemberDirectory` over the hub's tables, memoised for one request.

    A fresh instance per exchange: a revocation committed a moment ago is seen at once.
    """

    def __init__(self) -> None:
        self._keys: dict[str, KeyRecord] = {}
        self._members: dict[str, MemberRecord] = {}
        self._models: dict[str, Member] = {}

    def get_key(self, kid: str) -> KeyRecord:
        rec = self._keys.get(kid)
        if rec is None:
            key = MemberKey.objects.select_related("member").filter(kid=str(kid)[:64]).first()
            if key is None:
                raise UnknownKeyError(f"unknown key {str(kid)[:12]}")
            rec = key_record(key, key.member.code)
            if key.member.status == Member.Status.REVOKED:
                rec = KeyRecord(
                    rec.kid,
                    rec.member_id,
                    rec.use,
                    rec.alg,
                    rec.public_raw,
                    "revoked",
                    rec.not_before,
                    rec.not_after,
                )
            self._keys[kid] = rec
        return rec

    def member(self, member_id: str) -> Member:
        if member_id not in self._models:
            self.get_member(member_id)
        return self._models[member_id]

    def get_member(self, member_id: str) -> MemberRecord:
        rec = self._members.get(member_id)
        if rec is None:
            member = (
                Member.objects.select_related("agency")
                .prefetch_related("keys")
                .filter(code=str(member_id)[:64])
                .first()
            )
            if member is None:
                raise UnknownMemberError(f"unknown member {member_id!r}")
            rec = member_record(member, list(member.keys.all()))
            self._members[member_id] = rec
            self._models[member_id] = member
        return rec
