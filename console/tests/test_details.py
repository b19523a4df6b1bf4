"""The audit trail shows event details in words, not Python's list text."""

import pytest
from django.utils import translation

from audit.models import AuditEvent
from audit.services import audit_record
from console import details


def _event(action, data, target_type=""):
    return AuditEvent(action=action, data=data, target_type=target_type, target_id="7")


def test_option_lists_read_as_words_in_thai():
    event = _event(
        "readiness.round_changed",
        {"opens_on": "2026-11-30", "options": ["ก", "ข"], "options_added": ["ง"]},
        "readiness.surveyround",
    )
    with translation.override("th"):
        pairs = details.readable(event)
    assert pairs == [
        ("เปิดวันที่", "30 พฤศจิกายน 2569"),
        ("ตัวเลือกข้อ 8", "ก, ข"),
        ("ตัวเลือกที่เพิ่ม", "ง"),
    ]
    assert not any("[" in value or "'" in value for _label, value in pairs)


def test_english_readers_get_gregorian_dates_and_english_labels():
    event = _event("readiness.round_changed", {"opens_on": "2026-11-30", "options_removed": []})
    with translation.override("en"):
        pairs = details.readable(event)
    assert pairs == [("opens on", "30 November 2026"), ("options removed", "—")]


def test_a_service_point_change_reads_before_and_after_with_the_fields_name():
    event = _event(
        "service_point.updated",
        {"name_th": ["เดิม", "ใหม่"], "is_active": True},
        "service_points.servicepoint",
    )
    with translation.override("th"):
        pairs = dict(details.readable(event))
    assert pairs["ใช้งานอยู่"] == "ใช่"
    label = next(k for k in pairs if k != "ใช้งานอยู่")
    assert pairs[label] == "เดิม → ใหม่"
    assert "name_th" not in label


def test_nested_values_unknown_keys_and_targets():
    event = _event("gdx.key.revoked", {"reason": "กุญแจรั่ว", "x_y": {"days": 3}}, "no.such")
    with translation.override("th"):
        pairs = details.readable(event)
        target = details.target_label(event)
    assert pairs == [("เหตุผล", "กุญแจรั่ว"), ("x y", "จำนวนวัน: 3")]
    assert target == "no.such 7"
    with translation.override("th"):
        label = details.target_label(_event("x", {}, "readiness.surveyround"))
    assert label == "รอบการสำรวจ 7"


@pytest.mark.django_db
def test_the_audit_page_shows_readable_details(client, ega_admin):
    audit_record(
        action="readiness.round_changed",
        actor=ega_admin,
        data={"options_added": ["ง"], "closes_on": "2026-12-31"},
    )
    client.force_login(ega_admin)
    html = client.get("/console/audit/").content.decode()
    assert "ตัวเลือกที่เพิ่ม: ง" in html
    assert "ปิดวันที่: 31 ธันวาคม 2569" in html
    assert "[&#x27;" not in html and "options_added" not in html
