"""Every read of the hub: the signed directory, tree heads, proofs and the lists pages show."""

import time
from typing import Any

from django.db.models import QuerySet

from exchange import conf, log
from exchange.hub import hub_signing_key, member_record
from exchange.models import (
    AccessRight,
    AuditLogLeaf,
    DirectoryPublication,
    DirectoryState,
    DocumentType,
    Exchange,
    LogState,
    Member,
    MemberKey,
    SignedTreeHead,
)
from gdx_protocol import b64e, sign_directory
from gdx_protocol.errors import ProofError
from gdx_protocol.trust import add_cosignatures

MAX_PROOF_SIZE = 1 << 40


def directory_document(*, now: int | None = None) -> bytes:
    """The hub-signed member directory nodes fetch from GET /gdx/directory."""
    members = Member.objects.select_related("agency").prefetch_related("keys").order_by("code")
    records = [member_record(m, list(m.keys.all()), published=True) for m in members]
    serial = DirectoryState.objects.filter(pk=1).values_list("serial", flat=True).first() or 1
    return sign_directory(
        records,
        hub_signing_key(),
        serial=serial,
        issued_at=int(time.time()) if now is None else now,
        ttl=conf.directory_ttl(),
        issuer=conf.hub_id(),
    )


def published_directory_document(publication: DirectoryPublication) -> bytes:
    """The published directory with the witnesses' cosignatures received so far."""
    data = bytes(publication.document)
    cosigs = [c.cosignature for c in publication.cosignatures.order_by("id")]
    return add_cosignatures(data, cosigs) if cosigs else data


def tree_size() -> int:
    return LogState.objects.filter(pk=1).values_list("tree_size", flat=True).first() or 0


def tree_head_json(head: SignedTreeHead) -> dict[str, Any]:
    return {
        "tree_size": head.tree_size,
        "timestamp_ms": head.timestamp_ms,
        "root_hash": bytes(head.root_hash).hex(),
        "sig_alg": head.sig_alg,
        "signer_kid": head.signer_kid,
        "sig": b64e(bytes(head.signature)),
    }


def tree_head_for(size: int) -> SignedTreeHead | None:
    return SignedTreeHead.objects.filter(tree_size=size).order_by("-id").first()


def _check_size(size: int) -> None:
    if not 0 <= size <= tree_size():
        raise ProofError("tree size is larger than the log")


def inclusion_proof(
    *, index: int, size: int, with_data: bool = False, head: SignedTreeHead | None = None
) -> dict[str, Any]:
    """Shaped for `python -m gdx_protocol.verify inclusion`. Hashes only unless
    ``with_data``: the leaf's metadata is for authorised callers. ``head``: the signed tree
    head of ``size`` when the caller already has it."""
    if head is None:
        _check_size(size)
    elif head.tree_size != size:
        raise ProofError("tree size differs from the signed tree head")
    if not 0 <= index < size:
        raise ProofError("leaf index outside tree")
    leaf = AuditLogLeaf.objects.get(index=index)
    doc: dict[str, Any] = {
        "leaf_index": index,
        "tree_size": size,
        "leaf_hash": bytes(leaf.leaf_hash).hex(),
        "proof": [h.hex() for h in log.inclusion(index, size)],
    }
    if with_data:
        doc["leaf"] = b64e(bytes(leaf.data))
    head = head or tree_head_for(size)
    if head is not None:
        doc["sth"] = tree_head_json(head)
    else:
        doc["root_hash"] = log.root_at(size).hex()
    return doc


def consistency_proof(*, first: int, second: int) -> dict[str, Any]:
    """Shaped for `python -m gdx_protocol.verify consistency`."""
    _check_size(second)
    if not 0 <= first <= second:
        raise ProofError("first size must not exceed the second")
    doc: dict[str, Any] = {
        "first_size": first,
        "second_size": second,
        "proof": [h.hex() for h in log.consistency(first, second)],
    }
    for size, root_key, sth_key in (
        (first, "first_root", "first_sth"),
        (second, "second_root", "second_sth"),
    ):
        head = tree_head_for(size)
        if head is not None:
            doc[sth_key] = tree_head_json(head)
        else:
            doc[root_key] = log.root_at(size).hex()
    return doc


def who_asked(*, pseudonym: str, limit: int = 200) -> list[dict[str, Any]]:
    """A citizen's "who asked for my data": one entry per request, with its inclusion
    proof against the newest signed tree head (the caller issues it first).

    Only delivered exchanges are listed: the consumer computes the pseudonym, and only the
    provider, which opened the sealed ID, checked it and signed an answer carrying it,
    confirms whose data it was. A refused or failed request names a pseudonym nobody
    confirmed, so a consumer could otherwise write into another citizen's list by
    mislabelling (threat T10). Those requests stay in the audit log for EGA.
    """
    head = SignedTreeHead.objects.order_by("-tree_size", "-id").first()
    size = head.tree_size if head else 0
    rows = (
        Exchange.objects.filter(
            subject_pseudonym=pseudonym,
            request_leaf_index__lt=size,
            status=Exchange.Status.DELIVERED,
        )
        .select_related("consumer__agency")
        .order_by("-received_at", "-id")[:limit]
    )
    entries = []
    for row in rows:
        entries.append(
            {
                "request_id": str(row.request_id),
                "time": row.received_at,
                "consumer": row.consumer.code,
                "consumer_name": row.consumer.agency.name_th,
                "officer": row.officer,
                "purpose": row.purpose,
                "legal_basis": row.legal_basis,
                "document_type": row.document_type,
                "outcome": row.status,
                "refusal_code": row.refusal_code,
                "inclusion": inclusion_proof(
                    index=row.request_leaf_index or 0, size=size, with_data=True
                ),
            }
        )
    return entries


def member_list() -> QuerySet[Member]:
    return Member.objects.select_related("agency").order_by("code")


def member_get(*, code: str) -> Member | None:
    return Member.objects.select_related("agency").filter(code=code).first()


def member_keys(*, member: Member) -> QuerySet[MemberKey]:
    return member.keys.order_by("use", "-valid_from")


def member_rights(*, member: Member) -> QuerySet[AccessRight]:
    return member.rights.select_related("document_type").order_by("document_type__code", "purpose")


def document_type_list() -> QuerySet[DocumentType]:
    return DocumentType.objects.select_related("provider").order_by("code")


def exchange_recent(*, limit: int = 50, consumer: Member | None = None) -> QuerySet[Exchange]:
    qs = Exchange.objects.select_related("consumer", "provider").order_by("-received_at", "-id")
    if consumer is not None:
        qs = qs.filter(consumer=consumer)
    return qs[:limit]
