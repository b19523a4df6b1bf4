import csv
import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from service_points.importer import service_point_import
from service_points.models import ServicePoint
from service_points.selectors import OPEN_COLUMNS
from service_points.tests.factories import PublishedPointFactory, ServicePointFactory

pytestmark = pytest.mark.django_db


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_csv_is_utf8_with_snake_case_columns_and_no_personal_data(client, agency_a):
    PublishedPointFactory(agency=agency_a, name_th="จุดเปิด", contact_name="นายลับ")
    ServicePointFactory(agency=agency_a, name_th="ร่างลับ")
    text = _body(client.get(reverse("service_points:opendata_csv"))).decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == OPEN_COLUMNS
    assert [r["name_th"] for r in rows] == ["จุดเปิด"]
    assert rows[0]["office"] == "government" and rows[0]["government"] == "administrative"
    assert "นายลับ" not in text and "0812345678" not in text and "ร่างลับ" not in text


def _check_rfc7946(document: dict) -> None:
    """The parts of RFC 7946 a point collection can get wrong."""
    assert document["type"] == "FeatureCollection"
    assert "crs" not in document
    for feature in document["features"]:
        assert feature["type"] == "Feature"
        assert set(feature) <= {"type", "id", "geometry", "properties", "bbox"}
        assert isinstance(feature["id"], (str, int))
        geometry = feature["geometry"]
        assert geometry["type"] == "Point"
        lon, lat = geometry["coordinates"]  # longitude first (section 3.1.1)
        assert -180 <= lon <= 180 and -90 <= lat <= 90
        assert isinstance(feature["properties"], dict)
        assert "latitude" not in feature["properties"]


def test_geojson_is_rfc7946(client):
    point = PublishedPointFactory(latitude=13.75, longitude=100.49)
    response = client.get(reverse("service_points:opendata_geojson"))
    assert response["Content-Type"] == "application/geo+json"
    document = json.loads(_body(response))
    _check_rfc7946(document)
    feature = document["features"][0]
    assert feature["id"] == point.pk
    assert feature["geometry"]["coordinates"] == [100.49, 13.75]
    assert "contact_name" not in feature["properties"]


def test_xlsx(client):
    PublishedPointFactory(name_th="จุดเอ็กเซล")
    response = client.get(reverse("service_points:opendata_xlsx"))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert list(rows[0]) == OPEN_COLUMNS
    assert rows[1][1] == "จุดเอ็กเซล"


def test_xlsx_is_published_once_and_served_as_a_file_until_a_point_changes(
    client, monkeypatch, officer_a
):
    from service_points import opendata, services

    point = PublishedPointFactory(name_th="จุดแรก", agency=officer_a.agency)
    written = []
    real = opendata.xlsx_file
    monkeypatch.setattr(opendata, "xlsx_file", lambda rows: written.append(1) or real(rows))

    def names():
        response = client.get(reverse("service_points:opendata_xlsx"))
        assert response.status_code == 200 and response["ETag"] and response["Last-Modified"]
        workbook = load_workbook(io.BytesIO(_body(response)), read_only=True)
        return [row[1] for row in list(workbook.worksheets[0].iter_rows(values_only=True))[1:]]

    assert names() == ["จุดแรก"]
    assert names() == ["จุดแรก"]
    assert len(written) == 1  # the second download read the published file
    services.service_point_update(point=point, by=officer_a, fields={"name_th": "จุดใหม่"})
    assert names() == ["จุดใหม่"]
    assert len(written) == 2
    PublishedPointFactory(name_th="จุดสอง")
    assert names() == ["จุดใหม่", "จุดสอง"]


def test_xlsx_conditional_get_answers_304_until_it_changes(client):
    PublishedPointFactory()
    url = reverse("service_points:opendata_xlsx")
    first = client.get(url)
    assert first.status_code == 200
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    PublishedPointFactory()
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_dcat_catalog_has_the_ckan_fields(client):
    PublishedPointFactory()
    response = client.get(reverse("service_points:opendata_catalog"))
    assert response["Content-Type"] == "application/ld+json"
    data = response.json()
    dataset = data["dcat:dataset"][0]
    for key in [
        "dct:title",
        "dct:description",
        "dct:publisher",
        "dct:license",
        "dct:accrualPeriodicity",
        "dct:spatial",
        "dcat:distribution",
    ]:
        assert dataset[key], key
    assert {d["dct:format"] for d in dataset["dcat:distribution"]} == {"CSV", "GeoJSON", "XLSX"}
    extras = dataset["ckan:extras"]
    assert extras["record_count"] == 1 and extras["license_id"]


def test_csv_round_trips_through_the_bulk_import(client, agency_a, officer_a, agency_b, officer_b):
    for i in range(3):
        PublishedPointFactory(
            agency=agency_a, name_th=f"จุด {i}", latitude=13.75 + i * 0.01, longitude=100.49
        )
    data = _body(client.get(reverse("service_points:opendata_csv")))
    # Back into the same agency: every row matches its point, nothing changes.
    same = service_point_import(agency=agency_a, by=officer_a, data=data, filename="x.csv")
    assert same.ok and (same.created, same.updated, same.unchanged) == (0, 0, 3)
    # Into a fresh copy of the agency (ids unknown there): the same points, as drafts.
    ServicePoint.objects.all().update(status="archived")
    text = data.decode().replace("agency-a", "")
    rows = list(csv.DictReader(io.StringIO(text)))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=OPEN_COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "id": ""})
    fresh = service_point_import(
        agency=agency_b, by=officer_b, data=buffer.getvalue().encode(), filename="x.csv"
    )
    assert fresh.ok, fresh.errors
    assert fresh.created == 3
    names = set(ServicePoint.objects.filter(agency=agency_b).values_list("name_th", flat=True))
    assert names == {"จุด 0", "จุด 1", "จุด 2"}


def test_fast_geojson_and_csv_write_what_json_and_dictwriter_would(agency_a):
    """The template writer gives the same bytes as json.dumps of the reference feature, for
    awkward text too; CSV the same as csv.DictWriter."""
    from core.tabular import safe_row
    from service_points import opendata, selectors

    PublishedPointFactory(
        agency=agency_a,
        name_th='สำนักงาน "คำพูด" \\ ทับ\nบรรทัดใหม่\t\x01',
        name_en="Office </script> & ✓",
        road="",
        opening_hours="จันทร์–ศุกร์ 08:30–16:30",
        latitude=13.7,
        longitude=100.5,
    )
    PublishedPointFactory(latitude=18.7883311, longitude=98.9853001, published_at=None)
    values = list(selectors.service_point_open_values(base_url="https://x.example/"))
    rows = [dict(zip(OPEN_COLUMNS, v, strict=True)) for v in values]
    assert rows[0]["published_at"].endswith("+00:00") or rows[0]["published_at"] == ""
    assert rows[1]["published_at"] == "" and rows[1]["updated_at"].endswith("+00:00")
    expected = (
        '{"type":"FeatureCollection","features":['
        + ",".join(
            json.dumps(opendata.geojson_feature(r), ensure_ascii=False, separators=(",", ":"))
            for r in rows
        )
        + "]}"
    )
    assert "".join(opendata.geojson_chunks(values)) == expected
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=OPEN_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    # CSV goes through the one safe tabular writer: the control character is dropped.
    writer.writerows(dict(zip(OPEN_COLUMNS, safe_row(v), strict=True)) for v in values)
    written = "".join(opendata.csv_chunks(values))
    assert written == buffer.getvalue()
    assert "\x01" not in written and "บรรทัดใหม่\t" in written


def test_open_rows_give_aware_utc_timestamps_as_isoformat():
    from django.utils import timezone

    from service_points import selectors

    stamp = timezone.now().replace(microsecond=0)
    point = PublishedPointFactory(published_at=stamp, updated_at=stamp.replace(microsecond=5))
    (row,) = selectors.service_point_open_rows(base_url="https://x.example")
    point.refresh_from_db()
    assert row["published_at"] == point.published_at.isoformat()
    assert row["updated_at"] == point.updated_at.isoformat()
    assert row["published_at"].endswith("+00:00")
