"""GDX protocol: end-to-end encrypted registry-document exchange through a blind hub.

Pure Python + ``cryptography``; no Django.  See docs/decisions/0005-gdx-envelope-format.md.
"""

from .audit import audit_leaf
from .directory import (
    HubKey,
    InMemoryDirectory,
    KeyRecord,
    MemberDirectory,
    MemberRecord,
    VerifiedDirectory,
    current_key,
    load_signed_directory,
    member_from_public_keys,
    require_key,
    sign_directory,
)
from .encoding import b64d, b64e, canonical_json, parse_json
from .envelope import (
    ForwardEnvelope,
    HubStamp,
    RequestEnvelope,
    RequestHeader,
    ResponseEnvelope,
    ResponseHeader,
    parse_forward_envelope,
    parse_request_envelope,
    parse_response_envelope,
)
from .errors import GdxError, error_from_code
from .exchange import (
    DOCUMENT_TYPES,
    NodeIdentity,
    OpenedRequest,
    PendingRequest,
    VerifiedDocument,
    build_request,
    build_response,
    hub_forward_request,
    open_forwarded_request,
    open_response,
    verify_request,
    verify_request_envelope,
    verify_response_envelope,
)
from .keys import EncryptionKey, SigningKey, key_id, load_private_pem, private_key_to_pem
from .pseudonym import citizen_pseudonym
from .replay import InMemoryReplayCache, ReplayCache
from .thai_id import thai_id_check_digit, thai_id_is_valid

__all__ = [
    "DOCUMENT_TYPES",
    "EncryptionKey",
    "ForwardEnvelope",
    "GdxError",
    "HubKey",
    "HubStamp",
    "InMemoryDirectory",
    "InMemoryReplayCache",
    "KeyRecord",
    "MemberDirectory",
    "MemberRecord",
    "NodeIdentity",
    "OpenedRequest",
    "PendingRequest",
    "ReplayCache",
    "RequestEnvelope",
    "RequestHeader",
    "ResponseEnvelope",
    "ResponseHeader",
    "SigningKey",
    "VerifiedDirectory",
    "VerifiedDocument",
    "audit_leaf",
    "b64d",
    "b64e",
    "build_request",
    "build_response",
    "canonical_json",
    "citizen_pseudonym",
    "current_key",
    "error_from_code",
    "hub_forward_request",
    "key_id",
    "load_private_pem",
    "load_signed_directory",
    "member_from_public_keys",
    "open_forwarded_request",
    "open_response",
    "parse_forward_envelope",
    "parse_json",
    "parse_request_envelope",
    "parse_response_envelope",
    "private_key_to_pem",
    "require_key",
    "sign_directory",
    "thai_id_check_digit",
    "thai_id_is_valid",
    "verify_request",
    "verify_request_envelope",
    "verify_response_envelope",
]
