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


def test_a_password_set_in_the_admin_is_audited_without_the_password(client):
    admin = EgaAdminFactory(is_superuser=True)
    user = UserFactory()
    client.force_login(admin)
    url = reverse("admin:auth_user_password_change", args=[user.pk])
    new = "ม้าลาย-Zebra-2569-ยาว"
    response = client.post(url, {"usable_password": "true", "password1": new, "password2": new})
    assert response.status_code == 302, response.content.decode()[:3000]
    user.refresh_from_db()
    assert user.check_password(new)
    ((action, data),) = _trail(user)
    assert action == "accounts.user.password_set"
    event = AuditEvent.objects.get(action=action)
    assert event.actor_id == admin.pk
    assert new not in str(data) and user.password not in str(data)
    # Turning password sign-in off is audited as such.
    response = client.post(url, {"usable_password": "false", "unset-password": "1"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.has_usable_password()
    assert _trail(user)[-1][0] == "accounts.user.password_disabled"


def test_a_weak_password_in_the_admin_changes_nothing(client):
    admin = EgaAdminFactory(is_superuser=True)
    user = UserFactory()
    before = user.password
    client.force_login(admin)
    url = reverse("admin:auth_user_password_change", args=[user.pk])
    response = client.post(url, {"usable_password": "true", "password1": "123", "password2": "123"})
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.password == before and not _trail(user)


def test_only_a_superuser_sets_a_password():
    from accounts.services import user_password_set

    user = UserFactory()
    with pytest.raises(PermissionDenied):
        user_password_set(user=user, password="x" * 20, by=EgaAdminFactory())
    user.refresh_from_db()
    assert not _trail(user)


def test_a_superuser_who_sets_their_own_password_stays_signed_in(client):
    admin = EgaAdminFactory(is_superuser=True)
    client.force_login(admin)
    new = "ม้าลาย-Zebra-2569-ยาว"
    response = client.post(
        reverse("admin:auth_user_password_change", args=[admin.pk]),
        {"usable_password": "true", "password1": new, "password2": new},
    )
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200  # not sent to sign in
