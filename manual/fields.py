"""The fields of a Citizen's Manual service and of its items, declared once: the forms, the
importer and `services.service_save` all read them from here."""

from typing import Any

from manual.models import RequiredDocument, ServiceChannel, ServiceFee, ServiceStep

SERVICE_FIELDS = (
    "code",
    "name_th",
    "name_en",
    "category",
    "keywords",
    "description",
    "legal_basis",
    "criteria",
    "total_duration_value",
    "total_duration_unit",
    "no_fee",
    "complaint_channels",
    "notes",
)
STEP_FIELDS = ("description", "duration_value", "duration_unit", "responsible_unit")
DOCUMENT_FIELDS = (
    "name",
    "form",
    "count",
    "issuing_agency",
    "is_id_card_copy",
    "is_house_registration_copy",
    "note",
)
FEE_FIELDS = ("description", "amount")
CHANNEL_FIELDS = ("kind", "place", "province", "opening_hours", "url")
CHILDREN: dict[str, tuple[Any, tuple[str, ...]]] = {
    # relation: (model, fields)
    "steps": (ServiceStep, STEP_FIELDS),
    "documents": (RequiredDocument, DOCUMENT_FIELDS),
    "fees": (ServiceFee, FEE_FIELDS),
    "channels": (ServiceChannel, CHANNEL_FIELDS),
}
