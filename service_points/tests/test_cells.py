"""The map's cell table (cells.py, ADR 0014): equal to a recount after every kind of write,
and the clusters it gives equal to the clusters grouped from the points."""

import random

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from service_points import cells, selectors, services
from service_points.importer import service_point_import
from service_points.models import ServicePoint, ServicePointCell
from service_points.tests.factories import (
    PublishedPointFactory,
    ServicePointFactory,
    point_fields,
    with_photo,
)

pytestmark = pytest.mark.django_db


def recounted() -> dict:
    return cells.recount(
        ServicePoint.objects.filter(status="published").values_list("pk", "latitude", "longitude")
    )


def assert_cells_right() -> None:
    assert cells.stored(ServicePointCell.objects.all()) == recounted()


def test_create_publish_move_archive_restore_through_services(agency_a, officer_a):
    point = services.service_point_create(agency=agency_a, by=officer_a, fields=point_fields())
    assert not ServicePointCell.objects.exists()  # a draft is not on the map
    with_photo(point)
    point = services.service_point_publish(point=point, by=officer_a)
    assert_cells_right()
    assert ServicePointCell.objects.get().n == 1
    services.service_point_update(
        point=point, by=officer_a, fields={"latitude": 13.9, "longitude": 100.6}
    )
    assert_cells_right()
    cell = ServicePointCell.objects.get()
    assert (cell.y, cell.x) == cells.key(13.9, 100.6)
    assert cell.id_sum == point.pk and cell.lat_sum == 139_000_000
    services.service_point_update(point=point, by=officer_a, fields={"name_en": "Renamed"})
    assert_cells_right()
    point = services.service_point_archive(point=point, by=officer_a)
    assert not ServicePointCell.objects.exists()  # the emptied cell is removed
    point = services.service_point_restore(point=point, by=officer_a)
    assert not ServicePointCell.objects.exists()  # restored as a draft
    services.service_point_publish(point=point, by=officer_a)
    assert_cells_right()


def test_a_refused_write_changes_no_cell(agency_a, officer_a):
    point = PublishedPointFactory(agency=agency_a)
    before = cells.stored(ServicePointCell.objects.all())
    with pytest.raises(Exception):  # noqa: B017, PT011 - any refusal
        services.service_point_update(
            point=point, by=officer_a, fields={"latitude": 21.03, "longitude": 105.85}
        )
    with pytest.raises(Exception):  # noqa: B017, PT011
        with transaction.atomic():
            point.latitude = 14.0
            point.save()
            raise RuntimeError("rolled back")
    assert cells.stored(ServicePointCell.objects.all()) == before
    assert_cells_right()


def test_many_points_sharing_and_leaving_cells(agency_a, officer_a):
    points = [PublishedPointFactory(agency=agency_a) for _ in range(12)]
    ServicePointFactory(agency=agency_a)
    assert_cells_right()
    assert sum(c.n for c in ServicePointCell.objects.all()) == 12
    for point in points[:5]:
        services.service_point_update(
            point=point, by=officer_a, fields={"latitude": 18.79, "longitude": 98.98}
        )
    services.service_point_archive(point=points[6], by=officer_a)
    assert_cells_right()


def test_a_stale_instance_saved_puts_no_wrong_difference(agency_a):
    point = PublishedPointFactory(agency=agency_a, latitude=13.75, longitude=100.49)
    stale = ServicePoint.objects.get(pk=point.pk)
    ServicePoint.objects.filter(pk=point.pk).update(latitude=18.79, longitude=98.98)
    stale.name_en = "Stale"
    stale.save()  # writes its old position back: the cells follow what is stored
    assert_cells_right()


def test_queryset_update_bulk_create_bulk_update_and_delete(agency_a):
    points = [PublishedPointFactory(agency=agency_a) for _ in range(4)]
    ServicePoint.objects.filter(pk__in=[p.pk for p in points[:2]]).update(status="archived")
    assert_cells_right()
    ServicePoint.objects.filter(pk=points[2].pk).update(latitude=16.0, longitude=102.0)
    assert_cells_right()
    ServicePoint.objects.filter(pk=points[3].pk).update(name_en="not a position")
    assert_cells_right()
    made = ServicePoint.objects.bulk_create(
        [
            ServicePointFactory.build(agency=agency_a, status="published", latitude=15 + i / 10)
            for i in range(5)
        ]
        + [ServicePointFactory.build(agency=agency_a)]
    )
    assert_cells_right()
    for point in made:
        point.longitude = 101.5
        point.status = "published"
    ServicePoint.objects.bulk_update(made, ["longitude", "status"])
    assert_cells_right()
    ServicePoint.objects.filter(pk=made[0].pk).delete()
    made[1].delete()
    assert_cells_right()


def test_bulk_import_creates_drafts_and_moves_published_points(agency_a, officer_a):
    published = PublishedPointFactory(agency=agency_a, latitude=13.75, longitude=100.4913)
    header = "id,name_th,name_en,subdistrict_code,postcode,latitude,longitude,phone\n"
    rows = (
        f"{published.pk},ย้าย,Moved,100101,10200,13.80,100.55,021234567\n"
        ",ใหม่,New,100101,10200,13.76,100.50,021234567\n"
    )
    result = service_point_import(
        agency=agency_a, by=officer_a, data=(header + rows).encode(), filename="p.csv"
    )
    assert result.ok, result.errors
    assert result.updated == 1 and result.created == 1
    assert_cells_right()
    assert ServicePointCell.objects.get().id_sum == published.pk


def test_api_update_publish_and_archive(client, admin_a, agency_a):
    secret = services.api_key_create(agency=agency_a, by=admin_a, name="ERP")[1]
    headers = {"X-API-Key": secret}
    fields = point_fields()
    fields.pop("province_code")
    fields.pop("district_code")
    created = client.post(
        "/api/service-points/mine", fields, content_type="application/json", headers=headers
    )
    point_id = created.json()["id"]
    with_photo(ServicePoint.objects.get(pk=point_id))
    for change in ({"status": "published"}, {"latitude": 13.8}, {"status": "archived"}):
        response = client.patch(
            f"/api/service-points/mine/{point_id}",
            change,
            content_type="application/json",
            headers=headers,
        )
        assert response.status_code == 200, response.content
        assert_cells_right()
        assert ServicePointCell.objects.exists() == (change != {"status": "archived"})


def test_rebuild_command_and_check(agency_a):
    for _ in range(3):
        PublishedPointFactory(agency=agency_a)
    ServicePointCell.objects.update(n=99)  # as raw SQL could leave it
    with pytest.raises(CommandError):
        call_command("service_points_rebuild_cells", "--check")
    call_command("service_points_rebuild_cells")
    assert_cells_right()
    call_command("service_points_rebuild_cells", "--check")


def _normalised(groups):
    return sorted((key, n, round(lat, 6), round(lon, 6), pk) for key, n, lat, lon, pk in groups)


def _assert_same_groups(box, zoom):
    ours = _normalised(selectors._cluster_groups_from_cells(*box, zoom))
    reference = _normalised(selectors._cluster_groups_from_points(*box, zoom))
    assert [g[:2] + g[4:] for g in ours] == [g[:2] + g[4:] for g in reference]
    for a, b in zip(ours, reference, strict=True):
        assert a[2] == pytest.approx(b[2], abs=2e-6) and a[3] == pytest.approx(b[3], abs=2e-6)


def test_low_zoom_clusters_equal_the_point_based_clusters(agency_a):
    rng = random.Random(3)
    towns = [(13.75, 100.5), (18.79, 98.98), (7.88, 98.39), (14.97, 102.1), (16.43, 102.83)]
    for i in range(400):
        lat, lon = towns[i % len(towns)]
        PublishedPointFactory(
            agency=agency_a,
            latitude=round(lat + rng.gauss(0, 0.4), 7),
            longitude=round(lon + rng.gauss(0, 0.4), 7),
        )
    # Points exactly on fine-cell and box edges.
    edge = cells.FINE_SIZE * cells.key(13.75, 100.5)[0] - 90.0
    PublishedPointFactory(agency=agency_a, latitude=edge, longitude=100.5)
    PublishedPointFactory(agency=agency_a, latitude=12.0, longitude=99.0)
    ServicePointFactory(agency=agency_a, latitude=15.0, longitude=101.0)  # a draft
    boxes = [
        (5.5, 97.3, 20.5, 105.7),  # the country view of the benchmark
        (-90.0, -180.0, 90.0, 180.0),
        (12.0, 99.0, 15.3, 101.7),  # edges through clusters, a point on the corner
        (13.7, 100.45, 13.8, 100.55),  # smaller than two fine cells: all from points
        (edge, 100.0, 19.0, 103.0),
        (20.0, 97.0, 10.0, 106.0),  # south and north swapped
    ]
    for box in boxes:
        for zoom in range(0, cells.ROLLUP_MAX_ZOOM + 1):
            _assert_same_groups(box, zoom)
    data = selectors.service_point_clusters(south=5.5, west=97.3, north=20.5, east=105.7, zoom=6)
    assert data["total"] == 402


def test_public_clusters_switch_to_points_above_the_rollup_zoom(agency_a):
    PublishedPointFactory(agency=agency_a, latitude=13.75, longitude=100.49)
    lone = PublishedPointFactory(agency=agency_a, latitude=18.79, longitude=98.98)
    for zoom in (cells.ROLLUP_MAX_ZOOM, cells.ROLLUP_MAX_ZOOM + 1):
        data = selectors.service_point_clusters(south=5, west=97, north=21, east=106, zoom=zoom)
        assert data["total"] == 2 and lone.pk in [p["id"] for p in data["points"]]
