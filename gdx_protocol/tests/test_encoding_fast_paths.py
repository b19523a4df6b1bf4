"""The fast paths in gdx_protocol.encoding and schema give exactly the old answers."""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from gdx_protocol import schema
from gdx_protocol.encoding import b64d, b64e, canonical_json
from gdx_protocol.errors import GdxError, MalformedError

_B64URL_RE = re.compile(r"^[A-Za-z0-9_-]*$")


def reference_b64d(text: object, max_len: int | None = None) -> bytes:
    """The implementation before ADR 0032 (regex, then decode, then re-encode). One fix: its
    ``$`` also matched before a trailing newline, so "AAAA\\n" with a small max_len was
    refused as too long instead of malformed (refused either way)."""
    if not isinstance(text, str) or not _B64URL_RE.fullmatch(text) or len(text) % 4 == 1:
        raise MalformedError("not base64url")
    if max_len is not None and len(text) > (max_len * 4 + 2) // 3:
        raise GdxError("too long")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise MalformedError("not base64url") from exc
    if b64e(raw) != text:
        raise MalformedError("non-canonical base64url")
    return raw


def reference_canonical(obj: Any) -> bytes:
    return json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def _outcome(fn, *args) -> tuple[str, Any]:
    try:
        return "ok", fn(*args)
    except GdxError as exc:
        return type(exc).__name__ if exc.code != "malformed" else "malformed", None
    except (ValueError, TypeError, UnicodeError) as exc:
        return type(exc).__name__, None


b64ish = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/= \n.é"
)


@settings(max_examples=600)
@given(st.one_of(b64ish, st.text(), st.binary().map(b64e)), st.sampled_from([None, 1, 8, 64]))
@example("QQ", None)  # canonical
@example("QR", None)  # non-zero unused bits
@example("QUI", None)
@example("QUJ", None)
@example("QQ==", None)
@example("QQ\n", None)
def test_b64d_agrees_with_the_reference(text, max_len):
    new = _outcome(lambda t: b64d(t, max_len=max_len), text)
    old = _outcome(lambda t: reference_b64d(t, max_len=max_len), text)
    assert new[1] == old[1]
    assert (new[0] == "ok") == (old[0] == "ok")
    if old[0] != "ok":
        # same refusal class: malformed stays malformed, too long stays too long
        assert (new[0] == "malformed") == (old[0] == "malformed")


json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**53) + 1, 2**53 - 1), st.text(max_size=20)
)
long_text = st.one_of(
    st.text(min_size=500, max_size=700),
    st.text(alphabet='ab-_09"\\\n\x7f é', min_size=500, max_size=700),
    st.binary(min_size=380, max_size=600).map(b64e),
)
values = st.one_of(json_scalars, long_text, st.lists(json_scalars, max_size=3))


@settings(max_examples=400)
@given(st.dictionaries(st.text(max_size=8), values, max_size=6))
def test_canonical_json_is_byte_identical_to_json_dumps(obj):
    assert _outcome(canonical_json, obj) == _outcome(reference_canonical, obj)


def test_canonical_json_with_surrogates_and_odd_keys_fails_or_matches_like_json():
    for obj in ({"a": "\ud800" * 600}, {1: "x" * 600, "b": 1}, {"a": "x" * 600, "b": float("nan")}):
        assert _outcome(canonical_json, obj) == _outcome(reference_canonical, obj)


@pytest.mark.parametrize(
    "value", ["plain", "tab\there", "nul\x00", "surrogate\ud800", "\udfff", "ok é ไทย", "\x1f"]
)
def test_schema_text_refuses_control_and_surrogate_characters_as_before(value):
    bad = any(ord(c) < 0x20 or 0xD800 <= ord(c) <= 0xDFFF for c in value)
    if bad:
        with pytest.raises(MalformedError):
            schema.text(value, "f")
    else:
        assert schema.text(value, "f") == value


nested = st.recursive(
    values,
    lambda inner: st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300)
@given(st.dictionaries(st.text(max_size=8), nested, max_size=6))
def test_nested_splicing_is_byte_identical_to_json_dumps(obj):
    """Long base64url text nested two levels down (a forward's request's subject_ct) is
    spliced too; whatever the nesting, the bytes are json.dumps's."""
    assert _outcome(canonical_json, obj) == _outcome(reference_canonical, obj)


@settings(max_examples=200)
@given(st.dictionaries(st.text(max_size=8), nested, max_size=4), st.text(max_size=6))
def test_pre_encoded_values_are_spliced_as_their_canonical_json(obj, key):
    """RawJson (a header or payload encoded once) in place of its value: same bytes."""
    from gdx_protocol.encoding import raw_json

    try:
        reference = reference_canonical({key: obj, "z": 1})
    except (ValueError, TypeError, UnicodeError):
        return
    assert canonical_json({key: raw_json(obj), "z": 1}) == reference
    assert canonical_json(raw_json(obj)) == reference_canonical(obj)
