from django.conf import settings
from django.http import HttpRequest


def is_htmx(request: HttpRequest) -> bool:
    """An htmx request wants a fragment; everything works without it too."""
    return request.headers.get("HX-Request") == "true" and not request.headers.get("HX-Boosted")


def form_data(request: HttpRequest):
    """POST data on a POST (even an empty one, which must show every error), else None."""
    return request.POST if request.method == "POST" else None


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address: the proxy's header named by CLIENT_IP_META, else REMOTE_ADDR."""
    if request is None:
        return None
    value = request.META.get(settings.CLIENT_IP_META) or request.META.get("REMOTE_ADDR", "")
    return value.split(",")[0].strip() or None
