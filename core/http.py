from django.http import HttpRequest


def is_htmx(request: HttpRequest) -> bool:
    """An htmx request wants a fragment; everything works without it too."""
    return request.headers.get("HX-Request") == "true" and not request.headers.get("HX-Boosted")
