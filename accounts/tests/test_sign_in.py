from datetime import timedelta

from django.core import mail
from django.utils import timezone

from accounts.models import SignInThrottle
from audit.models import AuditEvent


def sign_in(client, identifier, password):
    return client.post("/accounts/sign-in/", {"identifier": identifier, "password": password})


def test_sign_in_with_email(client, officer_a, password):
    response = sign_in(client, "OFFICER@a.go.th", password)
    assert response.status_code == 302 and response["Location"] == "/my-agency/"
    assert AuditEvent.objects.filter(action="signin.succeeded", actor=officer_a).exists()


def test_sign_in_with_agency_identity_names_the_person(client, officer_a, admin_a, password):
    admin_a.set_password("admin-only-password-1")
    admin_a.save()
    response = sign_in(client, "agency-a@info.go.th", "admin-only-password-1")
    assert response.status_code == 302
    assert client.get("/my-agency/").context["user"] == admin_a
    client.logout()
    sign_in(client, "agency-a@info.go.th", password)
    assert client.get("/my-agency/").context["user"] == officer_a


def test_wrong_password_is_refused_and_audited(client, officer_a):
    response = sign_in(client, "officer@a.go.th", "wrong")
    assert response.status_code == 200
    assert "ไม่ถูกต้อง" in response.content.decode()
    assert AuditEvent.objects.filter(action="signin.failed", actor_label="officer@a.go.th").exists()


def test_lock_out_after_repeated_failures_even_with_the_right_password(
    client, officer_a, password, settings
):
    for _ in range(settings.SIGN_IN_MAX_FAILURES):
        sign_in(client, "officer@a.go.th", "wrong")
    response = sign_in(client, "officer@a.go.th", password)
    assert response.status_code == 200
    assert "ล็อก" in response.content.decode() or "หลายครั้ง" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="signin.locked").exists()


def test_lock_ends_after_the_window(client, officer_a, password, settings):
    for _ in range(settings.SIGN_IN_MAX_FAILURES):
        sign_in(client, "officer@a.go.th", "wrong")
    SignInThrottle.objects.update(locked_until=timezone.now() - timedelta(seconds=1))
    assert sign_in(client, "officer@a.go.th", password).status_code == 302


def test_unknown_identities_are_throttled_too(client, db, settings):
    for _ in range(settings.SIGN_IN_MAX_FAILURES):
        sign_in(client, "nobody@nowhere.go.th", "x")
    assert SignInThrottle.objects.get(identifier="nobody@nowhere.go.th").is_locked()


def test_inactive_account_cannot_sign_in(client, officer_a, password):
    officer_a.is_active = False
    officer_a.save()
    assert sign_in(client, "officer@a.go.th", password).status_code == 200


def test_password_reset_by_email_link_clears_lock(client, officer_a, settings):
    for _ in range(settings.SIGN_IN_MAX_FAILURES):
        sign_in(client, "officer@a.go.th", "wrong")
    response = client.post("/accounts/password-reset/", {"email": "officer@a.go.th"})
    assert response.status_code == 200
    link = next(w for w in mail.outbox[0].body.split() if "/accounts/reset/" in w)
    client.post(link, {"password1": "brand-new-pass-2569", "password2": "brand-new-pass-2569"})
    assert sign_in(client, "officer@a.go.th", "brand-new-pass-2569").status_code == 302


def test_password_reset_says_the_same_for_unknown_email(client, db):
    response = client.post("/accounts/password-reset/", {"email": "nobody@x.go.th"})
    assert response.status_code == 200
    assert mail.outbox == []


def test_next_parameter_cannot_redirect_off_site(client, officer_a, password):
    response = client.post(
        "/accounts/sign-in/?next=https://evil.example/",
        {"identifier": "officer@a.go.th", "password": password},
    )
    assert response["Location"] == "/my-agency/"


def test_sign_out_needs_post(client, officer_a):
    client.force_login(officer_a)
    assert client.get("/accounts/sign-out/").status_code == 405
    assert client.post("/accounts/sign-out/").status_code == 302
    assert "_auth_user_id" not in client.session
