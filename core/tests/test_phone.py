"""One Thai phone parser for every form, import and page."""

import pytest
from django.core.exceptions import ValidationError

from core.address import thai_address
from core.phone import (
    ThaiPhoneField,
    format_thai_phone,
    normalize_thai_phone,
    tel_uri,
    validate_thai_phone,
)


@pytest.mark.parametrize(
    ("typed", "stored", "shown"),
    [
        ("02 881 4999 ต่อ 1234", "028814999#1234", "02 881 4999 ต่อ 1234"),
        ("081 234 5678", "0812345678", "081 234 5678"),
        ("081-234-5678", "0812345678", "081 234 5678"),
        ("(+66) 0 2612 6060", "026126060", "02 612 6060"),
        ("+66 81 234 5678", "0812345678", "081 234 5678"),
        ("053-112-233 ext. 5", "053112233#5", "053 112 233 ต่อ 5"),
        ("1548", "1548", "1548"),
    ],
)
def test_what_people_type_is_accepted_stored_and_shown_alike(typed, stored, shown):
    validate_thai_phone(typed)
    assert normalize_thai_phone(typed) == stored
    assert format_thai_phone(stored) == shown
    assert ThaiPhoneField(required=False).clean(typed) == stored


@pytest.mark.parametrize("typed", ["12345", "0812345", "abc", "+1 212 555 0100", "08123456789"])
def test_what_is_not_a_thai_number_is_refused(typed):
    with pytest.raises(ValidationError):
        validate_thai_phone(typed)


def test_tel_links():
    assert tel_uri("028814999#1234") == "tel:+6628814999;ext=1234"
    assert tel_uri("1548") == "tel:1548"


def test_registration_and_pin_form_accept_the_same_numbers():
    from accounts.validators import validate_thai_phone as registration_validator
    from service_points.models import ServicePoint

    assert registration_validator is validate_thai_phone
    field = ServicePoint._meta.get_field("phone")
    for typed in ("02 881 4999 ต่อ 1234", "081 234 5678"):
        assert field.clean(typed, None) == normalize_thai_phone(typed)


def test_bangkok_says_khwaeng_and_khet_without_doubling():
    text = thai_address(
        province_code="10",
        subdistrict="แขวงศิริราช",
        district="เขตบางกอกน้อย",
        province="กรุงเทพมหานคร",
        house_number=" 2 ",
        road="ถนนวังหลัง",
        postcode="10700",
    )
    assert text == "2 ถนนวังหลัง แขวงศิริราช เขตบางกอกน้อย กรุงเทพมหานคร 10700"


def test_provinces_say_tambon_amphoe_changwat():
    text = thai_address(
        province_code="50", subdistrict="ศรีภูมิ", district="เมืองเชียงใหม่", province="เชียงใหม่"
    )
    assert text == "ตำบลศรีภูมิ อำเภอเมืองเชียงใหม่ จังหวัดเชียงใหม่"
    english = thai_address(
        province_code="50",
        subdistrict="Si Phum",
        district="Mueang Chiang Mai",
        province="Chiang Mai",
        english=True,
    )
    assert english == "Si Phum Subdistrict Mueang Chiang Mai District Chiang Mai Province"
