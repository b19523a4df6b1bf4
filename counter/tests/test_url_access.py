"""Who may reach which counter page: every URL of the app, for every role."""

import pytest

from core.tests.url_access import ROLES, only, role_failures, uncovered

STAFF_A_AND_B = only({"officer_a": 200, "admin_a": 200, "officer_b": 200})
OWN_AGENCY_AND_OVERSIGHT = only(
    {"officer_a": 200, "admin_a": 200, "officer_b": 404, "ega_admin": 200, "overseer": 200}
)

TABLE: dict[str, dict[str, int]] = {
    "/my-agency/counter/": STAFF_A_AND_B,
    "/my-agency/counter/?c-service={service}": STAFF_A_AND_B,
    "/my-agency/counter/gdx/": only({"officer_a": 405, "admin_a": 405, "officer_b": 405}),
    "/my-agency/counter/records/": STAFF_A_AND_B,
    "/my-agency/counter/records/export.csv": STAFF_A_AND_B,
    "/my-agency/counter/paths/": STAFF_A_AND_B,
    "/my-agency/counter/report/": STAFF_A_AND_B,
    "/counter/records/{record}/": OWN_AGENCY_AND_OVERSIGHT,
    "/counter/records/{record}/check/": only(
        {"officer_a": 405, "admin_a": 405, "officer_b": 405, "ega_admin": 405, "overseer": 405}
    ),
    "/counter/report/": only({"ega_admin": 200, "overseer": 200}),
}


@pytest.fixture
def objects(record_a, service_a):
    return {"record": record_a.reference, "service": service_a.pk}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_expected_status_everywhere(
    client, role_users, officer_b, objects, role
):
    users = {**role_users, "officer_b": officer_b}
    failures = role_failures(client, users[role], TABLE, objects, role)
    assert not failures, failures


def test_every_url_is_in_the_table(objects):
    missing = uncovered(TABLE, objects, ("counter:",))
    assert not missing, f"add these to TABLE: {sorted(missing)}"


def test_officer_b_sees_none_of_agency_a_in_lists_and_exports(client, officer_b, record_a):
    client.force_login(officer_b)
    assert str(record_a.reference) not in client.get("/my-agency/counter/records/").text
    body = b"".join(client.get("/my-agency/counter/records/export.csv").streaming_content)
    assert str(record_a.reference).encode() not in body
    assert "การขอใบอนุญาตทดสอบ" not in client.get("/my-agency/counter/report/").text


def test_only_agency_admin_voids_and_changes_paths(client, officer_a, record_a, service_a):
    client.force_login(officer_a)
    url = f"/counter/records/{record_a.reference}/"
    assert client.post(url, {"reason": "x"}).status_code == 403
    response = client.post(
        "/my-agency/counter/paths/", {"service": service_a.pk, f"s{service_a.pk}-path": "offline"}
    )
    assert response.status_code == 403
    record_a.refresh_from_db()
    assert record_a.status == "recorded"


def test_officer_b_cannot_void_agency_a_record(client, admin_b, record_a):
    client.force_login(admin_b)
    url = f"/counter/records/{record_a.reference}/"
    assert client.post(url, {"reason": "x"}).status_code == 404


def test_officer_b_cannot_check_agency_a_record(client, officer_b, record_a):
    client.force_login(officer_b)
    url = f"/counter/records/{record_a.reference}/check/"
    assert client.post(url, {"k-citizen_id": "x", "k-name_th": "y"}).status_code == 404
