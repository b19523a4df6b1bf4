"""The one date input of the portal: Thai readers type and read Buddhist-Era years.

A year from 2400 is B.E. (2400 B.E. is 1857 A.D., long before any record here); a year from
1900 to 2200 is A.D.; anything else (a two-digit year, 2300, 1500) is refused rather than
guessed, because a wrong guess moves a date by 543 years (the "30 November 3112" trap).
"""

import datetime
import re
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.text import THAI_DIGITS

BE_OFFSET = 543
BE_FROM = 2400  # a year from here on is Buddhist Era
AD_RANGE = (1900, 2200)  # years accepted as Gregorian

_DMY = re.compile(r"^\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d+)\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")

INVALID = _("Enter a real date as day/month/year, for example 31/12/2569.")
AMBIGUOUS = _(
    "The year %(year)s could be read two ways. Type the year in the Buddhist Era "
    "(for example 2569) or in full in the Christian Era (for example 2026)."
)


class AmbiguousYearError(ValueError):
    def __init__(self, year: int) -> None:
        super().__init__(year)
        self.year = year


def thai_reader() -> bool:
    return (get_language() or "th").startswith("th")


def parse_date_text(text: str) -> datetime.date:
    """ "31/12/2569", "๓๑/๑๒/๒๕๖๙", "31/12/2026" or "2026-12-31" → date(2026, 12, 31).

    Raises AmbiguousYearError for a year that is neither clearly B.E. nor clearly A.D., and
    ValueError for anything that is not a real date.
    """
    text = (text or "").translate(THAI_DIGITS)
    match = _DMY.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
    else:
        match = _ISO.match(text)
        if not match:
            raise ValueError(text)
        year, month, day = (int(g) for g in match.groups())
    if year >= BE_FROM:
        year -= BE_OFFSET
    elif not AD_RANGE[0] <= year <= AD_RANGE[1]:
        raise AmbiguousYearError(year)
    return datetime.date(year, month, day)


def format_date_input(value: datetime.date) -> str:
    year = value.year + BE_OFFSET if thai_reader() else value.year
    return f"{value.day:02d}/{value.month:02d}/{year}"


class BEDateInput(forms.TextInput):
    """A text box showing day/month/year, the year in the Buddhist Era for Thai readers."""

    def __init__(self, attrs=None):
        super().__init__(
            {
                "inputmode": "numeric",
                "autocomplete": "off",
                "class": "be-date",
                "size": "12",
                **(attrs or {}),
            }
        )

    def format_value(self, value):
        if isinstance(value, datetime.datetime):
            value = value.date()
        if isinstance(value, datetime.date):
            return format_date_input(value)
        return super().format_value(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].setdefault(
            "placeholder", "วว/ดด/ปปปป" if thai_reader() else "dd/mm/yyyy"
        )
        return context


class BEDateField(forms.DateField):
    """Every date a person types goes through here: the form, the console, Django's admin."""

    widget = BEDateInput
    default_error_messages = {"invalid": INVALID, "ambiguous": AMBIGUOUS}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        try:
            return parse_date_text(str(value))
        except AmbiguousYearError as error:
            raise ValidationError(
                self.error_messages["ambiguous"], code="ambiguous", params={"year": error.year}
            ) from None
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class BEDateEndField(BEDateField):
    """A "valid until" day for a DateTimeField: usable through that whole day (Thai time),
    so the value is the next midnight, compared with `at < valid_until`."""

    def to_python(self, value):
        day = super().to_python(value)
        if day is None:
            return None
        zone = ZoneInfo(settings.TIME_ZONE)
        return datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), zone)

    def prepare_value(self, value):
        if isinstance(value, datetime.datetime):
            return (timezone.localtime(value) - datetime.timedelta(seconds=1)).date()
        return value


def date_formfield_overrides() -> dict:
    """For a ModelAdmin: `formfield_overrides = date_formfield_overrides()`."""
    from django.db import models

    return {models.DateField: {"form_class": BEDateField, "widget": BEDateInput}}
