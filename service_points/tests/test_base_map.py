"""The base map: a configurable tile layer (OSM by default), its credit, and the outline fallback."""

import pytest

from service_points import conf
from service_points.tests.factories import PublishedPointFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_tile_env(monkeypatch, settings):
    for name in ("MAP_TILE_PROVIDER", "MAP_TILE_URL", "MAP_TILE_ATTRIBUTION", "MAP_LONGDO_KEY"):
        monkeypatch.delenv(name, raising=False)
        if hasattr(settings, name):
            delattr(settings, name)


def test_openstreetmap_is_the_default_with_its_credit(no_tile_env, client):
    layer = conf.tile_layer()
    assert layer.provider == "osm"
    assert layer.url == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    response = client.get("/service-points/")
    html = response.content.decode()
    assert 'data-tile-url="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in html
    assert "https://www.openstreetmap.org/copyright" in html
    assert "https://tile.openstreetmap.org" in response["Content-Security-Policy"]


def test_longdo_needs_its_key(no_tile_env, settings):
    settings.MAP_TILE_PROVIDER = "longdo"
    assert conf.tile_layer().provider == "none"  # no key: outline only, never a broken layer
    settings.MAP_LONGDO_KEY = "abc 123"
    layer = conf.tile_layer()
    assert layer.provider == "longdo"
    assert layer.url.startswith("https://ms.longdo.com/mmmap/img.php?")
    assert layer.url.endswith("&key=abc%20123")
    assert "Longdo Map" in layer.attribution


def test_an_agency_tile_server(no_tile_env, settings, client):
    settings.MAP_TILE_URL = "https://tiles.example.go.th/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = "© กรมแผนที่"
    settings.MAP_TILE_MAX_ZOOM = "17"
    layer = conf.tile_layer()
    assert (layer.provider, layer.max_zoom) == ("custom", 17)
    html = client.get("/service-points/").content.decode()
    assert 'data-tile-max-zoom="17"' in html


def test_none_says_there_is_no_street_map(no_tile_env, settings, client):
    settings.MAP_TILE_PROVIDER = "none"
    html = client.get("/service-points/").content.decode()
    assert 'data-tile-url=""' in html
    assert 'id="map-notice" role="status">' in html  # shown, not hidden


def test_map_page_has_one_region_named_map(no_tile_env, client):
    html = client.get("/service-points/").content.decode()
    assert html.count('role="region"') + html.count('<section aria-labelledby="map-title"') == 1


def test_point_page_map_has_the_credit(no_tile_env, client):
    point = PublishedPointFactory()
    html = client.get(f"/service-points/{point.pk}/").content.decode()
    assert "openstreetmap.org/copyright" in html
