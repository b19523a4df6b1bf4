"""`python -m ops.snapshot` (run by the restore drill with DATABASE_URL set): row counts of
every table and the GDX log's tree head, recomputed from the stored leaves, as JSON."""

import json

import django

django.setup()

from django.db import connection  # noqa: E402

from exchange import selectors  # noqa: E402
from exchange.models import AuditLogLeaf, SignedTreeHead  # noqa: E402
from gdx_protocol import merkle  # noqa: E402


def counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
        tables = [r[0] for r in cursor.fetchall()]
        out = {}
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            out[table] = cursor.fetchone()[0]
    return out


def _root(hashes: list[bytes], size: int) -> bytes:
    node = merkle.node_reader_from_leaves(lambda i: hashes[i])
    return merkle.root_hash(node, size) if size else merkle.EMPTY_ROOT


def tree_head() -> dict:
    """RFC 6962's root over the leaves' own data (not the stored hashes or subtrees), and
    whether the hub's newest signed tree head matches the same leaves at its size."""
    size = selectors.tree_size()
    data = list(
        AuditLogLeaf.objects.filter(index__lt=size).order_by("index").values_list("index", "data")
    )
    if [i for i, _ in data] != list(range(size)):
        return {"tree_size": size, "root_hash": "leaves missing", "signed": "leaves missing"}
    hashes = [merkle.leaf_hash(bytes(d)) for _, d in data]
    head = SignedTreeHead.objects.filter(tree_size__lte=size).order_by("-tree_size", "-id").first()
    signed = "no signed head yet"
    if head is not None:
        ok = _root(hashes, head.tree_size) == bytes(head.root_hash)
        signed = f"size {head.tree_size} {'matches' if ok else 'DOES NOT MATCH'}"
    return {"tree_size": size, "root_hash": _root(hashes, size).hex(), "signed": signed}


if __name__ == "__main__":
    print(json.dumps({"counts": counts(), "log": tree_head()}))
