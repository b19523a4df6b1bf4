"""Issue 17: the one text-cleaning helper and the one parsing helper, through the real doors."""

import pytest
from django.core.exceptions import BadRequest, ValidationError
from django.http import Http404

from core import parsing
from core.text import clean_text, text_is_clean

# -- core.text.clean_text ---------------------------------------------------------------------


def test_text_is_nfc_trimmed_and_zero_width_characters_removed():
    decomposed = "e\u0301"  # é as two code points
    assert clean_text(f"  caf{decomposed}\u200b \ufeff") == "café"
    assert clean_text("สำนัก\u200bงาน") == "สำนักงาน"  # ZWSP some Thai keyboards insert


@pytest.mark.parametrize(
    "text", ["a\x00b", "a\x01b", "https://\u202eexe.txt", "a\u2066b", "a\u200fb", "a\x85b"]
)
def test_controls_and_bidi_characters_are_refused(text):
    with pytest.raises(ValidationError) as caught:
        clean_text(text)
    assert caught.value.code == "invisible"


def test_single_line_text_folds_line_breaks_multi_line_keeps_them():
    assert clean_text("a\r\n\tb") == "a b"
    assert clean_text("a\r\nb\rc", multiline=True) == "a\nb\nc"


def test_length_limit():
    assert clean_text("ก" * 10, max_length=10) == "ก" * 10
    with pytest.raises(ValidationError):
        clean_text("ก" * 11, max_length=10)


def test_the_fast_check_agrees():
    assert text_is_clean("สวัสดี ครับ")
    assert not text_is_clean("a\u202eb") and not text_is_clean(" a") and not text_is_clean("a\nb")
    assert text_is_clean("a\r\nb", multiline=True)


# -- core.parsing -----------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["abc", "²", "๑", "1.5", "9" * 30, "-"])
def test_int_param_refuses_with_400(raw):
    with pytest.raises(BadRequest):
        parsing.int_param(raw)


def test_int_param_range_and_default():
    assert parsing.int_param("", default=3) == 3
    assert parsing.int_param(" 42 ", maximum=50) == 42
    with pytest.raises(BadRequest):
        parsing.int_param("51", maximum=50)


@pytest.mark.parametrize("raw", ["0", "²", "99999999999999999999999", str(2**63), "", "-1"])
def test_object_id_is_404_for_what_no_table_holds(raw):
    with pytest.raises(Http404):
        parsing.object_id(raw)
    assert parsing.optional_id(raw) is None


def test_csv_table_refuses_a_huge_cell():
    text = "a,b\n" + "x" * 131_073 + ",1\n"
    with pytest.raises(ValidationError):
        parsing.csv_table(text)


def test_json_document_refuses_deep_nesting():
    with pytest.raises(ValidationError):
        parsing.json_document("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ValidationError):
        parsing.json_document("[" * 40 + "]" * 40)
    assert parsing.json_document('{"a": [1]}') == {"a": [1]}


# -- through the real doors --------------------------------------------------------------------


@pytest.mark.django_db
def test_a_point_id_larger_than_any_table_is_404_not_500(client):
    assert client.get("/f/99999999999999999999999/").status_code == 404
    assert client.get(f"/f/{2**63}/").status_code == 404


@pytest.mark.django_db
def test_api_refuses_nul_and_bidi_in_names_and_stores_nothing(client, admin_a, agency_a):
    from service_points import services
    from service_points.models import ServicePoint
    from service_points.tests.factories import point_fields

    key = services.api_key_create(agency=agency_a, by=admin_a, name="ERP")[1]
    for name in ["จุด\x00บริการ", "จุด\u202eบริการ", "จุด\x01"]:
        fields = point_fields(name_th=name)
        fields.pop("province_code")
        fields.pop("district_code")
        response = client.post(
            "/api/service-points/mine",
            fields,
            content_type="application/json",
            headers={"X-API-Key": key},
        )
        assert response.status_code == 422, response.content
    assert not ServicePoint.objects.exists()


@pytest.mark.django_db
def test_csv_import_with_nul_or_a_huge_cell_stores_nothing(agency_a, officer_a):
    from service_points.importer import service_point_import
    from service_points.models import ServicePoint

    header = "name_th,name_en,subdistrict_code,postcode,latitude,longitude,phone\n"
    for row in [
        "จุด\x00หนึ่ง,One,100101,10200,13.75,100.4913,021234567\n",
        "=cmd|' /C calc'!A0\u202e,One,100101,10200,13.75,100.4913,021234567\n",
        "x" * 131_073 + ",One,100101,10200,13.75,100.4913,021234567\n",
    ]:
        result = service_point_import(
            agency=agency_a, by=officer_a, data=(header + row).encode(), filename="p.csv"
        )
        assert not result.ok
    assert not ServicePoint.objects.exists()


@pytest.mark.django_db
def test_manual_json_import_of_deep_brackets_is_an_error_not_a_crash(agency_a, officer_a):
    from manual.services import service_import

    result = service_import(by=officer_a, agency=agency_a, text="[" * 100_000, fmt="json")
    assert not result.ok


@pytest.mark.django_db
def test_a_form_refuses_bidi_text_with_a_field_error(client, agency_a):
    response = client.post(
        f"/accounts/register/{agency_a.code}/",
        {
            "first_name": "สม\u202eหญิง",
            "last_name": "ตั้งใจ",
            "email": "somying@rd.go.th",
            "phone": "081-234-5678",
        },
    )
    assert response.status_code == 200
    assert "first_name" in response.context["form"].errors


@pytest.mark.django_db
def test_a_form_post_in_latin_1_is_400_not_500(officer_a):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/sign-in/")
    token = client.cookies["csrftoken"].value
    response = client.generic(
        "POST",
        "/accounts/sign-in/",
        f"csrfmiddlewaretoken={token}&identifier=x%E9&password=y".encode(),
        content_type="application/x-www-form-urlencoded; charset=latin-1",
    )
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_nul_and_controls_in_search_boxes_are_dropped(client):
    from core.text import search_text

    assert search_text(" บัตร\x00ประชาชน\u202e  ") == "บัตรประชาชน"
    response = client.get("/api/manual/services", {"q": "บัตร\x00", "province": "1\x00"})
    assert response.status_code == 200
    assert client.get("/agencies/", {"q": "\x00"}).status_code == 200


@pytest.mark.django_db
def test_a_one_megabyte_service_description_is_refused_and_nothing_stored(agency_a, officer_a):
    from manual.models import Service
    from manual.tests.factories import make_service

    with pytest.raises(ValidationError) as caught:
        make_service(agency=agency_a, by=officer_a, description="ก" * 1_000_000)
    assert "description" in caught.value.message_dict
    assert not Service.objects.exists()


@pytest.mark.django_db
def test_a_stored_name_is_normalised_once_for_every_door(agency_a, officer_a):
    from service_points import services
    from service_points.models import ServicePoint
    from service_points.tests.factories import point_fields

    point = services.service_point_create(
        agency=agency_a,
        fields=point_fields(name_th="  สำนัก\u200bงาน\nเขต  "),
        by=officer_a,
    )
    assert ServicePoint.objects.get(pk=point.pk).name_th == "สำนักงาน เขต"
