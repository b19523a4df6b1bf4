"""Property/fuzz tests: parsers and verifiers raise nothing but GdxError."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gdx_protocol import (
    InMemoryReplayCache,
    load_signed_directory,
    open_response,
    parse_forward_envelope,
    parse_json,
    parse_request_envelope,
    parse_response_envelope,
    sign_directory,
    verify_request_envelope,
    verify_response_envelope,
)
from gdx_protocol.encoding import b64d
from gdx_protocol.errors import GdxError

from .fixtures import make_world
from .helpers import forward, provider_open, request, respond

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PARSERS = [parse_json, parse_request_envelope, parse_forward_envelope, parse_response_envelope]

W = make_world()
SEEDS: dict[str, bytes] = {}
PENDING: Any = None  # the request the seed response answers; set with the seeds


@pytest.fixture(autouse=True, scope="module")
def fresh_seeds():
    """The valid envelopes are made when this module's tests start, not when pytest collects
    it: a whole suite on a busy machine can outlive their 15-minute lifetime."""
    global PENDING
    req, PENDING = request(W, now=None, ttl=900)
    SEEDS.update(
        req=req,
        fwd=forward(W, req),
        resp=respond(W, req, ttl=900),
        directory=sign_directory(
            W.directory.members(), W.hub_key, serial=1, issued_at=0, ttl=2**40
        ),
    )
    return SEEDS


def seeds(*names: str):
    return st.sampled_from(names).map(lambda name: SEEDS[name])


def only_gdx_errors(fn, data) -> None:
    try:
        fn(data)
    except GdxError:
        pass


def _all_checks(data: bytes) -> None:
    for parse in PARSERS:
        only_gdx_errors(parse, data)
    only_gdx_errors(lambda d: verify_request_envelope(d, W.directory), data)
    only_gdx_errors(lambda d: verify_response_envelope(d, W.directory), data)
    only_gdx_errors(lambda d: provider_open(W, d), data)
    only_gdx_errors(
        lambda d: open_response(
            d,
            pending=PENDING,
            identity=W.consumer,
            directory=W.directory,
            replay_cache=InMemoryReplayCache(),
        ),
        data,
    )
    only_gdx_errors(lambda d: load_signed_directory(d, W.anchors, now=1), data)


@SETTINGS
@given(st.binary(max_size=2048))
def test_arbitrary_bytes(data):
    _all_checks(data)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda kids: (
        st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids, max_size=4)
    ),
    max_leaves=20,
)


@SETTINGS
@given(json_values)
def test_arbitrary_json(value):
    _all_checks(json.dumps(value).encode())


@SETTINGS
@given(seeds("req", "fwd", "resp", "directory"), st.data())
def test_mutated_valid_envelopes(valid, data):
    buf = bytearray(valid)
    for _ in range(data.draw(st.integers(1, 4))):
        op = data.draw(st.sampled_from(["flip", "delete", "insert", "truncate"]))
        pos = data.draw(st.integers(0, len(buf) - 1))
        if op == "flip":
            buf[pos] ^= 1 << data.draw(st.integers(0, 7))
        elif op == "delete":
            del buf[pos]
        elif op == "insert":
            buf.insert(pos, data.draw(st.integers(0, 255)))
        else:
            del buf[pos:]
        if not buf:
            buf = bytearray(b"{")
    _all_checks(bytes(buf))


def _paths(obj, prefix=()):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield prefix + (k,)
            yield from _paths(v, prefix + (k,))


@SETTINGS
@given(seeds("req", "fwd", "resp"), st.data())
def test_structurally_mutated_envelopes(valid, data):
    """Replace one field anywhere in the tree with an arbitrary JSON value."""
    obj = json.loads(valid)
    path = data.draw(st.sampled_from(list(_paths(obj))))
    target = obj
    for key in path[:-1]:
        target = target[key]
    if data.draw(st.booleans()):
        target[path[-1]] = data.draw(json_values)
    else:
        del target[path[-1]]
    encoded = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    _all_checks(encoded.encode("utf-8", "surrogatepass"))


def test_valid_envelopes_still_verify():
    verify_request_envelope(SEEDS["req"], W.directory)
    provider_open(W, SEEDS["fwd"])
    verify_response_envelope(SEEDS["resp"], W.directory)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"{",
        b"[]",
        b"null",
        b'{"v":1}',
        b"\xff\xfe",
        b"[" * 100_000,
        b'{"a":1,"a":1}',
        b'{"a":NaN}',
        b'{"a":1.5}',
        b'{"a":' + b"9" * 5000 + b"}",
        b'{"b":1,"a":2}',
        b'{"a": 1}',
        b'"\\ud800"',
        b'{"v":true,"kind":"gdx.request"}',
        b"\x00" * 10,
    ],
)
def test_edge_inputs(data):
    _all_checks(data)


@pytest.mark.parametrize("text", ["", "A", "AA", "AAA", "AAAA", "AB", "AB==", "A+/", "@@@@"])
def test_b64_strict(text):
    try:
        raw = b64d(text)
    except GdxError:
        return
    from gdx_protocol.encoding import b64e

    assert b64e(raw) == text
