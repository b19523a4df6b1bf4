"""Every write of the hub: members, keys, rights, the audit log and the routed exchanges."""

import functools
import hashlib
import itertools
import json
import logging
import time
import uuid
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency
from audit.services import audit_record
from core import pg
from core.templatetags.thai_dates import format_date
from exchange import conf, log
from exchange.hub import (
    DbDirectory,
    HubSnapshot,
    cached_snapshot,
    hub_signing_key,
    key_record,
    member_record,
)
from exchange.hub import snapshot as hub_snapshot
from exchange.models import (
    AccessRight,
    DirectoryCosignature,
    DirectoryPublication,
    DirectoryState,
    DocumentType,
    Exchange,
    LogState,
    Member,
    MemberKey,
    SignedTreeHead,
)
from exchange.selectors import directory_document
from gdx_protocol import (
    audit_leaf,
    hub_forward_request,
    verify_request,
    verify_response_envelope,
)
from gdx_protocol.encoding import canonical_json
from gdx_protocol.envelope import RequestEnvelope, RequestHeader
from gdx_protocol.errors import (
    BadSignatureError,
    GdxError,
    MalformedError,
    UnknownKeyError,
    WitnessQuorumError,
)
from gdx_protocol.http_client import HttpClient
from gdx_protocol.keys import signature_algorithm
from gdx_protocol.merkle import leaf_hash
from gdx_protocol.trust import (
    certificate_valid,
    directory_digest,
    member_from_certificates,
    verify_cosignatures,
)

logger = logging.getLogger("exchange")

# Refusal code -> HTTP status for the node API. Codes not listed answer 400.
HTTP_STATUS = {
    "bad_signature": 401,
    "unknown_key": 401,
    "unknown_member": 401,
    "revoked_key": 403,
    "key_not_valid": 403,
    "no_access_right": 403,
    "unknown_document_type": 404,
    "wrong_provider": 421,
    "replay": 409,
    "expired": 410,
    "too_large": 413,
    "provider_unreachable": 502,
    "busy": 503,
}


# --------------------------------------------------------------------------- members and keys


@transaction.atomic
def member_register(*, agency: Agency, endpoint: str = "", by: Any) -> Member:
    member = Member(agency=agency, code=agency.code, endpoint=endpoint.strip())
    member.full_clean()
    member.save()
    audit_record(action="gdx.member.registered", actor=by, target=member, agency=agency)
    return member


@transaction.atomic
def member_register_with_keys(
    *,
    agency: Agency,
    endpoint: str = "",
    sig_algorithm: str,
    sig_public_key: bytes,
    enc_algorithm: str,
    enc_public_key: bytes,
    by: Any,
) -> Member:
    """A member and its two keys, or nothing at all: a member without keys cannot exchange."""
    _refuse_second_membership(agency)
    if sig_public_key == enc_public_key:
        raise ValidationError(
            {"enc_public_key": _("The same key was given for signing and for encryption.")}
        )
    member = member_register(agency=agency, endpoint=endpoint, by=by)
    errors: dict[str, list[str]] = {}
    for prefix, use, algorithm, raw in (
        ("sig", MemberKey.Use.SIGNING, sig_algorithm, sig_public_key),
        ("enc", MemberKey.Use.ENCRYPTION, enc_algorithm, enc_public_key),
    ):
        try:
            with transaction.atomic():
                member_key_add(member=member, use=use, algorithm=algorithm, public_key=raw, by=by)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                name = f"{prefix}_{field}" if field in ("public_key", "algorithm") else field
                errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)  # rolls the member back with its keys
    return member


def _refuse_second_membership(agency: Agency) -> None:
    if Member.objects.filter(agency=agency).exists():
        raise ValidationError({"agency": _("This agency is already a member of the hub.")})


@transaction.atomic
def member_register_with_certificates(
    *, agency: Agency, endpoint: str = "", certificates: dict[str, Any], by: Any
) -> Member:
    """A member from the output of ``python -m agency_node certify``: its identity key and
    the keys that key certified (ADR 0006), or nothing at all. The certificates bind each
    key to its use, algorithm and member, so a key cannot be registered for the wrong use,
    and the hub cannot later add keys under this member that its nodes would accept."""
    _refuse_second_membership(agency)
    member = member_register(agency=agency, endpoint=endpoint, by=by)
    try:
        keys = member_keys_import(member=member, certificates=certificates, by=by)
    except ValidationError as error:
        raise ValidationError({"certificates": error.messages}) from None
    if {k.use for k in keys} != {MemberKey.Use.SIGNING, MemberKey.Use.ENCRYPTION}:
        raise ValidationError(
            {"certificates": _("The certificates must hold a signing key and an encryption key.")}
        )
    return member


@transaction.atomic
def member_update_endpoint(*, member: Member, endpoint: str, by: Any) -> Member:
    member.endpoint = endpoint.strip()
    member.full_clean()
    member.save(update_fields=["endpoint"])
    audit_record(
        action="gdx.member.endpoint_changed",
        actor=by,
        target=member,
        agency=member.agency,
        data={"endpoint": member.endpoint},
    )
    return member


def _member_move(member: Member, move: str, by: Any) -> Member:
    getattr(member, move)()
    member.save(update_fields=["status", "status_changed_at"])
    audit_record(
        action=f"gdx.member.{member.status}",
        actor=by,
        target=member,
        agency=member.agency,
    )
    return member


@transaction.atomic
def member_suspend(*, member: Member, by: Any) -> Member:
    return _member_move(member, "suspend", by)


@transaction.atomic
def member_reactivate(*, member: Member, by: Any) -> Member:
    return _member_move(member, "reactivate", by)


@transaction.atomic
def member_revoke(*, member: Member, by: Any) -> Member:
    return _member_move(member, "revoke", by)


@transaction.atomic
def member_identity_set(*, member: Member, algorithm: str, public_key: bytes, by: Any) -> Member:
    """Record the agency's identity key (ADR 0006). Set once: nodes pin it and witnesses
    refuse a directory that changes it, so a changed identity means a new member."""
    if member.identity_key:
        raise ValidationError(
            {"identity_key": _("This member already has an identity key; it cannot be replaced.")}
        )
    try:
        signature_algorithm(algorithm)
    except GdxError:
        raise ValidationError(
            {"identity_algorithm": _("This algorithm is not supported for this use.")}
        ) from None
    if not public_key or len(public_key) > 4096:
        raise ValidationError({"identity_key": _("Enter the public key.")})
    member.identity_algorithm = algorithm
    member.identity_key = bytes(public_key)
    member.full_clean()
    member.save(update_fields=["identity_algorithm", "identity_key"])
    audit_record(
        action="gdx.member.identity_set",
        actor=by,
        target=member,
        agency=member.agency,
        data={"fingerprint": member.identity_kid, "algorithm": algorithm},
    )
    return member


@transaction.atomic
def member_keys_import(*, member: Member, certificates: dict[str, Any], by: Any) -> list[MemberKey]:
    """Register the output of ``python -m agency_node certify``: the identity key (if the
    member has none yet) and every certified key not registered already."""
    try:
        record = member_from_certificates(certificates)
    except (GdxError, KeyError, TypeError, ValueError):
        raise ValidationError(
            _("These certificates do not verify against their identity key.")
        ) from None
    if record.member_id != member.code:
        raise ValidationError(_("These certificates are for another member."))
    assert record.identity is not None  # member_from_certificates always sets it
    if not member.identity_key:
        member_identity_set(
            member=member,
            algorithm=record.identity.alg,
            public_key=record.identity.public_raw,
            by=by,
        )
    elif member.identity_kid != record.identity.kid:
        raise ValidationError(_("These certificates were made with another identity key."))
    existing = {k.kid: k for k in member.keys.all()}
    out = []
    for k in record.keys:
        old = existing.get(k.kid)
        if old is None:
            out.append(
                member_key_add(
                    member=member,
                    use=k.use,
                    algorithm=k.alg,
                    public_key=k.public_raw,
                    certificate=k.cert,
                    by=by,
                )
            )
        elif not old.certificate:
            # A key registered before the member had an identity key: attach its certificate.
            old.certificate = k.cert
            old.save(update_fields=["certificate"])
            audit_record(
                action="gdx.key.certified",
                actor=by,
                target=old,
                agency=member.agency,
                data={"kid": old.kid, "fingerprint": member.identity_kid},
            )
            out.append(old)
    return out


@transaction.atomic
def member_key_add(
    *,
    member: Member,
    use: str,
    algorithm: str,
    public_key: bytes,
    by: Any,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    certificate: bytes = b"",
) -> MemberKey:
    key = MemberKey(
        member=member,
        use=use,
        algorithm=algorithm,
        public_key=public_key,
        valid_from=valid_from or timezone.now(),
        valid_until=valid_until,
        certificate=bytes(certificate),
    )
    key.full_clean(exclude=["kid"])
    existing = MemberKey.objects.filter(kid=key.kid).select_related("member").first()
    if existing is not None:
        if existing.revoked_at is not None:
            # A revoked key never comes back (it may have leaked): say what to do instead.
            raise ValidationError(
                {
                    "public_key": _(
                        "This key was revoked on %(date)s and cannot be registered again. "
                        "Make a new key pair (python -m agency_node keygen) and add its "
                        "public key."
                    )
                    % {"date": format_date(timezone.localtime(existing.revoked_at).date())}
                }
            )
        raise ValidationError(
            {
                "public_key": _("This public key is already registered for %(member)s.")
                % {"member": existing.member.code}
            }
        )
    if member.identity_key:
        # Nodes ignore a key its member did not certify: refuse it here, with a reason.
        rec = key_record(key, member.code)
        if not certificate_valid(member_record(member, []), rec):
            raise ValidationError(
                {"certificate": _("The certificate does not verify against the identity key.")}
            )
    key.save()
    audit_record(
        action="gdx.key.added",
        actor=by,
        target=key,
        agency=member.agency,
        data={
            "kid": key.kid,
            "use": use,
            "algorithm": algorithm,
            "certified": bool(key.certificate),
        },
    )
    return key


@transaction.atomic
def member_key_revoke(*, key: MemberKey, by: Any, reason: str) -> MemberKey:
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for revoking this key.")})
    key.revoke(reason=reason.strip()[:200])
    key.save(update_fields=["revoked_at", "revoked_reason"])
    audit_record(
        action="gdx.key.revoked",
        actor=by,
        target=key,
        agency=key.member.agency,
        data={"kid": key.kid, "reason": key.revoked_reason},
    )
    return key


# --------------------------------------------------------------------------- catalogue and rights


@transaction.atomic
def document_type_create(
    *, code: str, name_th: str, by: Any, name_en: str = "", provider: Member | None = None
) -> DocumentType:
    document_type = DocumentType(code=code, name_th=name_th, name_en=name_en, provider=provider)
    document_type.full_clean()
    document_type.save()
    audit_record(
        action="gdx.document_type.created",
        actor=by,
        target=document_type,
        data={"code": code, "provider": provider.code if provider else None},
    )
    return document_type


@transaction.atomic
def document_type_rename(
    *, document_type: DocumentType, name_th: str, by: Any, name_en: str = ""
) -> DocumentType:
    document_type = DocumentType.objects.select_for_update().get(pk=document_type.pk)
    before = {"name_th": document_type.name_th, "name_en": document_type.name_en}
    document_type.name_th, document_type.name_en = name_th, name_en
    document_type.full_clean()
    after = {"name_th": document_type.name_th, "name_en": document_type.name_en}
    if after != before:
        document_type.save(update_fields=["name_th", "name_en"])
        audit_record(
            action="gdx.document_type.renamed",
            actor=by,
            target=document_type,
            data={"before": before, "after": after},
        )
    return document_type


@transaction.atomic
def document_type_archive(*, document_type: DocumentType, by: Any) -> DocumentType:
    """No new exchange of an archived type is routed; its log and rights stay."""
    document_type = DocumentType.objects.select_for_update().get(pk=document_type.pk)
    document_type.archive()
    document_type.save(update_fields=["status"])
    audit_record(action="gdx.document_type.archived", actor=by, target=document_type)
    return document_type


@transaction.atomic
def document_type_set_provider(
    *, document_type: DocumentType, provider: Member | None, by: Any
) -> DocumentType:
    document_type.provider = provider
    document_type.full_clean()
    document_type.save(update_fields=["provider"])
    audit_record(
        action="gdx.document_type.provider_set",
        actor=by,
        target=document_type,
        data={"provider": provider.code if provider else None},
    )
    return document_type


@transaction.atomic
def access_right_grant(
    *,
    consumer: Member,
    document_type: DocumentType,
    purpose: str,
    by: Any,
    legal_basis: str = "",
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
) -> AccessRight:
    right = AccessRight(
        consumer=consumer,
        document_type=document_type,
        purpose=purpose.strip(),
        legal_basis=legal_basis.strip(),
        valid_from=valid_from or timezone.now(),
        valid_until=valid_until,
        granted_by=by if getattr(by, "is_authenticated", False) else None,
    )
    right.full_clean()
    right.save()
    audit_record(
        action="gdx.right.granted",
        actor=by,
        target=right,
        agency=consumer.agency,
        data={"document_type": document_type.code, "purpose": right.purpose},
    )
    return right


@transaction.atomic
def access_right_withdraw(*, right: AccessRight, by: Any) -> AccessRight:
    right.withdraw()
    right.save(update_fields=["status", "withdrawn_at"])
    audit_record(action="gdx.right.withdrawn", actor=by, target=right, agency=right.consumer.agency)
    return right


# --------------------------------------------------------------------------- audit log


def log_append(*, data: bytes, event: str, request_id: str, pseudonym: str) -> int:
    """Append one leaf and return its index. Runs in the caller's transaction if any.

    The index comes from the single ``LogState`` row, so indexes stay dense and in commit
    order; the row stays locked until the transaction commits, so callers keep the rest of
    that transaction short. On PostgreSQL, taking the next index and inserting the leaf is a
    single statement. Perfect-subtree hashes are not computed here: ``exchange.log``
    computes and stores them in batches when a root or proof first needs them.
    """
    row = (
        leaf_hash(data),
        data,
        event,
        uuid.UUID(str(request_id)),
        pseudonym,
        timezone.now(),
    )
    with transaction.atomic(savepoint=False):  # no savepoint round trips under the lock
        index = log.append_leaf(*row)
        if index is None:  # no LogState row (a flushed test database)
            LogState.objects.get_or_create(pk=1)
            index = log.append_leaf(*row)
        assert index is not None
    return index


def tree_head_issue() -> SignedTreeHead:
    """The newest signed tree head, signing a new one when the log has grown since."""
    return log.tree_head_issue()


def tree_head_covering(index: int) -> SignedTreeHead:
    """The newest signed tree head if it covers leaf ``index``, else a new one.

    For inclusion proofs asked without a tree size, such as the providers' audit-log check
    (T18): a proof under any hub-signed head that holds the leaf proves the same thing, and
    a provider checks a couple of seconds after answering, so a busy hub signs a head every
    few seconds instead of one per check (each also stores a row and computes a root)."""
    return log.tree_head_covering(index)


# --------------------------------------------------------------------------- routing


@dataclass
class Outcome:
    """What POST /gdx/exchange answers: HTTP status, body, and the row (None when unrecorded)."""

    status: int
    body: bytes
    exchange: Exchange | None = None
    code: str = ""
    hub_ms: float | None = None  # the hub's own time, all writes included, provider excluded
    provider_ms: float | None = None  # the wait for the provider node


def _error(code: str, detail: str, exchange: Exchange | None = None) -> Outcome:
    body = canonical_json({"error": code, "detail": detail[:300]})
    return Outcome(HTTP_STATUS.get(code, 400), body, exchange, code)


def _aware(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, tz=UTC)


def _authorize(h: RequestHeader, snap: HubSnapshot) -> tuple[str, str]:
    """Catalogue, routing and access right. Returns (code, detail); ("", "") when allowed."""
    doc = snap.document_types.get(h.document_type)
    if doc is None:
        return "unknown_document_type", f"{h.document_type} is not in the catalogue"
    if doc.provider is None or doc.provider.code != h.provider:
        return "wrong_provider", f"{h.document_type} is not provided by {h.provider}"
    if not doc.provider.endpoint:
        return "provider_unreachable", "the provider has no node address"
    if not snap.allowed(h.consumer, h.document_type, h.purpose, timezone.now()):
        return "no_access_right", f"{h.consumer} may not ask for {h.document_type} for this purpose"
    return "", ""


def _exchange_row(h: RequestHeader, digest: str, directory: DbDirectory, **fields) -> Exchange:
    provider = directory.snapshot.models.get(h.provider)
    return Exchange(
        request_id=h.request_id,
        consumer_id=directory.member(h.consumer).pk,
        provider_id=provider.pk if provider else None,
        document_type=h.document_type,
        purpose=h.purpose,
        officer=h.officer,
        legal_basis=h.legal_basis,
        subject_pseudonym=h.subject_pseudonym,
        issued_at=_aware(h.issued_at),
        expires_at=_aware(h.expires_at),
        request_digest=digest,
        **fields,
    )


_http = HttpClient(conf.forward_timeout())
_delivered = itertools.count(1)


def _post(url: str, body: bytes) -> tuple[int, bytes]:
    return _http.post(url, body)


def _atomic_unless_autocommit():
    """A savepoint inside a transaction (so a failed statement can be recovered from), and
    nothing in autocommit mode, where one statement is its own transaction."""
    return nullcontext() if transaction.get_autocommit() else transaction.atomic()


@functools.cache
def _insert_statement() -> tuple[str, list[Any]]:
    """INSERT of an Exchange row whose request_leaf_index is the leaf appended with it
    (``FROM l``: no row when the leaf was not appended)."""
    q = connection.ops.quote_name
    cols: list[str] = []
    marks: list[str] = []
    fields: list[Any] = []
    for f in Exchange._meta.concrete_fields:
        if f.primary_key:
            continue
        cols.append(q(str(f.column)))
        if f.attname == "request_leaf_index":
            marks.append("l.i")
        else:
            marks.append("%s")
            fields.append(f)
    # Identifiers from model metadata, quoted; values are bound parameters.
    statement = (
        f"INSERT INTO {q(Exchange._meta.db_table)} ({', '.join(cols)}) "  # noqa: S608
        f"SELECT {', '.join(marks)} FROM l RETURNING {q('id')}, {q('request_leaf_index')}"
    )
    return statement, fields


@functools.cache
def _deliver_statement() -> tuple[str, list[Any]]:
    """UPDATE of a delivered Exchange row; response_leaf_index is the leaf appended with it
    (``FROM l``: no update when the leaf was not appended)."""
    q = connection.ops.quote_name
    names = ("status", "response_digest", "completed_at", "hub_ms")
    fields = [f for f in Exchange._meta.concrete_fields if f.attname in names]
    sets = ", ".join(f"{q(str(f.column))} = %s" for f in fields)
    statement = (
        f"UPDATE {q(Exchange._meta.db_table)} SET {sets}, "  # noqa: S608
        f"{q('response_leaf_index')} = l.i FROM l WHERE {q(Exchange._meta.db_table)}.{q('id')} = %s "
        f"RETURNING {q('response_leaf_index')}"
    )
    return statement, fields


class _DirectoryMovedError(Exception):
    """The directory changed after the exchange was checked: nothing was written."""


def _append_pg(version: str, leaf: list[Any], statement: str, params: list[Any]) -> Any:
    """One statement: the leaf and ``statement``, if the directory is still at ``version``;
    else nothing is written and _DirectoryMovedError is raised."""
    with _atomic_unless_autocommit():
        row = log.append_at_version(version, leaf, statement, params)
    if row is None and not LogState.objects.filter(pk=1).exists():
        LogState.objects.get_or_create(pk=1)  # a flushed test database
        with _atomic_unless_autocommit():
            row = log.append_at_version(version, leaf, statement, params)
    if row is None:
        raise _DirectoryMovedError
    return row


def _pg_params(row: Exchange, fields: list[Any]) -> list[Any]:
    """The row's values as psycopg binds them. ``get_db_prep_save`` per field cost more than
    the statement's own client work; on PostgreSQL it changes only the UUID (str to UUID):
    aware datetimes, text, numbers and None pass unchanged (the PostgreSQL tests read the
    rows back)."""
    values = []
    for f in fields:
        value = getattr(row, f.attname)
        if f.attname == "request_id" and not isinstance(value, uuid.UUID):
            value = uuid.UUID(str(value))
        values.append(value)
    return values


def _record_request(row: Exchange, leaf: list[Any], *, version: str) -> int:
    """Insert the exchange row and append its request leaf, atomically; the leaf's index.

    PostgreSQL: one statement that also proves the directory still at ``version`` (the
    snapshot the request was checked under), else writes nothing and raises
    _DirectoryMovedError. IntegrityError means a replayed request id (the unique
    ``Exchange.request_id``); nothing was written.
    """
    if connection.vendor != "postgresql" or not version:
        with transaction.atomic():
            row.request_leaf_index = log_append(
                data=leaf[1], event=leaf[2], request_id=str(leaf[3]), pseudonym=leaf[4]
            )
            row.save(force_insert=True)
        return int(row.request_leaf_index)
    statement, fields = _insert_statement()
    pk, index = _append_pg(version, leaf, statement, _pg_params(row, fields))
    row.pk, row.request_leaf_index = pk, index
    row._state.adding, row._state.db = False, connection.alias
    return int(index)


def _record_response(row: Exchange, leaf: list[Any], *, version: str) -> int:
    """Mark the row delivered and append its response leaf, atomically; the leaf's index.
    PostgreSQL: only if the directory is still at ``version`` (else _DirectoryMovedError)."""
    if connection.vendor != "postgresql" or not version:
        with transaction.atomic():
            row.response_leaf_index = log_append(
                data=leaf[1], event=leaf[2], request_id=str(leaf[3]), pseudonym=leaf[4]
            )
            row.save(
                update_fields=[
                    "status",
                    "response_digest",
                    "completed_at",
                    "response_leaf_index",
                    "hub_ms",
                ]
            )
        return int(row.response_leaf_index)
    statement, fields = _deliver_statement()
    (index,) = _append_pg(version, leaf, statement, [*_pg_params(row, fields), row.pk])
    row.response_leaf_index = index
    return int(index)


def _request_checked(
    body: bytes, now: int, snap: HubSnapshot
) -> tuple[RequestEnvelope, HubSnapshot]:
    """Verify the request under ``snap`` (cached, maybe stale); a refusal is final only
    under the current directory, so a member or key added a moment ago is never refused."""
    try:
        return verify_request(body, DbDirectory(snap), now=now), snap
    except GdxError:
        current = hub_snapshot()
        if current is snap:
            raise
        return verify_request(body, DbDirectory(current), now=now), current


@dataclass
class _Recorded:
    """A request checked, authorised and recorded (row and leaf written)."""

    env: RequestEnvelope
    snap: HubSnapshot
    row: Exchange
    index: int
    code: str
    detail: str


def _record_checked_request(body: bytes, now: int) -> _Recorded | Outcome:
    """Verify and authorise under the cached directory, then write the row and the request
    (or refusal) leaf if the directory has not moved; else again under the current one."""
    snap = cached_snapshot()
    for _attempt in range(_DIRECTORY_RETRIES):
        try:
            env, snap = _request_checked(body, now, snap)
        except GdxError as exc:
            logger.info("gdx refused request: %s", exc.code)
            return _error(exc.code, exc.message)
        h = env.header
        code, detail = _authorize(h, snap)
        event = "refused" if code else "request"
        row = _exchange_row(
            h,
            env.digest,
            DbDirectory(snap),
            status=Exchange.Status.REFUSED if code else Exchange.Status.FORWARDED,
            refusal_code=code,
            completed_at=timezone.now() if code else None,
        )
        leaf = _leaf(
            event,
            h,
            audit_leaf(
                event, h, at=now, envelope_digest=env.digest, extra={"code": code} if code else None
            ),
        )
        try:
            index = _record_request(row, leaf, version=snap.version)
        except IntegrityError:
            logger.info("gdx refused request %s: replay", h.request_id)
            return _error("replay", "request id already seen")
        except _DirectoryMovedError:
            snap = hub_snapshot()
            continue
        return _Recorded(env, snap, row, index, code, detail)
    return _error("busy", "the directory kept changing; try again")


def _leaf(event: str, h: RequestHeader, data: bytes) -> list[Any]:
    return log.leaf_params(
        leaf_hash(data), data, event, uuid.UUID(h.request_id), h.subject_pseudonym, timezone.now()
    )


def _record_checked_answer(
    rec: _Recorded, answer: bytes, hub_ms: Callable[[], float], started: float
) -> int | Outcome:
    """Verify the answer under the directory the request was checked under and write the
    response leaf if it has not moved since (PostgreSQL); else again under the current one.
    Other databases read the directory again first."""
    h, digest, row = rec.env.header, rec.env.digest, rec.row
    snap = rec.snap if pg.is_postgresql() else hub_snapshot()
    response_digest = hashlib.sha256(answer).hexdigest()
    for _attempt in range(_DIRECTORY_RETRIES):
        try:
            verify_response_envelope(
                answer, DbDirectory(snap), request=h, request_digest=digest, now=int(time.time())
            )
        except GdxError as exc:
            logger.warning("gdx refused response to %s: %s", h.request_id, exc.code)
            return _finish_failed(row, h, digest, exc.code, exc.message, started)
        data = audit_leaf("response", h, at=int(time.time()), envelope_digest=response_digest)
        row.deliver(response_digest=response_digest)
        row.hub_ms = hub_ms()
        try:
            return _record_response(row, _leaf("response", h, data), version=snap.version)
        except _DirectoryMovedError:
            snap = hub_snapshot()
            # Nothing was written: back to the stored state, and check the answer again.
            row.status = Exchange.Status.FORWARDED
    return _finish_failed(row, h, digest, "busy", "the directory kept changing", started)


def exchange_route(*, body: bytes, now: int | None = None, post=None) -> Outcome:
    """POST /gdx/exchange: verify, authorise, log, forward, verify the answer, log, relay.

    Requests that fail authentication (parse, signature, key, window) are refused without
    a row or a log leaf, so unauthenticated traffic cannot fill the audit log. Authenticated
    requests that lack a right are recorded as refused, with a "refused" leaf.

    Database work per delivered exchange (ADR 0032): on PostgreSQL two statements, the
    request leaf with the new row and the response leaf with the row's update. The request
    and the answer are checked under the process's cached directory, and each statement
    writes only if the directory's version is still the one checked under; when it moved
    (a revocation, a new key), nothing was written and the check runs again under the
    current directory (ADR 0134). A revocation therefore applies to every write after it
    commits, without a read of the version per exchange. Other databases read the version
    before each check.
    """
    started = time.perf_counter()
    now = int(time.time()) if now is None else now
    post = post or _post
    rec = _record_checked_request(body, now)
    if isinstance(rec, Outcome):
        return rec
    h, digest, row = rec.env.header, rec.env.digest, rec.row
    if rec.code:
        logger.info("gdx refused request %s: %s", h.request_id, rec.code)
        return _error(rec.code, rec.detail, row)

    hub_key = hub_signing_key()
    forward = hub_forward_request(
        rec.env, hub_key, hub_id=conf.hub_id(), log_index=rec.index, now=now
    )
    provider_url = DbDirectory(rec.snap).member(h.provider).endpoint.rstrip("/") + "/gdx/answer"
    forwarded = time.perf_counter()
    try:
        status, answer = post(provider_url, forward)
    except (OSError, ValueError) as exc:
        return _finish_failed(row, h, digest, "provider_unreachable", str(exc)[:200], started)
    resumed = time.perf_counter()
    if status != 200:
        return _finish_failed(
            row, h, digest, _remote_code(answer), "refused by the provider", started
        )
    index = _record_checked_answer(
        rec,
        answer,
        lambda: round((forwarded - started + time.perf_counter() - resumed) * 1000, 3),
        started,
    )
    if isinstance(index, Outcome):
        return index
    if next(_delivered) % (log.INTEGRATE_EVERY // 2) == 0:
        # Every 512 exchanges delivered by this process (about 1,024 leaves), store the
        # backlog of Merkle subtrees, so a proof never has to integrate much at once.
        log.integrate(index + 1)
    waited = resumed - forwarded
    return Outcome(
        200,
        answer,
        row,
        hub_ms=round((time.perf_counter() - started - waited) * 1000, 3),
        provider_ms=round(waited * 1000, 3),
    )


def _remote_code(answer: bytes) -> str:
    try:
        return str(json.loads(answer).get("error", "provider_error"))[:40]
    except (ValueError, AttributeError):
        return "provider_error"


# A directory that changes under every attempt is an operator running a script against
# the hub; after this many attempts the exchange is answered "busy" instead of looping.
_DIRECTORY_RETRIES = 5


def _finish_failed(
    row: Exchange, h: RequestHeader, digest: str, code: str, detail: str, started: float
) -> Outcome:
    logger.warning("gdx exchange %s failed: %s", h.request_id, code)
    data = audit_leaf(
        "refused",
        h,
        at=int(time.time()),
        envelope_digest=digest,
        extra={"code": code, "stage": "provider"},
    )
    row.fail(code=code)
    with transaction.atomic():
        row.response_leaf_index = log_append(
            data=data, event="refused", request_id=h.request_id, pseudonym=h.subject_pseudonym
        )
        row.save(update_fields=["status", "refusal_code", "completed_at", "response_leaf_index"])
    outcome = _error(code, detail, row)
    outcome.status = 502  # the consumer's request was fine; the provider side was not
    return outcome


# --------------------------------------------------------------------------- directory and witnesses


@transaction.atomic
def directory_publish(*, now: int | None = None) -> DirectoryPublication:
    """The directory to serve: signed once per serial, again when half its validity has
    passed. Witnesses cosign these exact bytes (ADR 0006)."""

    now = int(time.time()) if now is None else now
    serial = DirectoryState.objects.filter(pk=1).values_list("serial", flat=True).first() or 1
    fresh_until = datetime.fromtimestamp(now + conf.directory_ttl() // 2, tz=UTC)
    current = (
        DirectoryPublication.objects.filter(serial=serial, expires_at__gt=fresh_until)
        .order_by("-issued_at")
        .first()
    )
    if current is not None:
        return current
    data = directory_document(now=now)
    body = json.loads(data)["body"]
    publication, _created = DirectoryPublication.objects.get_or_create(
        digest=directory_digest(body),
        defaults={
            "serial": body["serial"],
            "document": data,
            "issued_at": datetime.fromtimestamp(body["issued_at"], tz=UTC),
            "expires_at": datetime.fromtimestamp(body["expires_at"], tz=UTC),
        },
    )
    return publication


@transaction.atomic
def directory_cosignature_add(*, body: bytes) -> DirectoryCosignature:
    """POST /gdx/directory/cosignature: a configured witness's cosignature of a published
    directory, ``{"digest": <body digest>, "cosignature": {...}}``. Verified, then kept."""
    try:
        raw = json.loads(body)
        digest = str(raw["digest"])
        cosig = dict(raw["cosignature"])
    except (ValueError, KeyError, TypeError):
        raise MalformedError("need digest and cosignature") from None
    publication = DirectoryPublication.objects.filter(digest=digest).first()
    if publication is None:
        raise UnknownKeyError("no published directory with this digest")
    doc = json.loads(bytes(publication.document))
    witness = next((w for w in conf.witnesses() if w.kid == cosig.get("witness_kid")), None)
    if witness is None:
        raise UnknownKeyError("not a witness of this hub")
    try:
        verify_cosignatures({**doc, "cosignatures": [cosig]}, [witness], 1)
    except WitnessQuorumError:
        raise BadSignatureError("the cosignature does not verify") from None
    existing = publication.cosignatures.filter(witness_kid=witness.kid).first()
    if existing is not None:
        return existing
    row = DirectoryCosignature.objects.create(
        publication=publication, witness=witness.name, witness_kid=witness.kid, cosignature=cosig
    )
    audit_record(
        action="gdx.directory.cosigned",
        actor=None,
        target=row,
        data={"serial": publication.serial, "digest": digest, "witness": witness.name},
    )
    return row
