"""Issue 17's security defects in sign-in and registration, each with its test.

Timing-independent: equal work is asserted by counting password-hash computations (the
test settings' MD5 hasher's `verify`), never by measuring milliseconds.
"""

import re

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail

from accounts.backends import hash_tries
from accounts.models import SignInThrottle
from accounts.tests.factories import UserFactory


def sign_in(client, identifier, password):
    return client.post("/accounts/sign-in/", {"identifier": identifier, "password": password})


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def hash_count(monkeypatch):
    calls = []
    verify = MD5PasswordHasher.verify

    def counting(self, password, encoded):
        calls.append(encoded)
        return verify(self, password, encoded)

    monkeypatch.setattr(MD5PasswordHasher, "verify", counting)
    return calls


def test_a_member_locked_under_their_email_is_locked_under_the_agency_identity_too(
    client, officer_a, password, settings
):
    for _ in range(settings.SIGN_IN_MAX_FAILURES):
        sign_in(client, "officer@a.go.th", "wrong")
    response = sign_in(client, "agency-a@info.go.th", password)
    assert response.status_code == 200 and not signed_in(client)


def test_guesses_against_an_agency_identity_count_for_the_whole_agency(
    client, officer_a, admin_a, password, settings
):
    for _ in range(settings.SIGN_IN_MAX_FAILURES):
        sign_in(client, "agency-a@info.go.th", "wrong")
    assert SignInThrottle.objects.get(identifier="agency-a@info.go.th").is_locked()
    sign_in(client, "agency-a@info.go.th", password)
    assert not signed_in(client)
    # the members' own emails are not locked by someone guessing at the agency identity
    assert sign_in(client, "officer@a.go.th", password).status_code == 302


def test_a_members_success_under_the_agency_identity_does_not_reset_the_agencys_count(
    client, officer_a, password, settings
):
    for _ in range(settings.SIGN_IN_MAX_FAILURES - 1):
        sign_in(client, "agency-a@info.go.th", "wrong")
    assert sign_in(client, "agency-a@info.go.th", password).status_code == 302
    client.logout()
    sign_in(client, "agency-a@info.go.th", "wrong")
    assert SignInThrottle.objects.get(identifier="agency-a@info.go.th").is_locked()


def test_every_failed_attempt_computes_the_same_number_of_hashes(
    client, agency_a, officer_a, admin_a, hash_count
):
    UserFactory.create_batch(5, agency=agency_a)  # more members than are tried
    counts = {}
    for identifier in [
        "nobody@nowhere.go.th",
        "officer@a.go.th",
        "agency-a@info.go.th",
        "no-such-agency@info.go.th",
    ]:
        hash_count.clear()
        sign_in(client, identifier, "wrong-password")
        counts[identifier] = len(hash_count)
    assert set(counts.values()) == {hash_tries()}, counts


def test_an_account_without_a_password_costs_the_same_work(client, agency_a, hash_count):
    waiting = UserFactory(agency=agency_a, email="new@a.go.th", is_active=False)
    waiting.set_unusable_password()
    waiting.save()
    sign_in(client, "new@a.go.th", "wrong-password")
    assert len(hash_count) == hash_tries()


def _message(response) -> str:
    html = response.content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html).replace(
        response.wsgi_request.POST["identifier"], "ID"
    )


def test_failed_sign_ins_say_exactly_the_same_thing(client, officer_a):
    pages = {
        _message(sign_in(client, identifier, "wrong-password"))
        for identifier in ["nobody@nowhere.go.th", "officer@a.go.th", "agency-a@info.go.th"]
    }
    assert len(pages) == 1


def test_the_agency_identity_still_signs_in_its_members(client, officer_a, admin_a, password):
    assert sign_in(client, "agency-a@info.go.th", password).status_code == 302


def test_password_reset_link_uses_the_public_address_not_the_host_header(
    client, officer_a, settings
):
    settings.ALLOWED_HOSTS = ["*"]
    settings.PUBLIC_BASE_URL = "https://citizen.example.go.th"
    client.post(
        "/accounts/password-reset/", {"email": "officer@a.go.th"}, HTTP_HOST="evil.example:6666"
    )
    [message] = mail.outbox
    assert "evil.example" not in message.body
    assert "https://citizen.example.go.th/accounts/reset/" in message.body
