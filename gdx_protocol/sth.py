"""Signed tree heads for the audit log.

Signed bytes: ``b"gdx/v1/sth\\x00" || u64be(tree_size) || u64be(timestamp_ms) || root_hash``
-- fixed-width binary, so there is exactly one encoding to sign and verify.
JSON form: ``{"tree_size", "timestamp_ms", "root_hash" (hex), "sig_alg",
"signer_kid", "sig" (base64url)}``.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from typing import Any

from . import schema
from .directory import HubKey, verify_by_anchor
from .encoding import b64e
from .errors import MalformedError
from .keys import SigningKey
from .merkle import HASH_SIZE, TreeHead

_PREFIX = b"gdx/v1/sth\x00"
STH_KEYS = {"tree_size", "timestamp_ms", "root_hash", "sig_alg", "signer_kid", "sig"}


def tree_head_message(tree_size: int, timestamp_ms: int, root_hash: bytes) -> bytes:
    if len(root_hash) != HASH_SIZE:
        raise MalformedError("root hash must be 32 bytes")
    return _PREFIX + struct.pack(">QQ", tree_size, timestamp_ms) + root_hash


def sign_tree_head(key: SigningKey, head: TreeHead) -> dict[str, Any]:
    sig = key.sign(tree_head_message(head.tree_size, head.timestamp_ms, head.root_hash))
    return {
        "tree_size": head.tree_size,
        "timestamp_ms": head.timestamp_ms,
        "root_hash": head.root_hash.hex(),
        "sig_alg": key.alg,
        "signer_kid": key.kid,
        "sig": b64e(sig),
    }


def parse_hex_hash(value: Any, field: str) -> bytes:
    return bytes.fromhex(schema.text(value, field, pattern=schema.HEX64_RE))


def verify_tree_head(obj: Any, anchors: Iterable[HubKey]) -> TreeHead:
    sth = schema.obj(obj, "sth", STH_KEYS)
    head = TreeHead(
        schema.integer(sth["tree_size"], "tree_size"),
        parse_hex_hash(sth["root_hash"], "root_hash"),
        schema.integer(sth["timestamp_ms"], "timestamp_ms"),
    )
    verify_by_anchor(
        anchors,
        schema.text(sth["signer_kid"], "signer_kid", pattern=schema.KID_RE),
        schema.text(sth["sig_alg"], "sig_alg", max_len=32),
        schema.binary(sth["sig"], "sig", max_len=8192),
        tree_head_message(head.tree_size, head.timestamp_ms, head.root_hash),
    )
    return head
