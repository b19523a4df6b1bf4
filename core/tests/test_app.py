"""The installable app (issue 22): the manifest, the service worker and the head of every page."""

import json
import re

import pytest

pytestmark = pytest.mark.django_db


def _manifest(client, **headers):
    response = client.get("/manifest.webmanifest", **headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json; charset=utf-8"
    return json.loads(response.content)


def test_the_manifest_meets_chromiums_installability_criteria(client):
    data = _manifest(client)
    assert data["lang"] == "th"
    assert data["name"] == "CITIZENinfo: บริการภาครัฐสำหรับประชาชน"
    assert data["short_name"] == "CITIZENinfo" and len(data["short_name"]) <= 12
    assert data["display"] == "standalone"
    assert data["start_url"] == "/" and data["scope"] == "/" and data["id"] == "/"
    assert data["theme_color"] == "#0b3d91"
    assert re.fullmatch(r"#[0-9a-f]{6}", data["background_color"])
    sizes = {(icon["sizes"], icon.get("purpose", "any")) for icon in data["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    assert [s["name"] for s in data["shortcuts"]] == ["จุดให้บริการใกล้ฉัน", "คู่มือสำหรับประชาชน"]


def test_every_icon_of_the_manifest_is_served_at_its_declared_size(client):
    from io import BytesIO

    from PIL import Image

    for icon in _manifest(client)["icons"]:
        response = client.get(icon["src"])
        assert response.status_code == 200, icon["src"]
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if icon["type"] == "image/png":
            width, height = Image.open(BytesIO(body)).size
            assert f"{width}x{height}" == icon["sizes"], icon["src"]


def test_the_manifest_follows_the_chosen_language(client):
    client.cookies["django_language"] = "en"
    data = _manifest(client)
    assert data["lang"] == "en"
    assert data["name"] == "CITIZENinfo: government services for citizens"


def test_the_service_worker_is_served_from_the_root_and_never_cached(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Cache-Control"] == "no-cache"
    assert response["Service-Worker-Allowed"] == "/"
    body = response.content.decode()
    config = json.loads(body.split("\n", 1)[0].removeprefix("const CONFIG = ").rstrip(";"))
    assert "/static/core/site.css" in config["shell"]
    assert "/static/vendor/sarabun/sarabun-thai-400-normal.woff2" in config["shell"]
    assert "htmx" not in " ".join(config["shell"])  # the feedback page must not pay for it
    assert re.fullmatch(r"[0-9a-f]{16}", config["version"])
    assert 'addEventListener("fetch"' in body
    for path in config["shell"]:
        assert client.get(path).status_code == 200, path


def test_the_cache_name_changes_when_a_shell_file_changes(client, monkeypatch):
    from core import views

    before = views._shell_version()
    monkeypatch.setattr(views, "APP_SHELL", (*views.APP_SHELL, "core/favicon-32.png"))
    assert views._shell_version() != before


def test_only_public_reading_pages_are_kept_offline():
    from core.views import OFFLINE_PAGES

    def kept(path):
        return any(re.search(pattern, path) for pattern in OFFLINE_PAGES)

    for path in ("/", "/manual/", "/manual/12/", "/service-points/near/", "/service-points/7/"):
        assert kept(path), path
    # The QR page's blank questionnaire too (ADR 0091), never what follows an answer.
    assert kept("/f/1/")
    for path in ("/manual/manage/", "/my-agency/service-points/", "/accounts/sign-in/"):
        assert not kept(path), path
    for path in ("/f/1/thanks/", "/f/waiting/", "/feedback/points/1/", "/my-agency/feedback/"):
        assert not kept(path), path


@pytest.mark.parametrize("path", ["/", "/manual/", "/service-points/near/", "/accounts/sign-in/"])
def test_every_page_has_a_viewport_a_theme_colour_and_the_manifest(client, path):
    html = client.get(path).content.decode()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert '<meta name="theme-color" content="#0b3d91">' in html
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert 'rel="apple-touch-icon" href="/static/core/icons/apple-touch-icon.png"' in html
    assert 'src="/static/core/app.js" defer' in html
    # The offline banner stays hidden until a page is drawn from the phone's copy.
    assert 'id="offline-banner" class="offline-banner" role="status" hidden' in html
    assert 'data-label="ออฟไลน์ — ข้อมูล ณ วันที่"' in html


def test_the_error_page_has_a_theme_colour_too():
    from pathlib import Path

    from django.conf import settings

    html = (Path(settings.BASE_DIR) / "templates" / "500.html").read_text()
    assert 'name="viewport"' in html and '<meta name="theme-color" content="#0b3d91">' in html


def test_navigate_works_without_javascript_through_google_maps(client, agency_a):
    from service_points.tests.factories import PublishedPointFactory

    point = PublishedPointFactory(agency=agency_a, latitude=13.7563, longitude=100.5018)
    html = client.get(f"/service-points/{point.pk}/").content.decode()
    assert (
        'href="https://www.google.com/maps/dir/?api=1&amp;destination=13.756300%2C100.501800"'
        in html
    )
    assert 'data-directions data-lat="13.756300" data-lon="100.501800"' in html
    assert ">นำทาง</a>" in html


def test_the_star_slot_is_hidden_without_javascript_and_the_home_list_too(client, agency_a):
    from manual.tests.factories import make_published
    from service_points.tests.factories import PublishedPointFactory

    point = PublishedPointFactory(agency=agency_a, name_th="ศูนย์ทดสอบดาว")
    service = make_published(agency=agency_a)
    for path, kind in (
        (f"/service-points/{point.pk}/", "point"),
        (f"/manual/{service.pk}/", "service"),
    ):
        html = client.get(path).content.decode()
        assert f'class="star-slot" hidden data-star data-kind="{kind}"' in html, path
    home = client.get("/").content.decode()
    assert 'id="saved" class="saved" aria-labelledby="saved-title" hidden' in home
