"""The monthly anonymised open data set of complaints, like Traffy Fondue's published fields:
no text, no photos, no personal data, the place snapped to a 0.001° grid (about 100 m), held
complaints left out. CSV and GeoJSON per month; DCAT entries beside the service points' ones.
"""

import csv
import datetime
import io
import json
from collections.abc import Iterator

from django.urls import reverse
from django.utils import timezone

from complaints.models import Complaint

COLUMNS = [
    "reference",
    "category",
    "agency_code",
    "agency_name",
    "province_code",
    "latitude",
    "longitude",
    "state",
    "status",
    "filed",
    "state_changed",
    "fixed",
    "deadline",
    "supporters",
    "reopened",
]
GRID = 3  # decimals: 0.001° ≈ 111 m of latitude


def _safe(value):
    """No spreadsheet formulas (the same escaping as the feedback export, until core has one)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def month_bounds(month: str) -> tuple[datetime.datetime, datetime.datetime] | None:
    try:
        start = datetime.datetime.strptime(month, "%Y-%m")
    except ValueError:
        return None
    tz = timezone.get_current_timezone()
    start = start.replace(tzinfo=tz)
    end = (start + datetime.timedelta(days=32)).replace(day=1)
    if start > timezone.now():
        return None
    return start, end


def months() -> list[str]:
    """Months with public complaints, newest first."""
    dates = Complaint.objects.filter(held=False).dates("created_at", "month", order="DESC")
    return [d.strftime("%Y-%m") for d in dates]


def _iso(value) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


def rows(month: str) -> Iterator[list]:
    bounds = month_bounds(month)
    if bounds is None:
        return
    qs = (
        Complaint.objects.filter(held=False, created_at__gte=bounds[0], created_at__lt=bounds[1])
        .select_related("category", "agency")
        .order_by("created_at", "pk")
    )
    for c in qs.iterator(chunk_size=2000):
        yield [
            c.reference,
            c.category.code,
            c.agency.code if c.agency else "",
            c.agency.name_th if c.agency else "",
            c.province_code,
            round(c.latitude, GRID),
            round(c.longitude, GRID),
            c.state,
            c.open311_status,
            _iso(c.created_at),
            _iso(c.state_changed_at),
            _iso(c.fixed_at),
            c.deadline.isoformat(),
            c.supporters,
            c.reopen_count,
        ]


def csv_chunks(month: str) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for n, row in enumerate(rows(month), 1):
        writer.writerow([_safe(v) for v in row])
        if n % 1000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def geojson_chunks(month: str) -> Iterator[str]:
    yield '{"type":"FeatureCollection","features":['
    first = True
    for row in rows(month):
        properties = dict(zip(COLUMNS, row, strict=True))
        lat, lon = properties.pop("latitude"), properties.pop("longitude")
        feature = {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": properties,
        }
        yield ("" if first else ",") + json.dumps(feature, ensure_ascii=False)
        first = False
    yield "]}"


def dcat_datasets(*, base_url: str) -> list[dict]:
    """One dcat:Dataset per month, for the catalogue at /opendata/catalog.jsonld."""
    base = base_url.rstrip("/")
    page = base + reverse("complaints:opendata")
    datasets = []
    for month in months():
        distributions = [
            {
                "@id": f"{base}{reverse('complaints:opendata_file', args=[month, ext])}",
                "@type": "dcat:Distribution",
                "dct:title": f"Complaints {month} ({label})",
                "dcat:downloadURL": {
                    "@id": base + reverse("complaints:opendata_file", args=[month, ext])
                },
                "dct:format": label,
                "dcat:mediaType": media,
                "dct:license": {"@id": "https://opendefinition.org/licenses/cc-by/"},
            }
            for ext, label, media in (
                ("csv", "CSV", "text/csv"),
                ("geojson", "GeoJSON", "application/geo+json"),
            )
        ]
        datasets.append(
            {
                "@id": f"{page}#{month}",
                "@type": "dcat:Dataset",
                "dct:identifier": f"citizeninfo-complaints-{month}",
                "dct:title": [
                    {"@language": "th", "@value": f"เรื่องร้องเรียนของประชาชน {month}"},
                    {"@language": "en", "@value": f"Citizens' complaints {month}"},
                ],
                "dct:description": [
                    {
                        "@language": "th",
                        "@value": "เรื่องร้องเรียนรายเดือน ไม่มีข้อความและข้อมูลส่วนบุคคล "
                        "ตำแหน่งปัดเป็นตาราง 0.001 องศา (ประมาณ 100 เมตร)",
                    },
                    {
                        "@language": "en",
                        "@value": "Monthly complaints: no text, no personal data, place "
                        "rounded to a 0.001° grid (about 100 m).",
                    },
                ],
                "dct:temporal": {"@type": "dct:PeriodOfTime", "dcat:startDate": f"{month}-01"},
                "dct:accrualPeriodicity": {"@id": "http://purl.org/cld/freq/monthly"},
                "dct:license": {"@id": "https://opendefinition.org/licenses/cc-by/"},
                "dcat:keyword": ["เรื่องร้องเรียน", "complaints", "Open311"],
                "dcat:landingPage": {"@id": page},
                "dcat:distribution": distributions,
            }
        )
    return datasets
