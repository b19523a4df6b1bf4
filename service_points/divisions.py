"""Thailand's official administrative divisions, from the maintained `geothai` package.

Codes are the Department of Provincial Administration's: province "10", district "1001",
subdistrict "100101". Nothing here is stored in our database; names are looked up by code.
"""

from functools import cache

import geothai
from django.utils.translation import get_language


def _name(area) -> str:
    return area.name_en if (get_language() or "th").startswith("en") else area.name_th


def province_choices() -> list[tuple[str, str]]:
    return sorted(((p.code, _name(p)) for p in geothai.provinces()), key=lambda c: c[1])


def district_choices(province_code: str) -> list[tuple[str, str]]:
    return [(d.code, _name(d)) for d in geothai.districts(province_code or "")]


def subdistrict_choices(district_code: str) -> list[tuple[str, str]]:
    return [(s.code, _name(s)) for s in geothai.subdistricts(district_code or "")]


@cache
def _provinces() -> dict:
    return {p.code: p for p in geothai.provinces()}


@cache
def _subdistricts() -> dict:
    return {
        s.code: s
        for p in geothai.provinces()
        for d in geothai.districts(p.code)
        for s in geothai.subdistricts(d.code)
    }


@cache
def _districts() -> dict:
    return {d.code: d for p in geothai.provinces() for d in geothai.districts(p.code)}


def province(code: str):
    return _provinces().get(code or "")


def district(code: str):
    return _districts().get(code or "")


def subdistrict(code: str):
    return _subdistricts().get(code or "")


def postcodes(subdistrict_code: str) -> tuple[str, ...]:
    area = subdistrict(subdistrict_code)
    return tuple(area.postal_codes) if area else ()


def names(*, province_code: str, district_code: str, subdistrict_code: str) -> dict[str, str]:
    """Thai and English names for the three codes ("" where a code is unknown)."""
    result = {}
    for level, area in (
        ("province", province(province_code)),
        ("district", district(district_code)),
        ("subdistrict", subdistrict(subdistrict_code)),
    ):
        result[f"{level}_th"] = area.name_th if area else ""
        result[f"{level}_en"] = area.name_en if area else ""
    return result
