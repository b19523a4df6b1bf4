"""The one safe tabular writer: every CSV and XLSX the portal hands out goes through here.

Two things make a spreadsheet a weapon or break it, and both are dealt with per cell:

* **Formula injection** (OWASP "CSV injection"): a text cell that starts with ``=``, ``+``,
  ``-``, ``@``, a tab or a carriage return is run as a formula by Excel, LibreOffice and
  Google Sheets (``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``). Such a cell gets a leading
  apostrophe, which spreadsheets show as text. Text made only of digits, spaces and
  ``+-().`` (a phone number such as ``+66 2 141 7000``, a negative figure) cannot call a
  function or name a cell, so it is left as it is: open data keeps its phone numbers.
* **Characters XML forbids** (U+0000–U+0008, U+000B, U+000C, U+000E–U+001F, lone
  surrogates, U+FFFE, U+FFFF) make an XLSX unreadable, and openpyxl refuses them with an
  exception (a 500 for everyone who asks for the file). They, the other C0/C1 controls and
  the bidirectional overrides (which make text lie about itself) are dropped; tab, line feed
  and carriage return inside a cell are kept. A cell longer than XLSX's 32,767 characters is
  cut there.

XLSX is written with XlsxWriter in ``constant_memory`` mode: rows go straight to a temporary
file, so memory stays flat at any size, and it was the faster of the two engines measured
(``bench/tabular_xlsx.py``, figures in docs/benchmarks.md). Its own guessing is switched off
(no string becomes a formula, a URL or a number).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils.functional import Promise

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_MAX_CELL = 32_767
CSV_BATCH_ROWS = 1000

# Controls (C0 less tab/LF/CR, DEL, C1), surrogates, XML's non-characters, and the bidi
# embeddings/overrides/isolates.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069]"
)
_FORMULA_START = frozenset("=+-@\t\r")
_PLAIN_NUMBER = re.compile(r"[+\-]?[0-9][0-9 ().+\-]*\Z")
_SHEET_TITLE_UNSAFE = re.compile(r"[\[\]:*?/\\]")


def safe_text(text: str) -> str:
    """A text cell that no spreadsheet will run and every XLSX reader accepts."""
    if _UNSAFE.search(text):
        text = _UNSAFE.sub("", text)
    if text and text[0] in _FORMULA_START and not _PLAIN_NUMBER.match(text):
        text = "'" + text
    if len(text) > XLSX_MAX_CELL:
        text = text[:XLSX_MAX_CELL]
    return text


def safe_cell(value: Any) -> Any:
    """Numbers, dates, booleans and None pass; everything else becomes safe text."""
    if value is None or isinstance(value, bool | int | float | Decimal | dt.date):
        return value
    if isinstance(value, Promise):
        value = str(value)
    return safe_text(value if isinstance(value, str) else str(value))


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_text(v) if type(v) is str else safe_cell(v) for v in row]


# -- CSV ------------------------------------------------------------------------------------


def csv_chunks(
    headers: Sequence[Any], rows: Iterable[Iterable[Any]], *, bom: bool = False
) -> Iterator[str]:
    """CSV text a batch of rows at a time (RFC 4180 line ends); memory stays flat."""
    buffer = io.StringIO()
    if bom:
        buffer.write("\ufeff")  # Excel opens UTF-8 Thai correctly only with the BOM
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(safe_row(headers))
    batch: list[list[Any]] = []
    for row in rows:
        batch.append(safe_row(row))
        if len(batch) >= CSV_BATCH_ROWS:
            writer.writerows(batch)
            batch.clear()
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    writer.writerows(batch)
    yield buffer.getvalue()


def csv_response(
    headers: Sequence[Any], rows: Iterable[Iterable[Any]], *, filename: str, bom: bool = True
) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        csv_chunks(headers, rows, bom=bom), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# -- XLSX -----------------------------------------------------------------------------------


@dataclass
class Sheet:
    """One worksheet: a header row (bold) and the rows under it."""

    title: str
    headers: Sequence[Any]
    rows: Iterable[Iterable[Any]]
    freeze: tuple[int, int] | None = None  # (row, column) of the first cell that scrolls
    widths: dict[int, float] = field(default_factory=dict)  # column index -> width
    thousands: bool = False  # whole numbers shown as 40,000 (report figures, not ids)


def sheet_title(title: Any, taken: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    base = _SHEET_TITLE_UNSAFE.sub(" ", _UNSAFE.sub("", str(title))).strip(" '")[:31] or "Sheet"
    name, n = base, 1
    while name.casefold() in taken:
        n += 1
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)] + suffix
    taken.add(name.casefold())
    return name


def xlsx_write(sheets: Iterable[Sheet], out: IO[bytes]) -> None:
    """Write the workbook to a binary file object (kept open, left at its end)."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        out,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "remove_timezone": True,
            "tmpdir": tempfile.gettempdir(),
        },
    )
    bold = workbook.add_format({"bold": True})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    datetime_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    thousands_format = workbook.add_format({"num_format": "#,##0"})
    taken: set[str] = set()
    for spec in sheets:
        sheet = workbook.add_worksheet(sheet_title(spec.title, taken))
        for column, width in spec.widths.items():
            sheet.set_column(column, column, width)
        if spec.freeze:
            sheet.freeze_panes(*spec.freeze)
        sheet.write_row(0, 0, safe_row(spec.headers), bold)
        write_string, write_row = sheet.write_string, sheet.write_row
        r = 0
        for r, row in enumerate(spec.rows, start=1):  # noqa: B007 - r is the last row below
            cells = safe_row(row)
            if all(type(c) is str for c in cells):
                # The common open-data row: write_string skips write()'s type dispatch.
                for c, text in enumerate(cells):
                    if text:
                        write_string(r, c, text)
                continue
            for c, value in enumerate(cells):
                if value is None or value == "":
                    continue
                if isinstance(value, dt.datetime):
                    sheet.write_datetime(r, c, value, datetime_format)
                elif isinstance(value, dt.date):
                    sheet.write_datetime(r, c, value, date_format)
                elif isinstance(value, str):
                    write_string(r, c, value)
                elif isinstance(value, Decimal):
                    sheet.write_number(r, c, float(value))
                elif spec.thousands and type(value) is int:
                    sheet.write_number(r, c, value, thousands_format)
                else:
                    write_row(r, c, [value])
    workbook.close()


def xlsx_file(sheets: Iterable[Sheet]) -> IO[bytes]:
    """A temporary file holding the workbook, positioned at its start."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response
    xlsx_write(sheets, handle)
    handle.seek(0)
    return handle


def xlsx_bytes(sheets: Iterable[Sheet]) -> bytes:
    out = io.BytesIO()
    xlsx_write(sheets, out)
    return out.getvalue()


def xlsx_response(sheets: Iterable[Sheet], *, filename: str) -> FileResponse:
    return FileResponse(
        xlsx_file(sheets), as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )
