"""Identity keys, key certificates, pins and witnesses (gdx_protocol.trust)."""

from __future__ import annotations

import json
import time

import pytest

from gdx_protocol import HubKey, SigningKey, load_signed_directory, sign_directory
from gdx_protocol.directory import IdentityKey, InMemoryDirectory, MemberRecord
from gdx_protocol.errors import GdxError
from gdx_protocol.trust import (
    PinStore,
    SelfKnowledge,
    Witness,
    WitnessKey,
    add_cosignatures,
    apply_trust,
    certificate_valid,
    certify_key,
    member_from_certificates,
)

from .fixtures import make_identity


def _certs(member: str):
    ident = make_identity(member)
    identity = SigningKey.generate()
    keys = []
    for key in (ident.signing_key, *ident.encryption_keys):
        info = dict(key.public_info())
        from gdx_protocol.encoding import b64e

        info["cert"] = b64e(certify_key(identity, member, info))
        keys.append(info)
    from gdx_protocol.encoding import b64e

    return (
        ident,
        identity,
        {
            "member_id": member,
            "identity": {"alg": identity.alg, "pub": b64e(identity.public_raw)},
            "keys": keys,
        },
    )


@pytest.fixture(scope="module")
def setup():
    hub = SigningKey.generate()
    a = _certs("agency-a")
    b = _certs("agency-b")
    return hub, a, b


def _doc(hub, members, serial=1):
    return sign_directory(members, hub, serial=serial, issued_at=int(time.time()))


def test_certificates_verify_and_bind_the_member(setup):
    _, (_, _, certs), _ = setup
    member = member_from_certificates(certs)
    assert all(certificate_valid(member, k) for k in member.keys)
    # The same certificate under another member's name does not verify.
    moved = MemberRecord("agency-x", "", "active", "", member.keys, member.identity)
    assert not any(certificate_valid(moved, k) for k in moved.keys)
    bad = json.loads(json.dumps(certs))
    bad["keys"][0]["cert"] = bad["keys"][1]["cert"]
    with pytest.raises(GdxError) as info:
        member_from_certificates(bad)
    assert info.value.code == "uncertified_key"


def test_directory_round_trip_keeps_identity_and_certs(setup):
    hub, (_, _, ca), (_, _, cb) = setup
    members = [member_from_certificates(ca), member_from_certificates(cb)]
    verified = load_signed_directory(
        _doc(hub, members), [HubKey.from_signing_key(hub)], now=int(time.time())
    )
    got = verified.directory.get_member("agency-a")
    assert got.identity == members[0].identity
    assert all(certificate_valid(got, k) for k in got.keys)


def test_pins_are_learnt_kept_and_enforced(setup, tmp_path):
    hub, (_, _, ca), _ = setup
    anchors = [HubKey.from_signing_key(hub)]
    member = member_from_certificates(ca)
    pins = PinStore(tmp_path / "pins.json")
    verified = load_signed_directory(_doc(hub, [member]), anchors, now=int(time.time()))
    assert not apply_trust(verified, pins).alarms
    assert member.identity is not None
    assert PinStore(tmp_path / "pins.json").get("agency-a") == member.identity.kid  # persisted
    other = SigningKey.generate()
    swapped = MemberRecord(
        member.member_id,
        "",
        "active",
        "",
        member.keys,
        IdentityKey(other.alg, other.public_raw),
    )
    verified = load_signed_directory(_doc(hub, [swapped], 2), anchors, now=int(time.time()))
    result = apply_trust(verified, PinStore(tmp_path / "pins.json"))
    assert [a.code for a in result.alarms] == ["identity_changed"]
    with pytest.raises(GdxError) as info:
        result.directory.get_member("agency-a")
    assert info.value.code == "identity_changed"


def test_self_monitoring_reports_keys_i_did_not_create(setup):
    hub, (ident, identity, ca), _ = setup
    member = member_from_certificates(ca)
    stranger = SigningKey.generate()
    d = InMemoryDirectory([member])
    d.add_key(
        "agency-a",
        type(member.keys[0])(
            stranger.kid, "agency-a", "sig", stranger.alg, stranger.public_raw, "active", 0
        ),
    )
    retired = SigningKey.generate()  # an old key of mine, revoked and deleted since
    d.add_key(
        "agency-a",
        type(member.keys[0])(
            retired.kid, "agency-a", "sig", retired.alg, retired.public_raw, "revoked", 0
        ),
    )
    verified = load_signed_directory(
        _doc(hub, d.members()), [HubKey.from_signing_key(hub)], now=int(time.time())
    )
    me = SelfKnowledge(
        "agency-a",
        frozenset({ident.signing_key.kid, *(k.kid for k in ident.encryption_keys)}),
        identity.kid,
    )
    result = apply_trust(verified, PinStore(), me=me)
    assert {a.code for a in result.alarms} == {"foreign_key", "uncertified_key"}
    assert [a.code for a in result.alarms].count("foreign_key") == 1  # not the revoked one
    assert {t for a in result.alarms for t in a.threats} >= {"T1", "T3"}
    with pytest.raises(GdxError) as info:
        result.directory.get_key(stranger.kid)
    assert info.value.code == "uncertified_key"


def test_witness_quorum_equivocation_and_rollback(setup, tmp_path):
    hub, (_, _, ca), (_, _, cb) = setup
    anchors = [HubKey.from_signing_key(hub)]
    now = int(time.time())
    ws = [Witness(n, SigningKey.generate(), anchors, tmp_path / f"{n}.json") for n in "xyz"]
    keys = [w.public for w in ws]
    doc = _doc(hub, [member_from_certificates(ca)], serial=5)
    cosigned = add_cosignatures(doc, [w.cosign(doc, now=now) for w in ws[:2]])
    assert load_signed_directory(cosigned, anchors, now=now, witnesses=keys, quorum=2)
    with pytest.raises(GdxError) as info:
        load_signed_directory(cosigned, anchors, now=now, witnesses=keys, quorum=3)
    assert info.value.code == "witness_quorum"
    # A cosignature by a key that is not a configured witness does not count.
    stranger = Witness("s", SigningKey.generate(), anchors)
    lone = add_cosignatures(doc, [stranger.cosign(doc, now=now), ws[0].cosign(doc, now=now)])
    with pytest.raises(GdxError):
        load_signed_directory(lone, anchors, now=now, witnesses=keys, quorum=2)
    # Same serial, different content: refused (split view); so is a lower serial.
    other = _doc(hub, [member_from_certificates(cb)], serial=5)
    with pytest.raises(GdxError) as info:
        ws[0].cosign(other, now=now)
    assert info.value.code == "witness_refused"
    with pytest.raises(GdxError):
        ws[0].cosign(_doc(hub, [member_from_certificates(ca)], serial=4), now=now)
    # The witness remembers across a restart.
    again = Witness("x", ws[0].key, anchors, tmp_path / "x.json")
    with pytest.raises(GdxError):
        again.cosign(other, now=now)
    assert WitnessKey("x", ws[0].key.alg, ws[0].key.public_raw).kid == ws[0].public.kid
