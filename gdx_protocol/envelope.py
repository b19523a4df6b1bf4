"""Wire format of GDX envelopes (v1): dataclasses + strict, total parsers.

Layout (all JSON canonical, binary fields base64url without padding)::

    request  = {"v":1, "kind":"gdx.request",  "header":RequestHeader,  "subject_ct":B64, "sig":B64}
    forward  = {"v":1, "kind":"gdx.forward",  "request":request, "hub":HubStamp, "sig":B64}
    response = {"v":1, "kind":"gdx.response", "header":ResponseHeader, "ct":B64, "sig":B64}

The parsers below only check *shape*; cryptographic checks live in exchange.py.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields
from functools import cached_property
from typing import Any

from . import schema
from .encoding import B64Text, RawJson, b64e, canonical_json, parse_json, raw_json
from .errors import MalformedError, UnsupportedVersionError
from .hpke_suites import hpke_suite
from .keys import signature_algorithm

VERSION = 1
MAX_REQUEST_BYTES = 64 << 10
MAX_FORWARD_BYTES = 96 << 10
MAX_RESPONSE_BYTES = 8 << 20
MAX_SIG = 8192  # ML-DSA-87 signatures are 4627 bytes; leave room
MAX_SUBJECT_CT = 4096  # enc (<=1120 B for ML-KEM-768+X25519) + 13-digit ID + tag
MAX_DOCUMENT_CT = MAX_RESPONSE_BYTES * 3 // 4


def _flat_json(obj: Any) -> dict[str, Any]:
    """``dataclasses.asdict`` for the headers and the hub stamp (plain str and int fields),
    without its recursive deep copy: each is turned into JSON several times per envelope."""
    return {name: getattr(obj, name) for name in _FIELDS[type(obj)]}


@dataclass(frozen=True)
class RequestHeader:
    request_id: str
    consumer: str
    provider: str
    document_type: str
    purpose: str
    officer: str
    legal_basis: str
    issued_at: int
    expires_at: int
    subject_pseudonym: str
    hpke_suite: str
    recipient_kid: str  # provider's encryption key the subject is sealed to
    reply_kid: str  # consumer's encryption key the response must be sealed to
    signer_kid: str  # consumer's signing key
    sig_alg: str

    def to_json(self) -> dict[str, Any]:
        return _flat_json(self)

    @cached_property
    def canonical(self) -> RawJson:
        """Canonical JSON of ``to_json()``, encoded once (signatures, HPKE info, envelope)."""
        return raw_json(self.to_json())


# Envelopes are immutable: their base64url fields, canonical bytes and digest are computed
# once (``cached_property``), and a parsed envelope starts with the bytes it was parsed from
# (proven canonical by parse_json) and the base64url text it carried (proven canonical by
# b64d), so verifying one never encodes it again.


@dataclass(frozen=True)
class RequestEnvelope:
    header: RequestHeader
    subject_ct: bytes
    sig: bytes

    @cached_property
    def subject_ct_b64(self) -> str:
        return b64e(self.subject_ct)

    @cached_property
    def sig_b64(self) -> str:
        return b64e(self.sig)

    def signed_body(self) -> dict[str, Any]:
        """What the consumer's signature covers (with LABEL_REQUEST)."""
        return {"header": self.header.canonical, "subject_ct": self.subject_ct_b64}

    def to_json(self) -> dict[str, Any]:
        return {
            "v": VERSION,
            "kind": "gdx.request",
            "header": self.header.to_json(),
            "subject_ct": self.subject_ct_b64,
            "sig": self.sig_b64,
        }

    @cached_property
    def _encoded(self) -> bytes:
        return canonical_json({**self.to_json(), "header": self.header.canonical})

    def to_bytes(self) -> bytes:
        return self._encoded

    @cached_property
    def digest(self) -> str:
        """SHA-256 of the canonical bytes; the response commits to it."""
        return hashlib.sha256(self._encoded).hexdigest()


@dataclass(frozen=True)
class HubStamp:
    hub_id: str
    received_at: int
    log_index: int
    signer_kid: str
    sig_alg: str

    def to_json(self) -> dict[str, Any]:
        return _flat_json(self)

    @cached_property
    def canonical(self) -> RawJson:
        """Canonical JSON of ``to_json()``, encoded once (signatures, HPKE info, envelope)."""
        return raw_json(self.to_json())


@dataclass(frozen=True)
class ForwardEnvelope:
    request: RequestEnvelope
    hub: HubStamp
    sig: bytes

    def signed_body(self) -> dict[str, Any]:
        """What the hub's countersignature covers (with LABEL_FORWARD)."""
        return {"request": RawJson(self.request.to_bytes().decode()), "hub": self.hub.canonical}

    def to_json(self) -> dict[str, Any]:
        return {
            "v": VERSION,
            "kind": "gdx.forward",
            "request": self.request.to_json(),
            "hub": self.hub.to_json(),
            "sig": b64e(self.sig),
        }

    @cached_property
    def _encoded(self) -> bytes:
        return canonical_json(
            {"v": VERSION, "kind": "gdx.forward", **self.signed_body(), "sig": b64e(self.sig)}
        )

    def to_bytes(self) -> bytes:
        return self._encoded


@dataclass(frozen=True)
class ResponseHeader:
    request_id: str
    consumer: str
    provider: str
    document_type: str
    issued_at: int
    expires_at: int
    request_digest: str
    subject_pseudonym: str
    hpke_suite: str
    recipient_kid: str  # consumer's encryption key
    signer_kid: str  # provider's signing key
    sig_alg: str

    def to_json(self) -> dict[str, Any]:
        return _flat_json(self)

    @cached_property
    def canonical(self) -> RawJson:
        """Canonical JSON of ``to_json()``, encoded once (signatures, HPKE info, envelope)."""
        return raw_json(self.to_json())


@dataclass(frozen=True)
class ResponseEnvelope:
    header: ResponseHeader
    ct: bytes
    sig: bytes

    @cached_property
    def ct_b64(self) -> str:
        return b64e(self.ct)

    @cached_property
    def sig_b64(self) -> str:
        return b64e(self.sig)

    def signed_body(self) -> dict[str, Any]:
        """What the provider's outer signature covers (with LABEL_RESPONSE)."""
        return {"header": self.header.canonical, "ct": self.ct_b64}

    def to_json(self) -> dict[str, Any]:
        return {
            "v": VERSION,
            "kind": "gdx.response",
            "header": self.header.to_json(),
            "ct": self.ct_b64,
            "sig": self.sig_b64,
        }

    @cached_property
    def _encoded(self) -> bytes:
        return canonical_json({**self.to_json(), "header": self.header.canonical})

    def to_bytes(self) -> bytes:
        return self._encoded


_FIELDS: dict[type, tuple[str, ...]] = {
    cls: tuple(f.name for f in fields(cls)) for cls in (RequestHeader, HubStamp, ResponseHeader)
}

# --------------------------------------------------------------------------- parsing


def _envelope(value: Any, kind: str, keys: set[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MalformedError("envelope must be an object")
    v = value.get("v")
    if isinstance(v, bool) or v != VERSION:
        raise UnsupportedVersionError("unsupported envelope version")
    if value.get("kind") != kind:
        raise MalformedError(f"expected kind {kind}")
    return schema.obj(value, kind, keys | {"v", "kind"})


def _suite_names(header: dict[str, Any]) -> tuple[str, str]:
    suite = schema.text(header["hpke_suite"], "hpke_suite", max_len=64)
    alg = schema.text(header["sig_alg"], "sig_alg", max_len=32)
    hpke_suite(suite)  # raises UnsupportedSuiteError
    signature_algorithm(alg)
    return suite, alg


def _parse_request_header(value: Any) -> RequestHeader:
    h = schema.obj(value, "header", set(RequestHeader.__dataclass_fields__))
    suite, alg = _suite_names(h)
    issued = schema.integer(h["issued_at"], "issued_at")
    expires = schema.integer(h["expires_at"], "expires_at")
    if expires <= issued:
        raise MalformedError("expires_at must be after issued_at")
    return RequestHeader(
        request_id=schema.text(h["request_id"], "request_id", pattern=schema.UUID_RE),
        consumer=schema.text(h["consumer"], "consumer", pattern=schema.MEMBER_ID_RE),
        provider=schema.text(h["provider"], "provider", pattern=schema.MEMBER_ID_RE),
        document_type=schema.text(h["document_type"], "document_type", pattern=schema.DOCTYPE_RE),
        purpose=schema.text(h["purpose"], "purpose", max_len=500),
        officer=schema.text(h["officer"], "officer", max_len=128),
        legal_basis=schema.text(h["legal_basis"], "legal_basis", max_len=256),
        issued_at=issued,
        expires_at=expires,
        subject_pseudonym=schema.text(
            h["subject_pseudonym"], "subject_pseudonym", pattern=schema.HEX64_RE
        ),
        hpke_suite=suite,
        recipient_kid=schema.text(h["recipient_kid"], "recipient_kid", pattern=schema.KID_RE),
        reply_kid=schema.text(h["reply_kid"], "reply_kid", pattern=schema.KID_RE),
        signer_kid=schema.text(h["signer_kid"], "signer_kid", pattern=schema.KID_RE),
        sig_alg=alg,
    )


def _as_bytes(data: bytes | str) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else bytes(data)


def _seed(obj: object, **values: object) -> None:
    """Fill cached properties of a just-parsed envelope with what the input proved."""
    obj.__dict__.update(values)


def request_from_json(value: Any) -> RequestEnvelope:
    e = _envelope(value, "gdx.request", {"header", "subject_ct", "sig"})
    env = RequestEnvelope(
        _parse_request_header(e["header"]),
        schema.binary(e["subject_ct"], "subject_ct", max_len=MAX_SUBJECT_CT),
        schema.binary(e["sig"], "sig", max_len=MAX_SIG),
    )
    _seed(env, subject_ct_b64=B64Text(e["subject_ct"]), sig_b64=B64Text(e["sig"]))
    return env


def parse_request_envelope(data: bytes) -> RequestEnvelope:
    obj = parse_json(data, max_bytes=MAX_REQUEST_BYTES)
    env = request_from_json(obj)
    _seed(env, _encoded=_as_bytes(data))
    return env


def parse_forward_envelope(data: bytes) -> ForwardEnvelope:
    e = _envelope(
        parse_json(data, max_bytes=MAX_FORWARD_BYTES), "gdx.forward", {"request", "hub", "sig"}
    )
    h = schema.obj(e["hub"], "hub", set(HubStamp.__dataclass_fields__))
    stamp = HubStamp(
        hub_id=schema.text(h["hub_id"], "hub_id", pattern=schema.MEMBER_ID_RE),
        received_at=schema.integer(h["received_at"], "received_at"),
        log_index=schema.integer(h["log_index"], "log_index"),
        signer_kid=schema.text(h["signer_kid"], "signer_kid", pattern=schema.KID_RE),
        sig_alg=schema.text(h["sig_alg"], "sig_alg", max_len=32),
    )
    signature_algorithm(stamp.sig_alg)
    fwd = ForwardEnvelope(
        request_from_json(e["request"]), stamp, schema.binary(e["sig"], "sig", max_len=MAX_SIG)
    )
    _seed(fwd, _encoded=_as_bytes(data))
    return fwd


def _parse_response_header(value: Any) -> ResponseHeader:
    h = schema.obj(value, "header", set(ResponseHeader.__dataclass_fields__))
    suite, alg = _suite_names(h)
    issued = schema.integer(h["issued_at"], "issued_at")
    expires = schema.integer(h["expires_at"], "expires_at")
    if expires <= issued:
        raise MalformedError("expires_at must be after issued_at")
    return ResponseHeader(
        request_id=schema.text(h["request_id"], "request_id", pattern=schema.UUID_RE),
        consumer=schema.text(h["consumer"], "consumer", pattern=schema.MEMBER_ID_RE),
        provider=schema.text(h["provider"], "provider", pattern=schema.MEMBER_ID_RE),
        document_type=schema.text(h["document_type"], "document_type", pattern=schema.DOCTYPE_RE),
        issued_at=issued,
        expires_at=expires,
        request_digest=schema.text(h["request_digest"], "request_digest", pattern=schema.HEX64_RE),
        subject_pseudonym=schema.text(
            h["subject_pseudonym"], "subject_pseudonym", pattern=schema.HEX64_RE
        ),
        hpke_suite=suite,
        recipient_kid=schema.text(h["recipient_kid"], "recipient_kid", pattern=schema.KID_RE),
        signer_kid=schema.text(h["signer_kid"], "signer_kid", pattern=schema.KID_RE),
        sig_alg=alg,
    )


def parse_response_envelope(data: bytes) -> ResponseEnvelope:
    e = _envelope(
        parse_json(data, max_bytes=MAX_RESPONSE_BYTES), "gdx.response", {"header", "ct", "sig"}
    )
    env = ResponseEnvelope(
        _parse_response_header(e["header"]),
        schema.binary(e["ct"], "ct", max_len=MAX_DOCUMENT_CT),
        schema.binary(e["sig"], "sig", max_len=MAX_SIG),
    )
    _seed(env, ct_b64=B64Text(e["ct"]), sig_b64=B64Text(e["sig"]), _encoded=_as_bytes(data))
    return env
