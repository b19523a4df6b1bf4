"""RFC 6962 Merkle tree against the transparency-dev/merkle (ex certificate-transparency-go)
test data: proof/verify_test.go and rfc6962/rfc6962_test.go."""

from __future__ import annotations

import hashlib
import json
import random
import subprocess
import sys
import time

import pytest

from gdx_protocol.directory import HubKey
from gdx_protocol.errors import GdxError, ProofError
from gdx_protocol.keys import SigningKey
from gdx_protocol.merkle import (
    EMPTY_ROOT,
    MerkleTree,
    TreeHead,
    consistency_proof,
    fold_right,
    inclusion_proof,
    inclusion_ranges,
    leaf_hash,
    node_hash,
    node_reader_from_leaves,
    perfect_subtrees,
    root_hash,
    verify_consistency,
    verify_inclusion,
)
from gdx_protocol.sth import sign_tree_head, verify_tree_head

H = bytes.fromhex
LEAVES = [
    H(""),
    H("00"),
    H("10"),
    H("2021"),
    H("3031"),
    H("40414243"),
    H("5051525354555657"),
    H("606162636465666768696a6b6c6d6e6f"),
]
ROOTS = [
    H(x)
    for x in (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    )
]
# (leaf number, 1-based as in the Go file; tree size; audit path)
INCLUSION = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (3, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        2,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
CONSISTENCY = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]
SOME_HASH = H("abacaba000000000000000000000000000000000000000000060061e00123456")


@pytest.fixture(scope="module")
def tree() -> MerkleTree:
    t = MerkleTree()
    for leaf in LEAVES:
        t.append(leaf)
    return t


def test_hasher_vectors():
    assert EMPTY_ROOT == H("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    assert leaf_hash(b"") == H("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")
    assert leaf_hash(b"L123456") == H(
        "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56"
    )
    assert node_hash(b"N123", b"N456") == H(
        "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb"
    )


def test_roots(tree):
    assert tree.root(0) == EMPTY_ROOT
    for size, want in enumerate(ROOTS, start=1):
        assert tree.root(size) == want


@pytest.mark.parametrize("leaf,size,path", INCLUSION)
def test_inclusion_vectors(tree, leaf, size, path):
    proof = [H(p) for p in path]
    assert tree.inclusion_proof(leaf - 1, size) == proof
    verify_inclusion(leaf_hash(LEAVES[leaf - 1]), leaf - 1, size, proof, ROOTS[size - 1])


@pytest.mark.parametrize("size1,size2,path", CONSISTENCY)
def test_consistency_vectors(tree, size1, size2, path):
    proof = [H(p) for p in path]
    assert tree.consistency_proof(size1, size2) == proof
    verify_consistency(size1, size2, ROOTS[size1 - 1], ROOTS[size2 - 1], proof)


def _inclusion_probes(index, size, proof, root, leaf):
    yield index - 1, size, proof, root, leaf
    yield index + 1, size, proof, root, leaf
    yield index ^ 2, size, proof, root, leaf
    yield index, size * 2, proof, root, leaf
    yield index, size // 2, proof, root, leaf
    yield index, size, proof, root, hashlib.sha256(b"WrongLeaf").digest()
    yield index, size, proof, EMPTY_ROOT, leaf
    yield index, size, proof, SOME_HASH, leaf
    yield index, size, proof + [b""], root, leaf
    yield index, size, proof + [root], root, leaf
    yield index, size, [b""] + proof, root, leaf
    yield index, size, [root] + proof, root, leaf
    for i in range(len(proof)):
        bad = list(proof)
        bad[i] = bytes([bad[i][0] ^ 8]) + bad[i][1:]
        yield index, size, bad, root, leaf
    if proof:
        yield index, size, proof[:-1], root, leaf
    if len(proof) > 1:
        yield index, size, [proof[0], SOME_HASH] + proof[1:], root, leaf


@pytest.mark.parametrize("leaf,size,path", INCLUSION[1:])
def test_corrupted_inclusion_proofs_fail(leaf, size, path):
    proof, root = [H(p) for p in path], ROOTS[size - 1]
    for probe in _inclusion_probes(leaf - 1, size, proof, root, leaf_hash(LEAVES[leaf - 1])):
        i, n, p, r, lh = probe
        with pytest.raises(ProofError):
            verify_inclusion(lh, i, n, p, r)


@pytest.mark.parametrize("size1,size2,path", CONSISTENCY[1:])
def test_corrupted_consistency_proofs_fail(size1, size2, path):
    proof, r1, r2 = [H(p) for p in path], ROOTS[size1 - 1], ROOTS[size2 - 1]
    probes = [
        (size1 - 1, size2, r1, r2, proof),
        (size1 + 1, size2, r1, r2, proof),
        (size1 ^ 2, size2, r1, r2, proof),
        (size1, size2 * 2, r1, r2, proof),
        (size1, size2 // 2, r1, r2, proof),
        (size1, size2, b"WrongRoot", r2, proof),
        (size1, size2, r1, b"WrongRoot", proof),
        (size1, size2, r2, r1, proof),
        (size1, size2, r1, r2, []),
        (size1, size2, r1, r2, proof + [b""]),
        (size1, size2, r1, r2, proof + [r1]),
        (size1, size2, r1, r2, proof + [r2]),
        (size1, size2, r1, r2, [b""] + proof),
        (size1, size2, r1, r2, [r1] + proof),
        (size1, size2, r1, r2, [r2] + proof),
        (size1, size2, r1, r2, [proof[0]] + proof),
        (size1, size2, r1, r2, proof[:-1]),
    ]
    for i in range(len(proof)):
        bad = list(proof)
        bad[i] = bytes([bad[i][0] ^ 16]) + bad[i][1:]
        probes.append((size1, size2, r1, r2, bad))
    for m, n, a, b, p in probes:
        with pytest.raises(ProofError):
            verify_consistency(m, n, a, b, p)


def test_trivial_consistency_cases():
    verify_consistency(0, 0, SOME_HASH, SOME_HASH, [])
    verify_consistency(0, 5, SOME_HASH, EMPTY_ROOT, [])
    for args in [
        (1, 1, SOME_HASH, EMPTY_ROOT, []),
        (1, 0, SOME_HASH, SOME_HASH, []),
        (1, 2, SOME_HASH, EMPTY_ROOT, []),
        (1, 1, SOME_HASH, SOME_HASH, [EMPTY_ROOT]),
    ]:
        with pytest.raises(ProofError):
            verify_consistency(*args)


def _reference_mth(hashes: list[bytes]) -> bytes:
    """Straight transcription of RFC 6962 MTH, for cross-checking."""
    if not hashes:
        return EMPTY_ROOT
    if len(hashes) == 1:
        return hashes[0]
    k = 1 << ((len(hashes) - 1).bit_length() - 1)
    return node_hash(_reference_mth(hashes[:k]), _reference_mth(hashes[k:]))


def test_random_trees_against_reference_and_leaf_accessor():
    rng = random.Random(6962)
    t = MerkleTree()
    hashes: list[bytes] = []
    for n in range(1, 70):
        h = leaf_hash(rng.randbytes(rng.randrange(0, 20)))
        t.append_hash(h)
        hashes.append(h)
        # storage-agnostic path: only a leaf accessor + memo
        node = node_reader_from_leaves(hashes.__getitem__)
        assert t.root() == _reference_mth(hashes) == root_hash(node, n)
        for m in {1, n // 2 or 1, n - 1 or 1, n}:
            verify_consistency(m, n, t.root(m), t.root(), consistency_proof(node, m, n))
            idx = rng.randrange(n)
            verify_inclusion(hashes[idx], idx, n, inclusion_proof(node, idx, n), t.root())


def test_hundred_thousand_leaves_fast():
    t = MerkleTree()
    start = time.perf_counter()
    for i in range(100_000):
        t.append(i.to_bytes(8, "big"))
    root = t.root()
    for idx in (0, 4242, 99_999):
        verify_inclusion(t.levels[0][idx], idx, 100_000, t.inclusion_proof(idx), root)
    verify_consistency(77_777, 100_000, t.root(77_777), root, t.consistency_proof(77_777))
    assert time.perf_counter() - start < 5
    assert len(t.inclusion_proof(4242)) == 17


def test_signed_tree_head(tree):
    key = SigningKey.generate()
    sth = sign_tree_head(key, TreeHead(8, ROOTS[7], 1_700_000_000_000))
    head = verify_tree_head(sth, [HubKey.from_signing_key(key)])
    assert head.root_hash == ROOTS[7] and head.tree_size == 8
    with pytest.raises(GdxError) as info:
        verify_tree_head(dict(sth, tree_size=9), [HubKey.from_signing_key(key)])
    assert info.value.code == "bad_signature"
    with pytest.raises(GdxError) as info:
        verify_tree_head(sth, [HubKey.from_signing_key(SigningKey.generate())])
    assert info.value.code == "unknown_key"


def _cli(tmp_path, kind, doc, *extra):
    path = tmp_path / "proof.json"
    path.write_text(json.dumps(doc))
    out = subprocess.run(
        [sys.executable, "-m", "gdx_protocol.verify", kind, str(path), *extra],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return out.returncode, json.loads(out.stdout)


def test_verify_cli(tmp_path, tree):
    doc = {
        "leaf_index": 5,
        "tree_size": 8,
        "leaf": "QEFCQw",
        "proof": INCLUSION[2][2],
        "root_hash": ROOTS[7].hex(),
    }
    assert _cli(tmp_path, "inclusion", doc)[0] == 0
    doc["leaf_index"] = 4
    code, out = _cli(tmp_path, "inclusion", doc)
    assert code == 1 and out["error"] == "bad_proof"
    cons = {
        "first_size": 6,
        "second_size": 8,
        "first_root": ROOTS[5].hex(),
        "second_root": ROOTS[7].hex(),
        "proof": CONSISTENCY[2][2],
    }
    assert _cli(tmp_path, "consistency", cons)[0] == 0
    # With a signed tree head and the hub key.
    key = SigningKey.generate()
    (tmp_path / "hub.json").write_text(
        json.dumps({"alg": key.alg, "pub": key.public_info()["pub"]})
    )
    sth = sign_tree_head(key, TreeHead(8, ROOTS[7], 1))
    cons_sth = {
        "first_size": 6,
        "first_root": ROOTS[5].hex(),
        "second_sth": sth,
        "proof": CONSISTENCY[2][2],
    }
    assert _cli(tmp_path, "consistency", cons_sth, "--hub-key", str(tmp_path / "hub.json"))[0] == 0
    code, out = _cli(tmp_path, "consistency", cons_sth)
    assert code == 1 and out["error"] == "malformed"
    code, out = _cli(tmp_path, "inclusion", [1, 2])
    assert code == 1 and out["error"] == "malformed"


def test_inclusion_ranges_give_the_rfc_6962_path_for_every_leaf():
    """The bulk path (ranges, perfect subtrees, right fold) equals PATH(m, D[n]) everywhere."""
    tree = MerkleTree()
    for size in range(1, 67):
        tree.append(b"leaf %d" % size)
        for index in range(size):
            bulk = [
                fold_right([tree.node(*k) for k in perfect_subtrees(*r)])
                for r in inclusion_ranges(index, size)
            ]
            assert bulk == tree.inclusion_proof(index, size), (index, size)
    with pytest.raises(ProofError):
        inclusion_ranges(5, 5)
