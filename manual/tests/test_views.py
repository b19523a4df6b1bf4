import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from manual.models import SampleForm, Service
from manual.services import sample_form_add, service_publish
from manual.tests.factories import HOUSE_COPY, ID_ORIGINAL, make_published, make_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def published_a(agency_a):
    return make_published(agency=agency_a)


@pytest.fixture
def draft_a(agency_a):
    return make_service(agency=agency_a, code="draft-a", name_th="ร่างของกรมเอที่ยังไม่เผยแพร่")


def _get(client, user, url):
    if user is not None:
        client.force_login(user)
    return client.get(url)


# --- who may see what ----------------------------------------------------------------------

PUBLIC = ["manual:search"]


@pytest.mark.parametrize("role", ["anonymous", "officer_a", "admin_a", "ega_admin", "overseer"])
def test_public_pages_for_everyone(client, role_users, role, published_a):
    assert _get(client, role_users[role], reverse("manual:search")).status_code == 200
    client.logout()
    assert _get(client, role_users[role], published_a.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("role", ["anonymous", "officer_a", "admin_a", "ega_admin", "overseer"])
def test_drafts_are_invisible_to_the_public_web(client, role_users, role, draft_a):
    response = _get(client, role_users[role], reverse("manual:detail", args=[draft_a.pk]))
    assert response.status_code == 404
    client.logout()
    response = _get(client, role_users[role], reverse("manual:search") + "?q=ร่าง")
    assert "ร่างของกรมเอ" not in response.content.decode()


@pytest.mark.parametrize(
    "role, status",
    [
        ("anonymous", 302),
        ("officer_a", 200),
        ("admin_a", 200),
        ("ega_admin", 200),
        ("overseer", 200),
        ("officer_b", 404),
    ],
)
def test_preview_of_a_draft(client, role_users, officer_b, role, status, draft_a):
    users = {**role_users, "officer_b": officer_b}
    response = _get(client, users[role], reverse("manual:preview", args=[draft_a.pk]))
    assert response.status_code == status
    if status == 404:
        assert "ร่างของกรมเอ" not in response.content.decode()


STAFF_EDIT_URLS = ["manual:edit", "manual:sample_forms", "manual:offered_at"]


@pytest.mark.parametrize("name", STAFF_EDIT_URLS)
@pytest.mark.parametrize(
    "role, status",
    [
        ("anonymous", 302),
        ("officer_a", 200),
        ("admin_a", 200),
        ("ega_admin", 404),
        ("overseer", 404),
        ("officer_b", 404),
    ],
)
def test_edit_pages(client, role_users, officer_b, name, role, status, draft_a):
    users = {**role_users, "officer_b": officer_b}
    assert _get(client, users[role], reverse(name, args=[draft_a.pk])).status_code == status


@pytest.mark.parametrize("name", ["manual:create", "manual:import"])
@pytest.mark.parametrize(
    "role, status",
    [
        ("anonymous", 302),
        ("officer_a", 200),
        ("admin_a", 200),
        ("ega_admin", 403),
        ("overseer", 403),
    ],
)
def test_create_and_import_pages(client, role_users, name, role, status):
    assert _get(client, role_users[role], reverse(name)).status_code == status


@pytest.mark.parametrize(
    "role, status",
    [
        ("anonymous", 302),
        ("officer_a", 200),
        ("admin_a", 200),
        ("ega_admin", 200),
        ("overseer", 200),
    ],
)
def test_workspace(
    client, role_users, role, status, draft_a, agency_b, django_assert_max_num_queries
):
    make_service(agency=agency_b, code="b-service", name_th="บริการของกรมบี")
    if role_users[role]:
        client.force_login(role_users[role])
    with django_assert_max_num_queries(12):
        response = client.get(reverse("manual:workspace"))
    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert "ร่างของกรมเอ" in body
        assert ("บริการของกรมบี" in body) == (role in ("ega_admin", "overseer"))


@pytest.mark.parametrize("action", ["publish", "archive"])
def test_officer_cannot_change_another_agencys_service(client, officer_b, draft_a, action):
    client.force_login(officer_b)
    response = client.post(reverse(f"manual:{action}", args=[draft_a.pk]))
    assert response.status_code == 404
    draft_a.refresh_from_db()
    assert draft_a.status == Service.Status.DRAFT


def test_officer_b_cannot_post_edits_to_a(client, officer_b, draft_a):
    client.force_login(officer_b)
    response = client.post(reverse("manual:edit", args=[draft_a.pk]), {"name_th": "แฮก"})
    assert response.status_code == 404
    draft_a.refresh_from_db()
    assert draft_a.name_th == "ร่างของกรมเอที่ยังไม่เผยแพร่"


# --- citizen pages ----------------------------------------------------------------------


def test_search_page_finds_compound_and_counts_queries(
    client, published_a, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        response = client.get(reverse("manual:search"), {"q": "บัตรประชาชน"})
    body = response.content.decode()
    assert "การทำบัตรประจำตัวประชาชน" in body
    assert body.count("<h1") == 1


def test_service_page_checklist_jsonld_and_no_longer_required(client, agency_a, published_a):
    make_service(agency=agency_a, service=published_a, documents=[ID_ORIGINAL, HOUSE_COPY])
    service_publish(service=published_a, by=None)
    response = client.get(published_a.get_absolute_url())
    body = response.content.decode()
    assert body.count("<h1") == 1
    assert "ไม่ต้องใช้สำเนา" in body  # "No copy needed" on the original ID card
    assert "<del>สำเนาบัตรประจำตัวประชาชน</del>" in body
    assert "ไม่ต้องใช้สำเนาบัตรประจำตัวประชาชนตั้งแต่" in body
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', body, re.S)
    data = json.loads(match.group(1))
    assert data["@type"] == "GovernmentService"
    assert data["name"] == "การทำบัตรประจำตัวประชาชน"
    assert data["offers"]["price"] == "0"
    assert 'style="' not in body and "<style" not in body


def test_working_copy_changes_are_not_public_until_published(client, agency_a, published_a):
    make_service(agency=agency_a, service=published_a, name_th="ชื่อใหม่ที่ยังไม่เผยแพร่")
    body = client.get(published_a.get_absolute_url()).content.decode()
    assert "ชื่อใหม่ที่ยังไม่เผยแพร่" not in body
    assert "การทำบัตรประจำตัวประชาชน" in body


def test_sample_form_download_only_when_published(client, agency_a, published_a):
    form = sample_form_add(
        service=published_a,
        by=None,
        title="แบบ บ.ป.1",
        upload=SimpleUploadedFile("bp1.pdf", b"%PDF-1.4 x\n%%EOF\n"),
    )
    url = reverse("manual:sample_form", args=[published_a.pk, form.pk])
    assert client.get(url).status_code == 404  # not in the published version yet
    service_publish(service=published_a, by=None)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


# --- officer pages ----------------------------------------------------------------------


def _management(prefix, total):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "50",
    }


def _post_data(**overrides):
    data = {
        "code": "house-move",
        "name_th": "การแจ้งย้ายเข้า",
        "name_en": "",
        "category": "civil_registration",
        "keywords": "",
        "description": "",
        "legal_basis": "",
        "criteria": "",
        "total_duration_value": "",
        "total_duration_unit": "",
        "no_fee": "on",
        "complaint_channels": "",
        "notes": "",
        **_management("steps", 2),
        **_management("documents", 1),
        **_management("fees", 0),
        **_management("channels", 1),
        "steps-0-description": "ยื่นคำร้อง",
        "steps-0-duration_value": "10",
        "steps-0-duration_unit": "minutes",
        "steps-0-responsible_unit": "งานทะเบียน",
        "steps-0-ORDER": "2",
        "steps-1-description": "ตรวจสอบ",
        "steps-1-duration_value": "5",
        "steps-1-duration_unit": "minutes",
        "steps-1-responsible_unit": "งานทะเบียน",
        "steps-1-ORDER": "1",
        "documents-0-name": "บัตรประจำตัวประชาชน",
        "documents-0-form": "original",
        "documents-0-count": "1",
        "documents-0-ORDER": "1",
        "channels-0-kind": "office",
        "channels-0-place": "สำนักทะเบียนอำเภอ",
        "channels-0-province": "50",
        "channels-0-ORDER": "1",
    }
    data.update(overrides)
    return data


def test_officer_creates_a_service_with_ordered_steps(client, officer_a):
    client.force_login(officer_a)
    response = client.post(reverse("manual:create"), _post_data())
    assert response.status_code == 302, response.content.decode()[:2000]
    service = Service.objects.get(code="house-move")
    assert service.agency == officer_a.agency
    assert [s.description for s in service.steps.all()] == ["ตรวจสอบ", "ยื่นคำร้อง"]


def test_deleting_a_row_and_adding_a_row_without_javascript(client, officer_a):
    client.force_login(officer_a)
    response = client.post(reverse("manual:create"), _post_data(**{"steps-0-DELETE": "on"}))
    service = Service.objects.get(code="house-move")
    assert [s.description for s in service.steps.all()] == ["ตรวจสอบ"]
    response = client.post(reverse("manual:edit", args=[service.pk]), _post_data(add="documents"))
    assert response.status_code == 200
    assert 'name="documents-1-name"' in response.content.decode()
    assert service.documents.count() == 1  # adding a row saves nothing


def test_empty_steps_from_the_form_are_refused(client, officer_a):
    client.force_login(officer_a)
    data = _post_data(**_management("steps", 0))
    response = client.post(reverse("manual:create"), data)
    assert response.status_code == 200
    assert "เพิ่มขั้นตอนอย่างน้อยหนึ่งขั้นตอน" in response.content.decode()
    assert not Service.objects.exists()


def test_negative_fee_from_the_form_is_refused(client, officer_a):
    client.force_login(officer_a)
    data = _post_data(no_fee="", **_management("fees", 1))
    data.update({"fees-0-description": "ค่าธรรมเนียม", "fees-0-amount": "-1", "fees-0-ORDER": "1"})
    data.pop("no_fee")
    response = client.post(reverse("manual:create"), data)
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Service.objects.exists()


def test_upload_page_refuses_wrong_type(client, officer_a, draft_a):
    client.force_login(officer_a)
    response = client.post(
        reverse("manual:sample_forms", args=[draft_a.pk]),
        {"title": "แบบฟอร์ม", "file": SimpleUploadedFile("x.exe", b"MZ")},
    )
    assert response.status_code == 200
    assert "ไม่รับไฟล์ประเภทนี้" in response.content.decode()
    assert not SampleForm.objects.exists()


def test_publish_from_preview(client, officer_a, draft_a):
    client.force_login(officer_a)
    response = client.post(reverse("manual:publish", args=[draft_a.pk]))
    assert response.status_code == 302
    draft_a.refresh_from_db()
    assert draft_a.status == Service.Status.PUBLISHED
    assert client.get(draft_a.get_absolute_url()).status_code == 200


def test_import_page_lists_row_errors(client, officer_a):
    client.force_login(officer_a)
    upload = SimpleUploadedFile("s.csv", b"service_code,record\nx,wrong\n")
    response = client.post(reverse("manual:import"), {"file": upload})
    body = response.content.decode()
    assert response.status_code == 200
    assert "บรรทัด 2" in body
    assert not Service.objects.exists()


# --- where a service is offered ------------------------------------------------------------


def test_officer_chooses_the_points_that_offer_a_service(client, officer_a, agency_b, draft_a):
    from service_points.tests.factories import PublishedPointFactory

    own = PublishedPointFactory(agency=draft_a.agency, name_th="จุดบริการของกรมเอ")
    other = PublishedPointFactory(agency=agency_b, name_th="จุดบริการของกรมบี")
    client.force_login(officer_a)
    url = reverse("manual:offered_at", args=[draft_a.pk])
    page = client.get(url).content.decode()
    assert "จุดบริการของกรมเอ" in page and "จุดบริการของกรมบี" not in page

    refused = client.post(url, {"points": [own.pk, other.pk]})
    assert refused.status_code == 200 and "error-summary" in refused.content.decode()
    assert list(draft_a.offered_at.all()) == []

    assert client.post(url, {"points": [own.pk]}).status_code == 302
    assert list(draft_a.offered_at.all()) == [own]
    draft_a.refresh_from_db()
    assert draft_a.has_unpublished_changes


def test_agency_without_points_is_sent_to_pin_one(client, officer_a, draft_a):
    client.force_login(officer_a)
    page = client.get(reverse("manual:offered_at", args=[draft_a.pk])).content.decode()
    assert reverse("service_points:mine") in page


def test_an_e_service_link_typed_without_a_scheme_is_taken_as_https():
    from manual.forms import ChannelForm
    from manual.models import ServiceChannel

    form = ChannelForm(
        {"kind": ServiceChannel.Kind.values[0], "url": "egov.go.th/service", "place": ""}
    )
    form.is_valid()
    assert form.cleaned_data["url"] == "https://egov.go.th/service"
