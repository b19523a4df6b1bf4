"""The account's one write path: the admin changes users through `user_update` (audited);
agency requests are only read there (the console decides them through the services)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.models import User
from accounts.services import user_update
from accounts.tests.factories import EgaAdminFactory, UserFactory
from agencies.tests.factories import DepartmentFactory
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _trail(user):
    return [
        (e.action, e.data)
        for e in AuditEvent.objects.filter(
            target_type="accounts.user", target_id=str(user.pk)
        ).order_by("pk")
    ]


def _form(user, **changes):
    data = {
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "phone": user.phone,
        "agency": user.agency_id or "",
        "role": user.role,
        "is_active": "on" if user.is_active else "",
        **changes,
    }
    return {k: v for k, v in data.items() if v != ""}


def test_the_admin_and_the_service_leave_the_same_audit_trail(client):
    admin = EgaAdminFactory(is_superuser=True)
    other_agency = DepartmentFactory()
    by_service, by_admin = UserFactory(), UserFactory()
    user_update(
        user=by_service,
        by=admin,
        changes={"role": User.Role.AGENCY_ADMIN, "agency": other_agency, "last_name": "ใหม่"},
    )
    client.force_login(admin)
    response = client.post(
        reverse("admin:accounts_user_change", args=[by_admin.pk]),
        _form(by_admin, role=User.Role.AGENCY_ADMIN, agency=other_agency.pk, last_name="ใหม่"),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    by_admin.refresh_from_db()
    assert (by_admin.role, by_admin.agency, by_admin.last_name) == (
        User.Role.AGENCY_ADMIN,
        other_agency,
        "ใหม่",
    )
    assert len(_trail(by_admin)) == 1
    action, data = _trail(by_admin)[0]
    assert action == "accounts.user.updated"
    assert sorted(data["changed"]) == ["agency", "last_name", "role"]
    assert data["role"] == [User.Role.AGENCY_OFFICER, User.Role.AGENCY_ADMIN]
    assert data["agency"][1] == other_agency.code
    assert "ใหม่" not in str(data)  # personal data: only the fact that it changed
    assert _trail(by_service)[0][0] == action
    assert sorted(_trail(by_service)[0][1]["changed"]) == sorted(data["changed"])
    # Saved unchanged: no trace.
    client.post(reverse("admin:accounts_user_change", args=[by_admin.pk]), _form(by_admin))
    assert len(_trail(by_admin)) == 1


def test_deactivating_in_the_admin_is_audited_and_adding_is_not_offered(client):
    admin = EgaAdminFactory(is_superuser=True)
    user = UserFactory()
    client.force_login(admin)
    response = client.post(
        reverse("admin:accounts_user_change", args=[user.pk]), _form(user, is_active="")
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.is_active
    assert _trail(user)[0][1]["is_active"] == [True, False]
    assert client.get(reverse("admin:accounts_user_add")).status_code == 403


def test_only_a_superuser_changes_an_account():
    user = UserFactory()
    with pytest.raises(PermissionDenied):
        user_update(user=user, by=EgaAdminFactory(), changes={"is_superuser": True})
    user.refresh_from_db()
    assert not user.is_superuser and not _trail(user)


def test_an_agency_request_is_read_only_in_the_admin(client):
    from agencies.models import AgencyRequest

    client.force_login(EgaAdminFactory(is_superuser=True))
    assert client.get(reverse("admin:agencies_agencyrequest_add")).status_code == 403
    assert not AgencyRequest.objects.exists()
