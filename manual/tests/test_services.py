import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent
from manual.models import SampleForm, Service, ServiceStep
from manual.selectors import service_public_view
from manual.services import (
    sample_form_add,
    service_archive,
    service_import,
    service_publish,
    service_reopen,
)
from manual.tests.factories import (
    CHANNEL,
    HOUSE_COPY,
    ID_COPY,
    ID_ORIGINAL,
    STEP,
    make_published,
    make_service,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_save_creates_a_draft_with_ordered_rows(agency_a, officer_a):
    service = make_service(
        agency=agency_a, by=officer_a, steps=[STEP, {**STEP, "description": "รับบัตร"}]
    )
    assert service.status == Service.Status.DRAFT
    assert [s.description for s in service.steps.all()] == ["ยื่นคำขอและตรวจเอกสาร", "รับบัตร"]
    assert [s.position for s in service.steps.all()] == [1, 2]
    assert AuditEvent.objects.filter(action="manual.service.created").count() == 1


def test_empty_steps_are_refused_and_nothing_stored(agency_a, officer_a):
    with pytest.raises(ValidationError) as error:
        make_service(agency=agency_a, by=officer_a, steps=[])
    assert "Add at least one step." in error.value.message_dict["steps"]
    with pytest.raises(ValidationError) as error:
        make_service(agency=agency_a, by=officer_a, steps=[{**STEP, "description": ""}])
    assert "steps" in error.value.message_dict
    assert not Service.objects.exists()
    assert not ServiceStep.objects.exists()


def test_negative_fee_is_refused_and_nothing_stored(agency_a, officer_a):
    with pytest.raises(ValidationError) as error:
        make_service(
            agency=agency_a,
            by=officer_a,
            no_fee=False,
            fees=[{"description": "ค่าธรรมเนียม", "amount": Decimal("-10")}],
        )
    assert any("Fee 1" in m for m in error.value.message_dict["fees"])
    assert not Service.objects.exists()


def test_fees_must_be_stated_explicitly(agency_a, officer_a):
    with pytest.raises(ValidationError) as error:
        make_service(agency=agency_a, by=officer_a, no_fee=False, fees=[])
    assert "no_fee" in error.value.message_dict
    with pytest.raises(ValidationError):
        make_service(
            agency=agency_a,
            by=officer_a,
            no_fee=True,
            fees=[{"description": "ค่าบัตร", "amount": Decimal("100")}],
        )
    assert not Service.objects.exists()


def test_officer_cannot_write_another_agencys_service(agency_a, officer_b, officer_a):
    service = make_service(agency=agency_a, by=officer_a)
    with pytest.raises(PermissionDenied):
        make_service(agency=agency_a, by=officer_b, service=service, name_th="แก้โดยคนอื่น")
    with pytest.raises(PermissionDenied):
        service_publish(service=service, by=officer_b)
    service.refresh_from_db()
    assert service.name_th == "การทำบัตรประจำตัวประชาชน"
    assert service.status == Service.Status.DRAFT


def test_duplicate_code_in_same_agency_is_refused(agency_a, agency_b):
    make_service(agency=agency_a)
    with pytest.raises(ValidationError, match="already has a service with this code"):
        make_service(agency=agency_a)
    make_service(agency=agency_b)  # another agency may use the same code


def test_publish_versions_and_removed_copy_shows_with_its_date(agency_a, officer_a):
    service = make_published(agency=agency_a, by=officer_a)
    first = service.current_version
    assert first.number == 1 and first.changes == {"first": True}
    assert service.listed_provinces == ",50,"
    make_service(
        agency=agency_a, by=officer_a, service=service, documents=[ID_ORIGINAL, HOUSE_COPY]
    )
    # Not published yet: citizens still see version 1.
    service.refresh_from_db()
    assert service.current_version_id == first.pk and service.has_unpublished_changes
    second = service_publish(service=service, by=officer_a)
    assert second.number == 2
    assert second.changes["id_card_copy"] == "stopped"
    assert [d["name"] for d in second.changes["removed"]] == ["สำเนาบัตรประจำตัวประชาชน"]
    service.refresh_from_db()
    view = service_public_view(service=service)
    assert [(i["document"]["name"], i["removed_at"]) for i in view.removed] == [
        ("สำเนาบัตรประจำตัวประชาชน", second.published_at)
    ]
    assert view.id_card_copy_stopped_at == second.published_at
    assert view.house_registration_copy_stopped_at is None


def test_copy_flag_cleared_counts_as_no_longer_required(agency_a):
    service = make_published(agency=agency_a, documents=[HOUSE_COPY])
    make_service(
        agency=agency_a,
        service=service,
        documents=[
            {
                **HOUSE_COPY,
                "name": "สำเนาทะเบียนบ้าน",
                "form": "original",
                "is_house_registration_copy": False,
            }
        ],
    )
    version = service_publish(service=service, by=None)
    service.refresh_from_db()
    view = service_public_view(service=service)
    assert view.house_registration_copy_stopped_at == version.published_at
    assert view.removed[0]["now"]["form"] == "original"


def test_publish_refused_without_channels_and_unchanged(agency_a):
    service = make_service(agency=agency_a, channels=[])
    with pytest.raises(ValidationError, match="service channel"):
        service_publish(service=service, by=None)
    assert not service.versions.exists()
    service = make_published(agency=agency_a, code="other")
    with pytest.raises(ValidationError, match="Nothing has changed"):
        service_publish(service=service, by=None)
    assert service.versions.count() == 1


def test_archive_and_reopen(agency_a, officer_a):
    service = make_published(agency=agency_a)
    service_archive(service=service, by=officer_a)
    service.refresh_from_db()
    assert service.status == Service.Status.ARCHIVED
    with pytest.raises(ValidationError):
        make_service(agency=agency_a, service=service)
    service_reopen(service=service, by=officer_a)
    service.refresh_from_db()
    assert service.status == Service.Status.DRAFT
    assert service.versions.count() == 1  # history kept


def test_sample_form_oversized_or_wrong_type_is_refused_and_nothing_stored(
    agency_a, officer_a, settings
):
    settings.MANUAL_FORM_MAX_BYTES = 1024
    service = make_service(agency=agency_a)
    for upload, message in [
        (SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 5000), "too large"),
        (SimpleUploadedFile("run.exe", b"MZ"), "not accepted"),
        (SimpleUploadedFile("fake.pdf", b"GIF89a"), "does not match"),
    ]:
        with pytest.raises(ValidationError, match=message):
            sample_form_add(service=service, by=officer_a, title="แบบคำขอ", upload=upload)
    assert not SampleForm.objects.exists()
    form = sample_form_add(
        service=service,
        by=officer_a,
        title="แบบคำขอ บ.ป.1",
        upload=SimpleUploadedFile("bp1.pdf", b"%PDF-1.4 form\n%%EOF\n"),
    )
    assert form.content_type == "application/pdf" and form.size == 20


CSV_OK = """service_code,record,name_th,category,no_fee,description,duration_value,duration_unit,responsible_unit,name,form,count,is_id_card_copy,kind,place,province
tax-id,service,การขอมีเลขประจำตัวผู้เสียภาษีอากร,tax,yes,,,,,,,,,,,
tax-id,step,,,,ยื่นคำขอ,15,minutes,งานทะเบียน,,,,,,,
tax-id,document,,,,,,,,สำเนาบัตรประจำตัวประชาชน,copy,1,yes,,,
tax-id,channel,,,,,,,,,,,,office,สำนักงานสรรพากรพื้นที่,เชียงใหม่
"""


def test_import_csv_creates_drafts(agency_a, officer_a):
    result = service_import(by=officer_a, agency=agency_a, text=CSV_OK, fmt="csv")
    assert result.ok, result.errors
    assert result.created == 1
    service = Service.objects.get(code="tax-id")
    assert service.status == Service.Status.DRAFT
    assert service.documents.get().is_id_card_copy is True
    assert service.channels.get().province == "50"
    again = service_import(by=officer_a, agency=agency_a, text=CSV_OK, fmt="csv")
    assert (again.created, again.updated) == (0, 1)


def test_import_csv_row_errors_and_nothing_written(agency_a, officer_a):
    bad = CSV_OK + (
        "tax-id,fee,,,,ค่าธรรมเนียม,,,,,,,,,,\n"
        "tax-id,document,,,,,,,,สำเนาทะเบียนบ้าน,copy,0,maybe,,,\n"
        "other,step,,,,x,1,minutes,y,,,,,,,\n"
    )
    result = service_import(by=officer_a, agency=agency_a, text=bad, fmt="csv")
    assert not result.ok
    wheres = {where for where, _m in result.errors}
    assert {"line 7", "line 8"} <= wheres
    assert any("maybe" in m for _w, m in result.errors)
    assert not Service.objects.exists()


def test_import_json_negative_fee_and_empty_steps_refused(agency_a, officer_a):
    data = [
        {
            "code": "ok",
            "name_th": "บริการที่ถูกต้อง",
            "category": "other",
            "no_fee": True,
            "steps": [STEP],
            "documents": [ID_COPY],
            "fees": [],
            "channels": [CHANNEL],
        },
        {
            "code": "bad",
            "name_th": "บริการที่ผิด",
            "category": "other",
            "no_fee": False,
            "steps": [],
            "fees": [{"description": "ค่าคำขอ", "amount": -5}],
            "channels": [],
        },
    ]
    result = service_import(by=officer_a, agency=agency_a, text=json.dumps(data), fmt="json")
    assert not result.ok
    assert any(w == "service 2 › fees 1" for w, _m in result.errors)
    assert not Service.objects.exists()
    del data[1]
    assert service_import(by=officer_a, agency=agency_a, text=json.dumps(data), fmt="json").ok


def test_import_rejects_broken_json(agency_a, officer_a):
    result = service_import(by=officer_a, agency=agency_a, text="{not json", fmt="json")
    assert not result.ok and not Service.objects.exists()


def test_service_points_link_and_province_filter(agency_a, agency_b, officer_a):
    from manual.selectors import service_search
    from manual.services import service_points_set
    from service_points.tests.factories import PublishedPointFactory

    point = PublishedPointFactory(agency=agency_a, province_code="83", name_th="จุดบริการภูเก็ต")
    other = PublishedPointFactory(agency=agency_b)
    service = make_service(agency=agency_a, by=officer_a)
    with pytest.raises(ValidationError):
        service_points_set(service=service, by=officer_a, points=[other])
    service_points_set(service=service, by=officer_a, points=[point])
    service_publish(service=service, by=officer_a)
    service.refresh_from_db()
    assert service.current_version.snapshot["service_points"][0]["name_th"] == "จุดบริการภูเก็ต"
    assert [s.pk for s in service_search(province="83").services] == [service.pk]
    assert [s.pk for s in service_search(province="50").services] == [service.pk]  # channel
    assert service_search(province="10").services == []
