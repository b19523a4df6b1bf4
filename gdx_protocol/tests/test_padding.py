"""Padding to size buckets: the hub cannot tell found from not found, nor documents
of different sizes within a bucket, by ciphertext length (threat T6)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gdx_protocol import (
    InMemoryReplayCache,
    open_response,
    parse_request_envelope,
    thai_id_check_digit,
)
from gdx_protocol import parse_response_envelope as parse_resp
from gdx_protocol.errors import MalformedError
from gdx_protocol.padding import RESPONSE_BUCKETS, SUBJECT_BUCKET, bucket_for, pad, unpad

from .fixtures import CITIZEN, World, make_world
from .helpers import DOC, request, respond


@pytest.fixture(scope="module")
def world() -> World:
    return make_world()


def _answer(world: World, document):
    req, pending = request(world)
    resp = respond(world, req, document=document)
    return req, resp, pending


def test_found_and_not_found_have_the_same_length(world):
    _, found, pending = _answer(world, DOC)
    _, missing, _ = _answer(world, None)
    assert len(parse_resp(found).ct) == len(parse_resp(missing).ct)
    assert len(found) == len(missing)  # the whole envelope, not only the ciphertext
    doc = open_response(
        found,
        pending=pending,
        identity=world.consumer,
        directory=world.directory,
        replay_cache=InMemoryReplayCache(),
    )
    assert doc.status == "found" and doc.document == DOC


def test_documents_of_different_sizes_in_one_bucket_look_the_same(world):
    small = dict(DOC)
    large = dict(DOC, address="99/1 หมู่ 4 ตำบลบางรัก อำเภอบางรัก " * 20)
    _, a, _ = _answer(world, small)
    _, b, _ = _answer(world, large)
    assert len(parse_resp(a).ct) == len(parse_resp(b).ct)
    _, c, _ = _answer(world, dict(DOC, blob="x" * 5000))  # the next bucket up
    assert len(parse_resp(c).ct) > len(parse_resp(a).ct)


def test_subject_ciphertext_is_one_size(world):
    ids = [CITIZEN] + [p + str(thai_id_check_digit(p)) for p in ("310060001234", "170990000555")]
    sizes = {len(parse_request_envelope(request(world, citizen_id=c)[0]).subject_ct) for c in ids}
    assert len(sizes) == 1


def test_bucket_edges():
    assert bucket_for(0) == RESPONSE_BUCKETS[0]
    assert bucket_for(RESPONSE_BUCKETS[0] - 1) == RESPONSE_BUCKETS[0]
    assert bucket_for(RESPONSE_BUCKETS[0]) == RESPONSE_BUCKETS[1]
    assert bucket_for(3 << 20) == 4 << 20
    assert len(pad(b"1101700123451", SUBJECT_BUCKET)) == SUBJECT_BUCKET
    with pytest.raises(MalformedError):
        pad(b"x" * SUBJECT_BUCKET, SUBJECT_BUCKET)


@pytest.mark.parametrize("bad", [b"", b"\x00" * 8, b"abc", b"abc\x81\x00"])
def test_bad_padding_is_refused(bad):
    with pytest.raises(MalformedError):
        unpad(bad)


@given(st.binary(max_size=10_000))
def test_pad_round_trip(data):
    padded = pad(data, bucket_for(len(data)))
    assert len(padded) in RESPONSE_BUCKETS
    assert unpad(padded) == data
