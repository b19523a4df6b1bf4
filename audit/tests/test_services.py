from django.test import RequestFactory

from audit.services import audit_record


def test_audit_records_the_client_address_behind_a_trusted_proxy(db, settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_REAL_IP="203.0.113.7")
    assert audit_record(action="x", request=request).ip_address == "10.0.0.1"
    settings.CLIENT_IP_META = "HTTP_X_REAL_IP"
    assert audit_record(action="x", request=request).ip_address == "203.0.113.7"


def test_failed_sign_in_is_audited_without_an_account(client, db):
    client.post("/accounts/sign-in/", {"identifier": "ghost@x.go.th", "password": "nope"})
    from audit.models import AuditEvent

    event = AuditEvent.objects.get(action="signin.failed")
    assert event.actor is None and event.actor_label == "ghost@x.go.th"
