# mypy: ignore-errors
"""Who may see what in the console: EGA runs it, overseers read it, nobody else gets in."""

import pytest

from core.tests.url_access import ROLES, only, role_failures, uncovered
from readiness.tests.factories import SurveyRoundFactory

READERS = only({"ega_admin": 200, "overseer": 200})
TABLE: dict[str, dict[str, int]] = {
    "/console/": READERS,
    "/console/rounds/": READERS,
    "/console/rounds/new/": only({"ega_admin": 200}),
    "/console/rounds/{round}/": READERS,
    "/console/rounds/{round}/reminders/": READERS,
    "/console/agencies/": READERS,
    "/console/agencies/?q=agency": READERS,
    "/console/agencies/{agency}/": READERS,
    "/console/agencies/missing/": only({"ega_admin": 404, "overseer": 404}),
    "/console/options/": READERS,
    "/console/options/{option}/": READERS,
    "/console/audit/": READERS,
    "/console/audit/?date_from=30/11/2569&action=gdx": READERS,
    "/console/dates/": READERS,
    "/console/phases/": READERS,
    "/console/phases/activities/{activity}/": READERS,
    "/console/follow-up/": READERS,
    "/console/follow-up/?gap=not_pinned&province=50": READERS,
    "/console/follow-up/export.csv": READERS,
    "/console/follow-up/remind/?gap=not_surveyed": READERS,
    "/console/follow-up/export.xlsx?gap=not_surveyed": READERS,
}


@pytest.fixture
def objects(db, agency_b):
    from readiness.models import LimitationOption

    option = LimitationOption.objects.create(letter="ฮ", text_th="ทดสอบ")
    from progress.models import Activity

    return {
        "round": SurveyRoundFactory().pk,
        "option": option.pk,
        "agency": "agency-b",
        "activity": Activity.objects.first().pk,
    }


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_expected_status_everywhere(
    client, role_users, officer_b, objects, role
):
    users = {**role_users, "officer_b": officer_b}
    failures = role_failures(client, users[role], TABLE, objects, role)
    assert not failures, failures


def test_every_console_url_is_in_the_table(objects):
    missing = uncovered(TABLE, objects, ("console:",))
    assert not missing, f"add these to TABLE: {sorted(missing)}"


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/console/rounds/new/", {"name_th": "x", "opens_on": "1/1/2570", "closes_on": "2/1/2570"}),
        ("/console/rounds/{round}/", {"action": "archive"}),
        ("/console/rounds/{round}/reminders/", {"confirm": "on"}),
        ("/console/options/", {"letter": "ฬ", "text_th": "x", "position": 1}),
        ("/console/agencies/{agency}/", {"action": "archive"}),
        ("/console/follow-up/remind/", {"confirm": "on"}),
        ("/console/agencies/{agency}/", {"action": "save", "name_th": "changed"}),
        (
            "/console/agencies/",
            {"action": "add", "code": "new-x", "kind": "independent", "name_th": "changed"},
        ),
        ("/console/options/{option}/", {"letter": "ฮ", "text_th": "changed", "position": 1}),
        ("/console/phases/activities/{activity}/", {}),
    ],
)
def test_overseers_and_agency_staff_change_nothing(client, role_users, objects, path, data):
    from audit.models import AuditEvent
    from readiness.models import LimitationOption, SurveyRound

    before = list(SurveyRound.objects.values_list("pk", "status", "opens_on", "closes_on"))
    for who in ("overseer", "admin_a", "officer_a"):
        client.force_login(role_users[who])
        assert client.post(path.format(**objects), data).status_code == 403
    assert list(SurveyRound.objects.values_list("pk", "status", "opens_on", "closes_on")) == before
    assert not LimitationOption.objects.filter(letter="ฬ").exists()
    assert not LimitationOption.objects.filter(text_th="changed").exists()
    from agencies.models import Agency

    assert not Agency.objects.filter(name_th="changed").exists()
    assert Agency.objects.get(code="agency-b").status == "active"
    assert not AuditEvent.objects.exists()


def test_the_header_offers_the_console_to_ega_and_overseers_only(client, role_users):
    for who, shown in [("ega_admin", True), ("overseer", True), ("admin_a", False)]:
        client.force_login(role_users[who])
        assert ('href="/console/"' in client.get("/").content.decode()) is shown, who
