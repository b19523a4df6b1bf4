import pytest
from hypothesis import given
from hypothesis import strategies as st

from agencies.selectors import agency_search
from agencies.services import agency_import_csv
from agencies.tests.test_import import DIRECTORY
from core.text import normalize_for_search


@pytest.fixture
def directory(db):
    result = agency_import_csv(text=DIRECTORY.read_text(encoding="utf-8"))
    assert result.ok, result.errors


@pytest.mark.parametrize(
    ("query", "expected_first"),
    [
        ("สรรพากร", "rd"),  # a Thai word inside a compound without spaces
        ("กรมสรรพากร", "rd"),
        ("revenue", "rd"),
        ("REVENUE department", "rd"),
        ("ขนส่ง", "dlt"),
        ("dopa", "dopa"),
        ("การปกครอง", "dopa"),
        ("ก.พ.ร.", "opdc"),
        ("ที่ดิน ขอนแก่น", "dol-kkn"),  # several words, all must match
        ("สรรพากร กรุงเทพมหานคร ๑", "rd-bkk-area1"),  # Thai digits match Arabic ones
    ],
)
def test_search_finds_by_thai_english_code_and_parts(directory, query, expected_first):
    results = agency_search(query=query)
    assert results, query
    assert results[0].code == expected_first, [a.code for a in results]


def test_search_with_no_match_or_blank(directory):
    assert agency_search(query="zzzzqqq") == []
    assert agency_search(query="   ") == []


def test_archived_agencies_are_not_found(directory):
    from agencies.models import Agency

    Agency.objects.filter(code="rd").update(status=Agency.Status.ARCHIVED)
    assert "rd" not in [a.code for a in agency_search(query="สรรพากร")]


def test_directory_page_searches_as_you_type_with_htmx(client, directory):
    full = client.get("/agencies/", {"q": "สรรพากร"})
    fragment = client.get("/agencies/", {"q": "สรรพากร"}, HTTP_HX_REQUEST="true")
    assert "กรมสรรพากร" in full.content.decode()
    assert "<html" in full.content.decode()
    assert "กรมสรรพากร" in fragment.content.decode()
    assert "<html" not in fragment.content.decode()


def test_search_api(client, directory):
    response = client.get("/api/agencies", {"q": "สรรพากร"})
    assert response.status_code == 200
    body = response.json()
    assert body[0]["code"] == "rd"
    assert body[0]["login_identity"] == "rd@info.go.th"
    assert body[0]["ministry_code"] == "mof"
    assert client.get("/api/agencies/rd").json()["name_en"] == "The Revenue Department"
    assert client.get("/api/agencies/nope").status_code == 404


def test_search_page_query_count_is_bounded(client, directory, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        client.get("/agencies/", {"q": "สำนักงาน"})


@given(st.text(max_size=40))
def test_normalize_is_idempotent_and_never_fails(text):
    once = normalize_for_search(text)
    assert normalize_for_search(once) == once
