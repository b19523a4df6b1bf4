# mypy: ignore-errors
"""Who read my data, through the hub's real log: two citizens, each sees only their own
readings and proofs, and the proof the page serves verifies (issue 14, "Security")."""

import re

import pytest

from citizens.models import Citizen
from citizens.pseudonym import pseudonym_for
from citizens.tests.conftest import sign_in_as
from exchange.tests.conftest import PSEUDONYM_KEY, REGISTRY
from exchange.tests.test_readings import _exchange, proof_holds
from gdx_protocol import b64e


@pytest.fixture
def hub_pseudonym_key(settings, tmp_path):
    path = tmp_path / "hub-pseudonym.key"
    path.write_text(b64e(PSEUDONYM_KEY))
    settings.CITIZEN_PSEUDONYM_KEY_FILE = str(path)


def test_two_citizens_each_see_only_their_own_readings(net, client, hub_pseudonym_key):
    first, second = REGISTRY.citizen_ids()[:2]
    response, mine = _exchange(net, first)
    assert response.status_code == 200
    _exchange(net, second)
    me = Citizen.objects.create(pseudonym=mine, name_th="ก")
    other = Citizen.objects.create(pseudonym=pseudonym_for(second), name_th="ข")
    sign_in_as(client, me)
    page = client.get("/me/readings/").content.decode()
    indexes = [int(i) for i in re.findall(r'data-verify-index="(\d+)"', page)]
    assert len(indexes) == 1
    proof = client.get(f"/me/readings/{indexes[0]}/proof.json")
    assert proof.status_code == 200
    doc = proof.json()
    assert proof_holds(doc, doc["sth"], doc["hub_key"])
    bundle = client.get("/me/readings/proof-bundle.json")
    assert bundle["Content-Disposition"].startswith("attachment")
    mine_in_bundle = {e["leaf_index"] for e in bundle.json()["entries"]}
    assert indexes[0] in mine_in_bundle
    client.logout()
    sign_in_as(client, other)
    theirs = client.get("/me/readings/").content.decode()
    other_indexes = [int(i) for i in re.findall(r'data-verify-index="(\d+)"', theirs)]
    assert len(other_indexes) == 1 and other_indexes != indexes
    # My entry is not theirs: the same 404 as a missing one.
    assert client.get(f"/me/readings/{indexes[0]}/proof.json").status_code == 404
    theirs_in_bundle = {
        e["leaf_index"] for e in client.get("/me/readings/proof-bundle.json").json()["entries"]
    }
    assert not theirs_in_bundle & mine_in_bundle
