"""Test-only pages around the "who read my data" partial (the citizens app has the real ones):
the project's URLs plus a readings page and a proof endpoint for any pseudonym."""

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.template import engines
from django.urls import include, path

from exchange import selectors

PAGE = engines["django"].from_string(
    '{% extends "base.html" %}{% block title %}Readings{% endblock %}'
    "{% block content %}<h1>Who read my data</h1>"
    '{% include "exchange/_subject_readings.html" %}{% endblock %}'
)


def readings_page(request: HttpRequest, pseudonym: str) -> HttpResponse:
    context = {
        "readings": selectors.subject_readings(pseudonym=pseudonym),
        "proof_url_template": f"/test-readings/{pseudonym}/{{index}}/proof.json",
    }
    return HttpResponse(PAGE.render(context, request))


def readings_proof(request: HttpRequest, pseudonym: str, index: int) -> JsonResponse:
    doc = selectors.subject_reading_proof(pseudonym=pseudonym, index=index)
    if doc is None:
        raise Http404
    return JsonResponse(doc)


urlpatterns = [
    path("test-readings/<slug:pseudonym>/", readings_page),
    path("test-readings/<slug:pseudonym>/<index:index>/proof.json", readings_proof),
    path("", include("citizeninfo.urls")),
]
