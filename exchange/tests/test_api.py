# mypy: ignore-errors
# (factory_boy and pytest fixtures are untyped; the code under test is checked.)
"""Who asked for my data: by pseudonym, each entry with a verifiable inclusion proof."""

from gdx_protocol import HubKey
from gdx_protocol.keys import load_private_pem
from gdx_protocol.verify import check_inclusion


def test_who_asked_lists_each_request_with_a_proof(net, ega_admin, hub_key_file):
    from exchange.tests.test_exchange_flow import _request

    envelope, pending = _request(net)
    assert net.post(envelope).status_code == 200
    refused, _ = _request(net, ident=net.cons2)
    assert net.post(refused).status_code == 403

    net.client.force_login(ega_admin)
    response = net.client.get(f"/api/exchange/who-asked/{pending.header.subject_pseudonym}")
    assert response.status_code == 200
    entries = response.json()
    # The refused request's pseudonym was never confirmed by a provider: not listed (T10).
    assert {e["consumer"] for e in entries} == {"cons"}
    assert {e["outcome"] for e in entries} == {"delivered"}
    hub = HubKey.from_signing_key(load_private_pem(hub_key_file.read_bytes()))
    for entry in entries:
        assert entry["officer"] == "officer-42"
        assert check_inclusion(entry["inclusion"], [hub])["ok"]


def test_a_mislabelled_pseudonym_writes_nothing_into_the_victims_list(
    net, ega_admin, hub_key_file, monkeypatch
):
    """T10: a consumer labels its request with another citizen's pseudonym."""
    from exchange.models import Exchange
    from exchange.tests.test_exchange_flow import _request
    from gdx_protocol import citizen_pseudonym, thai_id_check_digit

    from .conftest import PSEUDONYM_KEY

    victim_id = "310060001234"
    victim_id += str(thai_id_check_digit(victim_id))
    victim = citizen_pseudonym(PSEUDONYM_KEY, victim_id)
    monkeypatch.setattr("gdx_protocol.exchange.citizen_pseudonym", lambda key, cid: victim)
    envelope, _ = _request(net)
    response = net.post(envelope)
    assert response.status_code == 502
    assert response.json()["error"] == "pseudonym_mismatch"  # the provider refused it
    assert Exchange.objects.get(subject_pseudonym=victim).status == Exchange.Status.FAILED
    net.client.force_login(ega_admin)
    assert net.client.get(f"/api/exchange/who-asked/{victim}").json() == []


def test_who_asked_for_an_unknown_pseudonym_is_empty_and_a_bad_one_refused(
    client, ega_admin, hub_key_file
):
    client.force_login(ega_admin)
    assert client.get("/api/exchange/who-asked/" + "b" * 64).json() == []
    assert client.get("/api/exchange/who-asked/nothex").status_code == 400


def test_who_asked_is_refused_to_overseers_and_officers(client, overseer, officer_a, hub_key_file):
    for user in (overseer, officer_a):
        client.force_login(user)
        assert client.get("/api/exchange/who-asked/" + "b" * 64).status_code == 403
    client.logout()
    assert client.get("/api/exchange/who-asked/" + "b" * 64).status_code == 401
