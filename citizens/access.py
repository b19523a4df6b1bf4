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

from citizens.models import Citizen


def current_citizen(request: HttpRequest) -> Citizen | None:
    return getattr(request, "citizen", None)


def citizen_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Not signed in as a citizen: to /me/ (which offers ThaiD sign-in). Staff too: a staff
    session has no citizen space."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if current_citizen(request) is None:
            return redirect(reverse("citizens:home") + "?next=" + request.path)
        return view(request, *args, **kwargs)

    return wrapped
