"""Kept for migrations and old imports: the one Thai phone parser lives in core.phone."""

from core.phone import normalize_thai_phone, validate_thai_phone

__all__ = ["normalize_thai_phone", "validate_thai_phone"]
