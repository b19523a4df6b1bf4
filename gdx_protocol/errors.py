"""Error hierarchy: every refusal carries a stable, machine-readable ``code``.

Callers (hub views, node handlers) map ``code`` straight into HTTP/JSON error
bodies and audit rows, so codes are part of the wire contract: never rename.
"""

from __future__ import annotations


class GdxError(Exception):
    """Base class: the only exception type the protocol layer lets escape."""

    code = "error"

    def __init__(self, message: str = "") -> None:
        super().__init__(message or self.code)
        self.message = message or self.code

    def to_dict(self) -> dict[str, str]:
        return {"error": self.code, "detail": self.message}


class MalformedError(GdxError):
    code = "malformed"


class TooLargeError(MalformedError):
    code = "too_large"


class UnsupportedVersionError(GdxError):
    code = "unsupported_version"


class UnsupportedSuiteError(GdxError):
    code = "unsupported_suite"


class BadSignatureError(GdxError):
    code = "bad_signature"


class TamperedError(GdxError):
    """AEAD open failed: ciphertext, bound header or recipient key do not match."""

    code = "tampered"


class ReplayError(GdxError):
    code = "replay"


class ExpiredError(GdxError):
    code = "expired"


class NotYetValidError(GdxError):
    code = "not_yet_valid"


class WrongConsumerError(GdxError):
    code = "wrong_consumer"


class WrongProviderError(GdxError):
    code = "wrong_provider"


class MismatchError(GdxError):
    """A response does not answer the request it claims to answer."""

    code = "mismatch"


class UnknownKeyError(GdxError):
    code = "unknown_key"


class RevokedKeyError(GdxError):
    code = "revoked_key"


class KeyNotValidError(GdxError):
    """Key exists and is not revoked, but is outside its validity window or use."""

    code = "key_not_valid"


class UnknownMemberError(GdxError):
    code = "unknown_member"


class PseudonymMismatchError(GdxError):
    code = "pseudonym_mismatch"


class UnsupportedDocumentError(GdxError):
    code = "unsupported_document"


class ProofError(GdxError):
    """Merkle inclusion/consistency proof does not verify."""

    code = "bad_proof"


class UncertifiedKeyError(UnknownKeyError):
    """A key in the directory that its member's identity key did not certify (T1)."""

    code = "uncertified_key"


class IdentityChangedError(GdxError):
    """A member's identity key is not the one this node pinned (T2)."""

    code = "identity_changed"


class WitnessQuorumError(GdxError):
    """A directory without enough cosignatures of the configured witnesses (T4)."""

    code = "witness_quorum"


ALL_ERRORS: tuple[type[GdxError], ...] = (
    GdxError,
    MalformedError,
    TooLargeError,
    UnsupportedVersionError,
    UnsupportedSuiteError,
    BadSignatureError,
    TamperedError,
    ReplayError,
    ExpiredError,
    NotYetValidError,
    WrongConsumerError,
    WrongProviderError,
    MismatchError,
    UnknownKeyError,
    RevokedKeyError,
    KeyNotValidError,
    UnknownMemberError,
    PseudonymMismatchError,
    UnsupportedDocumentError,
    ProofError,
    UncertifiedKeyError,
    IdentityChangedError,
    WitnessQuorumError,
)

_BY_CODE = {cls.code: cls for cls in ALL_ERRORS}


def error_from_code(code: str, message: str = "") -> GdxError:
    """Rebuild a typed error from a remote ``{"error": code}`` body."""
    cls = _BY_CODE.get(code)
    if cls is None:
        # A code this library does not know (e.g. the hub's "no_access_right"): keep it.
        err = GdxError(message or code)
        err.code = code
        return err
    return cls(message or code)
