"""Property-based fuzzing of every page and every form (issue 17).

Every named URL of the portal (the same set the URL-by-role tables cover, less the Django
admin, the JSON API, which schemathesis drives, and the PDF renderers, which are slow and
take no parameters but ids) is requested with hostile path parameters and query strings,
and every form found on its page is posted back with hostile values, as anonymous, an
agency officer, an agency administrator and an EGA administrator. Asserted: never a 5xx, and a refused POST (anything
but a redirect) leaves the records people write unchanged.

Bounded for CI: FUZZ_EXAMPLES examples per role (default 60; about 20 s on the standard
machine). `FUZZ_EXAMPLES=2000 script/test core/tests/test_fuzz.py` for a long run.
"""

import os
import re
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service_points.tests.factories import PublishedPointFactory, ServicePointFactory

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))
SKIP = re.compile(r"^(admin|api|jsi18n|static)/|pdf|poster")

HOSTILE_TEXT = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x01",
    "²",
    "๑๒",
    "-1",
    "0",
    "1.5",
    "1e999",
    "nan",
    "inf",
    "9" * 25,
    str(2**63),
    "abc",
    "' OR 1=1 --",
    '=HYPERLINK("http://x")',
    "=cmd|' /C calc'!A0",
    "https://\u202eexe.txt",
    "a\u200bb",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "%00",
    "[]",
    "{}",
    "ก" * 5000,
    "x" * 70_000,
    "\ud7ff\ue000\ufffd",
]
hostile_text = st.one_of(
    st.sampled_from(HOSTILE_TEXT), st.text(max_size=30), st.integers().map(str)
)
QUERY_NAMES = [
    "q",
    "page",
    "round",
    "zoom",
    "bbox",
    "lat",
    "lon",
    "period",
    "status",
    "limit",
    "offset",
    "province",
    "agency",
    "category",
    "next",
    "index",
    "tree_size",
    "first",
    "second",
]
FIELD = re.compile(r'<(?:input|textarea|select)\b[^>]*\bname="([^"]+)"', re.IGNORECASE)
FORM = re.compile(r'<form\b[^>]*method="post"[^>]*>(.*?)</form>', re.IGNORECASE | re.DOTALL)


def _routes(resolver=None, prefix: str = ""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if not isinstance(pattern.pattern, RoutePattern):
            continue
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern, route)
        elif isinstance(pattern, URLPattern) and not SKIP.search(route):
            yield route


PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def _written() -> dict[str, int]:
    from accounts.models import Registration, User
    from agencies.models import Agency, AgencyRequest
    from feedback.models import Reply, Response
    from manual.models import SampleForm, Service
    from readiness.models import SurveyResponse
    from service_points.models import ServicePoint, ServicePointPhoto

    models = [
        User,
        Registration,
        Agency,
        AgencyRequest,
        Response,
        Reply,
        Service,
        SampleForm,
        SurveyResponse,
        ServicePoint,
        ServicePointPhoto,
    ]
    return {m.__name__: m.objects.count() for m in models}


@st.composite
def requests(draw, routes, ids):
    route = draw(st.sampled_from(routes))

    def value(match):
        converter = match.group(1) or "str"
        if converter in ("id", "int"):
            return str(draw(st.one_of(st.sampled_from(ids), st.integers(0, 10**25))))
        if converter == "slug":
            return draw(st.sampled_from(["agency-a", "agency-b", "x" * 300, "a-", "-"]))
        return quote(draw(hostile_text), safe="")

    path = "/" + PARAM.sub(value, route)
    query = draw(st.dictionaries(st.sampled_from(QUERY_NAMES), hostile_text, max_size=3))
    return path, query, draw(st.randoms(use_true_random=False))


@pytest.fixture
def world(agency_a, agency_b, officer_a, admin_a, officer_b, ega_admin, settings, tmp_path):
    from exchange.hub import hub_key_generate

    hub_key_generate(tmp_path / "hub.pem")  # the GDX pages need the hub's key, as deployed
    settings.GDX_HUB_KEY_FILE = str(tmp_path / "hub.pem")
    points = [
        PublishedPointFactory(agency=agency_a),
        ServicePointFactory(agency=agency_a),
        PublishedPointFactory(agency=agency_b),
    ]
    return {
        "ids": [p.pk for p in points] + [1, 2, 3],
        "users": {
            "anonymous": None,
            "officer_a": officer_a,
            "admin_a": admin_a,
            "ega_admin": ega_admin,
        },
    }


@pytest.mark.parametrize("role", ["anonymous", "officer_a", "admin_a", "ega_admin"])
@pytest.mark.django_db
def test_no_page_or_form_answers_5xx_to_hostile_input(world, role):
    routes = sorted(set(_routes()))
    assert len(routes) > 50  # the sweep really covers the portal

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(requests(routes, world["ids"]), st.data())
    def run(request, data):
        path, query, rnd = request
        client = Client(raise_request_exception=False)
        if world["users"][role] is not None:
            client.force_login(world["users"][role])
        response = client.get(path, query)
        assert response.status_code < 500, (path, query, response.status_code)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            return
        forms = FORM.findall(response.content.decode("utf-8", "replace"))
        if not forms:
            return
        fields = sorted(set(FIELD.findall(rnd.choice(forms))) - {"csrfmiddlewaretoken"})
        posted = {name: data.draw(hostile_text) for name in fields}
        for name in fields:
            if name.endswith("TOTAL_FORMS") or name.endswith("INITIAL_FORMS"):
                posted[name] = data.draw(st.sampled_from(["abc", "-1", "9" * 20, "1000", "²"]))
        before = _written()
        response = client.post(path, posted)
        assert response.status_code < 500, (path, posted.keys(), response.status_code)
        if response.status_code not in (301, 302, 303):
            assert _written() == before, (path, sorted(posted))

    run()
