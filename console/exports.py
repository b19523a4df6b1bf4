"""The follow-up list as CSV or XLSX, through the project's formula-escaping helper."""

import csv
import io
from collections.abc import Iterator

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from console.selectors import followup_rows
from readiness.exports import XLSX_TYPE
from readiness.exports import _safe as safe_cell

BATCH = 2000


def headers() -> list[str]:
    return [
        _("Code"),
        _("Agency"),
        _("Ministry"),
        _("Provinces"),
        _("Contact person"),
        _("Phone"),
        _("Email"),
        _("Registered"),
        _("Pinned"),
        _("Surveyed"),
        _("Copy-free"),
    ]


def rows(agencies) -> Iterator[list]:
    yes, no = _("yes"), _("no")
    for start in range(0, agencies.count(), BATCH):
        for row in followup_rows(agencies[start : start + BATCH]):
            contact = row.contact
            yield [
                safe_cell(value)
                for value in [
                    row.agency.code,
                    row.agency.name_th,
                    row.ministry.name_th,
                    ", ".join(row.provinces),
                    contact.get_full_name() if contact else "",
                    getattr(contact, "phone", "") if contact else "",
                    contact.email if contact else "",
                    yes if row.registered else no,
                    yes if row.pinned else no,
                    yes if row.surveyed else no,
                    yes if row.copy_free else no,
                ]
            ]


def _filename(extension: str) -> str:
    return f"follow-up-{timezone.localdate().isoformat()}.{extension}"


def as_csv(agencies) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel opens UTF-8 Thai correctly only with the BOM
    writer = csv.writer(buffer)
    writer.writerow(headers())
    writer.writerows(rows(agencies))
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response


def as_xlsx(agencies) -> HttpResponse:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("follow-up"))
    sheet.append(headers())
    for row in rows(agencies):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename("xlsx")}"'
    return response
