"""One write path: the pin page, the API, the importer and the admin change a point alike."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import EgaAdminFactory
from audit.models import AuditEvent
from service_points import services
from service_points.importer import service_point_import
from service_points.models import ServicePoint
from service_points.tests.factories import BANGKOK, PublishedPointFactory, point_fields

pytestmark = pytest.mark.django_db

NEW_NAME = "ศูนย์บริการแห่งใหม่"
NEW_LATITUDE = 13.7512


def _form(client, point, officer_a):
    client.force_login(officer_a)
    data = point_fields(name_th=NEW_NAME, latitude=NEW_LATITUDE)
    response = client.post(reverse("service_points:edit", args=[point.pk]), data)
    assert response.status_code == 302


def _api(client, point, admin_a):
    _key, secret = services.api_key_create(agency=point.agency, by=admin_a, name="ERP")
    response = client.patch(
        f"/api/service-points/mine/{point.pk}",
        {"name_th": NEW_NAME, "latitude": NEW_LATITUDE},
        content_type="application/json",
        headers={"X-API-Key": secret},
    )
    assert response.status_code == 200


def _import(client, point, officer_a):
    fields = point_fields(name_th=NEW_NAME, latitude=NEW_LATITUDE)
    columns = ["id", *(name for name in services.EDITABLE_FIELDS if name in fields)]
    row = {"id": point.pk, **fields}
    csv = ",".join(columns) + "\n" + ",".join(str(row[c]) for c in columns) + "\n"
    result = service_point_import(
        agency=point.agency, by=officer_a, data=csv.encode(), filename="p.csv"
    )
    assert result.ok and result.updated == 1, result.errors


def _admin(client, point, officer_a):
    client.force_login(EgaAdminFactory(is_superuser=True))
    data = {
        **point_fields(name_th=NEW_NAME, latitude=NEW_LATITUDE),
        "photos-TOTAL_FORMS": "0",
        "photos-INITIAL_FORMS": "0",
    }
    response = client.post(
        reverse("admin:service_points_servicepoint_change", args=[point.pk]), data
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def _trail(point):
    history = sorted(
        (change.kind, {k: [str(v) for v in pair] for k, pair in change.changes.items()})
        for change in point.changes.all()
    )
    audit = sorted(
        (event.action, {k: [str(v) for v in pair] for k, pair in event.data.items()})
        for event in AuditEvent.objects.filter(
            target_type="service_points.servicepoint", target_id=str(point.pk)
        )
    )
    return history, audit


@pytest.mark.parametrize("path", [_form, _api, _import, _admin])
def test_every_door_leaves_the_same_history_audit_and_timestamps(
    client, agency_a, officer_a, admin_a, path
):
    long_ago = timezone.now() - datetime.timedelta(days=30)
    point = PublishedPointFactory(
        agency=agency_a, **point_fields(), updated_at=long_ago, pinned_at=long_ago
    )
    path(client, point, officer_a if path is not _api else admin_a)
    point.refresh_from_db()
    assert point.name_th == NEW_NAME and point.latitude == NEW_LATITUDE
    assert point.updated_at > long_ago and point.pinned_at == point.updated_at
    history, audit = _trail(point)
    expected = [
        ("edited", {"name_th": [point_fields()["name_th"], NEW_NAME]}),
        ("moved", {"latitude": [str(BANGKOK["latitude"]), str(NEW_LATITUDE)]}),
    ]
    assert history == expected
    assert audit == [(f"service_point.{kind}", changes) for kind, changes in expected]


def test_the_admin_moves_a_point_through_the_transitions(client, agency_a):
    point = PublishedPointFactory(agency=agency_a)
    client.force_login(EgaAdminFactory(is_superuser=True))
    url = reverse("admin:service_points_servicepoint_changelist")
    client.post(url, {"action": "service_point_archive", "_selected_action": [point.pk]})
    point.refresh_from_db()
    assert point.status == ServicePoint.Status.ARCHIVED
    assert point.changes.get().kind == "archived"
    assert AuditEvent.objects.filter(action="service_point.archived").count() == 1
    # A refused move changes nothing and says why.
    response = client.post(
        url, {"action": "service_point_publish", "_selected_action": [point.pk]}, follow=True
    )
    point.refresh_from_db()
    assert point.status == ServicePoint.Status.ARCHIVED and point.changes.count() == 1
    assert response.status_code == 200


def test_the_admin_cannot_add_or_set_the_status_directly(client, agency_a):
    point = PublishedPointFactory(agency=agency_a)
    client.force_login(EgaAdminFactory(is_superuser=True))
    assert client.get(reverse("admin:service_points_servicepoint_add")).status_code == 403
    client.post(
        reverse("admin:service_points_servicepoint_change", args=[point.pk]),
        {
            **point_fields(),
            "status": "draft",
            "photos-TOTAL_FORMS": "0",
            "photos-INITIAL_FORMS": "0",
        },
    )
    point.refresh_from_db()
    assert point.status == ServicePoint.Status.PUBLISHED


def test_an_import_without_the_government_column_keeps_the_points_own(agency_a, officer_a):
    point = PublishedPointFactory(agency=agency_a, **point_fields(government="tax"))
    fields = point_fields(name_th=NEW_NAME)
    columns = ["id", "name_th", "name_en", "subdistrict_code", "postcode", "latitude"]
    columns += ["longitude", "phone"]
    row = {"id": point.pk, **fields}
    csv = ",".join(columns) + "\n" + ",".join(str(row[c]) for c in columns) + "\n"
    result = service_point_import(
        agency=agency_a, by=officer_a, data=csv.encode(), filename="p.csv"
    )
    assert result.ok and result.updated == 1
    point.refresh_from_db()
    assert point.government == "tax" and point.name_th == NEW_NAME
