"""Plain-Python geography: the Thailand boundary, distances and the province check.

No GIS library: the boundary is one MultiPolygon of ~3,300 vertices (Natural Earth 1:10m),
so a ray-casting test with a bounding-box shortcut answers in well under a millisecond.
"""

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
EARTH_RADIUS_M = 6_371_008.8
# Natural Earth 1:10m is generalised: a border office on a river bank can fall just across
# the drawn line, and small islands (Ko Tao, Ko Lipe) are missing altogether. So: inside
# Thailand or within BOUNDARY_TOLERANCE_M of it is in; inside a neighbour is out; at sea,
# within SEA_TOLERANCE_M of Thailand's coast is in (an island the scale dropped).
BOUNDARY_TOLERANCE_M = 1_500
SEA_TOLERANCE_M = 40_000


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class _Polygon:
    rings: tuple[tuple[tuple[float, float], ...], ...]  # outer ring first, then holes
    bbox: tuple[float, float, float, float]  # west, south, east, north


@cache
def boundary_geojson() -> dict:
    return json.loads((DATA / "thailand.geojson").read_text(encoding="utf-8"))


def _to_polygons(geometry: dict) -> tuple[_Polygon, ...]:
    result = []
    for polygon in geometry["coordinates"]:
        rings = tuple(tuple((float(x), float(y)) for x, y in ring) for ring in polygon)
        xs = [x for x, _y in rings[0]]
        ys = [y for _x, y in rings[0]]
        result.append(_Polygon(rings, (min(xs), min(ys), max(xs), max(ys))))
    return tuple(result)


@cache
def _polygons() -> tuple[_Polygon, ...]:
    return _to_polygons(boundary_geojson()["geometry"])


@cache
def _neighbour_polygons() -> tuple[_Polygon, ...]:
    collection = json.loads((DATA / "neighbours.geojson").read_text(encoding="utf-8"))
    return tuple(p for f in collection["features"] for p in _to_polygons(f["geometry"]))


def _inside(lat: float, lon: float, polygons) -> bool:
    for polygon in polygons:
        west, south, east, north = polygon.bbox
        if (
            west <= lon <= east
            and south <= lat <= north
            and _in_ring(lon, lat, polygon.rings[0])
            and not any(_in_ring(lon, lat, hole) for hole in polygon.rings[1:])
        ):
            return True
    return False


def _near(lat: float, lon: float, polygons, tolerance_m: float) -> bool:
    margin = tolerance_m / 111_000 * 1.2 + 0.01
    for polygon in polygons:
        west, south, east, north = polygon.bbox
        if not (west - margin <= lon <= east + margin and south - margin <= lat <= north + margin):
            continue
        for ring in polygon.rings:
            for a, b in zip(ring, ring[1:], strict=False):
                if (a[1] - lat > margin and b[1] - lat > margin) or (
                    lat - a[1] > margin and lat - b[1] > margin
                ):
                    continue
                if _segment_distance_m(lat, lon, a, b) <= tolerance_m:
                    return True
    return False


BAND_DEGREES = 0.1


def _in_ring(lon: float, lat: float, ring) -> bool:
    """Ray casting, over only the edges that cross the point's 0.1° band of latitude (an
    edge that does not reach the band cannot cross the ray): the same answer as walking
    every edge, about a hundred times fewer."""
    inside = False
    for xi, yi, xj, yj in _bands(ring).get(math.floor(lat / BAND_DEGREES), ()):
        if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
    return inside


_BANDS: dict[int, tuple[tuple, dict[int, tuple]]] = {}  # id(ring): (ring, its bands)


def _bands(ring) -> dict[int, tuple]:
    """The ring's edges, (xi, yi, xj, yj) in walking order, by each band of latitude they
    span (built once per ring)."""
    held = _BANDS.get(id(ring))
    if held is not None and held[0] is ring:  # the ring is held, so its id is not reused
        return held[1]
    bands: dict[int, list] = {}
    j = len(ring) - 1
    for i in range(len(ring)):
        (xi, yi), (xj, yj) = ring[i], ring[j]
        low, high = sorted((yi, yj))
        for band in range(math.floor(low / BAND_DEGREES), math.floor(high / BAND_DEGREES) + 1):
            bands.setdefault(band, []).append((xi, yi, xj, yj))
        j = i
    found = {band: tuple(edges) for band, edges in bands.items()}
    _BANDS[id(ring)] = (ring, found)
    return found


def _segment_distance_m(lat: float, lon: float, a, b) -> float:
    # Local equirectangular projection: exact enough over a few kilometres.
    k = math.cos(math.radians(lat))
    ax, ay = (a[0] - lon) * k, a[1] - lat
    bx, by = (b[0] - lon) * k, b[1] - lat
    dx, dy = bx - ax, by - ay
    length = dx * dx + dy * dy
    t = 0.0 if length == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / length))
    px, py = ax + t * dx, ay + t * dy
    return math.hypot(px, py) * math.pi / 180 * EARTH_RADIUS_M


def in_thailand(lat: float, lon: float) -> bool:
    """True for a point on Thai land (see the tolerances above)."""
    if not (5.0 <= lat <= 21.0 and 97.0 <= lon <= 106.0):
        return False
    if _inside(lat, lon, _polygons()) or _near(lat, lon, _polygons(), BOUNDARY_TOLERANCE_M):
        return True
    if _inside(lat, lon, _neighbour_polygons()):
        return False
    return _near(lat, lon, _polygons(), SEA_TOLERANCE_M)


@cache
def _province_references() -> dict[str, dict]:
    return json.loads((DATA / "provinces.json").read_text(encoding="utf-8"))


def province_town(province_code: str) -> tuple[float, float, float] | None:
    """(latitude, longitude, radius in km) of the province's town, None if not on record."""
    ref = _province_references().get(province_code)
    return (ref["lat"], ref["lon"], float(ref["radius_km"])) if ref else None


def distance_from_province_km(lat: float, lon: float, province_code: str) -> tuple[float, float]:
    """(distance from the provincial town, the radius that covers the province), in km."""
    ref = _province_references().get(province_code)
    if ref is None:
        return 0.0, math.inf
    return haversine_m(lat, lon, ref["lat"], ref["lon"]) / 1000, float(ref["radius_km"])


def bbox_around(lat: float, lon: float, radius_m: float) -> tuple[float, float, float, float]:
    """(south, west, north, east) of a box that contains the circle."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    dlon = dlat / max(math.cos(math.radians(min(abs(lat) + dlat, 89.9))), 1e-6)
    return lat - dlat, lon - dlon, lat + dlat, lon + dlon
