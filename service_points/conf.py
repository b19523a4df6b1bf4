"""Map settings, from Django settings or the environment (see README, "Service points").

MAP_TILE_URL            e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png ; empty = no tiles:
                        the map shows Thailand's outline and the markers, and still works.
MAP_TILE_ATTRIBUTION    the credit the tile provider asks for (HTML allowed: links only).
"""

import os
from urllib.parse import urlsplit

from django.conf import settings


def tile_url() -> str:
    return getattr(settings, "MAP_TILE_URL", None) or os.environ.get("MAP_TILE_URL", "")


def tile_attribution() -> str:
    return getattr(settings, "MAP_TILE_ATTRIBUTION", None) or os.environ.get(
        "MAP_TILE_ATTRIBUTION", ""
    )


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
