import io
import os
import re
import shutil
import subprocess

import pytest
from django.urls import reverse

from progress.tests.conftest import register

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils")


def _pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    if os.environ.get("PROGRESS_PDF_OUT"):  # to look at it: pdftoppm -png <file> page
        shutil.copy(path, os.environ["PROGRESS_PDF_OUT"])
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def _thai(text: str) -> str:
    """Compare Thai without layout: pdftotext may split a big bold heading's stacked marks
    onto their own line. (Sara am is read right since issue 16: see the test below.)"""
    return "".join(text.replace("ำ", "า").split())


def test_national_pdf_has_thai_text_in_sarabun(client, world, overseer, tmp_path):
    client.force_login(overseer)
    response = client.get(reverse("progress:export", kwargs={"kind": "pdf"}))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    text = _pdf_text(response.content, tmp_path)
    # Whole Thai words with their vowels and tone marks, as the reader typed them.
    assert "กระทรวงมหาดไทย" in text
    assert "กระทรวงการคลัง" in text
    assert "ระยะที่ 1" in text
    assert _thai("หน่วยงานที่ปักหมุดแล้วตอบแบบสำรวจความพร้อม") in _thai(text)
    fonts = subprocess.run(
        ["pdffonts", str(tmp_path / "report.pdf")], capture_output=True, text=True
    ).stdout
    assert "Sarabun" in fonts


def test_agency_pdf_lists_its_processes(client, world, overseer, tmp_path):
    client.force_login(overseer)
    response = client.get(
        reverse("progress:agency_export", kwargs={"code": world.u1.code, "kind": "pdf"})
    )
    text = _pdf_text(response.content, tmp_path)
    assert "กรมการปกครอง" in text  # the parent, in the lead line
    assert _thai("การทำบัตรประจำตัวประชาชน") in _thai(text)
    assert "กระบวนงานในคู่มือประชาชน" in text


def test_agency_xlsx_has_checklist_and_processes(client, world, overseer):
    from openpyxl import load_workbook

    register(world.u2)
    client.force_login(overseer)
    response = client.get(
        reverse("progress:agency_export", kwargs={"code": world.u1.code, "kind": "xlsx"})
    )
    assert response["Content-Disposition"].endswith('u-district.xlsx"')
    book = load_workbook(io.BytesIO(response.content))
    checklist, processes = book.worksheets[0], book.worksheets[1]
    assert checklist.max_row == 6
    assert processes.max_row == 4  # header + three processes


def test_the_text_layer_reads_sara_am_and_the_pdf_is_tagged(client, world, overseer, tmp_path):
    """Issue 16: searching a report for "สำเนา" finds it (pdftotext once read "สาเนา")."""
    client.force_login(overseer)
    response = client.get(reverse("progress:export", kwargs={"kind": "pdf"}))
    text = "".join(_pdf_text(response.content, tmp_path).split())
    assert "สำเนา" in text
    assert "สาเนา" not in text and "สำเนำ" not in text
    assert "แบบสำรวจความพร้อม" in text
    assert "40,000" in text  # thousands separators in the PDF too
    info = subprocess.run(
        ["pdfinfo", str(tmp_path / "report.pdf")], capture_output=True, text=True
    ).stdout
    assert re.search(r"Tagged:\s+yes", info)
    response = client.get(
        reverse("progress:agency_export", kwargs={"code": world.u1.code, "kind": "pdf"})
    )
    assert "การทำบัตรประจำตัวประชาชน" in "".join(_pdf_text(response.content, tmp_path).split())


def test_the_text_layer_reads_sara_am_after_a_tone_mark_in_nfc(client, world, overseer, tmp_path):
    """Issue 16 follow-up: "น้ำ" (tone mark before ำ) reads as NFC "น้ำ", not "น้ํา"."""
    import unicodedata

    from manual.tests.factories import make_service

    words = ["น้ำ", "สำเนา", "ทำ", "ค่ำ", "ป้ำ", "ก๋ำ"]
    make_service(agency=world.u1, name_th="การขอใช้" + " ".join(words))
    client.force_login(overseer)
    response = client.get(
        reverse("progress:agency_export", kwargs={"code": world.u1.code, "kind": "pdf"})
    )
    text = _pdf_text(response.content, tmp_path)
    assert unicodedata.normalize("NFC", text) == text
    assert "\u0e4d" not in text  # no NIKHAHIT left over from the drawn decomposition
    assert "\ue032" not in text and "\ue033" not in text  # no private code points
    flat = "".join(text.split())
    for word in words:
        assert word in flat, word
    assert "น้ํา" not in flat and "ค่ํา" not in flat
