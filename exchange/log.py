"""The Merkle audit log in the database (RFC 6962 hashing from gdx_protocol.merkle).

Leaves and cached perfect-subtree hashes are stored; a proof or root touches O(log n)
rows, fetched in two queries: the RFC algorithms run once with a recording reader to
learn which (level, index) nodes they need, and once more over the fetched hashes.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from exchange.models import AuditLogLeaf, MerkleSubtree
from gdx_protocol import merkle

T = TypeVar("T")
_DUMMY = b"\0" * merkle.HASH_SIZE


def fetch_nodes(keys: set[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    found: dict[tuple[int, int], bytes] = {}
    leaves = [i for level, i in keys if level == 0]
    if leaves:
        for index, h in AuditLogLeaf.objects.filter(index__in=leaves).values_list(
            "index", "leaf_hash"
        ):
            found[(0, index)] = bytes(h)
    inner = [(level, i) for level, i in keys if level > 0]
    if inner:
        from django.db.models import Q

        query = Q()
        for level, i in inner:
            query |= Q(level=level, index=i)
        for level, index, h in MerkleSubtree.objects.filter(query).values_list(
            "level", "index", "hash"
        ):
            found[(level, index)] = bytes(h)
    missing = keys - set(found)
    if missing:
        raise LookupError(f"audit log nodes missing: {sorted(missing)[:4]}")
    return found


def with_nodes(fn: Callable[..., T], *args: Any) -> T:
    """Run a gdx_protocol.merkle algorithm over the stored tree."""
    needed: set[tuple[int, int]] = set()

    def record(level: int, index: int) -> bytes:
        needed.add((level, index))
        return _DUMMY

    fn(record, *args)
    hashes = fetch_nodes(needed)
    return fn(lambda level, index: hashes[(level, index)], *args)


def root_at(size: int) -> bytes:
    return with_nodes(merkle.root_hash, size)


def inclusion(index: int, size: int) -> list[bytes]:
    return with_nodes(merkle.inclusion_proof, index, size)


def consistency(first: int, second: int) -> list[bytes]:
    return with_nodes(merkle.consistency_proof, first, second)


def parents_to_store(index: int, leaf_hash: bytes) -> list[MerkleSubtree]:
    """The perfect subtrees completed by appending leaf ``index`` (one query for siblings)."""
    steps: list[tuple[int, int]] = []
    level, i = 0, index
    while i & 1:
        steps.append((level, i - 1))
        level, i = level + 1, i >> 1
    if not steps:
        return []
    siblings = fetch_nodes(set(steps))
    out = []
    h = leaf_hash
    for level, left in steps:
        h = merkle.node_hash(siblings[(level, left)], h)
        out.append(MerkleSubtree(level=level + 1, index=(left + 1) >> 1, hash=h))
    return out
