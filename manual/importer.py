"""Reading Citizen's Manual imports (JSON or CSV) into the shape `service_save` takes.

Every problem is reported with where it is (CSV line, or JSON service number and item).
"""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.imports import ImportResult
from core.parsing import csv_table, json_document
from manual.fields import CHILDREN, SERVICE_FIELDS
from manual.models import Service
from manual.provinces import province_code_for

IMPORT_MAX_BYTES = 2 * 1024 * 1024
MAX_SERVICES = 1000
RECORDS = {"service", "step", "document", "fee", "channel"}
RELATION_OF = {"step": "steps", "document": "documents", "fee": "fees", "channel": "channels"}
BOOLEAN_FIELDS = {"no_fee", "is_id_card_copy", "is_house_registration_copy"}
TRUE = {"1", "true", "yes", "y", "x", "ใช่", "มี"}
FALSE = {"", "0", "false", "no", "n", "ไม่", "ไม่ใช่", "ไม่มี"}
CSV_COLUMNS = [
    "service_code",
    "record",
    # Each field once, in the order of the service and then its items.
    *dict.fromkeys(
        f
        for fields in (SERVICE_FIELDS, *(item_fields for _model, item_fields in CHILDREN.values()))
        for f in fields
        if f != "code"
    ),
]


@dataclass
class ParsedService:
    where: str
    fields: dict[str, Any]
    children: dict[str, list[tuple[str, dict[str, Any]]]] = field(
        default_factory=lambda: {r: [] for r in CHILDREN}
    )


def _boolean(value: Any, where: str, name: str, result: ImportResult) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value if value is not None else "").strip().casefold()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    result.errors.append(
        (where, _("%(field)s: “%(value)s” is not yes or no.") % {"field": name, "value": value})
    )
    return False


def _clean(values: dict[str, Any], allowed, where: str, result: ImportResult) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for name in allowed:
        if name not in values:
            continue
        value = values[name]
        if name in BOOLEAN_FIELDS:
            clean[name] = _boolean(value, where, name, result)
        elif value is None:
            clean[name] = ""
        elif isinstance(value, str):
            clean[name] = value.strip()
        else:
            clean[name] = value
        if name == "province" and clean[name]:
            code = province_code_for(str(clean[name]))
            if code is None:
                result.errors.append(
                    (where, _("province: “%(value)s” is not a Thai province.") % {"value": value})
                )
            clean[name] = code or ""
        if (
            name in ("total_duration_value", "duration_value", "count", "amount")
            and clean[name] == ""
        ):
            clean[name] = None
    return clean


def _header_error(fieldnames: list[str]) -> str | None:
    missing = [c for c in ("service_code", "record") if c not in fieldnames]
    if missing:
        return _("Missing columns: %(columns)s") % {"columns": ", ".join(missing)}
    unknown = [c for c in fieldnames if c and c not in CSV_COLUMNS]
    if unknown:
        return _("Unknown columns: %(columns)s") % {"columns": ", ".join(unknown)}
    return None


def _row_error(code: str, record: str) -> str | None:
    if not code:
        return _("service_code is empty.")
    if record not in RECORDS:
        return _("record must be one of: %(records)s.") % {"records": ", ".join(sorted(RECORDS))}
    return None


def parse_csv(text: str, result: ImportResult) -> list[ParsedService]:
    try:
        table = csv_table(text)
    except ValidationError as error:
        result.errors.append(("CSV", " ".join(error.messages)))
        return []
    header_error = _header_error(table.fieldnames)
    if header_error:
        result.errors.append((_("line %(line)s") % {"line": 1}, header_error))
        return []
    services: dict[str, ParsedService] = {}
    pending: list[tuple[str, str, str, dict]] = []
    for line, row in table.rows:
        where = _("line %(line)s") % {"line": line}
        code = (row.get("service_code") or "").strip()
        record = (row.get("record") or "").strip().lower()
        error = _row_error(code, record)
        if error is None and record == "service" and code in services:
            error = _("Service “%(code)s” appears twice.") % {"code": code}
        if error:
            result.errors.append((where, error))
            continue
        values = {k: v for k, v in row.items() if k and v is not None}
        if record == "service":
            fields = _clean(values, [f for f in SERVICE_FIELDS if f != "code"], where, result)
            services[code] = ParsedService(where=where, fields={"code": code, **fields})
        else:
            pending.append((where, code, record, values))
    for where, code, record, values in pending:
        if code not in services:
            result.errors.append((where, _("No “service” row for “%(code)s”.") % {"code": code}))
            continue
        relation = RELATION_OF[record]
        allowed = CHILDREN[relation][1]
        services[code].children[relation].append((where, _clean(values, allowed, where, result)))
    return list(services.values())


def parse_json(text: str, result: ImportResult) -> list[ParsedService]:
    try:
        data = json_document(text)
    except ValidationError as error:
        result.errors.append(("JSON", " ".join(error.messages)))
        return []
    items = data.get("services") if isinstance(data, dict) else data
    if not isinstance(items, list):
        result.errors.append(("JSON", _('Expected a list of services, or {"services": [...]}.')))
        return []
    parsed = []
    seen: set[str] = set()
    for number, item in enumerate(items, start=1):
        where = _("service %(number)s") % {"number": number}
        if not isinstance(item, dict):
            result.errors.append((where, _("Each service must be an object.")))
            continue
        unknown = set(item) - set(SERVICE_FIELDS) - set(CHILDREN)
        if unknown:
            result.errors.append(
                (where, _("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
            )
        code = str(item.get("code") or "").strip()
        if code in seen:
            result.errors.append((where, _("Service “%(code)s” appears twice.") % {"code": code}))
        seen.add(code)
        service = ParsedService(where=where, fields=_clean(item, SERVICE_FIELDS, where, result))
        for relation, (_model, allowed) in CHILDREN.items():
            rows = item.get(relation, [])
            if not isinstance(rows, list):
                result.errors.append((where, _("%(field)s must be a list.") % {"field": relation}))
                continue
            for index, row in enumerate(rows, start=1):
                row_where = f"{where} › {relation} {index}"
                if not isinstance(row, dict):
                    result.errors.append((row_where, _("Each item must be an object.")))
                    continue
                extra = set(row) - set(allowed)
                if extra:
                    result.errors.append(
                        (
                            row_where,
                            _("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(extra))},
                        )
                    )
                service.children[relation].append(
                    (row_where, _clean(row, allowed, row_where, result))
                )
        parsed.append(service)
    return parsed


def check_rows(services: list[ParsedService], agency, result: ImportResult) -> None:
    """Field-level checks on every service and item, each reported where it is."""
    if len(services) > MAX_SERVICES:
        result.errors.append(("", _("At most %(n)s services per file.") % {"n": MAX_SERVICES}))
    for parsed in services:
        candidate = Service(agency=agency, **parsed.fields)
        _report(candidate, parsed.where, result, exclude=["agency"])
        for relation, rows in parsed.children.items():
            model = CHILDREN[relation][0]
            for where, values in rows:
                _report(model(**values), where, result, exclude=["service"])


def _report(instance, where: str, result: ImportResult, exclude: list[str]) -> None:
    try:
        instance.full_clean(exclude=exclude, validate_constraints=False)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            for message in messages:
                result.errors.append(
                    (where, f"{name}: {message}" if name != "__all__" else message)
                )
