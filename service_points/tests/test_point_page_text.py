"""A point's page: Thai address prefixes, grouped phone numbers, English data in English."""

import pytest

from service_points.tests.factories import PublishedPointFactory

pytestmark = pytest.mark.django_db


def test_bangkok_address_says_khwaeng_and_khet_once(client):
    point = PublishedPointFactory(phone="028814999#1234", house_number=" 5")
    html = client.get(f"/service-points/{point.pk}/").content.decode()
    names = point.division_names()
    district = names["district_th"].removeprefix("เขต")
    assert f"เขต{district}" in html
    assert "เขตเขต" not in html and "ตำบล/แขวง" not in html and "อำเภอ/เขต" not in html
    assert "02 881 4999 ต่อ 1234" in html
    assert 'href="tel:+6628814999;ext=1234"' in html


def test_english_view_shows_english_names(client):
    point = PublishedPointFactory(name_en="Phra Nakhon District Office")
    client.cookies["django_language"] = "en"
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(f"/service-points/{point.pk}/").content.decode()
    assert "<h1>Phra Nakhon District Office</h1>" in html
    assert "Bangkok" in html and "District" in html


def test_pin_form_takes_the_numbers_registration_takes(client, officer_a):
    from service_points.forms import ServicePointForm

    form = ServicePointForm()
    field = form.fields["phone"]
    assert field.clean("02 881 4999 ต่อ 1234") == "028814999#1234"
    assert field.clean("081 234 5678") == "0812345678"


def test_the_list_of_points_is_headed_by_the_point_name_not_a_person(client, officer_a):
    PublishedPointFactory(agency=officer_a.agency)
    client.force_login(officer_a)
    html = client.get("/my-agency/service-points/").content.decode()
    assert "ชื่อจุดให้บริการ" in html and "ชื่อ-นามสกุล" not in html


def test_map_popup_data_is_english_in_the_english_view(client):
    """The public map's popups (clusters.json points) follow the reader's language."""
    point = PublishedPointFactory(
        name_th="สำนักงานเขตพระนคร", name_en="Phra Nakhon District Office", latitude=13.75
    )
    thai_only = PublishedPointFactory(name_th="ศูนย์บริการไทยล้วน", name_en="", latitude=13.76)
    url = "/service-points/clusters.json?bbox=100.3,13.6,100.7,13.9&zoom=18"
    thai = {p["id"]: p for p in client.get(url).json()["points"]}
    assert thai[point.pk]["name"] == "สำนักงานเขตพระนคร"
    assert "กรุงเทพมหานคร" in thai[point.pk]["address"]
    client.cookies["django_language"] = "en"
    english = {p["id"]: p for p in client.get(url).json()["points"]}
    assert english[point.pk]["name"] == "Phra Nakhon District Office"
    assert "Bangkok" in english[point.pk]["address"]
    assert "กรุงเทพ" not in english[point.pk]["address"]
    assert english[thai_only.pk]["name"] == "ศูนย์บริการไทยล้วน"  # no English name: the Thai one


def test_point_page_map_pin_is_named_in_the_english_view(client):
    point = PublishedPointFactory(name_en="Phra Nakhon District Office")
    client.cookies["django_language"] = "en"
    html = client.get(f"/service-points/{point.pk}/").content.decode()
    assert 'data-name="Phra Nakhon District Office"' in html
