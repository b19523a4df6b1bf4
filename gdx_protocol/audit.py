"""Audit-log leaf format: what the hub records about each exchange step.

Metadata only -- never the citizen ID or document -- encoded as canonical JSON
so the leaf bytes (and hence the Merkle leaf hash) are reproducible by anyone
holding the same facts.
"""

from __future__ import annotations

from typing import Any

from .encoding import canonical_json
from .envelope import RequestHeader, ResponseHeader

AUDIT_EVENTS = ("request", "response", "refused")


def audit_leaf(
    event: str,
    header: RequestHeader | ResponseHeader,
    *,
    at: int,
    envelope_digest: str,
    extra: dict[str, Any] | None = None,
) -> bytes:
    if event not in AUDIT_EVENTS:
        raise ValueError(f"unknown audit event {event!r}")
    record: dict[str, Any] = {
        "v": 1,
        "event": event,
        "at": at,
        "request_id": header.request_id,
        "consumer": header.consumer,
        "provider": header.provider,
        "document_type": header.document_type,
        "subject_pseudonym": header.subject_pseudonym,
        "envelope_digest": envelope_digest,
    }
    if isinstance(header, RequestHeader):
        record.update(
            purpose=header.purpose, officer=header.officer, legal_basis=header.legal_basis
        )
    if extra:
        record["extra"] = extra
    return canonical_json(record)
