"""Who may reach which readiness page: every URL of the app, for every role."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from readiness import services
from readiness.tests.factories import answers, pin

ROLES = ["anonymous", "officer_a", "admin_a", "officer_b", "ega_admin", "overseer"]


def only(allowed: dict[str, int], default: int = 403) -> dict[str, int]:
    statuses = {role: default for role in ROLES}
    statuses["anonymous"] = 302
    statuses.update(allowed)
    return statuses


OVERSIGHT = only({"ega_admin": 200, "overseer": 200})
AGENCY_A_AND_OVERSIGHT = only(
    {"officer_a": 200, "admin_a": 200, "officer_b": 404, "ega_admin": 200, "overseer": 200}
)

TABLE: dict[str, dict[str, int]] = {
    "/readiness/": dict.fromkeys(ROLES, 302),
    "/my-agency/readiness/": only({"officer_a": 200, "admin_a": 200, "officer_b": 200}),
    "/my-agency/readiness/start/": only({"officer_a": 405, "admin_a": 405, "officer_b": 405}),
    "/readiness/responses/{submitted}/": AGENCY_A_AND_OVERSIGHT,
    "/readiness/responses/{draft}/": AGENCY_A_AND_OVERSIGHT,
    "/readiness/overview/": OVERSIGHT,
    "/readiness/export/answers.csv": OVERSIGHT,
    "/readiness/export/processes.csv": OVERSIGHT,
    "/readiness/export/readiness.xlsx": OVERSIGHT,
    "/api/readiness/latest": dict.fromkeys(ROLES, 200) | {"anonymous": 401},
}


@pytest.fixture
def objects(agency_a, officer_a, open_round):
    pin(agency_a)
    draft = services.survey_open(agency=agency_a, by=officer_a)
    submitted = services.survey_submit(response=draft, by=officer_a, revision=1, answers=answers())
    new_draft = services.survey_open(agency=agency_a, by=officer_a)
    return {"submitted": submitted.pk, "draft": new_draft.pk}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_expected_status_everywhere(
    client, role_users, officer_b, objects, role
):
    users = {**role_users, "officer_b": officer_b}
    if users[role] is not None:
        client.force_login(users[role])
    failures = []
    for template, expected in TABLE.items():
        path = template.format(**objects)
        status = client.get(path).status_code
        if status != expected[role]:
            failures.append(f"{path}: {status} (expected {expected[role]})")
    assert not failures, failures


def _named_routes(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _named_routes(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name


def test_every_url_is_in_the_table(objects):
    covered = {resolve(t.format(**objects).split("?")[0]).view_name for t in TABLE}
    mine = {name for name in _named_routes() if name.startswith("readiness:")}
    assert not mine - covered, f"add these to TABLE: {sorted(mine - covered)}"


def test_anonymous_people_are_sent_to_sign_in(client, objects):
    response = client.get("/my-agency/readiness/")
    assert response["Location"].startswith("/accounts/sign-in/")
