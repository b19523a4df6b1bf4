"""The Merkle audit log in the database (RFC 6962 hashing from gdx_protocol.merkle).

Appending stores the leaf only (``append_leaf``): the next index and the insert are one
statement on PostgreSQL, so the ``LogState`` row lock is held for as little as possible.
Perfect-subtree hashes are stored in batches by ``integrate`` when a root or proof first
needs them, and by each hub process about every ``INTEGRATE_EVERY`` leaves it appended,
after the exchange has been answered.

Invariant: the stored subtrees are always *every* perfect subtree inside some prefix
``[0, n)`` of the log (each batch is stored atomically and batches run left to right), so
the highest stored level-1 subtree tells where the next batch starts.

A proof or root touches O(log n) rows, fetched in two queries: the RFC algorithms run once
with a recording reader to learn which (level, index) nodes they need, and once more over
the fetched hashes.
"""

import functools
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max, Q

from core import pg
from exchange.hub import hub_signing_key
from exchange.models import AuditLogLeaf, DirectoryState, LogState, MerkleSubtree, SignedTreeHead
from gdx_protocol import merkle
from gdx_protocol.encoding import b64d
from gdx_protocol.merkle import TreeHead
from gdx_protocol.sth import sign_tree_head

T = TypeVar("T")
_DUMMY = b"\0" * merkle.HASH_SIZE
INTEGRATE_EVERY = 1024  # leaves per hub process; see exchange.services.exchange_route
INTEGRATE_CHUNK = 8192  # leaves read per query while integrating


_LEAF_COLUMNS = ("leaf_hash", "data", "event", "request_id", "subject_pseudonym", "created_at")


@functools.cache
def _append_cte(at_version: bool = False) -> str:
    """``WITH s (next index, row locked), l (the leaf)``: the caller's statement follows and
    reads the new index as ``(SELECT i FROM l)``. No LogState row: the leaf's NOT NULL index
    makes the statement fail with IntegrityError.

    ``at_version``: the first parameter is the directory version the exchange was checked
    under; when it is no longer current, ``s`` and ``l`` are empty, and a statement that
    writes only ``FROM l`` writes nothing either (ADR 0134)."""
    q = connection.ops.quote_name
    state, leaf = q(LogState._meta.db_table), q(AuditLogLeaf._meta.db_table)
    size = q("tree_size")
    cols = ", ".join(q(c) for c in ("index", *_LEAF_COLUMNS))
    marks = ", ".join(["%s"] * len(_LEAF_COLUMNS))
    # Identifiers only come from model metadata, quoted; values are bound parameters.
    if not at_version:
        return (
            f"WITH s AS (UPDATE {state} SET {size} = {size} + 1 WHERE {q('id')} = 1 "  # noqa: S608
            f"RETURNING {size} - 1 AS i), "
            f"l AS (INSERT INTO {leaf} ({cols}) VALUES ((SELECT i FROM s), {marks}) "
            f"RETURNING {q('index')} AS i) "
        )
    directory = q(DirectoryState._meta.db_table)
    return (
        f"WITH v AS (SELECT 1 FROM {directory} WHERE {q('id')} = 1 "  # noqa: S608
        f"AND {q('version')} = %s), "
        f"s AS (UPDATE {state} SET {size} = {size} + 1 WHERE {q('id')} = 1 "
        f"AND EXISTS (SELECT 1 FROM v) RETURNING {size} - 1 AS i), "
        f"l AS (INSERT INTO {leaf} ({cols}) SELECT s.i, {marks} FROM s "
        f"RETURNING {q('index')} AS i) "
    )


@functools.cache
def _append_at_version_then(statement: str) -> str:
    return _append_cte(at_version=True) + statement


def append_at_version(version: str, leaf: list[Any], statement: str, params: list[Any]) -> Any:
    """``append_with`` if the directory's version is still ``version``; else nothing is
    written and the result is None (as it is when there is no LogState row).
    ``statement`` must write only ``FROM l``, so that it writes nothing either."""
    return pg.fetchone(_append_at_version_then(statement), [version, *leaf, *params])


def leaf_params(
    lh: bytes, data: bytes, event: str, request_id: uuid.UUID, pseudonym: str, at: datetime
) -> list[Any]:
    return [lh, data, event, request_id, pseudonym, at]


@functools.cache
def _append_then(statement: str) -> str:
    return _append_cte() + statement


def append_with(leaf: list[Any], statement: str, params: list[Any]) -> Any:
    """PostgreSQL only: append a leaf and run ``statement`` (which may use
    ``(SELECT i FROM l)``, the new index) as one statement, in autocommit or the caller's
    transaction. One round trip; the LogState row is locked only while it runs and commits.
    Returns the statement's first RETURNING row."""
    return pg.fetchone(_append_then(statement), leaf + params)


def append_leaf(
    lh: bytes, data: bytes, event: str, request_id: uuid.UUID, pseudonym: str, at: datetime
) -> int | None:
    """Take the next index and insert the leaf; None when there is no LogState row.

    Must run inside a transaction: the LogState row stays locked until it commits, which
    keeps indexes dense and in commit order.
    """
    if connection.vendor == "postgresql":
        try:
            with transaction.atomic():
                row = append_with(
                    leaf_params(lh, data, event, request_id, pseudonym, at), "SELECT i FROM l", []
                )
        except IntegrityError:
            if LogState.objects.filter(pk=1).exists():
                raise
            return None
        return int(row[0])
    if not LogState.objects.filter(pk=1).update(tree_size=F("tree_size") + 1):
        return None
    index = LogState.objects.filter(pk=1).values_list("tree_size", flat=True).get() - 1
    AuditLogLeaf.objects.create(
        index=index,
        leaf_hash=lh,
        data=data,
        event=event,
        request_id=request_id,
        subject_pseudonym=pseudonym,
        created_at=at,
    )
    return index


def fetch_nodes(keys: set[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    """The hashes of the given (level, index) nodes: one query on PostgreSQL; elsewhere
    leaves, then inner nodes with one ``index IN (...)`` term per level (a few dozen terms
    for thousands of nodes, so SQLite's expression depth limit is never reached)."""
    found = _fetch_nodes_pg(keys) if pg.is_postgresql() else _fetch_nodes_orm(keys)
    missing = keys - set(found)
    if missing:
        raise LookupError(f"audit log nodes missing: {sorted(missing)[:4]}")
    return found


def _fetch_nodes_orm(keys: set[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    found: dict[tuple[int, int], bytes] = {}
    leaves = [i for level, i in keys if level == 0]
    if leaves:
        for index, h in AuditLogLeaf.objects.filter(index__in=leaves).values_list(
            "index", "leaf_hash"
        ):
            found[(0, index)] = bytes(h)
    by_level: dict[int, list[int]] = {}
    for level, i in keys:
        if level > 0:
            by_level.setdefault(level, []).append(i)
    if by_level:
        query = Q()
        for level, indexes in by_level.items():
            query |= Q(level=level, index__in=indexes)
        for level, index, h in MerkleSubtree.objects.filter(query).values_list(
            "level", "index", "hash"
        ):
            found[(level, index)] = bytes(h)
    return found


def _fetch_nodes_pg(keys: set[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    """Leaves and inner nodes in one round trip: (level, index) pairs as two bound arrays,
    one index probe per node, however many (a bundle of 2,000 proofs needs about 16,000)."""
    leaves = [i for level, i in keys if level == 0]
    inner = [(level, i) for level, i in keys if level > 0]
    q = connection.ops.quote_name
    sql = (
        f"SELECT 0, l.{q('index')}, l.{q('leaf_hash')} "  # noqa: S608
        f"FROM {q(AuditLogLeaf._meta.db_table)} l WHERE l.{q('index')} = ANY(%s::bigint[]) "
        f"UNION ALL SELECT s.{q('level')}, s.{q('index')}, s.{q('hash')} "
        "FROM unnest(%s::smallint[], %s::bigint[]) AS k(lv, ix) "
        f"JOIN {q(MerkleSubtree._meta.db_table)} s ON s.{q('level')} = k.lv "
        f"AND s.{q('index')} = k.ix"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [leaves, [lv for lv, _ in inner], [ix for _, ix in inner]])
        return {(int(lv), int(ix)): bytes(h) for lv, ix, h in cursor.fetchall()}


def integrated_prefix() -> int:
    """A prefix of the log whose perfect subtrees are all stored (even; may lag by one)."""
    top = MerkleSubtree.objects.filter(level=1).aggregate(m=Max("index"))["m"]
    return 0 if top is None else 2 * (int(top) + 1)


def integrate(size: int) -> int:
    """Store every perfect subtree inside the first ``size`` leaves; returns how many new.

    Safe to run concurrently: subtree hashes are deterministic and inserted with
    ``ignore_conflicts``; each batch is one transaction, so the invariant above holds.
    Callers pass a size no larger than the committed tree size.
    """
    start = integrated_prefix()
    if start >= size:
        return 0
    # The frontier of [0, start): its perfect subtrees, left to right, largest first.
    frontier: list[tuple[int, int]] = []
    offset = 0
    for level in range(start.bit_length() - 1, 0, -1):
        if start >> level & 1:
            frontier.append((level, offset >> level))
            offset += 1 << level
    known = fetch_nodes(set(frontier)) if frontier else {}
    stack: list[tuple[int, int, bytes]] = [(lv, i, known[(lv, i)]) for lv, i in frontier]
    added = 0
    for chunk_start in range(start, size, INTEGRATE_CHUNK):
        chunk_end = min(size, chunk_start + INTEGRATE_CHUNK)
        rows = list(
            AuditLogLeaf.objects.filter(index__gte=chunk_start, index__lt=chunk_end)
            .order_by("index")
            .values_list("index", "leaf_hash")
        )
        if len(rows) != chunk_end - chunk_start:
            raise LookupError(f"audit log leaves missing in [{chunk_start}, {chunk_end})")
        new: list[tuple[int, int, bytes]] = []
        for index, h in rows:
            stack.append((0, index, bytes(h)))
            while len(stack) >= 2 and stack[-1][0] == stack[-2][0]:
                level, right, rh = stack.pop()
                _, _left, lh = stack.pop()
                parent = (level + 1, right >> 1, merkle.node_hash(lh, rh))
                new.append(parent)
                stack.append(parent)
        _store_subtrees(new)
        added += len(new)
    return added


def _store_subtrees(rows: list[tuple[int, int, bytes]]) -> None:
    """(level, index, hash) rows; tuples, not model instances: a batch holds up to 8,191."""
    if not rows:
        return
    if pg.is_postgresql():
        q = connection.ops.quote_name
        # One statement for the whole batch, values as three bound arrays.
        sql = (
            f"INSERT INTO {q(MerkleSubtree._meta.db_table)} ({q('level')}, {q('index')}, "  # noqa: S608
            f"{q('hash')}) SELECT * FROM unnest(%s::smallint[], %s::bigint[], %s::bytea[]) "
            "ON CONFLICT DO NOTHING"
        )
        pg.fetchone(sql, tuple(map(list, zip(*rows, strict=True))))
        return
    with transaction.atomic():
        MerkleSubtree.objects.bulk_create(
            [MerkleSubtree(level=lv, index=ix, hash=h) for lv, ix, h in rows],
            ignore_conflicts=True,
            batch_size=500,
        )


def _over_stored_tree(run: Callable[[merkle.NodeReader], T], size: int) -> T:
    """Run ``run(reader)`` once with a recording reader to learn which nodes it needs, fetch
    them in two queries (storing the subtrees first if some are missing), and run it again."""
    needed: set[tuple[int, int]] = set()

    def record(level: int, index: int) -> bytes:
        needed.add((level, index))
        return _DUMMY

    run(record)
    try:
        hashes = fetch_nodes(needed)
    except LookupError:
        integrate(size)
        hashes = fetch_nodes(needed)
    return run(lambda level, index: hashes[(level, index)])


def with_nodes(fn: Callable[..., T], size: int, *args: Any) -> T:
    """Run a gdx_protocol.merkle algorithm over the stored tree of ``size`` leaves."""
    return _over_stored_tree(lambda node: fn(node, *args), size)


def inclusions(indexes: Iterable[int], size: int) -> dict[int, list[bytes]]:
    """Inclusion proofs of many leaves in one tree: the nodes of all their paths in one fetch
    (their upper levels are shared), each right-edge range hashed once for all of them."""
    wanted = sorted(set(indexes))
    paths = {i: merkle.inclusion_ranges(i, size) for i in wanted}
    parts: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for ranges in paths.values():
        for r in ranges:
            if r not in parts:
                parts[r] = merkle.perfect_subtrees(*r)
    keys = {key for subtrees in parts.values() for key in subtrees}
    try:
        hashes = fetch_nodes(keys)
    except LookupError:
        integrate(size)
        hashes = fetch_nodes(keys)
    range_hash = {r: merkle.fold_right([hashes[k] for k in ps]) for r, ps in parts.items()}
    return {i: [range_hash[r] for r in ranges] for i, ranges in paths.items()}


def root_at(size: int) -> bytes:
    return with_nodes(merkle.root_hash, size, size)


def inclusion(index: int, size: int) -> list[bytes]:
    return with_nodes(merkle.inclusion_proof, size, index, size)


def inclusion_with_leaf(index: int, size: int) -> tuple[bytes, list[bytes]]:
    """Leaf ``index``'s hash and its inclusion proof in a tree of ``size``, from one fetch."""
    leaf: list[bytes] = []

    def run(node: merkle.NodeReader) -> list[bytes]:
        leaf[:] = [node(0, index)]
        return merkle.inclusion_proof(node, index, size)

    proof = _over_stored_tree(run, size)
    return leaf[0], proof


def consistency(first: int, second: int) -> list[bytes]:
    return with_nodes(merkle.consistency_proof, second, first, second)


@transaction.atomic
def tree_head_issue() -> SignedTreeHead:
    """The newest signed tree head, signing a new one when the log has grown since."""
    size = LogState.objects.filter(pk=1).values_list("tree_size", flat=True).first() or 0
    latest = SignedTreeHead.objects.order_by("-tree_size", "-id").first()
    if latest is not None and latest.tree_size == size:
        return latest
    key = hub_signing_key()
    head = TreeHead(size, root_at(size), int(time.time() * 1000))
    signed = sign_tree_head(key, head)
    return SignedTreeHead.objects.create(
        tree_size=size,
        timestamp_ms=head.timestamp_ms,
        root_hash=head.root_hash,
        sig_alg=key.alg,
        signer_kid=key.kid,
        signature=b64d(signed["sig"], field="sig"),
    )


_HEAD_FIELDS = (
    "id",
    "tree_size",
    "timestamp_ms",
    "root_hash",
    "sig_alg",
    "signer_kid",
    "signature",
)


def newest_head() -> SignedTreeHead | None:
    """The newest signed tree head, read by one plain statement: the providers' T18 checks
    ask for it once per proof, and the ORM's query building cost more than the query."""
    q = connection.ops.quote_name
    sql = (
        f"SELECT {', '.join(q(f) for f in _HEAD_FIELDS)} "  # noqa: S608
        f"FROM {q(SignedTreeHead._meta.db_table)} "
        f"ORDER BY {q('tree_size')} DESC, {q('id')} DESC LIMIT 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return None if row is None else SignedTreeHead.from_db(connection.alias, _HEAD_FIELDS, row)


def tree_head_covering(index: int) -> SignedTreeHead:
    """The newest signed tree head if it includes leaf ``index``, else a newly signed one:
    a head is signed only when someone needs a newer one (and never per request)."""
    latest = newest_head()
    if latest is not None and latest.tree_size > index:
        return latest
    return tree_head_issue()
