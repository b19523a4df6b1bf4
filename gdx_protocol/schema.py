"""Tiny typed field extractors for parsed JSON (no third-party schema lib).

Each helper raises :class:`MalformedError` on anything unexpected, so parsers
built from them are total functions over arbitrary JSON values.
"""

from __future__ import annotations

import re
from typing import Any

from .encoding import MAX_SAFE_INT, b64d
from .errors import MalformedError

MEMBER_ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
KID_RE = re.compile(r"^[0-9a-f]{64}$")
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
DOCTYPE_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
HEX64_RE = re.compile(r"^[0-9a-f]{64}$")
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{0,63}$")
_CONTROL_OR_SURROGATE = re.compile("[\x00-\x1f\ud800-\udfff]")


def obj(value: Any, field: str, keys: set[str], optional: set[str] | None = None) -> dict[str, Any]:
    """Require a JSON object with exactly ``keys`` (plus any of ``optional``)."""
    if not isinstance(value, dict):
        raise MalformedError(f"{field}: expected object")
    present = set(value)
    missing = keys - present
    extra = present - keys - (optional or set())
    if missing:
        raise MalformedError(f"{field}: missing {sorted(missing)}")
    if extra:
        raise MalformedError(f"{field}: unexpected {sorted(extra)}")
    return value


def text(
    value: Any, field: str, *, max_len: int = 256, pattern: re.Pattern[str] | None = None
) -> str:
    if not isinstance(value, str):
        raise MalformedError(f"{field}: expected string")
    if len(value) > max_len:
        raise MalformedError(f"{field}: longer than {max_len}")
    if pattern is not None and not pattern.match(value):
        raise MalformedError(f"{field}: bad format")
    if _CONTROL_OR_SURROGATE.search(value):
        raise MalformedError(f"{field}: control or surrogate characters")
    return value


def integer(value: Any, field: str, *, lo: int = 0, hi: int = MAX_SAFE_INT) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise MalformedError(f"{field}: expected integer in [{lo}, {hi}]")
    return value


def binary(value: Any, field: str, *, max_len: int) -> bytes:
    return b64d(value, field=field, max_len=max_len)


def array(value: Any, field: str, *, max_items: int) -> list[Any]:
    if not isinstance(value, list):
        raise MalformedError(f"{field}: expected array")
    if len(value) > max_items:
        raise MalformedError(f"{field}: more than {max_items} items")
    return value
