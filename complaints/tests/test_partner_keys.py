"""Keys EGA issues to partner channels for Open311 POST: one write path, audited, and the
Open311 endpoint accepts them (and refuses revoked or forged ones)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEvent
from complaints import services
from complaints.models import Complaint, PartnerKey
from complaints.tests.factories import category

pytestmark = pytest.mark.django_db
URL = "/my-agency/complaints/partner-keys/"


def _post(client, secret: str, fmt: str = "json"):
    return client.post(
        f"/open311/v2/requests.{fmt}",
        {
            "api_key": secret,
            "service_code": "road",
            "lat": "13.7563",
            "long": "100.5018",
            "description": "ไฟถนนดับทั้งซอย",
        },
    )


def test_ega_issues_a_key_on_the_page_and_it_is_shown_once(client, ega_admin):
    client.force_login(ega_admin)
    response = client.post(URL, {"action": "issue", "name": "แอปเมืองพัทยา", "contact": "IT"})
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret.startswith("cp_") and secret in response.content.decode()
    key = PartnerKey.objects.get()
    assert key.key_hash == PartnerKey.hash(secret) and secret not in key.key_hash
    assert key.name == "แอปเมืองพัทยา" and key.created_by == ega_admin
    event = AuditEvent.objects.get(action="complaints.partner_key.issued")
    assert event.data["prefix"] == key.prefix and secret not in str(event.data)
    again = client.get(URL).content.decode()
    assert secret not in again and f"cp_{key.prefix}_" in again


def test_a_blank_name_is_refused_and_nothing_is_stored(client, ega_admin):
    client.force_login(ega_admin)
    response = client.post(URL, {"action": "issue", "name": "   "})
    assert response.status_code == 400
    assert not PartnerKey.objects.exists()
    with pytest.raises(ValidationError):
        services.partner_key_issue(by=ega_admin, name="\x00")
    assert (
        not PartnerKey.objects.exists()
        and not AuditEvent.objects.filter(action="complaints.partner_key.issued").exists()
    )


@pytest.mark.parametrize("role", ["officer_a", "admin_a", "overseer"])
def test_only_ega_issues_or_revokes(client, request, ega_admin, role):
    user = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        services.partner_key_issue(by=user, name="x")
    key, _secret = services.partner_key_issue(by=ega_admin, name="x")
    with pytest.raises(PermissionDenied):
        services.partner_key_revoke(key=key, by=user)
    client.force_login(user)
    assert client.post(URL, {"action": "revoke", "key": key.pk}).status_code == 403
    assert PartnerKey.objects.get().is_active


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_post_with_a_partner_key(client, ega_admin, fmt):
    category("road")
    _key, secret = services.partner_key_issue(by=ega_admin, name="LINE OA")
    response = _post(client, secret, fmt)
    assert response.status_code == 201, response.content
    complaint = Complaint.objects.get()
    assert complaint.source == Complaint.Source.OPEN311
    assert complaint.reference in response.content.decode()
    assert PartnerKey.objects.get().last_used_at is not None


def test_a_revoked_or_forged_key_is_refused(client, ega_admin):
    category("road")
    key, secret = services.partner_key_issue(by=ega_admin, name="LINE OA")
    forged = f"cp_{key.prefix}_{'x' * 43}"
    assert _post(client, forged).status_code == 403
    client.force_login(ega_admin)
    assert client.post(URL, {"action": "revoke", "key": key.pk}).status_code == 302
    assert AuditEvent.objects.filter(action="complaints.partner_key.revoked").count() == 1
    assert client.post(URL, {"action": "revoke", "key": key.pk}).status_code == 404
    assert client.post(URL, {"action": "revoke", "key": "x"}).status_code == 404
    client.logout()
    assert _post(client, secret).status_code == 403
    assert not Complaint.objects.exists()
    with pytest.raises(ValidationError):
        services.partner_key_revoke(key=key, by=ega_admin)
