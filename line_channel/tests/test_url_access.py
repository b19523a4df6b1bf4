"""Who may reach the LINE channel's URLs: only LINE, by signature, and only by POST."""

import pytest

from core.tests.url_access import ROLES, role_failures, uncovered

TABLE: dict[str, dict[str, int]] = {
    "/line/webhook": dict.fromkeys(ROLES, 405),
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_expected_status_everywhere(client, role_users, officer_b, role):
    users = {**role_users, "officer_b": officer_b}
    failures = role_failures(client, users[role], TABLE, {}, role)
    assert not failures, failures


def test_every_line_url_is_in_the_table(db):
    missing = uncovered(TABLE, {}, ("line_channel:",))
    assert not missing, f"add these to TABLE: {sorted(missing)}"


@pytest.mark.parametrize("role", ROLES)
def test_a_signed_in_user_cannot_post_events_without_the_signature(
    client, role_users, officer_b, role, line
):
    from line_channel.models import WebhookEvent
    from line_channel.tests.conftest import post, text

    users = {**role_users, "officer_b": officer_b}
    if users[role] is not None:
        client.force_login(users[role])
    assert post(client, text("x"), signature="forged").status_code == 403
    assert not WebhookEvent.objects.exists()
