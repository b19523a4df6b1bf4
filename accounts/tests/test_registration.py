"""Registration as the seed describes it, made safe: personal accounts, links, approvals."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import EmailToken, Registration, User
from audit.models import AuditEvent

VALID = {
    "first_name": "สมหญิง",
    "last_name": "ตั้งใจ",
    "email": "somying@rd.go.th",
    "phone": "081-234-5678",
}


def register(client, agency, **overrides):
    return client.post(f"/accounts/register/{agency.code}/", {**VALID, **overrides})


def link_from(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def test_government_email_gets_a_single_use_link_and_no_password(client, agency_a):
    response = register(client, agency_a)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "agency-a@info.go.th" in page
    registration = Registration.objects.get()
    assert registration.status == Registration.Status.AWAITING_ACTIVATION
    assert registration.phone == "0812345678"
    user = registration.user
    assert not user.is_active and not user.has_usable_password()
    [message] = mail.outbox
    assert message.to == ["somying@rd.go.th"]
    assert "/accounts/activate/" in message.body
    assert "agency-a@info.go.th" in message.body
    # Only a hash of the secret is stored.
    secret = link_from(message).rstrip("/").rsplit("/", 1)[-1]
    assert not EmailToken.objects.filter(token_hash=secret).exists()
    assert EmailToken.objects.filter(token_hash=EmailToken.hash(secret)).exists()
    assert AuditEvent.objects.filter(action="registration.submitted").count() == 1


def test_activation_link_sets_password_makes_first_member_agency_admin_and_works_once(
    client, agency_a
):
    register(client, agency_a)
    link = link_from(mail.outbox[0])
    assert client.get(link).status_code == 200
    response = client.post(link, {"password1": "ยาวพอแล้ว-2569!", "password2": "ยาวพอแล้ว-2569!"})
    assert response.status_code == 302
    user = User.objects.get(email="somying@rd.go.th")
    assert user.is_active and user.check_password("ยาวพอแล้ว-2569!")
    assert user.role == User.Role.AGENCY_ADMIN
    assert Registration.objects.get().status == Registration.Status.ACTIVATED
    again = client.post(link, {"password1": "another-pass-2569", "password2": "another-pass-2569"})
    assert again.status_code == 410
    assert "ใช้ไปแล้ว" in again.content.decode()
    assert User.objects.get(pk=user.pk).check_password("ยาวพอแล้ว-2569!")


def test_second_member_becomes_an_officer(client, agency_a, admin_a):
    register(client, agency_a)
    link = link_from(mail.outbox[0])
    client.post(link, {"password1": "ยาวพอแล้ว-2569!", "password2": "ยาวพอแล้ว-2569!"})
    assert User.objects.get(email=VALID["email"]).role == User.Role.AGENCY_OFFICER


def test_expired_link_is_refused_and_changes_nothing(client, agency_a):
    register(client, agency_a)
    EmailToken.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    link = link_from(mail.outbox[0])
    response = client.post(link, {"password1": "ยาวพอแล้ว-2569!", "password2": "ยาวพอแล้ว-2569!"})
    assert response.status_code == 410
    assert "หมดอายุ" in response.content.decode()
    user = User.objects.get(email=VALID["email"])
    assert not user.is_active and not user.has_usable_password()


def test_unknown_link_is_404(client, db):
    assert client.get("/accounts/activate/not-a-real-secret/").status_code == 404


def test_weak_or_mismatched_password_is_refused_and_link_stays_usable(client, agency_a):
    register(client, agency_a)
    link = link_from(mail.outbox[0])
    weak = client.post(link, {"password1": "12345678901", "password2": "12345678901"})
    assert weak.status_code == 200 and "error-summary" in weak.content.decode()
    mismatch = client.post(link, {"password1": "ยาวพอแล้ว-2569!", "password2": "other-2569!!"})
    assert "ไม่ตรงกัน" in mismatch.content.decode()
    assert EmailToken.objects.get().used_at is None
    assert not User.objects.get(email=VALID["email"]).is_active


def test_non_government_email_waits_for_approval_and_agency_admin_is_told(
    client, agency_a, admin_a
):
    register(client, agency_a, email="somying@gmail.com")
    registration = Registration.objects.get()
    assert registration.status == Registration.Status.PENDING_APPROVAL
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == ["admin@a.go.th", "somying@gmail.com"]
    assert not any("/accounts/activate/" in m.body for m in mail.outbox)
    page = client.get(f"/accounts/register/{agency_a.code}/done/").content.decode()
    assert "อนุมัติ" in page


def test_agency_admin_approves_then_link_is_sent(client, agency_a, admin_a):
    register(client, agency_a, email="somying@gmail.com")
    registration = Registration.objects.get()
    mail.outbox.clear()
    client.force_login(admin_a)
    response = client.post(f"/accounts/approvals/{registration.pk}/approve/")
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == Registration.Status.AWAITING_ACTIVATION
    assert registration.decided_by == admin_a
    [message] = mail.outbox
    assert message.to == ["somying@gmail.com"] and "/accounts/activate/" in message.body


def test_admin_of_another_agency_cannot_approve(client, agency_a, admin_b):
    register(client, agency_a, email="somying@gmail.com")
    registration = Registration.objects.get()
    client.force_login(admin_b)
    assert client.post(f"/accounts/approvals/{registration.pk}/approve/").status_code == 404
    assert "somying@gmail.com" not in client.get("/accounts/approvals/").content.decode()
    registration.refresh_from_db()
    assert registration.status == Registration.Status.PENDING_APPROVAL


def test_ega_admin_rejects_and_registrant_is_told(client, agency_a, ega_admin):
    register(client, agency_a, email="somying@gmail.com")
    registration = Registration.objects.get()
    mail.outbox.clear()
    client.force_login(ega_admin)
    client.post(f"/accounts/approvals/{registration.pk}/reject/")
    registration.refresh_from_db()
    assert registration.status == Registration.Status.REJECTED
    assert mail.outbox[0].to == ["somying@gmail.com"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("first_name", "", "first_name"),
        ("last_name", "", "last_name"),
        ("email", "", "email"),
        ("email", "not-an-email", "email"),
        ("phone", "", "phone"),
        ("phone", "12345", "phone"),
        ("phone", "0012345678", "phone"),
        ("phone", "08123456789012", "phone"),
    ],
)
def test_every_field_is_required_and_validated(client, agency_a, field, value, message):
    response = register(client, agency_a, **{field: value})
    html = response.content.decode()
    assert response.status_code == 200
    assert "error-summary" in html
    assert f'href="#id_{message}"' in html
    assert Registration.objects.count() == 0 and User.objects.count() == 0
    assert mail.outbox == []


def test_all_errors_are_shown_together_in_thai(client, agency_a):
    response = client.post(f"/accounts/register/{agency_a.code}/", {})
    html = response.content.decode()
    for field in ("first_name", "last_name", "email", "phone"):
        assert f'href="#id_{field}"' in html
    assert "โปรดกรอกข้อมูลในช่องนี้" in html
    assert 'aria-invalid="true"' in html


@pytest.mark.parametrize(
    "phone", ["02 123 4567", "053-123456", "0812345678", "+66 81 234 5678", "02-123-4567 ต่อ 12"]
)
def test_thai_mobile_and_landline_formats_are_accepted(client, agency_a, phone):
    assert register(client, agency_a, phone=phone).status_code == 302


def test_duplicate_registration_looks_the_same_changes_nothing_and_mails_the_owner(
    client, agency_a, agency_b
):
    first = register(client, agency_a, email="someone@rd.go.th")
    first_page = client.get(first["Location"]).content.decode()
    register(client, agency_a)
    mail.outbox.clear()
    response = register(client, agency_b, email="SOMYING@rd.go.th")
    assert response.status_code == 302  # the same answer as for a new email
    page = client.get(response["Location"]).content.decode()
    assert "ลงทะเบียนไว้แล้ว" not in page

    def main(html, email, name, code):
        html = html[html.index("<main") : html.index("</main>")]
        return html.replace(email, "X").replace(name, "Y").replace(code, "Z")

    assert main(page, "somying@rd.go.th", "กรมบี", "agency-b") == main(
        first_page, "someone@rd.go.th", "กรมเอ", "agency-a"
    )
    assert Registration.objects.count() == 2
    [message] = mail.outbox
    assert message.to == ["somying@rd.go.th"]
    assert "/accounts/sign-in/" in message.body and "/accounts/password-reset/" in message.body
    assert AuditEvent.objects.filter(action="accounts.registration.duplicate").exists()


def test_unknown_or_archived_agency_cannot_be_registered_for(client, agency_a):
    assert client.post("/accounts/register/nope/", VALID).status_code == 404
    agency_a.status = agency_a.Status.ARCHIVED
    agency_a.save()
    assert client.post(f"/accounts/register/{agency_a.code}/", VALID).status_code == 404
    assert Registration.objects.count() == 0


def test_result_page_is_only_for_the_browser_that_registered(client, agency_a):
    register(client, agency_a)
    other = client.__class__()
    assert other.get(f"/accounts/register/{agency_a.code}/done/").status_code == 404


def test_requesters_list_shows_every_registration_to_members_only(
    client, agency_a, officer_a, officer_b
):
    register(client, agency_a)
    register(client, agency_a, email="impostor@gmail.com")
    client.force_login(officer_a)
    html = client.get("/my-agency/").content.decode()
    assert "somying@rd.go.th" in html and "impostor@gmail.com" in html
    client.force_login(officer_b)
    assert "impostor@gmail.com" not in client.get("/my-agency/").content.decode()
    assert client.get(f"/agencies/{agency_a.code}/people/").status_code == 404


def test_lost_activation_link_can_be_sent_again(client, agency_a):
    register(client, agency_a)
    EmailToken.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    mail.outbox.clear()
    client.post("/accounts/password-reset/", {"email": VALID["email"]})
    [message] = mail.outbox
    link = link_from(message)
    assert "/accounts/activate/" in link
    client.post(link, {"password1": "ยาวพอแล้ว-2569!", "password2": "ยาวพอแล้ว-2569!"})
    assert User.objects.get(email=VALID["email"]).is_active


def test_a_registration_still_waiting_for_approval_gets_no_link(client, agency_a):
    register(client, agency_a, email="somying@gmail.com")
    mail.outbox.clear()
    client.post("/accounts/password-reset/", {"email": "somying@gmail.com"})
    assert mail.outbox == []
