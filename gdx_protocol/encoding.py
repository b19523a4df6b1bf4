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
from typing import Any, NoReturn

from .errors import MalformedError, TooLargeError

# Integers beyond 2**53 do not survive JavaScript/JSON round-trips.
MAX_SAFE_INT = 2**53 - 1
DEFAULT_MAX_BYTES = 1 << 20
MAX_DEPTH = 16

_B64URL_RE = re.compile(r"^[A-Za-z0-9_-]*$")


def canonical_json(obj: Any) -> bytes:
    return json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64d(text: object, *, field: str = "value", max_len: int | None = None) -> bytes:
    """Decode unpadded base64url; rejects padding, stray chars, non-canonical tails."""
    if not isinstance(text, str) or not _B64URL_RE.match(text) or len(text) % 4 == 1:
        raise MalformedError(f"{field}: not base64url")
    if max_len is not None and len(text) > (max_len * 4 + 2) // 3:
        raise TooLargeError(f"{field}: too long")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise MalformedError(f"{field}: not base64url") from exc
    if b64e(raw) != text:  # non-zero padding bits would make encodings malleable
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
