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

XLSX is written by a streaming writer of its own (ADR 0016): each sheet's XML, with inline
strings, goes row by row into the zip entry, so memory stays flat at any size. A row of text
is joined, checked for anything that needs the per-cell rules above (a character to drop, a
formula start, an overlong cell) and escaped in a few C-level string operations; only rows
that need care, or hold numbers and dates, are written cell by cell. ~4× XlsxWriter's
constant-memory mode, which it replaces (``bench/tabular_xlsx.py``, docs/benchmarks.md).
No string is ever written as a formula, a URL or a number.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils.functional import Promise

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_MAX_CELL = 32_767
CSV_BATCH_ROWS = 1000
XLSX_BATCH_ROWS = 500
# zlib's fastest level: 3× the speed of the default for a file ~25 % larger (ADR 0016).
XLSX_DEFLATE_LEVEL = 1

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


# The workbook is written by hand (ADR 0016): SpreadsheetML with inline strings, streamed row
# by row into the zip entry, so memory stays flat and a row of text costs a few C-level string
# operations instead of a Python call per cell.
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# Cell styles (cellXfs in _STYLES): normal, bold header, date, date-time, thousands.
_BOLD, _DATE, _DATETIME, _THOUSANDS = 1, 2, 3, 4
_STYLES = (
    f'{_XML_HEAD}<styleSheet xmlns="{_MAIN_NS}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="3" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_EPOCH = dt.datetime(1899, 12, 30)  # Excel's day 0 (1900 date system, past 1900-03-01)
_SEP = "\x00"  # joins a row's texts: never in a safe text (_UNSAFE drops it)
_VALUE_OPEN, _VALUE_CLOSE = "\x02", "\x03"  # mark a number in a joined row (dropped too)
_ROW_MARK = "\x01"  # the row number's place in cell references (dropped from texts too)
_CELL_END = "</t></is></c>"
_UNSAFE_BUT_SEP = re.compile(
    "[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069]"
)
# A cell (after a separator) that starts like a formula and is not a plain number. Two
# patterns rather than one alternation: each one starts with a class or a literal that the
# regex engine scans for in C.
_FORMULA_AFTER_SEP = re.compile("\x00(?![+\\-]?[0-9][0-9 ().+\\-]*(?:\x00|\\Z))[=+\\-@\t\r]")


def _quote_formula(match: re.Match[str]) -> str:
    return match[0][0] + "'" + match[0][1:]


# XML whitespace at a cell's edge needs xml:space="preserve"; plain `in` tests (memchr in C)
# are ~20x faster here than one regex with anchors and alternation.
_XML_SPACE = " \t\n\r"
_EDGE_MARKS = tuple(c + _SEP for c in _XML_SPACE) + tuple(_SEP + c for c in _XML_SPACE)
_FORMULA_MARKS = tuple(_SEP + c for c in _FORMULA_START)


def _safe_joined(texts: Sequence[str]) -> str:
    """The texts joined by _SEP, each as safe_text would make it. The fast path unless a cell
    needs safe_text's care: a character to drop, a cell too long, a NUL of the input's own.
    A formula start that is not a plain number (safe_text's rule) gets its apostrophe on the
    joined row."""
    joined = _SEP.join(texts)
    if (
        _UNSAFE_BUT_SEP.search(joined)
        or len(joined) >= XLSX_MAX_CELL
        or joined.count(_SEP) != len(texts) - 1
    ):
        return _SEP.join([safe_text(t) for t in texts])
    if joined[:1] in _FORMULA_START or any(m in joined for m in _FORMULA_MARKS):
        marked = _SEP + joined
        if _FORMULA_AFTER_SEP.search(marked):
            return _FORMULA_AFTER_SEP.sub(_quote_formula, marked)[1:]
    return joined


def _mark_values(joined: str, values: Sequence[Any], numbers: list[int]) -> str:
    parts = joined.split(_SEP)
    for i in numbers:
        if values[i] is not None:
            parts[i] = f"{_VALUE_OPEN}{values[i]!r}{_VALUE_CLOSE}"
    return _SEP.join(parts)


def _edge_space(joined: str) -> bool:
    if joined and (joined[0] in _XML_SPACE or joined[-1] in _XML_SPACE):
        return True
    if " " + _SEP in joined or _SEP + " " in joined:
        return True
    # Tab, line feed and carriage return are rare: look for them at an edge only when present.
    if "\t" in joined or "\n" in joined or "\r" in joined:
        return any(mark in joined for mark in _EDGE_MARKS)
    return False


def _plain_number(value: Any) -> bool:
    """None, or an int or float a cell can hold as a value (not bool, not NaN/infinity)."""
    kind = type(value)
    return value is None or kind is int or (kind is float and math.isfinite(value))


def _column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _escape(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\r", "&#13;") if "\r" in text else text  # XML would read CR as LF


class _SheetXml:
    """The rows of one worksheet as SpreadsheetML, a row at a time."""

    def __init__(self, spec: Sheet):
        self.spec = spec
        self.letters: list[str] = []
        self._openings: dict[tuple[int, str], list[str]] = {}

    def refs(self, count: int, r: int) -> list[str]:
        while len(self.letters) < count:
            self.letters.append(_column_letters(len(self.letters)))
        return [f'<c r="{letter}{r}"' for letter in self.letters[:count]]

    def text_row(self, values: Sequence[Any], r: int) -> str | None:
        """The row's XML if every cell is text, a finite int or float, or None (the usual
        row); else None. The texts are joined, checked and escaped together; each cell's
        opening (its reference with a mark for the row) is made once per width, and the
        row number, blanks and values are put in by a few C-level replaces."""
        numbers = [i for i, v in enumerate(values) if type(v) is not str]
        texts = values
        if numbers:
            if self.spec.thousands or not all(_plain_number(values[i]) for i in numbers):
                return None
            texts = list(values)
            for i in numbers:
                texts[i] = ""
        joined = _safe_joined(texts)
        space = ' xml:space="preserve"' if _edge_space(joined) else ""
        if numbers:  # a value cell is marked in the text (safe text never holds the marks)
            joined = _mark_values(joined, values, numbers)
        openings = self.openings(len(texts), space)
        cells = "".join(map(str.__add__, openings, _escape(joined).split(_SEP))) + _CELL_END
        cells = cells.replace(f' t="inlineStr"><is><t{space}>{_CELL_END}', "/>")
        if numbers:
            cells = cells.replace(f' t="inlineStr"><is><t{space}>{_VALUE_OPEN}', "><v>")
            cells = cells.replace(_VALUE_CLOSE + _CELL_END, "</v></c>")
        return f'<row r="{r}">{cells.replace(_ROW_MARK, str(r))}</row>'

    def openings(self, count: int, space: str) -> list[str]:
        """Each cell's opening (after the previous cell's end), its reference holding a mark
        for the row number, made once per width."""
        key = (count, space)
        if key not in self._openings:
            self.refs(count, 0)
            self._openings[key] = [
                f'{_CELL_END if i else ""}<c r="{letter}{_ROW_MARK}" t="inlineStr"><is><t{space}>'
                for i, letter in enumerate(self.letters[:count])
            ]
        return self._openings[key]

    def any_row(self, values: Iterable[Any], r: int, style: int = 0) -> str:
        cells = safe_row(values)
        xml = [
            self.cell(ref, v, style) for ref, v in zip(self.refs(len(cells), r), cells, strict=True)
        ]
        return f'<row r="{r}">{"".join(xml)}</row>'

    def cell(self, ref: str, value: Any, style: int) -> str:
        s = f' s="{style}"' if style else ""
        if value is None or value == "":
            return f"{ref}{s}/>"
        if isinstance(value, str):
            space = ' xml:space="preserve"' if value != value.strip() else ""
            return f'{ref}{s} t="inlineStr"><is><t{space}>{_escape(value)}</t></is></c>'
        if isinstance(value, bool):
            return f'{ref}{s} t="b"><v>{int(value)}</v></c>'
        if isinstance(value, dt.datetime):
            serial = (value.replace(tzinfo=None) - _EPOCH) / dt.timedelta(days=1)
            return f'{ref} s="{style or _DATETIME}"><v>{serial!r}</v></c>'
        if isinstance(value, dt.date):
            serial = (value - _EPOCH.date()).days
            return f'{ref} s="{style or _DATE}"><v>{serial}</v></c>'
        number = float(value) if isinstance(value, Decimal) else value
        if isinstance(number, float) and not math.isfinite(number):
            return self.cell(ref, str(number), style)  # XLSX has no NaN or infinity
        if self.spec.thousands and type(number) is int and not style:
            s = f' s="{_THOUSANDS}"'
        return f"{ref}{s}><v>{number!r}</v></c>"

    def head(self, selected: bool) -> str:
        spec = self.spec
        selection = ' tabSelected="1"' if selected else ""
        view = f'<sheetView workbookViewId="0"{selection}'
        if spec.freeze and any(spec.freeze):
            row, col = spec.freeze
            split = (f' xSplit="{col}"' if col else "") + (f' ySplit="{row}"' if row else "")
            pane = "bottomRight" if row and col else ("bottomLeft" if row else "topRight")
            top_left = f"{_column_letters(col)}{row + 1}"
            view += (
                f'><pane{split} topLeftCell="{top_left}" activePane="{pane}" state="frozen"/>'
                f'<selection pane="{pane}"/></sheetView>'
            )
        else:
            view += "/>"
        cols = "".join(
            f'<col min="{c + 1}" max="{c + 1}" width="{_width(w)}" customWidth="1"/>'
            for c, w in sorted(spec.widths.items())
        )
        return (
            f'{_XML_HEAD}<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
            f'<sheetViews>{view}</sheetViews><sheetFormatPr defaultRowHeight="15"/>'
            + (f"<cols>{cols}</cols>" if cols else "")
            + "<sheetData>"
        )

    def write(self, out: IO[bytes], *, selected: bool) -> None:
        batch = [self.head(selected), self.any_row(self.spec.headers, 1, _BOLD)]
        for r, row in enumerate(self.spec.rows, start=2):
            cells = row if type(row) is tuple or type(row) is list else tuple(row)
            batch.append(self.text_row(cells, r) or self.any_row(cells, r))
            if len(batch) >= XLSX_BATCH_ROWS:
                out.write("".join(batch).encode())
                batch.clear()
        batch.append("</sheetData></worksheet>")
        out.write("".join(batch).encode())


def _width(characters: float) -> float:
    """Excel's stored column width for a width in characters (Calibri 11: 7 px digits)."""
    if characters < 1:
        return round(characters * 12 / 7 * 256) / 256
    return int((characters * 7 + 5) / 7 * 256) / 256


def xlsx_write(sheets: Iterable[Sheet], out: IO[bytes]) -> None:
    """Write the workbook to a binary file object (kept open, left at its end)."""
    taken: set[str] = set()
    titles: list[str] = []
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=XLSX_DEFLATE_LEVEL) as z:
        for i, spec in enumerate(sheets, start=1):
            titles.append(sheet_title(spec.title, taken))
            with z.open(f"xl/worksheets/sheet{i}.xml", "w", force_zip64=True) as part:
                _SheetXml(spec).write(part, selected=i == 1)
        if not titles:  # a workbook needs a sheet
            titles.append("Sheet")
            with z.open("xl/worksheets/sheet1.xml", "w") as part:
                _SheetXml(Sheet("Sheet", [], [])).write(part, selected=True)
        for name, xml in _package_parts(titles).items():
            z.writestr(name, xml)


def _package_parts(titles: list[str]) -> dict[str, str]:
    sheets = range(1, len(titles) + 1)
    sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    office = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    return {
        "[Content_Types].xml": (
            f'{_XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
            'sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            + "".join(
                f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{sheet_type}"/>'
                for i in sheets
            )
            + "</Types>"
        ),
        "_rels/.rels": (
            f'{_XML_HEAD}<Relationships xmlns="{_PKG_REL_NS}"><Relationship Id="rId1" '
            f'Type="{office}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'{_XML_HEAD}<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}"><bookViews>'
            "<workbookView/></bookViews><sheets>"
            + "".join(
                f'<sheet name="{_escape(title).replace(chr(34), "&quot;")}" sheetId="{i}" '
                f'r:id="rId{i}"/>'
                for i, title in zip(sheets, titles, strict=True)
            )
            + "</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            f'{_XML_HEAD}<Relationships xmlns="{_PKG_REL_NS}">'
            + "".join(
                f'<Relationship Id="rId{i}" Type="{office}/worksheet" '
                f'Target="worksheets/sheet{i}.xml"/>'
                for i in sheets
            )
            + f'<Relationship Id="rId{len(titles) + 1}" Type="{office}/styles" '
            'Target="styles.xml"/></Relationships>'
        ),
        "xl/styles.xml": _STYLES,
    }


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
