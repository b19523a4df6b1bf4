"""Issue 17: uploaded files go out only to whoever may see the page that shows them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from manual import services as manual_services
from service_points import services
from service_points.tests.factories import PublishedPointFactory, ServicePointFactory, image_upload

pytestmark = pytest.mark.django_db


def _photo(point, by):
    photo, _gps = services.service_point_photo_add(
        point=point, by=by, upload=image_upload(), kind="counter"
    )
    return photo


def test_a_draft_points_photo_is_for_its_agency_only(client, officer_a, officer_b, agency_a):
    photo = _photo(ServicePointFactory(agency=agency_a), officer_a)
    for name in (photo.image.name, photo.thumbnail.name):
        url = f"/media/{name}"
        assert client.get(url).status_code == 404
        client.force_login(officer_b)
        assert client.get(url).status_code == 404
        client.force_login(officer_a)
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"
        client.logout()


def test_a_published_points_shown_photo_is_public(client, officer_a, agency_a):
    photo = _photo(PublishedPointFactory(agency=agency_a), officer_a)
    assert client.get(photo.image.url).status_code == 200


def test_unknown_folders_unknown_files_and_traversal_are_404(client):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    default_storage.save("secret.txt", ContentFile(b"x"))
    for url in [
        "/media/secret.txt",
        "/media/service_points/1/nothing.jpg",
        "/media/service_points/../secret.txt",
        "/media/service_points/%2e%2e/secret.txt",
    ]:
        assert client.get(url).status_code == 404, url


def test_front_server_headers(client, officer_a, agency_a, settings, tmp_path):
    photo = _photo(PublishedPointFactory(agency=agency_a), officer_a)
    settings.MEDIA_ACCEL_REDIRECT = "/protected-media/"
    response = client.get(photo.image.url)
    assert response["X-Accel-Redirect"] == f"/protected-media/{photo.image.name}"
    assert response.content == b""
    settings.MEDIA_ACCEL_REDIRECT = ""
    settings.MEDIA_X_SENDFILE = True
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.MEDIA_ROOT = tmp_path
    photo = _photo(PublishedPointFactory(agency=agency_a), officer_a)
    assert client.get(photo.image.url)["X-Sendfile"] == str(tmp_path / photo.image.name)


def test_an_unpublished_sample_form_is_not_public(client, officer_a, officer_b, agency_a):
    from manual.tests.factories import make_service

    service = make_service(agency=agency_a)
    form = manual_services.sample_form_add(
        service=service,
        by=officer_a,
        title="แบบคำขอ",
        upload=SimpleUploadedFile("f.pdf", b"%PDF-1.4 x\n%%EOF\n"),
    )
    url = f"/media/{form.file.name}"
    assert client.get(url).status_code == 404
    client.force_login(officer_b)
    assert client.get(url).status_code == 404
    client.force_login(officer_a)
    assert client.get(url).status_code == 200
