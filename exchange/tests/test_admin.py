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
