"""Thai search: no spaces between words, compounds, partial words, English, Thai digits."""

import pytest

from manual.search import matches, query_terms, split_compound
from manual.selectors import service_search
from manual.tests.factories import make_published, make_service


def found(query: str) -> list[str]:
    return [s.listed_name_th for s in service_search(query=query).services]


@pytest.fixture
def manual(agency_a):
    # The factory names the ministry "กระทรวงทดสอบ <n>"; its name is part of each service's
    # search text, so with n = 90 the digit searches below matched every service, depending
    # on how many tests ran first. A name without digits keeps these tests independent.
    from agencies.models import Agency

    Agency.objects.filter(pk=agency_a.parent_id).update(name_th="กระทรวงทดสอบการค้นหา")
    agency_a.refresh_from_db()
    make_published(
        agency=agency_a,
        code="id-card",
        name_th="การทำบัตรประจำตัวประชาชน",
        name_en="Applying for an ID card",
    )
    make_published(
        agency=agency_a,
        code="move-in",
        name_th="การแจ้งย้ายเข้าทะเบียนบ้าน",
        name_en="Moving into a house registration",
    )
    make_published(
        agency=agency_a,
        code="licence",
        name_th="การต่ออายุใบอนุญาตขับรถยนต์ส่วนบุคคล",
        name_en="Renewing a private car driving licence",
        keywords="ใบขับขี่",
    )
    make_published(
        agency=agency_a,
        code="pnd90",
        name_th="การยื่นแบบ ภ.ง.ด.90 ทางอินเทอร์เน็ต",
        name_en="Filing PND 90 online",
        category="tax",
    )
    make_service(agency=agency_a, code="draft", name_th="บัตรประชาชนแบบร่างที่ยังไม่เผยแพร่")


def test_compound_word_finds_the_longer_official_name(manual):
    # "บัตรประชาชน" is not a substring of "บัตรประจำตัวประชาชน": its parts are.
    assert "บัตรประชาชน" not in "การทำบัตรประจำตัวประชาชน"
    assert found("บัตรประชาชน") == ["การทำบัตรประจำตัวประชาชน"]


def test_compound_is_split_into_dictionary_words():
    assert split_compound("บัตรประชาชน") == ["บัตร", "ประชาชน"]
    assert split_compound("ทะเบียนบ้าน") == ["ทะเบียน", "บ้าน"]


def test_whole_thai_phrase_without_spaces(manual):
    assert found("การทำบัตรประชาชน") == ["การทำบัตรประจำตัวประชาชน"]
    assert found("แจ้งย้ายเข้า") == ["การแจ้งย้ายเข้าทะเบียนบ้าน"]


def test_partial_word(manual):
    assert found("ประชา") == ["การทำบัตรประจำตัวประชาชน"]
    assert found("ทะเบียนบ้า") == ["การแจ้งย้ายเข้าทะเบียนบ้าน"]


def test_mixed_thai_and_english(manual):
    assert found("ID card บัตร") == ["การทำบัตรประจำตัวประชาชน"]
    assert found("licence ต่ออายุ") == ["การต่ออายุใบอนุญาตขับรถยนต์ส่วนบุคคล"]
    assert found("DRIVING") == ["การต่ออายุใบอนุญาตขับรถยนต์ส่วนบุคคล"]


def test_everyday_word_and_keywords(manual):
    assert found("ใบขับขี่") == ["การต่ออายุใบอนุญาตขับรถยนต์ส่วนบุคคล"]


def test_thai_digits_match_arabic_digits(manual):
    assert found("ภ.ง.ด.๙๐") == ["การยื่นแบบ ภ.ง.ด.90 ทางอินเทอร์เน็ต"]
    assert found("๙๐") == ["การยื่นแบบ ภ.ง.ด.90 ทางอินเทอร์เน็ต"]


def test_every_word_must_match(manual):
    assert found("บัตรประชาชน passport") == []
    assert found("ไม่มีบริการนี้เลย") == []


def test_drafts_are_never_found(manual):
    assert found("แบบร่าง") == []
    assert "บัตรประชาชนแบบร่างที่ยังไม่เผยแพร่" not in found("บัตรประชาชน")


def test_python_rule_matches_database_rule():
    text = "การทำบัตรประจำตัวประชาชน applying for an id card"
    assert matches(text, query_terms("บัตรประชาชน"))
    assert not matches(text, query_terms("ทะเบียนบ้าน"))


def test_filters_by_category_agency_and_province(manual, agency_b):
    make_published(
        agency=agency_b,
        code="b-id",
        name_th="การทำบัตรประจำตัวประชาชน (บี)",
        channels=[
            {
                "kind": "office",
                "place": "สำนักงานเขตบางรัก",
                "province": "10",
                "opening_hours": "",
                "url": "",
            }
        ],
    )
    assert found("บัตรประชาชน") == ["การทำบัตรประจำตัวประชาชน", "การทำบัตรประจำตัวประชาชน (บี)"]
    names = [s.listed_name_th for s in service_search(query="บัตร", agency="agency-b").services]
    assert names == ["การทำบัตรประจำตัวประชาชน (บี)"]
    names = [s.listed_name_th for s in service_search(query="บัตร", province="10").services]
    assert names == ["การทำบัตรประจำตัวประชาชน (บี)"]
    names = [s.listed_name_th for s in service_search(category="tax").services]
    assert names == ["การยื่นแบบ ภ.ง.ด.90 ทางอินเทอร์เน็ต"]
