import json
from unittest import mock

import pytest

from counter import gdx
from counter.models import ServicePath, VerificationRecord
from counter.tests.conftest import CID


def counter_url(service, point=None):
    url = f"/my-agency/counter/?c-service={service.pk}"
    return url + (f"&c-point={point.pk}" if point else "")


def post_record(client, service, point=None, **data):
    body = {
        "source": "card",
        "citizen_id": CID,
        "name_th": "นายสมชาย ใจดี",
        "fields_used": ["citizen_id", "name_th"],
    } | data
    return client.post(counter_url(service, point), body)


def test_counter_page_shows_the_reader_and_the_form(client, officer_a, service_a):
    client.force_login(officer_a)
    page = client.get(counter_url(service_a)).text
    assert page.count("<h1") == 1
    assert 'data-reader-url="http://127.0.0.1:8765"' in page
    assert 'id="record-form"' in page
    # no GDX membership: the page says what the agency needs instead of the GDX form
    assert 'id="gdx-missing"' in page and 'id="gdx-form"' not in page


def test_csp_lets_the_page_call_the_local_reader(client, officer_a, service_a):
    client.force_login(officer_a)
    csp = client.get(counter_url(service_a))["Content-Security-Policy"]
    assert "connect-src 'self' http://127.0.0.1:8765" in csp


def test_card_record_is_saved_and_shown(client, officer_a, service_a, point_a):
    client.force_login(officer_a)
    response = post_record(client, service_a, point_a, card_expired="on")
    record = VerificationRecord.objects.get()
    assert response.status_code == 302 and response["Location"] == record.get_absolute_url()
    assert record.point == point_a and record.card_expired and record.source == "card"
    page = client.get(record.get_absolute_url()).text
    assert record.data_hash in page and CID not in page


@pytest.mark.parametrize(
    "data,words",
    [
        ({"citizen_id": "bad-check-digit"}, "เลขตรวจสอบ"),
        ({"citizen_id": "12345"}, ""),
        ({"fields_used": []}, ""),
        ({"fields_used": ["address"]}, ""),
        ({"source": "gdx"}, ""),
        ({"source": "fax"}, ""),
    ],
)
def test_bad_input_is_refused_with_a_message(client, officer_a, service_a, data, words):
    client.force_login(officer_a)
    if data.get("citizen_id") == "bad-check-digit":
        data = {"citizen_id": CID[:12] + str((int(CID[12]) + 1) % 10)}
    response = post_record(client, service_a, **data)
    assert response.status_code == 200
    assert 'class="error-summary"' in response.text
    assert words in response.text
    assert VerificationRecord.objects.count() == 0


def test_post_without_service_changes_nothing(client, officer_a, service_a):
    client.force_login(officer_a)
    response = client.post("/my-agency/counter/", {"source": "card", "citizen_id": CID})
    assert response.status_code == 200
    assert VerificationRecord.objects.count() == 0


def test_another_agencys_service_cannot_be_chosen(client, officer_a, service_b):
    client.force_login(officer_a)
    response = post_record(client, service_b)
    assert response.status_code == 200
    assert VerificationRecord.objects.count() == 0


def test_void_by_agency_admin(client, admin_a, record_a):
    client.force_login(admin_a)
    url = record_a.get_absolute_url()
    assert client.post(url, {"reason": ""}).status_code == 200
    assert client.post(url, {"reason": "บริการผิด"}).status_code == 302
    record_a.refresh_from_db()
    assert record_a.status == "voided"


def test_export_has_no_personal_data_and_no_formulas(client, admin_a, record_a):
    from counter.models import VerificationRecord as R

    R.objects.filter(pk=record_a.pk).update(void_reason="=HYPERLINK(1)")
    client.force_login(admin_a)
    body = b"".join(client.get("/my-agency/counter/records/export.csv").streaming_content)
    text = body.decode("utf-8-sig")
    assert record_a.data_hash in text and CID not in text and "สมชาย" not in text
    assert "'=HYPERLINK" in text


def test_report_shows_copies_avoided(client, officer_a, record_a, overseer):
    client.force_login(officer_a)
    page = client.get("/my-agency/counter/report/").text
    assert 'id="copies-avoided-total">1<' in page
    assert "จุดบริการเอ" in page
    client.force_login(overseer)
    assert "กรมเอ" in client.get("/counter/report/").text


def test_path_settings_follow_the_readiness_recommendation(client, admin_a, service_a):
    client.force_login(admin_a)
    page = client.get("/my-agency/counter/paths/").text
    assert "แบบสำรวจ" in page or "readiness" in page
    response = client.post(
        "/my-agency/counter/paths/",
        {
            "service": service_a.pk,
            f"s{service_a.pk}-path": "online_ega",
            f"s{service_a.pk}-gdx_purpose": "land-title-transfer",
        },
    )
    assert response.status_code == 302
    assert ServicePath.objects.get().gdx_purpose == "land-title-transfer"
    page = client.get(counter_url(service_a)).text
    assert 'id="gdx-panel" class="subpanel preferred"' in page


def test_path_settings_refuse_bad_path(client, admin_a, service_a):
    client.force_login(admin_a)
    response = client.post(
        "/my-agency/counter/paths/", {"service": service_a.pk, f"s{service_a.pk}-path": "fax"}
    )
    assert response.status_code == 200
    assert ServicePath.objects.count() == 0


# --- the GDX path, with the agency's node replaced by a stub --------------------------
class FakeNode:
    def __init__(self, status=200, body=None):
        self.status, self.body, self.calls = status, body, []

    def __call__(self, req, timeout):
        import io
        import urllib.error

        self.calls.append(json.loads(req.data))
        raw = json.dumps(self.body).encode()
        if self.status != 200:
            raise urllib.error.HTTPError(req.full_url, self.status, "x", {}, io.BytesIO(raw))
        resp = mock.MagicMock()
        resp.__enter__.return_value.read.return_value = raw
        return resp


PERSON = {
    "request_id": "7a1c1a5e-2f39-4e49-9a55-3f0a4c1a2b3c",
    "status": "found",
    "document": {
        "citizen_id": CID,
        "title": "นาย",
        "first_name": "สมชาย",
        "last_name": "ใจดี",
        "birth_date": "1977-01-15",
        "address": {"house_no": "9", "moo": 2, "subdistrict": "สุเทพ", "province": "เชียงใหม่"},
    },
}


@pytest.fixture
def gdx_agency(settings, agency_a, service_a, admin_a):
    from counter import services
    from exchange.models import Member

    Member.objects.create(agency=agency_a, endpoint="")
    settings.COUNTER_GDX_NODES = {agency_a.code: {"url": "http://127.0.0.1:9", "token": "t"}}
    services.counter_path_set(
        agency=agency_a, service=service_a, path="online_ega", gdx_purpose="p-1", by=admin_a
    )
    return agency_a


def ask(client, service, **data):
    body = {
        "g-document_type": "person_record",
        "g-citizen_id": CID,
        "g-service": service.pk,
        "g-consent": "on",
    } | data
    return client.post("/my-agency/counter/gdx/", body)


def test_gdx_answer_fills_the_form_and_the_record_keeps_the_request(
    client, officer_a, service_a, gdx_agency
):
    client.force_login(officer_a)
    node = FakeNode(body=PERSON)
    with mock.patch("urllib.request.urlopen", node):
        response = ask(client, service_a)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["values"]["name_th"] == "นายสมชาย ใจดี"
    assert body["values"]["address"] == "9 หมู่ 2 สุเทพ เชียงใหม่"
    assert node.calls[0]["purpose"] == "p-1" and node.calls[0]["officer"] == officer_a.email
    response = post_record(client, service_a, source="gdx", gdx_ticket=body["ticket"], consent="on")
    assert response.status_code == 302
    record = VerificationRecord.objects.get()
    assert str(record.gdx_request_id) == PERSON["request_id"] and record.consent
    # the ticket is used up
    assert (
        post_record(
            client, service_a, source="gdx", gdx_ticket=body["ticket"], consent="on"
        ).status_code
        == 200
    )


def test_gdx_ticket_for_another_id_is_refused(client, officer_a, service_a, gdx_agency):
    client.force_login(officer_a)
    with mock.patch("urllib.request.urlopen", FakeNode(body=PERSON)):
        ticket = ask(client, service_a).json()["ticket"]
    other = "3" + CID[1:12]
    from idcard.simulated import valid_citizen_id

    response = post_record(
        client, service_a, source="gdx", gdx_ticket=ticket, consent="on",
        citizen_id=valid_citizen_id(other),
    )  # fmt: skip
    assert response.status_code == 200 and VerificationRecord.objects.count() == 0


@pytest.mark.parametrize(
    "status,body,code",
    [
        (200, {"request_id": "x", "status": "not_found", "document": None}, "not_found"),
        (403, {"error": "no_access_right"}, "no_access_right"),
        (502, {"error": "provider_unreachable"}, "provider_unreachable"),
        (502, {"error": "hub_unreachable"}, "provider_unreachable"),
    ],
)
def test_gdx_failures_give_a_clear_message(
    client, officer_a, service_a, gdx_agency, status, body, code
):
    client.force_login(officer_a)
    with mock.patch("urllib.request.urlopen", FakeNode(status, body)):
        response = ask(client, service_a)
    assert response.status_code == 409
    assert response.json()["error"] == code
    assert response.json()["message"]


def test_gdx_node_down(client, officer_a, service_a, gdx_agency):
    client.force_login(officer_a)
    with mock.patch("urllib.request.urlopen", side_effect=ConnectionRefusedError()):
        response = ask(client, service_a)
    assert response.json()["error"] == "node_unreachable"


def test_gdx_answer_with_missing_fields_says_so(client, officer_a, service_a, gdx_agency):
    client.force_login(officer_a)
    partial = json.loads(json.dumps(PERSON))
    del partial["document"]["birth_date"], partial["document"]["last_name"]
    with mock.patch("urllib.request.urlopen", FakeNode(body=partial)):
        body = ask(client, service_a).json()
    assert set(body["missing"]) == {"name_th", "birth_date"}
    assert body["message"] == str(gdx.MESSAGES["incomplete"])


def test_gdx_needs_consent(client, officer_a, service_a, gdx_agency):
    client.force_login(officer_a)
    response = ask(client, service_a, **{"g-consent": ""})
    assert response.status_code == 400 and "consent" in response.json()["errors"]


def test_gdx_without_a_node(client, officer_a, service_a):
    client.force_login(officer_a)
    response = ask(client, service_a)
    assert response.json()["error"] == "no_node"


def test_gdx_for_another_agencys_service_is_404(client, officer_a, service_b, gdx_agency):
    client.force_login(officer_a)
    assert ask(client, service_b).status_code == 404


def test_house_registration_and_juristic_values():
    house = gdx.form_values(
        "house_registration",
        CID,
        {"address": {"house_no": "1"}, "members": [{"name": "ก"}, {"name": "ข"}]},
    )
    assert house == {"citizen_id": CID, "address": "1", "house_members": "ก; ข"}
    firm = gdx.form_values("juristic_person", "x", {"juristic_id": "0105", "name": "บจก. ก"})
    assert firm["juristic"] == "บจก. ก" and firm["citizen_id"] == "0105"


def test_gdx_ticket_of_another_officer_or_tampered_is_refused(
    client, officer_a, admin_a, service_a, gdx_agency
):
    client.force_login(officer_a)
    with mock.patch("urllib.request.urlopen", FakeNode(body=PERSON)):
        ticket = ask(client, service_a).json()["ticket"]
    client.force_login(admin_a)
    response = post_record(client, service_a, source="gdx", gdx_ticket=ticket, consent="on")
    assert response.status_code == 200
    client.force_login(officer_a)
    response = post_record(client, service_a, source="gdx", gdx_ticket=ticket + "x", consent="on")
    assert response.status_code == 200
    assert VerificationRecord.objects.count() == 0


def test_node_address_from_the_environment_json(settings, agency_a, tmp_path):
    settings.VAR_DIR = tmp_path  # no demo node configs
    settings.COUNTER_GDX_NODES = '{"agency-a": {"url": "http://10.0.0.5:8702/", "token": "s"}}'
    assert gdx.node_for(agency_a) == ("http://10.0.0.5:8702", "s")
    settings.COUNTER_GDX_NODES = "not json"
    assert gdx.node_for(agency_a) is None
    settings.COUNTER_GDX_NODES = '{"agency-a": {"token": "no url"}}'
    assert gdx.node_for(agency_a) is None


def test_progress_report_shows_copies_avoided_beside_the_feedback_answer(
    client, officer_a, record_a
):
    client.force_login(officer_a)
    page = client.get("/progress/agencies/agency-a/").text
    assert "จำนวนครั้งที่ให้บริการที่จุดบริการโดยไม่ขอสำเนา" in page
    assert 'id="copies-avoided">1<' in page


def test_check_data_against_a_record(client, overseer, record_a):
    client.force_login(overseer)
    url = f"/counter/records/{record_a.reference}/check/"
    page = client.post(url, {"k-citizen_id": CID, "k-name_th": " นายสมชาย  ใจดี"}).text
    assert 'id="check-result"' in page and "ตรงกับบันทึกนี้" in page and "ไม่ตรง" not in page
    page = client.post(url, {"k-citizen_id": CID, "k-name_th": "นายสมชาย ใจร้าย"}).text
    assert "ไม่ตรงกับบันทึกนี้" in page
    page = client.post(url, {"k-citizen_id": CID}).text  # a field missing
    assert 'class="error-summary"' in page and 'id="check-result"' not in page
