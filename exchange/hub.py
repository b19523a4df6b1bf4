"""The hub's own key and the database-backed member directory the protocol checks against."""

import dataclasses
import functools
import os
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.db import connection
from django.db.models import F

from core import pg
from core.memo import ProcessCache
from exchange import conf
from exchange.models import AccessRight, DirectoryState, DocumentType, Member, MemberKey
from gdx_protocol.directory import IdentityKey, KeyRecord, MemberRecord
from gdx_protocol.errors import UnknownKeyError, UnknownMemberError
from gdx_protocol.keys import SigningKey, load_private_pem, private_key_to_pem

_lock = threading.Lock()
# The hub key, by file path: (the file's mtime, the key); re-read when the file changes.
_keys: ProcessCache[tuple[float, SigningKey]] = ProcessCache("exchange.hub_key")


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
        hit = _keys.get(str(path))
        if hit and hit[0] == mtime:
            return hit[1]
        key = load_private_pem(path.read_bytes())
        if not isinstance(key, SigningKey):
            raise HubKeyMissingError(f"{path} is not a signing key")
        _keys.set(str(path), (mtime, key))
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
        cert=bytes(key.certificate or b""),
    )


def member_record(
    member: Member, keys: list[MemberKey], *, published: bool = False
) -> MemberRecord:
    status = member.status
    if published and status == Member.Status.REVOKED:
        status = "suspended"  # the wire format knows active/suspended; keys say revoked
    records = tuple(key_record(k, member.code) for k in keys)
    if member.status == Member.Status.REVOKED:
        records = tuple(dataclasses.replace(r, status="revoked") for r in records)
    identity_raw = bytes(member.identity_key or b"")
    return MemberRecord(
        member_id=member.code,
        name=member.agency.name_en or member.agency.name_th,
        status=status,
        endpoint=member.endpoint,
        keys=records,
        identity=IdentityKey(member.identity_algorithm, identity_raw) if identity_raw else None,
    )


def directory_changed(*, published: bool = True) -> None:
    """Replace the directory version (and bump the published serial) in the caller's
    transaction. Called by ``exchange.signals`` on every save or delete of a member, key,
    document type or access right."""
    fields: dict[str, object] = {"version": uuid.uuid4().hex}
    if published:
        fields["serial"] = F("serial") + 1
    if not DirectoryState.objects.filter(pk=1).update(**fields):
        DirectoryState.objects.get_or_create(pk=1)
        DirectoryState.objects.filter(pk=1).update(**fields)


@dataclass(frozen=True)
class RightWindow:
    valid_from: datetime
    valid_until: datetime | None

    def covers(self, at: datetime) -> bool:
        return self.valid_from <= at and (self.valid_until is None or at < self.valid_until)


@dataclass(frozen=True)
class HubSnapshot:
    """Members, keys, active document types and active access rights, as of one version.

    Immutable once built; shared by every thread of the process until the version changes.
    """

    version: str
    members: dict[str, MemberRecord]
    models: dict[str, Member]
    keys: dict[str, KeyRecord]
    document_types: dict[str, DocumentType]
    rights: dict[tuple[str, str, str], tuple[RightWindow, ...]]

    def allowed(self, consumer: str, document_type: str, purpose: str, at: datetime) -> bool:
        windows = self.rights.get((consumer, document_type, purpose), ())
        return any(w.covers(at) for w in windows)


def _build_snapshot(version: str) -> HubSnapshot:
    members: dict[str, MemberRecord] = {}
    models: dict[str, Member] = {}
    keys: dict[str, KeyRecord] = {}
    for member in Member.objects.select_related("agency").prefetch_related("keys"):
        rec = member_record(member, list(member.keys.all()))
        members[member.code] = rec
        models[member.code] = member
        for key in rec.keys:
            keys[key.kid] = key
    document_types = {
        d.code: d
        for d in DocumentType.objects.select_related("provider").filter(
            status=DocumentType.Status.ACTIVE
        )
    }
    rights: dict[tuple[str, str, str], list[RightWindow]] = {}
    for consumer, doc, purpose, start, end in AccessRight.objects.filter(
        status=AccessRight.Status.ACTIVE
    ).values_list("consumer__code", "document_type__code", "purpose", "valid_from", "valid_until"):
        rights.setdefault((consumer, doc, purpose), []).append(RightWindow(start, end))
    return HubSnapshot(
        version=version,
        members=members,
        models=models,
        keys=keys,
        document_types=document_types,
        rights={k: tuple(v) for k, v in rights.items()},
    )


@functools.cache
def _version_sql() -> str:
    q = connection.ops.quote_name
    return f"SELECT {q('version')} FROM {q(DirectoryState._meta.db_table)} WHERE {q('id')} = 1"  # noqa: S608 - no input


def _read_version() -> str | None:
    # Plain SQL: the ORM costs several times the query (on SQLite this runs before each check).
    if pg.is_postgresql():
        row = pg.fetchone(_version_sql())
    else:
        with connection.cursor() as cursor:
            cursor.execute(_version_sql())
            row = cursor.fetchone()
    return None if row is None else str(row[0])


# The last snapshot built, kept while the directory's version in the database is the same.
_snapshots: ProcessCache[HubSnapshot] = ProcessCache("exchange.directory")


def snapshot() -> HubSnapshot:
    """The current view of members, keys, catalogue and rights: one query when cached.

    The version is read on every call, so a change committed by any process is seen by the
    next exchange. Without a version (a freshly flushed database) nothing is cached.
    """
    version = _read_version()
    cached = _snapshots.get("current")
    if version and cached is not None and cached.version == version:
        return cached
    fresh = _build_snapshot(version or "")
    if version:
        _snapshots.set("current", fresh)
    return fresh


def cached_snapshot() -> HubSnapshot:
    """This process's snapshot without asking the database, for a caller that proves it
    current later, in the statement that writes under it (``log.append_at_version``); on
    other databases than PostgreSQL, and when nothing is cached, ``snapshot()``."""
    cached = _snapshots.get("current")
    if cached is None or not pg.is_postgresql():
        return snapshot()
    return cached


class DbDirectory:
    """`gdx_protocol.MemberDirectory` over the hub's tables, through the versioned snapshot.

    Without a snapshot, each instance reads the current version, so a revocation committed
    a moment ago is seen at once. ``exchange_route`` passes the cached snapshot instead and
    proves its version in the exchange's writes (ADR 0134).
    """

    def __init__(self, snap: HubSnapshot | None = None) -> None:
        self.snapshot = snap or snapshot()

    def get_key(self, kid: str) -> KeyRecord:
        rec = self.snapshot.keys.get(kid)
        if rec is None:
            raise UnknownKeyError(f"unknown key {str(kid)[:12]}")
        return rec

    def member(self, member_id: str) -> Member:
        model = self.snapshot.models.get(member_id)
        if model is None:
            raise UnknownMemberError(f"unknown member {member_id!r}")
        return model

    def get_member(self, member_id: str) -> MemberRecord:
        rec = self.snapshot.members.get(member_id)
        if rec is None:
            raise UnknownMemberError(f"unknown member {member_id!r}")
        return rec
