"""Fixtures of the citizen's space: the pseudonym key, citizens, a signed-in client."""

import base64
import secrets

import pytest

from citizens.middleware import SESSION_KEY
from citizens.models import Citizen
from citizens.pseudonym import pseudonym_for

# The hub and a provider node (test_readings.py runs real exchanges through them).
from exchange.tests.conftest import gdx_keys, hub_key_file, net, provider_node  # noqa: F401

# Valid check digits; not real people.
PID_1 = "1101700203450"
PID_2 = "3100601234565"


@pytest.fixture
def pseudonym_key(settings, tmp_path):
    path = tmp_path / "pseudonym.key"
    key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")
    path.write_text(key)
    settings.CITIZEN_PSEUDONYM_KEY_FILE = str(path)
    return path


def make_citizen(pid: str, name: str = "นายทดสอบ ใจดี") -> Citizen:
    return Citizen.objects.create(pseudonym=pseudonym_for(pid), name_th=name)


@pytest.fixture
def citizen(db, pseudonym_key):
    return make_citizen(PID_1)


@pytest.fixture
def citizen_b(db, pseudonym_key):
    return make_citizen(PID_2, "นางสาวบี ทดลอง")


def sign_in_as(client, citizen: Citizen):
    session = client.session
    session[SESSION_KEY] = citizen.pk
    session.save()
    return client


@pytest.fixture
def citizen_client(client, citizen):
    return sign_in_as(client, citizen)


@pytest.fixture
def no_readings(monkeypatch):
    """An empty GDX log, without the hub key the real proofs need (those: test_readings.py)."""
    from exchange import selectors

    monkeypatch.setattr(selectors, "subject_readings", lambda **kw: [], raising=False)
    monkeypatch.setattr(selectors, "subject_reading_proof", lambda **kw: None, raising=False)
    monkeypatch.setattr(
        selectors, "subject_proof_bundle", lambda **kw: {"entries": []}, raising=False
    )
