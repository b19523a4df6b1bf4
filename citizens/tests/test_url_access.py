"""Every URL of the citizen's space and the demo provider, walked by every staff role, two
citizens and anonymous: /me/ pages are a citizen's only, and only for their own records."""

import os
import subprocess
import sys

import pytest

from citizens.models import CitizenContact
from citizens.tests.conftest import sign_in_as
from core.tests.url_access import ROLES, uncovered

CITIZEN_ROLES = [*ROLES, "citizen", "citizen_b"]
EVERYONE = dict.fromkeys(CITIZEN_ROLES, 200)
NOT_GET = dict.fromkeys(CITIZEN_ROLES, 405)


def citizen_only(status: int = 200, *, b: int | None = None) -> dict[str, int]:
    """Anonymous and staff are sent to /me/ (the ThaiD sign-in); citizens get `status`."""
    statuses = dict.fromkeys(ROLES, 302)
    statuses["citizen"] = status
    statuses["citizen_b"] = status if b is None else b
    return statuses


TABLE: dict[str, dict[str, int]] = {
    "/me/": EVERYONE,
    "/me/sign-in/": NOT_GET,
    "/me/sign-in/callback/": dict.fromkeys(CITIZEN_ROLES, 400),
    "/me/sign-in/callback/?code=x&state=forged": dict.fromkeys(CITIZEN_ROLES, 400),
    "/me/sign-out/": NOT_GET,
    "/me/readings/": citizen_only(),
    "/me/readings/0/proof.json": citizen_only(404),
    "/me/readings/{reading}/proof.json": citizen_only(200, b=404),
    "/me/readings/proof-bundle.json": citizen_only(),
    "/me/records/": citizen_only(),
    "/me/contacts/": citizen_only(),
    "/me/contacts/{contact}/confirm/": citizen_only(200, b=404),
    "/me/contacts/99999999/confirm/": citizen_only(404),
    "/me/contacts/{contact}/remove/": NOT_GET,
    "/me/notifications/": citizen_only(),
    "/me/export.json": citizen_only(),
    "/me/export.pdf": citizen_only(),
    "/me/erase/": citizen_only(),
    "/me/line/link/": citizen_only(),
    "/me/line/link/?linkToken=NMZTNuVrPTqlr2IF8Bnymkb7rXfYv5EY": citizen_only(),
    "/me/line/unlink/": NOT_GET,
    "/privacy/": EVERYONE,
    "/demo-thaid/.well-known/openid-configuration": EVERYONE,
    "/demo-thaid/jwks.json": EVERYONE,
    "/demo-thaid/authorize": dict.fromkeys(CITIZEN_ROLES, 400),
    "/demo-thaid/authorize?client_id=evil&response_type=code": dict.fromkeys(CITIZEN_ROLES, 400),
    "/demo-thaid/token": NOT_GET,
}


@pytest.fixture
def objects(citizen, monkeypatch, no_readings):
    from exchange import selectors

    contact = CitizenContact.objects.create(citizen=citizen, kind="email", value="a@example.com")
    # Log entry 5 is the first citizen's reading (the real log: citizens/tests/test_readings.py).
    monkeypatch.setattr(
        selectors,
        "subject_reading_proof",
        lambda *, pseudonym, index: (
            {"leaf_index": 5} if (pseudonym, index) == (citizen.pseudonym, 5) else None
        ),
    )
    return {"contact": contact.pk, "reading": 5}


@pytest.mark.parametrize("role", CITIZEN_ROLES)
def test_each_role_gets_the_expected_status_everywhere(
    client,
    role_users,
    officer_b,
    citizen,
    citizen_b,
    objects,
    role,
    no_readings,
    settings,
    tmp_path,
):
    settings.VAR_DIR = tmp_path
    users = {**role_users, "officer_b": officer_b}
    if role in ("citizen", "citizen_b"):
        sign_in_as(client, citizen if role == "citizen" else citizen_b)
    elif users[role] is not None:
        client.force_login(users[role])
    failures = []
    for template, expected in TABLE.items():
        path = template.format(**objects)
        status = client.get(path).status_code
        if status != expected[role]:
            failures.append(f"{path}: {status} (expected {expected[role]})")
    assert not failures, failures


def test_every_url_is_in_the_table(objects):
    missing = uncovered(TABLE, objects, ("citizens:", "demo_thaid:"))
    assert not missing, f"add these to TABLE: {sorted(missing)}"


def test_production_settings_refuse_the_demo_provider():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "citizeninfo.settings.production",
        "SECRET_KEY": "x" * 60,
        "PUBLIC_BASE_URL": "https://info.go.th",
        "THAID_DEMO_PROVIDER": "1",
    }
    run = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode != 0 and "THAID_DEMO_PROVIDER" in run.stderr


@pytest.mark.parametrize("path", ["/demo-thaid/jwks.json", "/demo-thaid/authorize"])
def test_the_demo_provider_answers_404_when_switched_off(client, settings, path):
    settings.THAID_DEMO_PROVIDER = False
    assert client.get(path).status_code == 404
