import pytest

from complaints.models import Route
from complaints.tests.factories import category, submit
from service_points.services import api_key_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def key(agency_a, admin_a):
    return api_key_create(agency=agency_a, by=admin_a, name="ระบบ")[1]


def test_file_with_a_key_and_read_back_without_personal_data(client, key, agency_a):
    Route.objects.create(category=category("road"), province_code="10", agency=agency_a)
    payload = {
        "category": "road",
        "description": "ถนนพัง โทร 0812345678",
        "latitude": 13.7563,
        "longitude": 100.5018,
        "reporter_email": "citizen@example.com",
    }
    assert (
        client.post("/api/complaints/", payload, content_type="application/json").status_code == 401
    )
    filed = client.post(
        "/api/complaints/", payload, content_type="application/json", HTTP_X_API_KEY=key
    )
    assert filed.status_code == 201, filed.content
    reference = filed.json()["reference"]
    assert filed.json()["agency"] == "agency-a"
    one = client.get(f"/api/complaints/{reference}")
    assert one.status_code == 200
    assert "0812345678" not in one.json()["description"]
    assert "citizen@example.com" not in one.content.decode()
    assert [c["reference"] for c in client.get("/api/complaints/?province=10").json()] == [
        reference
    ]
    assert client.get("/api/complaints/?province=50").json() == []
    assert client.get("/api/complaints/agencies/agency-a/figures").json()["received"] == 1
    abroad = client.post(
        "/api/complaints/",
        {**payload, "latitude": 1.0, "longitude": 1.0},
        content_type="application/json",
        HTTP_X_API_KEY=key,
    )
    assert abroad.status_code == 400


def test_categories_and_held_complaints_stay_private(client):
    assert "road" in [c["code"] for c in client.get("/api/complaints/categories").json()]
    held = submit()
    held.held = True
    held.save()
    assert client.get(f"/api/complaints/{held.reference}").status_code == 404
    assert client.get("/api/complaints/").json() == []


def test_control_characters_in_the_filters_match_nothing(client):
    submit(category=category("road"))
    assert len(client.get("/api/complaints/?category=road").json()) == 1
    for name in ("category", "agency", "province", "state"):
        response = client.get(f"/api/complaints/?{name}=road%00x")  # PostgreSQL refuses a NUL
        assert response.status_code == 200, name
        assert response.json() == [], name
