"""Every read of the hub: the signed directory, tree heads, proofs and the lists pages show."""

import time
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import get_language

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
from gdx_protocol.directory import HubKey
from gdx_protocol.errors import ProofError
from gdx_protocol.merkle import leaf_hash
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
    leaf_hash, proof = log.inclusion_with_leaf(index, size)
    doc: dict[str, Any] = {
        "leaf_index": index,
        "tree_size": size,
        "leaf_hash": leaf_hash.hex(),
        "proof": [h.hex() for h in proof],
    }
    if with_data:
        data = AuditLogLeaf.objects.filter(index=index).values_list("data", flat=True).get()
        doc["leaf"] = b64e(bytes(data))
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
    """A citizen's "who asked for my data" for EGA: one entry per request, with its inclusion
    proof against the newest signed tree head (the caller issues it first).

    Listed by the rule of ``subject_readings`` (``_confirmed_about``): exchanges a provider
    confirmed were about this pseudonym. A refused or failed request names a pseudonym
    nobody confirmed, so a consumer could otherwise write into another citizen's list by
    mislabelling (threat T10). Those requests stay in the audit log for EGA.
    """
    head = SignedTreeHead.objects.order_by("-tree_size", "-id").first()
    size = head.tree_size if head else 0
    rows = list(
        _confirmed_about(pseudonym)
        .filter(request_leaf_index__lt=size)
        .select_related("consumer__agency")
        .order_by("-received_at", "-id")[:limit]
    )
    indexes = [int(row.request_leaf_index or 0) for row in rows]  # never None: filtered
    proofs = log.inclusions(indexes, size) if rows else {}
    leaves = dict(AuditLogLeaf.objects.filter(index__in=indexes).values_list("index", "data"))
    sth = tree_head_json(head) if head else None
    entries = []
    for row, index in zip(rows, indexes, strict=True):
        leaf = bytes(leaves[index])
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
                "inclusion": {
                    "leaf_index": index,
                    "tree_size": size,
                    "leaf_hash": leaf_hash(leaf).hex(),
                    "proof": [h.hex() for h in proofs[index]],
                    "leaf": b64e(leaf),
                    "sth": sth,
                },
            }
        )
    return entries


# --------------------------------------------------------------------------- the citizen's readings

# Provider failures it can only report after checking the sealed ID against the pseudonym
# (agency_node: open the forward, check the pseudonym, then look for the document type).
PROVIDER_CONFIRMED_FAILURES = ("unsupported_document",)
SUBJECT_READINGS_MAX = 500
PROOF_FORMAT = "citizeninfo-gdx-inclusion/v1"
BUNDLE_FORMAT = "citizeninfo-gdx-proof-bundle/v1"


def _confirmed_about(pseudonym: str) -> QuerySet[Exchange]:
    """The exchanges a provider confirmed were about this pseudonym (ADR 0033).

    The consumer writes the pseudonym; only the provider, which opens the sealed ID, can
    confirm it. Delivered: the provider's signed answer carries it. Failed with a code the
    provider gives only after its pseudonym check: confirmed too. Refused by the hub, or
    failed before the check (``pseudonym_mismatch``, replay, keys…): nobody confirmed
    whose data it was, so they are not listed, or a consumer could write into another
    citizen's list by mislabelling (threat T10). In flight (forwarded): not yet.
    """
    return Exchange.objects.filter(subject_pseudonym=pseudonym).filter(
        Q(status=Exchange.Status.DELIVERED)
        | Q(status=Exchange.Status.FAILED, refusal_code__in=PROVIDER_CONFIRMED_FAILURES),
        request_leaf_index__isnull=False,
    )


def _named(agency: Any, thai: bool) -> str:
    if agency is None:
        return ""
    return agency.name_th if thai or not agency.name_en else agency.name_en


def _reading(row: Exchange, doc_names: dict[str, DocumentType], thai: bool) -> dict[str, Any]:
    consumer = row.consumer.agency
    provider = row.provider.agency if row.provider else None
    doc = doc_names.get(row.document_type)
    return {
        "index": row.request_leaf_index,
        "response_index": row.response_leaf_index,
        "request_id": str(row.request_id),
        "when": row.received_at,
        "consumer": row.consumer.code,
        "consumer_name": _named(consumer, thai),
        "consumer_name_th": consumer.name_th,
        "consumer_name_en": consumer.name_en,
        "provider": row.provider.code if row.provider else "",
        "provider_name": _named(provider, thai),
        "provider_name_th": provider.name_th if provider else "",
        "provider_name_en": provider.name_en if provider else "",
        "document_type": row.document_type,
        "document_type_name": (
            (doc.name_th if thai or not doc.name_en else doc.name_en) if doc else row.document_type
        ),
        "purpose": row.purpose,
        "legal_basis": row.legal_basis,
        "officer": row.officer,
        "outcome": row.status,
        "outcome_label": Exchange.Status(row.status).label,
        "refusal_code": row.refusal_code,
    }


def subject_readings(
    *, pseudonym: str, limit: int = 100, before: int | None = None
) -> list[dict[str, Any]]:
    """A citizen's "who read my data": the exchanges about ``pseudonym``, newest first.

    Each is a dict: ``index`` (the request's log index, what ``subject_reading_proof``
    proves; pass the last one as ``before`` for the next page), ``response_index``,
    ``request_id``, ``when`` (aware datetime), ``consumer`` / ``provider`` (member codes)
    with ``consumer_name`` / ``provider_name`` (in the active language; ``_th`` / ``_en``
    too), ``document_type`` and ``document_type_name``, ``purpose``, ``legal_basis``,
    ``officer``, ``outcome`` (``delivered`` / ``failed``; see ``_confirmed_about`` for why
    never ``refused``), ``outcome_label`` and ``refusal_code``. Three queries.
    """
    limit = max(1, min(int(limit), SUBJECT_READINGS_MAX))
    rows = _confirmed_about(pseudonym)
    if before is not None:
        rows = rows.filter(request_leaf_index__lt=before)
    rows = rows.select_related("consumer__agency", "provider__agency").order_by(
        "-request_leaf_index"
    )[:limit]
    found = list(rows)
    types = {r.document_type for r in found}
    doc_names = {d.code: d for d in DocumentType.objects.filter(code__in=types)} if types else {}
    thai = (get_language() or "th").startswith("th")
    return [_reading(r, doc_names, thai) for r in found]


def hub_key_json() -> dict[str, str]:
    """The hub's public key as the verifiers take it (``--hub-key`` of gdx_protocol.verify)."""
    key = HubKey.from_signing_key(hub_signing_key())
    return {"alg": key.alg, "pub": b64e(key.public_raw), "kid": key.kid}


def _proof_entry(index: int, data: bytes, lh: bytes, event: str, proof: list[bytes]) -> dict:
    return {
        "leaf_index": index,
        "leaf": b64e(bytes(data)),
        "leaf_hash": bytes(lh).hex(),
        "event": event,
        "proof": [h.hex() for h in proof],
    }


def _leaf_indexes(pseudonym: str, limit: int | None, before: int | None) -> list[int]:
    rows = _confirmed_about(pseudonym)
    if before is not None:
        rows = rows.filter(request_leaf_index__lt=before)
    pairs = rows.order_by("-request_leaf_index").values_list(
        "request_leaf_index", "response_leaf_index"
    )
    if limit is not None:
        pairs = pairs[: max(1, min(int(limit), SUBJECT_READINGS_MAX))]
    return sorted({i for pair in pairs for i in pair if i is not None})


def subject_reading_proof(*, pseudonym: str, index: int) -> dict[str, Any] | None:
    """The inclusion proof of log entry ``index`` if it is one of ``pseudonym``'s readings
    (its request or its answer), else None: another citizen's entry and a missing one get
    the same answer. Shaped for ``python -m gdx_protocol.verify inclusion`` and for
    ``verify-inclusion.js``: ``leaf`` (base64url of the leaf bytes), ``leaf_index``,
    ``tree_size``, ``proof`` (the RFC 9162 audit path, hex), ``sth`` (the signed tree head)
    and ``hub_key``. Signs a newer tree head when none includes the entry yet.
    """
    mine = _confirmed_about(pseudonym).filter(
        Q(request_leaf_index=index) | Q(response_leaf_index=index)
    )
    leaf = AuditLogLeaf.objects.filter(index=index, subject_pseudonym=pseudonym).first()
    if leaf is None or not mine.exists():
        return None
    head = log.tree_head_covering(index)
    proof = log.inclusion(index, head.tree_size)
    entry = _proof_entry(index, leaf.data, leaf.leaf_hash, leaf.event, proof)
    return {
        "format": PROOF_FORMAT,
        **entry,
        "tree_size": head.tree_size,
        "sth": tree_head_json(head),
        "hub_key": hub_key_json(),
    }


def subject_proof_bundle(
    *, pseudonym: str, limit: int | None = None, before: int | None = None
) -> dict[str, Any]:
    """The log entries of ``pseudonym``'s readings (requests and answers) with their
    inclusion proofs, all against one signed tree head: every reading, or one page of them
    (``limit`` and ``before`` as in ``subject_readings``). Format: docs/gdx-proof-bundle.md.
    Five queries at most, however many entries."""
    indexes = _leaf_indexes(pseudonym, limit, before)
    head = log.tree_head_covering(indexes[-1] if indexes else -1)
    proofs = log.inclusions(indexes, head.tree_size) if indexes else {}
    leaves = (
        AuditLogLeaf.objects.filter(index__in=indexes)
        .order_by("index")
        .values_list("index", "data", "leaf_hash", "event")
    )
    return {
        "format": BUNDLE_FORMAT,
        "hash": "sha256",
        "leaf_hash": "SHA-256(0x00 || leaf)",
        "node_hash": "SHA-256(0x01 || left || right)",
        "sth_message": "'gdx/v1/sth' 0x00 || u64be(tree_size) || u64be(timestamp_ms) || root",
        "hub_key": hub_key_json(),
        "sth": tree_head_json(head),
        "tree_size": head.tree_size,
        "entries": [_proof_entry(*leaf, proofs[leaf[0]]) for leaf in leaves],
    }


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
