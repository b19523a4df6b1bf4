"""Who may reach which feedback page: every URL of the app, for every role."""

import pytest

from core.tests.url_access import OPEN, ROLES, only, role_failures, uncovered
from feedback.tests.factories import submit

OWN_AGENCY = only({"officer_a": 200, "admin_a": 200}, default=404)
OWN_OR_OVERSEER = only(
    {"officer_a": 200, "admin_a": 200, "ega_admin": 200, "overseer": 200}, default=404
)

TABLE: dict[str, dict[str, int]] = {
    "/f/{point}/": OPEN,
    "/f/{draft}/": dict.fromkeys(ROLES, 404),
    "/f/{point}/thanks/": OPEN,
    "/f/waiting/": OPEN,
    "/my-agency/feedback/": dict.fromkeys(ROLES, 302),
    "/feedback/national/": only({"ega_admin": 200, "overseer": 200}),
    "/feedback/agencies/agency-a/": OWN_OR_OVERSEER,
    "/feedback/agencies/agency-a/responses.csv": OWN_AGENCY,
    "/feedback/agencies/agency-a/responses.xlsx": OWN_AGENCY,
    "/feedback/points/{point}/": OWN_OR_OVERSEER,
    "/feedback/points/{point}/poster.pdf": OWN_OR_OVERSEER,
    "/feedback/points/{draft}/poster.pdf": only({}, default=404),
    "/feedback/responses/{response}/reply/": OWN_AGENCY,
    "/feedback/review/": only({"ega_admin": 200, "overseer": 200}),
    "/feedback/review/bulk/": only({"ega_admin": 405}),
    "/feedback/review/undo/": only({"ega_admin": 405}),
    "/feedback/review/{response}/accept/": only({"ega_admin": 405}),
    "/api/feedback/points/{point}/summary": OPEN,
    "/api/feedback/points/{draft}/summary": dict.fromkeys(ROLES, 404),
}


@pytest.fixture
def objects(point_a, draft_point_a):
    response = submit(point_a, comment="ดี", contact_email="citizen@example.com")
    return {"point": point_a.pk, "draft": draft_point_a.pk, "response": response.pk}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_expected_status_everywhere(
    client, role_users, officer_b, objects, role
):
    users = {**role_users, "officer_b": officer_b}
    failures = role_failures(client, users[role], TABLE, objects, role)
    assert not failures, failures


def test_every_feedback_url_is_in_the_table(objects):
    missing = uncovered(TABLE, objects, ("feedback:",))
    assert not missing, f"add these to TABLE: {sorted(missing)}"
