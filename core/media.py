"""Uploaded files, served only to whoever may see the page that shows them.

Every file under MEDIA_ROOT belongs to a record; the app that owns the record registers a
rule for its folder (`register("service_points/", rule)` in its AppConfig.ready()). A rule
gets the request and the file's name and answers True (serve), False or None (404: the same
answer as for a file that does not exist, so names cannot be probed). A folder without a rule
is never served.

The bytes go out through the front server when one is configured: nginx's X-Accel-Redirect
(`MEDIA_ACCEL_REDIRECT`, the internal location that maps to MEDIA_ROOT, or that proxies the
private bucket) or Apache/lighttpd's X-Sendfile (`MEDIA_X_SENDFILE`, local disk only);
otherwise Django streams the file itself, from the disk or from S3 (`S3_BUCKET`).
"""

from __future__ import annotations

import mimetypes
import posixpath
from collections.abc import Callable
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse

Rule = Callable[[HttpRequest, str], bool | None]
_RULES: dict[str, Rule] = {}


def register(folder: str, rule: Rule) -> None:
    _RULES[folder.rstrip("/") + "/"] = rule


def _safe_name(name: str) -> str | None:
    normal = posixpath.normpath(name)
    if normal != name or normal.startswith(("/", "../")) or "\\" in name or "\x00" in name:
        return None
    return normal


def _on_local_disk() -> bool:
    """X-Sendfile needs a path; object storage (S3) has none, and Django streams instead."""
    try:
        default_storage.path("")
    except NotImplementedError:
        return False
    return True


def media_response(request: HttpRequest, name: str) -> HttpResponse:
    name_ok = _safe_name(name)
    rule = next((r for folder, r in _RULES.items() if name.startswith(folder)), None)
    if name_ok is None or rule is None or not rule(request, name_ok):
        raise Http404
    if not default_storage.exists(name_ok):
        raise Http404
    content_type = mimetypes.guess_type(name_ok)[0] or "application/octet-stream"
    accel = getattr(settings, "MEDIA_ACCEL_REDIRECT", "")
    if accel:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = accel.rstrip("/") + "/" + quote(name_ok)
    elif getattr(settings, "MEDIA_X_SENDFILE", False) and _on_local_disk():
        response = HttpResponse(content_type=content_type)
        response["X-Sendfile"] = default_storage.path(name_ok)
    else:
        response = FileResponse(default_storage.open(name_ok, "rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=600"
    return response
