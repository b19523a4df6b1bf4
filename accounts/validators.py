import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_SEPARATORS = re.compile(r"[\s\-().]")
# Thai numbers: mobiles 06/08/09 + 8 digits; landlines 0 + area code, 9 digits in all
# (02 Bangkok, 03x/04x/05x/07x provinces). "+66" replaces the leading 0.
_MOBILE = re.compile(r"^0[689]\d{8}$")
_LANDLINE = re.compile(r"^0[2-57]\d{7}$")


def normalize_thai_phone(value: str) -> str:
    """Digits only, leading 0 form; an extension after 'ต่อ' or 'ext' is kept as '#123'."""
    raw = (value or "").strip()
    extension = ""
    for marker in ("ต่อ", "ext.", "ext", "#", "x"):
        if marker in raw.lower():
            head, _sep, tail = raw.lower().partition(marker)
            tail_digits = re.sub(r"\D", "", tail)
            if tail_digits:
                raw, extension = head, f"#{tail_digits}"
            break
    digits = _SEPARATORS.sub("", raw)
    if digits.startswith("+66"):
        digits = "0" + digits[3:]
    elif digits.startswith("66") and len(digits) in (10, 11):
        digits = "0" + digits[2:]
    return digits + extension


def validate_thai_phone(value: str) -> None:
    number = normalize_thai_phone(value).split("#", 1)[0]
    if not number.isdigit() or not (_MOBILE.match(number) or _LANDLINE.match(number)):
        raise ValidationError(
            _(
                "Enter a Thai phone number: a mobile such as 081 234 5678 "
                "or a landline such as 02 123 4567."
            ),
            code="invalid_phone",
        )
