"""Who may use the citizen's space: a signed-in citizen, and only for their own records.

A citizen is never a `request.user`: staff predicates in accounts/access.py see an anonymous
user, and a staff session never carries a citizen (citizens.middleware, ADR 0110).
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from citizens.models import Citizen


def current_citizen(request: HttpRequest) -> Citizen | None:
    return getattr(request, "citizen", None)


def citizen_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Not signed in as a citizen: to /me/ (which offers ThaiD sign-in, then comes back here
    with the query kept). Staff too: a staff session has no citizen space."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if current_citizen(request) is None:
            query = urlencode({"next": request.get_full_path()})
            return redirect(reverse("citizens:home") + "?" + query)
        return view(request, *args, **kwargs)

    return wrapped


def safe_next(request: HttpRequest, value: str | None) -> str | None:
    """A page of the citizen's space to come back to after signing in, or None."""
    if not value or not value.startswith("/me/") or value.startswith("/me/sign-"):
        return None
    if not url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}):
        return None
    return value
