# mypy: ignore-errors
# (factory_boy and pytest fixtures are untyped; the code under test is checked.)
"""The hub publishes one signed directory per serial and the witnesses' cosignatures of it
(ADR 0006, threat T4)."""

import json
import time

import pytest

from audit.models import AuditEvent
from exchange import services
from exchange.models import DirectoryCosignature, DirectoryPublication
from gdx_protocol import HubKey, SigningKey, load_signed_directory
from gdx_protocol.encoding import b64e
from gdx_protocol.keys import load_private_pem
from gdx_protocol.trust import Witness, directory_digest

pytestmark = pytest.mark.django_db


@pytest.fixture
def witnesses(settings, hub_key_file):
    hub = HubKey.from_signing_key(load_private_pem(hub_key_file.read_bytes()))
    ws = [Witness(name, SigningKey.generate(), [hub]) for name in ("ega", "opdc", "dopa")]
    settings.GDX_WITNESSES = [
        {"name": w.name, "alg": w.key.alg, "pub": b64e(w.key.public_raw)} for w in ws
    ]
    return hub, ws


def _cosign(client, witness, data):
    body = json.loads(data)["body"]
    cosig = witness.cosign(data, now=int(time.time()))
    return client.post(
        "/gdx/directory/cosignature",
        data=json.dumps({"digest": directory_digest(body), "cosignature": cosig}),
        content_type="application/json",
    )


def test_one_publication_per_serial_until_half_its_life(hub_key_file, agency_a):
    first = services.directory_publish()
    assert services.directory_publish() == first
    member = services.member_register(agency=agency_a, by=None)  # bumps the serial
    second = services.directory_publish()
    assert second != first and second.serial > first.serial
    later = services.directory_publish(now=int(time.time()) + 3000)  # re-issued, same serial
    assert later.serial == second.serial and later.digest != second.digest
    assert member.code


def test_cosignatures_are_verified_kept_and_published(client, witnesses):
    hub, ws = witnesses
    data = client.get("/gdx/directory").content
    for w in ws[:2]:
        assert _cosign(client, w, data).status_code == 200
    assert _cosign(client, ws[0], data).status_code == 200  # idempotent
    assert DirectoryCosignature.objects.count() == 2
    served = client.get("/gdx/directory").content
    keys = [w.public for w in ws]
    assert load_signed_directory(served, [hub], now=int(time.time()), witnesses=keys, quorum=2)
    with pytest.raises(Exception) as info:
        load_signed_directory(served, [hub], now=int(time.time()), witnesses=keys, quorum=3)
    assert info.value.code == "witness_quorum"
    assert AuditEvent.objects.filter(action="gdx.directory.cosigned").count() == 2


def test_strangers_forgeries_and_garbage_are_refused(client, witnesses):
    hub, ws = witnesses
    data = client.get("/gdx/directory").content
    stranger = Witness("stranger", SigningKey.generate(), [hub])
    assert _cosign(client, stranger, data).status_code == 401
    body = json.loads(data)["body"]
    forged = ws[0].cosign(data, now=int(time.time()))
    forged["timestamp"] += 1  # the signature no longer covers it
    response = client.post(
        "/gdx/directory/cosignature",
        data=json.dumps({"digest": directory_digest(body), "cosignature": forged}),
        content_type="application/json",
    )
    assert response.status_code == 401 and response.json()["error"] == "bad_signature"
    assert (
        client.post(
            "/gdx/directory/cosignature",
            data=json.dumps({"digest": "0" * 64, "cosignature": forged}),
            content_type="application/json",
        ).status_code
        == 401
    )
    assert (
        client.post(
            "/gdx/directory/cosignature", data=b"nope", content_type="application/json"
        ).status_code
        == 400
    )
    assert not DirectoryCosignature.objects.exists()
    assert DirectoryPublication.objects.count() == 1


class _ClientHttp:
    """agency_node's HTTP client interface over Django's test client."""

    def __init__(self, client):
        self.client = client

    def get(self, url):
        response = self.client.get(url.removeprefix("http://hub"))
        return response.status_code, response.content

    def post(self, url, body):
        response = self.client.post(
            url.removeprefix("http://hub"), data=body, content_type="application/json"
        )
        return response.status_code, response.content


def test_the_witness_command_cosigns_and_refuses_a_changed_identity(
    client, witnesses, tmp_path, agency_a
):
    from agency_node.keystore import certify_public_keys, generate_identity, load_identity
    from agency_node.witness import WitnessConfig, witness_round
    from exchange.models import Member

    hub, ws = witnesses
    generate_identity(tmp_path / "w")
    cfg = tmp_path / "witness.json"
    cfg.write_text(
        json.dumps(
            {
                "name": "ega",
                "key_file": "w/identity.pem",
                "hub_url": "http://hub",
                "hub_keys": [{"alg": hub.alg, "pub": b64e(hub.public_raw)}],
                "state_file": "w/state.json",
            }
        )
    )
    config = WitnessConfig.load(cfg)
    witness = config.witness()
    settings_witnesses = [
        {"name": "ega", "alg": witness.key.alg, "pub": b64e(witness.key.public_raw)}
    ]
    from django.conf import settings

    settings.GDX_WITNESSES = settings_witnesses
    member = services.member_register(agency=agency_a, by=None)
    identity = SigningKey.generate()
    key = SigningKey.generate()
    certs = certify_public_keys([key.public_info()], identity, member.code)
    services.member_keys_import(member=member, certificates=certs, by=None)
    http = _ClientHttp(client)
    assert witness_round(witness, http, "http://hub")["ok"]
    served = client.get("/gdx/directory").content
    assert load_signed_directory(
        served, [hub], now=int(time.time()), witnesses=[witness.public], quorum=1
    )
    # The hub's operator swaps the member's identity key behind the services' back.
    other = SigningKey.generate()
    Member.objects.filter(pk=member.pk).update(identity_key=other.public_raw)
    services.directory_publish(now=int(time.time()) + 3000)  # a fresh signature
    result = witness_round(witness, http, "http://hub", now=int(time.time()) + 3000)
    assert result["ok"] is False and result["threats"] == ["T4"]
    assert load_identity(tmp_path / "w" / "identity.pem").kid == witness.key.kid
