from __future__ import annotations

import time

import pytest

from gdx_protocol import (
    EncryptionKey,
    InMemoryReplayCache,
    NodeIdentity,
    SigningKey,
    build_response,
    open_response,
    parse_request_envelope,
    parse_response_envelope,
    verify_request_envelope,
    verify_response_envelope,
)
from gdx_protocol.errors import GdxError
from gdx_protocol.hpke_suites import open_sealed
from gdx_protocol.padding import pad_to_bucket
from gdx_protocol.signing import INFO_RESPONSE, hpke_info

from .fixtures import CITIZEN, PSEUDONYM_KEY, World, make_world, register
from .helpers import DOC, forward, mutate, provider_open, request, resign, respond


@pytest.fixture(scope="module")
def world_template() -> World:
    return make_world()


@pytest.fixture
def world(world_template: World) -> World:
    # Fresh directory per test (tests revoke keys); key generation is reused for speed.
    return world_template.with_fresh_directory()


def consume(w, resp, pending, identity=None, cache=None, **kw):
    return open_response(
        resp,
        pending=pending,
        identity=identity or w.consumer,
        directory=w.directory,
        replay_cache=InMemoryReplayCache() if cache is None else cache,
        **kw,
    )


def code_of(fn) -> str:
    with pytest.raises(GdxError) as info:
        fn()
    return info.value.code


def test_full_exchange(world):
    req, pending = request(world)
    header = verify_request_envelope(req, world.directory)
    assert header.consumer == "consumer-a" and header.provider == "provider-p"
    assert CITIZEN.encode() not in req  # the hub never sees the ID
    opened = provider_open(world, forward(world, req))
    assert opened.citizen_id == CITIZEN
    resp = build_response(opened, DOC, identity=world.provider, directory=world.directory)
    assert "สมชาย".encode() not in resp and CITIZEN.encode() not in resp
    rh = verify_response_envelope(
        resp, world.directory, request=header, request_digest=pending.digest
    )
    assert rh.request_id == header.request_id
    doc = consume(world, resp, pending)
    assert doc.status == "found" and doc.document == DOC


def test_not_found_is_hidden_from_hub(world):
    req, pending = request(world)
    resp_found = respond(world, req)
    req2, pending2 = request(world)
    resp_missing = respond(world, req2, document=None)
    # The header has no status field; found/not-found is only inside the ciphertext.
    assert set(parse_response_envelope(resp_found).header.to_json()) == set(
        parse_response_envelope(resp_missing).header.to_json()
    )
    doc = consume(world, resp_missing, pending2)
    assert doc.status == "not_found" and doc.document is None


@pytest.mark.parametrize(
    "sig_alg,kem_alg", [("ml-dsa-65", "mlkem768x25519"), ("ed25519", "x25519")]
)
def test_other_suites(sig_alg, kem_alg):
    w = make_world(sig_alg, kem_alg)
    req, pending = request(w)
    assert parse_request_envelope(req).header.sig_alg == sig_alg
    doc = consume(w, respond(w, req), pending)
    assert doc.document == DOC


def test_tampered_response_ciphertext(world):
    req, pending = request(world)
    resp = respond(world, req)

    def flip(o):
        ct = o["ct"]
        o["ct"] = ct[:10] + ("A" if ct[10] != "A" else "B") + ct[11:]

    tampered = mutate(resp, flip)
    assert code_of(lambda: consume(world, tampered, pending)) == "bad_signature"
    assert code_of(lambda: verify_response_envelope(tampered, world.directory)) == "bad_signature"
    # Even with a valid outer signature (compromised signer), AEAD refuses it.
    resigned = mutate(
        resp,
        lambda o: (flip(o), resign(o, "response", ("header", "ct"), world.provider.signing_key)),
    )
    assert code_of(lambda: consume(world, resigned, pending)) == "tampered"


def test_tampered_request_header(world):
    req, _ = request(world)
    edited = mutate(req, lambda o: o["header"].update(purpose="something else"))
    assert code_of(lambda: verify_request_envelope(edited, world.directory)) == "bad_signature"
    # Re-signed by the consumer key: signature fine, but the header is HPKE info,
    # so the provider cannot open the subject any more.
    resigned = mutate(
        req,
        lambda o: (
            o["header"].update(purpose="something else"),
            resign(o, "request", ("header", "subject_ct"), world.consumer.signing_key),
        ),
    )
    verify_request_envelope(resigned, world.directory)
    assert code_of(lambda: provider_open(world, forward(world, resigned))) == "tampered"


def test_tampered_response_header_breaks_decryption(world):
    req, pending = request(world)
    resp = respond(world, req)
    resigned = mutate(
        resp,
        lambda o: (
            o["header"].update(expires_at=o["header"]["expires_at"] + 1),
            resign(o, "response", ("header", "ct"), world.provider.signing_key),
        ),
    )
    assert code_of(lambda: consume(world, resigned, pending)) == "tampered"


def test_tampered_signatures(world):
    req, pending = request(world)

    def flip_sig(o):
        o["sig"] = ("B" if o["sig"][0] == "A" else "A") + o["sig"][1:]

    assert (
        code_of(lambda: verify_request_envelope(mutate(req, flip_sig), world.directory))
        == "bad_signature"
    )
    fwd = mutate(forward(world, req), flip_sig)
    assert code_of(lambda: provider_open(world, fwd)) == "bad_signature"
    resp = mutate(respond(world, req), flip_sig)
    assert code_of(lambda: consume(world, resp, pending)) == "bad_signature"


def test_inner_signature_is_checked(world):
    """Outer envelope validly signed by the provider, inner payload signed by another key."""
    from gdx_protocol.encoding import b64e, canonical_json
    from gdx_protocol.envelope import ResponseEnvelope, ResponseHeader
    from gdx_protocol.hpke_suites import seal
    from gdx_protocol.signing import LABEL_DOCUMENT, LABEL_RESPONSE, signed_message

    req, pending = request(world)
    opened = provider_open(world, forward(world, req))
    h, now = opened.header, int(time.time())
    payload = {
        "request_id": h.request_id,
        "consumer": h.consumer,
        "provider": h.provider,
        "document_type": h.document_type,
        "request_digest": opened.request_digest,
        "issued_at": now,
        "status": "found",
        "document": DOC,
    }
    forger = world.other_consumer.signing_key
    inner = {
        "payload": payload,
        "sig_alg": forger.alg,
        "signer_kid": forger.kid,
        "sig": b64e(forger.sign(signed_message(LABEL_DOCUMENT, payload))),
    }
    reply = world.consumer.encryption_keys[0]
    header = ResponseHeader(
        h.request_id,
        h.consumer,
        h.provider,
        h.document_type,
        now,
        now + 60,
        opened.request_digest,
        h.subject_pseudonym,
        "mlkem768x25519.hkdf-sha256.aes-256-gcm",
        reply.kid,
        world.provider.signing_key.kid,
        "ed25519",
    )
    ct = seal(
        header.hpke_suite,
        reply.alg,
        reply.public_raw,
        pad_to_bucket(canonical_json(inner)),
        hpke_info(INFO_RESPONSE, header.to_json()),
    )
    outer = world.provider.signing_key.sign(
        signed_message(LABEL_RESPONSE, {"header": header.to_json(), "ct": b64e(ct)})
    )
    resp = ResponseEnvelope(header, ct, outer).to_bytes()
    verify_response_envelope(resp, world.directory)  # the hub would accept it
    assert code_of(lambda: consume(world, resp, pending)) == "unknown_key"


def test_replay(world):
    req, pending = request(world)
    hub_cache = InMemoryReplayCache()
    verify_request_envelope(req, world.directory, replay_cache=hub_cache)
    assert (
        code_of(lambda: verify_request_envelope(req, world.directory, replay_cache=hub_cache))
        == "replay"
    )
    prov_cache = InMemoryReplayCache()
    provider_open(world, forward(world, req, 1), cache=prov_cache)
    # Same request re-forwarded (even with a fresh hub stamp) is refused.
    assert (
        code_of(lambda: provider_open(world, forward(world, req, 2), cache=prov_cache)) == "replay"
    )
    resp = respond(world, req)
    cons_cache = InMemoryReplayCache()
    consume(world, resp, pending, cache=cons_cache)
    assert code_of(lambda: consume(world, resp, pending, cache=cons_cache)) == "replay"


def test_expired_request(world):
    past = int(time.time()) - 3600
    req, pending = request(world, now=past)
    assert code_of(lambda: verify_request_envelope(req, world.directory)) == "expired"
    assert code_of(lambda: provider_open(world, forward(world, req))) == "expired"
    future = int(time.time()) + 3600
    req2, _ = request(world, now=future)
    assert code_of(lambda: verify_request_envelope(req2, world.directory)) == "not_yet_valid"


def test_expired_response(world):
    req, pending = request(world)
    resp = respond(world, req)
    later = int(time.time()) + 10_000
    assert code_of(lambda: consume(world, resp, pending, now=later)) == "expired"


def test_revoked_keys(world):
    req, pending = request(world)
    resp = respond(world, req)
    world.directory.revoke_key(world.consumer.signing_key.kid)
    assert code_of(lambda: verify_request_envelope(req, world.directory)) == "revoked_key"
    world.directory.revoke_key(world.provider.signing_key.kid)
    assert code_of(lambda: consume(world, resp, pending)) == "revoked_key"
    world.directory.revoke_key(world.provider.encryption_keys[0].kid)
    assert code_of(lambda: request(world)) == "unknown_key"  # no usable provider key left


def test_unknown_key(world):
    stranger = NodeIdentity("consumer-a", SigningKey.generate(), world.consumer.encryption_keys)
    from gdx_protocol import build_request

    req, _ = build_request(
        stranger,
        world.directory,
        provider="provider-p",
        document_type="person_record",
        citizen_id=CITIZEN,
        purpose="p",
        officer="o",
        legal_basis="l",
        pseudonym_key=PSEUDONYM_KEY,
    )
    assert code_of(lambda: verify_request_envelope(req, world.directory)) == "unknown_key"
    # A forward signed by a hub key the provider did not pin.
    good, _ = request(world)
    rogue = forward(world, good, hub_key=SigningKey.generate())
    assert code_of(lambda: provider_open(world, rogue)) == "unknown_key"


def test_key_of_other_member_is_refused(world):
    """Consumer B signing with its own key while claiming to be consumer A."""
    impostor = NodeIdentity(
        "consumer-a", world.other_consumer.signing_key, world.consumer.encryption_keys
    )
    from gdx_protocol import build_request

    req, _ = build_request(
        impostor,
        world.directory,
        provider="provider-p",
        document_type="person_record",
        citizen_id=CITIZEN,
        purpose="p",
        officer="o",
        legal_basis="l",
        pseudonym_key=PSEUDONYM_KEY,
    )
    assert code_of(lambda: verify_request_envelope(req, world.directory)) == "unknown_key"


def test_response_readdressed_to_other_consumer(world):
    req, pending_a = request(world)
    resp = respond(world, req)
    readdressed = mutate(resp, lambda o: o["header"].update(consumer="consumer-b"))
    assert (
        code_of(lambda: consume(world, readdressed, pending_a, identity=world.other_consumer))
        == "bad_signature"
    )
    hdr = parse_request_envelope(req).header
    assert (
        code_of(lambda: verify_response_envelope(readdressed, world.directory, request=hdr))
        == "bad_signature"
    )


def test_signed_document_names_other_consumer(world):
    """Provider-signed inner payload for A delivered in an envelope to B."""
    from gdx_protocol import build_request

    req_b, pending_b = build_request(
        world.other_consumer,
        world.directory,
        provider="provider-p",
        document_type="person_record",
        citizen_id=CITIZEN,
        purpose="p",
        officer="o",
        legal_basis="l",
        pseudonym_key=PSEUDONYM_KEY,
    )
    opened = provider_open(world, forward(world, req_b))
    # Swap the header consumer *before* sealing: a buggy/malicious provider that
    # seals to B but signs a payload naming A.
    from dataclasses import replace

    bad = replace(
        opened,
        header=replace(
            opened.header, consumer="consumer-a", reply_kid=world.consumer.encryption_keys[0].kid
        ),
    )
    resp = build_response(bad, DOC, identity=world.provider, directory=world.directory)
    # Addressed to A, but A never asked: A's pending request does not match.
    _, pending_a = request(world)
    assert code_of(lambda: consume(world, resp, pending_a)) == "mismatch"
    # B cannot use it: it is not addressed to B.
    assert (
        code_of(lambda: consume(world, resp, pending_b, identity=world.other_consumer))
        == "wrong_consumer"
    )


def test_second_consumer_cannot_decrypt(world):
    req, pending = request(world)
    resp = respond(world, req)
    assert (
        code_of(lambda: consume(world, resp, pending, identity=world.other_consumer))
        == "wrong_consumer"
    )
    # Bypassing the checks and trying HPKE directly with B's key also fails.
    env = parse_response_envelope(resp)
    with pytest.raises(GdxError) as info:
        open_sealed(
            env.header.hpke_suite,
            world.other_consumer.encryption_keys[0],
            env.ct,
            hpke_info(INFO_RESPONSE, env.header.to_json()),
        )
    assert info.value.code == "tampered"


def test_response_for_other_request_is_mismatch(world):
    req1, pending1 = request(world)
    req2, pending2 = request(world)
    resp2 = respond(world, req2)
    assert code_of(lambda: consume(world, resp2, pending1)) == "mismatch"
    hdr1 = parse_request_envelope(req1).header
    assert (
        code_of(lambda: verify_response_envelope(resp2, world.directory, request=hdr1))
        == "mismatch"
    )


def test_wrong_provider(world):
    other_provider = NodeIdentity("provider-q", SigningKey.generate(), (EncryptionKey.generate(),))
    register(world.directory, other_provider)
    req, _ = request(world)
    from gdx_protocol import open_forwarded_request

    fwd = forward(world, req)
    assert (
        code_of(
            lambda: open_forwarded_request(
                fwd,
                identity=other_provider,
                directory=world.directory,
                hub_keys=world.anchors,
                pseudonym_key=PSEUDONYM_KEY,
                replay_cache=InMemoryReplayCache(),
            )
        )
        == "wrong_provider"
    )


def test_pseudonym_must_match(world):
    req, _ = request(world, pseudonym_key=b"k" * 32)  # consumer used a different key
    assert code_of(lambda: provider_open(world, forward(world, req))) == "pseudonym_mismatch"


def test_invalid_citizen_id_refused_locally(world):
    assert code_of(lambda: request(world, citizen_id="1234567890123")) == "malformed"


def test_unsupported_suite(world):
    req, _ = request(world)
    edited = mutate(req, lambda o: o["header"].update(hpke_suite="rot13.none"))
    assert code_of(lambda: verify_request_envelope(edited, world.directory)) == "unsupported_suite"
    edited = mutate(req, lambda o: o["header"].update(sig_alg="rsa-1024"))
    assert code_of(lambda: verify_request_envelope(edited, world.directory)) == "unsupported_suite"
    edited = mutate(req, lambda o: o.update(v=2))
    assert (
        code_of(lambda: verify_request_envelope(edited, world.directory)) == "unsupported_version"
    )


def test_encryption_key_rotation(world):
    req_old, pending_old = request(world)
    new_key = EncryptionKey.generate()
    rotated = NodeIdentity(
        "consumer-a", world.consumer.signing_key, (new_key,) + world.consumer.encryption_keys
    )
    from gdx_protocol import KeyRecord

    world.directory.add_key(
        "consumer-a",
        KeyRecord(new_key.kid, "consumer-a", "enc", new_key.alg, new_key.public_raw, not_before=1),
    )
    resp_old = respond(world, req_old)
    # Answer to a request made before rotation still opens with the old key.
    assert consume(world, resp_old, pending_old, identity=rotated).document == DOC
    from gdx_protocol import build_request

    req_new, pending_new = build_request(
        rotated,
        world.directory,
        provider="provider-p",
        document_type="person_record",
        citizen_id=CITIZEN,
        purpose="p",
        officer="o",
        legal_basis="l",
        pseudonym_key=PSEUDONYM_KEY,
    )
    assert parse_request_envelope(req_new).header.reply_kid == new_key.kid
    assert consume(world, respond(world, req_new), pending_new, identity=rotated).document == DOC
