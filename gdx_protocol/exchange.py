"""The GDX exchange flows: build and verify requests, forwards and responses.

Who calls what::

    consumer node   build_request ............................ open_response
    hub             verify_request_envelope, hub_forward_request, verify_response_envelope
    provider node   open_forwarded_request, build_response

Checks run in the order *parse -> authenticate (signature) -> authorize /
match -> freshness -> replay -> decrypt*, so unauthenticated input can never
fill the replay cache or reach the HPKE decapsulation.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from . import schema
from .directory import HubKey, MemberDirectory, current_key, require_key, verify_by_anchor
from .encoding import RawJson, b64e, canonical_json, parse_json, raw_json
from .envelope import (
    MAX_RESPONSE_BYTES,
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
from .errors import (
    ExpiredError,
    KeyNotValidError,
    MalformedError,
    MismatchError,
    NotYetValidError,
    PseudonymMismatchError,
    ReplayError,
    UnknownKeyError,
    UnsupportedSuiteError,
    WrongConsumerError,
    WrongProviderError,
)
from .hpke_suites import default_suite_for, hpke_suite, open_sealed, seal
from .keys import EncryptionKey, SigningKey, verify_signature
from .padding import SUBJECT_BUCKET, pad, pad_to_bucket, unpad
from .pseudonym import citizen_pseudonym, pseudonym_matches
from .replay import ReplayCache
from .signing import (
    INFO_REQUEST_SUBJECT,
    INFO_RESPONSE,
    LABEL_DOCUMENT,
    LABEL_FORWARD,
    LABEL_REQUEST,
    LABEL_RESPONSE,
    hpke_info,
    signed_message,
)
from .thai_id import thai_id_is_valid

DOCUMENT_TYPES = ("person_record", "house_registration", "juristic_person")
DEFAULT_REQUEST_TTL = 120
MAX_REQUEST_TTL = 900
DEFAULT_RESPONSE_TTL = 120
CLOCK_SKEW = 60


def _now(now: int | None) -> int:
    return int(time.time()) if now is None else now


@dataclass(frozen=True)
class NodeIdentity:
    """A member node's private keys. ``encryption_keys[0]`` is current; older
    keys stay during rotation so responses sealed to them still open."""

    member_id: str
    signing_key: SigningKey
    encryption_keys: tuple[EncryptionKey, ...]

    def encryption_key(self, kid: str) -> EncryptionKey | None:
        return next((k for k in self.encryption_keys if k.kid == kid), None)


@dataclass(frozen=True)
class PendingRequest:
    """What a consumer remembers about a request until its answer arrives."""

    header: RequestHeader
    digest: str
    envelope: bytes = field(repr=False)


@dataclass(frozen=True)
class OpenedRequest:
    header: RequestHeader
    citizen_id: str = field(repr=False)
    request_digest: str
    hub: HubStamp


@dataclass(frozen=True)
class VerifiedDocument:
    header: ResponseHeader
    status: str  # "found" | "not_found"
    document: dict[str, Any] | None
    # Provider-signed payload kept as evidence: verifiable later without the envelope.
    signed_payload: bytes = field(repr=False)
    payload_sig: bytes = field(repr=False)
    payload_sig_alg: str = ""
    payload_signer_kid: str = ""


def _check_window(issued_at: int, expires_at: int, now: int, max_ttl: int) -> None:
    if expires_at - issued_at > max_ttl:
        raise MalformedError("validity window too long")
    if issued_at > now + CLOCK_SKEW:
        raise NotYetValidError("issued in the future")
    if now > expires_at:
        raise ExpiredError("envelope expired")


def _verify_sig(
    directory: MemberDirectory, kid: str, alg: str, member: str, sig: bytes, msg: bytes, at: int
) -> None:
    rec = require_key(directory, kid, member_id=member, use="sig", at=at)
    if rec.alg != alg:
        raise KeyNotValidError("signature algorithm does not match the key")
    verify_signature(alg, rec.public_raw, sig, msg)


# --------------------------------------------------------------------------- request


def build_request(
    identity: NodeIdentity,
    directory: MemberDirectory,
    *,
    provider: str,
    document_type: str,
    citizen_id: str,
    purpose: str,
    officer: str,
    legal_basis: str,
    pseudonym_key: bytes,
    now: int | None = None,
    ttl: int = DEFAULT_REQUEST_TTL,
    request_id: str | None = None,
) -> tuple[bytes, PendingRequest]:
    """Consumer side: seal the citizen ID to the provider and sign the request."""
    now = _now(now)
    if not thai_id_is_valid(citizen_id):
        raise MalformedError("citizen/juristic ID fails the 13-digit checksum")
    target = current_key(directory, provider, use="enc", at=now)
    header = RequestHeader(
        request_id=request_id or str(uuid.uuid4()),
        consumer=identity.member_id,
        provider=provider,
        document_type=document_type,
        purpose=purpose,
        officer=officer,
        legal_basis=legal_basis,
        issued_at=now,
        expires_at=now + ttl,
        subject_pseudonym=citizen_pseudonym(pseudonym_key, citizen_id),
        hpke_suite=default_suite_for(target.alg),
        recipient_kid=target.kid,
        reply_kid=identity.encryption_keys[0].kid,
        signer_kid=identity.signing_key.kid,
        sig_alg=identity.signing_key.alg,
    )
    # Re-parse our own header so we never emit something peers would refuse.
    header = parse_request_envelope(
        canonical_json(
            {"v": 1, "kind": "gdx.request", "header": header.canonical, "subject_ct": "", "sig": ""}
        )
    ).header
    subject_ct = seal(
        header.hpke_suite,
        target.alg,
        target.public_raw,
        pad(citizen_id.encode("ascii"), SUBJECT_BUCKET),
        hpke_info(INFO_REQUEST_SUBJECT, header.canonical),
    )
    body = {"header": header.canonical, "subject_ct": b64e(subject_ct)}
    env = RequestEnvelope(
        header, subject_ct, identity.signing_key.sign(signed_message(LABEL_REQUEST, body))
    )
    data = env.to_bytes()
    return data, PendingRequest(header, env.digest, data)


def _as_request(envelope: bytes | RequestEnvelope) -> RequestEnvelope:
    return envelope if isinstance(envelope, RequestEnvelope) else parse_request_envelope(envelope)


def verify_request(
    envelope: bytes | RequestEnvelope,
    directory: MemberDirectory,
    *,
    now: int | None = None,
    replay_cache: ReplayCache | None = None,
) -> RequestEnvelope:
    """Like :func:`verify_request_envelope` but returns the parsed envelope."""
    now = _now(now)
    env = _as_request(envelope)
    h = env.header
    _verify_sig(
        directory,
        h.signer_kid,
        h.sig_alg,
        h.consumer,
        env.sig,
        signed_message(LABEL_REQUEST, env.signed_body()),
        now,
    )
    if h.consumer == h.provider:
        raise MalformedError("consumer and provider must differ")
    target = require_key(directory, h.recipient_kid, member_id=h.provider, use="enc", at=now)
    if hpke_suite(h.hpke_suite).kem_alg != target.alg:
        raise UnsupportedSuiteError("suite does not match the provider key")
    require_key(directory, h.reply_kid, member_id=h.consumer, use="enc", at=now)
    _check_window(h.issued_at, h.expires_at, now, MAX_REQUEST_TTL)
    if replay_cache is not None and not replay_cache.check_and_add(
        f"req:{h.request_id}", h.expires_at
    ):
        raise ReplayError("request id already seen")
    return env


def verify_request_envelope(
    envelope: bytes | RequestEnvelope,
    directory: MemberDirectory,
    *,
    now: int | None = None,
    replay_cache: ReplayCache | None = None,
) -> RequestHeader:
    """Hub side: authenticate the consumer and check routing; the subject stays sealed."""
    return verify_request(envelope, directory, now=now, replay_cache=replay_cache).header


# --------------------------------------------------------------------------- forward


def hub_forward_request(
    envelope: bytes | RequestEnvelope,
    hub_key: SigningKey,
    *,
    hub_id: str,
    log_index: int,
    now: int | None = None,
) -> bytes:
    """Hub side: countersign a verified request so the provider knows it came
    through the hub (and at which audit-log index it was recorded)."""
    env = _as_request(envelope)
    stamp = HubStamp(hub_id, _now(now), log_index, hub_key.kid, hub_key.alg)
    unsigned = ForwardEnvelope(env, stamp, b"")
    sig = hub_key.sign(signed_message(LABEL_FORWARD, unsigned.signed_body()))
    return ForwardEnvelope(env, stamp, sig).to_bytes()


def open_forwarded_request(
    data: bytes,
    *,
    identity: NodeIdentity,
    directory: MemberDirectory,
    hub_keys: Iterable[HubKey],
    pseudonym_key: bytes,
    replay_cache: ReplayCache,
    now: int | None = None,
) -> OpenedRequest:
    """Provider side: check hub countersignature, consumer signature, addressing,
    freshness and replay; then decrypt the citizen ID and check its pseudonym."""
    now = _now(now)
    fwd: ForwardEnvelope = parse_forward_envelope(data)
    verify_by_anchor(
        hub_keys,
        fwd.hub.signer_kid,
        fwd.hub.sig_alg,
        fwd.sig,
        signed_message(LABEL_FORWARD, fwd.signed_body()),
    )
    if fwd.hub.received_at > now + CLOCK_SKEW:
        raise NotYetValidError("hub stamp in the future")
    env = verify_request(fwd.request, directory, now=now)
    h = env.header
    if h.provider != identity.member_id:
        raise WrongProviderError(f"request is for {h.provider}")
    key = identity.encryption_key(h.recipient_kid)
    if key is None:
        raise UnknownKeyError("request sealed to a key this node does not hold")
    if not replay_cache.check_and_add(f"fwd:{h.consumer}:{h.request_id}", h.expires_at):
        raise ReplayError("request already answered")
    raw = unpad(
        open_sealed(h.hpke_suite, key, env.subject_ct, hpke_info(INFO_REQUEST_SUBJECT, h.canonical))
    )
    try:
        citizen_id = raw.decode("ascii")
    except UnicodeDecodeError as exc:
        raise MalformedError("subject is not ASCII") from exc
    if not thai_id_is_valid(citizen_id):
        raise MalformedError("subject fails the 13-digit checksum")
    if not pseudonym_matches(pseudonym_key, citizen_id, h.subject_pseudonym):
        # The hub logs the pseudonym; a consumer must not be able to mislabel the log.
        raise PseudonymMismatchError("subject pseudonym does not match the sealed ID")
    return OpenedRequest(h, citizen_id, env.digest, fwd.hub)


# --------------------------------------------------------------------------- response


def build_response(
    opened: OpenedRequest,
    document: dict[str, Any] | None,
    *,
    identity: NodeIdentity,
    directory: MemberDirectory,
    now: int | None = None,
    ttl: int = DEFAULT_RESPONSE_TTL,
) -> bytes:
    """Provider side: sign the document (inner), seal it to the consumer with the
    header as HPKE info, sign header+ciphertext (outer)."""
    now = _now(now)
    h = opened.header
    reply = require_key(directory, h.reply_kid, member_id=h.consumer, use="enc", at=now)
    signer = identity.signing_key
    payload = {
        "request_id": h.request_id,
        "consumer": h.consumer,
        "provider": identity.member_id,
        "document_type": h.document_type,
        "request_digest": opened.request_digest,
        "issued_at": now,
        "status": "not_found" if document is None else "found",
        "document": document,
    }
    signed_payload = raw_json(payload)  # encoded once: signed, then sealed inside ``inner``
    inner = {
        "payload": signed_payload,
        "sig_alg": signer.alg,
        "signer_kid": signer.kid,
        "sig": b64e(signer.sign(signed_message(LABEL_DOCUMENT, signed_payload))),
    }
    header = ResponseHeader(
        request_id=h.request_id,
        consumer=h.consumer,
        provider=identity.member_id,
        document_type=h.document_type,
        issued_at=now,
        expires_at=now + ttl,
        request_digest=opened.request_digest,
        subject_pseudonym=h.subject_pseudonym,
        hpke_suite=default_suite_for(reply.alg),
        recipient_kid=reply.kid,
        signer_kid=signer.kid,
        sig_alg=signer.alg,
    )
    ct = seal(
        header.hpke_suite,
        reply.alg,
        reply.public_raw,
        pad_to_bucket(canonical_json(inner)),
        hpke_info(INFO_RESPONSE, header.canonical),
    )
    unsigned = ResponseEnvelope(header, ct, b"")
    sig = signer.sign(signed_message(LABEL_RESPONSE, unsigned.signed_body()))
    env = ResponseEnvelope(header, ct, sig)
    env.__dict__["ct_b64"] = unsigned.ct_b64  # the 8 KiB-and-up ciphertext, encoded once
    return env.to_bytes()


def _as_response(envelope: bytes | ResponseEnvelope) -> ResponseEnvelope:
    if isinstance(envelope, ResponseEnvelope):
        return envelope
    return parse_response_envelope(envelope)


def verify_response_envelope(
    envelope: bytes | ResponseEnvelope,
    directory: MemberDirectory,
    *,
    request: RequestHeader | None = None,
    request_digest: str | None = None,
    now: int | None = None,
) -> ResponseHeader:
    """Hub side (and first step for consumers): outer signature, key status,
    freshness and -- when the request is known -- that it answers that request."""
    now = _now(now)
    env = _as_response(envelope)
    h = env.header
    _verify_sig(
        directory,
        h.signer_kid,
        h.sig_alg,
        h.provider,
        env.sig,
        signed_message(LABEL_RESPONSE, env.signed_body()),
        now,
    )
    target = require_key(directory, h.recipient_kid, member_id=h.consumer, use="enc", at=now)
    if hpke_suite(h.hpke_suite).kem_alg != target.alg:
        raise UnsupportedSuiteError("suite does not match the consumer key")
    _check_window(h.issued_at, h.expires_at, now, MAX_REQUEST_TTL)
    _check_answers(h, request, request_digest)
    return h


def _check_answers(
    h: ResponseHeader, request: RequestHeader | None, request_digest: str | None
) -> None:
    """That the (authenticated) response header answers ``request``."""
    if request is not None:
        if h.consumer != request.consumer:
            raise WrongConsumerError("response addressed to another consumer")
        if (h.request_id, h.provider, h.document_type, h.subject_pseudonym) != (
            request.request_id,
            request.provider,
            request.document_type,
            request.subject_pseudonym,
        ) or h.recipient_kid != request.reply_kid:
            raise MismatchError("response does not answer this request")
    if request_digest is not None and h.request_digest != request_digest:
        raise MismatchError("response commits to a different request")


_INNER_HEAD = b'{"payload":'


def _payload_text(raw: bytes, inner: dict[str, Any]) -> RawJson:
    """The payload's canonical JSON, cut from ``raw`` (proven canonical, so the payload is
    the first value and the rest is the other three keys' canonical encoding)."""
    rest = {k: inner[k] for k in ("sig", "sig_alg", "signer_kid")}
    tail = b"," + canonical_json(rest)[1:]
    if raw.startswith(_INNER_HEAD) and raw.endswith(tail):
        return RawJson(raw[len(_INNER_HEAD) : -len(tail)].decode("utf-8"))
    return raw_json(inner["payload"])  # unreachable for canonical input; correct anyway


def _parse_inner(raw: bytes) -> tuple[dict[str, Any], str, str, bytes, RawJson]:
    inner = schema.obj(
        parse_json(raw, max_bytes=MAX_RESPONSE_BYTES),
        "inner",
        {"payload", "sig_alg", "signer_kid", "sig"},
    )
    payload = schema.obj(
        inner["payload"],
        "payload",
        {
            "request_id",
            "consumer",
            "provider",
            "document_type",
            "request_digest",
            "issued_at",
            "status",
            "document",
        },
    )
    if payload["status"] not in ("found", "not_found"):
        raise MalformedError("payload status")
    if not (payload["document"] is None or isinstance(payload["document"], dict)):
        raise MalformedError("payload document")
    if (payload["document"] is None) != (payload["status"] == "not_found"):
        raise MalformedError("payload status/document disagree")
    schema.integer(payload["issued_at"], "issued_at")
    return (
        payload,
        schema.text(inner["sig_alg"], "sig_alg", max_len=32),
        schema.text(inner["signer_kid"], "signer_kid", pattern=schema.KID_RE),
        schema.binary(inner["sig"], "sig", max_len=8192),
        _payload_text(raw, inner),
    )


def open_response(
    envelope: bytes | ResponseEnvelope,
    *,
    pending: PendingRequest,
    identity: NodeIdentity,
    directory: MemberDirectory,
    replay_cache: ReplayCache,
    now: int | None = None,
) -> VerifiedDocument:
    """Consumer side: verify both signatures, that the answer is for *our* pending
    request and not stale or replayed, then decrypt."""
    now = _now(now)
    env = _as_response(envelope)
    h = verify_response_envelope(env, directory, now=now)
    if h.consumer != identity.member_id:
        raise WrongConsumerError(f"response is for {h.consumer}")
    key = identity.encryption_key(h.recipient_kid)
    if key is None:
        raise WrongConsumerError("response sealed to a key this node does not hold")
    # The signature, keys and window were checked just above: only the match is left.
    _check_answers(h, pending.header, pending.digest)
    if now > pending.header.expires_at + CLOCK_SKEW:
        raise ExpiredError("our request expired before the answer arrived")
    raw = open_sealed(h.hpke_suite, key, env.ct, hpke_info(INFO_RESPONSE, h.canonical))
    payload, alg, kid, sig, payload_text = _parse_inner(unpad(raw))
    signed = signed_message(LABEL_DOCUMENT, payload_text)
    _verify_sig(directory, kid, alg, h.provider, sig, signed, now)
    if payload["consumer"] != identity.member_id:
        raise WrongConsumerError("signed document names another consumer")
    expected = (h.request_id, h.provider, h.document_type, h.request_digest)
    got = (
        payload["request_id"],
        payload["provider"],
        payload["document_type"],
        payload["request_digest"],
    )
    if got != expected:
        raise MismatchError("signed document does not answer this request")
    if not replay_cache.check_and_add(f"resp:{h.request_id}", h.expires_at):
        raise ReplayError("response already accepted")
    return VerifiedDocument(
        h, payload["status"], payload["document"], payload_text.encode("utf-8"), sig, alg, kid
    )
