"""Staff two-factor sign-in: TOTP from an authenticator app, recovery codes, required of EGA
and agency administrators, optional for officers (ADR 0131)."""

import re
import time

import pytest
from django.contrib.admin.sites import site
from django.core.exceptions import PermissionDenied
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.services import two_factor_reset
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _required(settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["ega_admin", "agency_admin"]


def code(device: TOTPDevice, ahead: int = 0) -> str:
    """What the phone shows now (or `ahead` steps later: a code is taken only once)."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=ahead):06d}"


def sign_in(client, email, password):
    return client.post("/accounts/sign-in/", {"identifier": email, "password": password})


def enrol(client, user) -> list[str]:
    client.get("/accounts/two-factor/setup/")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    page = client.post("/accounts/two-factor/setup/", {"code": code(device)}).content.decode()
    return re.findall(r"<li><code>([a-z0-9]+)</code></li>", page)


def test_an_administrator_without_an_authenticator_is_sent_to_set_one_up(client, admin_a, password):
    assert sign_in(client, "admin@a.go.th", password).status_code == 302
    response = client.get("/my-agency/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/setup/?next=/my-agency/")
    assert client.get("/accounts/approvals/").status_code == 302
    # The API says so instead of redirecting.
    assert client.get("/api/readiness/latest").status_code == 403


def test_setting_up_shows_a_qr_code_and_the_key_then_recovery_codes(client, admin_a):
    client.force_login(admin_a)
    page = client.get("/accounts/two-factor/setup/").content.decode()
    assert 'src="data:image/svg+xml' in page
    assert 'class="otp-secret"' in page
    assert page.count("<h1") == 1
    device = TOTPDevice.objects.get(user=admin_a)
    assert "otpauth://totp/" in device.config_url and "CITIZENinfo" in device.config_url
    wrong = client.post("/accounts/two-factor/setup/", {"code": "000000"})
    assert "ไม่ถูกต้อง" in wrong.content.decode()
    assert not TOTPDevice.objects.get(user=admin_a).confirmed
    codes = enrol(client, admin_a)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert TOTPDevice.objects.get(user=admin_a).confirmed
    assert StaticToken.objects.filter(device__user=admin_a).count() == 10
    assert AuditEvent.objects.filter(action="accounts.two_factor.enabled", actor=admin_a).exists()
    # Verified in this session: the pages open.
    assert client.get("/my-agency/").status_code == 200


def test_next_sign_in_asks_for_the_code(admin_a, password):
    first = Client()
    first.force_login(admin_a)
    enrol(first, admin_a)
    device = TOTPDevice.objects.get(user=admin_a, confirmed=True)

    client = Client()
    sign_in(client, "admin@a.go.th", password)
    response = client.get("/my-agency/")
    assert response["Location"].startswith("/accounts/two-factor/verify/")
    page = client.post("/accounts/two-factor/verify/", {"code": "123456", "next": "/my-agency/"})
    assert page.status_code == 200 and "ไม่ถูกต้อง" in page.content.decode()
    assert AuditEvent.objects.filter(action="accounts.two_factor.failed").exists()
    time.sleep(1.1)  # django-otp slows down after a wrong code
    response = client.post(
        "/accounts/two-factor/verify/", {"code": code(device, ahead=1), "next": "/my-agency/"}
    )
    assert response.status_code == 302 and response["Location"] == "/my-agency/"
    assert client.get("/my-agency/").status_code == 200


def test_wrong_codes_slow_down(admin_a):
    client = Client()
    client.force_login(admin_a)
    enrol(client, admin_a)
    client = Client()
    client.force_login(admin_a)
    client.post("/accounts/two-factor/verify/", {"code": "111111"})
    device = TOTPDevice.objects.get(user=admin_a, confirmed=True)
    page = client.post("/accounts/two-factor/verify/", {"code": code(device, ahead=1)})
    assert page.status_code == 200
    assert "รอ" in page.content.decode()  # "wait a minute"


def test_a_recovery_code_works_once(admin_a):
    client = Client()
    client.force_login(admin_a)
    codes = enrol(client, admin_a)
    for expected in (302, 200):
        client = Client()
        client.force_login(admin_a)
        response = client.post("/accounts/two-factor/verify/", {"code": codes[0].upper()})
        assert response.status_code == expected
    event = AuditEvent.objects.filter(action="accounts.two_factor.verified").latest("pk")
    assert event.data == {"recovery_code": True}


def test_new_recovery_codes_replace_the_old(admin_a):
    client = Client()
    client.force_login(admin_a)
    old = enrol(client, admin_a)
    page = client.post("/accounts/two-factor/recovery-codes/").content.decode()
    new = re.findall(r"<li><code>([a-z0-9]+)</code></li>", page)
    assert len(new) == 10 and not set(new) & set(old)
    assert StaticToken.objects.filter(device__user=admin_a).count() == 10


def test_an_officer_may_choose_it_and_turn_it_off(client, officer_a):
    client.force_login(officer_a)
    assert client.get("/my-agency/").status_code == 200  # not required
    enrol(client, officer_a)
    response = client.post("/accounts/two-factor/off/")
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=officer_a).exists()
    assert AuditEvent.objects.filter(action="accounts.two_factor.disabled").exists()


def test_an_officer_who_chose_it_is_asked_too(officer_a):
    client = Client()
    client.force_login(officer_a)
    enrol(client, officer_a)
    client = Client()
    client.force_login(officer_a)
    assert client.get("/my-agency/")["Location"].startswith("/accounts/two-factor/verify/")


def test_an_administrator_may_not_turn_it_off(client, ega_admin):
    client.force_login(ega_admin)
    enrol(client, ega_admin)
    assert client.post("/accounts/two-factor/off/").status_code == 403
    assert TOTPDevice.objects.filter(user=ega_admin, confirmed=True).exists()
    assert "/accounts/two-factor/off/" not in client.get("/accounts/two-factor/").content.decode()


def test_sign_out_and_static_pages_stay_open_before_the_code(client, ega_admin):
    client.force_login(ega_admin)
    assert client.get("/healthz").status_code == 200
    assert client.post("/accounts/sign-out/").status_code == 302


def test_the_admin_site_needs_the_code_too(client, ega_admin):
    client.force_login(ega_admin)
    assert client.get("/admin/")["Location"].startswith("/accounts/two-factor/setup/")


def test_anonymous_visitors_are_not_affected(client):
    assert client.get("/").status_code == 200
    assert client.get("/accounts/two-factor/").status_code == 302


def test_an_ega_administrator_resets_a_lost_authenticator(admin_a, ega_admin):
    client = Client()
    client.force_login(admin_a)
    enrol(client, admin_a)
    assert TOTPDevice not in site._registry  # no page that shows secret keys
    with pytest.raises(PermissionDenied):
        two_factor_reset(user=admin_a, by=admin_a)
    two_factor_reset(user=admin_a, by=ega_admin)
    assert not TOTPDevice.objects.filter(user=admin_a).exists()
    assert not StaticToken.objects.filter(device__user=admin_a).exists()
    assert AuditEvent.objects.filter(action="accounts.two_factor.reset", actor=ega_admin).exists()
    client = Client()
    client.force_login(admin_a)
    assert client.get("/my-agency/")["Location"].startswith("/accounts/two-factor/setup/")
