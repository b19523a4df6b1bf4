"""Thai 13-digit identification numbers (citizens and juristic persons).

Check digit: d13 = (11 - (sum_{i=1..12} d_i * (14 - i)) mod 11) mod 10,
i.e. the first twelve digits weighted 13 down to 2.  Note the 3rd digit has
weight 11 = 0 (mod 11), so an error in it is never detected; the checksum is a
typo guard, never an authenticity check.
"""

from __future__ import annotations


def thai_id_check_digit(first12: str) -> int:
    if len(first12) != 12 or not first12.isascii() or not first12.isdigit():
        raise ValueError("need exactly 12 ASCII digits")
    total = sum(int(d) * w for d, w in zip(first12, range(13, 1, -1), strict=True))
    return (11 - total % 11) % 10


def thai_id_is_valid(value: object) -> bool:
    """True for a 13-ASCII-digit string whose last digit is the correct check digit."""
    if not isinstance(value, str) or len(value) != 13:
        return False
    if not value.isascii() or not value.isdigit():
        return False
    return thai_id_check_digit(value[:12]) == int(value[12])


def normalize_thai_id(value: str) -> str:
    """Strip the usual display separators ("1-2345-67890-12-1")."""
    return value.replace("-", "").replace(" ", "").strip()
