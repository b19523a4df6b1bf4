"""The open data set `service-points`: CSV, GeoJSON (RFC 7946) and XLSX, written as they stream.

Memory stays flat however many points there are: rows come from the database in chunks
(`selectors.service_point_open_values`, a server-side cursor on PostgreSQL), CSV and GeoJSON
are yielded a batch of rows at a time, and XLSX uses openpyxl's write-only workbook (rows go
to a temporary file as they are written).

Speed: rows are tuples in OPEN_COLUMNS order. GeoJSON is formatted with one precomputed
%-template per feature and the C string encoder that `json.dumps` itself uses, so the bytes
are the same as `json.dumps(geojson_feature(row), ensure_ascii=False, separators=(",", ":"))`
(tested) at a fraction of the cost; CSV goes through `csv.writer.writerows` per batch.
"""

import json
from collections.abc import Iterable, Iterator
from json.encoder import encode_basestring
from operator import itemgetter

from core import tabular
from service_points.selectors import OPEN_COLUMNS

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
