"""Complaint figures in the progress reports' XLSX (core.tabular) and PDF exports."""

import io
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from complaints.models import Route
from complaints.tests.factories import category, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed(agency_a):
    Route.objects.create(category=category("road"), province_code="10", agency=agency_a)
    submit()
    fixed = submit()
    fixed.fix()
    fixed.save()
    submit(category=category("other"), latitude=7.0, longitude=100.5)  # fallback queue


def _sheet(response, title: str):
    book = load_workbook(io.BytesIO(response.content))
    sheet = book[title]
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_the_national_xlsx_has_a_complaints_sheet(client, filed, overseer):
    client.force_login(overseer)
    response = client.get("/progress/dashboard/report.xlsx")
    assert response.status_code == 200
    rows = _sheet(response, "เรื่องร้องเรียน")
    assert rows[0][:6] == ["หน่วยงาน", "เรื่องที่ได้รับ", "กำลังดำเนินการ", "แก้ไขแล้ว",
                           "ปิดเรื่อง", "เกินกำหนด"]  # fmt: skip
    assert rows[1][0] == "กรมเอ" and rows[1][1:4] == [2, 1, 1]
    total = rows[-1]
    assert total[1:4] == [3, 2, 1]  # the fallback queue's counts in the nation's total
    assert len(rows) == 3


def test_the_agency_xlsx_has_its_complaint_figures(client, filed, overseer):
    client.force_login(overseer)
    response = client.get("/progress/agencies/agency-a/report.xlsx")
    assert response.status_code == 200
    rows = _sheet(response, "เรื่องร้องเรียน")
    assert rows[1][:4] == ["กรมเอ", 2, 1, 1]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils reads the PDF")
@pytest.mark.parametrize(
    "url", ["/progress/dashboard/report.pdf", "/progress/agencies/agency-a/report.pdf"]
)
def test_the_pdfs_show_the_complaint_figures(client, filed, overseer, tmp_path, url):
    client.force_login(overseer)
    response = client.get(url)
    assert response.status_code == 200
    path = tmp_path / "report.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "".join(text.split()).count("เรื่องร้องเรียนจากประชาชน") == 1
