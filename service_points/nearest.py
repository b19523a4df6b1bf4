"""The nearest published points, exactly, from the database's own spatial index (ADR 0015).

PostgreSQL: a partial GiST index on the built-in `point` type over a degree-scaled point,
`point(longitude * LON_SCALE, latitude)`, walked in distance order by `<->` (a KNN scan,
the same kind of walk PostGIS does). The plane distance is not the great-circle one, so a
few more candidates than asked are fetched and re-ranked by haversine; a bound (below)
proves that nothing beyond the last candidate can be nearer, else more are fetched.

SQLite: the built-in R*Tree module holds the published points (kept by triggers, so no write
path can forget it), with the exact coordinates in auxiliary columns. R*Tree has no KNN
order, so boxes grow from a small radius until the limit-th candidate lies inside the circle
the box contains.

Both indexes are kept by the database itself in the writing transaction: there is no
per-process copy and nothing to go stale.
"""

import functools
import math

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
FIRST_RADIUS_M = 2_000.0  # SQLite's first probe
STRIPS = 8
PROBE_CAP = 8  # a probe counts up to this many times the limit
MAX_PROBES = 24
# A relative margin for floating-point rounding in the proofs (1e-9 of the distance is
# micrometres): a point this close to the bound is fetched rather than assumed away.
ROUNDING = 1e-9

_KNN_POINT = f"point(longitude * {LON_SCALE}, latitude)"
KNN_SQL = (  # constant names, values are parameters
    f"SELECT id, latitude, longitude, {_KNN_POINT} <-> point(%s, %s) "  # noqa: S608
    f"FROM {TABLE} WHERE status = '{PUBLISHED}' "
    f"ORDER BY {_KNN_POINT} <-> point(%s, %s) LIMIT %s"
)
_IN_BOX = "max_lon >= ? AND min_lon <= ? AND max_lat >= ? AND min_lat <= ?"


@functools.cache
def probe_sql(strips: int) -> str:
    """Counts the points in the strips, up to a cap (so a probe over a city stays cheap)."""
    parts = " UNION ALL ".join([f"SELECT 1 FROM {RTREE} WHERE {_IN_BOX}"] * strips)  # noqa: S608
    return f"SELECT count(*) FROM ({parts} LIMIT ?)"  # noqa: S608 - constant names


@functools.cache
def knn_sql(strips: int) -> str:
    """The points in the strips ordered by a plane distance scaled for the query's latitude
    (parameters: latitude, longitude, scale, then each strip's box, then the limit).
    R*Tree keeps 32-bit boxes rounded outwards, so a strip may let in a point just outside
    it (harmless: measured from its exact coordinates; one on two strips is counted once),
    never leave one out."""
    plane = "(latitude - ?1) * (latitude - ?1) + ((longitude - ?2) * ?3) * ((longitude - ?2) * ?3)"
    select = f"SELECT id, latitude, longitude, {plane} AS plane FROM {RTREE} WHERE "  # noqa: S608
    parts = []
    for i in range(strips):
        n = 4 + 4 * i
        parts.append(
            select
            + f"max_lon >= ?{n} AND min_lon <= ?{n + 1} AND max_lat >= ?{n + 2} "
            + f"AND min_lat <= ?{n + 3}"
        )
    return " UNION ALL ".join(parts) + f" ORDER BY plane LIMIT ?{4 + 4 * strips}"


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
    """A box on the R*Tree, its points ordered in SQL by a plane distance scaled for the
    query's latitude, re-ranked by great-circle distance.

    The radius is found by probes that stop counting at PROBE_CAP × limit (so a probe that
    lands on a city costs no more than one on the sea): grow fourfold while the box holds
    too few, halve the gap while it holds too many. Then the box's points are ordered in
    SQL and the nearest few re-ranked by haversine. Exact: the box holds the circle of its
    radius, so a point outside it is farther than the radius; inside, a point not fetched is
    at least as far in the plane as the last one fetched, which the stretch bound turns into
    "farther than the limit-th distance". A limit-th distance beyond the radius grows the
    box to it; an unproved fetch fetches four times as many.
    """
    raw = connection.connection
    scale = math.cos(math.radians(lat))
    cap = limit * PROBE_CAP
    radius = _probe_radius(raw, lat, lon, limit, cap)
    fetch = limit + limit // 2 + 8
    narrowed = False
    while True:
        strips = strips_around(lat, lon, radius)
        params = [v for south, west, north, east in strips for v in (west, east, south, north)]
        rows = raw.execute(knn_sql(len(strips)), [lat, lon, scale, *params, fetch]).fetchall()
        scored = sorted({(geo.haversine_m(lat, lon, la, lo), pk) for pk, la, lo, _p in rows})
        if len(scored) < limit and radius < HALF_EARTH_M:
            radius = min(radius * 2, HALF_EARTH_M)
            continue
        if len(scored) < limit:
            return scored  # the whole Earth holds fewer
        d = scored[limit - 1][0]
        if d > radius:
            # The strips held enough points, the circle too few: the answer lies within d.
            # If the strips round d would hold a crowd (a town at the rim), look first for a
            # smaller radius whose inner strips already hold `limit` points.
            target = d * (1 + ROUNDING)
            if not narrowed and _count(raw, strips_around(lat, lon, target), cap) >= cap:
                target = _narrowed_radius(raw, lat, lon, limit, radius, target)
                narrowed = True
            else:
                fetch *= 1 if not narrowed else 4  # after a narrowing, progress by fetching more
            radius = min(max(target, radius), HALF_EARTH_M)
            continue
        if len(rows) < fetch or _proved(lat, lon, d, math.sqrt(rows[-1][3]), scale):
            return scored[:limit]
        fetch *= 4


def _probe_radius(raw, lat: float, lon: float, limit: int, cap: int) -> float:
    """A radius whose strips hold at least `limit` points and (where the search can tell)
    fewer than `cap`: grow fourfold while too few, halve the gap (geometrically) while too
    many, at most MAX_PROBES probes."""
    low, high = 0.0, math.inf  # radii known to hold too few / too many
    radius = FIRST_RADIUS_M
    for _probe in range(MAX_PROBES):
        count = _count(raw, strips_around(lat, lon, radius), cap)
        if count < limit:
            low = radius
            if radius >= HALF_EARTH_M:
                break
            radius = min(radius * 4, HALF_EARTH_M) if high == math.inf else math.sqrt(low * high)
        elif count >= cap and radius > max(low * 1.2, 1.0):
            high = radius
            radius = radius / 4 if low == 0 else math.sqrt(low * high)
        else:
            break
    return radius


def _narrowed_radius(raw, lat: float, lon: float, limit: int, low: float, high: float) -> float:
    """The smallest radius found in [low, high] (within 5 %, at most 8 steps) whose inner
    strips hold `limit` points; `high` if none smaller is found. The answer lies within it."""
    for _step in range(8):
        mid = math.sqrt(low * high)
        if _count(raw, inner_strips_around(lat, lon, mid), limit) >= limit:
            high = mid
        else:
            low = mid
        if high < low * 1.05:
            break
    return high


def wraps(lat: float, lon: float, radius_m: float) -> bool:
    """Whether the circle may reach a pole or cross the antimeridian."""
    south, west, north, east = geo.bbox_around(lat, lon, radius_m)
    return radius_m >= HALF_EARTH_M or south <= -89.9 or north >= 89.9 or west < -180 or east > 180


def strips_around(
    lat: float, lon: float, radius_m: float
) -> list[tuple[float, float, float, float]]:
    """STRIPS boxes (south, west, north, east) whose union holds the circle and hugs it
    (with 8: 1.11 × its area, against 1.27 × for the one box), so a dense town just outside
    the circle costs nothing. Each strip is as wide as the circle can be within it, from
    haversine: hav(x) <= (hav(r) - hav(y)) / (cos φ cos φ'), with the strip's smallest |y|
    and its smallest cos φ'."""
    if wraps(lat, lon, radius_m):
        return [box_around(lat, lon, radius_m)]
    r = radius_m / geo.EARTH_RADIUS_M
    dlat = math.degrees(r)
    hav_r = math.sin(r / 2) ** 2
    cos_lat = math.cos(math.radians(lat))
    edges = [lat - dlat + 2 * dlat * i / STRIPS for i in range(STRIPS + 1)]
    boxes: list[tuple[float, float, float, float]] = []
    for south, north in zip(edges, edges[1:], strict=False):
        y = 0.0 if south <= lat <= north else min(abs(south - lat), abs(north - lat))
        # The smallest cos φ' in the strip (at its poleward edge) allows the widest Δλ.
        narrowest = min(math.cos(math.radians(south)), math.cos(math.radians(north)))
        hav_x = (hav_r - math.sin(math.radians(y) / 2) ** 2) / (cos_lat * narrowest)
        x = math.degrees(2 * math.asin(math.sqrt(min(1.0, max(0.0, hav_x))))) * (1 + 1e-9)
        boxes.append((south, lon - x, north, lon + x))
    return boxes


def inner_strips_around(
    lat: float, lon: float, radius_m: float
) -> list[tuple[float, float, float, float]]:
    """STRIPS boxes wholly inside the circle (with 8: 0.79 × its area): every point of a strip
    has hav(Δλ) <= (hav(r) - hav(largest |Δφ|)) / (cos φ × largest cos φ'), so its distance
    is at most r. None near a pole or the antimeridian."""
    if wraps(lat, lon, radius_m):
        return []
    r = radius_m / geo.EARTH_RADIUS_M
    dlat = math.degrees(r)
    hav_r = math.sin(r / 2) ** 2
    cos_lat = math.cos(math.radians(lat))
    edges = [lat - dlat + 2 * dlat * i / STRIPS for i in range(STRIPS + 1)]
    boxes: list[tuple[float, float, float, float]] = []
    for south, north in zip(edges, edges[1:], strict=False):
        y = max(abs(south - lat), abs(north - lat))
        widest = (
            1.0
            if south <= 0 <= north
            else max(math.cos(math.radians(south)), math.cos(math.radians(north)))
        )
        hav_x = (hav_r - math.sin(math.radians(y) / 2) ** 2) / (cos_lat * widest)
        if hav_x > 0:
            x = math.degrees(2 * math.asin(math.sqrt(min(1.0, hav_x)))) * (1 - 1e-9)
            boxes.append((south, lon - x, north, lon + x))
    return boxes


def _count(raw, strips: list[tuple[float, float, float, float]], cap: int) -> int:
    """The points in the strips, counted up to `cap` (a point on two strips counts twice:
    callers only rely on "at least" from strips that do not overlap, or on the cap)."""
    if not strips:
        return 0
    params = [v for south, west, north, east in strips for v in (west, east, south, north)]
    return raw.execute(probe_sql(len(strips)), [*params, cap]).fetchone()[0]


def box_around(lat: float, lon: float, radius_m: float) -> tuple[float, float, float, float]:
    """(south, west, north, east) of a box holding the circle; the whole longitude range when
    the circle wraps (the box would not hold it otherwise)."""
    south, west, north, east = geo.bbox_around(lat, lon, radius_m)
    if wraps(lat, lon, radius_m):
        return max(south, -90.0), -180.0, min(north, 90.0), 180.0
    return south, west, north, east


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
