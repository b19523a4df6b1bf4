"""Every read of service points: the agency's list, the public map, search, near me, open data."""

import math
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Avg,
    Count,
    F,
    FloatField,
    Func,
    IntegerField,
    Max,
    Min,
    Q,
    QuerySet,
    Sum,
    TextField,
)
from django.utils.translation import gettext as _

from agencies.models import Agency
from core.text import normalize_for_search
from service_points import cells, divisions, geo, nearest
from service_points.grid import GridCell
from service_points.models import ServicePoint, ServicePointCell, ServicePointPhoto

DUPLICATE_RADIUS_M = 50
MAP_VERSION_KEY = "service_points:map_version"
CLUSTER_CELLS_PER_TILE = 4  # a 256-px tile split into 4x4 cells of 64 px
MAX_CLUSTER_CELLS = 4000


# --- the agency's own points ------------------------------------------------------------
def service_point_list_for_agency(*, agency, status: str | None = None) -> QuerySet[ServicePoint]:
    qs = ServicePoint.objects.filter(agency=agency).select_related("agency")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("status", "name_th", "pk")


def service_point_get(*, pk: int) -> ServicePoint | None:
    return (
        ServicePoint.objects.select_related("agency", "agency__parent", "pinned_by")
        .filter(pk=pk)
        .first()
    )


def service_point_photos(*, point: ServicePoint) -> QuerySet[ServicePointPhoto]:
    return point.photos.filter(status=ServicePointPhoto.Status.ACTIVE)


def service_point_history(*, point: ServicePoint):
    return point.changes.select_related("changed_by")[:200]


def service_point_pinned_count(*, agency) -> dict[str, int]:
    rows = ServicePoint.objects.filter(agency=agency).values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


# --- checks shown as warnings while pinning -----------------------------------------------
@dataclass
class PinWarning:
    code: str
    message: str


def service_point_warnings(
    *, agency, latitude: float, longitude: float, province_code: str, exclude_pk: int | None = None
) -> list[PinWarning]:
    """Not refusals: a pin far from its province, or close to another point of the agency."""
    warnings: list[PinWarning] = []
    distance, radius = geo.distance_from_province_km(latitude, longitude, province_code)
    if distance > radius:
        province = divisions.province(province_code)
        warnings.append(
            PinWarning(
                "far_from_province",
                _(
                    "The pin is about %(km)s km from the provincial town of %(province)s. Check that "
                    "the province and the pin are right."
                )
                % {"km": round(distance), "province": province.name_th if province else ""},
            )
        )
    south, west, north, east = geo.bbox_around(latitude, longitude, DUPLICATE_RADIUS_M)
    nearby = ServicePoint.objects.filter(
        agency=agency, latitude__range=(south, north), longitude__range=(west, east)
    ).exclude(status=ServicePoint.Status.ARCHIVED)
    if exclude_pk:
        nearby = nearby.exclude(pk=exclude_pk)
    for other in nearby[:5]:
        metres = geo.haversine_m(latitude, longitude, other.latitude, other.longitude)
        if metres <= DUPLICATE_RADIUS_M:
            warnings.append(
                PinWarning(
                    "possible_duplicate",
                    _(
                        "“%(name)s” of your agency is %(m)s m away. If it is the same place, edit "
                        "that point instead of adding another."
                    )
                    % {"name": other.name_th, "m": round(metres)},
                )
            )
    return warnings


# --- the public map ---------------------------------------------------------------------
def bump_map_version() -> None:
    try:
        cache.incr(MAP_VERSION_KEY)
    except ValueError:
        cache.set(MAP_VERSION_KEY, 1, None)


def published() -> QuerySet[ServicePoint]:
    return ServicePoint.objects.filter(status=ServicePoint.Status.PUBLISHED)


def cell_size_degrees(zoom: int) -> float:
    return 360.0 / (2 ** max(0, min(zoom, 22))) / CLUSTER_CELLS_PER_TILE


def service_point_clusters(
    *, south: float, west: float, north: float, east: float, zoom: int, english: bool = False
) -> dict:
    """Published points in the box, grouped on a grid.

    The grid is anchored at (-90, -180), so a cell is the same cell whatever the box; a cell
    holding one point comes back as that point (id, name), the others as a count at the mean
    position. The browser never gets more than a few thousand objects. Up to zoom
    cells.ROLLUP_MAX_ZOOM the cells are summed from the cell table (ADR 0014), above it the
    points are grouped in SQL; both give the same clusters (tested).
    """
    south, north = max(-90.0, min(south, north)), min(90.0, max(south, north))
    west, east = max(-180.0, west), min(180.0, east)
    if max(0, min(zoom, 22)) <= cells.ROLLUP_MAX_ZOOM:
        groups = _cluster_groups_from_cells(south, west, north, east, zoom)
    else:
        groups = _cluster_groups_from_points(south, west, north, east, zoom)
    clusters, single_ids = [], []
    for _key, n, lat, lon, single in groups[:MAX_CLUSTER_CELLS]:
        if n == 1:
            single_ids.append(single)
        else:
            clusters.append({"lat": round(lat, 6), "lon": round(lon, 6), "count": n})
    points = (
        [
            {
                "id": p.pk,
                "lat": p.latitude,
                "lon": p.longitude,
                # The popup's text in the reader's language (English where the data has it).
                "name": (p.name_en or p.name_th) if english else p.name_th,
                "name_th": p.name_th,
                "name_en": p.name_en,
                "address": p.address(english=english),
            }
            for p in published()
            .filter(pk__in=single_ids)
            .only(
                "id",
                "latitude",
                "longitude",
                "name_th",
                "name_en",
                "province_code",
                "district_code",
                "subdistrict_code",
                "house_number",
                "road",
                "postcode",
            )
            .order_by("pk")
        ]
        if single_ids
        else []
    )
    return {
        "zoom": zoom,
        "clusters": clusters,
        "points": points,
        "total": sum(c["count"] for c in clusters) + len(points),
    }


ClusterGroup = tuple[tuple[int, int], int, float, float, int | None]  # key, n, lat, lon, id


def _cluster_groups_from_points(
    south: float, west: float, north: float, east: float, zoom: int
) -> list[ClusterGroup]:
    """(cell, n, mean latitude, mean longitude, the id when n == 1): one GROUP BY on points."""
    size = cell_size_degrees(zoom)
    rows = (
        published()
        .filter(latitude__range=(south, north), longitude__range=(west, east))
        .annotate(
            cx=GridCell("longitude", offset=180.0, size=size),
            cy=GridCell("latitude", offset=90.0, size=size),
        )
        .values("cx", "cy")
        .annotate(
            n=Count("id"),
            lat=Avg("latitude", output_field=FloatField()),
            lon=Avg("longitude", output_field=FloatField()),
            first=Min("id"),
        )
        .order_by()
    )
    return [
        ((r["cy"], r["cx"]), r["n"], r["lat"], r["lon"], r["first"] if r["n"] == 1 else None)
        for r in rows
    ]


class _Blocks(Func):
    """The cell of a lower zoom holding a fine cell: fine row (or column) // 2**shift."""

    output_field = IntegerField()

    def __init__(self, name: str, factor: int):
        super().__init__(F(name), template=f"(%(expressions)s / {int(factor)})")


def _cluster_groups_from_cells(
    south: float, west: float, north: float, east: float, zoom: int
) -> list[ClusterGroup]:
    """The same groups as _cluster_groups_from_points, from the cell table.

    Fine cells strictly inside the box's edge cells lie wholly in the box (the cell formula
    only grows with the coordinate), so they are summed in SQL; the points in the edge cells
    (the box cuts through them) are read one by one, in four thin strips along the edges.
    """
    factor = 2 ** (cells.FINE_ZOOM - max(0, min(zoom, 22)))
    y_lo, x_lo = cells.key(south, west)
    y_hi, x_hi = cells.key(north, east)
    groups: dict[tuple[int, int], list] = {}  # key -> [n, fixed lat, fixed lon, ids, lat, lon]
    if y_hi - y_lo >= 2 and x_hi - x_lo >= 2:
        rows = (
            ServicePointCell.objects.filter(y__gt=y_lo, y__lt=y_hi, x__gt=x_lo, x__lt=x_hi)
            .annotate(cy=_Blocks("y", factor), cx=_Blocks("x", factor))
            .values_list("cy", "cx")
            .annotate(n=Sum("n"), la=Sum("lat_sum"), lo=Sum("lon_sum"), ids=Sum("id_sum"))
            .order_by()
        )
        for cy, cx, n, la, lo, ids in rows:
            groups[(cy, cx)] = [int(n), int(la), int(lo), int(ids), 0.0, 0.0]
    if south <= north and west <= east:
        margin = 2 * cells.FINE_SIZE
        seen = set()
        # Each strip filters on one coordinate only, so the planner walks that coordinate's
        # index over a thin band; the other coordinate is checked here.
        for strip in (
            Q(latitude__range=(south, min(north, south + margin))),
            Q(latitude__range=(max(south, north - margin), north)),
            Q(longitude__range=(west, min(east, west + margin))),
            Q(longitude__range=(max(west, east - margin), east)),
        ):
            rows = published().filter(strip).order_by().values_list("id", "latitude", "longitude")
            for pk, lat, lon in rows:
                if not (south <= lat <= north and west <= lon <= east):
                    continue
                if pk in seen:
                    continue
                y, x = cells.key(lat, lon)
                if y not in (y_lo, y_hi) and x not in (x_lo, x_hi):
                    continue  # inside: already counted from the cells
                seen.add(pk)
                group = groups.setdefault((y // factor, x // factor), [0, 0, 0, 0, 0.0, 0.0])
                group[0] += 1
                group[3] += pk
                group[4] += lat
                group[5] += lon
    return [
        (
            key,
            n,
            (la / cells.FIXED + flat) / n,
            (lo / cells.FIXED + flon) / n,
            ids if n == 1 else None,
        )
        for key, (n, la, lo, ids, flat, flon) in groups.items()
        if n > 0
    ]


# --- search and near me -----------------------------------------------------------------
def service_point_search(
    *, query: str = "", province_code: str = "", limit: int = 50
) -> list[ServicePoint]:
    """Published points whose name, agency or province contains every word typed."""
    qs = published().select_related("agency")
    if province_code:
        qs = qs.filter(province_code=province_code)
    terms = normalize_for_search(query).split()[:6]
    if not terms and not province_code:
        return []
    for term in terms:
        qs = qs.filter(Q(search_text__contains=term) | Q(agency__search_text__contains=term))
    return list(qs.order_by("name_th", "pk")[:limit])


@dataclass
class Nearby:
    point: ServicePoint
    distance_m: float

    @property
    def distance_km(self) -> float:
        return self.distance_m / 1000


def service_point_nearest(*, lat: float, lon: float, limit: int = 20) -> list[Nearby]:
    """The nearest published points, by great-circle distance, exactly (see nearest.py)."""
    if limit <= 0:
        return []
    best = nearest.nearest_ids(lat, lon, limit)
    points = ServicePoint.objects.select_related("agency").in_bulk([pk for _d, pk in best])
    return [Nearby(points[pk], d) for d, pk in best if pk in points]


# --- open data --------------------------------------------------------------------------
OPEN_COLUMNS = [
    "id",
    "name_th",
    "name_en",
    "agency_code",
    "agency_name_th",
    "agency_name_en",
    "house_number",
    "road",
    "subdistrict_code",
    "subdistrict_name_th",
    "subdistrict_name_en",
    "district_code",
    "district_name_th",
    "district_name_en",
    "province_code",
    "province_name_th",
    "province_name_en",
    "postcode",
    "latitude",
    "longitude",
    "phone",
    "opening_hours",
    "office",
    "government",
    "published_at",
    "updated_at",
    "url",
]


class _StoredText(Func):
    """A timestamp column as SQLite stores it: text in UTC, "YYYY-MM-DD HH:MM:SS[.ffffff]".

    Skipping Django's per-value conversion to an aware datetime and back to text halves the
    cost of an open-data row on SQLite; `_isoformat` writes the same text `isoformat()` would.
    """

    template = "(%(expressions)s || '')"  # an expression, so sqlite3 does not convert it
    output_field = TextField()


class _UtcText(Func):
    """A timestamp as PostgreSQL text in the same form as SQLite's, "YYYY-MM-DD
    HH:MM:SS[.ffffff]" in UTC (fraction only when non-zero, as `isoformat()` does).

    Parsing two timestamps per row into datetimes and formatting them back cost a third of
    this process's time per GeoJSON row on PostgreSQL; the server writes the text instead.
    """

    template = (
        "(to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || "
        "CASE WHEN date_trunc('second', %(expressions)s) = %(expressions)s THEN '' "
        "ELSE to_char(%(expressions)s AT TIME ZONE 'UTC', '.US') END)"
    )
    output_field = TextField()


def _stored_timestamps():
    if connection.vendor == "sqlite" and connection.timezone_name == "UTC":
        return _StoredText
    if connection.vendor == "postgresql" and connection.timezone_name == "UTC":
        return _UtcText
    return F


def _isoformat(value) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        return f"{value[:10]}T{value[11:]}+00:00"
    return value.isoformat()


def service_point_open_values(*, base_url: str, chunk_size: int = 5000) -> Iterator[tuple]:
    """Published points as open-data rows: tuples in OPEN_COLUMNS order, streamed.

    Never the contact person or their phone. Rows come from `.iterator()` (a server-side
    cursor on PostgreSQL) as plain tuples; agencies and division names are looked up once
    per distinct value and shared between rows, so the cost per row is a handful of
    operations and memory does not grow with the data set.
    """

    base = base_url.rstrip("/")
    stamps = _stored_timestamps()
    agencies = {
        pk: (code, name_th, name_en)
        for pk, code, name_th, name_en in Agency.objects.filter(
            pk__in=published().values("agency_id")
        ).values_list("pk", "code", "name_th", "name_en")
    }
    rows = (
        published()
        .order_by("pk")
        .annotate(published=stamps("published_at"), updated=stamps("updated_at"))
        .values_list(
            "id",
            "name_th",
            "name_en",
            "agency_id",
            "house_number",
            "road",
            "subdistrict_code",
            "district_code",
            "province_code",
            "postcode",
            "latitude",
            "longitude",
            "phone",
            "opening_hours",
            "government",
            "published",
            "updated",
        )
    )
    places: dict[tuple[str, str, str], tuple] = {}
    for (
        pk,
        name_th,
        name_en,
        agency_id,
        house,
        road,
        sub,
        dist,
        prov,
        postcode,
        lat,
        lon,
        phone,
        hours,
        government,
        published_at,
        updated_at,
    ) in rows.iterator(chunk_size=chunk_size):
        place = places.get((sub, dist, prov))
        if place is None:
            n = divisions.names(province_code=prov, district_code=dist, subdistrict_code=sub)
            place = places[(sub, dist, prov)] = (
                (sub, n["subdistrict_th"], n["subdistrict_en"])
                + (dist, n["district_th"], n["district_en"])
                + (prov, n["province_th"], n["province_en"])
            )
        yield (
            (pk, name_th, name_en)
            + agencies[agency_id]
            + (house, road)
            + place
            + (
                postcode,
                round(lat, 7),
                round(lon, 7),
                phone,
                hours,
                "government",
                government,
                _isoformat(published_at),
                _isoformat(updated_at),
                f"{base}/service-points/{pk}/",
            )
        )


def service_point_open_rows(*, base_url: str, chunk_size: int = 5000) -> Iterator[dict]:
    """The same rows as dicts keyed by OPEN_COLUMNS (slower; for code that wants names)."""
    for values in service_point_open_values(base_url=base_url, chunk_size=chunk_size):
        yield dict(zip(OPEN_COLUMNS, values, strict=True))


def service_point_open_stats() -> dict:
    agg = published().aggregate(n=Count("id"), updated=Max("updated_at"))
    return {"count": agg["n"], "updated": agg["updated"]}


def service_point_bbox_ok(values: list[float]) -> bool:
    return len(values) == 4 and all(math.isfinite(v) for v in values)
