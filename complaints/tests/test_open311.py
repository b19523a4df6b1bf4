"""Open311 GeoReport v2 through a client the project did not write (the `georeport` package
from PyPI, against a live server), plus the spec's shapes that the client does not cover:
POST (georeport reads only, so the POST goes through `requests` as the spec describes it),
errors, tokens and FixMyStreet's servicerequestupdates."""

import datetime
from xml.etree import ElementTree as ET

import pytest
import requests
from django.utils import timezone
from georeport import GeoReport

from complaints import services
from complaints.models import Complaint, Route
from complaints.tests.factories import category, submit
from service_points.services import api_key_create

pytestmark = pytest.mark.django_db(transaction=True)


def _xml(content: bytes) -> ET.Element:
    return ET.fromstring(content)  # noqa: S314 - our own server's answer in a test


@pytest.fixture(autouse=True)
def _categories():
    category("road")


@pytest.fixture
def api_key(agency_a, admin_a):
    _key, secret = api_key_create(agency=agency_a, by=admin_a, name="ระบบเมือง")
    return secret


@pytest.fixture
def root(live_server):
    return f"{live_server.url}/open311/v2"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_third_party_client_lists_posts_and_reads_back(root, api_key, agency_a, fmt):
    Route.objects.create(category=category("road"), province_code="10", agency=agency_a)
    client = GeoReport(root, api_key=api_key, output_format=fmt)
    services_list = client.get_service_list()
    codes = [s["service_code"] for s in services_list]
    assert "road" in codes and "flooding" in codes
    definition = client.get_service_definition("road")
    assert definition["service_code"] == "road"

    posted = requests.post(
        f"{root}/requests.{fmt}",
        data={
            "api_key": api_key,
            "service_code": "road",
            "lat": "13.7563",
            "long": "100.5018",
            "description": "ถนนเป็นหลุม ติดต่อ 0812345678",
            "email": "citizen@example.com",
            "first_name": "สมชาย",
        },
        timeout=10,
    )
    assert posted.status_code == 201, posted.text
    if fmt == "json":
        reference = posted.json()[0]["service_request_id"]
    else:
        reference = _xml(posted.content).find("request/service_request_id").text
    assert reference.startswith("CR-")

    one = client.get_service_request(reference)
    assert one["service_request_id"] == reference
    assert one["status"] == "open"
    assert one["agency_responsible"] == "กรมเอ"
    assert "0812345678" not in one["description"]
    assert float(one["lat"]) == pytest.approx(13.7563)
    assert one["extended_attributes"]["state"] == "received"
    listed = client.get_service_requests(status="open")
    listed = listed if isinstance(listed, list) else [listed]  # xmltodict: one row is a dict
    assert [r["service_request_id"] for r in listed] == [reference]
    body = requests.get(f"{root}/requests.{fmt}", timeout=10).text
    assert "citizen@example.com" not in body and "สมชาย" not in body
    complaint = Complaint.objects.get(reference=reference)
    assert complaint.source == "open311" and complaint.reporter_email == "citizen@example.com"


def _errors(response):
    root = _xml(response.content)
    assert root.tag == "errors"
    return [(e.findtext("code"), e.findtext("description")) for e in root.findall("error")]


def test_errors_are_in_the_specs_format(client, api_key):
    bad_key = client.post("/open311/v2/requests.xml", {"api_key": "nope", "service_code": "road"})
    assert bad_key.status_code == 403
    assert _errors(bad_key)[0][0] == "403"
    as_json = client.post("/open311/v2/requests.json", {"api_key": "nope"})
    assert as_json.status_code == 403
    assert as_json.json()[0]["code"] == 403 and as_json.json()[0]["description"]
    unknown = client.post("/open311/v2/requests.json", {"api_key": api_key, "service_code": "x"})
    assert unknown.status_code == 404
    no_place = client.post(
        "/open311/v2/requests.json", {"api_key": api_key, "service_code": "road"}
    )
    assert no_place.status_code == 400
    abroad = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": api_key,
            "service_code": "road",
            "lat": "48.85",
            "long": "2.35",
            "description": "x",
        },
    )
    assert abroad.status_code == 400 and "location" in abroad.json()[0]["description"]
    assert not Complaint.objects.exists()
    assert client.get("/open311/v2/requests/CR-0000-000000.xml").status_code == 404
    assert client.get("/open311/v2/services/none.json").status_code == 404
    assert client.get("/open311/v2/services.html").status_code == 404
    assert client.get("/open311/v2/requests.json?status=maybe").status_code == 400
    assert client.get("/open311/v2/requests.json?start_date=yesterday").status_code == 400
    wide = "/open311/v2/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z"
    assert client.get(wide).status_code == 400


def test_the_default_query_is_the_last_90_days(client, agency_a):
    old = submit()
    Complaint.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=91)
    )
    fresh = submit()
    rows = client.get("/open311/v2/requests.json").json()
    assert [r["service_request_id"] for r in rows] == [fresh.reference]
    by_id = client.get(f"/open311/v2/requests.json?service_request_id={old.reference}").json()
    assert [r["service_request_id"] for r in by_id] == [old.reference]


def test_discovery_tokens_and_the_xml_shape(client):
    complaint = submit()
    discovery = _xml(client.get("/open311/v2/discovery.xml").content)
    assert discovery.tag == "discovery"
    endpoint = discovery.find("endpoints/endpoint")
    assert endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
    assert [f.text for f in endpoint.findall("formats/format")] == ["text/xml", "application/json"]
    token = _xml(client.get(f"/open311/v2/tokens/{complaint.reference}.xml").content)
    assert token.findtext("request/service_request_id") == complaint.reference
    services_xml = _xml(client.get("/open311/v2/services.xml").content)
    first = services_xml.find("service")
    assert [child.tag for child in first] == [
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    ]
    request_xml = _xml(client.get("/open311/v2/requests.xml").content)
    tags = [child.tag for child in request_xml.find("request")]
    assert tags[:17] == [
        "service_request_id",
        "status",
        "status_notes",
        "service_name",
        "service_code",
        "description",
        "agency_responsible",
        "service_notice",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "address",
        "address_id",
        "zipcode",
        "lat",
        "long",
        "media_url",
    ]


def test_fixmystreet_updates_carry_each_public_state_change(client, agency_a, officer_a):
    Route.objects.create(category=category("road"), province_code="10", agency=agency_a)
    complaint = submit()
    services.complaint_transition(
        complaint=complaint, state="in_progress", by=officer_a, note="กำลังซ่อม"
    )
    services.complaint_note_add(complaint=complaint, by=officer_a, note="ภายใน")
    services.complaint_transition(complaint=complaint, state="fixed", by=officer_a, note="เสร็จ")
    root = _xml(client.get("/open311/v2/servicerequestupdates.xml").content)
    assert root.tag == "service_request_updates"
    updates = root.findall("request_update")
    assert [(u.findtext("status"), u.findtext("description")) for u in updates] == [
        ("IN_PROGRESS", "กำลังซ่อม"),
        ("FIXED", "เสร็จ"),
    ]
    rows = client.get("/open311/v2/requests.json").json()
    assert rows[0]["status"] == "closed" and rows[0]["status_notes"] == "เสร็จ"
    assert rows[0]["extended_attributes"]["state"] == "fixed"
