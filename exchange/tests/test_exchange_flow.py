# mypy: ignore-errors
# (factory_boy and pytest fixtures are untyped; the code under test is checked.)
"""POST /gdx/exchange through the hub to a real provider node on loopback, and every refusal."""

import hashlib
import json
import time

import pytest

from exchange.models import AuditLogLeaf, Exchange
from exchange.tests.conftest import PSEUDONYM_KEY, PURPOSE
from gdx_protocol import (
    InMemoryReplayCache,
    b64d,
    b64e,
    build_request,
    build_response,
    canonical_json,
    open_forwarded_request,
    open_response,
    parse_json,
)
from gdx_protocol.errors import GdxError, WrongConsumerError
from gdx_protocol.merkle import leaf_hash, verify_inclusion


def _request(net, *, ident=None, purpose=PURPOSE, now=None, ttl=120, document_type="person_record"):
    ident = ident or net.cons
    return build_request(
        ident,
        net.directory(),
        provider="prov",
        document_type=document_type,
        citizen_id=net.citizen_id,
        purpose=purpose,
        officer="officer-42",
        legal_basis="Land Code s.71",
        pseudonym_key=PSEUDONYM_KEY,
        now=now,
        ttl=ttl,
    )


def _open(net, body, pending, ident=None):
    return open_response(
        body,
        pending=pending,
        identity=ident or net.cons,
        directory=net.directory(),
        replay_cache=InMemoryReplayCache(),
    )


def _refused(response, code, status=None):
    body = json.loads(response.content)
    assert body["error"] == code, body
    if status:
        assert response.status_code == status
    return body


def test_full_exchange_is_delivered_logged_and_opened_only_by_the_consumer(net):
    envelope, pending = _request(net)
    response = net.post(envelope)
    assert response.status_code == 200
    doc = _open(net, response.content, pending)
    assert doc.status == "found"
    assert doc.document["citizen_id"] == net.citizen_id

    row = Exchange.objects.get(request_id=pending.header.request_id)
    assert row.status == Exchange.Status.DELIVERED
    assert row.request_digest == pending.digest
    assert row.response_digest == hashlib.sha256(response.content).hexdigest()
    assert row.subject_pseudonym == pending.header.subject_pseudonym
    assert row.officer == "officer-42"
    h = pending.header
    assert (row.consumer, row.provider, row.document_type) == (
        net.consumer,
        net.provider,
        h.document_type,
    )
    assert (row.purpose, row.legal_basis) == (h.purpose, h.legal_basis)
    assert (row.issued_at.timestamp(), row.expires_at.timestamp()) == (h.issued_at, h.expires_at)
    assert row.completed_at >= row.received_at and row.hub_ms > 0 and row.refusal_code == ""
    leaves = list(AuditLogLeaf.objects.order_by("index"))
    assert [leaf.event for leaf in leaves] == ["request", "response"]
    assert [row.request_leaf_index, row.response_leaf_index] == [0, 1]
    stored = b"".join(bytes(leaf.data) for leaf in leaves) + response.content
    person = doc.document
    assert net.citizen_id.encode() not in b"".join(bytes(leaf.data) for leaf in leaves)
    for value in (person["first_name"], person["last_name"]):
        assert value.encode() not in stored  # the envelope is sealed: no name in clear

    sth = net.client.get("/gdx/log/sth").json()
    assert sth["tree_size"] == 2
    proof = net.client.get("/gdx/log/inclusion?index=0").json()
    verify_inclusion(
        leaf_hash(bytes(leaves[0].data)),
        0,
        2,
        [bytes.fromhex(p) for p in proof["proof"]],
        bytes.fromhex(sth["root_hash"]),
    )


def test_a_second_consumer_cannot_open_anothers_document(net):
    envelope, pending = _request(net)
    response = net.post(envelope)
    assert response.status_code == 200
    with pytest.raises(WrongConsumerError):
        _open(net, response.content, pending, ident=net.cons2)
    # Even pretending it asked: the HPKE key is not theirs.
    from gdx_protocol.exchange import PendingRequest

    fake = PendingRequest(pending.header, pending.digest, pending.envelope)
    with pytest.raises(WrongConsumerError):
        _open(net, response.content, fake, ident=net.cons2)


def _tamper(envelope: bytes, mutate) -> bytes:
    obj = parse_json(envelope)
    mutate(obj)
    return canonical_json(obj)


def _flip(b64: str) -> str:
    raw = bytearray(b64d(b64, field="x"))
    raw[len(raw) // 2] ^= 1
    return b64e(bytes(raw))


@pytest.mark.parametrize(
    "mutate",
    [
        pytest.param(lambda o: o.update(subject_ct=_flip(o["subject_ct"])), id="ciphertext"),
        pytest.param(lambda o: o["header"].update(purpose="anything"), id="header"),
        pytest.param(lambda o: o.update(sig=_flip(o["sig"])), id="signature"),
    ],
)
def test_tampered_requests_are_refused_and_not_logged(net, mutate):
    envelope, _pending = _request(net)
    response = net.post(_tamper(envelope, mutate))
    _refused(response, "bad_signature", 401)
    assert not Exchange.objects.exists()
    assert not AuditLogLeaf.objects.exists()


def test_a_tampered_response_is_refused_by_the_hub(net, monkeypatch):
    from exchange import services

    real = services._post

    def tampering(url, body):
        status, answer = real(url, body)
        return status, _tamper(answer, lambda o: o.update(ct=_flip(o["ct"])))

    monkeypatch.setattr(services, "_post", tampering)
    envelope, pending = _request(net)
    response = net.post(envelope)
    assert response.status_code == 502
    _refused(response, "bad_signature")
    row = Exchange.objects.get(request_id=pending.header.request_id)
    assert (row.status, row.refusal_code) == (Exchange.Status.FAILED, "bad_signature")
    assert list(AuditLogLeaf.objects.values_list("event", flat=True)) == ["request", "refused"]


def test_a_replayed_request_is_refused(net):
    envelope, _pending = _request(net)
    assert net.post(envelope).status_code == 200
    _refused(net.post(envelope), "replay", 409)
    assert Exchange.objects.count() == 1


def test_an_expired_request_is_refused(net):
    from datetime import timedelta

    from django.utils import timezone

    from exchange.hub import directory_changed
    from exchange.models import MemberKey

    MemberKey.objects.update(valid_from=timezone.now() - timedelta(hours=1))
    directory_changed()  # a bulk update bypasses save(): tell the hub's cache
    envelope, _pending = _request(net, now=int(time.time()) - 600, ttl=60)
    _refused(net.post(envelope), "expired", 410)
    assert not Exchange.objects.exists()


def test_a_consumer_without_the_right_is_refused_and_the_refusal_is_logged(net):
    envelope, pending = _request(net, ident=net.cons2)
    _refused(net.post(envelope), "no_access_right", 403)
    row = Exchange.objects.get(request_id=pending.header.request_id)
    assert (row.status, row.refusal_code) == (Exchange.Status.REFUSED, "no_access_right")
    assert json.loads(bytes(AuditLogLeaf.objects.get().data))["event"] == "refused"


def test_another_purpose_than_the_granted_one_is_refused(net):
    envelope, _pending = _request(net, purpose="marketing")
    _refused(net.post(envelope), "no_access_right", 403)


def test_a_document_type_without_the_right_is_refused(net):
    envelope, _pending = _request(net, document_type="house_registration")
    _refused(net.post(envelope), "no_access_right", 403)


def test_a_revoked_key_stops_working_at_once(net):
    from exchange import services
    from exchange.models import MemberKey

    envelope, _pending = _request(net)
    services.member_key_revoke(
        key=MemberKey.objects.get(kid=net.cons.signing_key.kid), by=None, reason="test"
    )
    _refused(net.post(envelope), "revoked_key", 403)


def test_a_suspended_member_is_refused(net):
    from exchange import services

    envelope, _pending = _request(net)
    services.member_suspend(member=net.consumer, by=None)
    _refused(net.post(envelope), "revoked_key", 403)


def test_an_unknown_key_is_refused(net):
    from gdx_protocol import NodeIdentity, SigningKey

    envelope, _pending = _request(net)
    stranger = NodeIdentity("cons", SigningKey.generate(), net.cons.encryption_keys)
    forged = build_request(
        stranger,
        net.directory(),
        provider="prov",
        document_type="person_record",
        citizen_id=net.citizen_id,
        purpose=PURPOSE,
        officer="x",
        legal_basis="x",
        pseudonym_key=PSEUDONYM_KEY,
    )[0]
    _refused(net.post(forged), "unknown_key", 401)


def test_a_document_readdressed_to_another_consumer_is_refused_by_the_hub(net, monkeypatch):
    """A provider (or anyone holding its key) sealing the answer to cons2 instead."""
    from dataclasses import replace

    from exchange import services

    def readdress(url, body):
        opened = open_forwarded_request(
            body,
            identity=net.prov,
            directory=net.directory(),
            hub_keys=net.anchors,
            pseudonym_key=PSEUDONYM_KEY,
            replay_cache=InMemoryReplayCache(),
        )
        header = replace(
            opened.header, consumer="cons2", reply_kid=net.cons2.encryption_keys[0].kid
        )
        answer = build_response(
            replace(opened, header=header),
            {"x": 1},
            identity=net.prov,
            directory=net.directory(),
        )
        return 200, answer

    monkeypatch.setattr(services, "_post", readdress)
    envelope, pending = _request(net)
    response = net.post(envelope)
    _refused(response, "wrong_consumer", 502)
    assert Exchange.objects.get().status == Exchange.Status.FAILED


def test_a_provider_refusal_is_passed_on_and_logged(net, monkeypatch):
    from exchange import services

    monkeypatch.setattr(
        services, "_post", lambda url, body: (409, b'{"error":"pseudonym_mismatch","detail":"x"}')
    )
    envelope, _pending = _request(net)
    _refused(net.post(envelope), "pseudonym_mismatch", 502)
    assert Exchange.objects.get().refusal_code == "pseudonym_mismatch"


def test_an_unreachable_provider_fails_cleanly(net):
    net.provider.endpoint = "http://127.0.0.1:9"
    net.provider.save()
    envelope, _pending = _request(net)
    _refused(net.post(envelope), "provider_unreachable", 502)
    assert Exchange.objects.get().status == Exchange.Status.FAILED


@pytest.mark.parametrize(
    "body",
    [b"", b"{", b"[]", b'{"v":1}', b"\xff" * 10, b"x" * 70_000],
)
def test_garbage_is_refused_without_a_crash_or_a_record(net, body):
    response = net.post(body)
    assert 400 <= response.status_code < 500
    assert "error" in response.json()
    assert not Exchange.objects.exists()


def test_the_hub_cannot_open_what_it_routes(net):
    """Nothing the hub holds decrypts the subject: only the provider's key does."""
    envelope, pending = _request(net)
    obj = parse_json(envelope)
    ct = b64d(obj["subject_ct"], field="ct")
    assert net.citizen_id.encode() not in envelope
    assert len(ct) > 13
    with pytest.raises(GdxError):
        from gdx_protocol.hpke_suites import open_sealed
        from gdx_protocol.signing import INFO_REQUEST_SUBJECT, hpke_info

        open_sealed(
            pending.header.hpke_suite,
            net.cons.encryption_keys[0],
            ct,
            hpke_info(INFO_REQUEST_SUBJECT, pending.header.to_json()),
        )
