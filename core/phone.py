"""Thai phone numbers: ONE parser, validator and display used by every form, import and page.

People type numbers in many ways: "02 881 4999 ต่อ 1234", "081-234-5678", "(+66) 0 2612 6060",
"+66812345678", "1548". All are stored the same way: digits in the leading-0 national form,
with an extension kept after "#" ("028814999#1234"), and shown grouped ("02 881 4999 ต่อ 1234").
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

_EXTENSION = re.compile(r"(?:ต่อ|ext\.?|extension|x|#)\s*(\d{1,6})\s*$", re.IGNORECASE)
# Mobiles 06/08/09 + 8 digits; landlines 0 + area code, 9 digits in all (02 Bangkok,
# 03x/04x/05x/07x provinces); hotlines 1xxx (1111, 1548, ...).
_MOBILE = re.compile(r"0[689]\d{8}")
_LANDLINE = re.compile(r"0[2-57]\d{7}")
_HOTLINE = re.compile(r"1\d{3}")
_ALLOWED = re.compile(r"[\d\s\-().+/]*")
MAX_LENGTH = 20  # "0812345678#123456" and room to spare

INVALID_MESSAGE = _(
    "Enter a Thai phone number: a mobile such as 081 234 5678, a landline such as "
    "02 123 4567 (an extension after “ต่อ”) or a 4-digit hotline such as 1548."
)


def normalize_thai_phone(value: str) -> str:
    """The stored form ("0812345678", "028814999#1234", "1548"); "" for an empty value.

    Never raises: a value that is not a phone number comes back in a form that
    `validate_thai_phone` refuses.
    """
    raw = " ".join((value or "").split())
    if not raw:
        return ""
    extension = ""
    match = _EXTENSION.search(raw)
    if match:
        extension = "#" + match.group(1)
        raw = raw[: match.start()]
    if not _ALLOWED.fullmatch(raw):
        return raw  # letters or other signs: left as typed for the error message
    digits = re.sub(r"\D", "", raw)
    if raw.lstrip("( ").startswith("+"):
        if not digits.startswith("66"):
            return raw
        digits = digits[2:]
        digits = digits if digits.startswith("0") else "0" + digits
    elif digits.startswith("66") and len(digits) in (10, 11):
        digits = "0" + digits[2:]
    return digits + extension


def is_thai_phone(value: str) -> bool:
    number, _sep, extension = normalize_thai_phone(value).partition("#")
    if _HOTLINE.fullmatch(number):
        return not extension
    return bool(_MOBILE.fullmatch(number) or _LANDLINE.fullmatch(number))


def validate_thai_phone(value: str) -> None:
    """A Django validator: accepts anything `normalize_thai_phone` makes a Thai number of."""
    if not is_thai_phone(value):
        raise ValidationError(INVALID_MESSAGE, code="invalid_phone")


def format_thai_phone(value: str) -> str:
    """For reading: "081 234 5678", "02 881 4999 ต่อ 1234", "053 123 456"."""
    stored = normalize_thai_phone(value)
    number, _sep, extension = stored.partition("#")
    if _MOBILE.fullmatch(number):
        shown = f"{number[:3]} {number[3:6]} {number[6:]}"
    elif number.startswith("02") and _LANDLINE.fullmatch(number):
        shown = f"{number[:2]} {number[2:5]} {number[5:]}"
    elif _LANDLINE.fullmatch(number):
        shown = f"{number[:3]} {number[3:6]} {number[6:]}"
    else:
        shown = number
    return f"{shown} ต่อ {extension}" if extension else shown


def tel_uri(value: str) -> str:
    """RFC 3966 "tel:+66812345678;ext=12" (hotlines stay local: "tel:1548")."""
    number, _sep, extension = normalize_thai_phone(value).partition("#")
    if not number.isdigit():
        return ""
    uri = f"tel:+66{number[1:]}" if number.startswith("0") else f"tel:{number}"
    return f"{uri};ext={extension}" if extension else uri


class ThaiPhoneField(forms.CharField):
    """A form field that checks and returns the stored form."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_length", 40)  # what people type; the stored form is shorter
        attrs = {"type": "tel", "inputmode": "tel", "autocomplete": "tel"}
        kwargs.setdefault("widget", forms.TextInput(attrs=attrs))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return ""
        validate_thai_phone(value)
        return normalize_thai_phone(value)


class ThaiPhoneModelField(models.CharField):
    """A model field that stores the normalised form, whichever path writes it (form, import, API)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("max_length", MAX_LENGTH)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("max_length") == MAX_LENGTH:
            del kwargs["max_length"]
        return name, path, args, kwargs

    def to_python(self, value):
        value = super().to_python(value)
        return normalize_thai_phone(value) if value else value

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": ThaiPhoneField, "max_length": 40, **kwargs})
