import pytest

from manual.services import service_publish
from manual.tests.factories import HOUSE_COPY, ID_ORIGINAL, make_published, make_service

pytestmark = pytest.mark.django_db


def test_api_search_finds_published_only(client, agency_a):
    make_published(agency=agency_a)
    make_service(agency=agency_a, code="draft", name_th="บัตรประชาชนฉบับร่าง")
    data = client.get("/api/manual/services", {"q": "บัตรประชาชน"}).json()
    assert [s["name_th"] for s in data] == ["การทำบัตรประจำตัวประชาชน"]


@pytest.mark.parametrize("role", ["anonymous", "officer_a", "ega_admin"])
def test_api_draft_is_404_for_everyone(client, role_users, role, agency_a):
    draft = make_service(agency=agency_a, code="draft", name_th="ร่าง")
    if role_users[role]:
        client.force_login(role_users[role])
    assert client.get(f"/api/manual/services/{draft.pk}").status_code == 404


def test_api_detail_matches_the_page(client, agency_a):
    service = make_published(agency=agency_a)
    make_service(agency=agency_a, service=service, documents=[ID_ORIGINAL, HOUSE_COPY])
    version = service_publish(service=service, by=None)
    data = client.get(f"/api/manual/services/{service.pk}").json()
    assert data["version"] == 2
    assert data["record"]["documents"][0]["name"] == "บัตรประจำตัวประชาชน (ฉบับจริง)"
    assert [d["name"] for d in data["no_longer_required"]] == ["สำเนาบัตรประจำตัวประชาชน"]
    assert data["id_card_copy_stopped_at"] is not None
    assert data["jsonld"]["@type"] == "GovernmentService"
    assert [h["number"] for h in data["history"]] == [2, 1]
    assert version.number == 2
