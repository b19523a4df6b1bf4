"""Synthetic civil registration for demos and tests (no real person's data).

Deterministic: the same ``seed`` always yields the same citizens, houses and
juristic persons, so tests and demos can refer to records by position.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from gdx_protocol.thai_id import thai_id_check_digit

MALE = ["สมชาย", "สมศักดิ์", "ประเสริฐ", "วิชัย", "สุรชัย", "อนุชา", "ธนากร", "กิตติพงษ์", "ณัฐวุฒิ", "พงศกร"]
FEMALE = ["สมหญิง", "มาลี", "วันเพ็ญ", "สุภาพร", "กนกวรรณ", "ปิยะนุช", "ศิริพร", "อรทัย", "ณัฐธิดา", "พิมพ์ชนก"]
SURNAMES = [
    "ใจดี",
    "สุขสวัสดิ์",
    "ศรีสุข",
    "แก้วมณี",
    "ทองดี",
    "บุญมา",
    "วงศ์สวัสดิ์",
    "รัตนพันธ์",
    "จันทร์เพ็ญ",
    "ศักดิ์ดี",
    "พูลสวัสดิ์",
    "มีสุข",
]
# (province, district, subdistrict, postcode, rural addresses use หมู่/moo)
LOCALITIES = [
    ("กรุงเทพมหานคร", "เขตพระนคร", "แขวงพระบรมมหาราชวัง", "10200", False),
    ("กรุงเทพมหานคร", "เขตจตุจักร", "แขวงจตุจักร", "10900", False),
    ("เชียงใหม่", "อำเภอเมืองเชียงใหม่", "ตำบลศรีภูมิ", "50200", True),
    ("ขอนแก่น", "อำเภอเมืองขอนแก่น", "ตำบลในเมือง", "40000", True),
    ("นครราชสีมา", "อำเภอเมืองนครราชสีมา", "ตำบลในเมือง", "30000", True),
    ("ภูเก็ต", "อำเภอเมืองภูเก็ต", "ตำบลตลาดใหญ่", "83000", True),
    ("สงขลา", "อำเภอหาดใหญ่", "ตำบลหาดใหญ่", "90110", True),
    ("ชลบุรี", "อำเภอเมืองชลบุรี", "ตำบลบางปลาสร้อย", "20000", True),
]
COMPANY_WORDS = ["สยาม", "รุ่งเรือง", "ไทยพัฒนา", "เจริญกิจ", "ทรัพย์มั่นคง", "ล้านนา", "อันดามัน"]
COMPANY_KINDS = ["บริษัท {} จำกัด", "ห้างหุ้นส่วนจำกัด {}", "บริษัท {} จำกัด (มหาชน)"]


def complete_id(first12: str) -> str:
    return first12 + str(thai_id_check_digit(first12))


@dataclass
class _Person:
    citizen_id: str
    title: str
    first_name: str
    last_name: str
    gender: str
    birth_date: date
    house_id: str


class SampleCivilRegistry:
    """Implements agency_node.datasource.DataSource."""

    document_types: tuple[str, ...] = ("person_record", "house_registration", "juristic_person")

    def __init__(self, seed: int = 2568, houses: int = 200, juristic_persons: int = 5) -> None:
        rng = random.Random(seed)
        self.people: dict[str, _Person] = {}
        self.houses: dict[str, dict[str, Any]] = {}
        self.juristic: dict[str, dict[str, Any]] = {}
        for _ in range(houses):
            self._make_house(rng)
        for _ in range(juristic_persons):
            self._make_company(rng)

    # ------------------------------------------------------------------ generation

    def _new_id(self, rng: random.Random, first: str) -> str:
        while True:
            rest = "".join(rng.choice("0123456789") for _ in range(12 - len(first)))
            cid = complete_id(first + rest)
            if cid not in self.people and cid not in self.juristic:
                return cid

    def _address(self, rng: random.Random) -> dict[str, Any]:
        province, district, subdistrict, postcode, rural = rng.choice(LOCALITIES)
        return {
            "house_no": f"{rng.randint(1, 999)}"
            + (f"/{rng.randint(1, 99)}" if rng.random() < 0.3 else ""),
            "moo": rng.randint(1, 15) if rural else None,
            "soi": None if rural else f"ซอย {rng.randint(1, 60)}",
            "road": None,
            "subdistrict": subdistrict,
            "district": district,
            "province": province,
            "postcode": postcode,
        }

    def _make_house(self, rng: random.Random) -> None:
        house_id = "".join(rng.choice("0123456789") for _ in range(11))
        surname = rng.choice(SURNAMES)
        members = []
        for i in range(rng.randint(1, 5)):
            gender = rng.choice("MF")
            born = date(1940, 1, 1) + timedelta(days=rng.randint(0, 80 * 365))
            # First digit 1: born 1984+ and registered on time; 3: already registered in 1984.
            cid = self._new_id(rng, "1" if born.year >= 1984 else "3")
            adult = born <= date(2007, 1, 1)
            if gender == "M":
                title = "นาย" if adult else "เด็กชาย"
            else:
                title = ("นาง" if rng.random() < 0.5 else "นางสาว") if adult else "เด็กหญิง"
            person = _Person(
                cid,
                title,
                rng.choice(MALE if gender == "M" else FEMALE),
                surname if rng.random() < 0.85 else rng.choice(SURNAMES),
                gender,
                born,
                house_id,
            )
            self.people[cid] = person
            members.append(
                {
                    "citizen_id": cid,
                    "name": f"{title}{person.first_name} {person.last_name}",
                    "status": "เจ้าบ้าน" if i == 0 else "ผู้อาศัย",
                }
            )
        self.houses[house_id] = {
            "house_id": house_id,
            "address": self._address(rng),
            "members": members,
        }

    def _make_company(self, rng: random.Random) -> None:
        # Juristic IDs: 0 + office code + type + Buddhist-year digits + serial + check digit.
        jid = self._new_id(rng, "0105")
        registered = date(1990, 1, 1) + timedelta(days=rng.randint(0, 30 * 365))
        adults = sorted(c for c, p in self.people.items() if not p.title.startswith("เด็ก"))
        directors = rng.sample(adults, k=min(2, len(adults)))
        self.juristic[jid] = {
            "juristic_id": jid,
            "name": rng.choice(COMPANY_KINDS).format(rng.choice(COMPANY_WORDS)),
            "registered_on": registered.isoformat(),
            "registered_capital_baht": rng.choice([1, 5, 10, 50]) * 1_000_000,
            "status": "ยังดำเนินกิจการอยู่",
            "directors": [self._full_name(self.people[d]) for d in directors],
            "address": self._address(rng),
        }

    # ------------------------------------------------------------------ lookup

    @staticmethod
    def _full_name(p: _Person) -> str:
        return f"{p.title}{p.first_name} {p.last_name}"

    def citizen_ids(self) -> list[str]:
        return sorted(self.people)

    def juristic_ids(self) -> list[str]:
        return sorted(self.juristic)

    def fetch(self, document_type: str, citizen_id: str) -> dict[str, Any] | None:
        if document_type == "juristic_person":
            return self.juristic.get(citizen_id)
        person = self.people.get(citizen_id)
        if person is None:
            return None
        house = self.houses[person.house_id]
        if document_type == "house_registration":
            return house
        if document_type == "person_record":
            return {
                "citizen_id": person.citizen_id,
                "title": person.title,
                "first_name": person.first_name,
                "last_name": person.last_name,
                "gender": person.gender,
                "birth_date": person.birth_date.isoformat(),
                "birth_year_be": person.birth_date.year + 543,
                "house_id": person.house_id,
                "address": house["address"],
            }
        return None
