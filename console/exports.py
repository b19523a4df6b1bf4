"""The follow-up list as CSV or XLSX, through the project's one safe writer (core.tabular)."""

from collections.abc import Iterator

from django.http import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _

from console.selectors import followup_rows
from core import tabular

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


def _filename(extension: str) -> str:
    return f"follow-up-{timezone.localdate().isoformat()}.{extension}"


def as_csv(agencies) -> HttpResponseBase:
    return tabular.csv_response(headers(), rows(agencies), filename=_filename("csv"))


def as_xlsx(agencies) -> HttpResponseBase:
    sheet = tabular.Sheet(_("follow-up"), headers(), rows(agencies), freeze=(1, 1))
    return tabular.xlsx_response([sheet], filename=_filename("xlsx"))
