import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from service_points.importer import service_point_import
from service_points.models import ServicePoint
from service_points.tests.factories import ServicePointFactory

pytestmark = pytest.mark.django_db
HEADER = "name_th,name_en,subdistrict_code,postcode,latitude,longitude,phone,contact_name\n"
GOOD = "จุดหนึ่ง,Point one,100101,10200,13.75,100.4913,021234567,สมชาย\n"


def test_good_csv_creates_drafts(agency_a, officer_a):
    result = service_point_import(
        agency=agency_a, by=officer_a, data=(HEADER + GOOD).encode(), filename="p.csv"
    )
    assert result.ok and result.created == 1
    point = ServicePoint.objects.get()
    assert point.status == "draft" and point.province_code == "10" and point.district_code == "1001"
    assert point.changes.get().source == "import"


def test_any_bad_row_imports_nothing_and_lists_every_error(agency_a, officer_a):
    rows = (
        HEADER
        + GOOD
        + "จุดสอง,Two,100101,10200,21.03,105.85,021234567,ก\n"  # Hanoi
        + "จุดสาม,Three,999999,10200,13.75,100.49,021234567,ข\n"  # unknown subdistrict
        + ",Four,100101,10200,abc,100.49,12,ค\n"
    )  # several problems
    result = service_point_import(
        agency=agency_a, by=officer_a, data=rows.encode(), filename="p.csv"
    )
    assert not result.ok
    lines = {line for line, _message in result.errors}
    assert lines == {3, 4, 5}
    assert not ServicePoint.objects.exists()


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"\xff\xfe\x00bad", "p.csv", "UTF-8"),
        (b"name_th\nx\n", "p.csv", "Missing columns"),
        (b"PK\x03\x04 broken", "p.xlsx", "Excel"),
        (b"whatever", "p.pdf", ".csv or .xlsx"),
        (HEADER.encode(), "p.csv", "no rows"),
    ],
)
def test_bad_files_are_refused(agency_a, officer_a, data, filename, message):
    from django.utils import translation

    with translation.override("en"):
        result = service_point_import(agency=agency_a, by=officer_a, data=data, filename=filename)
    assert not result.ok and message in result.errors[0][1]
    assert not ServicePoint.objects.exists()


def test_xlsx_import_and_update_by_id(agency_a, officer_a):
    point = ServicePointFactory(agency=agency_a, name_en="Old")
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["id", *HEADER.strip().split(",")])
    sheet.append(
        [
            point.pk,
            point.name_th,
            "New",
            "100101",
            "10200",
            point.latitude,
            point.longitude,
            "021234567",
            "สมชาย",
        ]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = service_point_import(
        agency=agency_a, by=officer_a, data=buffer.getvalue(), filename="p.xlsx"
    )
    assert result.ok and result.updated == 1
    point.refresh_from_db()
    assert point.name_en == "New"
    assert point.changes.filter(kind="edited", source="import").exists()


def test_cannot_update_another_agencys_point(agency_a, officer_a, agency_b):
    other = ServicePointFactory(agency=agency_b)
    data = ("id," + HEADER + f"{other.pk}," + GOOD).encode()
    result = service_point_import(agency=agency_a, by=officer_a, data=data, filename="p.csv")
    assert not result.ok and "another agency" in result.errors[0][1] or not result.ok
    other.refresh_from_db()
    assert other.agency == agency_b and other.name_en != "Point one"


def test_import_page(client, officer_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(officer_a)
    bad = SimpleUploadedFile("p.csv", (HEADER + "x,y,1,2,3,4,5,6\n").encode())
    response = client.post(reverse("service_points:import"), {"file": bad})
    assert response.status_code == 400 and "error-summary" in response.content.decode()
    good = SimpleUploadedFile("p.csv", (HEADER + GOOD).encode())
    response = client.post(reverse("service_points:import"), {"file": good})
    assert response.status_code == 302 and ServicePoint.objects.count() == 1
