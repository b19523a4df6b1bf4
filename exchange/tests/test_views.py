# mypy: ignore-errors
# (factory_boy and pytest fixtures are untyped; the code under test is checked.)
"""Who may see what: every hub URL and admin page, for every role."""

import pytest

from core.tests.url_access import OPEN, ROLES, only, role_failures, uncovered
from exchange import demo, services
from exchange.models import Member, MemberKey
from exchange.tests.factories import MemberFactory
from gdx_protocol import SigningKey

HUB_VIEWERS = only({"ega_admin": 200, "overseer": 200})
TABLE: dict[str, dict[str, int]] = {
    "/gdx/exchange": dict.fromkeys(ROLES, 405),  # POST only, by nodes
    "/gdx/directory": OPEN,
    "/gdx/directory/cosignature": dict.fromkeys(ROLES, 405),  # POST only, by witnesses
    "/gdx/log/sth": OPEN,
    "/gdx/log/inclusion?index=0": OPEN,
    "/gdx/log/consistency?first=1": OPEN,
    "/gdx/": HUB_VIEWERS,
    "/gdx/members/new/": only({"ega_admin": 200}),
    "/gdx/members/{member}/": HUB_VIEWERS,
    "/gdx/members/missing/": only({"ega_admin": 404, "overseer": 404}),
    "/gdx/demo/": only({"ega_admin": 200}),
    "/api/exchange/who-asked/{pseudonym}": only({"ega_admin": 200}, anonymous=401),
    "/admin/exchange/member/": only({"ega_admin": 200}, default=302),
    "/admin/exchange/exchange/": only({"ega_admin": 200}, default=302),
    "/admin/exchange/auditlogleaf/": only({"ega_admin": 200}, default=302),
}


@pytest.fixture
def objects(hub_key_file, settings, tmp_path, agency_b):
    settings.VAR_DIR = tmp_path  # no demo node configs
    member = MemberFactory(agency=agency_b)
    services.log_append(
        data=b'{"x":1}',
        event="request",
        request_id="6f1c2b1e-8a4e-4b5f-9c1d-2e3f4a5b6c7d",
        pseudonym="a" * 64,
    )
    return {"member": member.code, "pseudonym": "a" * 64}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_expected_status_everywhere(
    client, role_users, officer_b, objects, role
):
    users = {**role_users, "officer_b": officer_b}
    failures = role_failures(client, users[role], TABLE, objects, role)
    assert not failures, failures


def test_every_hub_url_is_in_the_table(objects):
    missing = uncovered(TABLE, objects, ("exchange:",))
    assert not missing, f"add these to TABLE: {sorted(missing)}"


@pytest.mark.parametrize("who", ["overseer", "officer_a", "admin_a"])
def test_only_ega_admins_may_change_members(client, role_users, objects, who):
    client.force_login(role_users[who])
    response = client.post(f"/gdx/members/{objects['member']}/", {"action": "suspend"})
    assert response.status_code == 403
    assert Member.objects.get(code=objects["member"]).status == "active"


def test_ega_admin_suspends_adds_and_revokes_keys_and_grants_rights(client, ega_admin, objects):
    client.force_login(ega_admin)
    url = f"/gdx/members/{objects['member']}/"
    assert client.post(url, {"action": "suspend"}).status_code == 302
    assert Member.objects.get(code=objects["member"]).status == "suspended"
    key = SigningKey.generate()
    from gdx_protocol import b64e

    response = client.post(
        url,
        {
            "action": "add_key",
            "key-use": "sig",
            "key-algorithm": "ed25519",
            "key-public_key": b64e(key.public_raw),
        },
    )
    assert response.status_code == 302
    row = MemberKey.objects.get(kid=key.kid)
    assert (
        client.post(
            url,
            {
                "action": "revoke_key",
                "key": row.pk,
                "reason-reason": "lost",
                "reason-confirm": "on",
            },
        ).status_code
        == 302
    )
    row.refresh_from_db()
    assert row.revoked_at is not None and row.revoked_reason == "lost"
    response = client.post(
        url, {"action": "grant", "right-document_type": 1, "right-purpose": "audit"}
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "audit" in page


def test_bad_key_input_shows_an_error_and_changes_nothing(client, ega_admin, objects):
    client.force_login(ega_admin)
    url = f"/gdx/members/{objects['member']}/"
    response = client.post(
        url,
        {"action": "add_key", "key-use": "sig", "key-algorithm": "x25519", "key-public_key": "!!"},
    )
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert not MemberKey.objects.exists()
    response = client.post(
        url,
        {
            "action": "add_key",
            "key-use": "sig",
            "key-algorithm": "x25519",
            "key-public_key": "AAAA",
        },
    )
    assert response.status_code == 200
    assert not MemberKey.objects.exists()


def test_overview_lists_members_with_few_queries(
    client, overseer, objects, django_assert_max_num_queries
):
    for _ in range(5):
        MemberFactory()
    client.force_login(overseer)
    with django_assert_max_num_queries(12):
        response = client.get("/gdx/")
    assert objects["member"] in response.content.decode()


def test_demo_consumers_officer_runs_a_demo_exchange(client, objects, monkeypatch):
    from accounts.tests.factories import UserFactory
    from agencies.tests.factories import DepartmentFactory

    agency = DepartmentFactory(code=demo.CONSUMER)
    MemberFactory(agency=agency)
    officer = UserFactory(agency=agency)
    monkeypatch.setattr(demo, "load_node_config", lambda member: {"listen_port": 1})
    monkeypatch.setattr(
        demo,
        "consumer_request",
        lambda **kw: (
            200,
            {
                "request_id": "6f1c2b1e-8a4e-4b5f-9c1d-2e3f4a5b6c7d",
                "provider": demo.PROVIDER,
                "status": "found",
                "document": {"first_name": "ทดสอบ"},
                "evidence": {"signer_kid": "ab" * 32, "sig_alg": "ed25519"},
            },
        ),
    )
    client.force_login(officer)
    response = client.post(
        "/gdx/demo/",
        {"document_type": "person_record", "citizen_id": "1234567890121", "purpose": demo.PURPOSE},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "ทดสอบ" in page
    assert "6f1c2b1e" in page
    assert "/gdx/log/inclusion?index=0" in page  # the audit entry for that request id
    assert "<dd>พบข้อมูล</dd>" in page  # the status in words, not the code "found"


def test_demo_page_says_a_refusal_in_words(client, ega_admin, objects, monkeypatch):
    monkeypatch.setattr(demo, "load_node_config", lambda member: {"listen_port": 1})
    monkeypatch.setattr(demo, "consumer_request", lambda **kw: (403, {"error": "no_access_right"}))
    client.force_login(ega_admin)
    response = client.post(
        "/gdx/demo/",
        {"document_type": "person_record", "citizen_id": "1234567890121", "purpose": demo.PURPOSE},
    )
    page = response.content.decode()
    assert "ไม่มีสิทธิ์เข้าถึงเอกสารนี้" in page


def test_demo_page_refuses_a_bad_citizen_id(client, ega_admin, objects, monkeypatch):
    monkeypatch.setattr(demo, "load_node_config", lambda member: {"listen_port": 1})
    monkeypatch.setattr(demo, "consumer_request", lambda **kw: pytest.fail("must not be called"))
    client.force_login(ega_admin)
    response = client.post(
        "/gdx/demo/", {"document_type": "person_record", "citizen_id": "12", "purpose": "x"}
    )
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()


def test_an_encryption_key_is_refused_as_a_signing_key(client, ega_admin, objects):
    from gdx_protocol import b64e
    from gdx_protocol.keys import kem_algorithm

    kem = kem_algorithm("mlkem768x25519")
    raw = kem.public_raw(kem.generate())
    client.force_login(ega_admin)
    url = f"/gdx/members/{objects['member']}/"
    post = {"action": "add_key", "key-public_key": b64e(raw)}
    response = client.post(url, {**post, "key-use": "sig", "key-algorithm": "ed25519"})
    assert response.status_code == 200
    assert "ไม่ใช่กุญแจสาธารณะแบบ ed25519" in response.content.decode()
    assert not MemberKey.objects.exists()
    response = client.post(url, {**post, "key-use": "enc", "key-algorithm": "mlkem768x25519"})
    assert response.status_code == 302
    assert MemberKey.objects.get().algorithm == "mlkem768x25519"


def test_revoking_a_key_needs_a_reason_and_a_confirmation_shown_in_history(
    client, ega_admin, overseer, objects
):
    from audit.models import AuditEvent
    from gdx_protocol import b64e

    member = Member.objects.get(code=objects["member"])
    key = SigningKey.generate()
    row = services.member_key_add(
        member=member, use="sig", algorithm="ed25519", public_key=key.public_raw, by=ega_admin
    )
    client.force_login(ega_admin)
    url = f"/gdx/members/{member.code}/"
    for data in ({"reason-reason": "", "reason-confirm": "on"}, {"reason-reason": "leaked"}):
        response = client.post(url, {"action": "revoke_key", "key": row.pk, **data})
        assert response.status_code == 200
        row.refresh_from_db()
        assert row.revoked_at is None
    response = client.post(
        url,
        {"action": "revoke_key", "key": row.pk, "reason-reason": "leaked", "reason-confirm": "on"},
    )
    assert response.status_code == 302
    client.force_login(overseer)
    assert "leaked" in client.get(url).content.decode()
    assert AuditEvent.objects.get(action="gdx.key.revoked").data["reason"] == "leaked"
    # Adding it again is refused in Thai with the way forward, not a dead end.
    client.force_login(ega_admin)
    response = client.post(
        url,
        {
            "action": "add_key",
            "key-use": "sig",
            "key-algorithm": "ed25519",
            "key-public_key": b64e(key.public_raw),
        },
    )
    assert "สร้างคู่กุญแจใหม่" in response.content.decode()


def test_an_access_right_valid_until_is_typed_in_the_buddhist_era(client, ega_admin, objects):
    from exchange.models import AccessRight

    client.force_login(ega_admin)
    url = f"/gdx/members/{objects['member']}/"
    response = client.post(
        url,
        {
            "action": "grant",
            "right-document_type": 1,
            "right-purpose": "audit",
            "right-valid_until": "31/12/2569",
        },
    )
    assert response.status_code == 302
    right = AccessRight.objects.get()
    assert right.valid_until.isoformat() == "2026-12-31T17:00:00+00:00"  # 1 Jan 2027, Bangkok
    page = client.get(url).content.decode()
    # Shown as the last day it may be used, as typed (not as the next midnight).
    assert "31 ธันวาคม 2569" in page and "1 มกราคม 2570" not in page and "3112" not in page


def test_ega_adds_a_member_with_both_keys_checked_against_their_algorithms(
    client, ega_admin, agency_a
):
    from audit.models import AuditEvent
    from gdx_protocol import b64e
    from gdx_protocol.keys import kem_algorithm

    kem = kem_algorithm("mlkem768x25519")
    enc = b64e(kem.public_raw(kem.generate()))
    sig = b64e(SigningKey.generate().public_raw)
    client.force_login(ega_admin)
    data = {
        "agency": "agency-a",
        "endpoint": "https://node.a.go.th",
        "sig_algorithm": "ed25519",
        "sig_public_key": enc,  # the encryption key pasted as the signing key
        "enc_algorithm": "mlkem768x25519",
        "enc_public_key": enc,
    }
    response = client.post("/gdx/members/new/", data)
    assert response.status_code == 200
    assert "ไม่ใช่กุญแจสาธารณะแบบ ed25519" in response.content.decode()
    assert not Member.objects.exists() and not MemberKey.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="gdx.").exists()
    response = client.post("/gdx/members/new/", {**data, "agency": "nope"})
    assert response.status_code == 200 and not Member.objects.exists()

    response = client.post("/gdx/members/new/", {**data, "sig_public_key": sig})
    assert response.status_code == 302
    member = Member.objects.get(agency=agency_a)
    assert member.endpoint == "https://node.a.go.th"
    assert sorted(member.keys.values_list("use", "algorithm")) == [
        ("enc", "mlkem768x25519"),
        ("sig", "ed25519"),
    ]
    assert set(AuditEvent.objects.values_list("action", flat=True)) >= {
        "gdx.member.registered",
        "gdx.key.added",
    }
    response = client.post("/gdx/members/new/", {**data, "sig_public_key": sig})
    assert response.status_code == 200 and Member.objects.count() == 1


# --------------------------------------------------------------------------- certified keys


def _certificates(member_code: str, identity: SigningKey | None = None) -> dict:
    """What `python -m agency_node certify` writes for a node's new keys."""
    from agency_node.keystore import certify_public_keys
    from gdx_protocol import EncryptionKey

    keys = [dict(SigningKey.generate().public_info()), dict(EncryptionKey.generate().public_info())]
    return certify_public_keys(keys, identity or SigningKey.generate(), member_code)


def test_ega_adds_a_member_from_its_certificates(client, ega_admin, agency_a):
    import json

    from audit.models import AuditEvent

    identity = SigningKey.generate()
    certs = _certificates("agency-a", identity)
    client.force_login(ega_admin)
    response = client.post(
        "/gdx/members/new/",
        {"agency": "agency-a", "endpoint": "", "certificates": json.dumps(certs)},
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    member = Member.objects.get(agency=agency_a)
    assert member.identity_kid == identity.kid == certs["fingerprint"]
    keys = member.keys.all()
    assert sorted(k.use for k in keys) == ["enc", "sig"] and all(k.certificate for k in keys)
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions.count("gdx.key.added") == 2 and "gdx.member.registered" in actions
    page = client.get(f"/gdx/members/{member.code}/").content.decode()
    assert identity.kid in page  # the fingerprint EGA compares on the phone


def test_the_certificates_file_can_be_uploaded(client, ega_admin, agency_a):
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile

    certs = json.dumps(_certificates("agency-a")).encode()
    client.force_login(ega_admin)
    response = client.post(
        "/gdx/members/new/",
        {
            "agency": "agency-a",
            "certificates_file": SimpleUploadedFile("certificates.json", certs, "text/plain"),
        },
    )
    assert response.status_code == 302
    assert Member.objects.get(agency=agency_a).keys.count() == 2


@pytest.mark.parametrize(
    "case",
    ["another_member", "tampered", "not_json", "both_forms", "only_one_key", "too_big"],
)
def test_bad_certificates_change_nothing(client, ega_admin, agency_a, case):
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile

    from audit.models import AuditEvent

    certs = _certificates("agency-a")
    data: dict = {"agency": "agency-a"}
    expected = ""
    if case == "another_member":
        data["certificates"] = json.dumps(_certificates("agency-b"))
        expected = "These certificates are for another member."
    elif case == "tampered":
        certs["keys"][0]["pub"], certs["keys"][1]["pub"] = (
            certs["keys"][1]["pub"],
            certs["keys"][0]["pub"],
        )
        data["certificates"] = json.dumps(certs)
        expected = "These certificates do not verify against their identity key."
    elif case == "not_json":
        data["certificates_file"] = SimpleUploadedFile("certificates.json", b"\x89PNG\r\n")
        expected = "certify"
    elif case == "both_forms":
        data["certificates"] = json.dumps(certs)
        data["sig_public_key"] = certs["keys"][0]["pub"]
        expected = "not both"
    elif case == "only_one_key":
        certs["keys"] = certs["keys"][:1]
        data["certificates"] = json.dumps(certs)
        expected = "must hold a signing key and an encryption key"
    elif case == "too_big":
        data["certificates_file"] = SimpleUploadedFile("c.json", b" " * (64 * 1024 + 1))
        expected = "64 KiB"
    client.force_login(ega_admin)
    client.cookies["django_language"] = "en"
    response = client.post("/gdx/members/new/", data)
    page = response.content.decode()
    assert response.status_code == 200
    assert not Member.objects.exists() and not MemberKey.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="gdx.").exists()
    assert "error-summary" in page
    assert expected in page, page[-3000:]


def test_bare_keys_get_every_error_at_once_and_the_same_key_twice_is_named(
    client, ega_admin, agency_a
):
    from gdx_protocol import b64e

    sig = b64e(SigningKey.generate().public_raw)
    client.force_login(ega_admin)
    client.cookies["django_language"] = "en"
    page = client.post(
        "/gdx/members/new/",
        {
            "agency": "agency-a",
            "sig_algorithm": "ed25519",
            "sig_public_key": "not base64!",
            "enc_algorithm": "mlkem768x25519",
            "enc_public_key": sig,  # 32 bytes: not an ML-KEM-768 + X25519 key
        },
    ).content.decode()
    assert "This is not a base64url public key." in page
    assert "This is not a mlkem768x25519 public key (32 bytes)" in page
    page = client.post(
        "/gdx/members/new/",
        {
            "agency": "agency-a",
            "sig_algorithm": "ed25519",
            "sig_public_key": sig,
            "enc_algorithm": "x25519",
            "enc_public_key": sig,
        },
    ).content.decode()
    assert "The same key was given for signing and for encryption." in page
    assert "already registered" not in page
    page = client.post("/gdx/members/new/", {"agency": "agency-a"}).content.decode()
    assert page.count("Give this key, or the agency") == 4  # summary and field, twice
    assert 'id="id_sig_public_key_error"' in page and 'id="id_enc_public_key_error"' in page
    assert not Member.objects.exists() and not MemberKey.objects.exists()


def test_ega_imports_rotated_certificates_on_the_member_page(client, ega_admin, agency_a):
    import json

    identity = SigningKey.generate()
    member = services.member_register(agency=agency_a, by=None)
    services.member_keys_import(
        member=member, certificates=_certificates(member.code, identity), by=None
    )
    client.force_login(ega_admin)
    url = f"/gdx/members/{member.code}/"
    rotated = _certificates(member.code, identity)
    response = client.post(
        url, {"action": "import_certificates", "certs-certificates": json.dumps(rotated)}
    )
    assert response.status_code == 302
    assert member.keys.count() == 4
    # Certificates made with another identity key: refused, with the reason, nothing added.
    client.cookies["django_language"] = "en"
    response = client.post(
        url,
        {
            "action": "import_certificates",
            "certs-certificates": json.dumps(_certificates(member.code)),
        },
    )
    assert response.status_code == 200
    assert "These certificates were made with another identity key." in response.content.decode()
    assert member.keys.count() == 4


@pytest.mark.parametrize("who", ["overseer", "officer_a", "admin_a"])
def test_only_ega_imports_certificates(client, role_users, agency_a, who):
    import json

    member = services.member_register(agency=agency_a, by=None)
    client.force_login(role_users[who])
    response = client.post(
        f"/gdx/members/{member.code}/",
        {
            "action": "import_certificates",
            "certs-certificates": json.dumps(_certificates(member.code)),
        },
    )
    assert response.status_code == 403
    assert not member.keys.exists() and not Member.objects.get().identity_key
