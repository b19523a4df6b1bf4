"""Manual records for tests: `make_service(agency=..., documents=[...])`, then publish."""

from typing import Any

from manual.models import Service
from manual.services import service_publish, service_save

STEP = {
    "description": "ยื่นคำขอและตรวจเอกสาร",
    "duration_value": 10,
    "duration_unit": "minutes",
    "responsible_unit": "งานทะเบียน",
}
CHANNEL = {
    "kind": "office",
    "place": "ที่ว่าการอำเภอเมืองเชียงใหม่",
    "province": "50",
    "opening_hours": "จันทร์–ศุกร์ 08:30–16:30",
    "url": "",
}
ID_COPY = {
    "name": "สำเนาบัตรประจำตัวประชาชน",
    "form": "copy",
    "count": 1,
    "issuing_agency": "กรมการปกครอง",
    "is_id_card_copy": True,
    "is_house_registration_copy": False,
    "note": "",
}
HOUSE_COPY = {
    "name": "สำเนาทะเบียนบ้าน",
    "form": "copy",
    "count": 1,
    "issuing_agency": "กรมการปกครอง",
    "is_id_card_copy": False,
    "is_house_registration_copy": True,
    "note": "",
}
ID_ORIGINAL = {
    "name": "บัตรประจำตัวประชาชน (ฉบับจริง)",
    "form": "original",
    "count": 1,
    "issuing_agency": "กรมการปกครอง",
    "is_id_card_copy": False,
    "is_house_registration_copy": False,
    "note": "",
}


def service_fields(**overrides: Any) -> dict[str, Any]:
    fields = {
        "code": "id-card-new",
        "name_th": "การทำบัตรประจำตัวประชาชน",
        "name_en": "Applying for an ID card",
        "category": "civil_registration",
        "keywords": "",
        "description": "",
        "legal_basis": "พระราชบัญญัติบัตรประจำตัวประชาชน พ.ศ. 2526",
        "criteria": "",
        "total_duration_value": 20,
        "total_duration_unit": "minutes",
        "no_fee": True,
        "complaint_channels": "สายด่วน 1548",
        "notes": "",
    }
    fields.update(overrides)
    return fields


def make_service(
    *,
    agency,
    by=None,
    service: Service | None = None,
    steps=None,
    documents=None,
    fees=None,
    channels=None,
    **fields: Any,
) -> Service:
    return service_save(
        by=by,
        agency=agency,
        service=service,
        fields=service_fields(**fields),
        steps=[STEP] if steps is None else steps,
        documents=[ID_COPY, HOUSE_COPY] if documents is None else documents,
        fees=[] if fees is None else fees,
        channels=[CHANNEL] if channels is None else channels,
    )


def make_published(*, agency, **kwargs: Any) -> Service:
    service = make_service(agency=agency, **kwargs)
    service_publish(service=service, by=None)
    service.refresh_from_db()
    return service
