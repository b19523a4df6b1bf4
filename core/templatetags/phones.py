from django import template

from core.phone import format_thai_phone, tel_uri

register = template.Library()


@register.filter
def phone(value: str) -> str:
    """A stored phone number grouped for reading ("02 881 4999 ต่อ 1234")."""
    return format_thai_phone(value or "")


@register.filter
def tel(value: str) -> str:
    """The tel: link of a stored phone number."""
    return tel_uri(value or "")
