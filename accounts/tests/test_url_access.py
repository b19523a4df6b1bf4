"""Who may reach which page: every URL of the foundation, for every role.

A new URL in core, accounts or agencies fails `test_every_url_is_in_the_table` until its
expected statuses are written here. Other apps keep the same kind of table in their tests.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from agencies.models import AgencyRequest

ROLES = ["anonymous", "officer_a", "admin_a", "officer_b", "ega_admin", "overseer"]
OPEN = dict.fromkeys(ROLES, 200)


def only(allowed: dict[str, int], default: int = 403) -> dict[str, int]:
    statuses = {role: default for role in ROLES}
    statuses["anonymous"] = 302
    statuses.update(allowed)
    return statuses


TABLE: dict[str, dict[str, int]] = {
    "/": OPEN,
    "/healthz": OPEN,
    "/jsi18n/": OPEN,
    "/agencies/": OPEN,
    "/agencies/agency-a/": OPEN,
    "/agencies/missing/": OPEN,
    "/agencies/agency-a/people/": only(
        {"officer_a": 200, "admin_a": 200, "ega_admin": 200, "overseer": 200, "officer_b": 404}
    ),
    "/agencies/missing/review/": only({"ega_admin": 200}),
    "/agencies/missing/review/{report}/": only({"ega_admin": 200}),
    "/my-agency/": only(
        {"officer_a": 200, "admin_a": 200, "officer_b": 200, "ega_admin": 200, "overseer": 200}
    ),
    "/accounts/register/": OPEN,
    "/accounts/register/agency-a/": OPEN,
    "/accounts/register/agency-a/done/": dict.fromkeys(ROLES, 404),
    "/accounts/activate/not-a-secret/": dict.fromkeys(ROLES, 404),
    "/accounts/reset/not-a-secret/": dict.fromkeys(ROLES, 404),
    "/accounts/password-reset/": OPEN,
    "/accounts/sign-in/": OPEN,
    "/accounts/sign-out/": dict.fromkeys(ROLES, 405),  # POST only
    "/accounts/approvals/": only({"admin_a": 200, "ega_admin": 200}),
    "/accounts/approvals/{registration}/approve/": dict.fromkeys(ROLES, 405)
    | {"anonymous": 302, "officer_a": 403, "officer_b": 403, "overseer": 403},
    "/api/docs": OPEN,
    "/api/openapi.json": OPEN,
    "/api/agencies?q=agency": OPEN,
    "/api/agencies/agency-a": OPEN,
    "/admin/": only({"ega_admin": 200}, default=302),
    "/i18n/setlang/": dict.fromkeys(ROLES, 302),
}


@pytest.fixture
def objects(agency_a, ega_admin):
    from accounts.tests.factories import RegistrationFactory, UserFactory

    report = AgencyRequest.objects.create(
        name_th="สำนักงานใหม่",
        requester_name="ก",
        requester_email="a@b.go.th",
        requester_phone="0812345678",
    )
    pending = RegistrationFactory(
        user=UserFactory(agency=agency_a, is_active=False), status="pending_approval"
    )
    return {"report": report.pk, "registration": pending.pk}


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


FOUNDATION = ("core:", "accounts:", "agencies:", "healthz")


def test_every_url_is_in_the_table(objects):
    covered = {resolve(t.format(**objects).split("?")[0]).view_name for t in TABLE}
    foundation = {name for name in _named_routes() if name.startswith(FOUNDATION)}
    missing = foundation - covered
    assert not missing, f"add these to TABLE: {sorted(missing)}"
