"""Turning the card's bytes into fields. Never raises on odd text: bytes TIS-620 cannot
decode become U+FFFD. Raises BadCardDataError / ChecksumError only for the citizen ID,
without which nothing else is worth having."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from idcard.errors import BadCardDataError, ChecksumError

LIFELONG = "99999999"
_PADDING = " \x00\xff"


def text(raw: bytes) -> str:
    return raw.rstrip(b" \x00\xff").decode("tis-620", errors="replace").strip(_PADDING)


def cid_check_digit(first12: str) -> int:
    total = sum(int(d) * (13 - i) for i, d in enumerate(first12))
    return (11 - total % 11) % 10


def citizen_id(raw: bytes) -> str:
    value = raw.decode("ascii", errors="replace").strip(_PADDING)
    if len(value) != 13 or not value.isdigit():
        raise BadCardDataError("citizen ID is not 13 digits")
    if cid_check_digit(value[:12]) != int(value[12]):
        raise ChecksumError("citizen ID check digit")
    return value


@dataclass(frozen=True)
class Name:
    prefix: str = ""
    first: str = ""
    middle: str = ""
    last: str = ""
    thai: bool = True

    @property
    def full(self) -> str:
        # Thai prefixes are written joined ("นายสมชาย"), English ones apart ("Mr. Somchai").
        head = (self.prefix + self.first) if self.thai else f"{self.prefix} {self.first}".strip()
        return " ".join(p for p in (head, self.middle, self.last) if p)


def name(raw: bytes, *, thai: bool) -> Name:
    parts = [p.strip() for p in text(raw).split("#")] + ["", "", "", ""]
    return Name(parts[0], parts[1], parts[2], parts[3], thai=thai)


@dataclass(frozen=True)
class CardDate:
    """A Buddhist-Era date as the card stores it: month or day 0 means unknown."""

    raw: str
    year_be: int = 0
    month: int = 0
    day: int = 0
    lifelong: bool = False

    @property
    def date(self) -> dt.date | None:
        if self.lifelong or not (self.year_be and self.month and self.day):
            return None
        try:
            return dt.date(self.year_be - 543, self.month, self.day)
        except ValueError:
            return None

    @property
    def display_th(self) -> str:
        if self.lifelong:
            return "ตลอดชีพ"
        if not self.year_be:
            return "-"
        months = _TH_MONTHS
        parts = []
        if self.day:
            parts.append(str(self.day))
        if self.month:
            parts.append(months[self.month - 1])
        parts.append(str(self.year_be))
        return " ".join(parts)


_TH_MONTHS = (
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
)


def card_date(raw: bytes) -> CardDate:
    value = raw.decode("ascii", errors="replace").strip(_PADDING)
    if value == LIFELONG:
        return CardDate(raw=value, lifelong=True)
    if len(value) != 8 or not value.isdigit():
        return CardDate(raw=value)
    year, month, day = int(value[:4]), int(value[4:6]), int(value[6:8])
    if month > 12 or day > 31:
        return CardDate(raw=value, year_be=year)
    return CardDate(raw=value, year_be=year, month=month, day=day)


SEXES = {"1": "male", "2": "female"}


def sex(raw: bytes) -> str:
    return SEXES.get(raw.decode("ascii", errors="replace").strip(_PADDING), "")


@dataclass(frozen=True)
class Address:
    parts: tuple[str, ...]

    @property
    def line(self) -> str:
        return " ".join(p for p in self.parts if p)


def address(raw: bytes) -> Address:
    return Address(tuple(p.strip() for p in text(raw).split("#")))


def photo(raw: bytes) -> bytes | None:
    """The JPEG, cut after its end marker; None if the bytes are not a JPEG."""
    if raw[:3] != b"\xff\xd8\xff":
        return None
    end = raw.rfind(b"\xff\xd9")
    return raw[: end + 2] if end > 0 else None


@dataclass
class CardData:
    citizen_id: str
    name_th: Name
    name_en: Name
    birth_date: CardDate
    sex: str
    issuer: str
    issue_date: CardDate
    expiry_date: CardDate
    address: Address
    photo: bytes | None = None
    atr: str = ""
    atr_known: bool = True
    warnings: list[str] = field(default_factory=list)

    def expired(self, today: dt.date | None = None) -> bool:
        expiry = self.expiry_date.date
        return bool(expiry and expiry < (today or dt.date.today()))

    def as_json(self, *, today: dt.date | None = None) -> dict[str, Any]:
        """What the local service sends to the counter page (the photo as base64)."""
        import base64

        out: dict[str, Any] = {
            "citizen_id": self.citizen_id,
            "name_th": asdict(self.name_th) | {"full": self.name_th.full},
            "name_en": asdict(self.name_en) | {"full": self.name_en.full},
            "sex": self.sex,
            "issuer": self.issuer,
            "address": {"parts": list(self.address.parts), "line": self.address.line},
            "expired": self.expired(today),
            "atr": self.atr,
            "atr_known": self.atr_known,
            "warnings": list(self.warnings),
            "photo_jpeg_base64": base64.b64encode(self.photo).decode() if self.photo else None,
        }
        for key in ("birth_date", "issue_date", "expiry_date"):
            d: CardDate = getattr(self, key)
            out[key] = {
                "raw": d.raw,
                "iso": d.date.isoformat() if d.date else None,
                "display_th": d.display_th,
                "lifelong": d.lifelong,
            }
        return out
