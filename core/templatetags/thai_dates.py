"""Dates for people: the Buddhist Era (พ.ศ.) with Thai month names for Thai readers."""

import datetime

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import get_language

register = template.Library()

THAI_MONTHS = [
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
]
THAI_MONTHS_SHORT = [
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
]
BE_OFFSET = 543


def _is_thai() -> bool:
    return (get_language() or "th").startswith("th")


def format_date(value: datetime.date, *, short: bool = False) -> str:
    if _is_thai():
        months = THAI_MONTHS_SHORT if short else THAI_MONTHS
        return f"{value.day} {months[value.month - 1]} {value.year + BE_OFFSET}"
    return formats.date_format(value, "j M Y" if short else "j F Y")


def format_datetime(value: datetime.datetime, *, short: bool = False) -> str:
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    day = format_date(value.date(), short=short)
    if _is_thai():
        return f"{day} {value:%H:%M} น."
    return f"{day}, {value:%H:%M}"


@register.filter
def be_date(value, style: str = "") -> str:
    """`{{ d|be_date }}` → "25 พฤศจิกายน 2569"; in English "25 November 2026"."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        value = value.date()
    return format_html(
        '<time datetime="{}">{}</time>',
        value.isoformat(),
        format_date(value, short=style == "short"),
    )


@register.filter
def be_datetime(value, style: str = "") -> str:
    if not value:
        return ""
    return format_html(
        '<time datetime="{}">{}</time>',
        value.isoformat(),
        format_datetime(value, short=style == "short"),
    )


@register.filter
def be_until(value, style: str = "") -> str:
    """An exclusive end ("valid until", stored as the next midnight by BEDateEndField):
    the last whole day when it is a midnight, so 31/12/2569 entered shows as that day and
    not as "1 มกราคม 2570 00:00"; any other moment as a date and time."""
    if not value:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    if local.time() == datetime.time():
        return be_date(local - datetime.timedelta(days=1), style)
    return be_datetime(value, style)


@register.filter
def th_en(obj, field: str = "name") -> str:
    """obj.<field>_en in the English view when there is one, else obj.<field>_th."""
    if obj is None:
        return ""
    thai = getattr(obj, f"{field}_th", "") or ""
    if not _is_thai():
        return getattr(obj, f"{field}_en", "") or thai
    return thai


@register.filter
def num(value) -> str:
    """A whole number with thousands separators ("40,000"); anything else unchanged."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        try:
            value = int(str(value))
        except (TypeError, ValueError):
            return value
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"
