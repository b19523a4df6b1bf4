"""The nearest published points, exactly, from the database's own spatial index (ADR 0015).

PostgreSQL: a partial GiST index on the built-in `point` type over a degree-scaled point,
`point(longitude * LON_SCALE, latitude)`, walked in distance order by `<->` (a KNN scan,
the same kind of walk PostGIS does). The plane distance is not the great-circle one, so a
few more candidates than asked are fetched and re-ranked by haversine; a bound (below)
proves that nothing beyond the last candidate can be nearer, else more are fetched.

SQLite: the built-in R*Tree module holds the published points (kept by triggers, so no write
path can forget it), with the exact coordinates in auxiliary columns. R*Tree answers box
queries only, so the same best-first walk is done here over its own node rows (ADR 0017).

Both indexes are kept by the database itself in the writing transaction: there is no
per-process copy and nothing to go stale.
"""

import heapq
import math
import struct

import psycopg
from django.db import connection, connections

from service_points import geo

PUBLISHED = "published"  # ServicePoint.Status.PUBLISHED, a literal so the partial index applies
TABLE = "service_points_servicepoint"
RTREE = "service_points_nearest_rtree"
# cos(13.6°): Thailand's middle latitude, so the scaled plane is near-isometric over the
# country (within 4 %: cos 5.6° / LON_SCALE to cos 20.5° / LON_SCALE).
LON_SCALE = 0.972
METRES_PER_DEGREE = math.pi / 180 * geo.EARTH_RADIUS_M
HALF_EARTH_M = math.pi * geo.EARTH_RADIUS_M
# A relative margin for floating-point rounding in the proofs (1e-9 of the distance is
# micrometres): a point this close to the bound is fetched rather than assumed away.
ROUNDING = 1e-9

_KNN_POINT = f"point(longitude * {LON_SCALE}, latitude)"
KNN_SQL = (  # constant names, values are parameters
    f"SELECT id, latitude, longitude, {_KNN_POINT} <-> point(%s, %s) "  # noqa: S608
    f"FROM {TABLE} WHERE status = '{PUBLISHED}' "
    f"ORDER BY {_KNN_POINT} <-> point(%s, %s) LIMIT %s"
)
# SQLite's R*Tree node layout (rtree.c): per cell an 8-byte id, then min/max of each
# dimension as 4-byte floats, big-endian, after a 4-byte node header.
CELL = struct.Struct(">q4f")
NODE_SQL = f"SELECT data FROM {RTREE}_node WHERE nodeno = ?"  # noqa: S608 - constant name


def plane_stretch(lat: float, radius_m: float, scale: float = LON_SCALE) -> float:
    """How much longer, at most, the scaled-plane distance (in degrees, longitude × scale) is
    than the great-circle distance (in degrees of arc) between the query and any point within
    `radius_m` of it.

    Along a path, the plane's length element is sqrt(dφ² + s²dλ²), the sphere's
    sqrt(dφ² + cos²φ dλ²), so their ratio is at most max(1, s / cos φ). The straight plane
    line is no longer than the image of the great-circle path, whose latitude stays within
    radius of the query's, so the ratio at the path's most poleward latitude bounds it.
    """
    farthest = min(abs(lat) + math.degrees(radius_m / geo.EARTH_RADIUS_M), 90.0)
    cos = math.cos(math.radians(farthest))
    return math.inf if cos <= 0 else max(1.0, scale / cos)


def _proved(lat, lon, d: float, reach: float, scale: float) -> bool:
    """Whether no point at plane distance `reach` or more can be within `d` metres."""
    if wraps(lat, lon, d):  # near a pole or the antimeridian the plane cuts the sphere
        return False
    within = plane_stretch(lat, d, scale) * (d / METRES_PER_DEGREE)
    return reach > within * (1 + ROUNDING) + 1e-12


def nearest_ids(lat: float, lon: float, limit: int) -> list[tuple[float, int]]:
    """(distance in metres, id) of the `limit` nearest published points, nearest first."""
    if limit <= 0:
        return []
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        return _nearest_postgresql(lat, lon, limit)
    return _nearest_sqlite(lat, lon, limit)


def _nearest_postgresql(lat: float, lon: float, limit: int) -> list[tuple[float, int]]:
    """KNN on the GiST index, re-ranked by great-circle distance, proved or fetched again.

    Every point not fetched is at least as far in the plane as the last one fetched
    (`reach`). If the limit-th great-circle distance D is such that any point within D would
    lie within plane distance stretch × D, and reach is beyond that, no point left out can
    be within D: the answer is exact. Otherwise fetch four times as many and check again.
    """
    x, y = lon * LON_SCALE, lat
    fetch = limit + limit // 2 + 8
    # Django's cursors bind on the client and never prepare; psycopg's own cursor lets the
    # server plan this once per connection (as in feedback/services.py).
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        while True:
            cursor.execute(KNN_SQL, (x, y, x, y, fetch), prepare=True)
            rows = cursor.fetchall()
            scored = sorted((geo.haversine_m(lat, lon, la, lo), pk) for pk, la, lo, _p in rows)
            if len(rows) < fetch:
                return scored[:limit]  # every published point was fetched
            if _proved(lat, lon, scored[limit - 1][0], rows[-1][3], LON_SCALE):
                return scored[:limit]
            fetch *= 4


def _nearest_sqlite(lat: float, lon: float, limit: int) -> list[tuple[float, int]]:
    """Best-first search down the R*Tree's own nodes (a KNN walk, as GiST does on PostgreSQL).

    SQLite's R*Tree answers box queries only, so the walk reads its nodes itself: each node is
    one row of the `_node` shadow table, in the layout SQLite's file format fixes (rtree.c: a
    2-byte depth on the root, a 2-byte cell count, then per cell an 8-byte id and four 4-byte
    floats, big-endian; boxes rounded outwards, so a box always holds what it covers). Nodes
    and points come off a heap in order of their plane distance; the exact coordinates of the
    points taken (auxiliary columns) give great-circle distances, and the stretch bound proves
    when no point left on the heap can be nearer than the limit-th. Where the plane cuts the
    sphere (poles, antimeridian) the walk is redone with a spherical bound (`_walk_sphere`).
    """
    raw = connection.connection
    root = raw.execute(NODE_SQL, (1,)).fetchone()
    if root is None:
        return []
    scale = math.cos(math.radians(lat))
    heap: list = [(0.0, 0, int.from_bytes(root[0][:2], "big"), 1, root[0])]
    taken: list[int] = []
    exact: dict[int, float] = {}
    order = 1  # ties keep insertion order (and never compare the blobs)
    while heap:
        plane2, _order, level, ref, blob = heapq.heappop(heap)
        if level < 0:
            taken.append(ref)
            if len(taken) >= limit:
                scored = _exact(raw, lat, lon, taken, exact)
                d = scored[limit - 1][0]
                if wraps(lat, lon, d):
                    return _walk_sphere(raw, lat, lon, limit)
                if not heap or _proved(lat, lon, d, math.sqrt(heap[0][0]), scale):
                    return scored[:limit]
            continue
        for pk, west, east, south, north in _cells(raw, ref, blob):
            dx = (west - lon if lon < west else lon - east if lon > east else 0.0) * scale
            dy = south - lat if lat < south else lat - north if lat > north else 0.0
            heapq.heappush(heap, (dx * dx + dy * dy, order, level - 1, pk, None))
            order += 1
    return _exact(raw, lat, lon, taken, exact)[:limit]  # fewer points than the limit


def _walk_sphere(raw, lat: float, lon: float, limit: int) -> list[tuple[float, int]]:
    """The same walk keyed by the great-circle distance to each box, which bounds every point
    in it anywhere on Earth; a leaf's points go back on the heap with their exact distance,
    so the first `limit` points off the heap are the answer."""
    heap: list = [(0.0, 0, _root_level(raw), 1, None)]
    found: list[tuple[float, int]] = []
    order = 1
    while heap and len(found) < limit:
        d, _order, level, ref, _blob = heapq.heappop(heap)
        if level < 0:
            found.append((d, ref))
            continue
        cells = _cells(raw, ref, None)
        if level == 0:
            near = _exact(raw, lat, lon, [pk for pk, *_box in cells], {})
            items = [(dist, pk) for dist, pk in near]
        else:
            items = [(box_distance_m(lat, lon, *box), pk) for pk, *box in cells]
        for dist, pk in items:
            heapq.heappush(heap, (dist, order, -1 if level == 0 else level - 1, pk, None))
            order += 1
    return found


def _root_level(raw) -> int:
    return int.from_bytes(raw.execute(NODE_SQL, (1,)).fetchone()[0][:2], "big")


def _cells(raw, nodeno: int, blob: bytes | None) -> list[tuple[int, float, float, float, float]]:
    """(id, west, east, south, north) of each cell of a node (columns in the table's order)."""
    if blob is None:
        blob = raw.execute(NODE_SQL, (nodeno,)).fetchone()[0]
    count = int.from_bytes(blob[2:4], "big")
    return list(CELL.iter_unpack(blob[4 : 4 + CELL.size * count]))


def _exact(raw, lat: float, lon: float, ids: list[int], known: dict[int, float]):
    """Great-circle distances of the points, from the exact coordinates the index keeps."""
    missing = [pk for pk in ids if pk not in known]
    for start in range(0, len(missing), 500):
        chunk = missing[start : start + 500]
        sql = (
            f"SELECT rowid, a0, a1 FROM {RTREE}_rowid WHERE rowid IN ({','.join('?' * len(chunk))})"  # noqa: S608
        )
        for pk, la, lo in raw.execute(sql, chunk).fetchall():
            known[pk] = geo.haversine_m(lat, lon, la, lo)
    return sorted((known[pk], pk) for pk in ids)


def box_distance_m(lat: float, lon: float, west: float, east: float, south: float, north: float):
    """The great-circle distance from a position to the nearest point of a latitude/longitude
    box, exactly. For a fixed latitude, distance grows with |Δλ| (up to 180°), so the nearest
    point lies on the box's nearer meridian (or straight north/south when the longitude is
    inside). Along a great circle, distance has one minimum and one maximum (its antipode),
    so on the meridian's stretch the nearest point is the circle's closest point when the
    stretch holds it, else one of the stretch's ends."""
    if west <= lon <= east:
        gap = south - lat if lat < south else lat - north if lat > north else 0.0
        return math.radians(gap) * geo.EARTH_RADIUS_M
    to_west, to_east = abs(_wrap(west - lon)), abs(_wrap(lon - east))
    edge, dlon = (west, to_west) if to_west <= to_east else (east, to_east)
    cos_dlon = math.cos(math.radians(dlon))
    if cos_dlon > 0:
        closest = math.degrees(math.atan(math.tan(math.radians(lat)) / cos_dlon))
    else:
        closest = math.copysign(90.0, lat)  # the pole on the position's side
    candidates = (min(max(closest, south), north), south, north)
    return min(geo.haversine_m(lat, lon, la, edge) for la in candidates)


def _wrap(degrees: float) -> float:
    return (degrees + 180.0) % 360.0 - 180.0


def wraps(lat: float, lon: float, radius_m: float) -> bool:
    """Whether the circle may reach a pole or cross the antimeridian."""
    south, west, north, east = geo.bbox_around(lat, lon, radius_m)
    return radius_m >= HALF_EARTH_M or south <= -89.9 or north >= 89.9 or west < -180 or east > 180


# The SQLite index's triggers, as migration 0005 made them.
_ROW = (
    "NEW.id, NEW.longitude, NEW.longitude, NEW.latitude, NEW.latitude, NEW.latitude, NEW.longitude"
)
SQLITE_TRIGGERS = {  # constant names
    "sp_nearest_insert": f"CREATE TRIGGER sp_nearest_insert AFTER INSERT ON {TABLE} "  # noqa: S608
    f"WHEN NEW.status = '{PUBLISHED}' BEGIN INSERT INTO {RTREE} VALUES ({_ROW}); END",
    "sp_nearest_update": "CREATE TRIGGER sp_nearest_update AFTER UPDATE OF id, status, "  # noqa: S608
    f"latitude, longitude ON {TABLE} BEGIN DELETE FROM {RTREE} WHERE id = OLD.id; "
    f"INSERT INTO {RTREE} SELECT {_ROW} WHERE NEW.status = '{PUBLISHED}'; END",
    "sp_nearest_delete": f"CREATE TRIGGER sp_nearest_delete AFTER DELETE ON {TABLE} "  # noqa: S608
    f"BEGIN DELETE FROM {RTREE} WHERE id = OLD.id; END",
}
SQLITE_REFILL = [
    f"DELETE FROM {RTREE}",  # noqa: S608 - constant names
    f"INSERT INTO {RTREE} SELECT id, longitude, longitude, latitude, latitude, latitude, "  # noqa: S608
    f"longitude FROM {TABLE} WHERE status = '{PUBLISHED}'",
]


def restore_sqlite_triggers(*, using: str = "default", **_kwargs) -> list[str]:
    """Re-creates any missing trigger of the SQLite index and refills it (post_migrate).

    SQLite drops a table's triggers when Django rebuilds the table (its way to alter a
    column), so a future migration of the points table would silently stop the index from
    following writes. Returns the names re-created (none in the usual case).
    """
    db = connections[using]
    if db.vendor != "sqlite":
        return []
    with db.cursor() as cursor:
        cursor.execute("SELECT type, name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        present = {name for _type, name in cursor.fetchall()}
        if RTREE not in present or TABLE not in present:
            return []  # not migrated this far (or migrating backwards)
        missing = [name for name in SQLITE_TRIGGERS if name not in present]
        for name in missing:
            cursor.execute(SQLITE_TRIGGERS[name])
        if missing:
            for sql in SQLITE_REFILL:
                cursor.execute(sql)
    return missing
