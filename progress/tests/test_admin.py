"""The schedule's one write path: the admin moves an activity through `activity_reschedule`."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.tests.factories import EgaAdminFactory, UserFactory
from audit.models import AuditEvent
from progress.models import Activity, Phase
from progress.services import activity_reschedule

pytestmark = pytest.mark.django_db


def _trail(activity):
    return [
        (e.action, e.data)
        for e in AuditEvent.objects.filter(
            target_type="progress.activity", target_id=str(activity.pk)
        )
    ]


def _admin_post(client, phase, activity, starts_on, ends_on):
    activities = list(phase.activities.all())
    data = {
        "number": phase.number,
        "name_th": phase.name_th,
        "name_en": phase.name_en,
        "status": phase.status,
        "activities-TOTAL_FORMS": str(len(activities)),
        "activities-INITIAL_FORMS": str(len(activities)),
    }
    for i, a in enumerate(activities):
        moved = a.pk == activity.pk
        data[f"activities-{i}-id"] = a.pk
        data[f"activities-{i}-phase"] = phase.pk
        data[f"activities-{i}-starts_on"] = (starts_on if moved else a.starts_on).isoformat()
        data[f"activities-{i}-ends_on"] = (ends_on if moved else a.ends_on).isoformat()
    return client.post(reverse("admin:progress_phase_change", args=[phase.pk]), data)


def test_the_admin_and_the_service_leave_the_same_audit_trail(client):
    phase = Phase.objects.get(number=1)
    first, second = list(phase.activities.all())[:2]
    admin = EgaAdminFactory(is_superuser=True)
    starts, ends = datetime.date(2027, 1, 1), datetime.date(2027, 3, 31)
    activity_reschedule(activity=first, by=admin, starts_on=starts, ends_on=ends)
    client.force_login(admin)
    response = _admin_post(client, phase, second, starts, ends)
    assert response.status_code == 302, response.content.decode()[:3000]
    second.refresh_from_db()
    assert (second.starts_on, second.ends_on) == (starts, ends)
    assert len(_trail(second)) == 1
    assert _trail(second)[0][0] == _trail(first)[0][0] == "progress.activity.rescheduled"
    assert _trail(second)[0][1]["after"] == _trail(first)[0][1]["after"]
    # The activities left alone leave no trace.
    others = Activity.objects.exclude(pk__in=[first.pk, second.pk])
    assert not AuditEvent.objects.filter(target_id__in=[str(a.pk) for a in others]).exists()


def test_a_refused_reschedule_changes_nothing(client):
    phase = Phase.objects.get(number=1)
    activity = phase.activities.first()
    before = (activity.starts_on, activity.ends_on)
    client.force_login(EgaAdminFactory(is_superuser=True))
    response = _admin_post(
        client, phase, activity, datetime.date(2027, 3, 1), datetime.date(2027, 1, 1)
    )
    assert response.status_code == 200  # the form again, with the error
    activity.refresh_from_db()
    assert (activity.starts_on, activity.ends_on) == before
    assert not AuditEvent.objects.filter(action="progress.activity.rescheduled").exists()
    with pytest.raises(PermissionDenied):
        activity_reschedule(
            activity=activity, by=UserFactory(), starts_on=before[0], ends_on=before[1]
        )


def _phase_trail(phase):
    return [
        (e.action, e.data)
        for e in AuditEvent.objects.filter(
            target_type="progress.phase", target_id=str(phase.pk)
        ).order_by("pk")
    ]


def _phase_form(phase_number, name_th, name_en="", **extra):
    return {
        "number": phase_number,
        "name_th": name_th,
        "name_en": name_en,
        "activities-TOTAL_FORMS": "0",
        "activities-INITIAL_FORMS": "0",
        **extra,
    }


def test_a_phase_added_renamed_and_archived_in_the_admin_leaves_the_services_trail(client):
    from progress.services import phase_archive, phase_create, phase_rename

    admin = EgaAdminFactory(is_superuser=True)
    by_service = phase_create(by=admin, number=8, name_th="ระยะที่ 8")
    phase_rename(phase=by_service, by=admin, name_th="ระยะที่แปด", name_en="Phase 8")
    phase_archive(phase=by_service, by=admin)

    client.force_login(admin)
    response = client.post(reverse("admin:progress_phase_add"), _phase_form(9, "ระยะที่ 8"))
    assert response.status_code == 302, response.content.decode()[:3000]
    by_admin = Phase.objects.get(number=9)
    response = client.post(
        reverse("admin:progress_phase_change", args=[by_admin.pk]),
        # The number is fixed once given and the status moves only by the action: ignored.
        _phase_form(99, "ระยะที่แปด", "Phase 8", status=Phase.Status.ARCHIVED),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    by_admin.refresh_from_db()
    assert (by_admin.number, by_admin.status) == (9, Phase.Status.ACTIVE)
    client.post(
        reverse("admin:progress_phase_changelist"),
        {"action": "archive_phases", "_selected_action": [by_admin.pk]},
    )
    by_admin.refresh_from_db()
    assert by_admin.status == Phase.Status.ARCHIVED
    expected = ["progress.phase.created", "progress.phase.renamed", "progress.phase.archived"]
    assert [action for action, _data in _phase_trail(by_admin)] == expected
    assert _phase_trail(by_admin)[1:] == _phase_trail(by_service)[1:]
    # Archived stays archived; an unchanged save leaves no trace.
    client.post(
        reverse("admin:progress_phase_changelist"),
        {"action": "archive_phases", "_selected_action": [by_admin.pk]},
    )
    client.post(
        reverse("admin:progress_phase_change", args=[by_admin.pk]),
        _phase_form(9, "ระยะที่แปด", "Phase 8"),
    )
    assert len(_phase_trail(by_admin)) == 3


def test_only_an_ega_admin_changes_a_phase():
    from progress.services import phase_archive, phase_create, phase_rename

    phase = Phase.objects.get(number=1)
    officer = UserFactory()
    with pytest.raises(PermissionDenied):
        phase_create(by=officer, number=7, name_th="ระยะ")
    with pytest.raises(PermissionDenied):
        phase_rename(phase=phase, by=officer, name_th="อื่น")
    with pytest.raises(PermissionDenied):
        phase_archive(phase=phase, by=officer)
    phase.refresh_from_db()
    assert phase.status == Phase.Status.ACTIVE and phase.name_th != "อื่น"
    assert not AuditEvent.objects.filter(target_type="progress.phase").exists()
