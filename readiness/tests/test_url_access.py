"""Who may reach which readiness page: every URL of the app, for every role."""

import pytest

from core.tests.url_access import ROLES, only, role_failures, uncovered
from readiness import services
from readiness.tests.factories import answers, pin

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
    failures = role_failures(client, users[role], TABLE, objects, role)
    assert not failures, failures


def test_every_url_is_in_the_table(objects):
    missing = uncovered(TABLE, objects, ("readiness:",))
    assert not missing, f"add these to TABLE: {sorted(missing)}"


def test_anonymous_people_are_sent_to_sign_in(client, objects):
    response = client.get("/my-agency/readiness/")
    assert response["Location"].startswith("/accounts/sign-in/")
