from django.conf import settings
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_prometheus.exports import ExportToDjangoView

from core import health, operators
from core.media import media_response


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """`{"status": "ok"}` for the load balancer (503 when this node cannot reach the primary
    database); operators also get each dependency's state (core/health.py, ADR 0130)."""
    if operators.from_operators_network(request) or operators.has_health_token(request):
        report = health.details()
        report["database"] = "ok" if report["checks"]["database"]["ok"] else "error"
        return JsonResponse(report, status=503 if report["status"] == "error" else 200)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - any database failure means "unhealthy"
        return JsonResponse({"status": "error", "database": type(error).__name__}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus metrics, only to the operators' network (METRICS_ALLOWED_NETWORKS); anyone
    else is told there is nothing here."""
    if not settings.METRICS_ENABLED or not operators.from_operators_network(request):
        raise Http404
    return ExportToDjangoView(request)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "404.html", status=404)


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    """Django's own 400 view re-runs the CSRF check, which reads the body that could not be
    read in the first place (a form POST declaring charset=latin-1): a 500. This one does
    not (issue 17)."""
    return render(request, "400.html", status=400)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "403.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)


def favicon(request):
    from django.shortcuts import redirect
    from django.templatetags.static import static

    response = redirect(static("core/favicon.ico"))
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_http_methods(["GET", "HEAD"])
def media(request: HttpRequest, name: str) -> HttpResponse:
    """Uploaded files through the owning app's access rule (core.media)."""

    return media_response(request, name)


# --- The installable app (issue 22, ADR 0090) ---

THEME_COLOR = "#0b3d91"  # --brand in core/site.css
# What a repeat visit draws without the network: the site's CSS, fonts and scripts.
APP_SHELL = (
    "core/site.css",
    "core/menu.js",
    "core/app.js",
    "core/favicon.svg",
    "vendor/sarabun/sarabun-thai-400-normal.woff2",
    "vendor/sarabun/sarabun-thai-700-normal.woff2",
    "vendor/sarabun/sarabun-basic-latin-400-normal.woff2",
    "vendor/sarabun/sarabun-basic-latin-700-normal.woff2",
)
# Public pages the phone keeps a copy of for offline reading (path regexes, matched in the worker).
OFFLINE_PAGES = (
    r"^/$",
    r"^/manual/$",
    r"^/manual/\d+/$",
    r"^/service-points/$",
    r"^/service-points/near/$",
    r"^/service-points/\d+/$",
    r"^/f/\d+/$",
)

# The QR feedback page: an answer posted there without a network waits on the phone, and its
# blank form is kept for a repeat visit (ADR 0091).
ANSWER_PAGE = r"^/f/\d+/$"
# How long a kept page waits for the network before the phone's copy is shown (ADR 0091).
PAGE_DEADLINE_MS = 750


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    """The Web App Manifest, in the request's language (Thai by default)."""
    import json

    from django.templatetags.static import static
    from django.urls import reverse
    from django.utils.translation import get_language
    from django.utils.translation import gettext as _

    icon = "core/icons/icon-{}.png"
    data = {
        "id": "/",
        "name": _("CITIZENinfo: government services for citizens"),
        "short_name": "CITIZENinfo",
        "description": _(
            "Find government service points and what they offer, check what to bring, "
            "and rate the service you got."
        ),
        "lang": get_language() or "th",
        "dir": "ltr",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME_COLOR,
        "background_color": "#ffffff",
        "categories": ["government", "utilities"],
        "icons": [
            {"src": static(icon.format(192)), "sizes": "192x192", "type": "image/png"},
            {"src": static(icon.format(512)), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("core/icons/maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
            {"src": static("core/favicon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
        "shortcuts": [
            {"name": _("Service points near me"), "url": reverse("service_points:near")},
            {"name": _("Citizen's Manual"), "url": reverse("manual:search")},
        ],
    }
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=1),
        content_type="application/manifest+json; charset=utf-8",
    )
    response["Cache-Control"] = "public, max-age=3600"
    response["Vary"] = "Cookie, Accept-Language"
    return response


def _shell_version() -> str:
    """Changes whenever a shell file changes, so the worker's cache name follows the static files."""
    import hashlib

    from django.contrib.staticfiles import finders
    from django.templatetags.static import static

    digest = hashlib.sha256()
    for name in APP_SHELL:
        digest.update(static(name).encode())
        found = finders.find(name)
        if found:
            with open(found, "rb") as file:
                digest.update(file.read())
    return digest.hexdigest()[:16]


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The worker must be served from the site root to control every page (its scope)."""
    import json

    from django.conf import settings
    from django.contrib.staticfiles import finders
    from django.templatetags.static import static
    from django.urls import reverse

    config = {
        "version": _shell_version(),
        "shell": [static(name) for name in APP_SHELL],
        "pages": list(OFFLINE_PAGES),
        "nearPath": reverse("service_points:near"),
        "answerPage": ANSWER_PAGE,
        "pageDeadline": PAGE_DEADLINE_MS,
        "waitingPage": reverse("feedback:waiting"),
        "staticUrl": settings.STATIC_URL,
    }
    found = finders.find("core/sw.js")
    with open(str(found), encoding="utf-8") as file:
        body = file.read()
    response = HttpResponse(
        f"const CONFIG = {json.dumps(config)};\n{body}",
        content_type="text/javascript; charset=utf-8",
    )
    # Browsers check for a new worker on each navigation; never let a cache hide one.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response
