# mypy: ignore-errors
"""The programme's phases and schedules in the console, out of Django's admin."""

import datetime

import pytest

from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _activity():
    from progress.models import Activity

    return Activity.objects.get(phase__number=1, position=4)


def test_everyone_who_runs_or_oversees_reads_the_schedule_in_buddhist_era(client, overseer):
    client.force_login(overseer)
    page = client.get("/console/phases/").content.decode()
    assert _activity().name_th in page and "ระยะดำเนินงานและกำหนดการ" in page
    assert "30 กันยายน 2561" in page  # 2018-09-30
    assert f'name="a{_activity().pk}-starts_on"' not in page  # nothing to change
    assert client.post(f"/console/phases/activities/{_activity().pk}/", {}).status_code == 403


def test_ega_moves_an_activity_typing_buddhist_era_dates(client, ega_admin):
    activity = _activity()
    client.force_login(ega_admin)
    prefix = f"a{activity.pk}"
    page = client.get("/console/phases/").content.decode()
    assert f'name="{prefix}-starts_on"' in page and 'value="30/09/2561"' in page
    assert "เลื่อนกำหนดการ “" in page and "บันทึกวันที่" in page
    url = f"/console/phases/activities/{activity.pk}/"
    response = client.post(
        url, {f"{prefix}-starts_on": "1/12/2569", f"{prefix}-ends_on": "31/3/2570"}
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert (activity.starts_on, activity.ends_on) == (
        datetime.date(2026, 12, 1),
        datetime.date(2027, 3, 31),
    )
    event = AuditEvent.objects.get(action="progress.activity.rescheduled")
    assert event.actor == ega_admin
    assert event.data["after"] == ["2026-12-01", "2027-03-31"]
    # ending before starting is refused on the form, in Thai, and nothing changes
    response = client.post(
        url, {f"{prefix}-starts_on": "1/12/2569", f"{prefix}-ends_on": "1/11/2569"}
    )
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    activity.refresh_from_db()
    assert activity.ends_on == datetime.date(2027, 3, 31)
    # an ambiguous year is refused too
    response = client.post(url, {f"{prefix}-starts_on": "1/12/69", f"{prefix}-ends_on": ""})
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="progress.activity.rescheduled").count() == 1
    assert client.post("/console/phases/activities/999999/", {}).status_code == 404
