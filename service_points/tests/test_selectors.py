import random

import pytest

from service_points import geo, selectors
from service_points.models import ServicePoint
from service_points.tests.factories import PublishedPointFactory, ServicePointFactory

pytestmark = pytest.mark.django_db


def test_nearest_is_exact_and_ordered():
    rng = random.Random(4)
    points = [
        PublishedPointFactory(latitude=13.5 + rng.random(), longitude=100 + rng.random())
        for _ in range(60)
    ]
    ServicePointFactory(latitude=13.9, longitude=100.5)  # a draft is never listed
    here = (13.9, 100.5)
    result = selectors.service_point_nearest(lat=here[0], lon=here[1], limit=20)
    expected = sorted(points, key=lambda p: geo.haversine_m(*here, p.latitude, p.longitude))[:20]
    assert [r.point.pk for r in result] == [p.pk for p in expected]
    assert result[0].distance_m <= result[-1].distance_m


def test_nearest_finds_far_points_too():
    far = PublishedPointFactory(latitude=18.79, longitude=98.98)
    result = selectors.service_point_nearest(lat=7.9, lon=98.4, limit=5)
    assert result[0].point == far and 1_000_000 < result[0].distance_m < 1_300_000


def test_clusters_group_points_and_return_single_points():
    for i in range(30):
        PublishedPointFactory(latitude=13.75 + i * 0.0001, longitude=100.49)
    lone = PublishedPointFactory(latitude=18.79, longitude=98.98, name_th="เชียงใหม่")
    ServicePointFactory(latitude=16.0, longitude=102.0)  # draft: not on the map
    data = selectors.service_point_clusters(south=5, west=97, north=21, east=106, zoom=6)
    assert data["total"] == 31
    assert data["clusters"] == [
        {"lat": pytest.approx(13.75145, abs=1e-4), "lon": pytest.approx(100.49), "count": 30}
    ]
    assert [p["id"] for p in data["points"]] == [lone.pk]
    close = selectors.service_point_clusters(
        south=13.7, west=100.4, north=13.8, east=100.6, zoom=19
    )
    assert close["total"] == 30 and len(close["points"]) > 1


def test_search_by_name_agency_and_province(agency_a):
    point = PublishedPointFactory(agency=agency_a, name_th="สำนักงานที่ดินกรุงเทพ")
    ServicePointFactory(agency=agency_a, name_th="สำนักงานที่ดินร่าง")
    assert selectors.service_point_search(query="ที่ดิน") == [point]
    assert selectors.service_point_search(query="กรมเอ") == [point]
    assert selectors.service_point_search(query="Bangkok") == [point]
    assert selectors.service_point_search(province_code="10") == [point]
    assert selectors.service_point_search(province_code="50") == []


def _brute_force(points, lat, lon, limit):
    return sorted((geo.haversine_m(lat, lon, p.latitude, p.longitude), p.pk) for p in points)[
        :limit
    ]


def test_nearest_matches_brute_force_from_anywhere_even_with_stale_data():
    """Towns, empty sea, the far north: the answer is exact, and stays so as points move."""
    rng = random.Random(11)
    points = [
        PublishedPointFactory(
            latitude=town[0] + rng.gauss(0, 0.2), longitude=town[1] + rng.gauss(0, 0.2)
        )
        for town in [(13.75, 100.5), (18.79, 98.98), (7.0, 100.47)]
        for _ in range(40)
    ]
    queries = [(rng.uniform(5.5, 20.5), rng.uniform(97.3, 105.7)) for _ in range(25)]
    for lat, lon in queries:
        for limit in (1, 20, 200):
            result = selectors.service_point_nearest(lat=lat, lon=lon, limit=limit)
            expected = _brute_force(points, lat, lon, limit)
            assert [r.point.pk for r in result] == [pk for _d, pk in expected]
    # Points moved or archived since the first queries: the index follows in the same write.
    moved = points[:30]
    for p in moved:
        p.latitude, p.longitude = p.latitude + 3, p.longitude - 1.5
        p.save()
    points[30].status = "archived"
    points[30].save()
    live = [p for p in points if p.status == "published"]
    for lat, lon in queries:
        result = selectors.service_point_nearest(lat=lat, lon=lon, limit=20)
        assert [r.point.pk for r in result] == [pk for _d, pk in _brute_force(live, lat, lon, 20)]


def test_nearest_with_fewer_points_than_asked_returns_them_all():
    a = PublishedPointFactory(latitude=13.75, longitude=100.5)
    b = PublishedPointFactory(latitude=14.0, longitude=100.6)
    result = selectors.service_point_nearest(lat=13.7, lon=100.5, limit=20)
    assert [r.point for r in result] == [a, b]
    assert selectors.service_point_nearest(lat=13.7, lon=100.5, limit=0) == []


def test_nearest_is_exact_anywhere_on_earth_poles_and_antimeridian_included():
    """The index's plane is degree-scaled for Thailand; elsewhere the answer is still exact
    (more candidates are fetched until the bound proves it, or all of them)."""
    rng = random.Random(20)
    spots = [(13.7, 100.5), (64.0, -21.0), (-77.8, 166.7), (0.0, 179.95), (0.0, -179.95)]
    points = [
        PublishedPointFactory(latitude=min(89.9, la + rng.gauss(0, 1)), longitude=lo)
        for la, lo in spots
        for _ in range(12)
    ]
    points += [
        PublishedPointFactory(latitude=rng.uniform(-89, 89), longitude=rng.uniform(-180, 180))
        for _ in range(30)
    ]
    queries = [*spots, (89.5, 10.0), (-89.5, -120.0), (0.5, 180.0)]
    for lat, lon in queries:
        for limit in (1, 7, 25):
            result = selectors.service_point_nearest(lat=lat, lon=lon, limit=limit)
            expected = _brute_force(points, lat, lon, limit)
            assert [round(r.distance_m, 3) for r in result] == [round(d, 3) for d, _pk in expected]


def test_the_index_follows_every_write_path(agency_a):
    """bulk_create, update(), archiving and deleting: the database keeps the index itself."""
    here = (13.75, 100.5)
    near = ServicePoint.objects.bulk_create(
        [
            ServicePointFactory.build(
                agency=agency_a, latitude=13.75 + i * 0.001, longitude=100.5, status="published"
            )
            for i in range(5)
        ]
    )
    ServicePoint.objects.filter(pk=near[0].pk).update(latitude=18.79, longitude=98.98)
    ServicePoint.objects.filter(pk=near[1].pk).update(status="archived")
    ServicePoint.objects.filter(pk=near[2].pk).delete()
    result = selectors.service_point_nearest(lat=here[0], lon=here[1], limit=20)
    assert [r.point.pk for r in result] == [near[3].pk, near[4].pk, near[0].pk]
    ServicePoint.objects.filter(pk=near[1].pk).update(status="published")
    result = selectors.service_point_nearest(lat=here[0], lon=here[1], limit=20)
    assert [r.point.pk for r in result] == [near[1].pk, near[3].pk, near[4].pk, near[0].pk]


def test_the_plane_never_stretches_a_distance_more_than_the_bound_says():
    from service_points import nearest

    rng = random.Random(5)
    for _ in range(5000):
        lat, lon = rng.uniform(-80, 80), rng.uniform(-179, 179)
        la, lo = lat + rng.gauss(0, 3), lon + rng.gauss(0, 3)
        if not (-90 <= la <= 90 and -180 <= lo <= 180):
            continue
        d = geo.haversine_m(lat, lon, la, lo)
        if nearest.wraps(lat, lon, d):
            continue
        plane = ((la - lat) ** 2 + ((lo - lon) * nearest.LON_SCALE) ** 2) ** 0.5
        assert plane <= nearest.plane_stretch(lat, d) * d / nearest.METRES_PER_DEGREE * (1 + 1e-9)


def test_the_query_walks_the_spatial_index():
    from django.db import connection

    PublishedPointFactory(latitude=13.75, longitude=100.5)
    ServicePointFactory(latitude=13.76, longitude=100.5)  # a draft is not in the index
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET enable_seqscan = off")
            cursor.execute("EXPLAIN " + nearest_sql(), [100.5 * 0.972, 13.75] * 2 + [5])
            plan = " ".join(row[0] for row in cursor.fetchall())
            assert "sp_published_knn" in plan
        else:
            cursor.execute("SELECT count(*) FROM service_points_nearest_rtree")
            assert cursor.fetchone() == (1,)


def nearest_sql():
    from service_points import nearest

    return nearest.KNN_SQL


def test_a_table_rebuild_that_drops_the_sqlite_triggers_is_repaired_after_migrate():
    from django.db import connection

    from service_points import nearest

    point = PublishedPointFactory(latitude=13.75, longitude=100.5)
    if connection.vendor != "sqlite":
        assert nearest.restore_sqlite_triggers() == []
        return
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER sp_nearest_update")  # as a table rebuild would
    ServicePoint.objects.filter(pk=point.pk).update(latitude=18.79, longitude=98.98)
    assert nearest.restore_sqlite_triggers() == ["sp_nearest_update"]
    assert nearest.restore_sqlite_triggers() == []
    result = selectors.service_point_nearest(lat=18.8, lon=99.0, limit=1)
    assert [(r.point.pk, round(r.distance_m)) for r in result] == [
        (point.pk, round(geo.haversine_m(18.8, 99.0, 18.79, 98.98)))
    ]
    ServicePoint.objects.filter(pk=point.pk).update(status="archived")
    assert selectors.service_point_nearest(lat=18.8, lon=99.0, limit=1) == []


def _destination(lat, lon, bearing, distance_m):
    import math

    p1, l1, d = math.radians(lat), math.radians(lon), distance_m / geo.EARTH_RADIUS_M
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(bearing))
    l2 = l1 + math.atan2(
        math.sin(bearing) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2)
    )
    return math.degrees(p2), math.degrees(l2)


def test_the_box_distance_never_exceeds_the_distance_to_any_point_in_the_box():
    """The spherical walk's bound: no point of a box is nearer than it, and it is attained
    (a point on the box's edge is as near), at every size, pole and antimeridian included."""
    from service_points import nearest

    rng = random.Random(9)
    for _ in range(2000):
        lat, lon = rng.uniform(-89.9, 89.9), rng.uniform(-180, 180)
        south = rng.uniform(-89.9, 89.0)
        north = min(89.9, south + 10 ** rng.uniform(-4, 2))
        west = rng.uniform(-180, 179)
        east = min(180.0, west + 10 ** rng.uniform(-4, 2.5))
        bound = nearest.box_distance_m(lat, lon, west, east, south, north)
        inside = [(rng.uniform(south, north), rng.uniform(west, east)) for _ in range(20)] + [
            (la, lo) for la in (south, north) for lo in (west, east)
        ]
        nearest_sample = min(geo.haversine_m(lat, lon, la, lo) for la, lo in inside)
        assert bound <= nearest_sample * (1 + 1e-9) + 1e-6, (lat, lon, west, east, south, north)
        # attained (so the walk prunes well): a walk along the edges comes within 1 % of it
        edges = [(south + (north - south) * i / 400, lo) for i in range(401) for lo in (west, east)]
        edges += [(la, west + (east - west) * i / 400) for i in range(401) for la in (south, north)]
        if west <= lon <= east:
            edges.append((min(max(lat, south), north), lon))
        walked = min(geo.haversine_m(lat, lon, la, lo) for la, lo in edges)
        assert walked <= bound * 1.01 + 1.0


def test_the_sqlite_walk_reads_the_index_nodes_sqlite_writes():
    """The node layout the walk decodes is SQLite's own: every published point appears in a
    leaf, with a box that holds its exact coordinates."""
    from django.db import connection

    from service_points import nearest

    if connection.vendor != "sqlite":
        return
    points = [
        PublishedPointFactory(latitude=13 + i * 0.01, longitude=100 + i * 0.01) for i in range(60)
    ]
    connection.ensure_connection()
    raw = connection.connection
    leaves: dict[int, tuple] = {}
    pending = [(nearest._root_level(raw), 1)]
    while pending:
        level, nodeno = pending.pop()
        for pk, *box in nearest._cells(raw, nodeno, None):
            if level == 0:
                leaves[pk] = tuple(box)
            else:
                pending.append((level - 1, pk))
    assert set(leaves) == {p.pk for p in points}
    for p in points:
        west, east, south, north = leaves[p.pk]
        assert west <= p.longitude <= east and south <= p.latitude <= north
