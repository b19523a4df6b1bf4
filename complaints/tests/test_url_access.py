"""Who may reach which complaints page: every URL of the app, for every role."""

import pytest

from complaints.models import Complaint, Route
from complaints.tests.factories import category, submit
from core.tests.url_access import OPEN, ROLES, only, role_failures, uncovered

OWN_OR_OVERSEER = only(
    {"officer_a": 200, "admin_a": 200, "ega_admin": 200, "overseer": 200}, default=404
)
STAFF_POST_ONLY = only(
    dict.fromkeys(["officer_a", "admin_a", "officer_b", "ega_admin", "overseer"], 405)
)
NOT_GET = dict.fromkeys(ROLES, 405)

TABLE: dict[str, dict[str, int]] = {
    "/complaints/": OPEN,
    "/complaints/?province=10&state=open&category=road&agency=agency-a": OPEN,
    "/complaints/?province=99&state=nonsense&page=x": OPEN,
    "/complaints/new/": OPEN,
    "/complaints/new/?lat=13.7&lon=100.5&category=road": OPEN,
    "/complaints/new/?point=999999": dict.fromkeys(ROLES, 404),
    "/complaints/map.geojson": OPEN,
    "/complaints/follow/{token}/": OPEN,
    "/complaints/follow/not-a-token/": dict.fromkeys(ROLES, 404),
    "/complaints/follow/{token}/confirm/": NOT_GET,
    "/complaints/follow/{token}/reopen/": NOT_GET,
    "/complaints/follow/{token}/answer/": NOT_GET,
    "/complaints/agencies/agency-a/": OPEN,
    "/complaints/agencies/nobody/": dict.fromkeys(ROLES, 404),
    "/opendata/complaints/": OPEN,
    "/opendata/complaints/{month}.csv": OPEN,
    "/open311/v2/": dict.fromkeys(ROLES, 404),
    "/open311/v2/discovery.xml": OPEN,
    "/open311/v2/services.json": OPEN,
    "/open311/v2/services/road.xml": OPEN,
    "/open311/v2/requests.xml": OPEN,
    "/open311/v2/requests/{ref}.json": OPEN,
    "/open311/v2/requests/{held}.json": dict.fromkeys(ROLES, 404),
    "/open311/v2/tokens/{ref}.xml": OPEN,
    "/open311/v2/servicerequestupdates.xml": OPEN,
    "/api/complaints/": OPEN,
    "/api/complaints/categories": OPEN,
    "/api/complaints/{ref}": OPEN,
    "/api/complaints/{held}": dict.fromkeys(ROLES, 404),
    "/api/complaints/agencies/agency-a/figures": OPEN,
    "/my-agency/complaints/": only(
        {"officer_a": 200, "admin_a": 200, "officer_b": 200, "ega_admin": 200, "overseer": 200}
    ),
    "/my-agency/complaints/templates/": only({"officer_a": 200, "admin_a": 200, "officer_b": 200}),
    "/my-agency/complaints/partner-keys/": only({"ega_admin": 200}),
    "/complaints/{ref}/": OPEN,
    "/complaints/{held}/": dict.fromkeys(ROLES, 404),
    "/complaints/{ref}/support/": NOT_GET,
    "/complaints/{ref}/manage/": OWN_OR_OVERSEER,
    "/complaints/{held}/manage/": OWN_OR_OVERSEER,
    "/complaints/{ref}/manage/state/": STAFF_POST_ONLY,
    "/complaints/{ref}/manage/note/": STAFF_POST_ONLY,
    "/complaints/{ref}/manage/hand-over/": STAFF_POST_ONLY,
    "/complaints/{ref}/manage/moderate/": only({"ega_admin": 405}),
    "/complaints/{ref}/manage/release/": only({"ega_admin": 405}),
}


@pytest.fixture
def objects(agency_a):
    Route.objects.create(category=category("road"), province_code="10", agency=agency_a)
    complaint = submit(reporter_name="สมชาย")
    held = submit()
    Complaint.objects.filter(pk=held.pk).update(held=True)
    return {
        "ref": complaint.reference,
        "token": complaint.follow_token,
        "held": held.reference,
        "month": complaint.created_at.strftime("%Y-%m"),
    }


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_expected_status_everywhere(
    client, role_users, officer_b, objects, role
):
    users = {**role_users, "officer_b": officer_b}
    failures = role_failures(client, users[role], TABLE, objects, role)
    assert not failures, failures


def test_every_complaints_url_is_in_the_table(objects):
    missing = uncovered(TABLE, objects, ("complaints:", "open311:"))
    assert not missing, f"add these to TABLE: {sorted(missing)}"


@pytest.mark.parametrize("role", ROLES)
def test_no_public_page_shows_personal_data(client, role_users, officer_b, objects, role):
    users = {**role_users, "officer_b": officer_b}
    if users[role] is not None:
        client.force_login(users[role])
    for path in ("/complaints/", f"/complaints/{objects['ref']}/", "/complaints/map.geojson"):
        body = client.get(path).content.decode()
        assert "citizen@example.com" not in body
        assert "สมชาย" not in body
        assert "081-234-5678" not in body
