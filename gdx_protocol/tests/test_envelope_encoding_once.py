"""Envelopes are encoded once (ADR 0032, addendum 2): what is signed, sealed against and
hashed is byte for byte what the straightforward encoding of each part gives."""

from __future__ import annotations

import hashlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdx_protocol import InMemoryReplayCache, build_response, open_response
from gdx_protocol.encoding import b64e, canonical_json
from gdx_protocol.envelope import (
    parse_forward_envelope,
    parse_request_envelope,
    parse_response_envelope,
)
from gdx_protocol.exchange import _parse_inner
from gdx_protocol.tests.fixtures import make_world
from gdx_protocol.tests.helpers import forward, provider_open, request

NOW = 1_800_000_000


def reference(obj) -> bytes:
    return json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


class Net:
    """The three parties' protocol steps over one in-memory world."""

    def __init__(self) -> None:
        self.w = make_world()

    def request(self):
        return request(self.w)

    def forward(self, data: bytes) -> bytes:
        return forward(self.w, data)

    def answer(self, fwd: bytes, document) -> bytes:
        opened = provider_open(self.w, fwd)
        return build_response(
            opened, document, identity=self.w.provider, directory=self.w.directory
        )

    def open(self, resp: bytes, pending):
        return open_response(
            resp,
            pending=pending,
            identity=self.w.consumer,
            directory=self.w.directory,
            replay_cache=InMemoryReplayCache(),
        )


@pytest.fixture(scope="module")
def net():
    return Net()


def test_a_parsed_request_is_its_input_and_signs_what_it_always_signed(net):
    data, pending = net.request()
    env = parse_request_envelope(data)
    assert env.to_bytes() == data
    assert env.digest == hashlib.sha256(data).hexdigest() == pending.digest
    body = {"header": env.header.to_json(), "subject_ct": b64e(env.subject_ct)}
    assert canonical_json(env.signed_body()) == reference(body)
    assert env.header.canonical == reference(env.header.to_json()).decode()


def test_a_forward_signs_the_request_bytes_and_the_stamp(net):
    data, _ = net.request()
    fwd_bytes = net.forward(data)
    fwd = parse_forward_envelope(fwd_bytes)
    assert fwd.to_bytes() == fwd_bytes == reference(json.loads(fwd_bytes))
    body = {"request": json.loads(data), "hub": fwd.hub.to_json()}
    assert canonical_json(fwd.signed_body()) == reference(body)


@pytest.mark.parametrize("document", [None, {"name": "สมชาย ใจดี", "n": 1}, {"b": "x" * 5000}])
def test_a_response_signs_its_header_and_ciphertext_and_the_payload_is_cut_exactly(net, document):
    data, pending = net.request()
    resp = net.answer(net.forward(data), document)
    env = parse_response_envelope(resp)
    assert env.to_bytes() == resp == reference(json.loads(resp))
    body = {"header": env.header.to_json(), "ct": b64e(env.ct)}
    assert canonical_json(env.signed_body()) == reference(body)
    doc = net.open(resp, pending)
    assert doc.signed_payload == reference(json.loads(doc.signed_payload))
    assert json.loads(doc.signed_payload)["document"] == document


@settings(max_examples=200)
@given(
    st.recursive(
        st.one_of(st.none(), st.integers(-1000, 1000), st.text(max_size=30)),
        lambda inner: st.dictionaries(st.text(max_size=6), inner, max_size=4),
        max_leaves=10,
    )
)
def test_the_payload_cut_from_the_inner_bytes_is_its_canonical_json(document):
    payload = {
        "request_id": "00000000-0000-4000-8000-000000000000",
        "consumer": "c",
        "provider": "p",
        "document_type": "person_record",
        "request_digest": "0" * 64,
        "issued_at": NOW,
        "status": "found",
        "document": document if isinstance(document, dict) else {"v": document},
    }
    inner = {
        "payload": payload,
        "sig": b64e(b"s" * 64),
        "sig_alg": "ed25519",
        "signer_kid": "a" * 64,
    }
    try:
        raw = reference(inner)
    except (ValueError, UnicodeError):
        return  # lone surrogates: not encodable, refused before this point
    *_, text = _parse_inner(raw)
    assert text.encode("utf-8") == reference(payload)
