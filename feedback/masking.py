"""Personal data out of citizens' comments, before anyone reads them (ADR 0041).

Masked: Thai phone numbers (mobile and landline, `0…` or `+66…`, with spaces, dashes, dots
or brackets between the digits), 13-digit national ID numbers (grouped or not), and email
addresses. Thai digits (๐–๙) count as digits. Each digit becomes "x" and each email becomes
"xx@xx", so the reader still sees that a number was there, never which.
"""

import re

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
# Separators people put inside numbers: space, dash (and Unicode dashes), dot, brackets.
_SEP = r"[\s.\-\u2010-\u2015()]"

ID_NUMBER = re.compile(rf"(?<![\d])\d(?:{_SEP}{{0,3}}\d){{12}}(?![\d])")
PHONE = re.compile(
    rf"(?<![\d+])(?:\+?66{_SEP}{{0,3}}(?:\(0\))?|\(?0)(?:{_SEP}{{0,3}}\d){{8,9}}(?![\d])"
)
EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+", re.UNICODE)


def _digits_to_x(match_text: str) -> str:
    return "".join("x" if ch.isdigit() else ch for ch in match_text)


def mask_personal_data(text: str) -> str:
    """The comment with phone numbers, ID numbers and emails masked."""
    if not text:
        return text
    # Thai digits map one character to one, so positions in `ascii` are positions in `text`.
    ascii_text = text.translate(THAI_DIGITS)
    spans: list[tuple[int, int, str]] = []
    for match in EMAIL.finditer(ascii_text):
        spans.append((match.start(), match.end(), "xx@xx"))
    for pattern in (ID_NUMBER, PHONE):
        for match in pattern.finditer(ascii_text):
            if any(start < match.end() and match.start() < end for start, end, _ in spans):
                continue
            spans.append(
                (match.start(), match.end(), _digits_to_x(ascii_text[match.start() : match.end()]))
            )
    if not spans:
        return text
    out, last = [], 0
    for start, end, replacement in sorted(spans):
        out.append(text[last:start])
        out.append(replacement)
        last = end
    out.append(text[last:])
    return "".join(out)
