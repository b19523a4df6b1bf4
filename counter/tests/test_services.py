import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from counter import hashing, selectors, services
from counter.models import ServicePath, VerificationRecord
from counter.tests.conftest import CID


def test_record_keeps_a_hash_not_the_data(record_a):
    record_a.refresh_from_db()
    stored = " ".join(str(v) for v in record_a.__dict__.values())
    assert CID not in stored and "สมชาย" not in stored
    assert record_a.data_hash == hashing.data_hash({"citizen_id": CID, "name_th": "นายสมชาย ใจดี"})
    assert record_a.citizen_ref == hashing.citizen_ref(CID)
    assert record_a.fields_used == ["citizen_id", "name_th"]
    assert AuditEvent.objects.filter(action="counter.record.created").count() == 1


def test_hash_ignores_spacing_but_not_content():
    a = hashing.data_hash({"name_th": "นายสมชาย  ใจดี "})
    assert a == hashing.data_hash({"name_th": "นายสมชาย ใจดี"})
    assert a != hashing.data_hash({"name_th": "นายสมชาย ใจร้าย"})


def test_hash_is_keyed(settings):
    before = hashing.citizen_ref(CID)
    settings.COUNTER_HASH_KEY = "another key"
    assert hashing.citizen_ref(CID) != before


def test_only_ticked_fields_are_hashed(agency_a, service_a, officer_a):
    r = services.verification_record_create(
        agency=agency_a,
        service=service_a,
        officer=officer_a,
        source="seen",
        values={"citizen_id": CID, "name_th": "x", "address": "y"},
        fields_used=["citizen_id"],
    )
    assert r.data_hash == hashing.data_hash({"citizen_id": CID})


@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"fields_used": []}, "fields_used"),
        ({"fields_used": ["address"]}, "fields_used"),  # ticked but empty
        ({"values": {"name_th": "x"}}, "citizen_id"),
        ({"source": "gdx"}, "consent"),  # GDX without a request and consent
    ],
)
def test_bad_records_are_refused_and_nothing_is_stored(
    agency_a, service_a, officer_a, kwargs, field
):
    args = {
        "agency": agency_a,
        "service": service_a,
        "officer": officer_a,
        "source": "card",
        "values": {"citizen_id": CID},
        "fields_used": ["citizen_id"],
    } | kwargs
    with pytest.raises(ValidationError) as exc:
        services.verification_record_create(**args)
    assert field in exc.value.message_dict
    assert VerificationRecord.objects.count() == 0
    assert not AuditEvent.objects.filter(action="counter.record.created").exists()


def test_another_agencys_service_or_point_is_refused(agency_a, service_b, officer_a, agency_b):

    with pytest.raises(ValidationError) as exc:
        services.verification_record_create(
            agency=agency_a,
            service=service_b,
            officer=officer_a,
            source="card",
            values={"citizen_id": CID},
            fields_used=["citizen_id"],
        )
    assert "service" in exc.value.message_dict
    assert VerificationRecord.objects.count() == 0


def test_void_transitions(record_a, admin_a):
    with pytest.raises(ValidationError):
        services.verification_record_void(record=record_a, by=admin_a, reason="  ")
    services.verification_record_void(record=record_a, by=admin_a, reason="ผิดบริการ")
    record_a.refresh_from_db()
    assert record_a.status == "voided" and record_a.voided_by == admin_a
    with pytest.raises(ValidationError):
        services.verification_record_void(record=record_a, by=admin_a, reason="again")
    assert AuditEvent.objects.filter(action="counter.record.voided").count() == 1


def test_copies_avoided_counts_recorded_not_voided(record_a, admin_a, agency_a, agency_b):
    assert selectors.copies_avoided_total(agency=agency_a) == 1
    assert selectors.copies_avoided_total(agency=agency_b) == 0
    by_service = selectors.copies_avoided_by_service(agency=agency_a)
    assert [(r.label, r.total, r.card) for r in by_service] == [("การขอใบอนุญาตทดสอบ", 1, 1)]
    by_point = selectors.copies_avoided_by_point(agency=agency_a)
    assert by_point[0].label == "จุดบริการเอ" and by_point[0].asked_rate is None
    services.verification_record_void(record=record_a, by=admin_a, reason="ผิด")
    assert selectors.copies_avoided_total(agency=agency_a) == 0


def test_copies_avoided_shows_the_feedback_answer_per_point(record_a, agency_a, point_a):
    import datetime

    from feedback.models import PointDay

    PointDay.objects.create(
        point=point_a, agency=agency_a, day=datetime.date.today(), responses=4, copy_asked=1
    )
    row = selectors.copies_avoided_by_point(agency=agency_a)[0]
    assert (row.asked_rate, row.asked_responses) == (0.25, 4)


def test_path_set_and_change(agency_a, service_a, admin_a, service_b):
    services.counter_path_set(agency=agency_a, service=service_a, path="online_ega", by=admin_a)
    services.counter_path_set(
        agency=agency_a, service=service_a, path="offline", gdx_purpose=" x ", by=admin_a
    )
    setting = ServicePath.objects.get()
    assert (setting.path, setting.gdx_purpose) == ("offline", "x")
    with pytest.raises(ValidationError):
        services.counter_path_set(agency=agency_a, service=service_b, path="offline", by=admin_a)
    with pytest.raises(ValidationError):
        services.counter_path_set(agency=agency_a, service=service_a, path="fax", by=admin_a)
    assert AuditEvent.objects.filter(action="counter.path.set").count() == 2
