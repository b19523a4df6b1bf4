import pytest
from django.urls import reverse

from service_points.models import ServicePoint
from service_points.tests.factories import (
    PublishedPointFactory,
    ServicePointFactory,
    image_upload,
    point_fields,
)

pytestmark = pytest.mark.django_db


def _login(client, user):
    if user is not None:
        client.force_login(user)


def _form_data(**overrides):
    return point_fields(**overrides)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 404),
        ("officer_a", 200),
        ("admin_a", 200),
        ("ega_admin", 200),
        ("overseer", 200),
        ("officer_b", 404),
    ],
)
def test_who_sees_a_draft_point_page(client, role_users, officer_b, agency_a, role, expected):
    users = {**role_users, "officer_b": officer_b}
    draft = ServicePointFactory(agency=agency_a, name_th="ร่างของเอ")
    _login(client, users[role])
    response = client.get(draft.get_absolute_url())
    assert response.status_code == expected
    assert ("ร่างของเอ" in response.content.decode()) == (expected == 200)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 302),
        ("officer_a", 200),
        ("admin_a", 200),
        ("ega_admin", 403),
        ("overseer", 403),
        ("officer_b", 404),
    ],
)
def test_who_may_open_the_edit_page(client, role_users, officer_b, agency_a, role, expected):
    users = {**role_users, "officer_b": officer_b}
    point = ServicePointFactory(agency=agency_a)
    _login(client, users[role])
    assert client.get(reverse("service_points:edit", args=[point.pk])).status_code == expected


@pytest.mark.parametrize("url_name", ["publish", "archive"])
def test_officer_b_cannot_change_a_point_of_a(client, officer_b, agency_a, url_name):
    point = ServicePointFactory(agency=agency_a)
    client.force_login(officer_b)
    response = client.post(reverse("service_points:transition", args=[point.pk, url_name]))
    assert response.status_code == 404
    response = client.post(reverse("service_points:edit", args=[point.pk]), _form_data())
    assert response.status_code == 404
    response = client.post(
        reverse("service_points:photo_add", args=[point.pk]),
        {"kind": "counter", "image": image_upload()},
    )
    assert response.status_code == 404
    point.refresh_from_db()
    assert point.status == "draft" and not point.photos.exists()


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 200),
        ("officer_a", 200),
        ("ega_admin", 200),
        ("overseer", 200),
    ],
)
def test_public_pages_for_everyone(client, role_users, role, expected):
    point = PublishedPointFactory(name_th="จุดสาธารณะ")
    _login(client, role_users[role])
    for url in [
        reverse("service_points:map"),
        point.get_absolute_url(),
        reverse("service_points:near") + "?lat=13.75&lon=100.49",
        reverse("service_points:opendata"),
    ]:
        assert client.get(url).status_code == expected, url
    assert "จุดสาธารณะ" in client.get(reverse("service_points:map") + "?q=สาธารณะ").content.decode()


def test_contact_person_shown_only_to_agency_and_overseers(client, officer_a, agency_a, overseer):
    point = PublishedPointFactory(agency=agency_a, contact_name="นายลับ เฉพาะ")
    assert "นายลับ" not in client.get(point.get_absolute_url()).content.decode()
    client.force_login(officer_a)
    assert "นายลับ" in client.get(point.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 302),
        ("officer_a", 200),
        ("admin_a", 200),
        ("ega_admin", 200),
        ("overseer", 200),
    ],
)
def test_agency_list(client, role_users, agency_a, role, expected, django_assert_max_num_queries):
    ServicePointFactory.create_batch(5, agency=agency_a)
    _login(client, role_users[role])
    with django_assert_max_num_queries(12):
        response = client.get(reverse("service_points:mine"))
    assert response.status_code == expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 302),
        ("officer_a", 403),
        ("admin_a", 200),
        ("ega_admin", 403),
        ("overseer", 403),
    ],
)
def test_api_keys_page_for_agency_admins_only(client, role_users, role, expected):
    _login(client, role_users[role])
    assert client.get(reverse("service_points:api_keys")).status_code == expected


def test_pin_create_then_photo_then_publish(client, officer_a):
    client.force_login(officer_a)
    response = client.post(reverse("service_points:create"), _form_data())
    point = ServicePoint.objects.get()
    assert response.status_code == 302 and point.status == "draft"
    response = client.post(
        reverse("service_points:photo_add", args=[point.pk]),
        {"kind": "counter", "image": image_upload()},
    )
    assert response.status_code == 302 and point.photos.count() == 1
    client.post(reverse("service_points:transition", args=[point.pk, "publish"]))
    point.refresh_from_db()
    assert point.status == "published"
    page = client.get(reverse("service_points:edit", args=[point.pk])).content.decode()
    assert "ประวัติ" in page or "History" in page


def test_pin_form_errors_are_shown_and_nothing_saved(client, officer_a):
    client.force_login(officer_a)
    response = client.post(
        reverse("service_points:create"),
        _form_data(
            latitude="21.03", longitude="105.85", phone="abc", postcode="50000", contact_name=""
        ),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "error-summary" in body and "นอกประเทศไทย" in body
    assert not ServicePoint.objects.exists()


def test_duplicate_is_a_warning_not_a_refusal(client, officer_a, agency_a):
    ServicePointFactory(agency=agency_a, latitude=13.7500, longitude=100.4913)
    client.force_login(officer_a)
    response = client.post(reverse("service_points:create"), _form_data(), follow=True)
    assert ServicePoint.objects.count() == 2
    assert "50" in response.content.decode() or "ม." in response.content.decode()


def test_non_image_named_jpg_is_refused_in_the_page(client, officer_a, agency_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    point = ServicePointFactory(agency=agency_a)
    client.force_login(officer_a)
    response = client.post(
        reverse("service_points:photo_add", args=[point.pk]),
        {
            "kind": "counter",
            "image": SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 not an image", "image/jpeg"),
        },
    )
    assert response.status_code == 400
    assert "error-summary" in response.content.decode()
    assert not point.photos.exists()


def test_photo_gps_is_offered_as_the_pin_position(client, officer_a, agency_a):
    from service_points.tests.factories import gps_exif

    point = ServicePointFactory(agency=agency_a)
    client.force_login(officer_a)
    client.post(
        reverse("service_points:photo_add", args=[point.pk]),
        {"kind": "entrance", "image": image_upload(exif=gps_exif(13.76, 100.5))},
    )
    page = client.get(reverse("service_points:edit", args=[point.pk])).content.decode()
    assert reverse("service_points:move_to_photo", args=[point.pk]) in page
    client.post(
        reverse("service_points:move_to_photo", args=[point.pk]),
        {"latitude": "13.76", "longitude": "100.5"},
    )
    point.refresh_from_db()
    assert (point.latitude, point.longitude) == (13.76, 100.5)


def test_clusters_endpoint_and_bad_input(client):
    PublishedPointFactory()
    ok = client.get(reverse("service_points:clusters") + "?bbox=97,5,106,21&zoom=5")
    assert ok.status_code == 200 and ok.json()["total"] == 1
    assert ok.json()["points"][0]["url"].startswith("/service-points/")
    for query in [
        "",
        "?bbox=a,b,c,d&zoom=5",
        "?bbox=97,5,106&zoom=5",
        "?bbox=97,5,106,21&zoom=99",
        "?bbox=nan,5,106,21&zoom=3",
    ]:
        assert client.get(reverse("service_points:clusters") + query).status_code == 400


def test_division_options(client):
    body = client.get(reverse("service_points:division_options") + "?province_code=10").content
    assert "พระนคร".encode() in body


def test_checklist_links_to_pinning(client, officer_a, agency_a):
    from progress.selectors import agency_checklist

    step = next(s for s in agency_checklist(agency=agency_a) if s.key == "pinned")
    assert step.url and not step.done
    PublishedPointFactory(agency=agency_a)
    step = next(s for s in agency_checklist(agency=agency_a) if s.key == "pinned")
    assert step.done


def test_tile_server_is_configurable_and_allowed_by_csp(client, settings):
    settings.MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = "© Example"
    response = client.get(reverse("service_points:map"))
    assert "tiles.example.org" in response.content.decode()
    assert "https://tiles.example.org" in response["Content-Security-Policy"]


def test_public_map_knows_where_citizens_figures_are(client, db):
    html = client.get(reverse("service_points:map")).content.decode()
    assert 'data-summary-url="/api/feedback/points/0/summary"' in html
    assert "ประชาชนพึงพอใจ {share} จาก {count} ความเห็น" in html
