"""The member's one write path: the admin registers and changes members through the services."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from exchange import services
from exchange.models import Member

pytestmark = pytest.mark.django_db


def _trail(member):
    return [
        (e.action, e.data)
        for e in AuditEvent.objects.filter(
            target_type="exchange.member", target_id=str(member.pk)
        ).order_by("pk")
    ]


def test_the_admin_and_the_services_leave_the_same_audit_trail(
    client, ega_admin, agency_a, agency_b
):
    by_service = services.member_register(agency=agency_b, endpoint="", by=ega_admin)
    services.member_update_endpoint(
        member=by_service, endpoint="https://node.example.go.th/gdx", by=ega_admin
    )
    services.member_suspend(member=by_service, by=ega_admin)

    client.force_login(ega_admin)
    response = client.post(
        reverse("admin:exchange_member_add"), {"agency": agency_a.pk, "endpoint": ""}
    )
    assert response.status_code == 302
    by_admin = Member.objects.get(agency=agency_a)
    response = client.post(
        reverse("admin:exchange_member_change", args=[by_admin.pk]),
        {"endpoint": "https://node.example.go.th/gdx"},
    )
    assert response.status_code == 302
    client.post(
        reverse("admin:exchange_member_changelist"),
        {"action": "member_suspend", "_selected_action": [by_admin.pk]},
    )
    by_admin.refresh_from_db()
    assert by_admin.status == Member.Status.SUSPENDED
    assert by_admin.endpoint == "https://node.example.go.th/gdx"
    assert _trail(by_admin) == _trail(by_service)
    assert [action for action, _data in _trail(by_admin)] == [
        "gdx.member.registered",
        "gdx.member.endpoint_changed",
        "gdx.member.suspended",
    ]


def test_a_refused_move_in_the_admin_changes_nothing(client, ega_admin, agency_a):
    member = services.member_register(agency=agency_a, by=ega_admin)
    services.member_revoke(member=member, by=ega_admin)
    client.force_login(ega_admin)
    response = client.post(
        reverse("admin:exchange_member_changelist"),
        {"action": "member_reactivate", "_selected_action": [member.pk]},
        follow=True,
    )
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.status == Member.Status.REVOKED
    assert len(_trail(member)) == 2


def _right_trail(right):
    return [
        (e.action, e.data)
        for e in AuditEvent.objects.filter(
            target_type="exchange.accessright", target_id=str(right.pk)
        ).order_by("pk")
    ]


def test_an_access_right_granted_and_withdrawn_in_the_admin_leaves_the_services_trail(
    client, ega_admin, agency_a, agency_b
):
    from exchange.models import AccessRight, DocumentType

    provider = services.member_register(agency=agency_b, by=ega_admin)
    consumer = services.member_register(agency=agency_a, by=ega_admin)
    document = DocumentType.objects.create(code="house-reg", name_th="ทะเบียนบ้าน")
    by_service = services.access_right_grant(
        consumer=consumer, document_type=document, purpose="ตรวจสอบที่อยู่", by=ega_admin
    )
    services.access_right_withdraw(right=by_service, by=ega_admin)
    assert provider.pk

    client.force_login(ega_admin)
    response = client.post(
        reverse("admin:exchange_accessright_add"),
        {
            "consumer": consumer.pk,
            "document_type": document.pk,
            "purpose": "ตรวจสอบที่อยู่",
            "legal_basis": "",
            "valid_from_0": "2026-11-30",
            "valid_from_1": "00:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    by_admin = AccessRight.objects.exclude(pk=by_service.pk).get()
    assert by_admin.granted_by == ega_admin
    client.post(
        reverse("admin:exchange_accessright_changelist"),
        {"action": "access_right_withdraw", "_selected_action": [by_admin.pk]},
    )
    by_admin.refresh_from_db()
    assert by_admin.status == AccessRight.Status.WITHDRAWN
    assert _right_trail(by_admin) == _right_trail(by_service)
    # Withdrawn stays withdrawn: a second withdrawal is refused and leaves no trace.
    client.post(
        reverse("admin:exchange_accessright_changelist"),
        {"action": "access_right_withdraw", "_selected_action": [by_admin.pk]},
    )
    assert len(_right_trail(by_admin)) == 2
