"""Thailand's 77 provinces (codes of TIS 1099), from the geothai package's data."""

from functools import lru_cache

from django.utils.translation import get_language


@lru_cache(maxsize=1)
def _provinces() -> dict[str, tuple[str, str]]:
    import geothai

    return {p.code: (p.name_th, p.name_en) for p in geothai.provinces()}


def province_name(code: str) -> str | None:
    names = _provinces().get(code)
    if names is None:
        return None
    name_th, name_en = names
    return name_th if (get_language() or "th").startswith("th") or not name_en else name_en


def province_choices() -> list[tuple[str, str]]:
    """(code, name) in the reader's language, sorted by the Thai name."""
    return sorted(
        ((code, province_name(code) or code) for code in _provinces()),
        key=lambda item: _provinces()[item[0]][0],
    )


def province_code_for(name: str) -> str | None:
    """A province code from its code, Thai or English name (for imports)."""
    name = (name or "").strip()
    if name in _provinces():
        return name
    for code, (name_th, name_en) in _provinces().items():
        if name in (name_th, name_en) or name.casefold() == name_en.casefold():
            return code
    return None
