from django.http import HttpRequest


def is_htmx(request: HttpRequest) -> bool:
    """An htmx request wants a fragment; everything works without it too."""
    return request.headers.get("HX-Request") == "true" and not request.headers.get("HX-Boosted")


def form_data(request: HttpRequest):
    """POST data on a POST (even an empty one, which must show every error), else None."""
    return request.POST if request.method == "POST" else None
