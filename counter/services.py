"""Every write of the counter: path settings, verification records and voiding them."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from counter import hashing
from counter.models import ServicePath, VerificationRecord


@transaction.atomic
def counter_path_set(
    *, agency: Any, service: Any, path: str, gdx_purpose: str = "", by: Any
) -> ServicePath:
    current = ServicePath.objects.select_for_update().filter(agency=agency, service=service).first()
    setting = current or ServicePath(agency=agency, service=service)
    before = (setting.path, setting.gdx_purpose) if current else None
    setting.path = path
    setting.gdx_purpose = gdx_purpose.strip()
    setting.updated_by = by
    setting.updated_at = timezone.now()
    setting.full_clean()
    setting.save()
    audit_record(
        action="counter.path.set",
        actor=by,
        target=setting,
        agency=agency,
        data={"service": service.pk, "path": path, "before": before},
    )
    return setting


@transaction.atomic
def verification_record_create(
    *,
    agency: Any,
    service: Any,
    officer: Any,
    source: str,
    values: dict[str, str],
    fields_used: list[str],
    point: Any = None,
    consent: bool = False,
    card_expired: bool = False,
    document_type: str = "",
    gdx_request_id: uuid.UUID | str | None = None,
    gdx_log_index: int | None = None,
    gdx_inclusion_proof: dict[str, Any] | None = None,
) -> VerificationRecord:
    """Keep the record of one transaction. `values` are the data the service used; only
    their keyed hash is stored, and only the fields in `fields_used` go into it."""
    citizen_id = values.get("citizen_id", "")
    if not citizen_id:
        raise ValidationError({"citizen_id": _("The citizen ID is needed for the record.")})
    used = [f for f in VerificationRecord.Field.values if f in fields_used]
    missing = [f for f in used if not str(values.get(f, "")).strip()]
    if missing:
        raise ValidationError({"fields_used": _("A field ticked as used is empty.")})
    record = VerificationRecord(
        agency=agency,
        service=service,
        point=point,
        officer=officer,
        source=source,
        document_type=document_type,
        fields_used=used,
        data_hash=hashing.data_hash({f: values[f] for f in used}),
        citizen_ref=hashing.citizen_ref(citizen_id),
        consent=consent,
        card_expired=card_expired,
        gdx_request_id=gdx_request_id,
        gdx_log_index=gdx_log_index,
        gdx_inclusion_proof=gdx_inclusion_proof,
    )
    record.full_clean()
    record.save()
    audit_record(
        action="counter.record.created",
        actor=officer,
        target=record,
        agency=agency,
        data={"service": service.pk, "source": source, "fields": used},
    )
    return record


@transaction.atomic
def verification_record_void(*, record: VerificationRecord, by: Any, reason: str) -> None:
    record = VerificationRecord.objects.select_for_update().get(pk=record.pk)
    record.void(by=by, reason=reason)
    record.full_clean()
    record.save(update_fields=["status", "voided_at", "voided_by", "void_reason"])
    audit_record(
        action="counter.record.voided",
        actor=by,
        target=record,
        agency=record.agency,
        data={"reason": record.void_reason},
    )
