# mypy: ignore-errors
# (factory_boy and pytest fixtures are untyped; the code under test is checked.)
"""A citizen's "who read my data" (selectors.subject_readings and its proofs).

The proofs are checked with code that is not gdx_protocol's: a verifier written in this file
from the text of RFC 9162 (section 2.1.3.2) and RFC 8032 signatures through `cryptography`
directly, and pymerkle, an RFC 9162 Merkle tree the project did not write, which rebuilds the
log from its leaves and must produce the same root and the same audit paths.
"""

import base64
import hashlib
import json
import struct
import uuid
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pymerkle import InmemoryTree

from exchange import log, selectors, services
from exchange.models import AuditLogLeaf, Exchange
from exchange.tests.conftest import PSEUDONYM_KEY, PURPOSE, REGISTRY
from gdx_protocol import build_request, citizen_pseudonym
from gdx_protocol.verify import check_inclusion

# --------------------------------------------------------------------------- independent checks


def _b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def rfc9162_root(leaf: bytes, index: int, size: int, path: list[bytes]) -> bytes | None:
    """RFC 9162 2.1.3.2, step by step as the RFC words it; None where it says "fail"."""
    if index >= size:
        return None
    fn, sn, r = index, size - 1, _h(b"\x00" + leaf)
    for p in path:
        if sn == 0:
            return None
        if fn % 2 == 1 or fn == sn:
            r = _h(b"\x01" + p + r)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn, sn = fn // 2, sn // 2
        else:
            r = _h(b"\x01" + r + p)
        fn, sn = fn // 2, sn // 2
    return r if sn == 0 else None


def sth_holds(sth: dict, hub_key: dict) -> bool:
    """The hub's Ed25519 signature over the documented tree-head message."""
    message = (
        b"gdx/v1/sth\x00"
        + struct.pack(">QQ", sth["tree_size"], sth["timestamp_ms"])
        + bytes.fromhex(sth["root_hash"])
    )
    assert hub_key["alg"] == sth["sig_alg"] == "ed25519"
    try:
        Ed25519PublicKey.from_public_bytes(_b64url(hub_key["pub"])).verify(
            _b64url(sth["sig"]), message
        )
    except Exception:  # noqa: BLE001 - any failure means "does not hold"
        return False
    return True


def proof_holds(doc: dict, sth: dict, hub_key: dict) -> bool:
    root = rfc9162_root(
        _b64url(doc["leaf"]),
        doc["leaf_index"],
        sth["tree_size"],
        [bytes.fromhex(p) for p in doc["proof"]],
    )
    return root == bytes.fromhex(sth["root_hash"]) and sth_holds(sth, hub_key)


def pymerkle_tree(size: int) -> InmemoryTree:
    tree = InmemoryTree(algorithm="sha256")
    for data in (
        AuditLogLeaf.objects.filter(index__lt=size).order_by("index").values_list("data", flat=True)
    ):
        tree.append_entry(bytes(data))
    return tree


# --------------------------------------------------------------------------- helpers


def _citizens():
    ids = REGISTRY.citizen_ids()
    return ids[0], ids[1]


def _exchange(net, citizen_id: str, *, ident=None, document_type="person_record"):
    envelope, pending = build_request(
        ident or net.cons,
        net.directory(),
        provider="prov",
        document_type=document_type,
        citizen_id=citizen_id,
        purpose=PURPOSE,
        officer="officer-42",
        legal_basis="Land Code s.71",
        pseudonym_key=PSEUDONYM_KEY,
    )
    return net.post(envelope), pending.header.subject_pseudonym


def _row(net, pseudonym: str, status: str, code: str = "") -> Exchange:
    """An exchange row and its log leaves as the hub writes them, in any end state."""
    request_id = uuid.uuid4()
    data = json.dumps({"event": "request", "request_id": str(request_id)}).encode()
    index = services.log_append(
        data=data, event="request", request_id=str(request_id), pseudonym=pseudonym
    )
    answer = None
    if status in (Exchange.Status.DELIVERED, Exchange.Status.FAILED):
        answer = services.log_append(
            data=data + b"answer", event="response", request_id=str(request_id), pseudonym=pseudonym
        )
    now = timezone.now()
    return Exchange.objects.create(
        request_id=request_id,
        consumer=net.consumer,
        provider=net.provider,
        document_type="person_record",
        purpose=PURPOSE,
        officer="officer-42",
        subject_pseudonym=pseudonym,
        issued_at=now,
        expires_at=now + timedelta(minutes=2),
        status=status,
        refusal_code=code,
        request_digest="0" * 64,
        request_leaf_index=index,
        response_leaf_index=answer,
    )


# --------------------------------------------------------------------------- the list


def test_two_citizens_each_see_only_their_own_readings(net):
    first, second = _citizens()
    response, mine = _exchange(net, first)
    assert response.status_code == 200
    response, theirs = _exchange(net, second)
    assert response.status_code == 200
    assert mine == citizen_pseudonym(PSEUDONYM_KEY, first) != theirs

    [reading] = selectors.subject_readings(pseudonym=mine)
    row = Exchange.objects.get(subject_pseudonym=mine)
    assert reading["index"] == row.request_leaf_index
    assert reading["response_index"] == row.response_leaf_index
    assert reading["consumer"] == "cons"
    assert reading["consumer_name"] == net.consumer.agency.name_th
    assert reading["provider"] == "prov"
    assert reading["provider_name"] == net.provider.agency.name_th
    assert reading["document_type"] == "person_record"
    assert reading["document_type_name"] == "ข้อมูลทะเบียนราษฎร (บัตรประจำตัวประชาชน)"
    assert reading["purpose"] == PURPOSE
    assert reading["outcome"] == "delivered"
    assert timezone.is_aware(reading["when"])
    [other] = selectors.subject_readings(pseudonym=theirs)
    assert other["index"] != reading["index"]

    # Neither gets a proof of the other's entries; the answer is the one a missing entry gets.
    assert selectors.subject_reading_proof(pseudonym=mine, index=other["index"]) is None
    assert selectors.subject_reading_proof(pseudonym=theirs, index=reading["index"]) is None
    assert selectors.subject_reading_proof(pseudonym=mine, index=10**9) is None
    assert selectors.subject_reading_proof(pseudonym=mine, index=reading["index"]) is not None
    bundle = selectors.subject_proof_bundle(pseudonym=theirs)
    assert {e["leaf_index"] for e in bundle["entries"]} == {
        other["index"],
        other["response_index"],
    }


def test_which_outcomes_are_listed(net):
    """Listed only when a provider confirmed the pseudonym (ADR 0033, threat T10)."""
    pseudonym = "c" * 64
    delivered = _row(net, pseudonym, Exchange.Status.DELIVERED)
    confirmed_failure = _row(net, pseudonym, Exchange.Status.FAILED, "unsupported_document")
    mislabelled = _row(net, pseudonym, Exchange.Status.FAILED, "pseudonym_mismatch")
    unreachable = _row(net, pseudonym, Exchange.Status.FAILED, "provider_unreachable")
    refused = _row(net, pseudonym, Exchange.Status.REFUSED, "no_access_right")
    in_flight = _row(net, pseudonym, Exchange.Status.FORWARDED)

    readings = selectors.subject_readings(pseudonym=pseudonym)
    assert [(r["index"], r["outcome"]) for r in readings] == [
        (confirmed_failure.request_leaf_index, "failed"),
        (delivered.request_leaf_index, "delivered"),
    ]
    for row in (mislabelled, unreachable, refused, in_flight):
        assert (
            selectors.subject_reading_proof(pseudonym=pseudonym, index=row.request_leaf_index)
            is None
        )
    bundle = selectors.subject_proof_bundle(pseudonym=pseudonym)
    assert [e["leaf_index"] for e in bundle["entries"]] == sorted(
        [
            delivered.request_leaf_index,
            delivered.response_leaf_index,
            confirmed_failure.request_leaf_index,
            confirmed_failure.response_leaf_index,
        ]
    )


def test_a_refused_request_and_a_mislabelled_one_are_not_listed(net, monkeypatch):
    """A consumer without the right is refused by the hub; a consumer that labels its request
    with another citizen's pseudonym is refused by the provider: neither reaches a list."""
    first, second = _citizens()
    response, mine = _exchange(net, first, ident=net.cons2)
    assert response.status_code == 403
    assert Exchange.objects.get(subject_pseudonym=mine).status == Exchange.Status.REFUSED

    victim = citizen_pseudonym(PSEUDONYM_KEY, second)
    monkeypatch.setattr("gdx_protocol.exchange.citizen_pseudonym", lambda key, cid: victim)
    response, labelled = _exchange(net, first)
    assert response.json()["error"] == "pseudonym_mismatch"
    assert labelled == victim

    for pseudonym in (mine, victim):
        assert selectors.subject_readings(pseudonym=pseudonym) == []
        assert selectors.subject_proof_bundle(pseudonym=pseudonym)["entries"] == []
        for index in AuditLogLeaf.objects.filter(subject_pseudonym=pseudonym).values_list(
            "index", flat=True
        ):
            assert selectors.subject_reading_proof(pseudonym=pseudonym, index=index) is None


def test_readings_come_newest_first_in_pages(net, django_assert_max_num_queries):
    pseudonym = "d" * 64
    rows = [_row(net, pseudonym, Exchange.Status.DELIVERED) for _ in range(5)]
    _row(net, "e" * 64, Exchange.Status.DELIVERED)
    newest_first = [r.request_leaf_index for r in reversed(rows)]
    with django_assert_max_num_queries(2):
        page = selectors.subject_readings(pseudonym=pseudonym, limit=2)
    assert [r["index"] for r in page] == newest_first[:2]
    page = selectors.subject_readings(pseudonym=pseudonym, limit=2, before=page[-1]["index"])
    assert [r["index"] for r in page] == newest_first[2:4]
    page = selectors.subject_readings(pseudonym=pseudonym, before=page[-1]["index"])
    assert [r["index"] for r in page] == newest_first[4:]
    assert selectors.subject_readings(pseudonym=pseudonym, limit=0)  # at least one
    assert len(selectors.subject_readings(pseudonym=pseudonym, limit=10**6)) == 5


# --------------------------------------------------------------------------- the proofs


def test_a_readings_proof_holds_for_independent_verifiers(net):
    first, _ = _citizens()
    _exchange(net, first)
    _row(net, "f" * 64, Exchange.Status.DELIVERED)  # the log grows past the entry
    _, pseudonym = _exchange(net, first)
    readings = selectors.subject_readings(pseudonym=pseudonym)
    assert len(readings) == 2
    for reading in readings:
        for index in (reading["index"], reading["response_index"]):
            doc = selectors.subject_reading_proof(pseudonym=pseudonym, index=index)
            assert doc["format"] == "citizeninfo-gdx-inclusion/v1"
            assert doc["leaf_index"] == index
            assert doc["tree_size"] == doc["sth"]["tree_size"] > index
            assert proof_holds(doc, doc["sth"], doc["hub_key"])
            # What the proof covers is the log's record of this very reading.
            leaf = json.loads(_b64url(doc["leaf"]))
            assert leaf["subject_pseudonym"] == pseudonym
            assert leaf["request_id"] == reading["request_id"]
            assert leaf["consumer"] == reading["consumer"]
            # The project's own offline verifier takes the same document.
            from gdx_protocol import HubKey

            hub = HubKey(doc["hub_key"]["alg"], _b64url(doc["hub_key"]["pub"]))
            assert check_inclusion(doc, [hub])["ok"]
            # pymerkle rebuilds the tree from the leaves: same root, same audit path.
            tree = pymerkle_tree(doc["tree_size"])
            assert tree.get_root(doc["tree_size"]).hex() == doc["sth"]["root_hash"]
            theirs = tree.prove_inclusion(index + 1, doc["tree_size"])
            assert [p.hex() for p in theirs.path[1:]] == doc["proof"]


@pytest.mark.parametrize("part", ["leaf", "path", "root", "signature", "index"])
def test_a_tampered_proof_does_not_hold(net, part):
    first, _ = _citizens()
    _exchange(net, first)
    _, pseudonym = _exchange(net, first)
    [_, older] = selectors.subject_readings(pseudonym=pseudonym)
    doc = selectors.subject_reading_proof(pseudonym=pseudonym, index=older["index"])
    sth, key = dict(doc["sth"]), doc["hub_key"]
    assert proof_holds(doc, sth, key)
    if part == "leaf":
        leaf = _b64url(doc["leaf"]).replace(b"cons", b"cont")
        doc["leaf"] = base64.urlsafe_b64encode(leaf).rstrip(b"=").decode()
    elif part == "path":
        doc["proof"][0] = "00" * 32
    elif part == "root":
        sth["root_hash"] = "11" * 32
    elif part == "signature":
        sth["timestamp_ms"] += 1
    else:
        doc["leaf_index"] += 1
    assert not proof_holds(doc, sth, key)


def test_the_bundle_holds_for_independent_verifiers(net, django_assert_max_num_queries):
    first, second = _citizens()
    for citizen in (first, second, first, first):
        response, _ = _exchange(net, citizen)
        assert response.status_code == 200
    pseudonym = citizen_pseudonym(PSEUDONYM_KEY, first)
    services.tree_head_issue()
    with django_assert_max_num_queries(8):
        bundle = selectors.subject_proof_bundle(pseudonym=pseudonym)
    assert bundle["format"] == "citizeninfo-gdx-proof-bundle/v1"
    sth, key = bundle["sth"], bundle["hub_key"]
    assert sth_holds(sth, key)
    assert len(bundle["entries"]) == 6  # three requests and their three answers
    tree = pymerkle_tree(sth["tree_size"])
    assert tree.get_root(sth["tree_size"]).hex() == sth["root_hash"]
    for entry in bundle["entries"]:
        assert proof_holds(entry, sth, key)
        assert entry["leaf_hash"] == _h(b"\x00" + _b64url(entry["leaf"])).hex()
        assert json.loads(_b64url(entry["leaf"]))["subject_pseudonym"] == pseudonym
        theirs = tree.prove_inclusion(entry["leaf_index"] + 1, sth["tree_size"])
        assert [p.hex() for p in theirs.path[1:]] == entry["proof"]
    # The bundle is plain JSON a citizen can download and keep.
    json.dumps(bundle)


def test_the_bundle_of_a_citizen_without_readings_is_empty_but_signed(net):
    bundle = selectors.subject_proof_bundle(pseudonym="9" * 64)
    assert bundle["entries"] == []
    assert sth_holds(bundle["sth"], bundle["hub_key"])


def test_a_proof_signs_a_newer_tree_head_only_when_none_includes_the_entry(net):
    first, _ = _citizens()
    _, pseudonym = _exchange(net, first)
    [reading] = selectors.subject_readings(pseudonym=pseudonym)
    head = services.tree_head_issue()
    doc = selectors.subject_reading_proof(pseudonym=pseudonym, index=reading["index"])
    assert doc["sth"]["tree_size"] == head.tree_size  # the existing head, not a new one
    _, again = _exchange(net, first)
    [newest, _] = selectors.subject_readings(pseudonym=again)
    doc = selectors.subject_reading_proof(pseudonym=again, index=newest["index"])
    assert doc["sth"]["tree_size"] > newest["index"] >= head.tree_size


@pytest.mark.parametrize("size", [1, 2, 3, 7, 8, 9, 100, 257])
def test_many_proofs_at_once_equal_one_at_a_time(db, hub_key_file, size):
    for i in range(size):
        services.log_append(
            data=b"leaf %d" % i, event="request", request_id=str(uuid.uuid4()), pseudonym="a" * 64
        )
    wanted = sorted({0, size // 3, size // 2, size - 1})
    log.integrate(size)
    with CaptureQueriesContext(connection) as queries:
        many = log.inclusions(wanted, size)
    assert len(queries.captured_queries) <= 2  # leaves, then the inner nodes
    assert many == {i: log.inclusion(i, size) for i in wanted}


def test_a_bundle_of_one_page_holds_the_entries_of_that_page(net):
    pseudonym = "b" * 64
    rows = [_row(net, pseudonym, Exchange.Status.DELIVERED) for _ in range(4)]
    page = selectors.subject_readings(
        pseudonym=pseudonym, limit=2, before=rows[-1].request_leaf_index
    )
    bundle = selectors.subject_proof_bundle(
        pseudonym=pseudonym, limit=2, before=rows[-1].request_leaf_index
    )
    assert {e["leaf_index"] for e in bundle["entries"]} == {
        i for r in page for i in (r["index"], r["response_index"])
    }
    for entry in bundle["entries"]:
        assert proof_holds(entry, bundle["sth"], bundle["hub_key"])
