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


def _document_trail(document):
    return [
        (e.action, e.data)
        for e in AuditEvent.objects.filter(
            target_type="exchange.documenttype", target_id=str(document.pk)
        ).order_by("pk")
    ]


def test_a_document_type_added_renamed_and_archived_in_the_admin_leaves_the_services_trail(
    client, ega_admin, agency_a
):
    from exchange.models import DocumentType

    provider = services.member_register(agency=agency_a, by=ega_admin)
    by_service = services.document_type_create(
        code="birth_cert", name_th="สูติบัตร", provider=provider, by=ega_admin
    )
    services.document_type_rename(
        document_type=by_service, name_th="สูติบัตร (ฉบับจริง)", name_en="Birth", by=ega_admin
    )
    services.document_type_set_provider(document_type=by_service, provider=None, by=ega_admin)
    services.document_type_archive(document_type=by_service, by=ega_admin)

    client.force_login(ega_admin)
    response = client.post(
        reverse("admin:exchange_documenttype_add"),
        {"code": "marriage_cert", "name_th": "สูติบัตร", "name_en": "", "provider": provider.pk},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    by_admin = DocumentType.objects.get(code="marriage_cert")
    response = client.post(
        reverse("admin:exchange_documenttype_change", args=[by_admin.pk]),
        {
            "code": "changed_code",  # read-only once given: ignored
            "name_th": "สูติบัตร (ฉบับจริง)",
            "name_en": "Birth",
            "provider": "",
            "status": DocumentType.Status.ARCHIVED,  # only by the action: ignored
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    by_admin.refresh_from_db()
    assert (by_admin.code, by_admin.status) == ("marriage_cert", DocumentType.Status.ACTIVE)
    assert (by_admin.name_th, by_admin.provider) == ("สูติบัตร (ฉบับจริง)", None)
    client.post(
        reverse("admin:exchange_documenttype_changelist"),
        {"action": "document_type_archive", "_selected_action": [by_admin.pk]},
    )
    by_admin.refresh_from_db()
    assert by_admin.status == DocumentType.Status.ARCHIVED
    expected = [
        "gdx.document_type.created",
        "gdx.document_type.renamed",
        "gdx.document_type.provider_set",
        "gdx.document_type.archived",
    ]
    assert [action for action, _data in _document_trail(by_service)] == expected
    assert [action for action, _data in _document_trail(by_admin)] == expected
    assert _document_trail(by_admin)[1:] == _document_trail(by_service)[1:]
    # Archived stays archived; an unchanged save records nothing.
    client.post(
        reverse("admin:exchange_documenttype_changelist"),
        {"action": "document_type_archive", "_selected_action": [by_admin.pk]},
    )
    client.post(
        reverse("admin:exchange_documenttype_change", args=[by_admin.pk]),
        {"name_th": "สูติบัตร (ฉบับจริง)", "name_en": "Birth", "provider": ""},
    )
    assert len(_document_trail(by_admin)) == 4


def test_an_overseer_cannot_change_a_document_type_in_the_admin(client, agency_a):
    from accounts.tests.factories import OverseerFactory
    from exchange.models import DocumentType

    document = DocumentType.objects.create(code="tax_cert", name_th="ใบรับรองภาษี")
    client.force_login(OverseerFactory(is_staff=True))
    response = client.post(
        reverse("admin:exchange_documenttype_change", args=[document.pk]),
        {"code": "tax_cert", "name_th": "อื่น", "name_en": ""},
    )
    assert response.status_code in (302, 403)
    document.refresh_from_db()
    assert document.name_th == "ใบรับรองภาษี"
    assert not _document_trail(document)
