"""Who may reach which page: every URL of the foundation, for every role.

A new URL in core, accounts or agencies fails `test_every_url_is_in_the_table` until its
expected statuses are written here. Other apps keep the same kind of table in their tests.
"""

import pytest

from agencies.models import AgencyRequest
from core.tests.url_access import OPEN, ROLES, only, role_failures, uncovered

TABLE: dict[str, dict[str, int]] = {
    "/": OPEN,
    "/healthz": OPEN,
    # From the test client's 127.0.0.1, the operators' network; core/tests/test_operations.py
    # checks that nobody else, whatever their role, gets it.
    "/metrics": OPEN,
    "/favicon.ico": dict.fromkeys(ROLES, 302),  # to the static file
    "/manifest.webmanifest": OPEN,
    "/sw.js": OPEN,
    "/jsi18n/": OPEN,
    "/agencies/": OPEN,
    "/agencies/agency-a/": OPEN,
    "/agencies/missing/": OPEN,
    "/agencies/agency-a/people/": only(
        {"officer_a": 200, "admin_a": 200, "ega_admin": 200, "overseer": 200, "officer_b": 404}
    ),
    "/agencies/missing/review/": only({"ega_admin": 200, "overseer": 200}),
    "/agencies/missing/review/{report}/": only({"ega_admin": 200, "overseer": 200}),
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
    "/accounts/approvals/": only({"admin_a": 200, "ega_admin": 200, "overseer": 200}),
    "/accounts/approvals/{registration}/approve/": dict.fromkeys(ROLES, 405)
    | {"anonymous": 302, "officer_a": 403, "officer_b": 403, "overseer": 403},
    # Two-factor (ADR 0131; the tests' settings require it of nobody, test_two_factor.py does).
    "/accounts/two-factor/": only(dict.fromkeys(ROLES[1:], 200)),
    "/accounts/two-factor/setup/": only(dict.fromkeys(ROLES[1:], 200)),
    "/accounts/two-factor/verify/": dict.fromkeys(ROLES, 302),  # not enrolled: to the setup
    "/accounts/two-factor/recovery-codes/": only(dict.fromkeys(ROLES[1:], 405)),  # POST only
    "/accounts/two-factor/off/": only(dict.fromkeys(ROLES[1:], 405)),  # POST only
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
    failures = role_failures(client, users[role], TABLE, objects, role)
    assert not failures, failures


FOUNDATION = ("core:", "accounts:", "agencies:", "healthz", "metrics")


def test_every_url_is_in_the_table(objects):
    missing = uncovered(TABLE, objects, FOUNDATION)
    assert not missing, f"add these to TABLE: {sorted(missing)}"


def test_overseers_read_the_queues_and_decide_nothing(client, overseer, objects):
    from accounts.models import Registration

    registration = Registration.objects.get(pk=objects["registration"])
    report = AgencyRequest.objects.get(pk=objects["report"])
    client.force_login(overseer)
    page = client.get("/accounts/approvals/").content.decode()
    assert registration.agency.name_th in page and "/approve/" not in page
    page = client.get(f"/agencies/missing/review/{report.pk}/").content.decode()
    assert report.name_th in page and 'name="decision"' not in page
    response = client.post(
        f"/agencies/missing/review/{report.pk}/", {"decision": "reject", "reject-review_note": "x"}
    )
    assert response.status_code == 403
    assert client.post(f"/accounts/approvals/{registration.pk}/approve/").status_code in (403, 404)
    assert AgencyRequest.objects.get(pk=report.pk).status == "pending"
    assert Registration.objects.get(pk=registration.pk).status == "pending_approval"


def test_the_overseers_home_leads_to_the_console_and_the_queues(client, overseer, objects):
    client.force_login(overseer)
    page = client.get("/my-agency/").content.decode()
    for link in ("/console/", "/accounts/approvals/", "/agencies/missing/review/"):
        assert f'href="{link}"' in page
        assert client.get(link).status_code == 200
