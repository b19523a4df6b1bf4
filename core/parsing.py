"""The one small parsing helper for values that do not come through a form or a ninja schema.

Request parameters (`int_param`, `object_id`) answer 400 or 404, never a 500; uploaded
tables and documents (`csv_table`, `json_document`) answer a translated ValidationError that
the importer lists like any other row error.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any, NamedTuple

from django.core.exceptions import BadRequest, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

# The largest primary key any of our tables can hold (BigAutoField; PostgreSQL bigint and
# SQLite INTEGER are both signed 64-bit).
MAX_ID = 2**63 - 1
JSON_MAX_DEPTH = 32
CSV_MAX_FIELD = 100_000  # characters in one cell; csv's own default limit is 131,072


def _ascii_digits(raw: str) -> bool:
    # str.isdigit() accepts "²" and Thai digits, which int() then refuses or misreads.
    return raw.isascii() and raw.isdigit()


def int_param(
    raw: str | None,
    *,
    default: int | None = None,
    minimum: int = 0,
    maximum: int = MAX_ID,
) -> int:
    """An integer query or form value in [minimum, maximum], else BadRequest (400)."""
    raw = (raw or "").strip()
    if raw == "" and default is not None:
        return default
    negative = raw.startswith("-")
    digits = raw[1:] if negative else raw
    if not _ascii_digits(digits) or len(digits) > 19:
        raise BadRequest(f"not a whole number: {raw[:40]!r}")
    value = -int(digits) if negative else int(digits)
    if not minimum <= value <= maximum:
        raise BadRequest(f"out of range [{minimum}, {maximum}]: {value}")
    return value


def object_id(raw: str | int | None) -> int:
    """A record id from a URL or a form: a positive integer a table can hold, else 404."""
    if isinstance(raw, int):
        value = raw
    else:
        raw = (raw or "").strip()
        if not _ascii_digits(raw) or len(raw) > 19:
            raise Http404
        value = int(raw)
    if not 1 <= value <= MAX_ID:
        raise Http404
    return value


def optional_id(raw: str | None) -> int | None:
    """A positive id, or None for anything else (an empty or hostile value)."""
    raw = (raw or "").strip()
    if not _ascii_digits(raw) or len(raw) > 19:
        return None
    value = int(raw)
    return value if 1 <= value <= MAX_ID else None


class CsvTable(NamedTuple):
    fieldnames: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (line number where the row ends, row)


def csv_table(text: str) -> CsvTable:
    """Every row of a CSV text (header first), or ValidationError naming the bad line."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        fieldnames = list(reader.fieldnames or [])
        for row in reader:
            for value in row.values():
                if isinstance(value, str) and len(value) > CSV_MAX_FIELD:
                    raise csv.Error("field larger than field limit")
            rows.append((reader.line_num, row))
    except csv.Error:
        raise ValidationError(
            _(
                "Line %(line)s of the CSV file cannot be read (a cell longer than %(limit)s "
                "characters, or broken quoting)."
            )
            % {"line": reader.line_num, "limit": f"{CSV_MAX_FIELD:,}"}
        ) from None
    return CsvTable(fieldnames, rows)


def json_document(text: str | bytes, *, max_depth: int = JSON_MAX_DEPTH) -> Any:
    """A JSON document nested at most `max_depth` deep, or ValidationError."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValidationError(
            _("This is not valid JSON (line %(line)s): %(error)s")
            % {"line": error.lineno, "error": error.msg}
        ) from None
    except (RecursionError, ValueError, UnicodeDecodeError):
        raise ValidationError(_("This JSON document cannot be read.")) from None
    # Iterative walk: a deep document must not exhaust the stack of the code that reads it.
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > max_depth:
            raise ValidationError(
                _("This JSON document is nested more than %(n)s levels deep.") % {"n": max_depth}
            )
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    return data


class IdConverter:
    """`<id:pk>` in URL patterns: a record id a table can hold. Larger numbers do not match
    (404) instead of reaching the database as an integer it cannot compare (a 500 in raw
    SQL). Registered by core.apps.CoreConfig.ready()."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= MAX_ID:
            raise ValueError(value)
        return number

    def to_url(self, value: int) -> str:
        return str(value)


class IndexConverter(IdConverter):
    """`<index:index>`: a position that starts at 0 (a GDX audit-log entry), else as `<id:>`."""

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 0 <= number <= MAX_ID:
            raise ValueError(value)
        return number
