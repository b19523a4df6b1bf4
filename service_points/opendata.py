"""The open data set `service-points`: CSV, GeoJSON (RFC 7946) and XLSX, written as they stream.

Memory stays flat however many points there are: rows come from the database in chunks
(`selectors.service_point_open_values`, a server-side cursor on PostgreSQL), CSV and GeoJSON
are yielded a batch of rows at a time, and XLSX goes through core.tabular's streaming writer
into a temporary file.

XLSX is also published as a file (ADR 0017): named by a digest of what it holds (the
published points' count, last change and highest id, the agencies' last change, the base
URL), written to the default storage by the first request after a change and served as it
is after that, with its Last-Modified and ETag, so a download of 400,000 rows costs a file
read, and a conditional GET a 304.

Speed: rows are tuples in OPEN_COLUMNS order. GeoJSON is formatted with one precomputed
%-template per feature and the C string encoder that `json.dumps` itself uses, so the bytes
are the same as `json.dumps(geojson_feature(row), ensure_ascii=False, separators=(",", ":"))`
(tested) at a fraction of the cost; CSV goes through `csv.writer.writerows` per batch.
"""

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from json.encoder import encode_basestring
from operator import itemgetter

from django.core.files import File
from django.core.files.storage import default_storage
from django.db.models import Count, Max

from agencies.models import Agency
from core import tabular
from service_points.selectors import OPEN_COLUMNS, published, service_point_open_values

GEOJSON_PROPERTIES = [c for c in OPEN_COLUMNS if c not in ("latitude", "longitude")]
BATCH = 1000

# One feature is one %-template, its members in GEOJSON_PROPERTIES order (the byte-for-byte
# test against json.dumps keeps it so). Members that follow from a code (an agency's names
# from its code, division names from the division codes) are encoded once per code.
_FEATURE = (
    '{"type":"Feature","id":%d,"geometry":{"type":"Point","coordinates":[%r,%r]},'
    '"properties":{"id":%d,"name_th":%s,"name_en":%s,%s,"house_number":%s,"road":%s,%s,'
    '"postcode":%s,"phone":%s,"opening_hours":%s,"office":%s,"government":%s,'
    '"published_at":%s,"updated_at":%s,"url":%s}}'
)
_AGENCY = ["agency_code", "agency_name_th", "agency_name_en"]
_PLACE = [
    "subdistrict_code",
    "subdistrict_name_th",
    "subdistrict_name_en",
    "district_code",
    "district_name_th",
    "district_name_en",
    "province_code",
    "province_name_th",
    "province_name_en",
]
_TEXTS = ["name_th", "name_en", "house_number", "road", "postcode", "phone", "opening_hours"]
_TEXTS += ["office", "government", "published_at", "updated_at", "url"]


def _columns(names: list[str]) -> itemgetter:
    return itemgetter(*(OPEN_COLUMNS.index(name) for name in names))


def _members(names: list[str]) -> str:
    return ",".join(f"{json.dumps(name)}:%s" for name in names)


_ID, _LAT, _LON = (OPEN_COLUMNS.index(c) for c in ("id", "latitude", "longitude"))
_AGENCY_CODE = OPEN_COLUMNS.index("agency_code")
_place_codes = _columns(["subdistrict_code", "district_code", "province_code"])
_agency_values, _place_values, _text_values = _columns(_AGENCY), _columns(_PLACE), _columns(_TEXTS)
_AGENCY_MEMBERS, _PLACE_MEMBERS = _members(_AGENCY), _members(_PLACE)


class _FeatureWriter:
    """Formats one feature: the same text as json.dumps(geojson_feature(row), compact)."""

    def __init__(self) -> None:
        self.agencies: dict[str, str] = {}
        self.places: dict[tuple, str] = {}

    def __call__(self, row: tuple) -> str:
        encode = encode_basestring  # json's own C string encoder (ensure_ascii=False)
        agency = self.agencies.get(row[_AGENCY_CODE])
        if agency is None:
            agency = _AGENCY_MEMBERS % tuple(map(encode, _agency_values(row)))
            self.agencies[row[_AGENCY_CODE]] = agency
        codes = _place_codes(row)
        place = self.places.get(codes)
        if place is None:
            place = self.places[codes] = _PLACE_MEMBERS % tuple(map(encode, _place_values(row)))
        (
            name_th,
            name_en,
            house,
            road,
            postcode,
            phone,
            hours,
            office,
            gov,
            published,
            updated,
            url,
        ) = map(encode, _text_values(row))
        pk = row[_ID]
        return _FEATURE % (
            pk, row[_LON], row[_LAT], pk, name_th, name_en, agency, house, road, place,
            postcode, phone, hours, office, gov, published, updated, url,
        )  # fmt: skip


def csv_chunks(rows: Iterable[tuple]) -> Iterator[str]:
    """Through the one safe tabular writer: formulas escaped, control characters dropped."""
    return tabular.csv_chunks(OPEN_COLUMNS, rows)


def geojson_feature(row: dict) -> dict:
    """One feature as a dict: the reference the fast template is tested against."""
    properties = {k: row[k] for k in GEOJSON_PROPERTIES}
    return {
        "type": "Feature",
        "id": row["id"],
        # RFC 7946: WGS 84, longitude first; no "crs" member.
        "geometry": {"type": "Point", "coordinates": [row["longitude"], row["latitude"]]},
        "properties": properties,
    }


def geojson_chunks(rows: Iterable[tuple]) -> Iterator[str]:
    feature = _FeatureWriter()
    yield '{"type":"FeatureCollection","features":['
    separator = ""
    buffer: list[str] = []
    for row in rows:
        buffer.append(separator + feature(row))
        separator = ","
        if len(buffer) >= BATCH:
            yield "".join(buffer)
            buffer.clear()
    buffer.append("]}")
    yield "".join(buffer)


def xlsx_file(rows: Iterable[tuple]):
    """A temporary file holding the workbook, positioned at its start."""
    return tabular.xlsx_file([tabular.Sheet("service-points", OPEN_COLUMNS, rows)])


XLSX_DIR = "opendata"
XLSX_PREFIX = "service-points-"
XLSX_FORMAT = 2  # bump when the workbook's layout changes, so older files are not served


@dataclass(frozen=True)
class XlsxState:
    name: str  # the published file's name in the default storage
    etag: str
    last_modified: datetime | None


def xlsx_state(*, base_url: str) -> XlsxState:
    """What the current XLSX holds, from two aggregate queries: every write path of a point
    sets its `updated_at` and publishing or archiving one changes the count or the highest
    id; an agency's rename moves its `updated_at`."""
    points = published().aggregate(n=Count("id"), last=Max("updated_at"), top=Max("id"))
    agencies = Agency.objects.aggregate(last=Max("updated_at"))
    key = repr((points["n"], points["last"], points["top"], agencies["last"], base_url))
    digest = hashlib.sha256(f"{XLSX_FORMAT}|{key}".encode()).hexdigest()[:24]
    changes = [t for t in (points["last"], agencies["last"]) if t is not None]
    return XlsxState(
        name=f"{XLSX_DIR}/{XLSX_PREFIX}{digest}.xlsx",
        etag=f'"{digest}"',
        last_modified=max(changes) if changes else None,
    )


def xlsx_published(*, state: XlsxState, base_url: str):
    """The published XLSX, opened for reading; written first if this state has none yet
    (two requests at once may both write it: the second copy is dropped)."""
    if not default_storage.exists(state.name):
        with xlsx_file(service_point_open_values(base_url=base_url)) as handle:
            saved = default_storage.save(state.name, File(handle, name=state.name))
        if saved != state.name:
            default_storage.delete(saved)
        _drop_older(state.name)
    return default_storage.open(state.name, "rb")


def _drop_older(current: str) -> None:
    """Older versions are regenerated on demand, so they are not kept."""
    try:
        _dirs, files = default_storage.listdir(XLSX_DIR)
    except FileNotFoundError:
        return
    for name in files:
        path = f"{XLSX_DIR}/{name}"
        if name.startswith(XLSX_PREFIX) and name.endswith(".xlsx") and path != current:
            default_storage.delete(path)
