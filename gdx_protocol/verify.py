"""Standalone audit-log proof verifier (no hub, no Django, no network).

    python -m gdx_protocol.verify inclusion   proof.json  [--hub-key KEY.json]
    python -m gdx_protocol.verify consistency proof.json  [--hub-key KEY.json]

``proof.json`` ("-" = stdin), hashes in lowercase hex:

    inclusion:   {"leaf_index": 5, "tree_size": 8, "leaf_hash": "..."  (or "leaf": base64url data),
                  "proof": ["..."], "root_hash": "..."  (or "sth": {signed tree head})}
    consistency: {"first_size": 6, "second_size": 8, "proof": ["..."],
                  "first_root": "..." | "first_sth": {...},
                  "second_root": "..." | "second_sth": {...}}

``--hub-key`` is ``{"alg": "ed25519", "pub": base64url}`` (a list is accepted);
it is required when a signed tree head is given, whose size/root then take
precedence.  Prints ``{"ok": true, ...}`` and exits 0, or ``{"ok": false,
"error": code}`` and exits 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from . import schema
from .directory import HubKey
from .encoding import b64d, parse_json
from .errors import GdxError, MalformedError
from .merkle import leaf_hash, verify_consistency, verify_inclusion
from .sth import parse_hex_hash, verify_tree_head

MAX_PROOF_ITEMS = 128


def _anchors(path: str | None) -> list[HubKey]:
    if path is None:
        return []
    with open(path, "rb") as fh:
        obj = parse_json(fh.read(), require_canonical=False)
    items = obj if isinstance(obj, list) else [obj]
    keys = []
    for item in items:
        if not isinstance(item, dict) or "alg" not in item or "pub" not in item:
            raise MalformedError("hub key needs alg and pub")
        keys.append(HubKey(schema.text(item["alg"], "alg"), b64d(item["pub"], field="pub")))
    return keys


def _proof(doc: dict[str, Any]) -> list[bytes]:
    items = schema.array(doc.get("proof"), "proof", max_items=MAX_PROOF_ITEMS)
    return [parse_hex_hash(p, "proof[]") for p in items]


def _size_root(
    doc: dict[str, Any], size_key: str, root_key: str, sth_key: str, anchors: list[HubKey]
) -> tuple[int, bytes]:
    if sth_key in doc:
        if not anchors:
            raise MalformedError("--hub-key is required to check a signed tree head")
        head = verify_tree_head(doc[sth_key], anchors)
        if size_key in doc and doc[size_key] != head.tree_size:
            raise MalformedError(f"{size_key} disagrees with the signed tree head")
        return head.tree_size, head.root_hash
    return schema.integer(doc.get(size_key), size_key), parse_hex_hash(doc.get(root_key), root_key)


def check_inclusion(doc: Any, anchors: list[HubKey]) -> dict[str, Any]:
    if not isinstance(doc, dict):
        raise MalformedError("expected a JSON object")
    size, root = _size_root(doc, "tree_size", "root_hash", "sth", anchors)
    index = schema.integer(doc.get("leaf_index"), "leaf_index")
    if "leaf" in doc:
        leaf = leaf_hash(b64d(doc["leaf"], field="leaf"))
    else:
        leaf = parse_hex_hash(doc.get("leaf_hash"), "leaf_hash")
    verify_inclusion(leaf, index, size, _proof(doc), root)
    return {"ok": True, "leaf_index": index, "tree_size": size, "root_hash": root.hex()}


def check_consistency(doc: Any, anchors: list[HubKey]) -> dict[str, Any]:
    if not isinstance(doc, dict):
        raise MalformedError("expected a JSON object")
    m, r1 = _size_root(doc, "first_size", "first_root", "first_sth", anchors)
    n, r2 = _size_root(doc, "second_size", "second_root", "second_sth", anchors)
    verify_consistency(m, n, r1, r2, _proof(doc))
    return {"ok": True, "first_size": m, "second_size": n}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m gdx_protocol.verify",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("kind", choices=["inclusion", "consistency"])
    parser.add_argument("file", nargs="?", default="-", help="proof JSON (default: stdin)")
    parser.add_argument("--hub-key", help="JSON file with the hub's public key(s)")
    args = parser.parse_args(argv)
    try:
        if args.file == "-":
            data = sys.stdin.buffer.read()
        else:
            with open(args.file, "rb") as fh:
                data = fh.read()
        doc = parse_json(data, require_canonical=False)
        anchors = _anchors(args.hub_key)
        check = check_inclusion if args.kind == "inclusion" else check_consistency
        result = check(doc, anchors)
    except GdxError as exc:
        print(json.dumps({"ok": False, "error": exc.code, "detail": exc.message}))
        return 1
    except OSError as exc:
        print(json.dumps({"ok": False, "error": "io", "detail": str(exc)}))
        return 1
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
