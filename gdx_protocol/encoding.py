"""Canonical JSON + strict base64url: the only byte encodings on the wire.

Signatures and HPKE ``info`` are computed over canonical JSON (sorted keys, no
whitespace, UTF-8, integers only), so two honest implementations always agree
on the bytes.  The parser is deliberately strict and total: whatever the input,
it returns a value or raises :class:`MalformedError` -- never anything else.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import string
from typing import Any, NoReturn

from .errors import MalformedError, TooLargeError

# Integers beyond 2**53 do not survive JavaScript/JSON round-trips.
MAX_SAFE_INT = 2**53 - 1
DEFAULT_MAX_BYTES = 1 << 20
MAX_DEPTH = 16


# One encoder for the process: ``json.dumps`` with these options builds a new one per call,
# which costs more than encoding a header.
_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)
_dumps = _ENCODER.encode


# A top-level string this long that needs no escaping (ciphertexts, signatures: base64url)
# is copied into the output instead of going through the encoder, which costs about 2 µs
# per KB; envelopes carry up to megabytes of base64url. The bytes are identical.
_SPLICE_MIN = 512


_B64URL_TEXT = re.compile(r"[A-Za-z0-9_-]*")


class B64Text(str):
    """What :func:`b64e` returns: known to be base64url, so no check before splicing."""

    __slots__ = ()


def _plain(value: str) -> bool:
    """True for base64url text (letters, digits, ``-``, ``_``), which JSON encodes as itself
    between quotes. Other strings take the encoder (correct, just not the shortcut)."""
    return type(value) is B64Text or _B64URL_TEXT.fullmatch(value) is not None


class RawJson(str):
    """Text that is already canonical JSON (made by :func:`canonical_json`, or cut from input
    that :func:`parse_json` proved canonical): spliced as is where it is a value, so a
    header or a payload is encoded once per envelope, not once per signature and HPKE info."""

    __slots__ = ()


def raw_json(obj: Any) -> RawJson:
    return RawJson(canonical_json(obj).decode("utf-8"))


def _has_long_text(obj: dict[Any, Any], depth: int) -> bool:
    """Whether a value (or, ``depth`` levels down, a nested object's value) is pre-encoded
    or a string long enough to splice; only then is the splicing encoder worth its loop."""
    for value in obj.values():
        if isinstance(value, str):
            if len(value) >= _SPLICE_MIN or type(value) is RawJson:
                return True
        elif depth and type(value) is dict and _has_long_text(value, depth - 1):
            return True
    return False


def _spliced(obj: dict[Any, Any], depth: int) -> str:
    if not all(type(k) is str for k in obj):
        return _dumps(obj)  # json's own errors and key coercion, as before
    parts = []
    for key in sorted(obj):
        value = obj[key]
        if type(value) is RawJson:
            encoded = str(value)
        elif isinstance(value, str) and len(value) >= _SPLICE_MIN and _plain(value):
            encoded = '"' + value + '"'
        elif depth and type(value) is dict and _has_long_text(value, depth - 1):
            encoded = _spliced(value, depth - 1)
        else:
            encoded = _dumps(value)
        parts.append(_dumps(key) + ":" + encoded)
    return "{" + ",".join(parts) + "}"


# Envelopes nest their long values at most this deep (a forward's request's subject_ct).
_SPLICE_DEPTH = 2


def canonical_json(obj: Any) -> bytes:
    if type(obj) is RawJson:
        return obj.encode("utf-8")
    if type(obj) is dict and _has_long_text(obj, _SPLICE_DEPTH):
        return _spliced(obj, _SPLICE_DEPTH).encode("utf-8")
    return _dumps(obj).encode("utf-8")


def b64e(data: bytes) -> str:
    return B64Text(base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii"))


_TO_STANDARD = bytes.maketrans(b"-_", b"+/")
_B64URL_VALUE = {c: i for i, c in enumerate(string.ascii_uppercase + string.ascii_lowercase)}
_B64URL_VALUE.update({c: 52 + i for i, c in enumerate(string.digits + "-_")})


def b64d(text: object, *, field: str = "value", max_len: int | None = None) -> bytes:
    """Decode unpadded base64url; rejects padding, stray chars, non-canonical tails.

    Validation happens in C (``binascii`` strict mode) rather than with a regex, and the
    canonical-form check looks at the unused bits of the last character instead of
    re-encoding: same answers, a fraction of the cost on large ciphertexts.
    """
    if not isinstance(text, str) or not text.isascii() or len(text) % 4 == 1:
        raise MalformedError(f"{field}: not base64url")
    data = text.encode("ascii")
    if b"+" in data or b"/" in data or b"=" in data:  # standard alphabet or padding
        raise MalformedError(f"{field}: not base64url")
    try:
        raw = binascii.a2b_base64(
            data.translate(_TO_STANDARD) + b"=" * (-len(data) % 4), strict_mode=True
        )
    except (binascii.Error, ValueError) as exc:
        raise MalformedError(f"{field}: not base64url") from exc
    if max_len is not None and len(text) > (max_len * 4 + 2) // 3:
        raise TooLargeError(f"{field}: too long")
    tail = len(text) % 4  # 2 or 3 characters in the last group leave 4 or 2 unused bits
    if tail and _B64URL_VALUE[text[-1]] & (0x0F if tail == 2 else 0x03):
        raise MalformedError(f"{field}: non-canonical base64url")
    return raw


def _reject_constant(name: str) -> NoReturn:
    raise MalformedError(f"JSON constant {name} not allowed")


def _reject_float(text: str) -> NoReturn:
    raise MalformedError("floating point numbers not allowed")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise MalformedError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _check_depth_and_ints(obj: Any, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise MalformedError("JSON nested too deeply")
    if isinstance(obj, dict):
        for value in obj.values():
            _check_depth_and_ints(value, depth + 1)
    elif isinstance(obj, list):
        for value in obj:
            _check_depth_and_ints(value, depth + 1)
    elif isinstance(obj, int) and not isinstance(obj, bool):
        if not -MAX_SAFE_INT <= obj <= MAX_SAFE_INT:
            raise MalformedError("integer out of range")


def parse_json(
    data: bytes | str, *, max_bytes: int = DEFAULT_MAX_BYTES, require_canonical: bool = True
) -> Any:
    """Strictly parse JSON bytes.  With ``require_canonical`` the input must be
    byte-identical to :func:`canonical_json` of the result, which removes all
    encoding malleability (one document == one byte string == one digest)."""
    if isinstance(data, str):
        try:
            data = data.encode("utf-8")
        except UnicodeError as exc:
            raise MalformedError("invalid text") from exc
    if not isinstance(data, bytes | bytearray | memoryview):
        raise MalformedError("expected bytes")
    data = bytes(data)
    if len(data) > max_bytes:
        raise TooLargeError(f"document larger than {max_bytes} bytes")
    try:
        text = data.decode("utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise MalformedError("not UTF-8") from exc
    # Cheap pre-check so the C scanner never recurses deeply on "[[[[...".
    if text.count("[") + text.count("{") > 10_000:
        raise MalformedError("too many containers")
    try:
        obj = json.loads(
            text,
            parse_constant=_reject_constant,
            parse_float=_reject_float,
            object_pairs_hook=_no_duplicates,
        )
    except MalformedError:
        raise
    except (ValueError, RecursionError, TypeError) as exc:
        # ValueError covers JSONDecodeError and the int max-str-digits guard.
        raise MalformedError("invalid JSON") from exc
    _check_depth_and_ints(obj)
    if require_canonical:
        try:
            again = canonical_json(obj)
        except (ValueError, TypeError, UnicodeError) as exc:  # lone surrogates
            raise MalformedError("not canonically encodable") from exc
        if again != data:
            raise MalformedError("not canonical JSON (sorted keys, no spaces, UTF-8)")
    return obj
