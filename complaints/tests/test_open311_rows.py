"""Open311 rows since ADR 0103: the status note and the photo come from subqueries in the one
query (no IN list of 1,000 ids); what they say is unchanged."""

import pytest

from complaints import open311, services
from complaints.models import ComplaintPhoto, Route
from complaints.tests.factories import category, submit
from complaints.tests.test_services import jpeg

pytestmark = pytest.mark.django_db


@pytest.fixture
def routed(agency_a):
    Route.objects.create(category=category("road"), province_code="10", agency=agency_a)


def test_the_newest_public_note_and_the_first_visible_photo(client, routed, officer_a):
    plain = submit()
    worked = submit(photos=[jpeg(), jpeg()])
    services.complaint_transition(
        complaint=worked, state="in_progress", by=officer_a, note="กำลังซ่อม"
    )
    services.complaint_transition(complaint=worked, state="fixed", by=officer_a, note="เสร็จ")
    services.complaint_note_add(complaint=worked, by=officer_a, note="บันทึกภายใน")
    first, second = ComplaintPhoto.objects.filter(complaint=worked).order_by("pk")
    ComplaintPhoto.objects.filter(pk=first.pk).update(hidden=True)

    rows = {r["service_request_id"]: r for r in client.get("/open311/v2/requests.json").json()}
    assert rows[worked.reference]["status_notes"] == "เสร็จ"
    assert rows[worked.reference]["media_url"].endswith(second.image.name)
    assert rows[plain.reference]["status_notes"] == "" and rows[plain.reference]["media_url"] == ""
    detail = client.get(f"/open311/v2/requests/{worked.reference}.json").json()
    assert detail == [rows[worked.reference]]


def test_the_default_query_stops_at_the_row_limit_newest_first(client, monkeypatch):
    filed = [submit() for _ in range(3)]
    monkeypatch.setattr(open311, "MAX_ROWS", 2)
    rows = client.get("/open311/v2/requests.json").json()
    assert [r["service_request_id"] for r in rows] == [c.reference for c in filed[:0:-1]]
    xml = client.get("/open311/v2/requests.xml").content.decode()
    assert xml.count("<request>") == 2
