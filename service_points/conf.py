"""Map settings, from Django settings or the environment (see README, "Service points").

MAP_TILE_PROVIDER       "osm" (default: OpenStreetMap's standard tiles, with their credit),
                        "longdo" (Longdo Map, needs MAP_LONGDO_KEY), "custom" (MAP_TILE_URL, e.g.
                        an agency's own tile server) or "none" (Thailand's outline only).
                        Setting MAP_TILE_URL alone means "custom".
MAP_TILE_URL            the custom tile URL template, e.g. https://tiles.example.go.th/{z}/{x}/{y}.png
MAP_TILE_ATTRIBUTION    the credit the custom tile provider asks for (HTML allowed: links only).
MAP_TILE_MAX_ZOOM       the custom server's deepest zoom (19).
MAP_LONGDO_KEY          the Longdo Map API key (https://map.longdo.com/api).

Whatever the provider, the map draws Thailand's outline under the tiles and says so when the
tiles cannot be loaded (no network, a blocked server): the pins still work.
"""

import os
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from django.conf import settings

OSM_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = (
    '© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)
LONGDO_URL = (
    "https://ms.longdo.com/mmmap/img.php?zoom={z}&x={x}&y={y}&mode=normal&proj=epsg3857&HD=1&key="
)
LONGDO_ATTRIBUTION = '© <a href="https://map.longdo.com/">Longdo Map</a>'
PROVIDERS = ("osm", "longdo", "custom", "none")


@dataclass(frozen=True)
class TileLayer:
    provider: str
    url: str
    attribution: str
    max_zoom: int


def _setting(name: str, default: str = "") -> str:
    value = getattr(settings, name, None)
    if value is None or value == "":
        value = os.environ.get(name, default)
    return str(value).strip()


def tile_layer() -> TileLayer:
    provider = _setting("MAP_TILE_PROVIDER").lower()
    custom_url = _setting("MAP_TILE_URL")
    if not provider:
        provider = "custom" if custom_url else "osm"
    if provider == "osm":
        return TileLayer("osm", OSM_URL, OSM_ATTRIBUTION, 19)
    if provider == "longdo":
        key = _setting("MAP_LONGDO_KEY")
        if key:
            return TileLayer("longdo", LONGDO_URL + quote(key, safe=""), LONGDO_ATTRIBUTION, 20)
    if provider == "custom" and custom_url:
        try:
            max_zoom = int(_setting("MAP_TILE_MAX_ZOOM", "19"))
        except ValueError:
            max_zoom = 19
        return TileLayer("custom", custom_url, _setting("MAP_TILE_ATTRIBUTION"), max_zoom)
    # "none", an unknown name, Longdo without a key or "custom" without a URL: outline only.
    return TileLayer("none", "", "", 19)


def tile_url() -> str:
    return tile_layer().url


def tile_attribution() -> str:
    return tile_layer().attribution


def tile_origin() -> str | None:
    url = tile_url()
    if not url:
        return None
    parts = urlsplit(url.replace("{s}", "a"))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    host = parts.netloc.replace("a.", "*.", 1) if "{s}" in url else parts.netloc
    return f"{parts.scheme}://{host}"


def with_tiles_allowed(response):
    """Lets the page load tiles from the configured server despite the strict CSP."""
    origin = tile_origin()
    if origin:
        response._csp_update = {"img-src": [origin]}
    return response
