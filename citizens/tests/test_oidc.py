"""Sign-in through the demo OpenID provider over real HTTP: discovery, PKCE, state, nonce,
a signed ID token checked against the JWKS (Authlib on both sides, ADR 0110)."""

import logging
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import KeySet

from citizens import demo_provider
from citizens.models import Citizen
from citizens.pseudonym import pseudonym_for


@pytest.fixture
def op(live_server, settings, pseudonym_key, tmp_path):
    settings.PUBLIC_BASE_URL = live_server.url
    settings.VAR_DIR = tmp_path
    return live_server.url


def _csrf(session: requests.Session) -> str:
    return session.cookies["csrftoken"]


def start(op: str) -> tuple[requests.Session, str]:
    s = requests.Session()
    s.get(f"{op}/me/", timeout=10)
    r = s.post(
        f"{op}/me/sign-in/",
        data={"csrfmiddlewaretoken": _csrf(s)},
        allow_redirects=False,
        timeout=10,
    )
    assert r.status_code == 302, r.text[:500]
    return s, r.headers["Location"]


def allow(s: requests.Session, authorize_url: str, pid: str) -> str:
    assert s.get(authorize_url, timeout=10).status_code == 200
    r = s.post(
        authorize_url,
        data={"csrfmiddlewaretoken": _csrf(s), "pid": pid, "action": "allow"},
        allow_redirects=False,
        timeout=10,
    )
    assert r.status_code == 302, r.text[:500]
    return r.headers["Location"]


@pytest.mark.django_db(transaction=True)
def test_discovery_and_jwks_are_real_oidc(op):
    meta = requests.get(f"{op}/demo-thaid/.well-known/openid-configuration", timeout=10).json()
    assert meta["issuer"] == f"{op}/demo-thaid"
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert (
        "pid" in meta["claims_supported"]
        and "RS256" in meta["id_token_signing_alg_values_supported"]
    )
    keys = requests.get(meta["jwks_uri"], timeout=10).json()["keys"]
    assert keys[0]["kty"] == "RSA" and "d" not in keys[0]  # the public half only


@pytest.mark.django_db(transaction=True)
def test_a_citizen_signs_in_with_pkce_state_and_nonce(op, caplog):
    caplog.set_level(logging.DEBUG)
    person = demo_provider.demo_citizens()[0]
    s, authorize = start(op)
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["state"][0] and query["nonce"][0]
    assert set(query["scope"][0].split()) >= {"openid", "pid", "name", "birthdate"}
    callback = allow(s, authorize, person.pid)
    code = parse_qs(urlsplit(callback).query)["code"][0]
    r = s.get(callback, allow_redirects=False, timeout=10)
    assert r.status_code == 302 and r.headers["Location"] == "/me/"
    page = s.get(f"{op}/me/", timeout=10).text
    assert person.name_th in page and person.pid not in page
    citizen = Citizen.objects.get()
    assert citizen.pseudonym == pseudonym_for(person.pid)
    assert citizen.name_th == person.name_th and citizen.ial == "2.3"
    # The ID is nowhere in the row; no code or token in the logs.
    assert person.pid not in repr(list(Citizen.objects.values()))
    # (urllib3 records are this test's own HTTP client printing the URLs it opens.)
    portal_logs = " ".join(
        r.getMessage() for r in caplog.records if r.name != "urllib3.connectionpool"
    )
    assert code not in portal_logs and "code_verifier" not in caplog.text
    # The code is used once: replaying the callback fails and signs nobody in.
    s2 = requests.Session()
    replay = s2.get(callback, allow_redirects=False, timeout=10)
    assert replay.status_code == 400


@pytest.mark.django_db(transaction=True)
def test_a_callback_whose_state_is_not_this_browsers_is_refused(op):
    person = demo_provider.demo_citizens()[1]
    victim, authorize = start(op)
    callback = allow(victim, authorize, person.pid)
    # Login CSRF: an attacker's callback URL opened in another browser session.
    other = requests.Session()
    other.get(f"{op}/me/", timeout=10)
    r = other.get(callback, allow_redirects=False, timeout=10)
    assert r.status_code == 400
    assert Citizen.objects.count() == 0
    tampered = re.sub(r"state=[^&]+", "state=forged", callback)
    assert victim.get(tampered, allow_redirects=False, timeout=10).status_code == 400
    assert Citizen.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_cancelling_at_the_provider_says_so(op):
    s, authorize = start(op)
    s.get(authorize, timeout=10)
    r = s.post(
        authorize,
        data={"csrfmiddlewaretoken": _csrf(s), "action": "deny"},
        allow_redirects=False,
        timeout=10,
    )
    back = s.get(r.headers["Location"], allow_redirects=False, timeout=10)
    assert back.status_code == 400
    assert "ยกเลิก" in back.text  # "You cancelled the sign-in at ThaiD." in Thai


@pytest.mark.django_db(transaction=True)
def test_the_token_endpoint_refuses_a_wrong_secret_or_verifier(op):
    person = demo_provider.demo_citizens()[0]
    s, authorize = start(op)
    callback = allow(s, authorize, person.pid)
    params = parse_qs(urlsplit(callback).query)
    redirect_uri = callback.split("?")[0]
    form = {
        "grant_type": "authorization_code",
        "code": params["code"][0],
        "redirect_uri": redirect_uri,
        "code_verifier": "x" * 50,
    }
    wrong_secret = requests.post(
        f"{op}/demo-thaid/token", data=form, auth=("citizeninfo-demo", "nope"), timeout=10
    )
    assert wrong_secret.status_code == 401
    from django.conf import settings

    wrong_verifier = requests.post(
        f"{op}/demo-thaid/token",
        data=form,
        auth=(settings.THAID_CLIENT_ID, settings.THAID_CLIENT_SECRET),
        timeout=10,
    )
    assert wrong_verifier.status_code == 400
    assert wrong_verifier.json()["error"] == "invalid_grant"


def test_id_tokens_are_signed_with_the_published_key(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.PUBLIC_BASE_URL = "http://testserver"
    grant = demo_provider.DemoOpenIDCode()
    client = demo_provider.DemoClient()
    person = demo_provider.demo_citizens()[0]
    header = grant.get_encode_header(client)
    claims = {**grant.get_client_claims(client), **grant.generate_user_info(person, "openid pid")}
    token = jwt.encode(header, claims, demo_provider.signing_key())
    decoded = jwt.decode(token, KeySet.import_key_set(demo_provider.jwks()))
    assert decoded.claims["pid"] == person.pid
    assert decoded.claims["iss"] == "http://testserver/demo-thaid"


def test_the_discovery_document_meets_openid_connect_discovery(settings):
    from authlib.oidc.discovery import OpenIDProviderMetadata

    settings.PUBLIC_BASE_URL = "https://demo.example"
    OpenIDProviderMetadata(demo_provider.metadata()).validate()  # raises on a missing field


@pytest.mark.django_db(transaction=True)
def test_signing_in_from_a_me_page_comes_back_to_it_with_its_query(op):
    """The LINE link page asked for while signed out: ThaiD, then back with the link token."""
    back = "/me/line/link/?linkToken=NMZTNuVrPTqlr2IF8Bnymkb7rXfYv5EY"
    person = demo_provider.demo_citizens()[0]
    s = requests.Session()
    first = s.get(f"{op}{back}", allow_redirects=False, timeout=10)
    assert first.status_code == 302
    s.get(f"{op}{first.headers['Location']}", timeout=10)
    r = s.post(
        f"{op}/me/sign-in/",
        data={"csrfmiddlewaretoken": _csrf(s), "next": back},
        allow_redirects=False,
        timeout=10,
    )
    callback = allow(s, r.headers["Location"], person.pid)
    r = s.get(callback, allow_redirects=False, timeout=10)
    assert r.status_code == 302 and r.headers["Location"] == back


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("elsewhere", ["https://evil.example/me/", "//evil.example/me/", "/admin/"])
def test_signing_in_never_goes_back_outside_the_space(op, elsewhere):
    person = demo_provider.demo_citizens()[0]
    s = requests.Session()
    s.get(f"{op}/me/", timeout=10)
    r = s.post(
        f"{op}/me/sign-in/",
        data={"csrfmiddlewaretoken": _csrf(s), "next": elsewhere},
        allow_redirects=False,
        timeout=10,
    )
    r = s.get(allow(s, r.headers["Location"], person.pid), allow_redirects=False, timeout=10)
    assert r.status_code == 302 and r.headers["Location"] == "/me/"


def test_the_sign_in_page_lets_its_form_reach_the_provider(client, settings):
    """Browsers apply the CSP's form-action to the redirect after the POST: without ThaiD's
    origin there, Chrome stops the citizen on our own page."""
    settings.THAID_DISCOVERY_URL = "https://imauth.bora.dopa.go.th/.well-known/openid-configuration"
    settings.THAID_CLIENT_ID = "citizeninfo"
    csp = client.get("/me/").headers["Content-Security-Policy"]
    assert "form-action 'self' https://imauth.bora.dopa.go.th" in csp
    settings.THAID_DISCOVERY_URL = ""
    settings.THAID_DEMO_PROVIDER = False
    csp = client.get("/me/").headers["Content-Security-Policy"]
    assert "imauth" not in csp and "form-action 'self'" in csp
