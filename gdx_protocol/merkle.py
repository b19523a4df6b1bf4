"""RFC 6962 / RFC 9162 Merkle tree for the append-only audit log.

Storage-agnostic: algorithms take a ``NodeReader`` -- ``node(level, index)``
returning the hash of the *perfect* subtree covering leaves
``[index * 2**level, (index + 1) * 2**level)``.  Perfect subtrees never change
in an append-only log, so a backend may cache them forever (a DB table keyed by
``(level, index)``).  With such a cache a root or proof costs O(log^2 n) hash
operations in the worst case and O(log n) node reads; :class:`MerkleTree`
keeps every perfect subtree in memory and appends in amortised O(1).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .errors import ProofError

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

NodeReader = Callable[[int, int], bytes]
LeafHashReader = Callable[[int], bytes]


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """Largest power of two strictly smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def node_reader_from_leaves(
    leaf_hashes: LeafHashReader, cache: dict[tuple[int, int], bytes] | None = None
) -> NodeReader:
    """Build a NodeReader from a leaf-hash accessor, memoising perfect subtrees."""
    memo: dict[tuple[int, int], bytes] = {} if cache is None else cache

    def node(level: int, index: int) -> bytes:
        if level == 0:
            return leaf_hashes(index)
        hit = memo.get((level, index))
        if hit is None:
            hit = node_hash(node(level - 1, 2 * index), node(level - 1, 2 * index + 1))
            memo[(level, index)] = hit
        return hit

    return node


def range_hash(node: NodeReader, start: int, end: int) -> bytes:
    """MTH(D[start:end]); ranges produced by RFC 6962 recursion are always
    "left-aligned", so they decompose into perfect subtrees."""
    n = end - start
    if n <= 0:
        return EMPTY_ROOT
    if n & (n - 1) == 0 and start % n == 0:
        return node(n.bit_length() - 1, start // n)
    k = _split(n)
    return node_hash(range_hash(node, start, start + k), range_hash(node, start + k, end))


def root_hash(node: NodeReader, size: int) -> bytes:
    return range_hash(node, 0, size)


def inclusion_proof(node: NodeReader, index: int, size: int) -> list[bytes]:
    """PATH(m, D[0:n]) from RFC 6962 section 2.1.1."""
    if not 0 <= index < size:
        raise ProofError("leaf index outside tree")
    path: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            path.append(range_hash(node, start + k, end))
            end = start + k
        else:
            path.append(range_hash(node, start, start + k))
            start += k
    path.reverse()
    return path


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """PATH(index, D[0:size]) of RFC 6962 2.1.1 as leaf ranges ``[start, end)``, leaf to root:
    at each level the sibling of the leaf's ancestor, cut at the tree's end (a range at the
    right edge is not a perfect subtree), and nothing where the sibling lies wholly past it.
    Equal to ``inclusion_proof`` without walking the recursion, for proofs in bulk."""
    if not 0 <= index < size:
        raise ProofError("leaf index outside tree")
    ranges: list[tuple[int, int]] = []
    level = 0
    while (1 << level) < size:
        start = ((index >> level) ^ 1) << level
        if start < size:
            ranges.append((start, min(start + (1 << level), size)))
        level += 1
    return ranges


def perfect_subtrees(start: int, end: int) -> list[tuple[int, int]]:
    """The perfect subtrees (level, index) that make up ``[start, end)``, largest first, for a
    range aligned as ``inclusion_ranges`` gives them (``start`` a multiple of a power of two
    at least ``end - start``). Its hash is ``fold_right`` of theirs."""
    parts: list[tuple[int, int]] = []
    width, at = end - start, start
    for level in range(width.bit_length() - 1, -1, -1):
        if width >> level & 1:
            parts.append((level, at >> level))
            at += 1 << level
    return parts


def fold_right(hashes: Sequence[bytes]) -> bytes:
    """MTH of consecutive perfect subtrees, largest first: H(h1, H(h2, … H(hk-1, hk)))."""
    result = hashes[-1]
    for h in reversed(hashes[:-1]):
        result = node_hash(h, result)
    return result


def consistency_proof(node: NodeReader, old_size: int, new_size: int) -> list[bytes]:
    """PROOF(m, D[0:n]) / SUBPROOF from RFC 6962 section 2.1.2."""
    if not 0 <= old_size <= new_size:
        raise ProofError("bad sizes")
    if old_size == 0 or old_size == new_size:
        return []
    path: list[bytes] = []
    start, end, m, complete = 0, new_size, old_size, True
    while True:
        n = end - start
        if m == n:
            if not complete:
                path.append(range_hash(node, start, end))
            break
        k = _split(n)
        if m <= k:
            path.append(range_hash(node, start + k, end))
            end = start + k
        else:
            path.append(range_hash(node, start, start + k))
            start += k
            m -= k
            complete = False
    path.reverse()
    return path


def _check_hashes(*hashes: bytes) -> None:
    for h in hashes:
        if not isinstance(h, bytes | bytearray) or len(h) != HASH_SIZE:
            raise ProofError("hash has wrong size")


def root_from_inclusion_proof(leaf: bytes, index: int, size: int, proof: Sequence[bytes]) -> bytes:
    """RFC 9162 section 2.1.3.2."""
    if not 0 <= index < size:
        raise ProofError("leaf index outside tree")
    _check_hashes(leaf, *proof)
    fn, sn, r = index, size - 1, bytes(leaf)
    for p in proof:
        if sn == 0:
            raise ProofError("proof too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("proof too short")
    return r


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    _check_hashes(root)
    if not hmac.compare_digest(root_from_inclusion_proof(leaf, index, size, proof), root):
        raise ProofError("inclusion proof does not match root")


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """RFC 9162 section 2.1.4.2 (plus the trivial cases the RFC leaves implicit)."""
    if not 0 <= old_size <= new_size:
        raise ProofError("new tree is smaller than old tree")
    if old_size == new_size:
        if proof or old_root != new_root:
            raise ProofError("equal sizes need equal roots and an empty proof")
        return
    if old_size == 0:
        if proof:
            raise ProofError("proof from the empty tree must be empty")
        return
    if not proof:
        raise ProofError("empty proof")
    _check_hashes(old_root, new_root, *proof)
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, bytes(old_root))
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("proof too long")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("proof too short")
    if not (hmac.compare_digest(fr, old_root) and hmac.compare_digest(sr, new_root)):
        raise ProofError("consistency proof does not match roots")


class MerkleTree:
    """In-memory append-only tree keeping all perfect subtrees (levels[l][i])."""

    def __init__(self) -> None:
        self.levels: list[list[bytes]] = [[]]

    def __len__(self) -> int:
        return len(self.levels[0])

    def append_hash(self, h: bytes) -> int:
        _check_hashes(h)
        index = len(self.levels[0])
        self.levels[0].append(bytes(h))
        level, i = 0, index
        while i & 1:  # completed a right child: its parent is now perfect
            if len(self.levels) == level + 1:
                self.levels.append([])
            parent = node_hash(self.levels[level][i - 1], self.levels[level][i])
            self.levels[level + 1].append(parent)
            level, i = level + 1, i >> 1
        return index

    def append(self, data: bytes) -> int:
        return self.append_hash(leaf_hash(data))

    def node(self, level: int, index: int) -> bytes:
        return self.levels[level][index]

    def root(self, size: int | None = None) -> bytes:
        return root_hash(self.node, len(self) if size is None else size)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        return inclusion_proof(self.node, index, len(self) if size is None else size)

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        return consistency_proof(self.node, old_size, len(self) if new_size is None else new_size)


@dataclass(frozen=True)
class TreeHead:
    tree_size: int
    root_hash: bytes
    timestamp_ms: int
