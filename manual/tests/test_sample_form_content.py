"""Issue 17: sample forms are PDF, DOCX or XLSX, checked by content, with unguessable names."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from manual.models import sample_form_path, validate_sample_form_file

PNG_WITH_PHP = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16 + b"<?php system($_GET['c']); ?>"


def _package(*names: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for name in names:
            package.writestr(name, "<x/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("form.png", PNG_WITH_PHP),
        ("form.pdf", PNG_WITH_PHP),
        ("form.docx", PNG_WITH_PHP),
        ("form.jpg", b"\xff\xd8\xff" + b"x" * 20),
        ("form.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"x" * 20),
        ("form.pdf", b"%PDF-1.7 no end marker <?php ?>"),
        ("form.docx", _package("[Content_Types].xml", "shell.php")),
        ("form.xlsx", _package("[Content_Types].xml", "word/document.xml")),
        ("form.docx", b"PK\x03\x04 not really a zip"),
    ],
)
def test_anything_but_a_real_pdf_docx_or_xlsx_is_refused(name, data):
    with pytest.raises(ValidationError):
        validate_sample_form_file(SimpleUploadedFile(name, data))


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("form.pdf", b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"),
        ("form.docx", _package("[Content_Types].xml", "word/document.xml")),
        ("form.xlsx", _package("[Content_Types].xml", "xl/workbook.xml")),
    ],
)
def test_real_documents_are_accepted(name, data):
    validate_sample_form_file(SimpleUploadedFile(name, data))


def test_stored_names_are_unguessable():
    class Form:
        service_id = 7

    first, second = sample_form_path(Form(), "a.pdf"), sample_form_path(Form(), "a.pdf")
    assert first != second and first.endswith(".pdf")
    assert len(first.rsplit("/", 1)[-1]) >= 32
