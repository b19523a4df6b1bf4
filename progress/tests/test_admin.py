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
