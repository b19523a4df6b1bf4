"""Every write of the hub: members, keys, rights, the audit log and the routed exchanges."""

import hashlib
import json
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from agencies.models import Agency
from agency_node.http_client import HttpClient
from audit.services import audit_record
from exchange import conf, log
from exchange.hub import DbDirectory, hub_signing_key
from exchange.models import (
    AccessRight,
    AuditLogLeaf,
    DirectoryState,
    DocumentType,
    Exchange,
    LogState,
    Member,
    MemberKey,
    MerkleSubtree,
    SignedTreeHead,
)
from gdx_protocol import (
    audit_leaf,
    b64d,
    hub_forward_request,
    verify_request,
    verify_response_envelope,
)
from gdx_protocol.encoding import canonical_json
from gdx_protocol.envelope import RequestHeader
from gdx_protocol.errors import GdxError
from gdx_protocol.merkle import TreeHead, leaf_hash
from gdx_protocol.sth import sign_tree_head

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
}


def _directory_changed() -> None:
    DirectoryState.objects.get_or_create(pk=1)
    DirectoryState.objects.filter(pk=1).update(serial=F("serial") + 1)


# --------------------------------------------------------------------------- members and keys


@transaction.atomic
def member_register(*, agency: Agency, endpoint: str = "", by: Any) -> Member:
    member = Member(agency=agency, code=agency.code, endpoint=endpoint.strip())
    member.full_clean()
    member.save()
    _directory_changed()
    audit_record(action="gdx.member.registered", actor=by, target=member, agency=agency)
    return member


@transaction.atomic
def member_update_endpoint(*, member: Member, endpoint: str, by: Any) -> Member:
    member.endpoint = endpoint.strip()
    member.full_clean()
    member.save(update_fields=["endpoint"])
    _directory_changed()
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
    _directory_changed()
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
def member_key_add(
    *,
    member: Member,
    use: str,
    algorithm: str,
    public_key: bytes,
    by: Any,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
) -> MemberKey:
    key = MemberKey(
        member=member,
        use=use,
        algorithm=algorithm,
        public_key=public_key,
        valid_from=valid_from or timezone.now(),
        valid_until=valid_until,
    )
    key.full_clean(exclude=["kid"])
    if MemberKey.objects.filter(kid=key.kid).exists():
        raise ValidationError({"public_key": "This public key is already registered."})
    key.save()
    _directory_changed()
    audit_record(
        action="gdx.key.added",
        actor=by,
        target=key,
        agency=member.agency,
        data={"kid": key.kid, "use": use, "algorithm": algorithm},
    )
    return key


@transaction.atomic
def member_key_revoke(*, key: MemberKey, by: Any, reason: str = "") -> MemberKey:
    key.revoke(reason=reason.strip()[:200])
    key.save(update_fields=["revoked_at", "revoked_reason"])
    _directory_changed()
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


def log_append(*, data: bytes, event: str, request_id: str, pseudonym: str) -> AuditLogLeaf:
    """Append one leaf; the LogState row lock keeps indexes dense and ordered."""
    with transaction.atomic():
        state = LogState.objects.select_for_update().filter(pk=1).first()
        if state is None:
            LogState.objects.get_or_create(pk=1)
            state = LogState.objects.select_for_update().get(pk=1)
        index = state.tree_size
        lh = leaf_hash(data)
        leaf = AuditLogLeaf.objects.create(
            index=index,
            leaf_hash=lh,
            data=data,
            event=event,
            request_id=request_id,
            subject_pseudonym=pseudonym,
        )
        parents = log.parents_to_store(index, lh)
        if parents:
            MerkleSubtree.objects.bulk_create(parents)
        LogState.objects.filter(pk=1).update(tree_size=index + 1)
    return leaf


@transaction.atomic
def tree_head_issue() -> SignedTreeHead:
    """The newest signed tree head, signing a new one when the log has grown since."""
    size = LogState.objects.filter(pk=1).values_list("tree_size", flat=True).first() or 0
    latest = SignedTreeHead.objects.order_by("-tree_size", "-id").first()
    if latest is not None and latest.tree_size == size:
        return latest
    key = hub_signing_key()
    head = TreeHead(size, log.root_at(size), int(time.time() * 1000))
    signed = sign_tree_head(key, head)
    return SignedTreeHead.objects.create(
        tree_size=size,
        timestamp_ms=head.timestamp_ms,
        root_hash=head.root_hash,
        sig_alg=key.alg,
        signer_kid=key.kid,
        signature=b64d(signed["sig"], field="sig"),
    )


# --------------------------------------------------------------------------- routing


@dataclass
class Outcome:
    """What POST /gdx/exchange answers: HTTP status, body, and the row (None when unrecorded)."""

    status: int
    body: bytes
    exchange: Exchange | None = None
    code: str = ""


def _error(code: str, detail: str, exchange: Exchange | None = None) -> Outcome:
    body = canonical_json({"error": code, "detail": detail[:300]})
    return Outcome(HTTP_STATUS.get(code, 400), body, exchange, code)


def _aware(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, tz=UTC)


def _authorize(h: RequestHeader) -> tuple[str, str]:
    """Catalogue, routing and access right. Returns (code, detail); ("", "") when allowed."""
    doc = (
        DocumentType.objects.select_related("provider")
        .filter(code=h.document_type, status=DocumentType.Status.ACTIVE)
        .first()
    )
    if doc is None:
        return "unknown_document_type", f"{h.document_type} is not in the catalogue"
    if doc.provider is None or doc.provider.code != h.provider:
        return "wrong_provider", f"{h.document_type} is not provided by {h.provider}"
    if not doc.provider.endpoint:
        return "provider_unreachable", "the provider has no node address"
    at = timezone.now()
    allowed = (
        AccessRight.objects.filter(
            consumer__code=h.consumer,
            document_type=doc,
            purpose=h.purpose,
            status=AccessRight.Status.ACTIVE,
            valid_from__lte=at,
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=at))
        .exists()
    )
    if not allowed:
        return "no_access_right", f"{h.consumer} may not ask for {h.document_type} for this purpose"
    return "", ""


def _exchange_row(h: RequestHeader, digest: str, directory: DbDirectory, **fields) -> Exchange:
    provider = None
    try:
        provider = directory.member(h.provider)
    except GdxError:
        provider = None
    return Exchange(
        request_id=h.request_id,
        consumer=directory.member(h.consumer),
        provider=provider,
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


def _post(url: str, body: bytes) -> tuple[int, bytes]:
    return _http.post(url, body)


def exchange_route(*, body: bytes, now: int | None = None, post=None) -> Outcome:
    """POST /gdx/exchange: verify, authorise, log, forward, verify the answer, log, relay.

    Requests that fail authentication (parse, signature, key, window) are refused without
    a row or a log leaf, so unauthenticated traffic cannot fill the audit log. Authenticated
    requests that lack a right are recorded as refused, with a "refused" leaf.
    """
    started = time.perf_counter()
    now = int(time.time()) if now is None else now
    post = post or _post
    directory = DbDirectory()
    try:
        env = verify_request(body, directory, now=now)
    except GdxError as exc:
        logger.info("gdx refused request: %s", exc.code)
        return _error(exc.code, exc.message)
    h = env.header
    digest = env.digest
    code, detail = _authorize(h)
    try:
        with transaction.atomic():
            if Exchange.objects.filter(request_id=h.request_id).exists():
                logger.info("gdx refused request %s: replay", h.request_id)
                return _error("replay", "request id already seen")
            event = "refused" if code else "request"
            extra = {"code": code} if code else None
            leaf = log_append(
                data=audit_leaf(event, h, at=now, envelope_digest=digest, extra=extra),
                event=event,
                request_id=h.request_id,
                pseudonym=h.subject_pseudonym,
            )
            row = _exchange_row(
                h,
                digest,
                directory,
                status=Exchange.Status.REFUSED if code else Exchange.Status.FORWARDED,
                refusal_code=code,
                request_leaf_index=leaf.index,
                completed_at=timezone.now() if code else None,
            )
            row.save()
    except IntegrityError:
        return _error("replay", "request id already seen")
    if code:
        logger.info("gdx refused request %s: %s", h.request_id, code)
        return _error(code, detail, row)

    hub_key = hub_signing_key()
    forward = hub_forward_request(env, hub_key, hub_id=conf.hub_id(), log_index=leaf.index, now=now)
    provider_url = directory.member(h.provider).endpoint.rstrip("/") + "/gdx/answer"
    hub_elapsed = time.perf_counter() - started
    try:
        status, answer = post(provider_url, forward)
    except (OSError, ValueError) as exc:
        return _finish_failed(row, h, digest, "provider_unreachable", str(exc)[:200], started)
    resumed = time.perf_counter()
    if status != 200:
        try:
            remote = json.loads(answer)
            remote_code = str(remote.get("error", "provider_error"))[:40]
        except (ValueError, AttributeError):
            remote_code = "provider_error"
        return _finish_failed(row, h, digest, remote_code, "refused by the provider", started)
    try:
        verify_response_envelope(
            answer, DbDirectory(), request=h, request_digest=digest, now=int(time.time())
        )
    except GdxError as exc:
        logger.warning("gdx refused response to %s: %s", h.request_id, exc.code)
        return _finish_failed(row, h, digest, exc.code, exc.message, started)
    response_digest = hashlib.sha256(answer).hexdigest()
    with transaction.atomic():
        leaf = log_append(
            data=audit_leaf("response", h, at=int(time.time()), envelope_digest=response_digest),
            event="response",
            request_id=h.request_id,
            pseudonym=h.subject_pseudonym,
        )
        row.deliver(response_digest=response_digest)
        row.response_leaf_index = leaf.index
        row.hub_ms = round((hub_elapsed + time.perf_counter() - resumed) * 1000, 3)
        row.save(
            update_fields=[
                "status",
                "response_digest",
                "completed_at",
                "response_leaf_index",
                "hub_ms",
            ]
        )
    return Outcome(200, answer, row)


def _finish_failed(
    row: Exchange, h: RequestHeader, digest: str, code: str, detail: str, started: float
) -> Outcome:
    logger.warning("gdx exchange %s failed: %s", h.request_id, code)
    with transaction.atomic():
        leaf = log_append(
            data=audit_leaf(
                "refused",
                h,
                at=int(time.time()),
                envelope_digest=digest,
                extra={"code": code, "stage": "provider"},
            ),
            event="refused",
            request_id=h.request_id,
            pseudonym=h.subject_pseudonym,
        )
        row.fail(code=code)
        row.response_leaf_index = leaf.index
        row.save(update_fields=["status", "refusal_code", "completed_at", "response_leaf_index"])
    outcome = _error(code, detail, row)
    outcome.status = 502  # the consumer's request was fine; the provider side was not
    return outcome
