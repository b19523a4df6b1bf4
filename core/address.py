"""Thai postal addresses written the way Thai readers expect.

Bangkok says แขวง (khwaeng) and เขต (khet) and has no "จังหวัด"; elsewhere ตำบล (tambon),
อำเภอ (amphoe) and จังหวัด. Division names from the official list sometimes carry their
prefix already ("เขตบางกอกน้อย"), so prefixes are stripped before one is written.
"""

import re

BANGKOK_CODE = "10"
_PREFIXES = re.compile(r"^\s*(?:ตำบล|แขวง|อำเภอ|เขต|จังหวัด|กิ่งอำเภอ|ต\.|อ\.|จ\.)\s*")
_EN_SUFFIXES = re.compile(
    r"\s*\b(?:Subdistrict|Sub-district|Khwaeng|Tambon|District|Khet|Amphoe|Province)\s*$", re.I
)


def _bare(name: str) -> str:
    return _PREFIXES.sub("", (name or "").strip()).strip()


def thai_address(
    *,
    province_code: str,
    subdistrict: str = "",
    district: str = "",
    province: str = "",
    house_number: str = "",
    road: str = "",
    postcode: str = "",
    english: bool = False,
) -> str:
    """One line, no doubled prefixes, no leading or doubled blanks."""
    bangkok = (province_code or "")[:2] == BANGKOK_CODE
    if english:
        parts = [
            house_number,
            road,
            f"{_EN_SUFFIXES.sub('', subdistrict)} Subdistrict" if subdistrict else "",
            f"{_EN_SUFFIXES.sub('', district)} District" if district else "",
            province if bangkok or not province else f"{_EN_SUFFIXES.sub('', province)} Province",
            postcode,
        ]
    else:
        sub, dist, prov = _bare(subdistrict), _bare(district), _bare(province)
        parts = [
            house_number,
            road,
            f"{'แขวง' if bangkok else 'ตำบล'}{sub}" if sub else "",
            f"{'เขต' if bangkok else 'อำเภอ'}{dist}" if dist else "",
            prov if bangkok or not prov else f"จังหวัด{prov}",
            postcode,
        ]
    return " ".join(" ".join(p.split()) for p in parts if p and p.strip())
