import pytest

from service_points import services
from service_points.models import ServicePoint
from service_points.tests.factories import ServicePointFactory, image_upload, point_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def key_a(admin_a, agency_a):
    return services.api_key_create(agency=agency_a, by=admin_a, name="ERP")[1]


def _payload(**overrides):
    fields = point_fields(**overrides)
    fields.pop("province_code")
    fields.pop("district_code")
    return fields


def test_no_or_bad_key_is_refused(client):
    assert client.get("/api/service-points/mine").status_code == 401
    assert (
        client.get("/api/service-points/mine", headers={"X-API-Key": "sp_nope_nope"}).status_code
        == 401
    )


def test_create_list_update_publish(client, key_a, agency_a):
    headers = {"X-API-Key": key_a}
    response = client.post(
        "/api/service-points/mine", _payload(), content_type="application/json", headers=headers
    )
    assert response.status_code == 201, response.content
    point_id = response.json()["id"]
    assert response.json()["district_code"] == "1001"
    listed = client.get("/api/service-points/mine", headers=headers).json()
    assert [p["id"] for p in listed] == [point_id]
    refused = client.patch(
        f"/api/service-points/mine/{point_id}",
        {"status": "published"},
        content_type="application/json",
        headers=headers,
    )
    assert refused.status_code == 422  # the seed: no photo, no publishing
    photo = client.post(
        f"/api/service-points/mine/{point_id}/photos",
        {"photo": image_upload(), "kind": "entrance"},
        headers=headers,
    )
    assert photo.status_code == 201, photo.content
    response = client.patch(
        f"/api/service-points/mine/{point_id}",
        {"latitude": 13.7505, "status": "published"},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 200 and response.json()["status"] == "published"
    point = ServicePoint.objects.get(pk=point_id)
    assert set(point.changes.values_list("source", flat=True)) == {"api"}
    assert point.changes.filter(kind="moved").exists()


def test_bad_input_is_422_and_nothing_stored(client, key_a):
    response = client.post(
        "/api/service-points/mine",
        _payload(latitude=21.03, longitude=105.85),
        content_type="application/json",
        headers={"X-API-Key": key_a},
    )
    assert response.status_code == 422
    assert not ServicePoint.objects.exists()


def test_key_of_a_cannot_see_or_change_points_of_b(client, key_a, agency_b):
    other = ServicePointFactory(agency=agency_b, name_en="B's draft")
    headers = {"X-API-Key": key_a}
    assert client.get(f"/api/service-points/mine/{other.pk}", headers=headers).status_code == 404
    assert (
        "B's draft" not in client.get("/api/service-points/mine", headers=headers).content.decode()
    )
    response = client.patch(
        f"/api/service-points/mine/{other.pk}",
        {"name_en": "hacked"},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.name_en == "B's draft"


def test_a_huge_offset_lists_nothing_instead_of_failing(client, key_a):
    response = client.get(
        "/api/service-points/mine",
        {"offset": 229665977732226684489935725002752, "limit": 2000},
        headers={"X-API-Key": key_a},
    )
    assert response.status_code == 200 and response.json() == []
